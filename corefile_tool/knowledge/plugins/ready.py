"""ready: HTTP readiness endpoint (coredns plugin/ready/setup.go).

Versions: the block (`monitor`) came in 1.12.2; before it setup's `for c.Next()` loop read a `{` as a second
`ready` and failed with plugin.ErrOnce, whatever the block held (block_since: its lines are no properties then,
so "unknown properties are ignored" does not apply to them). From 1.12.2 until 1.14.4 (1fbc68675) the block
loop skipped unknown properties.
"""
from ..spec import Plugin, Prop, says
from ._dispenser import at_least, lines
from ._setup_helpers import http_server_conflicts
from .health import _address

ONCE = "this plugin can only be used once per Server Block"
BLOCK_SINCE = "1.12.2"


def _block_before_1_12_2(directive, ctx):
    if directive.block is None or at_least(ctx, BLOCK_SINCE):
        return
    found = lines(directive)
    if found:
        name = found[0].name_token
        yield (name, f"unknown property '{name.text}': before CoreDNS 1.12.2 setup reads the block's '{{' as a "
                     f"second 'ready' ({ONCE})", "error", "unknown-property")
    else:
        yield directive.block.open, f"{ONCE} (a block is accepted from CoreDNS 1.12.2 on)", "error", "plugin-once"


PLUGIN = Plugin(
    name="ready",
    since="1.5.0",   # first in plugin.cfg at v1.5.0
    summary="Serves http://ADDRESS/ready (default :8181) returning 200 OK once every plugin that reports readiness is ready.",
    args="address:str?",
    block=True,
    block_since=BLOCK_SINCE,
    once=True,
    ignores_unknown_until="1.14.4",
    props=(
        Prop("monitor", "mode:enum(until-ready|continuously)", since=BLOCK_SINCE,
             says=says(invalid="monitor type '{value}' not supported")),
    ),
    http_server=":8181",
    http_server_shared=True,
    checks=(_block_before_1_12_2, _address, http_server_conflicts),
)
