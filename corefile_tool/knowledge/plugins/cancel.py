"""cancel: cancels a request's context after a timeout (coredns plugin/cancel/cancel.go)."""
from ..spec import Plugin
from ._setup_helpers import duration_seconds


def _positive_timeout(directive, ctx):
    for tok in directive.args[:1]:
        seconds = duration_seconds(tok.text)
        if seconds is not None and seconds <= 0:
            yield tok, f'invalid negative duration: "{tok.text}"'


PLUGIN = Plugin(
    name="cancel",
    summary="Cancels the context of each request after TIMEOUT (default 5001ms) so that slow plugins give up.",
    args="timeout:duration?",
    checks=(_positive_timeout,),
)
