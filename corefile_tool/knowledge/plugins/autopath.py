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
    if resolv.text.startswith("@"):
        return
    # Read with dns.ClientConfigFromFile at setup, so a missing file stops CoreDNS; only not on this machine.
    if not resolv.text:
        yield resolv, f'failed to parse "{resolv.text}": no such file'
    elif locate(ctx, resolv, resolv.text, use_root=False) is None:
        yield missing_file(resolv, resolv.text, "resolv.conf file")


PLUGIN = Plugin(
    name="autopath",
    summary="Follows the client's search path on the server: answers ndots-expanded names in one round trip.",
    free_args=True,          # ZONE... RESOLV-CONF: the zones are all words but the last
    zones=True,
    renames=True,            # autopath.go ServeDNS asks the next plugin for each search-path name in turn
    checks=(_check,),
)
