"""A repeated plugin that an earlier one of the same chain always answers for."""
from ..context import is_subdomain, overlaps

CODE = "shadowed-plugin"
SEVERITY = "warning"
SUMMARY = "A `forward` (or other chained plugin) that never sees a query: an earlier one in the same block takes every name it covers."
DOC = """
Since CoreDNS 1.9.4 a block may hold several `forward` directives. They form a chain in Corefile order and the
first whose FROM zone matches the name answers it; there is no longest-match selection. A `forward .` placed
before `forward cluster-b.example.com ...` therefore answers every name, and the second forward never runs.
List the most specific FROM first (or exclude its names from the earlier one with `except`).

Bad:

    . {
        forward . /etc/resolv.conf
        forward cluster-b.example.com 10.2.0.10
    }

Good:

    . {
        forward cluster-b.example.com 10.2.0.10
        forward . /etc/resolv.conf
    }
"""

# Plugins whose repeated directives in one block each become their own handler, chained in Corefile order, the
# first whose zone matches taking the query (plugin/forward/setup.go: one handler per stanza, each pointing to
# the next; forward.go `match`). With the release that allowed the repetition, and the properties that let a
# query inside the zone go on down the chain (`except` names; `next`/`next_on_nodata` on given replies).
CHAINED = {
    "forward": ("1.9.4", ("except", "next", "next_on_nodata")),
}


def _passes_on(earlier, later_zones, passes_on) -> bool:
    from ...addresses import zones_from_args

    for line in earlier.children:
        if line.name not in passes_on:
            continue
        if line.name != "except":
            return True
        excepted = zones_from_args(line.arg_texts, [])
        if any(overlaps(e, z) for e in excepted for z in later_zones):
            return True
    return False


def check(corefile, ctx):
    from ...knowledge.spec import version_tuple

    for name, (since, passes_on) in CHAINED.items():
        if ctx.plugin(name) is None or version_tuple(ctx.version) < version_tuple(since):
            continue
        for block in corefile.server_blocks:
            stanzas = ctx.find(block, name)
            if len(stanzas) < 2:
                continue
            zones = [None if ctx.directive_failed(d) else ctx.directive_zones(d, block) for d in stanzas]
            for i, d in enumerate(stanzas):
                if not zones[i]:
                    continue
                for j in range(i):
                    if not zones[j]:
                        continue
                    covered = all(any(is_subdomain(z, e) for e in zones[j]) for z in zones[i])
                    if covered and not _passes_on(stanzas[j], zones[i], passes_on):
                        takes = ", ".join(f"'{z}'" for z in zones[j])
                        yield ctx.diagnostic(
                            CODE, SEVERITY,
                            f"this {name} never sees a query: the {name} at line {stanzas[j].line} (zone {takes}) "
                            f"comes first in the chain and takes every name under "
                            f"{', '.join(repr(z) for z in zones[i])}; put the more specific {name} first",
                            d.name_token)
                        break
