"""autopath: server-side search path completion (coredns plugin/autopath/setup.go)."""
from ..spec import Plugin
from ._setup_helpers import ignored_zones, locate, missing_file


def _check(directive, ctx):
    args = directive.args
    if not args:
        yield directive.name_token, "no resolv-conf specified"
        return
    yield from ignored_zones(args[:-1])
    resolv = args[-1]
    # Read with dns.ClientConfigFromFile at setup, so a missing file stops CoreDNS; only not on this machine.
    if resolv.text.startswith("@"):
        pass
    elif not resolv.text:
        yield resolv, f'failed to parse "{resolv.text}": no such file'
        return
    elif locate(ctx, resolv, resolv.text, use_root=False) is None:
        yield missing_file(resolv, resolv.text, "resolv.conf file")
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
