"""bind: the addresses a server block listens on (coredns plugin/bind/setup.go)."""
import socket

from ..spec import Plugin, Prop, version_tuple
from ._setup_helpers import go_parse_ip


def _local_interfaces() -> set:
    try:
        return {name for _, name in socket.if_nameindex()}
    except OSError:
        return set()


def _addresses(tokens, interfaces):
    for tok in tokens:
        if go_parse_ip(tok.text) or tok.text in interfaces:
            continue
        # CoreDNS accepts any name of an interface of the machine it runs on: that machine is not this one.
        yield (tok, f"'{tok.text}' is neither an IP address nor a network interface of this machine; CoreDNS "
                    "refuses it (not a valid IP address or interface name) unless its host has such an interface",
               "warning")


def _check(directive, ctx):
    if version_tuple(ctx.version) < (1, 8, 4):
        # Interface names came with `except` in 1.8.4; before, every argument must be an IP address.
        for tok in directive.args:
            if not go_parse_ip(tok.text):
                yield tok, f"not a valid IP address: {tok.text}"
                return
        return
    interfaces = _local_interfaces()
    yield from _addresses(directive.args, interfaces)
    if directive.block is not None:
        for line in directive.block.directives:
            if line.name == "except":
                yield from _addresses(line.args, interfaces)


PLUGIN = Plugin(
    name="bind",
    summary="Makes the server block listen only on the given IP addresses or network interfaces.",
    args="addresses:str+",
    block=True,
    props=(
        Prop("except", "addresses:str+", since="1.8.4"),
    ),
    checks=(_check,),
)
