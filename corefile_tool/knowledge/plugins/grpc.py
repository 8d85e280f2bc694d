"""grpc: forwards queries to upstreams over gRPC (coredns plugin/grpc/setup.go; plugin/pkg/parse/host.go).

Versions: fallthrough 1.12.3.
"""
from ..spec import ANSWERS_ALL, PASSES_ZONES, Plugin, Prop, fallthrough
from ._dispenser import arg_error, host_port_or_file, property_files

MAX_UPSTREAMS = 15


def _upstreams(directive, ctx):
    to = directive.args[1:]
    if not to:
        last = directive.args[-1] if directive.args else directive.name_token
        yield last, arg_error(last)
        return
    for tok in to:
        found = host_port_or_file(ctx, tok)
        if found:
            yield found
            if len(found) == 2:
                return
    if len(to) > MAX_UPSTREAMS:
        yield to[MAX_UPSTREAMS], f"more than {MAX_UPSTREAMS} TOs configured: {len(to)}"


PLUGIN = Plugin(
    name="grpc",
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
        Prop("tls_servername", "name:str"),
        Prop("policy", "policy:enum(random|round_robin|sequential)"),
        fallthrough(since="1.12.3"),
    ),
    checks=(_upstreams, property_files("tls", "TLS file")),
)
