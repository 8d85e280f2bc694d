"""Two transports on the same socket."""
CODE = "port-conflict"
SEVERITY = "warning"
SUMMARY = "Two transports (e.g. `dns://` and `grpc://`) listen on the same port and protocol of the same addresses."
DOC = """
CoreDNS's duplicate check compares zones per transport, so `.:443` and `grpc://.:443` both pass it. CoreDNS then
opens every socket with SO_REUSEPORT: both binds succeed and the kernel spreads connections between the two
servers, so some DNS-over-TCP connections reach the gRPC server and fail. dns:// uses UDP and TCP, tls://,
grpc:// and https:// use TCP, quic:// and https3:// use UDP.

Bad:

    .:443 {
        whoami
    }
    grpc://.:443 {
        whoami
    }

Good:

    .:53 {
        whoami
    }
    grpc://.:443 {
        whoami
    }
"""

PROTOCOLS = {
    "dns": {"udp", "tcp"},
    "tls": {"tcp"},
    "grpc": {"tcp"},
    "https": {"tcp"},
    "quic": {"udp"},
    "https3": {"udp"},
}


def check(corefile, ctx):
    by_port: dict[str, list] = {}
    for listener, configs in ctx.listeners().items():
        conf = configs[0]
        if conf.transport not in PROTOCOLS:
            continue
        host = listener.partition("://")[2].rpartition(":")[0]
        port = listener.rpartition(":")[2]
        earlier = by_port.setdefault(port, [])
        for other_listener, other_host, other in earlier:
            if other.transport == conf.transport or (host and other_host and host != other_host):
                continue
            shared = PROTOCOLS[conf.transport] & PROTOCOLS[other.transport]
            if not shared:
                continue
            protocols = "/".join(sorted(p.upper() for p in shared))
            yield ctx.diagnostic(CODE, SEVERITY,
                                 f"{listener} and {other_listener} (line {other.key_token.line}) both listen on "
                                 f"{protocols} port {port}: the kernel spreads packets and connections between "
                                 f"the two servers", conf.key_token)
        earlier.append((listener, host, conf))
