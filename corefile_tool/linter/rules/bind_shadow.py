"""A bound listener hides the zones of the all-addresses listener on the same port."""
CODE = "bind-shadow"
SEVERITY = "warning"
SUMMARY = "Queries sent to a `bind` address see only the zones bound there; the other blocks on that port REFUSE them."
DOC = """
Each listen address is a separate server with its own zones. When one block binds to 127.0.0.1:53 and another
listens on all addresses of port 53, the operating system delivers packets for 127.0.0.1 to the bound socket, and
that server knows only the bound block's zones: a query sent to 127.0.0.1 for any other name gets REFUSED, even
though a `.` block exists. Bind every block that must answer on that address, or none.

Bad:

    example.org {
        bind 127.0.0.1
        file db.example.org
    }
    . {
        forward . 9.9.9.9
    }

Good:

    example.org {
        bind 127.0.0.1
        file db.example.org
    }
    . {
        bind 127.0.0.1
        forward . 9.9.9.9
    }
"""


def check(corefile, ctx):
    import ipaddress

    from ...listeners import go_parse_ip, listener_key
    from ..context import ancestors

    groups = ctx.listeners()
    reported = set()
    for listener, configs in groups.items():
        first = configs[0]
        bound_hosts = {h for c in configs for h in c.listen_hosts if h and go_parse_ip(h)}
        for host in sorted(bound_hosts):
            if listener != listener_key(first.transport, host, first.port):
                continue
            wildcard = groups.get(listener_key(first.transport, "", first.port))
            if not wildcard:
                continue
            bound_zones = {c.zone for c in configs}
            missing = []
            for other in wildcard:
                if other.zone in missing or any(a in bound_zones for a in ancestors(other.zone)):
                    continue
                missing.append(other.zone)
            if not missing:
                continue
            block = first.block
            if id(block) in reported:
                continue
            reported.add(id(block))
            binds = ctx.find(block, "bind")
            token = binds[0].name_token if binds else first.key_token
            shown = ", ".join(f"'{z}'" for z in missing[:5]) + (" ..." if len(missing) > 5 else "")
            wildcard_key = listener_key(first.transport, "", first.port)
            if ipaddress.ip_address(host).is_unspecified:
                # 0.0.0.0 / :: is every address too: two servers on one port, and the kernel picks one per packet
                yield ctx.diagnostic(CODE, SEVERITY,
                                     f"{listener} and {wildcard_key} are separate servers on the same addresses: "
                                     f"the kernel spreads queries between them, and those reaching this one for "
                                     f"{shown} get REFUSED", token)
                continue
            yield ctx.diagnostic(CODE, SEVERITY,
                                 f"queries sent to {listener.partition('://')[2]} reach only the zones bound there; "
                                 f"{shown} (served on {wildcard_key}) get REFUSED when asked at that address", token)
