"""Plugins that do not decide a query's answer: configuration-only ones, and handlers that pass every query on.

Configuration-only plugins add no handler to the chain (their setup never calls AddPlugin), so a block made only
of them has no chain and CoreDNS answers REFUSED for its zones (core/dnsserver/server.go). The others run, pass
the query on and at most observe or decorate the reply.
"""
from __future__ import annotations

from ..behaviour import Behaviour

# Directive -> what it configures instead of handling queries (its setup.go adds no handler).
CONFIG_ONLY = {
    "root": "sets the directory relative file names are read from",
    "bind": "chooses the addresses the block listens on",
    "health": "serves /health over HTTP",
    "ready": "serves /ready over HTTP",
    "reload": "reloads the Corefile when it changes",
    "pprof": "serves Go profiling over HTTP",
    "debug": "turns off panic recovery",
    "timeouts": "sets server read/write/idle timeouts",
    "multisocket": "opens several sockets per listener",
    "proxyproto": "accepts the PROXY protocol on the listener",
    "quic": "tunes the DNS-over-QUIC server",
    "grpc_server": "tunes the gRPC server",
    "https": "tunes the DNS-over-HTTPS server",
    "https3": "tunes the DNS-over-HTTP/3 server",
    "tls": "sets the listener's TLS certificate",
    "on": "runs a command on start-up or shut-down",
    "sign": "signs zone files at start-up",
}

# Directive -> what it does to a query it passes on.
OBSERVERS = {
    "prometheus": "records metrics",
    "cancel": "gives the query a deadline",
    "trace": "traces the query",
    "dnstap": "logs the query and reply in dnstap format",
    "nsid": "adds the NSID option to the reply when asked",
    "bufsize": "limits the EDNS0 buffer size",
    "shed": "drops queries only when the process is overloaded",
    "geoip": "looks up the client's location as metadata",
    "header": "may change header flags of the reply",
    "dnssec": "signs the reply on its way back for its zones",
    "tsig": "checks TSIG signatures (the simulated query is unsigned)",
    "transfer": "answers only zone transfers (AXFR/IXFR)",
    # autopath and dns64 have their own models (autopath.py, dns64.py).
    "view": "only filters which block is chosen; the block was already chosen",
}


def _config_only(name: str, what: str):
    def serve(self, q, nxt):  # pragma: no cover - never in a chain
        return nxt(q)

    return type(f"ConfigOnly_{name}", (Behaviour,), {
        "NAME": name, "HANDLER": False, "SHARED": True, "WHAT": what, "serve": serve,
        "__doc__": f"{name}: {what}; adds no handler to the chain."})


def _observer(name: str, what: str):
    def serve(self, q, nxt):
        if name == "transfer" and q.type in ("AXFR", "IXFR"):
            return self.unknown(q, "unknown: zone transfers are answered from the transfer plugin's zones "
                                   "and peers (not modelled)")
        return self.passes(q, nxt, f"{what}, and passes the query on")

    return type(f"Observer_{name}", (Behaviour,), {"NAME": name, "SHARED": True, "serve": serve,
                                                   "__doc__": f"{name}: {what}; passes every query on."})


BEHAVIOURS = [_config_only(n, w) for n, w in CONFIG_ONLY.items()] + [_observer(n, w) for n, w in OBSERVERS.items()]
