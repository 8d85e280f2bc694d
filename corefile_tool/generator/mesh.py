"""The mesh as a whole: every generated Corefile linted, and queries walked from cluster to cluster with the
simulator, hop by hop, the way they would travel.

For every cluster S and every peer T (and for S itself), a service name of T asked in S must be forwarded to T's
dns addresses and answered there by T's kubernetes plugin; so must a PTR query for an address of each of T's
CIDRs. Stub domains are walked too. A query that comes back to a cluster it already visited is a forwarding loop,
reported with its cycle.

A query forwarded to one of a cluster's dns addresses is taken to reach that cluster's CoreDNS on the listener
that serves its Kubernetes domain (a Service or load balancer may map the port).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional

from .inventory import Cluster, Inventory, parse_address
from .model import ClusterConfig

SERVICE_PROBE = "kubernetes.default.svc"   # the API server's Service exists in every cluster
MAX_HOPS = 64


@dataclass
class Hop:
    cluster: Optional[str]            # None: outside the mesh
    block: str = ""                   # the server block's keys, e.g. "cluster-b.example.com:53"
    block_line: int = 0
    plugin: Optional[str] = None      # the plugin that answered (or forwarded)
    plugin_line: int = 0
    rcode: Optional[str] = None
    forwarded_to: list = field(default_factory=list)
    trace: list = field(default_factory=list)   # the simulator's steps: dicts plugin, line, decision, reason

    def to_json(self) -> dict:
        return {"cluster": self.cluster, "server_block": self.block, "line": self.block_line,
                "answered_by": self.plugin, "answered_line": self.plugin_line, "rcode": self.rcode,
                "forwarded_to": list(self.forwarded_to), "trace": list(self.trace)}

    def describe(self) -> str:
        if self.cluster is None:
            return "leaves the mesh"
        where = f"{self.cluster}: block {self.block} (line {self.block_line})" if self.block else \
            f"{self.cluster}: no server block takes it"
        if self.forwarded_to:
            return f"{where} -> {self.plugin} (line {self.plugin_line}) forwards to {', '.join(self.forwarded_to)}"
        if self.plugin:
            rcode = f" ({self.rcode})" if self.rcode else ""
            return f"{where} -> answered by {self.plugin} (line {self.plugin_line}){rcode}"
        return f"{where} -> {self.rcode or 'no answer'}"


@dataclass
class Walk:
    source: str
    qname: str
    qtype: str
    target: Optional[str] = None      # the cluster whose kubernetes plugin must answer; None: any end is fine
    purpose: str = ""                 # "service", "reverse", "stub"
    hops: list[Hop] = field(default_factory=list)
    problem: str = ""                 # empty when the walk ended as it must
    cycle: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem

    def to_json(self) -> dict:
        return {"from": self.source, "to": self.target, "qname": self.qname, "qtype": self.qtype,
                "purpose": self.purpose, "ok": self.ok, "problem": self.problem or None,
                "cycle": list(self.cycle) or None, "hops": [h.to_json() for h in self.hops]}


@dataclass
class MeshReport:
    lint: dict                        # cluster name -> [Diagnostic]
    walks: list[Walk]

    @property
    def lint_problems(self) -> list:
        return [(name, d) for name, ds in self.lint.items() for d in ds if d.severity in ("error", "warning")]

    @property
    def failed_walks(self) -> list[Walk]:
        return [w for w in self.walks if not w.ok]

    @property
    def ok(self) -> bool:
        return not self.lint_problems and not self.failed_walks

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "clusters": {name: {"diagnostics": [d.as_dict() for d in ds]} for name, ds in self.lint.items()},
            "walks": [w.to_json() for w in self.walks],
            "loops": [w.cycle for w in self.walks if w.cycle],
        }


# ------------------------------------------------------------------------------------------------ addresses
def _endpoint_key(address: str):
    """`10.2.0.10:53`, `tls://10.2.0.10:853`, `[fd00::1]:53` → (ip, port), or None for anything else."""
    text = address.split("://", 1)[1] if "://" in address else address
    ep, err = parse_address(text, 53)
    return None if err else (ep.ip, ep.port)


class Mesh:
    """The configs of an inventory, and who owns which dns address."""

    def __init__(self, inventory: Inventory, configs: list[ClusterConfig]):
        self.inventory = inventory
        self.configs = {c.cluster.name: c for c in configs}
        self.owners: dict[tuple, str] = {}
        self.simulators: dict = {}
        self.hops: dict = {}
        self._owner_of: dict[str, Optional[str]] = {}
        for c in inventory.clusters:
            for e in c.dns:
                self.owners.setdefault((e.ip, e.port), c.name)

    def hop(self, cluster: str, qname: str, qtype: str) -> Hop:
        """The query simulated in one cluster; the same question in the same cluster is asked once (every
        peer's walk ends with the same hop in the target)."""
        key = (cluster, qname, qtype)
        hop = self.hops.get(key)
        if hop is None:
            hop = self.hops[key] = _hop(cluster, _simulate(self, self.configs[cluster], qname, qtype))
        return hop

    def owner(self, address: str) -> Optional[str]:
        if address not in self._owner_of:
            key = _endpoint_key(address)
            self._owner_of[address] = self.owners.get(key) if key else None
        return self._owner_of[address]


# ------------------------------------------------------------------------------------------------ simulation
# kubeadm's default service subnet: where the API service is taken to be when a cluster declares no service_cidr.
DEFAULT_SERVICE_CIDR = "10.96.0.0/12"


def first_host(net) -> str:
    return str(net.network_address + 1 if net.num_addresses > 1 else net.network_address)


def cluster_state(cluster: Cluster):
    """What every Kubernetes cluster has, for the kubernetes plugin to answer the walks' questions: the API
    server's Service `default/kubernetes` at the first address of the service CIDR (as Kubernetes allocates it),
    and the cluster DNS Service `kube-system/kube-dns` with an endpoint at the first address of each pod CIDR."""
    from ..simulator.cluster_state import cluster_state_from_data

    service_nets = cluster.service_cidrs or [ipaddress.ip_network(DEFAULT_SERVICE_CIDR)]
    services = [{"name": "kubernetes", "namespace": "default",
                 "clusterIPs": [first_host(n) for n in service_nets],
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}]
    endpoints = []
    if cluster.pod_cidrs:
        services.append({"name": "kube-dns", "namespace": "kube-system", "headless": True,
                         "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]})
        endpoints.append({"name": "kube-dns", "namespace": "kube-system",
                          "addresses": [{"ip": first_host(n)} for n in cluster.pod_cidrs],
                          "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]})
    return cluster_state_from_data({"namespaces": ["default", "kube-system"], "services": services,
                                    "endpoints": endpoints}, source=f"{cluster.name} (modelled by mesh check)")


def _simulator(mesh: "Mesh", config: ClusterConfig):
    """One Simulator per cluster: its listeners and chains are built once for every walk through it."""
    sim = mesh.simulators.get(config.cluster.name)
    if sim is None:
        from ..simulator import Simulator

        sim = mesh.simulators[config.cluster.name] = Simulator(config.corefile(), config.version,
                                                               cluster_state=cluster_state(config.cluster))
    return sim


def _simulate(mesh: "Mesh", config: ClusterConfig, qname: str, qtype: str):
    # Every query, from a pod or from a peer, arrives on the listener that serves the cluster's domain.
    return _simulator(mesh, config).simulate(qname, qtype, port=config.port)


def _hop(cluster: str, result) -> Hop:
    block = result.server_block
    answered = result.answered_by or {}
    return Hop(
        cluster=cluster,
        block=" ".join(block.keys) if block else "",
        block_line=block.line if block else 0,
        plugin=answered.get("plugin"),
        plugin_line=answered.get("line", 0) or 0,
        rcode=result.rcode,
        forwarded_to=list(result.forwarded_to or []),
        trace=result.trace_dicts(),
    )


def walk(mesh: Mesh, source: str, qname: str, qtype: str = "A", target: Optional[str] = None,
         purpose: str = "") -> Walk:
    """Follow a query from `source` through every cluster it is forwarded to."""
    w = Walk(source, qname, qtype, target, purpose)
    visited = [source]
    current = source
    while True:
        config = mesh.configs.get(current)
        if config is None:
            w.problem = f"the query reaches {current}, which is not generated in this run"
            return w
        hop = mesh.hop(current, qname, qtype)
        w.hops.append(hop)
        if not hop.forwarded_to:
            break
        owners = {a: mesh.owner(a) for a in hop.forwarded_to}
        inside = sorted({o for o in owners.values() if o})
        if not inside:
            w.hops.append(Hop(None, forwarded_to=list(hop.forwarded_to)))
            break
        if len(inside) > 1:
            w.problem = (f"{current} forwards {qname} to addresses of several clusters "
                         f"({', '.join(f'{a} of {o}' for a, o in owners.items() if o)})")
            return w
        nxt = inside[0]
        if nxt in visited:
            w.cycle = visited[visited.index(nxt):] + [nxt]
            w.problem = f"forwarding loop: {' -> '.join(w.cycle)}"
            return w
        if len(visited) >= MAX_HOPS:
            w.problem = f"more than {MAX_HOPS} hops"
            return w
        visited.append(nxt)
        current = nxt
    w.problem = _judge(w, mesh)
    return w


def _judge(w: Walk, mesh: Mesh) -> str:
    if w.target is None:
        return ""
    last = w.hops[-1]
    path = " -> ".join(h.cluster for h in w.hops if h.cluster) or w.source
    target = mesh.inventory.by_name[w.target]
    if last.cluster is None:
        prev = w.hops[-2]
        return (f"{w.qname} leaves the mesh: {prev.cluster} forwards it to {', '.join(prev.forwarded_to)} "
                f"(block {prev.block or '-'}), not to {w.target}'s kubernetes plugin"
                + (f" — {prev.cluster}'s kubernetes plugin does not serve {target.mesh_domain}"
                   if prev.cluster == w.target and w.purpose == "service" else ""))
    if last.cluster != w.target:
        return f"{w.qname} ends in {last.cluster} ({path}), not in {w.target}"
    if last.plugin != "kubernetes":
        got = f"{last.plugin} (line {last.plugin_line})" if last.plugin else (last.rcode or "no plugin")
        why = ""
        if w.purpose == "service":
            why = f": {w.target}'s kubernetes plugin does not answer {target.mesh_domain}"
        return f"{w.qname} reaches {w.target} ({path}) but is answered there by {got}{why}"
    if last.rcode in ("NXDOMAIN", "SERVFAIL", "REFUSED"):
        return f"{w.qname} reaches {w.target} ({path}) but its kubernetes plugin answers {last.rcode}"
    if w.target != w.source and len(w.hops) < 2:
        return f"{w.qname} is answered in {w.source} itself and never reaches {w.target}"
    return ""


def reverse_probe(net) -> str:
    """The PTR name of the first host address of a CIDR (an address cluster_state gives a Service or endpoint)."""
    return ipaddress.ip_address(first_host(net)).reverse_pointer + "."


def walks_for(mesh: Mesh, cluster: Cluster) -> list[Walk]:
    out = []
    inv = mesh.inventory
    for target in [cluster] + inv.peers_of(cluster):
        qname = f"{SERVICE_PROBE}.{target.mesh_domain}."
        out.append(walk(mesh, cluster.name, qname, "A", target.name, "service"))
        if target is cluster:
            continue
        for net in target.cidrs:
            out.append(walk(mesh, cluster.name, reverse_probe(net), "PTR", target.name, "reverse"))
    for domain in cluster.stub_domains:
        out.append(walk(mesh, cluster.name, f"{domain}.", "SOA", None, "stub"))
    return out


def lint_config(config: ClusterConfig) -> list:
    from ..linter import lint_tree

    return lint_tree(config.corefile(), config.version, profile="kubernetes")


PARALLEL_FROM = 16   # clusters: below this, starting worker processes costs more than it saves


def default_jobs(clusters: int) -> int:
    import os

    return min(os.cpu_count() or 1, 8) if clusters >= PARALLEL_FROM else 1


class _Tasks:
    """A mesh check's tasks, one lint and one walk per cluster (no walks for lint only), claimed one at a time by
    the processes sharing them, so that each keeps busy to the end whatever each kind costs."""

    def __init__(self, count: int, walks: bool, shared: bool):
        self.count = count
        if shared:
            import multiprocessing

            value = multiprocessing.get_context("fork").Value
            self.next = {"lint": value("q", 0), "walk": value("q", 0 if walks else count)}
        else:
            self.next = {"lint": _Counter(0), "walk": _Counter(0 if walks else count)}

    def claim(self, kind: str) -> Optional[int]:
        counter = self.next[kind]
        with counter.get_lock():
            i = counter.value
            if i >= self.count:
                return None
            counter.value = i + 1
        return i


class _Counter:
    """multiprocessing.Value's interface for one process."""

    def __init__(self, value: int):
        self.value = value

    def get_lock(self):
        from contextlib import nullcontext

        return nullcontext()


def _run_tasks(inventory, configs: list[ClusterConfig], tasks: _Tasks, order: tuple) -> tuple[dict, dict]:
    """Claims tasks (the kinds in `order`, the first until none is left) and runs them: (index -> lint
    diagnostics, index -> walks)."""
    lint, walks = {}, {}
    mesh = None
    for kind in order:
        while (i := tasks.claim(kind)) is not None:
            if kind == "lint":
                lint[i] = lint_config(configs[i])
                continue
            if mesh is None:
                mesh = Mesh(inventory, configs)
            walks[i] = walks_for(mesh, configs[i].cluster)
            # Its simulator now holds a chain for every peer block; later walks only end here (a fresh one is cheap).
            mesh.simulators.pop(configs[i].cluster.name, None)
    return lint, walks


_FORKED: tuple = ()   # (inventory, configs, tasks) handed to forked workers without pickling the trees


def _work_share(order: tuple) -> tuple[dict, dict]:
    from ..linter import gc_paused

    inventory, configs, tasks = _FORKED
    with gc_paused():
        return _run_tasks(inventory, configs, tasks, order)


# The process that starts the workers walks first: walks return large results (every hop's trace), which then need
# no pickling, and one process walking builds each cluster's simulator once. Workers lint first (their results are
# a few diagnostics); whoever runs out of its first kind helps with the other.
PARENT_ORDER = ("walk", "lint")
WORKER_ORDER = ("lint", "walk")


def _run_shared(inventory, configs: list[ClusterConfig], jobs: Optional[int], lint_only: bool) -> list[tuple]:
    """(index, diagnostics, walks) for every config, in index order, computed by `jobs` processes, this one and
    jobs - 1 forked workers (default: one per CPU for large meshes; each cluster's lint and walks are independent
    of the others'). The results do not depend on which process computed what."""
    import multiprocessing

    from ..linter import gc_paused

    global _FORKED
    jobs = default_jobs(len(configs)) if jobs is None else max(1, jobs)
    jobs = min(jobs, len(configs)) or 1
    parallel = jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
    tasks = _Tasks(len(configs), not lint_only, parallel)
    with gc_paused():
        if parallel:
            for c in configs:
                c.corefile()   # laid out once, before the workers inherit the trees
            _FORKED = (inventory, configs, tasks)
            try:
                with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
                    pending = pool.map_async(_work_share, [WORKER_ORDER] * (jobs - 1))
                    lint, walks = _run_tasks(inventory, configs, tasks, PARENT_ORDER)
                    for worker_lint, worker_walks in pending.get():
                        lint.update(worker_lint)
                        walks.update(worker_walks)
            finally:
                _FORKED = ()
        else:
            lint, walks = _run_tasks(inventory, configs, tasks, PARENT_ORDER)
    return [(i, lint[i], walks.get(i, [])) for i in range(len(configs))]


def lint_all(configs: list[ClusterConfig], jobs: Optional[int] = None) -> dict:
    """Cluster name -> lint diagnostics of its generated Corefile."""
    return {configs[i].cluster.name: diagnostics for i, diagnostics, _ in _run_shared(None, configs, jobs, True)}


def check(inventory: Inventory, configs: list[ClusterConfig], jobs: Optional[int] = None) -> MeshReport:
    """Lint every config and walk every pair; the report is the same whatever the number of worker processes."""
    parts = _run_shared(inventory, configs, jobs, False)
    lint = {configs[i].cluster.name: diagnostics for i, diagnostics, _ in parts}
    walks = [w for _, _, ws in parts for w in ws]
    return MeshReport(lint, walks)


# ------------------------------------------------------------------------------------------------ graph
@dataclass
class Edge:
    source: str
    target: str                # a cluster name, or an address outside the mesh
    zones: list[str]
    external: bool = False


def edges(inventory: Inventory, configs: list[ClusterConfig]) -> list[Edge]:
    """Who forwards which zones to whom, read from the generated blocks."""
    mesh = Mesh(inventory, configs)
    out: list[Edge] = []
    for c in configs:
        by_target: dict[tuple, Edge] = {}
        for added in c.added:
            forwards = [d for d in added.block.directives if d.name == "forward"]
            if not forwards:
                continue
            addresses = [a.text for a in forwards[0].args[1:]]
            owners = sorted({mesh.owner(a) for a in addresses if mesh.owner(a)})
            targets = [(o, False) for o in owners] or [(", ".join(addresses), True)]
            for target, external in targets:
                key = (target, external)
                if key not in by_target:
                    by_target[key] = Edge(c.cluster.name, target, [], external)
                by_target[key].zones.extend(z.rstrip(".") for z in added.zones)
        out.extend(by_target.values())
    return out


def _dot_quote(*lines: str) -> str:
    """A DOT string; several lines are joined with DOT's own `\\n` escape."""
    return '"' + "\\n".join(s.replace("\\", "\\\\").replace('"', '\\"') for s in lines) + '"'


def graph_dot(inventory: Inventory, configs: list[ClusterConfig]) -> str:
    lines = ["digraph mesh {", "    rankdir=LR;", "    node [shape=box];"]
    for c in inventory.clusters:
        lines.append(f"    {_dot_quote(c.name)} [label={_dot_quote(c.name, c.mesh_domain)}];")
    externals = []
    for e in edges(inventory, configs):
        if e.external and e.target not in externals:
            externals.append(e.target)
            lines.append(f"    {_dot_quote(e.target)} [shape=ellipse];")
        lines.append(f"    {_dot_quote(e.source)} -> {_dot_quote(e.target)} "
                     f"[label={_dot_quote(*e.zones)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(s: str) -> str:
    return s.replace('"', "#quot;")


def graph_mermaid(inventory: Inventory, configs: list[ClusterConfig]) -> str:
    ids = {c.name: f"c{i}" for i, c in enumerate(inventory.clusters)}
    lines = ["flowchart LR"]
    for c in inventory.clusters:
        lines.append(f'    {ids[c.name]}["{_mermaid_text(c.name)}<br/>{_mermaid_text(c.mesh_domain)}"]')
    externals: dict[str, str] = {}
    for e in edges(inventory, configs):
        if e.external and e.target not in externals:
            externals[e.target] = f"x{len(externals)}"
            lines.append(f'    {externals[e.target]}(["{_mermaid_text(e.target)}"])')
        dest = externals[e.target] if e.external else ids[e.target]
        label = "<br/>".join(_mermaid_text(z) for z in e.zones)
        lines.append(f'    {ids[e.source]} -->|"{label}"| {dest}')
    return "\n".join(lines) + "\n"
