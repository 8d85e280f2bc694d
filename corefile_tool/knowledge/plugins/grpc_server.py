"""grpc_server: limits of the DNS-over-gRPC listener (coredns plugin/grpc_server/setup.go). Since 1.14.0."""
from ..spec import Plugin, Prop
from ._dispenser import only_for_transport

PLUGIN = Plugin(
    name="grpc_server",
    summary="Caps concurrent streams and connections of a grpc:// server (0 = no limit).",
    args="",
    block=True,
    reads_first_only=True,
    since="1.14.0",
    props=(
        Prop("max_streams", "n:int(0..)", once=True,
             once_message="max_streams already defined for this server block"),
        Prop("max_connections", "n:int(0..)", once=True,
             once_message="max_connections already defined for this server block"),
    ),
    checks=(only_for_transport("grpc"),),
)
