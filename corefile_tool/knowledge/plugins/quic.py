"""quic: limits of the DNS-over-QUIC listener (coredns plugin/quic/setup.go). Since 1.12.2."""
from ..spec import Plugin
from ._dispenser import once_per_server, only_for_transport

PLUGIN = Plugin(
    name="quic",
    summary="Caps concurrent streams per connection and the worker pool of a quic:// server.",
    args="",
    block=True,
    reads_first_only=True,
    since="1.12.2",
    props=(
        once_per_server("max_streams", "n:int(1..)"),
        once_per_server("worker_pool_size", "n:int(1..)"),
    ),
    checks=(only_for_transport("quic"),),
)
