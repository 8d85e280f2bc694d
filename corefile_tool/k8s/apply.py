"""Generated Corefiles into the clusters' `coredns` ConfigMaps, safely.

For each cluster: read the live ConfigMap, generate the cluster's Corefile with the live one as its base (unless
the inventory names a `base_corefile`), so only the managed part between the markers changes; lint it for the
CoreDNS release the cluster runs and refuse errors; show the unified diff; send it with `dryRun=All` so the API
server's validation and admission run; and only with `--yes` write it, guarded by the resourceVersion that was read
(a concurrent change is a 409 conflict, never an overwrite), with the previous Corefile kept under a backup key.

Every cluster is checked (and dry-run) before any is written.

The coredns-custom flavour (managed clusters whose provider owns the `coredns` ConfigMap, AKS-style) writes
the generated `NAME.server` keys into the `coredns-custom` ConfigMap instead, creating it when it is absent. The
provider's Corefile is only read: it is linted together with the new keys as CoreDNS's pod sees them (under
`custom/`, where `import custom/*.server` finds them), and keys this tool did not generate are never touched.
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
from .live import CUSTOM_CONFIGMAP, SERVER_SUFFIX, LiveConfig, configmap_label, parse_live, read_live

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
    notes: list = field(default_factory=list)   # information for stderr that is not a warning

    @property
    def changed(self) -> bool:
        return self.generated != self.live.text

    @property
    def backup_key(self) -> str:
        return self.live.key + BACKUP_SUFFIX

    @property
    def where(self) -> str:
        return f"context {self.context!r}: configmap {self.live.namespace}/{self.live.name}"

    @property
    def refusal(self) -> str:
        return f"the generated Corefile for {self.cluster_name} has {len(self.lint_errors)} lint error(s)"

    def source_line(self, d) -> str:
        lines = self.generated.split("\n")
        return lines[d.line - 1] if d.path == self.live.label and 0 < d.line <= len(lines) else ""

    def dry_run_message(self) -> str:
        return f"{self.where}: dry run accepted by the API server (nothing written); pass --yes to write"

    def written_messages(self) -> list:
        return [f"{self.where}: updated; the previous Corefile is kept under key {self.backup_key}"]


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


def running_release(k8s_cluster, namespace: str, cluster) -> tuple[str, str]:
    """(release, Deployment name) of the CoreDNS behind the kube-dns Service. The Corefile is linted for the
    release that will run it: the inventory's version when the cluster's cannot be told."""
    service = k8s_cluster.get_optional("services", "kube-dns", namespace) or {}
    running, _, deployment = read_coredns_version(
        k8s_cluster, (service.get("spec") or {}).get("selector") or {}, namespace)
    version = running.value if running and not running.guessed else cluster.coredns_version
    return version, deployment or "coredns"


def restart_command(context: str, namespace: str, deployment: str) -> str:
    return f"kubectl --context {context} -n {namespace} rollout restart deployment {deployment}"


def plan(inventory, cluster, k8s_cluster, namespace: str, configmap: str, key: str) -> Plan:
    from ..linter import lint_tree

    live = read_live(k8s_cluster, namespace, configmap, key)
    generated, warnings = generate_for(inventory, cluster, live)
    version, deployment = running_release(k8s_cluster, namespace, cluster)
    trees = parse_live(live, generated)
    errors = [d for d in lint_tree(trees[0], version) if d.severity == "error"]
    diff = "".join(difflib.unified_diff(
        live.text.splitlines(keepends=True), generated.splitlines(keepends=True),
        fromfile=f"{live.label} (live, context {live.context})",
        tofile=f"{live.label} (generated for {cluster.name})"))
    p = Plan(cluster.name, live.context, live, generated, version, diff, deployment, warnings, errors)
    restart = restart_command(live.context, namespace, p.deployment)
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


# ------------------------------------------------------------------------------------------------ coredns-custom
# model.py names every added block "mesh-", "peer-", "reverse-" or "stub-" + a name; a key named like that which
# is not generated any more is most likely one generated for a peer or stub domain the inventory has since lost.
GENERATED_PREFIXES = ("mesh-", "peer-", "reverse-", "stub-")


@dataclass
class KeyChange:
    key: str
    old: Optional[str]                # None: the key is new
    new: str


@dataclass
class CustomPlan:
    """The generated `*.server` keys of one cluster's coredns-custom ConfigMap against the live ones."""
    cluster_name: str
    context: str
    live: LiveConfig                  # the provider's Corefile (only read) and coredns-custom as read (or None)
    generated: dict                   # key -> text, in the order `generate` prints them
    version: str
    changes: list                     # [KeyChange] for the generated keys whose text differs
    foreign: list                     # live keys not generated here (nor their backups): never touched
    diff: str = ""
    deployment: str = "coredns"
    reload: bool = True               # the running Corefile has a reload plugin
    trees: list = field(default_factory=list)      # what was linted, for the refusal's source lines
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    lint_errors: list = field(default_factory=list)

    @property
    def creates(self) -> bool:
        return self.live.custom is None

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def label(self, key: str) -> str:
        return configmap_label(self.live.namespace, CUSTOM_CONFIGMAP, key)

    @property
    def where(self) -> str:
        return f"context {self.context!r}: configmap {self.live.namespace}/{CUSTOM_CONFIGMAP}"

    @property
    def refusal(self) -> str:
        return (f"the Corefile CoreDNS would load ({self.live.label} with the generated {CUSTOM_CONFIGMAP} keys "
                f"for {self.cluster_name}) has {len(self.lint_errors)} lint error(s)")

    def source_line(self, d) -> str:
        for tree in self.trees:
            if d.path == tree.path:
                return tree.source_line("", d.line)
            if d.path in tree.sources:
                return tree.source_line(d.path, d.line)
        return ""

    def dry_run_message(self) -> str:
        if self.creates:
            return (f"{self.where}: does not exist and will be created; dry run accepted by the API server "
                    "(nothing written); pass --yes to create it")
        return f"{self.where}: dry run accepted by the API server (nothing written); pass --yes to write"

    def written_messages(self) -> list:
        added = [c.key for c in self.changes if c.old is None]
        changed = [c.key for c in self.changes if c.old is not None]
        if self.creates:
            lines = [f"{self.where}: created with key(s) {', '.join(added)}"]
        else:
            parts = []
            if added:
                parts.append(f"added key(s) {', '.join(added)}")
            if changed:
                parts.append(f"changed key(s) {', '.join(changed)}, the previous content of each kept under "
                             f"KEY{BACKUP_SUFFIX}")
            lines = [f"{self.where}: updated: {'; '.join(parts)}"]
        if self.reload:
            # reload hashes the Corefile as caddyfile.Parse expands it, imports included, so new or changed
            # custom/*.server files count as a change; the kubelet refreshes the mounted files first.
            lines.append(f"context {self.context!r}: the reload plugin of the running Corefile loads the change "
                         "once the kubelet has refreshed the mounted ConfigMap (usually within a minute or two)")
        return lines


def generate_custom_for(inventory, cluster, live: LiveConfig) -> tuple[dict, list]:
    """({key: text}, warnings): the cluster's coredns-custom keys. They are read back from the built-in template's
    rendering, so they are byte for byte what `generate --output-format coredns-custom` prints."""
    import yaml

    from ..generator.inventory import InventoryError
    from ..generator.model import build
    from ..generator.render import TemplateError, render

    try:
        config = build(inventory, cluster, "coredns-custom")
        text = render(config, "coredns-custom")
    except InventoryError as e:
        raise K8sError(f"context {live.context!r}: cannot generate the {CUSTOM_CONFIGMAP} keys of {cluster.name}: "
                       + "; ".join(str(p) for p in e.problems))
    except TemplateError as e:
        raise K8sError(f"context {live.context!r}: {e}")
    data = (yaml.safe_load(text) or {}).get("data") or {}
    return {str(k): v for k, v in data.items()}, list(config.warnings)


def _deployment(k8s_cluster, name: str, namespace: str) -> Optional[dict]:
    """The CoreDNS Deployment, or None when it cannot be read (a refused read only leaves the check out)."""
    from .client import ApiFailure

    try:
        items = k8s_cluster.list("deployments", namespace)
    except ApiFailure as e:
        if e.status in (403, 404):
            return None
        raise
    return next((d for d in items if (d.get("metadata") or {}).get("name") == name), None)


def mounts_configmap(deployment: dict, name: str) -> bool:
    """Whether the Deployment's pods get a volume from the ConfigMap (directly or in a projected volume)."""
    spec = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {})
    for volume in spec.get("volumes") or []:
        if ((volume.get("configMap") or {}).get("name")) == name:
            return True
        for source in ((volume.get("projected") or {}).get("sources") or []):
            if ((source.get("configMap") or {}).get("name")) == name:
                return True
    return False


def plan_custom(inventory, cluster, k8s_cluster, namespace: str, configmap: str, key: str) -> CustomPlan:
    from ..linter import lint_tree

    live = read_live(k8s_cluster, namespace, configmap, key)
    generated, warnings = generate_custom_for(inventory, cluster, live)
    version, deployment = running_release(k8s_cluster, namespace, cluster)

    current = live.custom_data()
    changes = [KeyChange(k, current.get(k), text) for k, text in generated.items() if current.get(k) != text]
    # Our keys and the backups we keep of them are ours; everything else belongs to someone else.
    ours = set(generated) | {k + BACKUP_SUFFIX for k in generated}
    foreign = sorted(k for k in current if k not in ours)
    p = CustomPlan(cluster.name, live.context, live, generated, version, changes, foreign,
                   deployment=deployment, warnings=list(warnings))

    # What CoreDNS would load: the provider's Corefile with the ConfigMap as it will be, mounted under custom/.
    after = dataclasses.replace(live, custom={"data": {**current, **generated}})
    trees = parse_live(after)
    main = trees[0]
    imported = {f for imp in main.imports for f in imp.files}
    # Keys the Corefile does not import are not loaded, but ours are still checked on their own.
    p.trees = [main] + [t for t in trees[1:] if t.path in {p.label(k) for k in generated}]
    p.lint_errors = [d for t in p.trees for d in lint_tree(t, version) if d.severity == "error"]

    for k in changes:
        state = "live" if k.old is not None else ("new configmap" if p.creates else "new key")
        p.diff += "".join(difflib.unified_diff(
            (k.old or "").splitlines(keepends=True), k.new.splitlines(keepends=True),
            fromfile=f"{p.label(k.key)} ({state}, context {live.context})",
            tofile=f"{p.label(k.key)} (generated for {cluster.name})"))

    not_loaded = [k for k in generated if p.label(k) not in imported]
    if len(not_loaded) == len(generated):
        p.warnings.append(f"{live.label} imports no custom/*.server file, so CoreDNS will not load the generated "
                          f"keys (a Corefile made for {CUSTOM_CONFIGMAP} has `import custom/*.server` at its top "
                          "level); is this cluster's flavour coredns-custom?")
    elif not_loaded:
        p.warnings.append(f"{live.label} does not import {', '.join(not_loaded)}: CoreDNS will not load "
                          f"{'it' if len(not_loaded) == 1 else 'them'}")
    found = _deployment(k8s_cluster, p.deployment, namespace)
    if found is not None and not mounts_configmap(found, CUSTOM_CONFIGMAP):
        p.warnings.append(f"deployment {namespace}/{p.deployment} mounts no volume from configmap "
                          f"{CUSTOM_CONFIGMAP}: its pods will not see the generated keys")
    if foreign:
        p.notes.append(f"{p.where}: key(s) not generated for {cluster.name}, left as they are: {', '.join(foreign)}")
    for k in foreign:
        if k.endswith(SERVER_SUFFIX) and k.startswith(GENERATED_PREFIXES):
            p.warnings.append(f"configmap {namespace}/{CUSTOM_CONFIGMAP}: key {k} is named like a generated block "
                              f"but is not generated for {cluster.name} any more (a peer or stub domain left the "
                              "inventory?); it is left as it is: delete it by hand if it is stale")
    p.reload = has_reload(parse_live(live)[:1])
    if changes and not p.reload:
        restart = restart_command(live.context, namespace, p.deployment)
        p.warnings.append(f"the running Corefile has no reload plugin, so CoreDNS will not load the new "
                          f"{CUSTOM_CONFIGMAP} keys; restart it: {restart}")
    return p


def updated_custom_configmap(p: CustomPlan) -> dict:
    """The coredns-custom ConfigMap to send: a new one holding only the generated keys, or the live object with
    the changed keys and a backup of each one's previous text, every other key as it was. An update carries the
    resourceVersion that was read, so a concurrent change is refused rather than overwritten."""
    if p.creates:
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": CUSTOM_CONFIGMAP, "namespace": p.live.namespace},
                "data": dict(p.generated)}
    obj = copy.deepcopy(p.live.custom)
    obj.setdefault("apiVersion", "v1")
    obj.setdefault("kind", "ConfigMap")
    if not isinstance(obj.get("data"), dict):
        obj["data"] = {}
    data = obj["data"]
    for c in p.changes:
        if c.old is not None:
            data[c.key + BACKUP_SUFFIX] = c.old
        data[c.key] = c.new
    return obj


def send_custom(p: CustomPlan, k8s_cluster, dry_run: bool) -> None:
    from .client import ApiFailure

    obj = updated_custom_configmap(p)
    what = f"configmap {p.live.namespace}/{CUSTOM_CONFIGMAP}"
    again = "run the command again to see the new difference"
    try:
        if p.creates:
            k8s_cluster.create("configmaps", obj, dry_run=dry_run)
        else:
            k8s_cluster.replace("configmaps", obj, dry_run=dry_run)
    except ApiFailure as e:
        # Someone else created or deleted it after it was read: the same conflict as a changed resourceVersion.
        if p.creates and e.status == 409:
            raise K8sError(f"context {p.context!r}: conflict: {what} was created since it was read; nothing was "
                           f"overwritten, {again}") from None
        if not p.creates and e.status == 404:
            raise K8sError(f"context {p.context!r}: conflict: {what} was deleted since it was read; nothing was "
                           f"written, {again}") from None
        raise


def send_plan(p, k8s_cluster, dry_run: bool) -> None:
    """Either flavour's write (or dry run)."""
    (send_custom if isinstance(p, CustomPlan) else send)(p, k8s_cluster, dry_run)
