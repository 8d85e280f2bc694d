"""https: limits of the DNS-over-HTTPS listener (coredns plugin/https/setup.go). Since 1.14.0."""
from ..spec import Plugin
from ._dispenser import listener_limit, only_for_transport

PLUGIN = Plugin(
    name="https",
    summary="Caps concurrent connections of an https:// server (0 = no limit).",
    args="",
    block=True,
    reads_first_only=True,
    since="1.14.0",
    props=(
        listener_limit("max_connections", 0),
    ),
    checks=(only_for_transport("https"),),
)
