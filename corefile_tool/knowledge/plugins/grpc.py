"""grpc: forwards queries to upstreams over gRPC (coredns plugin/grpc/setup.go; plugin/pkg/parse/host.go).

Versions: fallthrough 1.12.3.
"""
from ..spec import ANSWERS_ALL, PASSES_ZONES, READS_FIXED, Plugin, Prop, fallthrough, says
from ._dispenser import arg_error, host_port_or_file, property_files
from ._setup_helpers import go_parse_ip, locate, resolv_conf
from .. import values
from ...addresses import split_transport

MAX_UPSTREAMS = 15


def _upstreams(directive, ctx):
    to = directive.args[1:]
    if not to:
        last = directive.args[-1] if directive.args else directive.name_token
        yield last, arg_error(last)
        return
    proxies = 0
    unseen = False          # a file that is not on this machine: its nameservers are unknown here
    for tok in to:
        found = host_port_or_file(ctx, tok)
        if found:
            yield found
            if len(found) == 2:
                return
            unseen = True
            continue
        path = locate(ctx, tok, tok.text, use_root=False)
        proxies += len(resolv_conf(path)[0]) if path is not None and not _is_address(tok.text) else 1
    if not unseen and proxies == 0:
        # parse.HostPortOrFile: resolv.conf files without a nameserver line leave no server at all.
        yield to[0], "no nameservers found"
        return
    # setup.go counts proxies, one per nameserver of each resolv.conf file.
    if proxies > MAX_UPSTREAMS:
        yield to[min(MAX_UPSTREAMS, len(to) - 1)], f"more than {MAX_UPSTREAMS} TOs configured: {proxies}"


def _is_address(text: str) -> bool:
    """An address parse.HostPortOrFile takes without opening a file: a unix socket or an IP[:PORT]."""
    transport, host = split_transport(text)
    if transport == "unix":
        return True
    hp = values.split_go_hostport(host)
    addr = host.strip("[]") if hp is None else hp[0]
    return go_parse_ip(addr.rpartition("%")[0] if "%" in addr else addr)


PLUGIN = Plugin(
    name="grpc",
    since="1.5.0",   # first in plugin.cfg at v1.5.0
    summary="Forwards queries for FROM to up to 15 upstreams over gRPC, optionally with TLS.",
    args="from:zone to:str+",
    block=True,
    once=True,
    zones=True,
    fallthrough=True,
    # grpc.go ServeDNS: a name under FROM and not under `except` gets the upstream's reply or SERVFAIL; only
    # `fallthrough` (1.12.3) hands NXDOMAIN and failures on.
    answers=ANSWERS_ALL,
    props=(
        Prop("except", "zones:str+", passes=PASSES_ZONES),
        Prop("tls", "cert:path? key:path? ca:path?"),
        Prop("tls_servername", "name:str", reads=READS_FIXED),
        Prop("policy", "policy:enum(random|round_robin|sequential)", reads=READS_FIXED,
             says=says(invalid="unknown policy '{value}'")),
        fallthrough(since="1.12.3"),
    ),
    checks=(_upstreams, property_files("tls", "TLS file")),
)
