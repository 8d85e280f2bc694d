"""A zone-scoped plugin that never sees a query: one that runs before it answers every name it covers."""
from ..context import is_subdomain, overlaps

CODE = "shadowed-plugin"
SEVERITY = "warning"
SUMMARY = ("A `forward` (or other zone-scoped plugin) that never sees a query: a plugin that runs before it "
           "answers every name it covers.")
DOC = """
CoreDNS runs a server block's plugins in its fixed plugin order (plugin.cfg), not in Corefile order, and each
one either answers a query or hands it to the next. Some plugins answer every query inside their zones
themselves: `kubernetes`, `file`, `etcd`, `k8s_external` (unless given `fallthrough`), `forward` and `grpc`
(except for names under `except`). A plugin further down the chain whose zones all lie inside such a plugin's
zones never sees a query.

Since CoreDNS 1.9.4 a block may hold several `forward` directives. They form a chain in Corefile order and the
first whose FROM zone matches the name answers it; there is no longest-match selection. A `forward .` placed
before `forward cluster-b.example.com ...` therefore answers every name, and the second forward never runs.
List the most specific FROM first (or exclude its names from the earlier one with `except`); `next` and
`next_on_nodata` only hand a query to a following `forward`.

A plugin that answers only some queries in its zones (`hosts`, which always lets PTR queries it has no entry for
through; `template`, `auto`) never hides one that runs after it.

Bad:

    . {
        forward . /etc/resolv.conf
        forward cluster-b.example.com 10.2.0.10
    }

    example.org {
        file db.example.org
        forward . 8.8.8.8
    }

Good:

    . {
        forward cluster-b.example.com 10.2.0.10
        forward . /etc/resolv.conf
    }

    example.org {
        file db.example.org {
            fallthrough
        }
        forward . 8.8.8.8
    }
"""


def _within(zones, block_zones):
    """The parts of `zones` that queries routed to the block can reach: a zone inside a block zone as it is, a
    block zone inside a wider zone (`forward .` in an `example.org` block sees only example.org names)."""
    out = []
    for z in zones:
        for b in block_zones:
            if is_subdomain(z, b):
                out.append(z)
            elif is_subdomain(b, z):
                out.append(b)
    return list(dict.fromkeys(out))


class _Entry:
    """One answering directive of a block, with its zones computed on demand."""

    def __init__(self, ctx, block, d, plugin, rank):
        self.ctx, self.block, self.d, self.plugin, self.rank = ctx, block, d, plugin, rank
        self._zones = False

    @property
    def zones(self):
        if self._zones is False:
            failed = self.ctx.directive_failed(self.d)
            self._zones = None if failed else self.ctx.directive_zones(self.d, self.block)
        return self._zones


def _lets_through(earlier: _Entry, reached, next_is_same: bool, version: str) -> bool:
    """Whether a property of the earlier directive hands some query for the names `reached` on."""
    from ...addresses import zones_from_args
    from ...knowledge.spec import PASSES_CHAIN, PASSES_ZONES

    if earlier.d.block is None:
        return False
    for line in earlier.d.block.directives:
        prop = earlier.plugin.prop(line.name, version)
        if prop is None or not prop.passes:
            continue
        if prop.passes == PASSES_CHAIN:
            if next_is_same:
                return True
            continue
        if prop.passes == PASSES_ZONES:
            passed = zones_from_args(line.arg_texts, earlier.zones)
            if any(overlaps(p, z) for p in passed for z in reached):
                return True
    return False


def _hint(earlier: _Entry, version: str) -> str:
    """How to let queries through: the earlier plugin's zone-passing properties, from the knowledge base."""
    from ...knowledge.spec import PASSES_ZONES, present_in

    names = []
    for name in dict.fromkeys([p.name for p in earlier.plugin.props] + ["fallthrough"]):
        prop = earlier.plugin.prop(name, version)
        if prop is not None and prop.passes == PASSES_ZONES and present_in(prop.since, prop.removed, version):
            names.append(name)
    return f" (it has no {' or '.join(repr(n) for n in names)} for them)" if names else ""


def _block_findings(ctx, block, version, order, known):
    from ...knowledge.spec import ANSWERS_ALL

    entries = []
    renames = False
    for pos, d in enumerate(block.directives):
        name = d.name_token.text
        facts = known.get(name)
        if facts is None:
            plugin = ctx.plugin(name)
            facts = known[name] = (plugin, bool(plugin and plugin.renames), bool(plugin and plugin.answers_in(version)))
        plugin, renaming, answering = facts
        renames = renames or renaming
        if answering:
            entries.append(_Entry(ctx, block, d, plugin, (order[name], pos)))
    if len(entries) < 2:
        return
    entries.sort(key=lambda e: e.rank)   # execution order: plugin.cfg position, then Corefile order in a chain
    block_zones = ctx.block_zones(block)
    for i, later in enumerate(entries):
        if i == 0 or not later.plugin.zones or not later.zones:
            continue
        # A plugin that renames queries (rewrite, autopath) can hand on names outside the block's zones.
        reached = later.zones if renames else _within(later.zones, block_zones)
        if not reached:
            continue
        for j in range(i):
            earlier = entries[j]
            same = earlier.d.name == later.d.name
            if earlier.plugin.answers_in(version) != ANSWERS_ALL or (same and not earlier.plugin.chained):
                continue
            if not earlier.zones or not all(any(is_subdomain(z, e) for e in earlier.zones) for z in reached):
                continue
            next_is_same = entries[j + 1].d.name == earlier.d.name
            if _lets_through(earlier, reached, next_is_same, version):
                continue
            yield ctx.diagnostic(CODE, SEVERITY, _message(earlier, later, reached, version), later.d.name_token)
            break


def _message(earlier: _Entry, later: _Entry, reached, version) -> str:
    name = later.d.name
    takes = ", ".join(f"'{z}'" for z in earlier.zones)
    under = ", ".join(repr(z) for z in reached)
    if earlier.d.name == name:
        return (f"this {name} never sees a query: the {name} at line {earlier.d.line} (zone {takes}) comes first "
                f"in the chain and takes every name under {under}; put the more specific {name} first")
    return (f"this {name} never sees a query: {earlier.d.name} (line {earlier.d.line}, zone {takes}) runs before "
            f"it in CoreDNS's plugin order and answers every name under {under} itself"
            f"{_hint(earlier, version)}")


def check(corefile, ctx):
    from ...knowledge import versions

    order = versions.order_index(ctx.version)
    known: dict = {}     # directive name -> (plugin, renames, answers), looked up once per lint
    for block in corefile.server_blocks:
        yield from _block_findings(ctx, block, ctx.version, order, known)
