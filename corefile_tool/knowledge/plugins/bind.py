"""bind: the addresses a server block listens on (coredns plugin/bind/setup.go).

From 1.8.4 an argument (or an `except` argument) may name a network interface of the host CoreDNS runs on;
setup refuses a word that is neither an IP address nor such a name. Which interfaces that host has is the
lint option `--host-interfaces` (Context.host_interfaces), by default this machine's own.
"""
import socket

from ..spec import Plugin, Prop, says, version_tuple
from ._setup_helpers import go_parse_ip

SHOWN_INTERFACES = 8     # the names listed in a message, at most


def _local_interfaces() -> set:
    try:
        return {name for _, name in socket.if_nameindex()}
    except OSError:
        return set()


def host_interfaces(ctx) -> tuple:
    """(names, whose): the interface names setup's net.Interfaces() would list, and whose they are."""
    declared = getattr(ctx, "host_interfaces", None)
    if declared is not None:
        return set(declared), "host interfaces declared with --host-interfaces"
    return _local_interfaces(), "interfaces of this machine"


def _listed(names: set) -> str:
    shown = sorted(names)
    more = len(shown) - SHOWN_INTERFACES
    return ", ".join(shown[:SHOWN_INTERFACES]) + (f", ... ({more} more)" if more > 0 else "") if shown else "none"


def _addresses(tokens, interfaces, whose):
    # setup.go listIP: a word naming an interface is taken first, then net.ParseIP; anything else stops setup.
    for tok in tokens:
        if tok.text in interfaces or go_parse_ip(tok.text):
            continue
        hint = "" if whose.startswith("host") else "; declare the host's with --host-interfaces"
        yield (tok, f'not a valid IP address or interface name: "{tok.text}" ({whose}: {_listed(interfaces)}'
                    f"{hint})")
        return


def _check(directive, ctx):
    if version_tuple(ctx.version) < (1, 8, 4):
        # Interface names came with `except` in 1.8.4; before, every argument must be an IP address.
        for tok in directive.args:
            if not go_parse_ip(tok.text):
                yield tok, f"not a valid IP address: {tok.text}"
                return
        return
    interfaces, whose = host_interfaces(ctx)
    words = list(directive.args)
    if directive.block is not None:
        for line in directive.block.directives:
            if line.name == "except":
                words.extend(line.args)
    yield from _addresses(words, interfaces, whose)


PLUGIN = Plugin(
    name="bind",
    summary="Makes the server block listen only on the given IP addresses or network interfaces.",
    args="addresses:str+",
    block=True,
    says=says(missing="at least one address or interface name is expected", unknown='invalid option "{name}"'),
    props=(
        Prop("except", "addresses:str+", since="1.8.4",
             says=says(missing="at least one address or interface must be given to except subdirective")),
    ),
    checks=(_check,),
)
