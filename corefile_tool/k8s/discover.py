"""An inventory for `corefile generate`, read from the clusters of kubeconfig contexts.

Per context: the CoreDNS Service gives the address other clusters can reach, the live Corefile's `kubernetes`
zones give the cluster domain (and a mesh domain already configured), the Deployment's image tag gives the CoreDNS
version, and the ServiceCIDR API, kubeadm's ClusterConfiguration or the control-plane pods' flags give the service
and pod CIDRs. Every value carries a note saying where it came from; values the clusters cannot tell are guessed
and say so, and the rendered YAML carries the notes as comments.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Optional

from . import K8sError
from .client import ApiFailure
from .live import CONFIGMAP, KEY, NAMESPACE, cluster_domain_zones, configmap_label

DEFAULT_SERVICE = "kube-system/kube-dns"
DEFAULT_MESH_SUFFIX = "mesh.internal"     # .internal is reserved for private use (ICANN, 2024)
MAX_NODE_ADDRESSES = 3                    # NodePort: a few nodes are enough for forward's health checks
# What the inventory schema accepts as a domain (templates/inventory.schema.json, $defs.domain).
_DOMAIN = re.compile(r"^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$", re.I)


def is_inventory_domain(text: str) -> bool:
    return len(text) <= 253 and bool(_DOMAIN.match(text))


@dataclass
class Value:
    value: object
    note: str
    guessed: bool = False


@dataclass
class Discovered:
    context: str
    name: Value
    domain: Value
    mesh_domain: Value
    dns: Value
    coredns_version: Optional[Value] = None
    service_cidr: Optional[Value] = None
    pod_cidr: Optional[Value] = None
    missing: dict = field(default_factory=dict)    # field -> why it is not in the inventory
    warnings: list = field(default_factory=list)


# --------------------------------------------------------------------------- one cluster
def discover_cluster(cluster, service: str = DEFAULT_SERVICE, mesh_suffix: str = DEFAULT_MESH_SUFFIX,
                     configmap: str = CONFIGMAP, key: str = KEY) -> Discovered:
    namespace, _, service_name = service.partition("/")
    svc = cluster.get_optional("services", service_name, namespace)
    if svc is None:
        raise K8sError(f"context {cluster.context!r}: service {namespace}/{service_name} not found "
                       "(name the CoreDNS Service with --service NAMESPACE/NAME)")
    warnings: list = []
    dns = choose_addresses(cluster, svc, warnings)
    found = Discovered(cluster.context, Value(cluster_name(cluster.context), f"kubeconfig context {cluster.context}"),
                       Value("cluster.local", ""), Value("", ""), dns, warnings=warnings)
    _domains(cluster, found, namespace, configmap, key, mesh_suffix)
    _version(cluster, found, svc, namespace)
    _cidrs(cluster, found)
    return found


def cluster_name(context: str) -> str:
    """A context name as an inventory cluster name: lower-case letters, digits and '-', at most 63."""
    name = re.sub(r"[^a-z0-9-]+", "-", context.lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name)[:63].strip("-")
    return name or "cluster"


def _port(svc: dict, protocol: str) -> Optional[dict]:
    """The Service's DNS port for a protocol: the one on port 53 (or named dns/dns-tcp), else the first."""
    ports = [p for p in (svc.get("spec") or {}).get("ports") or [] if (p.get("protocol") or "TCP") == protocol]
    for p in ports:
        if p.get("port") == 53:
            return p
    for p in ports:
        if p.get("name") in ("dns", "dns-tcp"):
            return p
    return ports[0] if ports else None


def host_port(ip: str, port: int) -> str:
    """An inventory `dns` entry: the bare address for port 53, else IP:PORT ([IPv6]:PORT)."""
    if port == 53:
        return ip
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def entry_ip(entry: str) -> str:
    """The address of a `dns` entry written by host_port: [v6]:port, v4:port, or a bare address."""
    if entry.startswith("["):
        return entry[1:entry.index("]")]
    return entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def choose_addresses(cluster, svc: dict, warnings: list) -> Value:
    """LoadBalancer ingress, then external IPs, then a NodePort on the nodes' InternalIPs, then the ClusterIP."""
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    where = f"service {meta.get('namespace')}/{meta.get('name')}"
    udp = _port(svc, "UDP") or _port(svc, "TCP")
    if udp is None:
        raise K8sError(f"context {cluster.context!r}: {where} has no ports; is it the CoreDNS Service?")
    port = int(udp.get("port") or 53)

    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    ips = [i["ip"] for i in ingress if i.get("ip") and _is_ip(i["ip"])]
    hostnames = [i["hostname"] for i in ingress if i.get("hostname") and not i.get("ip")]
    if hostnames:
        warnings.append(f"{where}: load balancer {', '.join(hostnames)} has a host name, not an IP; forward "
                        "needs addresses, so resolve it and add the IPs to dns by hand")
    if ips:
        return Value([host_port(ip, port) for ip in ips[:15]], f"load balancer ingress of {where}, port {port}")

    external = [ip for ip in spec.get("externalIPs") or [] if _is_ip(ip)]
    if external:
        return Value([host_port(ip, port) for ip in external[:15]], f"external IPs of {where}, port {port}")

    node_port = udp.get("nodePort")
    if node_port and spec.get("type") in ("NodePort", "LoadBalancer"):
        tcp = next((p for p in spec.get("ports") or [] if (p.get("protocol") or "TCP") == "TCP"
                    and p.get("port") == udp.get("port")), None)
        if tcp is not None and tcp.get("nodePort") not in (None, node_port):
            warnings.append(f"{where}: TCP NodePort {tcp.get('nodePort')} differs from UDP NodePort {node_port}; "
                            "forward retries truncated answers over TCP on the same port, so those would fail")
        nodes = _node_addresses(cluster)
        if nodes:
            chosen = nodes[:MAX_NODE_ADDRESSES]
            of = f"{len(chosen)} of {len(nodes)}" if len(nodes) > len(chosen) else "the"
            return Value([host_port(ip, int(node_port)) for _, ip in chosen],
                         f"NodePort {node_port} of {where} on {of} Ready nodes' InternalIPs "
                         f"({', '.join(n for n, _ in chosen)})")
        warnings.append(f"{where}: NodePort {node_port} but no Ready node with an InternalIP")

    cluster_ips = [ip for ip in spec.get("clusterIPs") or [spec.get("clusterIP")] if ip and _is_ip(ip)]
    if not cluster_ips:
        raise K8sError(f"context {cluster.context!r}: {where} has no load balancer, external IP, NodePort or "
                       "ClusterIP address")
    warnings.append(f"{where} is only reachable on its ClusterIP {cluster_ips[0]}; ClusterIPs are usually not "
                    "routable from other clusters (expose CoreDNS with a LoadBalancer or NodePort Service)")
    return Value([host_port(ip, port) for ip in cluster_ips], f"guessed: ClusterIP of {where}, usually not "
                 "routable from other clusters", guessed=True)


def _node_addresses(cluster) -> list:
    """(node name, first InternalIP) of every Ready node, by name."""
    out = []
    for node in cluster.list("nodes"):
        status = node.get("status") or {}
        ready = next((c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"), "True")
        if ready != "True":
            continue
        ip = next((a.get("address") for a in status.get("addresses") or []
                   if a.get("type") == "InternalIP" and _is_ip(a.get("address") or "")), None)
        if ip:
            out.append(((node.get("metadata") or {}).get("name", ""), ip))
    return sorted(out)


def _domains(cluster, found: Discovered, namespace: str, configmap: str, key: str, mesh_suffix: str):
    label = configmap_label(namespace, configmap, key)
    guessed_mesh = f"{found.name.value}.{mesh_suffix}"
    try:
        cm = cluster.get_optional("configmaps", configmap, namespace)
    except ApiFailure as e:
        if e.status != 403:
            raise
        cm, why = None, f"configmap {namespace}/{configmap} is not readable (403)"
    else:
        why = f"no configmap {namespace}/{configmap}" if cm is None else ""
    text = ((cm or {}).get("data") or {}).get(key)
    if cm is not None and text is None:
        why = f"configmap {namespace}/{configmap} has no key {key}"
    primary = others = None
    if text is not None:
        from ..parser import parse

        primary, others, _ = cluster_domain_zones(parse(text, path=label, env={}))
        if primary is None:
            why = f"no kubernetes plugin in {label}"
    if primary:
        found.domain = Value(primary, f"first zone of the kubernetes plugin in {label}")
    else:
        found.domain = Value("cluster.local", f"guessed: Kubernetes' default ({why})", guessed=True)
    if others:
        found.mesh_domain = Value(others[0], f"second zone of the kubernetes plugin in {label}")
    else:
        found.mesh_domain = Value(guessed_mesh, "guessed: set the unique name other clusters will use",
                                  guessed=True)


_VERSION_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def version_from_image(image: str) -> tuple[Optional[str], str, bool]:
    """(known CoreDNS version or None, note, guessed) for a container image reference."""
    from ..knowledge.spec import version_tuple
    from ..knowledge.versions import VERSIONS

    reference = image.split("@", 1)[0]
    last = reference.rsplit("/", 1)[-1]
    if ":" not in last:
        return None, f"image {image} has no tag", False
    tag = last.split(":", 1)[1]
    m = _VERSION_TAG.match(tag)
    if not m:
        return None, f"image tag {tag!r} is not a version", False
    version = ".".join(str(int(g)) for g in m.groups())
    if version in VERSIONS:
        return version, f"image tag of {image}", False
    older = [v for v in VERSIONS if version_tuple(v) <= version_tuple(version)]
    if not older:
        return None, f"image tag {tag!r} is older than CoreDNS {VERSIONS[0]}, the oldest release known", False
    return older[-1], f"guessed: image tag {tag!r} is not a release this tool knows; nearest older one", True


def read_coredns_version(cluster, selector: dict, namespace: str) -> tuple[Optional[Value], str, str]:
    """(version, "", deployment name) from the image tag of the Deployment whose pods the Service selects (the
    one named coredns when there is no selector), or (None, why not, deployment name or "")."""
    try:
        deployments = cluster.list("deployments", namespace)
    except ApiFailure as e:
        if e.status != 403:
            raise
        return None, f"deployments in {namespace} are not readable (403)", ""
    for d in sorted(deployments, key=lambda d: (d.get("metadata") or {}).get("name", "")):
        template = ((d.get("spec") or {}).get("template") or {})
        labels = (template.get("metadata") or {}).get("labels") or {}
        name = (d.get("metadata") or {}).get("name", "")
        if selector and not all(labels.get(k) == v for k, v in selector.items()):
            continue
        if not selector and name != "coredns":
            continue
        for c in (template.get("spec") or {}).get("containers") or []:
            image = c.get("image") or ""
            repository = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
            if "coredns" not in repository.lower():
                continue
            version, note, guessed = version_from_image(image)
            if version:
                return Value(version, f"{note} (deployment {namespace}/{name})", guessed), "", name
            return None, f"{note} (deployment {namespace}/{name})", name
    return None, f"no deployment in {namespace} runs a coredns image for the Service's pods", ""


def _version(cluster, found: Discovered, svc: dict, namespace: str):
    value, why, _ = read_coredns_version(cluster, (svc.get("spec") or {}).get("selector") or {}, namespace)
    if value:
        found.coredns_version = value
    else:
        found.missing["coredns_version"] = why


def _split_cidrs(text: str) -> list:
    out = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            continue
    return out


def _flag(pods: list, flag: str) -> list:
    for pod in pods:
        for c in (pod.get("spec") or {}).get("containers") or []:
            for arg in list(c.get("command") or []) + list(c.get("args") or []):
                if arg.startswith(flag + "="):
                    return _split_cidrs(arg.split("=", 1)[1])
    return []


def _cidrs(cluster, found: Discovered):
    """Service CIDRs: the ServiceCIDR API (Kubernetes 1.33+), kubeadm's ClusterConfiguration, the API server's
    --service-cluster-ip-range; pod CIDRs: kubeadm's podSubnet, the controller manager's --cluster-cidr."""
    refused = []       # (what was refused, the fields it could have given)
    service = pod = None
    try:
        items = cluster.list("servicecidrs")
        cidrs = [c for item in sorted(items, key=lambda i: (i.get("metadata") or {}).get("name", ""))
                 for c in _split_cidrs(",".join((item.get("spec") or {}).get("cidrs") or []))]
        if cidrs:
            service = Value(cidrs, "ServiceCIDR objects (networking.k8s.io/v1)")
    except ApiFailure as e:
        if e.status not in (403, 404):
            raise
        if e.status == 403:
            refused.append(("servicecidrs", ("service_cidr",)))
    try:
        kubeadm = cluster.get_optional("configmaps", "kubeadm-config", NAMESPACE)
    except ApiFailure as e:
        if e.status != 403:
            raise
        kubeadm = None
        refused.append(("configmap kube-system/kubeadm-config", ("service_cidr", "pod_cidr")))
    if kubeadm:
        from ..yamlfile import YamlError, safe_load

        data = kubeadm.get("data") if isinstance(kubeadm, dict) else None
        text = data.get("ClusterConfiguration") if isinstance(data, dict) else None
        try:
            conf = (safe_load(text, "kubeadm-config") if isinstance(text, str) else None) or {}
        except YamlError:
            conf = {}
        networking = conf.get("networking") if isinstance(conf, dict) else None
        if isinstance(networking, dict):
            where = "networking.{} of kubeadm's ClusterConfiguration (configmap kube-system/kubeadm-config)"
            if service is None and _split_cidrs(networking.get("serviceSubnet") or ""):
                service = Value(_split_cidrs(networking["serviceSubnet"]), where.format("serviceSubnet"))
            if _split_cidrs(networking.get("podSubnet") or ""):
                pod = Value(_split_cidrs(networking["podSubnet"]), where.format("podSubnet"))
    if service is None or pod is None:
        try:
            control_plane = cluster.list("pods", NAMESPACE, label_selector="tier=control-plane")
        except ApiFailure as e:
            if e.status != 403:
                raise
            control_plane = []
            refused.append(("pods in kube-system", ("service_cidr", "pod_cidr")))
        if service is None:
            apiservers = [p for p in control_plane
                          if ((p.get("metadata") or {}).get("labels") or {}).get("component") == "kube-apiserver"]
            if _flag(apiservers, "--service-cluster-ip-range"):
                service = Value(_flag(apiservers, "--service-cluster-ip-range"),
                                "--service-cluster-ip-range of the kube-apiserver pod")
        if pod is None:
            managers = [p for p in control_plane if ((p.get("metadata") or {}).get("labels") or {}).get(
                "component") == "kube-controller-manager"]
            if _flag(managers, "--cluster-cidr"):
                pod = Value(_flag(managers, "--cluster-cidr"), "--cluster-cidr of the kube-controller-manager pod")
    looked_for = {
        "service_cidr": "no ServiceCIDR objects, no serviceSubnet in kubeadm's ClusterConfiguration, no "
                        "--service-cluster-ip-range on a kube-apiserver pod",
        "pod_cidr": "no podSubnet in kubeadm's ClusterConfiguration, no --cluster-cidr on a "
                    "kube-controller-manager pod",
    }
    for fld, value in (("service_cidr", service), ("pod_cidr", pod)):
        if value is not None:
            setattr(found, fld, value)
            continue
        denied = [what for what, fields in refused if fld in fields]
        found.missing[fld] = (f"not readable ({', '.join(denied)}: 403)" if denied
                              else f"not readable from the API ({looked_for[fld]})")


# --------------------------------------------------------------------------- all clusters
def discover(clusters, service: str = DEFAULT_SERVICE, mesh_suffix: str = DEFAULT_MESH_SUFFIX,
             configmap: str = CONFIGMAP, key: str = KEY) -> list[Discovered]:
    found = [discover_cluster(c, service, mesh_suffix, configmap, key) for c in clusters]
    _unique_names(found, mesh_suffix)
    _drop_overlapping_cidrs(found)
    _warn_shadowed_addresses(found)
    return found


def _warn_shadowed_addresses(found: list):
    """An address inside another cluster's service or pod CIDR reaches that cluster's own pods from there."""
    for d in found:
        for entry in d.dns.value:
            ip = ipaddress.ip_address(entry_ip(entry))
            for other in found:
                if other is d:
                    continue
                for fld in ("service_cidr", "pod_cidr"):
                    v = getattr(other, fld)
                    if v and any(ip in ipaddress.ip_network(c) for c in v.value):
                        d.warnings.append(f"DNS address {ip} lies inside {other.name.value}'s "
                                          f"{fld.replace('_', ' ')}: from there it reaches {other.name.value}'s "
                                          "own pods, not this cluster")


def _unique_names(found: list, mesh_suffix: str):
    seen = set()
    for d in found:
        base = d.name.value
        name, n = base, 2
        while name in seen:
            suffix = f"-{n}"
            name = base[:63 - len(suffix)] + suffix
            n += 1
        seen.add(name)
        if name != base:
            d.name = Value(name, f"kubeconfig context {d.context} (suffix added: another context gives {base})")
            if d.mesh_domain.guessed:
                d.mesh_domain = Value(f"{name}.{mesh_suffix}", d.mesh_domain.note, True)


def _drop_overlapping_cidrs(found: list):
    """Reverse zones of a CIDR two clusters share cannot be routed to both (kubeadm clusters all default to
    10.96.0.0/12 and 10.244.0.0/16): leave such CIDRs out, with the reason."""
    owners = []
    for d in found:
        for fld in ("service_cidr", "pod_cidr"):
            v = getattr(d, fld)
            for cidr in (v.value if v else []):
                owners.append((d, fld, ipaddress.ip_network(cidr)))
    clash = {}
    for i, (d1, f1, n1) in enumerate(owners):
        for d2, f2, n2 in owners[i + 1:]:
            if d1 is not d2 and n1.version == n2.version and n1.overlaps(n2):
                clash.setdefault((id(d1), f1), (d1, f1, d2.name.value, n2))
                clash.setdefault((id(d2), f2), (d2, f2, d1.name.value, n1))
    for d, fld, other, net in clash.values():
        value = getattr(d, fld)
        setattr(d, fld, None)
        d.missing[fld] = (f"{', '.join(value.value)} overlaps {other}'s {net}, so it is left out (reverse "
                          f"lookups could not be routed to one cluster); read from {value.note}")


# --------------------------------------------------------------------------- YAML
def _scalar(value, flow: bool = False) -> str:
    """A YAML scalar that reads back as the same string (inside a flow sequence when `flow`)."""
    import json

    from ..yamlfile import YamlError, safe_load

    text = str(value)
    try:
        if flow:
            if safe_load(f"[{text}]") == [text]:
                return text
        elif safe_load(text) == text:
            return text
    except YamlError:
        pass
    return json.dumps(text)


def _field(indent: str, name: str, value: Value) -> str:
    if isinstance(value.value, list):
        if len(value.value) == 1 and name != "dns":
            rendered = _scalar(value.value[0])
        else:
            rendered = "[" + ", ".join(_scalar(v, flow=True) for v in value.value) + "]"
    elif name == "coredns_version":
        rendered = f'"{value.value}"'   # YAML would read a version like 1.10 as a number
    else:
        rendered = _scalar(value.value)
    return f"{indent}{name}: {rendered}  # {value.note}" if value.note else f"{indent}{name}: {rendered}"


def render_inventory(found: list) -> str:
    contexts = ", ".join(d.context for d in found)
    lines = [
        f"# Inventory for `corefile generate`, discovered by `corefile k8s discover` from kubeconfig context(s) "
        f"{contexts}.",
        "# Each comment says where the value came from; review every value marked \"guessed\".",
    ]
    versions = {d.coredns_version.value for d in found if d.coredns_version}
    shared_version = None
    if len(versions) == 1 and all(d.coredns_version and not d.coredns_version.guessed for d in found):
        shared_version = versions.pop()
        lines += ["defaults:",
                  _field("  ", "coredns_version", Value(shared_version, "every cluster runs it (Deployment image "
                                                                        "tags)"))]
    lines.append("clusters:")
    for d in found:
        lines.append(_field("  - ", "name", d.name))
        ind = "    "
        lines.append(_field(ind, "domain", d.domain))
        lines.append(_field(ind, "mesh_domain", d.mesh_domain))
        lines.append(_field(ind, "dns", d.dns))
        lines.append(_field(ind, "transport", Value("dns", "plain DNS; use tls (with tls_servername) if these "
                                                             "addresses serve DNS over TLS")))
        if d.coredns_version and shared_version is None:
            lines.append(_field(ind, "coredns_version", d.coredns_version))
        for fld in ("service_cidr", "pod_cidr"):
            if getattr(d, fld):
                lines.append(_field(ind, fld, getattr(d, fld)))
        for fld in ("coredns_version", "service_cidr", "pod_cidr"):
            if fld in d.missing:
                lines.append(f"{ind}# {fld}: {d.missing[fld]}")
        for w in d.warnings:
            lines.append(f"{ind}# warning: {w}")
    return "\n".join(lines) + "\n"
