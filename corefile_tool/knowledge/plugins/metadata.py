"""metadata: lets plugins publish per-query metadata (coredns plugin/metadata/setup.go)."""
from ..spec import Plugin, says
from ._setup_helpers import ignored_zones


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


# Setup reads one `metadata` and then refuses any further token (a property, or a second `metadata`) with
# "Wrong argument count"; an empty `{ }` passes.
PLUGIN = Plugin(
    name="metadata",
    since="1.2.0",   # first in plugin.cfg at v1.2.0
    summary="Collects metadata from other plugins for each query, for use by log, view, template...",
    args="zones:zone(lenient)*",
    block=True,
    once=True,
    # `if c.NextBlock() || c.Next() { c.ArgErr() }`: any word inside the block is refused with caddy's ArgErr.
    says=says(unknown="Wrong argument count or unexpected line ending after '{name}'"),
    zones=True,
    checks=(_zones,),
)
