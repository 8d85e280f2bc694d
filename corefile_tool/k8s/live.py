"""The Corefile CoreDNS reads in a cluster: the `coredns` ConfigMap's `Corefile` key and, on managed clusters, the
`coredns-custom` ConfigMap's keys, which the CoreDNS pod sees as files under `custom/` next to the Corefile
(that is where AKS-style deployments mount it, and what `import custom/*.server` in their Corefile reads).

Parsing happens in a private temporary directory laid out like the pod's config directory, so `import`s resolve
against ConfigMap keys and never against the local disk; every position is then renamed to the ConfigMap key it
came from, e.g. `configmap/kube-system/coredns:Corefile`, so diagnostics point where the user edits.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Optional

from . import K8sError

NAMESPACE = "kube-system"
CONFIGMAP = "coredns"
KEY = "Corefile"
CUSTOM_CONFIGMAP = "coredns-custom"
CUSTOM_DIR = "custom"
SERVER_SUFFIX = ".server"
POD_CONFIG_DIR = "/etc/coredns"


def configmap_label(namespace: str, name: str, key: str) -> str:
    return f"configmap/{namespace}/{name}:{key}"


@dataclass
class LiveConfig:
    context: str
    namespace: str
    name: str
    key: str
    configmap: dict                 # as read: its resourceVersion guards a later write
    custom: Optional[dict] = None   # the coredns-custom ConfigMap, when the cluster has one

    @property
    def text(self) -> str:
        return self.configmap["data"][self.key]

    @property
    def label(self) -> str:
        return configmap_label(self.namespace, self.name, self.key)

    @property
    def resource_version(self) -> str:
        return self.configmap["metadata"].get("resourceVersion", "")

    def custom_data(self) -> dict:
        return dict((self.custom or {}).get("data") or {})


def read_live(cluster, namespace: str = NAMESPACE, name: str = CONFIGMAP, key: str = KEY,
              custom_name: Optional[str] = CUSTOM_CONFIGMAP) -> LiveConfig:
    configmap = cluster.get_optional("configmaps", name, namespace)
    if configmap is None:
        raise K8sError(f"context {cluster.context!r}: configmap {namespace}/{name} not found "
                       "(is CoreDNS configured elsewhere? see --namespace and --configmap)")
    data = configmap.get("data") or {}
    if key not in data:
        keys = ", ".join(sorted(data)) or "none"
        raise K8sError(f"context {cluster.context!r}: configmap {namespace}/{name} has no key {key!r} "
                       f"(keys: {keys}; see --key)")
    custom = cluster.get_optional("configmaps", custom_name, namespace) if custom_name else None
    return LiveConfig(cluster.context, namespace, name, key, configmap, custom)


def parse_live(live: LiveConfig, text: Optional[str] = None) -> list:
    """The live Corefile as trees: the main one (with `custom/` imports resolved), then each coredns-custom
    `*.server` key the main one does not import, parsed on its own (CoreDNS would not read it, but it is meant
    to be imported and is worth checking). `text` replaces the main Corefile's text (a generated one)."""
    import tempfile  # here, not at module load: `corefile lint` imports this module at start-up

    from ..parser import Parser

    main_text = live.text if text is None else text
    custom = {k: v for k, v in live.custom_data().items() if k not in (".", "..") and "/" not in k}
    with tempfile.TemporaryDirectory(prefix="corefile-k8s-") as tmp:
        tmp = os.path.realpath(tmp)
        labels = {}
        main_path = os.path.join(tmp, "Corefile")
        labels[main_path] = live.label
        if custom:
            os.mkdir(os.path.join(tmp, CUSTOM_DIR))
        for key, value in custom.items():
            path = os.path.join(tmp, CUSTOM_DIR, key)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(value)
            labels[path] = configmap_label(live.namespace, CUSTOM_CONFIGMAP, key)
        # CoreDNS reads the pod's environment, which is not ours: references expand to nothing.
        main = Parser(main_text, main_path, env={}, base_dir=tmp).parse()
        imported = {f for imp in main.imports for f in imp.files}
        trees = [_relabel(main, labels, tmp)]
        for key in sorted(custom):
            path = os.path.join(tmp, CUSTOM_DIR, key)
            if key.endswith(SERVER_SUFFIX) and path not in imported:
                tree = Parser(custom[key], path, env={}, base_dir=tmp).parse()
                trees.append(_relabel(tree, labels, tmp))
    return trees


def _relabel(corefile, labels: dict, tmp: str):
    """Rename every file position in a parsed tree from the temporary files to ConfigMap keys; in messages, the
    temporary directory becomes /etc/coredns, where CoreDNS deployments mount the ConfigMap."""
    def name(path: str) -> str:
        return labels.get(path, path)

    def swap(text: str) -> str:
        for path in sorted(labels, key=len, reverse=True):
            text = text.replace(path, labels[path])
        return text.replace(tmp, POD_CONFIG_DIR)

    def fix(token):
        if token is None:
            return
        if token.file:
            token.file = name(token.file)
        if token.origin:
            token.origin = tuple((name(p), line, column) for p, line, column in token.origin)

    corefile.path = name(corefile.path)
    for block in corefile.server_blocks:
        for k in block.keys:
            fix(k.token)
        fix(block.open)
        fix(block.close)
        for d in block.directives:
            for t in d.tokens():
                fix(t)
    for snippet in corefile.snippets:
        fix(snippet.token)
        for t in snippet.body:
            fix(t)
    for imp in corefile.imports:
        fix(imp.token)
        fix(getattr(imp, "argument", None))
        imp.files = [name(f) for f in imp.files]
    for t in corefile.tokens:
        fix(t)
    for c in corefile.comments:
        if c.file:
            c.file = name(c.file)
    corefile.sources = {name(k) if k else k: v for k, v in corefile.sources.items()}
    corefile.diagnostics = [replace(d, path=name(d.path), message=swap(d.message)) for d in corefile.diagnostics]
    return corefile


def cluster_domain_zones(corefile) -> tuple[Optional[str], list[str], Optional[object]]:
    """The `kubernetes` plugin's zones in the first server block that has one: (primary zone, the other
    non-reverse zones, the directive). The primary zone is the first non-reverse one (plugin/kubernetes
    setup.go), which is the cluster domain; zones are written without the trailing dot."""
    from ..addresses import zones_from_args

    for block in corefile.server_blocks:
        for d in block.find("kubernetes"):
            block_zones = [z for k in block.keys if k.address and k.address.zones for z in k.address.zones]
            zones = zones_from_args(d.arg_texts, block_zones)
            forward = [z for z in zones if not _is_reverse(z)]
            if not forward:
                continue
            plain = [z.rstrip(".") or "." for z in forward]
            # Other names it answers for may be a mesh domain; the bare arpa zones and the root never are.
            others = [z for z in plain[1:] if z not in (".", "in-addr.arpa", "ip6.arpa", plain[0])]
            return plain[0], others, d
    return None, [], None


def _is_reverse(zone: str) -> bool:
    # dnsutil.IsReverse is a suffix test on ".in-addr.arpa." / ".ip6.arpa.": the bare arpa zones do not count.
    return zone.endswith(".in-addr.arpa.") or zone.endswith(".ip6.arpa.")
