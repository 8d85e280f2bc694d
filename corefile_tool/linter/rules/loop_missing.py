"""`forward` to a resolver that may send queries back, without `loop` to notice."""
from ._upstreams import local_upstreams

CODE = "loop-missing"
SEVERITY = "info"
SUMMARY = "`forward` to /etc/resolv.conf or a loopback resolver in a block without `loop`: a forwarding loop would go unnoticed."
DOC = """
`forward . /etc/resolv.conf` uses whatever name servers that file lists when CoreDNS starts. On many Kubernetes
nodes it lists a local stub resolver (systemd-resolved's 127.0.0.53) that sends the queries straight back to
CoreDNS: each query circles until it times out and the pods burn CPU. The `loop` plugin probes for this at
start-up and stops CoreDNS with `Loop (...) detected`, which is the well-known symptom; without it the loop is
silent. The file's content is only known where CoreDNS runs, hence `info`.

Bad:

    . {
        forward . /etc/resolv.conf
    }

Good:

    . {
        forward . /etc/resolv.conf
        loop
    }
"""

FORWARD = "forward"
LOOP = "loop"


def check(corefile, ctx):
    from ...listeners import listener_for

    if ctx.plugin(FORWARD) is None or not ctx.has_plugin(LOOP):
        return
    groups = ctx.listeners()
    for block in corefile.server_blocks:
        if ctx.find(block, LOOP):
            continue
        for d in ctx.find(block, FORWARD):
            for arg, up in local_upstreams(ctx, d, set()):
                if up.file is not None and up.file.startswith("/"):
                    yield ctx.diagnostic(CODE, SEVERITY,
                                         f"forward reads its upstreams from {up.file} where CoreDNS runs; if it names "
                                         f"a local resolver that forwards back to CoreDNS, queries loop unnoticed: "
                                         f"add `loop`", arg)
                elif up.loopback and listener_for(groups, up.transport, up.ip, up.port) is None:
                    yield ctx.diagnostic(CODE, SEVERITY,
                                         f"forward to the local resolver {arg.text}: if it forwards back to CoreDNS, "
                                         f"queries loop unnoticed: add `loop`", arg)
