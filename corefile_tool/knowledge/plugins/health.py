"""health: HTTP liveness endpoint (coredns plugin/health/setup.go)."""
from .. import values
from ..spec import Plugin, Prop, says
from ._setup_helpers import http_server_conflicts


def _address(directive, ctx):
    # Only net.SplitHostPort is applied at setup; a bad host or port fails later, when the listener opens.
    for tok in directive.args[:1]:
        reason = values.go_split_hostport(tok.text)[2]
        if reason:
            yield tok, f"address {tok.text}: {reason}"


PLUGIN = Plugin(
    name="health",
    summary="Serves http://ADDRESS/health (default :8080) returning 200 OK while the process is up.",
    args="address:str?",
    block=True,
    props=(
        Prop("lameduck", "duration:duration",
             says=says(invalid="unable to parse lameduck duration value: '{value}' : {error}")),
    ),
    http_server=":8080",
    checks=(_address, http_server_conflicts),
)
