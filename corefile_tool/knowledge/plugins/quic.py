"""quic: limits of the DNS-over-QUIC listener (coredns plugin/quic/setup.go). Since 1.12.2."""
from ..spec import Plugin, Prop
from ._dispenser import only_for_transport

PLUGIN = Plugin(
    name="quic",
    summary="Caps concurrent streams per connection and the worker pool of a quic:// server.",
    args="",
    block=True,
    reads_first_only=True,
    since="1.12.2",
    props=(
        Prop("max_streams", "n:int(1..)", once=True,
             once_message="max_streams already defined for this server block"),
        Prop("worker_pool_size", "n:int(1..)", once=True,
             once_message="worker_pool_size already defined for this server block"),
    ),
    checks=(only_for_transport("quic"),),
)
