"""https3: limits of the DNS-over-HTTP/3 listener (coredns plugin/https3/setup.go).

Versions: the plugin arrived in 1.14.0, max_connections in 1.14.7.
"""
from ..spec import Plugin
from ._dispenser import listener_limit, only_for_transport

PLUGIN = Plugin(
    name="https3",
    summary="Caps concurrent streams and connections of an https3:// server (0 = no limit).",
    args="",
    block=True,
    reads_first_only=True,
    since="1.14.0",
    props=(
        listener_limit("max_streams", 0),
        listener_limit("max_connections", 0, since="1.14.7"),
    ),
    checks=(only_for_transport("https3"),),
)
