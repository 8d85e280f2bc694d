"""The Corefile CoreDNS reads in a cluster: the `coredns` ConfigMap's `Corefile` key and, on managed clusters, the
`coredns-custom` ConfigMap's keys, which the CoreDNS pod sees as files under `custom/` next to the Corefile
(that is where AKS-style deployments mount it, and what `import custom/*.server` in their Corefile reads).

Parsing happens in a private temporary directory laid out like the pod's config directory, so `import`s resolve
against ConfigMap keys and never against the local disk; every position is then renamed to the ConfigMap key it
came from, e.g. `configmap/kube-system/coredns:Corefile`, so diagnostics point where the user edits.

`{$VAR}` references expand from the environment CoreDNS's container gets from its Deployment: the literal `env`
values of the container that mounts the ConfigMap. A value the spec only points at (a Secret's or ConfigMap's
key, a pod field, `envFrom`) is not read: such a variable stays unset here, and the tree's `env_notes` say
where its value comes from, so lint's "cannot check" says so. Values are used for checking, never printed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Optional

from . import K8sError
from . import CONFIGMAP, KEY, NAMESPACE

CUSTOM_CONFIGMAP = "coredns-custom"
CUSTOM_DIR = "custom"
SERVER_SUFFIX = ".server"
POD_CONFIG_DIR = "/etc/coredns"


def configmap_label(namespace: str, name: str, key: str) -> str:
    return f"configmap/{namespace}/{name}:{key}"


@dataclass
class PodEnv:
    """The environment CoreDNS's container gets from its Deployment's pod template, as far as the spec tells it.
    Holds variable names, the literal values (for checking only) and where the other values come from; never a
    value that lives elsewhere (Secrets and ConfigMaps are not read)."""
    values: dict = field(default_factory=dict)     # name -> literal value, after Kubernetes' $(VAR) expansion
    unread: dict = field(default_factory=dict)     # name -> where its value comes from (not read here)
    where: str = ""                                # "container C of deployment NS/NAME"; "" when none was found
    why_unknown: str = ""                          # when where is "": why the environment is not known
    env_from: tuple = ()                           # the container's envFrom sources, e.g. "Secret dns-creds"

    def note(self, name: str) -> str:
        """Why the variable `name` has no value here, for lint's "cannot check" (names only)."""
        if not self.where:
            return f"the CoreDNS Deployment's environment is not known: {self.why_unknown}"
        if name in self.unread:
            return f"{self.where} sets it from {self.unread[name]}, which is not read"
        if self.env_from:
            return f"{self.where} has no env entry for it; its envFrom ({', '.join(self.env_from)}) may set it " \
                   "and is not read"
        return f"{self.where} does not set it"


@dataclass
class LiveConfig:
    context: str
    namespace: str
    name: str
    key: str
    configmap: dict                 # as read: its resourceVersion guards a later write
    custom: Optional[dict] = None   # the coredns-custom ConfigMap, when the cluster has one
    env: Optional[PodEnv] = None    # CoreDNS's environment (None: not read, references expand to nothing)

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
    return LiveConfig(cluster.context, namespace, name, key, configmap, custom, read_pod_env(cluster, namespace, name))


def read_pod_env(cluster, namespace: str, configmap: str) -> PodEnv:
    """The environment of the container that reads the ConfigMap `configmap` (the one mounting it; else, as for
    the release, one running a coredns image, the Deployment named coredns first). A refused or failed list of
    Deployments leaves it unknown, with the reason: the Corefile is still linted."""
    from .client import ApiFailure

    try:
        deployments = cluster.list("deployments", namespace)
    except ApiFailure as e:
        status = f"{e.status} {e.reason}" if e.reason else str(e.status)
        return PodEnv(why_unknown=f"deployments in {namespace} are not readable ({status})")
    found = _coredns_container(deployments, configmap)
    if found is None:
        return PodEnv(why_unknown=f"no deployment in {namespace} mounts configmap {configmap} or runs a coredns "
                                  "image")
    deployment, container = found
    where = f"container {container.get('name', '')} of deployment " \
            f"{namespace}/{(deployment.get('metadata') or {}).get('name', '')}"
    return _container_env(container, where)


def _pod_spec(deployment: dict) -> dict:
    return ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}


def _coredns_container(deployments: list, configmap: str):
    """(Deployment, container) of CoreDNS, or None."""
    ordered = sorted(deployments, key=lambda d: (d.get("metadata") or {}).get("name", ""))
    for d in ordered:
        spec = _pod_spec(d)
        volumes = {v.get("name") for v in spec.get("volumes") or []
                   if (v.get("configMap") or {}).get("name") == configmap
                   or any((s.get("configMap") or {}).get("name") == configmap
                          for s in (v.get("projected") or {}).get("sources") or [])}
        for c in spec.get("containers") or []:
            if volumes and any(m.get("name") in volumes for m in c.get("volumeMounts") or []):
                return d, c
    for d in sorted(ordered, key=lambda d: (d.get("metadata") or {}).get("name") != "coredns"):
        for c in _pod_spec(d).get("containers") or []:
            repository = (c.get("image") or "").split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
            if "coredns" in repository.lower():
                return d, c
    return None


def _container_env(container: dict, where: str) -> PodEnv:
    """The kubelet's reading of a container's env (pkg/kubelet makeEnvironmentVariables): envFrom first, then each
    env entry in order, a later one replacing an earlier one of the same name; a literal value has its $(VAR)
    references expanded from the entries before it. None stands for a value that is not known here."""
    state: dict = {}
    unread: dict = {}
    sources = []
    for source in container.get("envFrom") or []:
        for kind, field_name in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = source.get(field_name)
            if ref is not None:
                prefix = source.get("prefix")
                sources.append(f"{kind} {ref.get('name', '')}" + (f" with prefix {prefix}" if prefix else ""))
    for entry in container.get("env") or []:
        name = entry.get("name")
        if not name:
            continue
        value = entry.get("value") or ""
        source = entry.get("valueFrom")
        if value or not source:
            value, missing = _expand(value, state)
            if missing:
                state[name] = None
                unread[name] = "a value that refers to " + " and ".join(f"$({m})" for m in missing)
                continue
            state[name] = value
            unread.pop(name, None)
        else:
            state[name] = None
            unread[name] = _value_from(source)
    return PodEnv({k: v for k, v in state.items() if v is not None}, unread, where, "", tuple(sources))


def _value_from(source: dict) -> str:
    """Where a valueFrom entry takes its value from, in words (names only)."""
    if "secretKeyRef" in source:
        ref = source["secretKeyRef"] or {}
        return f"key {ref.get('key', '')} of Secret {ref.get('name', '')}"
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"] or {}
        return f"key {ref.get('key', '')} of ConfigMap {ref.get('name', '')}"
    if "fieldRef" in source:
        return f"the pod's field {(source['fieldRef'] or {}).get('fieldPath', '')}"
    if "resourceFieldRef" in source:
        return f"the container's resource {(source['resourceFieldRef'] or {}).get('resource', '')}"
    return "a source the pod resolves when it starts"


def _expand(text: str, state: dict) -> tuple:
    """Kubernetes' $(VAR) expansion of an env value (third_party/forked/golang/expansion): `$$` is `$`, `$(NAME)`
    the value of an entry before it. (text, names whose values are not known here): a name the env does not
    define may still be a service-link or envFrom variable, so it is not known rather than kept as written."""
    out, missing, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == "$" and i + 1 < n:
            following = text[i + 1]
            if following == "$":
                out.append("$")
                i += 2
                continue
            if following == "(":
                close = text.find(")", i + 2)
                if close < 0:                      # an unclosed reference stays as written
                    out.append("$(")
                    i += 2
                    continue
                name = text[i + 2:close]
                if not name:
                    out.append("$()")              # no variable has an empty name: kept as written
                elif state.get(name) is not None:
                    out.append(state[name])
                else:
                    missing.append(name)
                i = close + 1
                continue
            out.append(text[i:i + 2])
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out), missing


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
        # CoreDNS reads its pod's environment, not ours: the Deployment's literal env values, else nothing.
        env = live.env.values if live.env else {}
        main = Parser(main_text, main_path, env=env, base_dir=tmp).parse()
        imported = {f for imp in main.imports for f in imp.files}
        trees = [_relabel(main, labels, tmp)]
        for key in sorted(custom):
            path = os.path.join(tmp, CUSTOM_DIR, key)
            if key.endswith(SERVER_SUFFIX) and path not in imported:
                tree = Parser(custom[key], path, env=env, base_dir=tmp).parse()
                trees.append(_relabel(tree, labels, tmp))
    if live.env:
        for tree in trees:
            # why each unset reference has no value here ("{$NAME}" and "{%NAME%}" hold the name two characters in)
            tree.env_notes = {ref: live.env.note(ref[2:-2 if ref[1] == "%" else -1]) for ref in tree.env_unset}
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
