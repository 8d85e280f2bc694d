"""A Kubernetes API server stand-in for tests: real API paths and JSON shapes, served over HTTP on 127.0.0.1.

It serves the resources the k8s commands touch (Services, Deployments, ConfigMaps, EndpointSlices, Pods, Nodes,
ServiceCIDRs) with the behaviours the commands depend on: bearer-token authentication (401), per verb and
resource authorisation (403, with the API server's wording), `resourceVersion` optimistic concurrency (409 on a
stale update), `dryRun=All` (validated, answered, never stored), 404 for a missing object or an API group the
cluster does not serve, label selectors and `limit`/`continue` paging on lists. Every request is recorded so a
test can assert what was (and was not) written.

`FakeCluster` is one cluster; `write_kubeconfig` points contexts at running clusters (several contexts = several
clusters, each with its own port and token).
"""
from __future__ import annotations

import copy
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import yaml

# (path prefix, plural) -> (kind, namespaced)
RESOURCES = {
    ("api/v1", "namespaces"): ("Namespace", False),
    ("api/v1", "services"): ("Service", True),
    ("api/v1", "configmaps"): ("ConfigMap", True),
    ("api/v1", "pods"): ("Pod", True),
    ("api/v1", "nodes"): ("Node", False),
    ("apis/apps/v1", "deployments"): ("Deployment", True),
    ("apis/discovery.k8s.io/v1", "endpointslices"): ("EndpointSlice", True),
    ("apis/networking.k8s.io/v1", "servicecidrs"): ("ServiceCIDR", False),
}

_CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_VERB = {"GET": "get", "PUT": "update", "POST": "create", "PATCH": "patch", "DELETE": "delete"}


class FakeCluster:
    def __init__(self, name: str, token: str = None, served_groups=None):
        self.name = name
        self.token = token or f"secret-token-{name}-0123456789abcdef"
        self.user = f"system:serviceaccount:default:{name}-admin"
        self.objects: dict = {}           # (prefix, plural, namespace, name) -> object
        self.resource_version = 1000
        self.forbidden: set = set()       # {(verb, plural)}
        self.unserved: set = set(served_groups or ())  # prefixes answered with 404 (API group not served)
        self.admission = None             # callable(obj) -> denial message or None, run on writes
        self.before_write = None          # callable(method, path, query): runs as a write arrives (races)
        self.requests: list = []          # (method, path, query dict, body or None)
        self.lock = threading.Lock()
        self.server = None

    # ---------------------------------------------------------------- objects
    def _next_rv(self) -> str:
        self.resource_version += 1
        return str(self.resource_version)

    def put(self, obj: dict) -> dict:
        """Store an object as if created by someone else (fresh resourceVersion, uid)."""
        obj = copy.deepcopy(obj)
        prefix = "api/v1" if obj["apiVersion"] == "v1" else "apis/" + obj["apiVersion"]
        plural = _plural(obj["kind"])
        meta = obj.setdefault("metadata", {})
        with self.lock:
            meta["resourceVersion"] = self._next_rv()
            meta.setdefault("uid", f"uid-{self.name}-{plural}-{meta['name']}")
            meta.setdefault("creationTimestamp", "2024-01-01T00:00:00Z")
            self.objects[(prefix, plural, meta.get("namespace", ""), meta["name"])] = obj
        return obj

    def get(self, prefix, plural, namespace, name):
        return copy.deepcopy(self.objects.get((prefix, plural, namespace, name)))

    def configmap(self, namespace, name):
        return self.get("api/v1", "configmaps", namespace, name)

    def writes(self):
        """Requests that would change state (dry runs included, marked by their query)."""
        return [r for r in self.requests if r[0] in ("PUT", "POST", "PATCH", "DELETE")]

    # ---------------------------------------------------------------- server
    def start(self) -> str:
        cluster = self

        class Handler(_Handler):
            pass

        Handler.cluster = cluster
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _plural(kind: str) -> str:
    for (prefix, plural), (k, _) in RESOURCES.items():
        if k == kind:
            return plural
    raise KeyError(kind)


def status(code: int, reason: str, message: str, details=None) -> dict:
    out = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
           "reason": reason, "code": code}
    if details:
        out["details"] = details
    return out


class _Handler(BaseHTTPRequestHandler):
    cluster: FakeCluster = None
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle: otherwise delayed ACKs cost ~40 ms a request.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._handle()

    do_PUT = do_POST = do_PATCH = do_DELETE = do_GET

    def _send(self, code: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        c = self.cluster
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with c.lock:
            c.requests.append((self.command, url.path, query, body))
        if self.command != "GET" and c.before_write:
            c.before_write(self.command, url.path, query)
        if self.headers.get("Authorization") != f"Bearer {c.token}":
            return self._send(401, status(401, "Unauthorized", "Unauthorized"))
        route = _route(url.path)
        if route is None or route[0] in c.unserved:
            return self._send(404, status(404, "NotFound", "the server could not find the requested resource"))
        prefix, plural, namespace, name = route
        verb = _VERB[self.command] if name or self.command != "GET" else "list"
        if (verb, plural) in c.forbidden:
            where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            group = prefix.split("/")[1] if prefix.startswith("apis/") else ""
            subject = f'{plural} "{name}"' if name else plural
            return self._send(403, status(
                403, "Forbidden", f'{subject} is forbidden: User "{c.user}" cannot {verb} resource "{plural}" '
                f'in API group "{group}"{where}', {"name": name, "kind": plural}))
        dry_run = query.get("dryRun")
        if dry_run not in (None, "All"):
            return self._send(400, status(400, "BadRequest", f"Invalid dryRun value: {dry_run}"))
        if self.command == "GET" and name:
            obj = c.get(prefix, plural, namespace, name)
            if obj is None:
                return self._send(404, _not_found(plural, name))
            return self._send(200, obj)
        if self.command == "GET":
            return self._send(200, self._list(prefix, plural, namespace, query))
        if self.command == "PUT" and name:
            return self._update(prefix, plural, namespace, name, body, dry_run)
        if self.command == "POST" and not name:
            return self._create(prefix, plural, namespace, body, dry_run)
        return self._send(405, status(405, "MethodNotAllowed", "the server does not allow this method"))

    def _list(self, prefix, plural, namespace, query):
        c = self.cluster
        kind = RESOURCES[(prefix, plural)][0]
        with c.lock:
            items = [copy.deepcopy(o) for (p, pl, ns, _), o in sorted(c.objects.items())
                     if p == prefix and pl == plural and (not namespace or ns == namespace)]
            rv = str(c.resource_version)
        selector = query.get("labelSelector")
        if selector:
            wanted = dict(part.split("=", 1) for part in selector.split(",") if part)
            items = [o for o in items
                     if all(o["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
        start = int(query.get("continue") or 0)
        limit = int(query.get("limit") or 0)
        meta = {"resourceVersion": rv}
        if limit and start + limit < len(items):
            meta["continue"] = str(start + limit)
            items = items[start:start + limit]
        else:
            items = items[start:]
        api_version = "v1" if prefix == "api/v1" else prefix[len("apis/"):]
        for o in items:  # list items carry no kind/apiVersion, as the real API server sends them
            o.pop("kind", None)
            o.pop("apiVersion", None)
        return {"kind": f"{kind}List", "apiVersion": api_version, "metadata": meta, "items": items}

    def _validate(self, plural, obj):
        if plural == "configmaps":
            for key in list((obj.get("data") or {})) + list((obj.get("binaryData") or {})):
                if not _CONFIGMAP_KEY.match(key):
                    return (f'ConfigMap "{obj["metadata"].get("name")}" is invalid: data[{key}]: Invalid value: '
                            f'"{key}": a valid config key must consist of alphanumeric characters, \'-\', \'_\' '
                            "or '.'")
            size = sum(len(k) + len(v) for k, v in (obj.get("data") or {}).items())
            if size > 1024 * 1024:
                return f'ConfigMap "{obj["metadata"].get("name")}" is invalid: []: Too long: must have at most ' \
                       "1048576 bytes"
        return None

    def _admit(self, plural, obj):
        invalid = self._validate(plural, obj)
        if invalid:
            return 422, status(422, "Invalid", invalid)
        if self.cluster.admission:
            denial = self.cluster.admission(obj)
            if denial:
                return 400, status(400, "BadRequest", f'admission webhook "policy.example.com" denied the '
                                                     f"request: {denial}")
        return None

    def _update(self, prefix, plural, namespace, name, body, dry_run):
        c = self.cluster
        if not body or body.get("metadata", {}).get("name") != name:
            return self._send(400, status(400, "BadRequest", "the name of the object does not match the URL"))
        refused = self._admit(plural, body)
        if refused:
            return self._send(*refused)
        with c.lock:
            key = (prefix, plural, namespace, name)
            current = c.objects.get(key)
            if current is None:
                return self._send(404, _not_found(plural, name))
            sent_rv = body["metadata"].get("resourceVersion")
            if sent_rv and sent_rv != current["metadata"]["resourceVersion"]:
                return self._send(409, status(
                    409, "Conflict", f'Operation cannot be fulfilled on {plural} "{name}": the object has been '
                    "modified; please apply your changes to the latest version and try again",
                    {"name": name, "kind": plural}))
            new = copy.deepcopy(body)
            new["metadata"]["namespace"] = namespace
            new["metadata"]["uid"] = current["metadata"]["uid"]
            new["metadata"]["creationTimestamp"] = current["metadata"]["creationTimestamp"]
            if dry_run:
                new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            else:
                new["metadata"]["resourceVersion"] = c._next_rv()
                c.objects[key] = new
        return self._send(200, new)

    def _create(self, prefix, plural, namespace, body, dry_run):
        c = self.cluster
        name = (body or {}).get("metadata", {}).get("name")
        if not name:
            return self._send(422, status(422, "Invalid", "metadata.name: Required value"))
        refused = self._admit(plural, body)
        if refused:
            return self._send(*refused)
        with c.lock:
            key = (prefix, plural, namespace, name)
            if key in c.objects:
                return self._send(409, status(409, "AlreadyExists", f'{plural} "{name}" already exists',
                                              {"name": name, "kind": plural}))
            new = copy.deepcopy(body)
            new["metadata"].update(namespace=namespace, uid=f"uid-{c.name}-{plural}-{name}",
                                   creationTimestamp="2024-01-01T00:00:00Z")
            new["metadata"]["resourceVersion"] = str(c.resource_version) if dry_run else c._next_rv()
            if not dry_run:
                c.objects[key] = new
        return self._send(201, new)


def _not_found(plural, name):
    return status(404, "NotFound", f'{plural} "{name}" not found', {"name": name, "kind": plural})


def _route(path: str):
    """/api/v1/namespaces/NS/PLURAL[/NAME], /api/v1/PLURAL[/NAME], and the same under /apis/GROUP/VERSION."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        prefix, rest = "api/v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        prefix, rest = "/".join(parts[:3]), parts[3:]
    else:
        return None
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 2 or (prefix, rest[0]) not in RESOURCES:
        return None
    namespaced = RESOURCES[(prefix, rest[0])][1]
    if namespaced != bool(namespace) and not (namespaced and len(rest) == 1):
        return None  # a namespaced object needs its namespace; a cluster-scoped one has none
    return prefix, rest[0], namespace, rest[1] if len(rest) == 2 else None


# --------------------------------------------------------------------------- kubeconfig and cluster content
def write_kubeconfig(path, clusters: dict, current: str = None, extra_contexts=None) -> str:
    """contexts: {context name: FakeCluster or a URL string (for an unreachable server)}."""
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": [],
           "current-context": current or next(iter(clusters))}
    for context, cluster in {**clusters, **(extra_contexts or {})}.items():
        url = cluster if isinstance(cluster, str) else cluster.url
        token = "unused-token-for-" + context if isinstance(cluster, str) else cluster.token
        doc["clusters"].append({"name": f"{context}-cluster", "cluster": {"server": url}})
        doc["users"].append({"name": f"{context}-user", "user": {"token": token}})
        doc["contexts"].append({"name": context, "context": {"cluster": f"{context}-cluster",
                                                             "user": f"{context}-user"}})
    with open(path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(doc, fh, sort_keys=False)
    return str(path)


def silent_port_url() -> tuple:
    """A URL whose server accepts TCP connections and never answers: a hung API server. Returns (url, socket);
    close the socket when done."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return f"http://127.0.0.1:{s.getsockname()[1]}", s


def closed_port_url() -> str:
    """A URL nothing listens on: connection refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


KUBEADM_COREFILE = """\
.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes DOMAIN in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    RELOAD
    loadbalance
}
"""


def kubeadm_corefile(domain="cluster.local", reload=True) -> str:
    return KUBEADM_COREFILE.replace("DOMAIN", domain).replace("    RELOAD\n", "    reload\n" if reload else "")


def managed_corefile(domain="cluster.local", reload=True) -> str:
    """A Corefile shaped like those of managed clusters whose provider owns it (AKS-style): the kubeadm block
    importing `custom/*.override` into itself, and `custom/*.server` as server blocks of their own."""
    return kubeadm_corefile(domain, reload).replace("    loadbalance\n}\n",
                                                    "    loadbalance\n    import custom/*.override\n}\n"
                                                    "import custom/*.server\n")


def custom_configmap(data: dict) -> dict:
    """The coredns-custom ConfigMap of kube-system holding `data`."""
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "coredns-custom", "namespace": "kube-system"}, "data": data}


def populate(cluster: FakeCluster, *, domain="cluster.local", image="registry.k8s.io/coredns/coredns:v1.11.3",
             service_type="ClusterIP", cluster_ip="10.96.0.10", lb_ingress=(), external_ips=(), node_ports=None,
             nodes=(("node-1", "192.168.1.11"),), service_cidr="10.96.0.0/16", pod_cidr="10.244.0.0/16",
             corefile=None, service_cidr_source="servicecidr", custom_volume=False, env=None, env_from=None):
    """A kubeadm-shaped kube-system: the kube-dns Service, the coredns Deployment and ConfigMap, nodes, and the
    service CIDR exposed through `service_cidr_source` ('servicecidr', 'kubeadm-config', 'apiserver-pod', None).
    `custom_volume`: the Deployment also mounts the (optional) coredns-custom ConfigMap under custom/, as managed
    clusters do. `env`, `env_from`: the coredns container's `env` and `envFrom` lists."""
    ports = [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
             {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
             {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]
    if node_ports:
        for p, node_port in zip(ports, node_ports):
            p["nodePort"] = node_port
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
           "spec": {"type": service_type, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip],
                    "selector": {"k8s-app": "kube-dns"}, "ports": ports},
           "status": {"loadBalancer": {"ingress": [dict(i) for i in lb_ingress]} if lb_ingress else {}}}
    if external_ips:
        svc["spec"]["externalIPs"] = list(external_ips)
    cluster.put(svc)
    pod_spec = {"containers": [{"name": "coredns", "image": image}]}
    if env is not None:
        pod_spec["containers"][0]["env"] = list(env)
    if env_from is not None:
        pod_spec["containers"][0]["envFrom"] = list(env_from)
    if custom_volume:
        pod_spec["containers"][0]["volumeMounts"] = [
            {"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True},
            {"name": "custom-config-volume", "mountPath": "/etc/coredns/custom", "readOnly": True}]
        pod_spec["volumes"] = [
            {"name": "config-volume", "configMap": {"name": "coredns", "items": [{"key": "Corefile",
                                                                                  "path": "Corefile"}]}},
            {"name": "custom-config-volume", "configMap": {"name": "coredns-custom", "optional": True}}]
    cluster.put({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
                 "spec": {"replicas": 2, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                          "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}},
                                       "spec": pod_spec}}})
    cluster.put({"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "coredns", "namespace": "kube-system"},
                 "data": {"Corefile": corefile if corefile is not None else kubeadm_corefile(domain)}})
    for name, ip in nodes:
        cluster.put({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
                     "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                              {"type": "Hostname", "address": name}]}})
    if service_cidr_source == "servicecidr":
        cluster.put({"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR",
                     "metadata": {"name": "kubernetes"}, "spec": {"cidrs": [service_cidr]}})
    else:
        cluster.unserved.add("apis/networking.k8s.io/v1")
    if service_cidr_source == "kubeadm-config":
        cluster.put({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "kubeadm-config", "namespace": "kube-system"},
                     "data": {"ClusterConfiguration": yaml.safe_dump({
                         "apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "ClusterConfiguration",
                         "networking": {"dnsDomain": domain, "serviceSubnet": service_cidr,
                                        "podSubnet": pod_cidr}})}})
    if service_cidr_source == "apiserver-pod":
        cluster.put({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": "kube-apiserver-node-1", "namespace": "kube-system",
                                  "labels": {"component": "kube-apiserver", "tier": "control-plane"}},
                     "spec": {"containers": [{"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver",
                                              "command": ["kube-apiserver", "--advertise-address=192.168.1.11",
                                                          f"--service-cluster-ip-range={service_cidr}"]}]},
                     "status": {"podIP": "192.168.1.11", "podIPs": [{"ip": "192.168.1.11"}]}})
    return cluster


def add_service(cluster: FakeCluster, namespace, name, cluster_ip, ports=(("http", 80, "TCP"),), endpoints=(),
                headless=False, external_name=None):
    """A Service plus its EndpointSlice (endpoints: [(ip, hostname or None, ready)]) and backing Pods."""
    spec = {"ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports],
            "selector": {"app": name}}
    if external_name:
        spec = {"type": "ExternalName", "externalName": external_name}
    else:
        spec["type"] = "ClusterIP"
        spec["clusterIP"] = "None" if headless else cluster_ip
        spec["clusterIPs"] = ["None"] if headless else [cluster_ip]
    cluster.put({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
                 "spec": spec, "status": {"loadBalancer": {}}})
    if external_name:
        return
    slice_endpoints = []
    for i, (ip, hostname, ready) in enumerate(endpoints):
        pod = f"{name}-{i}"
        ep = {"addresses": [ip], "conditions": {"ready": ready},
              "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod}}
        if hostname:
            ep["hostname"] = hostname
        slice_endpoints.append(ep)
        cluster.put({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": pod, "namespace": namespace, "labels": {"app": name}},
                     "spec": {"containers": [{"name": "app", "image": "example/app:1"}]},
                     "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}})
    cluster.put({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                 "metadata": {"name": f"{name}-abcde", "namespace": namespace,
                              "labels": {"kubernetes.io/service-name": name}},
                 "addressType": "IPv4",
                 "endpoints": slice_endpoints or None,  # the API server sends null for a slice with none
                 "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports]})


class Fleet:
    """Running fake clusters behind one kubeconfig (one context each), and the `corefile` CLI run in-process."""

    def __init__(self, directory):
        self.directory = directory
        self.clusters: dict = {}
        self.urls: dict = {}          # context -> URL of a server that is not a FakeCluster
        self.current = None

    def add(self, context: str, populated: bool = True, **kwargs) -> FakeCluster:
        cluster = FakeCluster(context)
        if populated:
            populate(cluster, **kwargs)
        cluster.start()
        self.clusters[context] = cluster
        return cluster

    def add_url(self, context: str, url: str):
        self.urls[context] = url

    @property
    def kubeconfig(self) -> str:
        path = self.directory / "kubeconfig.yaml"
        current = self.current or next(iter({**self.clusters, **self.urls}))
        return write_kubeconfig(path, self.clusters, current, self.urls)

    def run(self, *args, env=None):
        from click.testing import CliRunner

        from corefile_tool.cli import main

        return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    def close(self):
        for c in self.clusters.values():
            c.stop()


def write_inventory(fleet: Fleet, clusters=None, **per_cluster):
    """inventory.yaml in the fleet's directory, for release 1.11.3: `clusters`, by default a and b meshed over
    a.mesh.example and b.mesh.example (their DNS at 203.0.113.1 and .2), each updated with per_cluster[name]."""
    clusters = clusters or [
        {"name": "a", "mesh_domain": "a.mesh.example", "dns": ["203.0.113.1"]},
        {"name": "b", "mesh_domain": "b.mesh.example", "dns": ["203.0.113.2"]},
    ]
    for c in clusters:
        c.update(per_cluster.get(c["name"], {}))
    path = fleet.directory / "inventory.yaml"
    path.write_text(yaml.safe_dump({"defaults": {"coredns_version": "1.11.3"}, "clusters": clusters}))
    return path


def add_coredns_pods(cluster: FakeCluster, pods=(("coredns-7db6d8ff4d-4xk2p", ("10.244.0.2",), True),
                                                 ("coredns-7db6d8ff4d-9qzmv", ("10.244.1.3",), True)),
                     namespace="kube-system", labels=None, terminating=()):
    """The CoreDNS Deployment's pods (`populate` puts only the Deployment) and the kube-dns Service's
    EndpointSlices, one per address family as the EndpointSlice controller writes them. pods: [(name, IPs,
    ready)]; the pods carry the Service's selector unless `labels` says otherwise; `terminating` names pods being
    deleted (deletionTimestamp set, left out of the slices)."""
    labels = {"k8s-app": "kube-dns"} if labels is None else labels
    families: dict = {}
    for name, ips, ready in pods:
        meta = {"name": name, "namespace": namespace, "labels": dict(labels)}
        if name in terminating:
            meta["deletionTimestamp"] = "2024-01-01T00:10:00Z"
        cluster.put({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                     "spec": {"containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3"}]},
                     "status": {"phase": "Running", "podIP": ips[0], "podIPs": [{"ip": ip} for ip in ips],
                                "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}})
        if name in terminating:
            continue
        for ip in ips:
            family = "IPv6" if ":" in ip else "IPv4"
            families.setdefault(family, []).append(
                {"addresses": [ip], "conditions": {"ready": ready},
                 "targetRef": {"kind": "Pod", "namespace": namespace, "name": name}})
    for family, endpoints in families.items():
        cluster.put({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                     "metadata": {"name": f"kube-dns-{family.lower()}", "namespace": namespace,
                                  "labels": {"kubernetes.io/service-name": "kube-dns"}},
                     "addressType": family, "endpoints": endpoints,
                     "ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                               {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                               {"name": "metrics", "port": 9153, "protocol": "TCP"}]})
