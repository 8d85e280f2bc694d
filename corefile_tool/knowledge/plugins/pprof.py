"""pprof: Go runtime profiling over HTTP (coredns plugin/pprof/setup.go)."""
from ..spec import Plugin, Prop

PLUGIN = Plugin(
    name="pprof",
    summary="Serves Go's /debug/pprof profiles on ADDRESS (default localhost:6053).",
    args="address:hostport?",
    block=True,
    once=True,
    props=(
        Prop("block", "rate:int?"),
    ),
)
