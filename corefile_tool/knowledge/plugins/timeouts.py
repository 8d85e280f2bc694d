"""timeouts: read, write and idle timeouts of the server's TCP-based listeners (coredns plugin/timeouts).

Versions: the plugin arrived in 1.10.1, maxtcpqueries in 1.14.7.
"""
from ..spec import Plugin, Prop, says
from .. import values
from ._dispenser import lines, words

TIMEOUT = "timeout:seconds_or_duration(1..86400)"
# timeouts.go: durations.NewDurationFromArg's error, then its own range check.
TIMEOUT_SAYS = says(invalid="failed to parse duration '{value}'",
                    range="timeout provided '{value}' needs to be between 1 second and 24 hours")


def _not_empty(directive, ctx):
    if not lines(directive):
        tok = directive.block.open if directive.block is not None else directive.name_token
        yield tok, "timeouts block with no timeouts specified"


def _max_tcp_queries(directive, ctx):
    for line in lines(directive, "maxtcpqueries"):
        args = words(line, directive)
        n = values.go_atoi(args[0].text) if len(args) == 1 else None
        if n is not None and (n == 0 or n < -1):
            yield args[0], f"maxtcpqueries provided '{n}' needs to be -1 (unlimited) or a positive integer"
            return


PLUGIN = Plugin(
    name="timeouts",
    summary="Sets the read, write and idle timeouts (1s..24h; a bare number is seconds) of TCP, DoT, DoH and "
            "DoQ listeners.",
    args="",
    block=True,
    since="1.10.1",
    props=(
        Prop("read", TIMEOUT, says=TIMEOUT_SAYS),
        Prop("write", TIMEOUT, says=TIMEOUT_SAYS),
        Prop("idle", TIMEOUT, says=TIMEOUT_SAYS),
        Prop("maxtcpqueries", "count:int", since="1.14.7",
             says=says(invalid="invalid value for maxtcpqueries '{value}': {error}")),
    ),
    says=says(unknown="unknown option: '{name}'"),
    checks=(_not_empty, _max_tcp_queries),
)
