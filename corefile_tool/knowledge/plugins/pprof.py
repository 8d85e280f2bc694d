"""pprof: Go runtime profiling over HTTP (coredns plugin/pprof/setup.go)."""
from ..spec import Plugin, Prop
from ._setup_helpers import http_server_conflicts

PLUGIN = Plugin(
    name="pprof",
    summary="Serves Go's /debug/pprof profiles on ADDRESS (default localhost:6053).",
    args="address:hostport?",
    block=True,
    once=True,
    props=(
        Prop("block", "rate:int?", since="1.5.0"),   # before 1.5.0 setup.go refuses any block line (ArgErr)
    ),
    http_server="localhost:6053",
    checks=(http_server_conflicts,),
)
