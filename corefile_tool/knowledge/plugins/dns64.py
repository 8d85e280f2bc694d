"""dns64: synthesises AAAA records from A records (coredns plugin/dns64/setup.go).

Versions: the plugin arrived in 1.7.0, allow_ipv4 in 1.8.7.
"""
from ..spec import Plugin, Prop
from ._dispenser import ignored, lines, words
from ._setup_helpers import ip_network


def prefix_error(text):
    """parsePrefix: an IPv6 CIDR whose length is a multiple of 8 between 32 and 96."""
    net = ip_network(text)
    if net is None:
        return f"invalid CIDR address: {text}"
    if net.version != 6:
        return f"invalid netmask 32 IPv6 address: {text!r}"
    if net.prefixlen % 8 or not 32 <= net.prefixlen <= 96:
        return f"invalid prefix length {text!r}"
    return None


def _prefixes(directive, ctx):
    if directive.args and lines(directive):
        yield ignored(directive.block.open, "with a PREFIX argument CoreDNS does not read the block")
    candidates = list(directive.args[:1])
    for line in lines(directive, "prefix"):
        candidates.extend(words(line, directive)[:1])
    for tok in candidates:
        err = prefix_error(tok.text)
        if err:
            yield tok, err
            return


PLUGIN = Plugin(
    name="dns64",
    summary="Answers AAAA queries for IPv4-only names with addresses built from PREFIX (default 64:ff9b::/96).",
    args="prefix:str?",
    block=True,
    since="1.7.0",
    props=(
        Prop("prefix", "prefix:str"),
        Prop("translate_all", ""),
        Prop("allow_ipv4", "", since="1.8.7"),
    ),
    checks=(_prefixes,),
)
