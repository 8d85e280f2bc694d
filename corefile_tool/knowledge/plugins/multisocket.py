"""multisocket: several listening sockets per server with SO_REUSEPORT (coredns plugin/multisocket).

Since 1.12.0; at most 1024 sockets from 1.13.2. Setup reads one directive and refuses any token after it, so a
second multisocket in the block is an argument error.
"""
from ..spec import Plugin, says
from .. import values
from ._dispenser import at_least

MAX_SOCKETS = 1024


def _at_most(directive, ctx):
    # multisocket.go caps the count since 1.13.2 (#7615: each socket costs memory); before, any count went.
    if directive.args and at_least(ctx, "1.13.2"):
        n = values.go_atoi(directive.args[0].text)
        if n is not None and n > MAX_SOCKETS:
            yield directive.args[0], f"num sockets exceeds maximum ({MAX_SOCKETS}): {n}"


PLUGIN = Plugin(
    name="multisocket",
    summary="Opens NUM sockets (default GOMAXPROCS, at most 1024) on each listening address.",
    args="num:int(1..)?",
    once=True,
    once_message="Wrong argument count or unexpected line ending: only one multisocket per server block",
    since="1.12.0",
    says=says(invalid="invalid num sockets: {error}", below="num sockets can not be zero or negative: {value}"),
    checks=(_at_most,),
)
