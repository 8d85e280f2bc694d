"""grpc_server: limits of the DNS-over-gRPC listener (coredns plugin/grpc_server/setup.go). Since 1.14.0."""
from ..spec import Plugin
from ._dispenser import listener_limit, only_for_transport

PLUGIN = Plugin(
    name="grpc_server",
    summary="Caps concurrent streams and connections of a grpc:// server (0 = no limit).",
    args="",
    block=True,
    reads_first_only=True,
    since="1.14.0",
    props=(
        listener_limit("max_streams", 0),
        listener_limit("max_connections", 0),
    ),
    checks=(only_for_transport("grpc"),),
)
