"""autopath: server-side search path completion (coredns plugin/autopath/setup.go)."""
from ..spec import Plugin
from ._dispenser import WRONG_ARGUMENTS
from ._setup_helpers import ignored_zones, locate, missing_file

# The plugins whose handler has an AutoPath method (plugin/kubernetes/autopath.go, plugin/erratic/autopath.go):
# the only ones `@PLUGIN` can name.
AUTOPATHERS = ("kubernetes", "erratic")


def _search_plugin(directive, ctx, resolv):
    """setup.go's OnStartup: `@NAME` is looked up among the server block's handlers (Config.Handler); one that
    is there but has no AutoPath method stops CoreDNS, none at all leaves autopath without a search path."""
    from .. import registry

    name = resolv.text[1:]
    block = ctx.block
    if block is None:
        return
    present = [d for d in block.directives if d.name == name]
    plugin = registry.get(name)
    # Only plugins known to add a query handler under their own name (`answers`) are judged: one without a
    # handler is not found by Config.Handler, which autopath takes as "no plugin".
    if present and plugin is not None and plugin.answers and name not in AUTOPATHERS:
        yield resolv, f"{name} does not implement the AutoPather interface"
    elif not present:
        yield (resolv, f"no '{name}' plugin in this server block: autopath gets no search path and hands every "
                       "query on", "warning", WRONG_ARGUMENTS)


def _check(directive, ctx):
    args = directive.args
    if not args:
        yield directive.name_token, "no resolv-conf specified"
        return
    yield from ignored_zones(args[:-1])
    resolv = args[-1]
    # Read with dns.ClientConfigFromFile at setup, so a missing file stops CoreDNS; only not on this machine.
    if resolv.text.startswith("@"):
        yield from _search_plugin(directive, ctx, resolv)
    elif not resolv.text:
        yield resolv, f'failed to parse "{resolv.text}": no such file'
        return
    elif locate(ctx, resolv, resolv.text, use_root=False) is None:
        if "/" in resolv.text:
            yield missing_file(resolv, resolv.text, "resolv.conf file")
        else:
            # A bare name is read from CoreDNS's working directory, which the Corefile's own stands in for (as
            # forward's "not an IP address or file"): not there, dns.ClientConfigFromFile fails.
            from .. import registry

            hint = f" (@{resolv.text} names the plugin)" if registry.get(resolv.text) is not None else ""
            yield resolv, (f'failed to parse "{resolv.text}": open {resolv.text}: no such file or directory'
                           + hint)
            return
    block = directive.block
    if block is not None:
        # Setup never reads a block: its loop `for c.Next()` takes the `{` as the start of another autopath,
        # whose RemainingArgs are the words after the `{` on its line (none, or the `}`).
        if block.close is not None and block.close.line == block.open.line and block.close.file == block.open.file:
            yield block.close, 'failed to parse "}": open }: no such file or directory'
        else:
            yield block.open, "no resolv-conf specified"


PLUGIN = Plugin(
    name="autopath",
    summary="Follows the client's search path on the server: answers ndots-expanded names in one round trip.",
    free_args=True,          # ZONE... RESOLV-CONF: the zones are all words but the last
    block=True,              # not a block to setup, but what it makes of one is _check's to say
    other_lines=True,
    zones=True,
    renames=True,            # autopath.go ServeDNS asks the next plugin for each search-path name in turn
    checks=(_check,),
)
