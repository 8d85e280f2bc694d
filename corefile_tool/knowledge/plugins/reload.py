"""reload: re-reads the Corefile when it changes (coredns plugin/reload/setup.go)."""
from ..spec import Plugin, version_tuple
from ._setup_helpers import duration_seconds

MIN_INTERVAL = 2.0
MIN_JITTER = 1.0


def _limits(directive, ctx):
    args = directive.args
    if args:
        interval = duration_seconds(args[0].text)
        if interval is not None and interval < MIN_INTERVAL:
            yield args[0], "interval value must be greater or equal to 2s"
            return
    if len(args) > 1:
        jitter = duration_seconds(args[1].text)
        zero_allowed = version_tuple(ctx.version) >= (1, 14, 2)   # a jitter of 0 turns jitter off since 1.14.2
        if jitter is not None and jitter < MIN_JITTER and not (zero_allowed and jitter == 0):
            yield args[1], "jitter value must be " + ("0 or " if zero_allowed else "") + "greater or equal to 1s"


# setup reads the first `reload` only, and only its arguments: a block after them is never looked at.
PLUGIN = Plugin(
    name="reload",
    summary="Checks the Corefile every INTERVAL (default 30s, jitter 15s) and reloads CoreDNS when it changed.",
    args="interval:duration? jitter:duration?",
    block=True,
    other_lines=True,
    reads_first_only=True,
    checks=(_limits,),
)
