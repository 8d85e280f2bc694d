"""`fallthrough` zones that the plugin never handles."""
from ..context import overlaps

CODE = "fallthrough-outside"
SEVERITY = "warning"
SUMMARY = "A `fallthrough` zone outside the plugin's own zones: it never applies."
DOC = """
A plugin only handles names inside its zones (its zone arguments, or the server block's keys); every other name
goes to the next plugin anyway. `fallthrough ZONES...` narrows which of the plugin's *own* names may continue down
the chain, so a fallthrough zone that neither contains nor lies inside one of the plugin's zones has no effect,
and the names the author meant to pass on are answered (often NXDOMAIN) instead. Usually the zone is missing from
the plugin's arguments.

Bad:

    . {
        kubernetes cluster.local {
            fallthrough in-addr.arpa ip6.arpa
        }
        forward . 10.0.0.1
    }

Good:

    . {
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            fallthrough in-addr.arpa ip6.arpa
        }
        forward . 10.0.0.1
    }
"""


def check(corefile, ctx):
    from ...addresses import zones_from_args

    for block in corefile.server_blocks:
        for d in block.directives:
            if d.block is None:
                continue
            lines = [line for line in d.block.directives if line.name == "fallthrough" and line.args]
            if not lines:
                continue
            plugin = ctx.plugin(d.name)
            if plugin is None or not plugin.fallthrough:
                continue
            zones = ctx.directive_zones(d, block)
            if not zones:
                continue
            for line in lines:
                for arg in line.args:
                    for fz in zones_from_args([arg.text], []):
                        if not any(overlaps(fz, z) for z in zones):
                            yield ctx.diagnostic(
                                CODE, SEVERITY,
                                f"fallthrough zone '{fz}' is outside the zones {d.name} serves "
                                f"({', '.join(zones)}): it never applies", arg)
