"""A Kubernetes cluster's services, endpoints and pods, as the kubernetes and k8s_external plugins see them.

Read from `--cluster-state FILE` (JSON or YAML) in either of two shapes:

1. The simple shape:

   namespaces: [default, my-ns]          # optional; every namespace an object below names is added;
                                         # an entry may be {name: my-ns, labels: {team: a}} (namespace_labels)
   corednsIPs: [10.244.0.10]             # optional: CoreDNS's own pod addresses (the apex NS, ns.dns.ZONE)
   services:
     - name: my-svc
       namespace: my-ns
       clusterIP: 10.96.0.20             # or clusterIPs: [...]; "None" (or headless: true) = headless
       type: ClusterIP                   # ClusterIP (default), NodePort, LoadBalancer or ExternalName
       externalName: db.example.com      # ExternalName services only
       externalIPs: [203.0.113.7]        # external and load-balancer addresses (k8s_external)
       loadBalancerIngress: [{ip: 203.0.113.8}, {hostname: lb.example.net}]   # status.loadBalancer.ingress
       ports: [{name: http, port: 80, protocol: TCP}]
       labels: {app: web}                # optional (the kubernetes plugin's `labels` selector)
   endpoints:
     - name: my-svc                      # the service's name
       namespace: my-ns
       addresses: [{ip: 10.244.1.5, hostname: web-0, pod: web-0-pod}]
       ports: [{name: http, port: 8080, protocol: TCP}]
       # or subsets: [{addresses: [...], ports: [...]}]; addresses may carry zone: (topology zone)
       labels: {app: web}                # optional; default: the service's labels, as EndpointSlices get them
   pods:
     - {name: web-0-pod, namespace: my-ns, ip: 10.244.1.5}   # or ips: [...] (the first is status.podIP)

2. Kubernetes objects, e.g. `kubectl get namespaces,services,endpoints,pods -A -o yaml`: a `List` (or a
   sequence of documents) of Namespace, Service, Endpoints, EndpointSlice and Pod objects. Labels, load-balancer
   ingress host names and EndpointSlice zones are read; terminating pods (deletionTimestamp) are left out, as
   CoreDNS's pod cache leaves them out (plugin/kubernetes/object/pod.go ToPod).

Errors name the field (`services[2].clusterIP: ...`) and end the command.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional


class ClusterStateError(ValueError):
    pass


@dataclass(frozen=True)
class Port:
    name: str
    port: int
    protocol: str


@dataclass(frozen=True)
class Address:
    ip: str
    hostname: str = ""
    pod: str = ""
    zone: str = ""


@dataclass
class Subset:
    addresses: list
    ports: list
    labels: Optional[dict] = None     # the labels of the object it came from (set by ClusterState)
    source: int = 0                   # which endpoints object (EndpointSlice) it came from


@dataclass
class Service:
    name: str
    namespace: str
    type: str = "ClusterIP"
    cluster_ips: list = field(default_factory=list)
    external_name: str = ""
    external_ips: list = field(default_factory=list)
    ports: list = field(default_factory=list)
    headless_flag: bool = False
    labels: dict = field(default_factory=dict)
    # object.Service.ExternalIPs: spec.externalIPs, then each load-balancer ingress's IP or else its host name
    # (plugin/kubernetes/object/service.go ToService); None: the same as external_ips.
    external_hosts: Optional[list] = None

    @property
    def external(self) -> list:
        return self.external_ips if self.external_hosts is None else self.external_hosts

    @property
    def headless(self) -> bool:
        return self.headless_flag or self.cluster_ips == ["None"] or (
            not self.cluster_ips and self.type != "ExternalName")


@dataclass
class Endpoints:
    name: str
    namespace: str
    subsets: list = field(default_factory=list)
    labels: Optional[dict] = None     # None: the service's labels (the EndpointSlice controller copies them)


@dataclass
class Pod:
    name: str
    namespace: str
    ips: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)


class ClusterState:
    def __init__(self, namespaces=(), services=(), endpoints=(), pods=(), source: str = "", *,
                 coredns_ips=None, namespace_labels=None):
        self.source = source
        # CoreDNS's own (non-loopback) addresses, what the kubernetes plugin calls localIPs (local.go boundIPs);
        # None when the state does not say.
        self.coredns_ips = list(coredns_ips) if coredns_ips is not None else None
        # Labels of the namespaces whose Namespace object (or labelled entry) the state holds.
        self.namespace_labels: dict = dict(namespace_labels or {})
        self.services: dict[tuple, Service] = {}
        for s in services:
            self.services[(s.namespace, s.name)] = s
        self.endpoints: dict[tuple, Endpoints] = {}
        for source_id, e in enumerate(endpoints):
            labels = e.labels
            if labels is None:
                svc = self.services.get((e.namespace, e.name))
                labels = svc.labels if svc else {}
            for sub in e.subsets:
                if sub.labels is None:
                    sub.labels = labels
                sub.source = source_id
            existing = self.endpoints.get((e.namespace, e.name))
            if existing:
                existing.subsets.extend(e.subsets)
            else:
                self.endpoints[(e.namespace, e.name)] = e
        self.pods = list(pods)
        self.namespaces = set(namespaces)
        self.namespaces.update(ns for ns, _ in self.services)
        self.namespaces.update(ns for ns, _ in self.endpoints)
        self.namespaces.update(p.namespace for p in self.pods)
        self.by_cluster_ip: dict[str, list[Service]] = {}
        for s in self.services.values():
            for ip in s.cluster_ips:
                if ip != "None":
                    self.by_cluster_ip.setdefault(_canonical_ip(ip), []).append(s)
        self.endpoints_by_ip: dict[str, list[Endpoints]] = {}
        for e in self.endpoints.values():
            for sub in e.subsets:
                for a in sub.addresses:
                    lst = self.endpoints_by_ip.setdefault(_canonical_ip(a.ip), [])
                    if e not in lst:
                        lst.append(e)
        self.pods_by_ip: dict[str, list[Pod]] = {}
        for p in self.pods:
            for ip in p.ips:
                self.pods_by_ip.setdefault(_canonical_ip(ip), []).append(p)
        # The pod cache indexes status.podIP only (plugin/kubernetes/controller.go podIPIndexFunc): a pod's first IP.
        self.pods_by_pod_ip: dict[str, list[Pod]] = {}
        for p in self.pods:
            if p.ips:
                self.pods_by_pod_ip.setdefault(p.ips[0], []).append(p)

    def namespace_exists(self, ns: str) -> bool:
        return ns in self.namespaces

    def service(self, ns: str, name: str) -> Optional[Service]:
        return self.services.get((ns, name)) or self.services.get((ns.lower(), name.lower()))

    def endpoints_of(self, ns: str, name: str) -> Optional[Endpoints]:
        return self.endpoints.get((ns, name)) or self.endpoints.get((ns.lower(), name.lower()))

    @property
    def summary(self) -> str:
        return (f"{len(self.services)} services, {len(self.endpoints)} endpoints, {len(self.pods)} pods in "
                f"{len(self.namespaces)} namespaces")


def _canonical_ip(ip: str) -> str:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


# ------------------------------------------------------------------------------------------------ reading

def load_cluster_state(path: str) -> ClusterState:
    """Read a cluster state file; ClusterStateError (one line, naming the file and field) on any problem."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
    except FileNotFoundError:
        raise ClusterStateError(f"{path}: no such file") from None
    except OSError as e:
        raise ClusterStateError(f"{path}: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ClusterStateError(f"{path}{where}: not valid JSON or YAML ({getattr(e, 'problem', None) or e})") \
            from None
    try:
        return cluster_state_from_data(docs[0] if len(docs) == 1 else docs, source=path)
    except ClusterStateError as e:
        raise ClusterStateError(f"{path}: {e}") from None


def cluster_state_from_data(data, source: str = "") -> ClusterState:
    if isinstance(data, list) or (isinstance(data, dict) and ("items" in data or "kind" in data)):
        return _from_objects(data, source)
    if not isinstance(data, dict):
        raise ClusterStateError("expected a mapping with services, endpoints and pods, or Kubernetes objects")
    unknown = set(data) - {"namespaces", "services", "endpoints", "pods", "corednsIPs"}
    if unknown:
        raise ClusterStateError(f"unknown field {sorted(unknown)[0]!r} (expected namespaces, services, endpoints, "
                                f"pods, corednsIPs)")
    namespaces, namespace_labels = [], {}
    for i, ns in enumerate(_list(data, "namespaces", "namespaces")):
        if isinstance(ns, dict):
            name = _str(ns, "name", f"namespaces[{i}]")
            namespace_labels[name] = _labels(ns, f"namespaces[{i}]")
            ns = name
        elif not isinstance(ns, str) or not ns:
            raise ClusterStateError(f"namespaces[{i}]: expected a namespace name")
        else:
            namespace_labels[ns] = {}
        namespaces.append(ns)
    services = [_service(s, f"services[{i}]") for i, s in enumerate(_list(data, "services", "services"))]
    endpoints = [_endpoints(e, f"endpoints[{i}]") for i, e in enumerate(_list(data, "endpoints", "endpoints"))]
    pods = [_pod(p, f"pods[{i}]") for i, p in enumerate(_list(data, "pods", "pods"))]
    coredns_ips = None
    if "corednsIPs" in data:
        coredns_ips = [_ip(ip, f"corednsIPs[{i}]") for i, ip in enumerate(_list(data, "corednsIPs", "corednsIPs"))]
    return ClusterState(namespaces, services, endpoints, pods, source, coredns_ips=coredns_ips,
                        namespace_labels=namespace_labels)


def _labels(obj, where):
    labels = obj.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, (str, int, float, bool))
                                               for k, v in labels.items()):
        raise ClusterStateError(f"{where}.labels: expected a mapping of label names to values")
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in labels.items()}


def _list(data, key, where):
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ClusterStateError(f"{where}: expected a list")
    return value


def _str(obj, key, where, required=True, default=""):
    value = obj.get(key, default)
    if value is None:
        value = default
    if required and not value:
        raise ClusterStateError(f"{where}.{key}: missing")
    if not isinstance(value, str):
        raise ClusterStateError(f"{where}.{key}: expected a string")
    return value


def _ip(value, where):
    if not isinstance(value, str):
        raise ClusterStateError(f"{where}: expected an IP address")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ClusterStateError(f"{where}: {value!r} is not an IP address") from None


def _ports(obj, where):
    ports = obj.get("ports") or []
    if not isinstance(ports, list):
        raise ClusterStateError(f"{where}.ports: expected a list")
    out = []
    for i, p in enumerate(ports):
        w = f"{where}.ports[{i}]"
        if not isinstance(p, dict):
            raise ClusterStateError(f"{w}: expected a mapping with name, port, protocol")
        port = p.get("port")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ClusterStateError(f"{w}.port: expected a port number")
        out.append(Port(_str(p, "name", w, required=False), port, _str(p, "protocol", w, False, "TCP")))
    return out


def _mapping(obj, where):
    if not isinstance(obj, dict):
        raise ClusterStateError(f"{where}: expected a mapping")
    return obj


def _service(s, where) -> Service:
    s = _mapping(s, where)
    kind = _str(s, "type", where, required=False, default="ClusterIP")
    if kind not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        raise ClusterStateError(f"{where}.type: {kind!r} is not ClusterIP, NodePort, LoadBalancer or ExternalName")
    ips = s.get("clusterIPs") or ([s["clusterIP"]] if s.get("clusterIP") else [])
    cluster_ips = []
    for i, ip in enumerate(ips):
        cluster_ips.append("None" if ip == "None" else _ip(ip, f"{where}.clusterIPs[{i}]"))
    external = [_ip(ip, f"{where}.externalIPs[{i}]") for i, ip in enumerate(s.get("externalIPs") or [])]
    hosts = None
    if s.get("loadBalancerIngress"):
        ingress = s.get("loadBalancerIngress")
        if not isinstance(ingress, list):
            raise ClusterStateError(f"{where}.loadBalancerIngress: expected a list")
        hosts = list(external)
        for i, entry in enumerate(ingress):
            w = f"{where}.loadBalancerIngress[{i}]"
            if not isinstance(entry, dict) or not (entry.get("ip") or entry.get("hostname")):
                raise ClusterStateError(f"{w}: expected a mapping with ip or hostname")
            if entry.get("ip"):
                ip = _ip(entry["ip"], f"{w}.ip")
                external.append(ip)
                hosts.append(ip)
            else:
                hosts.append(_str(entry, "hostname", w))
    svc = Service(_str(s, "name", where), _str(s, "namespace", where, False, "default"), kind, cluster_ips,
                  _str(s, "externalName", where, required=(kind == "ExternalName")), external, _ports(s, where),
                  bool(s.get("headless", False)), _labels(s, where), hosts)
    if kind != "ExternalName" and not cluster_ips and not svc.headless_flag:
        raise ClusterStateError(f"{where}.clusterIP: missing (use \"None\" or headless: true for a headless "
                                f"service)")
    return svc


def _address(a, where) -> Address:
    a = _mapping(a, where)
    return Address(_ip(a.get("ip"), f"{where}.ip"), _str(a, "hostname", where, required=False),
                   _str(a, "pod", where, required=False), _str(a, "zone", where, required=False))


def _endpoints(e, where) -> Endpoints:
    e = _mapping(e, where)
    subsets = []
    if "subsets" in e:
        for i, sub in enumerate(e.get("subsets") or []):
            w = f"{where}.subsets[{i}]"
            sub = _mapping(sub, w)
            subsets.append(Subset([_address(a, f"{w}.addresses[{j}]") for j, a in enumerate(sub.get("addresses")
                                                                                             or [])],
                                  _ports(sub, w)))
    else:
        subsets.append(Subset([_address(a, f"{where}.addresses[{j}]") for j, a in enumerate(e.get("addresses")
                                                                                             or [])],
                              _ports(e, where)))
    return Endpoints(_str(e, "name", where), _str(e, "namespace", where, False, "default"), subsets,
                     _labels(e, where) if e.get("labels") is not None else None)


def _pod(p, where) -> Pod:
    p = _mapping(p, where)
    ips = p.get("ips") or ([p["ip"]] if p.get("ip") else [])
    return Pod(_str(p, "name", where), _str(p, "namespace", where, False, "default"),
               [_ip(ip, f"{where}.ips[{i}]") for i, ip in enumerate(ips)], _labels(p, where))


def _from_objects(data, source) -> ClusterState:
    items = []

    def collect(obj, where):
        if isinstance(obj, list):
            for i, o in enumerate(obj):
                collect(o, f"{where}[{i}]")
        elif isinstance(obj, dict) and "items" in obj:
            collect(obj.get("items") or [], f"{where}items")
        elif isinstance(obj, dict):
            items.append((obj, where or "object"))
        else:
            raise ClusterStateError(f"{where}: expected a Kubernetes object")

    collect(data, "")
    namespaces, services, endpoints, slices, pods = [], [], [], [], []
    namespace_labels = {}
    for obj, where in items:
        kind = obj.get("kind")
        meta = obj.get("metadata") or {}
        name = meta.get("name") or ""
        ns = meta.get("namespace") or "default"
        spec = obj.get("spec") or {}
        labels = meta.get("labels") or {}
        if kind == "Namespace":
            namespaces.append(name)
            namespace_labels[name] = _labels({"labels": labels}, where)
        elif kind == "Service":
            ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
            ingress = [{"ip": i["ip"]} if i.get("ip") else {"hostname": i.get("hostname")}
                       for i in ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
                       if i.get("ip") or i.get("hostname")]
            services.append(_service({"name": name, "namespace": ns, "type": spec.get("type") or "ClusterIP",
                                      "clusterIPs": ips, "externalName": spec.get("externalName") or "",
                                      "externalIPs": spec.get("externalIPs") or [],
                                      "loadBalancerIngress": ingress,
                                      "ports": [{"name": p.get("name") or "", "port": p.get("port"),
                                                 "protocol": p.get("protocol") or "TCP"}
                                                for p in spec.get("ports") or []],
                                      "headless": spec.get("clusterIP") == "None", "labels": labels}, where))
        elif kind == "Endpoints":
            subsets = []
            for sub in obj.get("subsets") or []:
                subsets.append({"addresses": [{"ip": a.get("ip"), "hostname": a.get("hostname") or "",
                                               "pod": ((a.get("targetRef") or {}).get("name") or "")}
                                              for a in sub.get("addresses") or []],
                                "ports": [{"name": p.get("name") or "", "port": p.get("port"),
                                           "protocol": p.get("protocol") or "TCP"} for p in sub.get("ports") or []]})
            endpoints.append(_endpoints({"name": name, "namespace": ns, "subsets": subsets, "labels": labels}, where))
        elif kind == "EndpointSlice":
            service = (meta.get("labels") or {}).get("kubernetes.io/service-name") or name
            addresses = []
            for ep in obj.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready") is False:
                    continue
                # A pod name of 64 characters or more is not kept: it cannot be a label
                # (plugin/kubernetes/object/endpoint.go endpointSliceToEndpoints).
                pod = (ep.get("targetRef") or {}).get("name") or ""
                for ip in ep.get("addresses") or []:
                    addresses.append({"ip": ip, "hostname": ep.get("hostname") or "",
                                      "pod": pod if len(pod) < 64 else "", "zone": (ep.get("zone") or "").lower()})
            slices.append(_endpoints({"name": service, "namespace": ns, "labels": labels, "subsets": [{
                "addresses": addresses,
                "ports": [{"name": p.get("name") or "", "port": p.get("port"), "protocol": p.get("protocol") or "TCP"}
                          for p in obj.get("ports") or []]}]}, where))
        elif kind == "Pod":
            if meta.get("deletionTimestamp"):
                continue
            status = obj.get("status") or {}
            ips = [p.get("ip") for p in status.get("podIPs") or [] if p.get("ip")] or (
                [status["podIP"]] if status.get("podIP") else [])
            pods.append(_pod({"name": name, "namespace": ns, "ips": ips, "labels": labels}, where))
    # CoreDNS reads EndpointSlices; Endpoints objects count only for services no slice describes.
    sliced = {(e.namespace, e.name) for e in slices}
    endpoints = slices + [e for e in endpoints if (e.namespace, e.name) not in sliced]
    return ClusterState(namespaces, services, endpoints, pods, source, namespace_labels=namespace_labels)
