"""transfer: serves zone transfers (AXFR/IXFR) (coredns plugin/transfer/setup.go)."""
from ..spec import ANSWERS_SOME, Plugin, Prop
from ._dispenser import words
from ._setup_helpers import go_parse_ip, go_split_host_port, ignored_zones


def _host_port_error(text: str):
    """parse.HostPort(text, "53"): the host part must be an IP address (a zone after '%' is allowed)."""
    hp = go_split_host_port(text)
    host = text if hp is None else hp[0]
    if not go_parse_ip(host.split("%", 1)[0]):
        return f"must specify an IP address: `{host}'"
    return None


def _check(directive, ctx):
    yield from ignored_zones(directive.args)
    has_to = False
    source_seen = False
    lines = directive.block.directives if directive.block is not None else []
    for line in lines:
        if line.name == "to":
            has_to = True
            # RemainingArgs: a `}` closing the block on this line is one more address to parse.HostPort
            for tok in words(line, directive):
                if tok.text == "*":
                    continue
                err = _host_port_error(tok.text)
                if err:
                    yield tok, err
                    return
        elif line.name == "source":
            if source_seen:
                yield line.name_token, "source already specified"
                return
            source_seen = True
    if not has_to:
        yield directive.name_token, "'to' is required"


PLUGIN = Plugin(
    name="transfer",
    summary="Answers AXFR/IXFR for its zones to the listed secondaries and sends them NOTIFY.",
    args="zones:zone(lenient)*",
    block=True,
    zones=True,
    since="1.6.5",
    answers=ANSWERS_SOME,    # transfer.go ServeDNS answers AXFR/IXFR only; every other query goes on
    props=(
        Prop("to", "addresses:str+"),
        Prop("source", "address:ip", since="1.14.5"),
    ),
    checks=(_check,),
)
