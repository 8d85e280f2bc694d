"""Encrypted transports without a TLS configuration."""
CODE = "missing-tls"
SEVERITY = "warning"
SUMMARY = "A `tls://`, `https://`, `grpc://`, `quic://` or `https3://` listener without the `tls` plugin (an error for https3)."
DOC = """
The transport in the key only chooses the server type; the certificate comes from the `tls` plugin. Without it
a `tls://` or `https://` listener serves plain TCP or HTTP on the encrypted port, and `https3://` refuses to start
(`DoH3 requires TLS, no TLS config found`). When some zones of one listener have `tls` and others do not, the
listener takes the TLS configuration of whichever zone it happens to read last, so write `tls` in every block
that shares the listener.

Bad:

    tls://.:853 {
        forward . 9.9.9.9
    }

Good:

    tls://.:853 {
        tls cert.pem key.pem
        forward . 9.9.9.9
    }
"""

ENCRYPTED = ("tls", "https", "grpc", "quic", "https3")
TLS_PLUGIN = "tls"


def check(corefile, ctx):
    for listener, configs in ctx.listeners().items():
        transport = configs[0].transport
        if transport not in ENCRYPTED:
            continue
        with_tls = [c for c in configs if ctx.find(c.block, TLS_PLUGIN)]
        without = [c for c in configs if not ctx.find(c.block, TLS_PLUGIN)]
        if not without:
            continue
        first = without[0]
        if with_tls:
            yield ctx.diagnostic(CODE, SEVERITY,
                                 f"zone '{first.zone}' on {listener} has no `tls` while other zones of the same "
                                 f"listener do: the listener uses one zone's TLS configuration, chosen at random",
                                 first.key_token)
        elif transport == "https3":
            yield ctx.diagnostic(CODE, "error", "DoH3 requires TLS, no TLS config found "
                                 f"(no block served on {listener} has the `tls` plugin)", first.key_token)
        elif transport == "quic":
            yield ctx.diagnostic(CODE, SEVERITY, f"no `tls` for {listener}: DNS-over-QUIC cannot work without a "
                                 "TLS configuration", first.key_token)
        else:
            yield ctx.diagnostic(CODE, SEVERITY, f"no `tls` for {listener}: CoreDNS starts it without TLS and "
                                 f"serves unencrypted {transport} on port {first.port}", first.key_token)
