"""multisocket: several listening sockets per server with SO_REUSEPORT (coredns plugin/multisocket).

Since 1.12.0. Setup reads one directive and refuses any token after it, so a second multisocket in the block
is an argument error.
"""
from ..spec import Plugin

MAX_SOCKETS = 1024

PLUGIN = Plugin(
    name="multisocket",
    summary="Opens NUM sockets (default GOMAXPROCS, at most 1024) on each listening address.",
    args=f"num:int(1..{MAX_SOCKETS})?",
    once=True,
    once_message="Wrong argument count or unexpected line ending: only one multisocket per server block",
    since="1.12.0",
)
