"""https: limits of the DNS-over-HTTPS listener (coredns plugin/https/setup.go). Since 1.14.0."""
from ..spec import Plugin, Prop
from ._dispenser import only_for_transport

PLUGIN = Plugin(
    name="https",
    summary="Caps concurrent connections of an https:// server (0 = no limit).",
    args="",
    block=True,
    reads_first_only=True,
    since="1.14.0",
    props=(
        Prop("max_connections", "n:int(0..)", once=True,
             once_message="max_connections already defined for this server block"),
    ),
    checks=(only_for_transport("https"),),
)
