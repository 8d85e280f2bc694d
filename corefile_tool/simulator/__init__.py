"""corefile simulate: which listener, server block and plugin answer a query, and why, without a server.

    import corefile_tool
    result = corefile_tool.simulate("Corefile", "www.example.org", qtype="A")
    result.rcode, result.answered_by, [s.reason for s in result.trace]

`simulate` parses (text or path) or takes a parsed Corefile; for many queries build a `Simulator` once and
call its `simulate` method. Rules and sources: engine.py (routing), chain.py (plugin order), plugins/ (one
behaviour model per plugin), ../shared/spec/server-blocks-and-routing.md.
"""
from __future__ import annotations

from typing import Optional

from .engine import Simulator
from .model import Record, Result, Step

__all__ = ["simulate", "Simulator", "Result", "Record", "Step", "load_cluster_state"]


def simulate(corefile, qname: str, qtype: str = "A", qclass: str = "IN", *, port=53, transport: str = "dns",
             client_ip: str = "127.0.0.1", listen_ip: Optional[str] = None, version: Optional[str] = None,
             cluster_state=None, client_port: int = 0, proto: str = "udp") -> Result:
    """Simulate one query. `corefile` is a parsed Corefile, Corefile text, or a path (str or Path);
    `cluster_state` is a ClusterState or a path to a cluster state file (JSON/YAML, see cluster_state.py).

    A parsed Corefile keeps its Simulator (per version and cluster state object, see Simulator.of): calls for the
    same tree build its plugin chains once. Text and paths are parsed, and state files read, on every call."""
    from ..tree import Corefile

    parsed = isinstance(corefile, Corefile)
    if not parsed:
        from ..parser import parse

        corefile = parse(corefile)
    if isinstance(cluster_state, (str, bytes)) or hasattr(cluster_state, "__fspath__"):
        cluster_state = load_cluster_state(str(cluster_state))
    sim = Simulator.of(corefile, version, cluster_state=cluster_state) if parsed else \
        Simulator(corefile, version, cluster_state=cluster_state)
    return sim.simulate(qname, qtype, qclass, port=port, transport=transport, client_ip=client_ip,
                        listen_ip=listen_ip, client_port=client_port, proto=proto)


def load_cluster_state(path: str):
    from .cluster_state import load_cluster_state as load

    return load(path)
