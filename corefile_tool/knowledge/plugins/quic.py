"""quic: limits of the DNS-over-QUIC listener (coredns plugin/quic/setup.go). Since 1.12.2."""
from ..spec import Plugin
from ._dispenser import listener_limit, only_for_transport

PLUGIN = Plugin(
    name="quic",
    summary="Caps concurrent streams per connection and the worker pool of a quic:// server.",
    args="",
    block=True,
    reads_first_only=True,
    since="1.12.2",
    props=(
        listener_limit("max_streams", 1),
        listener_limit("worker_pool_size", 1),
    ),
    checks=(only_for_transport("quic"),),
)
