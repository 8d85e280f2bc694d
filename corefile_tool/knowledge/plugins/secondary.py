"""secondary: serves zones transferred in from a primary (coredns plugin/secondary/setup.go;
plugin/pkg/parse/parse.go TransferIn).

Versions: until 1.7.x `transfer` also took `to` (outgoing transfers moved to the transfer plugin in 1.8.0,
when the no-op `upstream` went too); `transfer from` is required from 1.12.2; fallthrough 1.14.4; catalog 1.14.5
(member-zone filters 1.14.7).
"""
from ..spec import ANSWERS_ALL, Plugin, Prop, fallthrough
from .. import values
from ._dispenser import arg_error, at_least, lines, words
from ._setup_helpers import go_parse_ip, ignored_zones


def address_error(text):
    """parse.HostPort(text, "53"): an IP address with an optional port."""
    hp = values.split_go_hostport(text)
    host = hp[0] if hp else text
    if not go_parse_ip(host.split("%")[0]):
        return f"must specify an IP address: `{host}'"
    return None


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


def _transfer(directive, ctx):
    modern = at_least(ctx, "1.8.0")
    for line in lines(directive, "transfer"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        kind, addresses = args[0].text, args[1:]
        if kind not in ("from", "to") or (kind == "to" and modern):
            if modern:
                yield args[0], f"unknown property {kind}"
                return
            continue
        if kind == "from" and modern and not addresses:
            yield args[0], arg_error(args[0])
            return
        for tok in addresses:
            if tok.text == "*":
                if kind == "from":
                    yield tok, "can't use '*' in transfer from"
                    return
                continue
            err = address_error(tok.text)
            if err:
                yield tok, err
                return
    if at_least(ctx, "1.12.2") and not any(
            words(line, directive)[:1] and words(line, directive)[0].text == "from"
            for line in lines(directive, "transfer")):
        tok = directive.block.open if directive.block is not None else directive.name_token
        yield tok, "secondary zones require a transfer from property"


def _catalog(directive, ctx):
    for line in lines(directive, "catalog"):
        for tok in words(line, directive):
            err = values.check("zone", "", tok.text)
            if err:
                yield tok, f"invalid catalog member zone {tok.text!r}"
                return


PLUGIN = Plugin(
    name="secondary",
    summary="Transfers zones in from a primary (AXFR) and serves them, refreshing per the SOA.",
    args="zones:str*",
    block=True,
    zones=True,
    fallthrough=True,
    # setup.go serves the transferred zones with file.File, so file.go ServeDNS answers (SERVFAIL until the
    # first transfer); only `fallthrough` (1.14.4) hands NXDOMAIN on.
    answers=ANSWERS_ALL,
    props=(
        Prop("transfer", free_args=True),
        Prop("upstream", free_args=True),
        fallthrough(since="1.14.4"),
        Prop("catalog", "", since="1.14.5", removed="1.14.7"),
        Prop("catalog", free_args=True, since="1.14.7"),
    ),
    checks=(_zones, _transfer, _catalog),
)
