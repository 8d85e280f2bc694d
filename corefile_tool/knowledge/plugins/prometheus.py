"""prometheus: exports metrics for Prometheus (coredns plugin/metrics/setup.go).

Versions: a block (runtime_metrics, tls) from 1.14.3; before that setup read a `{` as a second prometheus
directive and failed with plugin.ErrOnce.
"""
from ..spec import Plugin, Prop, says
from ._dispenser import at_least, property_files
from ._setup_helpers import http_server_conflicts

ONCE = "this plugin can only be used once per Server Block"


def _block_before_1_14_3(directive, ctx):
    if directive.block is not None and not at_least(ctx, "1.14.3"):
        yield directive.block.open, f"{ONCE} (a block is accepted from CoreDNS 1.14.3 on)"


PLUGIN = Plugin(
    name="prometheus",
    summary="Serves /metrics for Prometheus on ADDRESS (default localhost:9153).",
    args="address:hostport?",
    block=True,
    once=True,
    says=says(unknown="unknown option: {name}"),
    props=(
        Prop("runtime_metrics", "", since="1.14.3"),
        Prop("tls", "config:str", since="1.14.3", once=True, once_message="tls block already specified"),
    ),
    http_server="localhost:9153",
    http_server_shared=True,
    checks=(_block_before_1_14_3, property_files("tls", "TLS web configuration file", 1), http_server_conflicts),
)
