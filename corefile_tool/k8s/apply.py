"""Generated Corefiles into the clusters' `coredns` ConfigMaps, safely.

For each cluster: read the live ConfigMap, generate the cluster's Corefile with the live one as its base (unless
the inventory names a `base_corefile`), so only the managed part between the markers changes; lint it for the
CoreDNS release the cluster runs and refuse errors; show the unified diff; send it with `dryRun=All` so the API
server's validation and admission run; and only with `--yes` write it, guarded by the resourceVersion that was read
(a concurrent change is a 409 conflict, never an overwrite), with the previous Corefile kept under a backup key.

Every cluster is checked (and dry-run) before any is written.
"""
from __future__ import annotations

import copy
import dataclasses
import difflib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import K8sError, K8sUsageError
from .discover import cluster_name, read_coredns_version
from .live import LiveConfig, parse_live, read_live

BACKUP_SUFFIX = ".backup"


@dataclass
class Plan:
    cluster_name: str
    context: str
    live: LiveConfig
    generated: str
    version: str
    diff: str
    deployment: str = "coredns"
    warnings: list = field(default_factory=list)
    lint_errors: list = field(default_factory=list)
    result: str = ""                  # what happened: "unchanged", "dry-run", "written"

    @property
    def changed(self) -> bool:
        return self.generated != self.live.text

    @property
    def backup_key(self) -> str:
        return self.live.key + BACKUP_SUFFIX


def match_contexts(inventory, kube_contexts: list, requested=()) -> list:
    """[(inventory cluster, context)]: each `--context` is CONTEXT (the cluster of the same name, or of the name
    `k8s discover` gives it) or CLUSTER=CONTEXT; with none, every cluster whose context can be found."""
    by_name = inventory.by_name
    pairs = []
    if requested:
        for item in requested:
            if "=" in item:
                name, _, context = item.partition("=")
                if name not in by_name:
                    raise K8sUsageError(f"--context {item}: the inventory has no cluster {name!r} "
                                        f"(clusters: {', '.join(by_name)})")
            else:
                context = item
                name = context if context in by_name else cluster_name(context)
                if name not in by_name:
                    raise K8sUsageError(f"--context {context}: no inventory cluster is named after it (clusters: "
                                        f"{', '.join(by_name)}); pass --context CLUSTER={context}")
            if context not in kube_contexts:
                raise K8sUsageError(f"kubeconfig has no context {context!r} (contexts: {', '.join(kube_contexts)})")
            pairs.append((by_name[name], context))
        return pairs
    by_cluster_name = {}
    for context in kube_contexts:
        by_cluster_name.setdefault(context, context)
    for context in kube_contexts:
        by_cluster_name.setdefault(cluster_name(context), context)
    missing = [c.name for c in inventory.clusters if c.name not in by_cluster_name]
    if missing:
        raise K8sUsageError(f"no kubeconfig context for cluster(s) {', '.join(missing)}; pass --context "
                            f"CLUSTER=CONTEXT for each cluster to apply")
    return [(c, by_cluster_name[c.name]) for c in inventory.clusters]


def skipped_clusters(inventory, pairs) -> list:
    """The inventory clusters no (cluster, context) pair applies to, in inventory order."""
    chosen = {cluster.name for cluster, _ in pairs}
    return [c.name for c in inventory.clusters if c.name not in chosen]


def generate_for(inventory, cluster, live: LiveConfig) -> tuple[str, list]:
    """(Corefile text, warnings): the cluster's generated Corefile built on the live one, or on the inventory's
    base_corefile when it names one."""
    from ..generator.inventory import InventoryError
    from ..generator.model import build
    from ..generator.render import render_corefile

    with tempfile.TemporaryDirectory(prefix="corefile-apply-") as tmp:
        base = Path(tmp) / "Corefile"
        if cluster.base_corefile is None:
            base.write_text(live.text, encoding="utf-8")
            cluster = dataclasses.replace(cluster, base_corefile=base)
            where = "on the live Corefile"
        else:
            where = f"on {cluster.base_corefile}"
        try:
            config = build(inventory, cluster, "corefile")
            text = render_corefile(config)
        except InventoryError as e:
            raise K8sError(f"context {live.context!r}: cannot generate the Corefile of {cluster.name} {where}: "
                           + "; ".join(str(p).replace(str(base), live.label) for p in e.problems))
        return text, [w.replace(str(base), live.label) for w in config.warnings]


def has_reload(trees) -> bool:
    return any(block.find("reload") for tree in trees for block in tree.server_blocks)


def plan(inventory, cluster, k8s_cluster, namespace: str, configmap: str, key: str) -> Plan:
    from ..linter import lint_tree

    live = read_live(k8s_cluster, namespace, configmap, key)
    generated, warnings = generate_for(inventory, cluster, live)
    service = k8s_cluster.get_optional("services", "kube-dns", namespace) or {}
    running, _, deployment = read_coredns_version(
        k8s_cluster, (service.get("spec") or {}).get("selector") or {}, namespace)
    # Lint for the release that will run it; the inventory's version when the cluster's cannot be told.
    version = running.value if running and not running.guessed else cluster.coredns_version
    trees = parse_live(live, generated)
    errors = [d for d in lint_tree(trees[0], version) if d.severity == "error"]
    diff = "".join(difflib.unified_diff(
        live.text.splitlines(keepends=True), generated.splitlines(keepends=True),
        fromfile=f"{live.label} (live, context {live.context})",
        tofile=f"{live.label} (generated for {cluster.name})"))
    p = Plan(cluster.name, live.context, live, generated, version, diff, deployment or "coredns",
             warnings, errors)
    restart = f"kubectl --context {live.context} -n {namespace} rollout restart deployment {p.deployment}"
    if p.changed and not has_reload(parse_live(live)):
        p.warnings.append(f"the running Corefile has no reload plugin, so CoreDNS will not pick the change up; "
                          f"restart it: {restart}")
    elif p.changed and not has_reload(trees):
        p.warnings.append("the new Corefile has no reload plugin: CoreDNS takes this change, but later ones will "
                          f"need a restart ({restart})")
    return p


def updated_configmap(p: Plan) -> dict:
    """The live object with the new Corefile and the previous one under the backup key; its resourceVersion is
    the one read, so the API server refuses the write if anything changed in between."""
    obj = copy.deepcopy(p.live.configmap)
    obj.setdefault("apiVersion", "v1")
    obj.setdefault("kind", "ConfigMap")
    data = obj.setdefault("data", {})
    data[p.backup_key] = p.live.text
    data[p.live.key] = p.generated
    return obj


def send(p: Plan, k8s_cluster, dry_run: bool) -> None:
    k8s_cluster.replace("configmaps", updated_configmap(p), dry_run=dry_run)
