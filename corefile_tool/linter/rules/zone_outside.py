"""Zone arguments of a zone-scoped plugin that lie outside every zone of its server block."""
from ..context import _slots, overlaps, zone_words

CODE = "zone-outside"
SEVERITY = "warning"
SUMMARY = "A plugin's zones all lie outside its server block's zones: it never sees a query."
DOC = """
A server block receives only the names inside its keys' zones; a zone-scoped plugin (`forward FROM`, `cache`,
`kubernetes`, `file`, `hosts`, `template`, `transfer`, ...) then handles only the names inside its own zone
arguments. When every zone argument is outside the block's zones (neither equal to, below, nor above one of them)
no query ever reaches the plugin with a name it handles, so it does nothing. A zone above the block's zone, such as
`forward .` in a `foo.org` block, still covers the block's names and is not reported.

A common cause is a word taken for a zone: `cache 30s` reads `30s` as the zone `30s.` (cache/setup.go takes a
first argument that is not an integer for a zone), so the cache caches nothing; the TTL is `cache 30`. Another is
a `forward` or `file` written for a zone that the block's keys do not include. Blocks with a plugin that renames
queries (`rewrite`, `autopath`) are not checked: a renamed query may leave the block's zones.

Bad:

    foo.org {
        cache 30s
        forward example.com 1.1.1.1
    }

Good:

    foo.org {
        cache 30
        forward . 1.1.1.1
    }
"""


_UNSEEN = object()


def check(corefile, ctx):
    # Runs over every directive of every block, so the per-directive work is kept small: the plugin facts are
    # looked up once per directive name, and a root zone word (`forward .`, the common case) is settled at once.
    scoped = {}     # directive name -> its plugin's argument slots when zone-scoped, else None
    for block in corefile.server_blocks:
        block_zones = None
        renames = None
        for d in block.directives:
            if not d.args:
                continue
            name = d.name_token.text
            slots = scoped.get(name, _UNSEEN)
            if slots is _UNSEEN:
                plugin = ctx.plugin(name)
                slots = scoped[name] = (
                    _slots(plugin.args) if plugin is not None and plugin.zones and not plugin.free_args
                    and plugin.handles_queries else None)
            if slots is None:
                continue
            words = zone_words(slots, [t.text for t in d.args])
            if not words:
                continue  # no zone arguments: the plugin serves the block's own zones
            if all(w == "." for w in words):
                # the root is at or above every zone: it overlaps the block's, whichever they are (and a block
                # with no zones, or one that renames, reports nothing either way)
                continue
            if block_zones is None:
                block_zones = list(dict.fromkeys(ctx.block_zones(block)))
                renames = any((p := ctx.plugin(x.name)) is not None and p.renames for x in block.directives)
            if not block_zones or renames:
                break
            zones = ctx.directive_zones(d, block)
            if not zones or any(overlaps(z, bz) for z in zones for bz in block_zones):
                continue
            if ctx.directive_failed(d):
                continue  # CoreDNS refuses the directive: that error is the finding
            token = next((a for a in d.args if a.text == words[0]), d.name_token)
            what = "zone {} is" if len(zones) == 1 else "zones {} are"
            quoted = ", ".join(f"'{z}'" for z in zones)
            yield ctx.diagnostic(
                CODE, SEVERITY,
                f"plugin/{d.name}: {what.format(quoted)} outside the server block's zones "
                f"({', '.join(block_zones)}): it never sees a query for them", token)
