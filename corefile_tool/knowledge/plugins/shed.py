"""shed: sheds UDP load when the server is overloaded (coredns plugin/shed/setup.go). Since 1.14.7.

It hooks the plain-DNS UDP path only, so setup refuses server blocks with a key of another transport.
"""
from ..spec import Plugin
from ._dispenser import lines
from ._setup_helpers import go_quote


def _no_options(directive, ctx):
    found = lines(directive)
    if found:
        yield found[0].name_token, "shed takes no options"


def _plain_dns_only(directive, ctx):
    from ...addresses import split_transport

    for key in (ctx.block.keys if ctx.block is not None else []):
        transport = split_transport(key.text)[0]
        if transport != "dns":
            yield key.token, (f"only plain DNS server blocks are supported; {go_quote(key.text)} uses transport "
                              f"{go_quote(transport)}")
            return


PLUGIN = Plugin(
    name="shed",
    summary="Drops UDP queries early when the server falls behind, protecting plain-DNS servers under overload.",
    args="",
    block=True,
    other_lines=True,
    once=True,
    since="1.14.7",
    checks=(_no_options, _plain_dns_only),
)
