"""`forward` to this very server."""
from ._upstreams import local_upstreams

CODE = "forward-loop"
SEVERITY = "warning"
SUMMARY = "`forward` sends queries to this CoreDNS's own listener, which routes them back to the same block."
DOC = """
An upstream that is one of the server's own addresses (a loopback address, or an address a block binds to) on a
port this Corefile listens on reaches CoreDNS itself. When that listener routes the forwarded names back to the
same server block, every query goes round until it times out; with the `loop` plugin CoreDNS stops at start-up
with `Loop (...) detected for zone "."`. Forwarding to another block on another port is fine. `127.0.0.11:53` is
only `info`: in a Docker container it is Docker's embedded DNS, which Docker's NAT rules answer before CoreDNS
sees the query.

Bad:

    .:53 {
        forward . 127.0.0.1:53
    }

Good:

    .:53 {
        forward . 127.0.0.1:5353
    }
    .:5353 {
        forward . 9.9.9.9
    }
"""

FORWARD = "forward"
# Docker's embedded DNS server: containers on user-defined networks resolve through 127.0.0.11:53, which the
# container's NAT table sends to dockerd's resolver (a loopback address CoreDNS's wildcard listener would own
# anywhere else).
DOCKER_DNS = "127.0.0.11"


def route(configs, name):
    """The configuration that a listener's zone table picks for a name: longest matching zone, first in order."""
    from ..context import ancestors

    by_zone = {}
    for conf in configs:
        by_zone.setdefault(conf.zone, conf)
    for zone in ancestors(name):
        if zone in by_zone:
            return by_zone[zone]
    return None


def own_addresses(ctx) -> set:
    """The addresses blocks bind to, written the way read_upstream writes an address."""
    import ipaddress

    def build():
        own = set()
        for conf in ctx.zone_configs():
            for host in conf.listen_hosts:
                if not host:
                    continue
                try:
                    own.add(str(ipaddress.ip_address(host)))
                except ValueError:
                    pass
        return own
    return ctx._memo("own-addresses", build)


def check(corefile, ctx):
    from ...listeners import listener_for

    if ctx.plugin(FORWARD) is None:
        return
    groups = ctx.listeners()
    own = own_addresses(ctx)
    for block in corefile.server_blocks:
        for d in ctx.find(block, FORWARD):
            for arg, up in local_upstreams(ctx, d, own):
                if up.ip is None or not (up.loopback or up.ip in own):
                    continue
                listener = listener_for(groups, up.transport, up.ip, up.port)
                zones = ctx.directive_zones(d, block) if listener else None
                if not zones:
                    continue
                target = route(groups[listener], zones[0])
                if target is None or target.block is not block:
                    continue
                if up.ip == DOCKER_DNS and up.port == "53":
                    # Inside a container on a user-defined Docker network, Docker's own NAT rules take
                    # 127.0.0.11:53 to its embedded resolver before any socket of CoreDNS sees it: whether this
                    # loops depends on where CoreDNS runs, which the Corefile does not say.
                    yield ctx.diagnostic(CODE, "info",
                                         f"forward to {arg.text}: in a Docker container this is Docker's embedded "
                                         f"DNS (Docker redirects it, no loop); anywhere else it reaches this "
                                         f"server's own listener {listener}, which routes '{zones[0]}' back to this "
                                         f"block, and queries loop", arg)
                    continue
                yield ctx.diagnostic(CODE, SEVERITY,
                                     f"forward to {arg.text} reaches this server's own listener {listener}, "
                                     f"which routes '{zones[0]}' back to this block: queries loop",
                                     arg)
