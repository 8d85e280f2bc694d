"""Per cluster, the syntax tree of the Corefile its CoreDNS should run.

- The cluster's own block: its `base_corefile` kept as written (base.py), or a kubeadm-style default block.
  Either way its kubernetes plugin also answers the cluster's mesh domain, or forwarded queries end in NXDOMAIN.
- One block per peer's mesh domain and one per peer's reverse zones, forwarding to the peer's CoreDNS: separate
  blocks, because a second `forward` inside `.:53` would be shadowed by `forward .` (a block's forwards are tried
  in order, the first whose FROM matches wins).
- One block per extra stub domain.

The `coredns-custom` flavour (managed clusters whose provider owns the main block) cannot edit the kubernetes
plugin, so it adds a block for the cluster's own mesh domain with a kubernetes plugin of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..addresses import fqdn, reverse_zones
from ..linter import gc_paused
from ..tree import Corefile, Directive, ServerBlock
from . import trees
from .base import BEGIN_MARKER, END_MARKER, Base, load_base
from .inventory import Cluster, Endpoint, Inventory, InventoryError, Problem

FLAVOURS = ("corefile", "coredns-custom")

# The kubeadm default Corefile (the shape CoreDNS's corefile-migration tables list as the default for Kubernetes
# releases since 1.19), whose kubernetes plugin also gets the mesh domain.
KUBEADM_LAMEDUCK = "5s"
KUBEADM_TTL = "30"
KUBEADM_MAX_CONCURRENT = "1000"
PROMETHEUS_LISTEN = ":9153"
REVERSE_ZONES = ("in-addr.arpa", "ip6.arpa")


@dataclass
class AddedBlock:
    name: str                     # stem of its coredns-custom key: "<name>.server"
    kind: str                     # "self", "peer", "reverse" or "stub"
    target: Optional[str]         # the peer cluster it forwards to (peer, reverse)
    zones: list[str]              # the zones it serves (FQDN)
    block: ServerBlock


@dataclass
class ClusterConfig:
    cluster: Cluster
    flavour: str
    port: str
    base: Optional[Base]                      # the cluster's base_corefile, kept as written
    own_blocks: list[ServerBlock]             # the generated default block, when there is no base_corefile
    added: list[AddedBlock]
    warnings: list[str] = field(default_factory=list)
    _corefile: Optional[Corefile] = None

    @property
    def version(self) -> str:
        return self.cluster.coredns_version

    def corefile(self) -> Corefile:
        """The whole Corefile CoreDNS runs, as a syntax tree with the positions of the rendered file."""
        if self._corefile is None:
            if self.base is None:
                self._corefile = self._laid_out()
            else:
                from ..parser import parse
                from .render import render_corefile

                # Named after the base so that its imports resolve from the base's directory, as they will
                # where the generated file replaces it.
                self._corefile = parse(render_corefile(self), path=f"{self.base.path} (generated)")
        return self._corefile

    def _laid_out(self) -> Corefile:
        """Positions as the built-in Corefile template prints them: own blocks, a blank line, the BEGIN marker,
        the added blocks separated by blank lines, the END marker."""
        from ..lexer import Comment

        line = 1
        blocks = []
        comments = []
        for b in self.own_blocks:
            line = trees.place_block(b, line) + 1
            blocks.append(b)
        comments.append(Comment(BEGIN_MARKER, line, 1))
        line += 1
        for i, added in enumerate(self.added):
            line = trees.place_block(added.block, line) + (1 if i < len(self.added) - 1 else 0)
            blocks.append(added.block)
        comments.append(Comment(END_MARKER, line, 1))
        cf = trees.corefile_of(blocks, f"{self.cluster.name}.Corefile")
        cf.comments = comments
        return cf


def _plugin_exists(name: str, version: str) -> bool:
    from ..knowledge import versions

    return name in versions.directives(version)


def _option_exists(plugin_name: str, option: str, version: str) -> bool:
    """Whether a plugin's block property exists in a version, by the knowledge base (assumed when unknown)."""
    from ..knowledge import registry
    from ..knowledge.spec import present_in

    plugin = registry.get(plugin_name)
    if plugin is None:
        return True
    prop = plugin.prop(option)
    return prop is not None and present_in(prop.since, prop.removed, version)


def _zone_text(zone: str) -> str:
    return zone.rstrip(".") or "."


def forward_directive(endpoints: list[Endpoint], options, tls_servername: Optional[str] = None) -> Directive:
    props = [trees.directive(name, *args) for name, args in options]
    if tls_servername:
        props.append(trees.directive("tls_servername", tls_servername))
    return trees.directive("forward", ".", *[e.forward_target for e in endpoints], block=props or None)


def _common_head(cluster: Cluster) -> list[Directive]:
    head = [trees.directive("errors")]
    if cluster.cache:
        head.append(trees.directive("cache", str(cluster.cache)))
    return head


def default_block(cluster: Cluster, port: str, with_mesh_domain: bool) -> ServerBlock:
    v = cluster.coredns_version
    zones = [cluster.domain] + ([cluster.mesh_domain] if with_mesh_domain else []) + list(REVERSE_ZONES)
    upstream_props = ([trees.directive("max_concurrent", KUBEADM_MAX_CONCURRENT)]
                      if _option_exists("forward", "max_concurrent", v) else [])
    chain = [
        trees.directive("errors"),
        trees.directive("health", block=[trees.directive("lameduck", KUBEADM_LAMEDUCK)]),
        trees.directive("ready"),
        trees.directive("kubernetes", *zones, block=[
            trees.directive("pods", "insecure"),
            trees.directive("fallthrough", *REVERSE_ZONES),
            trees.directive("ttl", KUBEADM_TTL),
        ]),
        trees.directive("prometheus", PROMETHEUS_LISTEN),
        trees.directive("forward", ".", *cluster.upstream, block=upstream_props or None),
    ]
    if cluster.cache:
        chain.append(trees.directive("cache", str(cluster.cache)))
    chain += [trees.directive("loop"), trees.directive("reload"), trees.directive("loadbalance")]
    return trees.server_block([trees.zone_key(".", port)], [d for d in chain if _plugin_exists(d.name, v)])


def self_block(cluster: Cluster, port: str) -> AddedBlock:
    """coredns-custom: the provider's kubernetes plugin cannot be changed, so the mesh domain gets its own."""
    block = trees.server_block([trees.zone_key(cluster.mesh_domain, port)], _common_head(cluster) + [
        trees.directive("kubernetes", cluster.mesh_domain, block=[
            trees.directive("pods", "insecure"),
            trees.directive("ttl", KUBEADM_TTL),
        ]),
    ])
    return AddedBlock(f"mesh-{cluster.name}", "self", None, [fqdn(cluster.mesh_domain)], block)


def peer_blocks(cluster: Cluster, peer: Cluster, port: str) -> list[AddedBlock]:
    forward = forward_directive(peer.dns, cluster.forward_options,
                                peer.tls_servername if peer.transport == "tls" else None)
    out = [AddedBlock(f"peer-{peer.name}", "peer", peer.name, [fqdn(peer.mesh_domain)],
                      trees.server_block([trees.zone_key(peer.mesh_domain, port)], _common_head(cluster) + [forward]))]
    zones = [z for net in peer.cidrs for z in reverse_zones(net)]
    if zones:
        forward = forward_directive(peer.dns, cluster.forward_options,
                                    peer.tls_servername if peer.transport == "tls" else None)
        out.append(AddedBlock(f"reverse-{peer.name}", "reverse", peer.name, zones,
                              trees.server_block([trees.zone_key(_zone_text(z), port) for z in zones],
                                                 _common_head(cluster) + [forward])))
    return out


def stub_block(cluster: Cluster, domain: str, endpoints: list[Endpoint], port: str) -> AddedBlock:
    forward = forward_directive(endpoints, cluster.forward_options)
    return AddedBlock(f"stub-{domain}", "stub", None, [fqdn(domain)],
                      trees.server_block([trees.zone_key(domain, port)], _common_head(cluster) + [forward]))


def build(inventory: Inventory, cluster: Cluster, flavour: str = "corefile") -> ClusterConfig:
    """The model of one cluster's Corefile. Raises InventoryError when its base Corefile stops generation."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}")
    base = None
    warnings = []
    if cluster.base_corefile is not None and flavour == "corefile":
        base = load_base(cluster, cluster.label)
        warnings.extend(base.warnings)
        port = base.port
    else:
        port = "53"
        if cluster.base_corefile is not None:
            warnings.append(f"base_corefile {cluster.base_corefile} is not used for coredns-custom: the provider owns "
                            "the main Corefile; only the added blocks are generated")
    own = [] if base is not None else [default_block(cluster, port, with_mesh_domain=flavour == "corefile")]
    added: list[AddedBlock] = []
    if flavour == "coredns-custom":
        added.append(self_block(cluster, port))
    for peer in inventory.peers_of(cluster):
        added.extend(peer_blocks(cluster, peer, port))
    for domain, endpoints in cluster.stub_domains.items():
        added.append(stub_block(cluster, domain, endpoints, port))
    if base is not None:
        problems = []
        for a in added:
            for z in a.zones:
                hit = base.served.get(("dns", z, port))
                if hit:
                    problems.append(Problem(hit[0], hit[1], f"{cluster.label}.base_corefile",
                                            f"already serves {z} on port {port} outside the managed markers, where "
                                            f"the generated '{a.name}' block goes (CoreDNS refuses a zone defined "
                                            "twice); remove it or move it between the markers"))
        if problems:
            raise InventoryError(problems)
    return ClusterConfig(cluster, flavour, port, base, own, added, warnings)


def build_all(inventory: Inventory, names: Optional[list[str]] = None, flavour: str = "corefile") \
        -> list[ClusterConfig]:
    """Every selected cluster's model; every problem of every cluster in one InventoryError."""
    chosen = inventory.clusters if not names else [inventory.by_name[n] for n in names]
    configs, problems = [], []
    with gc_paused():
        for c in chosen:
            try:
                configs.append(build(inventory, c, flavour))
            except InventoryError as e:
                problems.extend(e.problems)
    if problems:
        raise InventoryError(problems)
    return configs
