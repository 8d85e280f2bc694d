"""Plugins the target version has but a later release removed."""
CODE = "removed-later"
SEVERITY = "warning"
SUMMARY = "A plugin that works in the target version but is removed in a later CoreDNS release."
DOC = """
Plugins leave CoreDNS's plugin.cfg from time to time (`federation` in 1.7.0, for example). A Corefile that uses
one starts today and stops with `Unknown directive` after the upgrade. Checked against `--coredns-version`.

Bad (with --coredns-version 1.6.9):

    . {
        federation cluster.local {
            prod prod.example.org
        }
    }

Good:

    . {
        kubernetes cluster.local
    }
"""


def removal_release(name: str, version: str):
    from ...knowledge import versions
    from ...knowledge.spec import version_tuple

    target = version_tuple(version)
    for v in versions.VERSIONS:
        if version_tuple(v) > target and name not in versions.directives(v):
            return v
    return None


def check(corefile, ctx):
    from ...knowledge import versions

    if ctx.version == versions.LATEST:
        return
    known = set(versions.directives(ctx.version))
    seen = {}
    for block in corefile.server_blocks:
        for d in block.directives:
            if d.name not in known:
                continue
            if d.name not in seen:
                seen[d.name] = removal_release(d.name, ctx.version)
            gone = seen[d.name]
            if gone:
                replacement = versions.GONE.get(d.name, ("", ""))[1]
                hint = f"; use {replacement}" if replacement else ""
                yield ctx.diagnostic(CODE, SEVERITY, f"'{d.name}' is removed in CoreDNS {gone}{hint}", d.name_token)
