"""kubernetes (coredns plugin/kubernetes): answers the cluster's names from its services, endpoints and pods.

Names, read right to left below the matched zone (parse.go parseRequest):
  <svc>.<ns>.svc.Z                     ClusterIP (headless: the endpoints' IPs; ExternalName: a CNAME)
  <endpoint>.<svc>.<ns>.svc.Z          one endpoint (its hostname, with endpoint_pod_names its pod, or its dashed IP)
  _<port>._<proto>.<svc>.<ns>.svc.Z    SRV
  <topozone>.pin|prefer._zone.<svc>.<ns>.svc.Z   `zonal` (1.14.7): a headless service's endpoints of that zone
  <a-b-c-d>.<ns>.pod.Z                 pods: disabled → NXDOMAIN, insecure → the IP in the name, verified → only
                                       a pod whose status.podIP is that IP, in that namespace
  dns-version.Z TXT "1.1.0"; the apex SOA and NS; ns.dns.Z; PTR for service and endpoint IPs in its reverse zones.
The rules are those of 1.14.7; `zonal` needs 1.14.7, the SOA TTL is a flat 300 before 1.3.0, and names with the
`*`/`any` wildcards of releases before 1.9.0 are unknown (not modelled).
Outcomes (handler.go, plugin/backend_lookup.go): a malformed name, an unknown service or namespace → NXDOMAIN with
the SOA, or the next plugin when `fallthrough` covers the name; names that exist without records of the type →
NODATA with the SOA; SOA away from the apex → NODATA; AXFR/IXFR → REFUSED. Owner names, SRV targets and the SOA
keep the case the client wrote the zone in (handler.go keeps `qname[len(qname)-len(zone):]`).

The answers come from `--cluster-state` (see cluster_state.py): a name absent from it gets the NXDOMAIN or NODATA
the plugin gives. Without a cluster state, only what the name alone decides is answered (malformed names, the
apex and structural names, `pods disabled`, dns-version); anything that depends on the cluster's objects is
"unknown: needs the cluster's state", never guessed. The apex NS and ns.dns.Z depend on CoreDNS's own addresses
(ns.go nsAddrs): none with `bind` (local.go boundIPs cannot read a bound address), else `corednsIPs` of the state.
The SOA serial is the time of the cluster's last change, which is not known here: it is shown as 0.
"""
from __future__ import annotations

import ipaddress
import math
import re

from ...addresses import zones_from_args
from ...knowledge.spec import version_tuple
from ..behaviour import Behaviour, all_args, properties
from ..model import CauseNote, Record, cause_of, lookup_cause
from ..names import Fall, ZoneSet, address_from_reverse, is_subdomain, split_labels, trim_zone

DNS_SCHEMA_VERSION = "1.1.0"
MAX_CNAME_CHAIN = 10          # plugin/backend_lookup.go maxCnameChainLength


class NeedsCluster(Exception):
    """The outcome depends on something only the running cluster knows."""


class Entry:
    """msg.Service: a host (IP or name), a port, and the name its key stands for (SRV target, NS name)."""
    __slots__ = ("host", "port", "target", "ttl")

    def __init__(self, host, port, target, ttl):
        self.host, self.port, self.target, self.ttl = host, port, target, ttl

    @property
    def family(self):
        return host_type(self.host)[0]

    @property
    def address(self):
        return host_type(self.host)[1]


def host_type(host: str):
    """msg.Service.HostType: ("A"|"AAAA", address text) for an IP (an IPv4-mapped IPv6 is an A), else ("CNAME", "")."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "CNAME", ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return "A", str(ip.ipv4_mapped)
    return ("A" if ip.version == 4 else "AAAA"), str(ip)


def endpoint_hostname(addr, pod_names: bool) -> str:
    if addr.hostname:
        return addr.hostname
    if pod_names and addr.pod:
        return addr.pod
    if "." in addr.ip:
        return addr.ip.replace(".", "-")
    if ":" in addr.ip:
        name = addr.ip.replace(":", "-")
        return name + "0" if name.endswith("-") else name
    return ""


def _ports(ports):
    # CoreDNS gives a service or endpoint without ports one sentinel port -1 (no SRV record for it).
    from ..cluster_state import Port

    return ports or [Port("", -1, "")]


def _port_match(want_port, want_proto, port) -> bool:
    return ((not want_port or want_port.lower() == port.name.lower())
            and (not want_proto or want_proto.lower() == port.protocol.lower()))


def srv_weight(total: int) -> int:
    # backend_lookup.go SRV: uint16(math.Floor(100.0 / total * 100)), at least 1.
    return max(1, int(math.floor(100.0 / total * 100))) if total else 1


# ------------------------------------------------------------------------------------------------ label selectors

_REQ = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*)|\s(in|notin)\s*\(([^)]*)\))?\s*$")


def parse_selector(text: str):
    """meta.ParseToLabelSelector + LabelSelectorAsSelector: requirements joined by commas (`k=v`, `k==v`, `k!=v`,
    `k in (a,b)`, `k notin (a,b)`, `k`, `!k`); a predicate over a label mapping, or ValueError."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    reqs = []
    for part in parts:
        m = _REQ.match(part)
        if not m or (m.group(1) and (m.group(3) or m.group(5))):
            raise ValueError(f"unable to parse requirement {part.strip()!r}")
        neg, key, op, value, setop, values = m.groups()
        if op in ("=", "=="):
            reqs.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif op == "!=":
            reqs.append(lambda labels, k=key, v=value: labels.get(k) != v)
        elif setop:
            vals = {v.strip() for v in values.split(",") if v.strip()}
            if setop == "in":
                reqs.append(lambda labels, k=key, vs=vals: labels.get(k) in vs)
            else:
                reqs.append(lambda labels, k=key, vs=vals: labels.get(k) not in vs)
        elif neg:
            reqs.append(lambda labels, k=key: k not in labels)
        else:
            reqs.append(lambda labels, k=key: k in labels)
    return lambda labels: all(r(labels or {}) for r in reqs)


class Request:
    __slots__ = ("port", "protocol", "endpoint", "service", "namespace", "kind", "topo", "prefer")

    def __init__(self):
        self.port = self.protocol = self.endpoint = self.service = self.namespace = self.kind = ""
        self.topo = ""           # r.zone: the topology zone of a zone-scoped name
        self.prefer = False


class Kubernetes(Behaviour):
    NAME = "kubernetes"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        d = directives[0]
        self.zone_list = zones_from_args(all_args(d), setup.zones)
        self.zones = ZoneSet(self.zone_list)
        forward = [z for z in self.zone_list if not _is_reverse_zone(z)]
        # setup.go: the primary zone is the first that is not a reverse zone (else the first).
        self.primary = forward[0] if forward else (self.zone_list[0] if self.zone_list else "")
        self.pods = "disabled"
        self.namespaces: set = set()
        self.ttl = 5
        self.fall = Fall()
        self.pod_names = False
        self.ignore_empty = False
        self.multicluster = False
        self.multicluster_zones = ZoneSet(())
        self.noendpoints = False
        self.zonal = False
        self.selector = self.ns_selector = None
        self.selector_text = self.ns_selector_text = ""
        self.config_error = ""
        for name, values, _ in properties(d):
            if name == "pods" and values:
                self.pods = values[0]
            elif name == "namespaces":
                self.namespaces = set(values)
            elif name == "ttl" and values and values[0].isdigit():
                self.ttl = int(values[0])
            elif name == "fallthrough":
                self.fall = Fall.from_args(values)
            elif name == "endpoint_pod_names":
                self.pod_names = True
            elif name == "ignore" and values and values[0] == "empty_service":
                self.ignore_empty = True
            elif name == "multicluster":
                self.multicluster = True
                # setup.go: OriginsFromArgsOrServerBlock(args, []string{}): without arguments, no zone at all.
                self.multicluster_zones = ZoneSet(zones_from_args(values, []) if values else ())
            elif name == "noendpoints":
                # setup.go: the EndpointSlice watch is not started, so no endpoint is ever known.
                self.noendpoints = True
            elif name == "zonal" and version_tuple(setup.version) >= (1, 14, 7):
                self.zonal = True
            elif name in ("labels", "namespace_labels") and values:
                text = " ".join(values)
                try:
                    predicate = parse_selector(text)
                except ValueError as e:
                    self.config_error = f"{name}: {e}"
                    continue
                if name == "labels":
                    self.selector, self.selector_text = predicate, text
                else:
                    self.ns_selector, self.ns_selector_text = predicate, text
        version = version_tuple(setup.version)
        # backend_lookup.go SOA: min(ttl, 300) since 1.3.0, a flat 300 before.
        self.soa_ttl = min(self.ttl, 300) if version >= (1, 3, 0) else 300
        # Before 1.9.0 `*` and `any` were wildcards in any label (removed by coredns#5019).
        self.wildcards = version < (1, 9, 0)
        self.cluster = setup.cluster_state
        # local.go boundIPs: with `bind`, ListenHosts are plain addresses that net.ParseCIDR rejects, so the
        # plugin knows no local address at all; without it, the host's (pod's) interface addresses.
        self.bound = setup.has("bind")

    # ------------------------------------------------------------------ serving
    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)})")
        if q.type in ("AXFR", "IXFR"):
            return self.answer(q, "zone transfers need the transfer plugin: REFUSED", "REFUSED", written=False)
        if self.config_error:
            return self.unknown(q, f"unknown: its configuration is invalid ({self.config_error}), so CoreDNS would "
                                   f"not start")
        if self.multicluster_zones and self.multicluster_zones.match(zone):
            return self.unknown(q, "unknown: multicluster zones are not modelled")
        written = q.qname_written or q.name
        zw = written[len(written) - len(zone):] if len(written) >= len(zone) else zone
        try:
            records, extra, error, why, notes = self.lookup(q, zone, zw)
        except NeedsCluster as e:
            return self.unknown(q, f"unknown: {e}")
        if error:
            if self.fall.through(q.name):
                return self.passes(q, nxt, f"{why}; {self.fall.describe()}: passes it on")
            return self.answer(q, f"{why}: NXDOMAIN", "NXDOMAIN", authority=[self.soa(zw)])
        if not records:
            reply = self.answer(q, f"{why}: NODATA", "NOERROR", authority=[self.soa(zw)])
        else:
            reply = self.answer(q, why, "NOERROR", records, additional=extra)
        reply.notes.extend(notes)
        reply.cause = cause_of(notes)
        return reply

    def soa(self, zone) -> Record:
        # backend_lookup.go SOA: TTL min(ttl, 300), minimum the ttl; the serial (the cluster's last change) is
        # not known here and shown as 0.
        return Record(zone, "SOA", self.soa_ttl,
                      f"ns.dns.{_join(zone)} hostmaster.{_join(zone)} 0 7200 1800 86400 {self.ttl}")

    def lookup(self, q, zone, zw):
        """(answers, additional, name_error, why, notes) as handler.go ServeDNS switches on the type."""
        name, qtype = q.name, q.type
        owner = q.qname_written or name
        if qtype == "SOA":
            if owner == zw and name == zone:
                return [self.soa(zw)], [], False, f"the apex {zone}: its SOA", []
            return [], [], False, "an SOA is only answered at the apex", []
        if qtype == "NS" and name == zw:
            return self.apex_ns(q, zone, zw)
        if qtype == "TXT":
            return self.txt(q, zone, zw)
        if qtype == "PTR":
            return self.ptr(q, zone, zw)
        if qtype in ("A", "AAAA"):
            records, error, why, notes = self.addresses(q, name, owner, zone, zw, qtype, [])
            return records, [], error, why, notes
        if qtype == "SRV":
            return self.srv(q, zone, zw)
        if qtype == "CNAME":
            entries, error, why = self.services(name, zone, zw, qtype)
            if error:
                return [], [], True, why, []
            # backend_lookup.go CNAME: only the first service, and only when its host is a name.
            if entries and entries[0].family == "CNAME":
                return [Record(owner, "CNAME", entries[0].ttl, _fqdn(entries[0].host))], [], False, why, []
            return [], [], False, why, []
        # NS below the apex and every other type: a fake A lookup tells NODATA from NXDOMAIN (handler.go); MX
        # asks the same services and never finds a mail record.
        entries, error, why = self.services(name, zone, zw, "MX")
        if error:
            return [], [], True, why, []
        return [], [], False, f"{why}; no {qtype} records", []

    # ------------------------------------------------------------------ kubernetes.go Services / Records
    def services(self, name, zone, zw, qtype):
        """Kubernetes.Services for types other than TXT and NS: (entries, name_error, why)."""
        if _is_default_ns(name, zw):
            # Only A and AAAA take records from nsAddrs; every other type finds none, without an error.
            entries = [Entry(ip, 0, name, self.ttl) for _, ip in self.ns_addrs(False, False, zw)
                       if host_type(ip)[0] == qtype] if qtype in ("A", "AAAA") else []
            return entries, False, f"{name} names CoreDNS itself (ns.go nsAddrs)"
        entries, error, why = self.records(name, zone, zw)
        if qtype == "SRV":
            # kubernetes.go Services: SRV for ExternalName services is not implemented.
            entries = [e for e in entries if e.family != "CNAME"]
        return entries, error, why

    def records(self, name, zone, zw):
        """kubernetes.Records: (entries, name_error, why)."""
        r, invalid = self.parse(name, zone)
        if invalid:
            return [], True, f"{name} is not a name the Kubernetes DNS specification defines under {zone}"
        if not r.kind:
            return [], False, f"{name} is {'the apex' if name == zone else 'a structural name'} of {zone}"
        if self.wildcards and {"*", "any"} & {r.namespace, r.service, r.endpoint, r.port, r.protocol}:
            raise NeedsCluster(f"`*` and `any` were wildcards before CoreDNS 1.9.0, which the simulator does not "
                               f"model")
        if _is_reverse_name(name):
            return [], True, f"{name} is a reverse name"
        if self.namespaces and r.namespace not in self.namespaces:
            return [], True, f"namespace {r.namespace} is not in the `namespaces` list"
        if r.kind == "pod" and self.pods == "disabled":
            return [], True, "pod records are disabled (pods disabled, the default)"
        cluster = self._cluster()
        if not self._namespace_exists(r.namespace, cluster):
            return [], True, self._namespace_missing(r.namespace)
        if r.kind == "pod":
            return self.find_pods(r, cluster, zw)
        return self.find_services(r, cluster, zw)

    def _cluster(self):
        if self.cluster is None:
            raise NeedsCluster("needs the cluster's services, endpoints and pods (pass --cluster-state FILE)")
        return self.cluster

    def _namespace_exists(self, ns, cluster) -> bool:
        """namespace.go filteredNamespaceExists: the namespace cache holds it (namespace_labels filter it)."""
        if not cluster.namespace_exists(ns):
            return False
        if self.ns_selector is None:
            return True
        labels = cluster.namespace_labels.get(ns)
        if labels is None:
            raise NeedsCluster(f"`namespace_labels {self.ns_selector_text}` needs the labels of namespace {ns}, "
                               f"which the cluster state does not hold")
        return self.ns_selector(labels)

    def _namespace_missing(self, ns):
        if self.ns_selector is not None and self.cluster.namespace_exists(ns):
            return f"namespace {ns} does not match `namespace_labels {self.ns_selector_text}`"
        return f"namespace {ns} does not exist"

    def namespace_exposed(self, ns) -> bool:
        if self.namespaces and ns not in self.namespaces:
            return False
        return self._namespace_exists(ns, self._cluster())

    def parse(self, name, zone):
        r = Request()
        base = trim_zone(name, zone)
        if base in ("", "svc", "pod"):
            return r, False
        segs = split_labels(base + ".")
        last = len(segs) - 1
        r.kind = {"svc": "service", "pod": "pod"}.get(segs[last], "")
        if not r.kind:
            return r, True
        last -= 1
        if last < 0:
            return r, False
        r.namespace = segs[last]
        last -= 1
        if last < 0:
            return r, False
        r.service = segs[last]
        last -= 1
        if last < 0:
            return r, False
        if last == 0:
            r.endpoint = segs[0]
        elif last == 1:
            r.protocol = segs[1].removeprefix("_")
            r.port = segs[0].removeprefix("_")
        else:
            # parse.go: three labels or more left of the service are a zone-scoped name with `zonal` (services
            # only, `_zone` next to the service, then pin or prefer, the zone being every label further left).
            if (not self.zonal or r.kind != "service" or segs[last] != "_zone"
                    or segs[last - 1] not in ("pin", "prefer")):
                return r, True
            r.prefer = segs[last - 1] == "prefer"
            r.topo = ".".join(segs[:last - 1])
        return r, False

    # ------------------------------------------------------------------ metadata.Provider (metadata.go)
    REQUEST_LABELS = ("port-name", "protocol", "endpoint", "cluster", "zone", "service", "namespace", "kind",
                      "parse-error")

    def provide_metadata(self, q, labels) -> None:
        """Kubernetes.Metadata: the client's pod (podWithIP), then what parseRequest reads from a name in its
        zones. Modelled as in 1.9.0 onwards (parse.go lost its "*" defaults in 1.9.0; client-label/ came in
        1.11.3, kubernetes/cluster with multicluster in 1.12.2, kubernetes/zone with zonal in 1.14.7); the
        plugin is no metadata provider before 1.5.1."""
        version = version_tuple(self.setup.version)
        if version < (1, 5, 1):
            return
        if version < (1, 9, 0) or self.config_error:
            why = (f"its configuration is invalid ({self.config_error})" if self.config_error else
                   f"the simulator models the kubernetes plugin's metadata of 1.9.0 onwards, not of "
                   f"{self.setup.version}")
            labels.mark_unknown("kubernetes/*", why)
            return
        # autopath.go podWithIP: only `pods verified` keeps the pod cache; without it no client label is set.
        if self.pods == "verified":
            self._client_labels(q, labels, version)
        zone = self.zones.match(q.name)
        if not zone:
            return
        if self.multicluster:
            # metadata.go matches the multicluster zones against state.Zone, which the collector's request
            # leaves empty: not modelled.
            for name in self.REQUEST_LABELS:
                labels.mark_unknown(f"kubernetes/{name}", "the kubernetes plugin has `multicluster`, whose metadata "
                                                          "the simulator does not model")
            return
        r, invalid = self.parse(q.name, zone)
        if invalid:
            labels["kubernetes/parse-error"] = "invalid query name"      # kubernetes.go errInvalidRequest
            return
        labels["kubernetes/port-name"] = r.port
        labels["kubernetes/protocol"] = r.protocol
        labels["kubernetes/endpoint"] = r.endpoint
        if self.zonal:
            labels["kubernetes/zone"] = r.topo
        labels["kubernetes/service"] = r.service
        labels["kubernetes/namespace"] = r.namespace
        # r.podOrSvc is the name's label itself: "svc" or "pod".
        labels["kubernetes/kind"] = {"service": "svc", "pod": "pod"}.get(r.kind, "")

    def _client_labels(self, q, labels, version) -> None:
        cluster = self.cluster
        if cluster is None:
            labels.mark_unknown("kubernetes/client-*", f"which pod has the client's address {q.client_ip} needs "
                                                      f"the cluster's pods (--cluster-state)")
            return
        # The pod cache is indexed by status.podIP (controller.go podIPIndexFunc) and holds the pods the
        # `labels` selector lets through (podListFunc).
        client = _canonical(q.client_ip)
        pods = [p for p in cluster.pods if p.ips and _canonical(p.ips[0]) == client and self._pod_visible(p)]
        if not pods:
            return
        if len(pods) > 1:
            labels.mark_unknown("kubernetes/client-*", f"pods {', '.join(f'{p.namespace}/{p.name}' for p in pods)} "
                                                      f"have the address {q.client_ip}; CoreDNS takes whichever "
                                                      f"its pod index returns first")
            return
        pod = pods[0]
        labels["kubernetes/client-namespace"] = pod.namespace
        labels["kubernetes/client-pod-name"] = pod.name
        if version >= (1, 11, 3):
            for key, value in (pod.labels or {}).items():
                labels[f"kubernetes/client-label/{key}"] = value

    # ------------------------------------------------------------------ the cluster's objects, as the caches hold them
    def _services_named(self, cluster, ns, name):
        svc = cluster.service(ns, name)
        if svc is None or (self.selector is not None and not self.selector(svc.labels)):
            return None
        return svc

    def _subsets(self, ep):
        if ep is None or self.noendpoints:
            return []
        if self.selector is None:
            return ep.subsets
        return [sub for sub in ep.subsets if self.selector(sub.labels)]

    def _pod_visible(self, pod):
        return self.selector is None or self.selector(pod.labels)

    def find_pods(self, r, cluster, zw):
        if not r.service:
            return [], False, f"{r.namespace}.pod exists (a namespace)"
        podname = r.service
        ip = podname.replace("-", ".") if podname.count("-") == 3 and "--" not in podname else podname.replace("-", ":")
        target = f"{podname}.{r.namespace}.pod.{_join(zw)}"
        if self.pods == "insecure":
            if host_type(ip)[0] == "CNAME":
                return [], True, f"{podname} is not a dashed IP address"
            return [Entry(ip, 0, target, self.ttl)], False, "pods insecure: the address is read from the name"
        # pods verified: the pod cache is indexed by status.podIP, compared as text (kubernetes.go findPods).
        found = [p for p in cluster.pods_by_pod_ip.get(ip, [])
                 if p.namespace.lower() == r.namespace.lower() and self._pod_visible(p)]
        if not found:
            return [], True, f"pods verified: no pod with status.podIP {ip} in namespace {r.namespace}"
        return [Entry(ip, 0, target, self.ttl) for _ in found], False, \
            f"pods verified: pod {found[0].name} has IP {ip}"

    def find_services(self, r, cluster, zw):
        if not r.service:
            return [], False, f"{r.namespace}.svc exists (a namespace)"
        svc = self._services_named(cluster, r.namespace, r.service)
        if svc is None:
            return [], True, f"no service {r.service} in namespace {r.namespace}"
        svc_name = f"{svc.name}.{svc.namespace}.svc.{_join(zw)}"
        ep = cluster.endpoints_of(svc.namespace, svc.name)
        subsets = self._subsets(ep)
        what = f"service {svc.namespace}/{svc.name}"
        if self.ignore_empty and svc.type != "ExternalName" and not svc.headless:
            if not any(sub.addresses for sub in subsets):
                return [], True, f"{what} has no endpoints (ignore empty_service)"
        if r.topo and not svc.headless:
            return [], True, f"zone-scoped names are only defined for headless services, and {what} is not one"
        if svc.type == "ExternalName":
            if r.endpoint or r.port or r.protocol:
                return [], True, "an ExternalName service has no endpoints or ports"
            if host_type(svc.external_name)[0] != "CNAME":
                return [], True, "its externalName is an address, which CoreDNS does not publish"
            return [Entry(svc.external_name, 0, svc_name, self.ttl)], False, \
                f"{what} is ExternalName {svc.external_name}"
        if svc.headless or r.endpoint:
            def collect(topo):
                out = []
                for sub in subsets:
                    for addr in sub.addresses:
                        if topo and (addr.zone or "").lower() != topo:
                            continue
                        host = endpoint_hostname(addr, self.pod_names)
                        if r.endpoint and r.endpoint.lower() != host.lower():
                            continue
                        for p in _ports(sub.ports):
                            if _port_match(r.port, r.protocol, p):
                                out.append(Entry(addr.ip, p.port, f"{host}.{svc_name}", self.ttl))
                return out

            entries = collect(r.topo)
            if r.topo and not entries and r.prefer:
                entries = collect("")
            if r.endpoint:
                what = f"endpoint {r.endpoint} of {what}"
            elif r.topo:
                what = (f"headless {what}: its endpoints in zone {r.topo}"
                        + (" (prefer: every endpoint when the zone has none)" if r.prefer else ""))
            else:
                what = f"headless {what}: its endpoints"
            if self.noendpoints:
                what += " (noendpoints: no endpoint is known)"
            if not entries:
                if r.topo:
                    # kubernetes.go findServices: a zone-scoped name of a headless service always exists.
                    return [], False, f"{what}: none"
                return [], True, f"{what}: no endpoint address" + (" with that port" if r.port else "") + " matches"
            return entries, False, what
        entries, matched = [], False
        for p in _ports(svc.ports):
            if not _port_match(r.port, r.protocol, p):
                continue
            matched = True
            for ip in svc.cluster_ips:
                entries.append(Entry(ip, p.port, svc_name, self.ttl))
        if not matched:
            return [], True, f"{what} has no port _{r.port}._{r.protocol}"
        return entries, False, f"{what} (ClusterIP {', '.join(svc.cluster_ips)})"

    # ------------------------------------------------------------------ ns.go nsAddrs: CoreDNS's own names
    def local_ips(self):
        if self.bound:
            return []
        cluster = self._cluster()
        if cluster.coredns_ips is None:
            raise NeedsCluster("the answer depends on CoreDNS's own addresses (ns.go nsAddrs: the services whose "
                               "endpoints hold them); give them as corednsIPs in the cluster state")
        return cluster.coredns_ips

    def ns_addrs(self, external, headless, zw):
        """[(name, ip)]: the services CoreDNS's own addresses are endpoints of (ns.go nsAddrs)."""
        local = self.local_ips()
        if not local:
            return []
        cluster = self._cluster()
        out, found = [], False
        for ip in local:
            for ep in cluster.endpoints_by_ip.get(_canonical(ip), []):
                for source in sorted({sub.source for sub in self._subsets(ep)
                                      if any(a.ip == _canonical(ip) for a in sub.addresses)}):
                    group = [sub for sub in self._subsets(ep) if sub.source == source]
                    found = True
                    svc = self._services_named(cluster, ep.namespace, ep.name)
                    if svc is None:
                        continue
                    if external:
                        svc_name = f"{svc.name}.{svc.namespace}.{_join(zw)}"
                        if headless and svc.headless:
                            out += [(f"{endpoint_hostname(a, self.pod_names)}.{svc_name}", a.ip)
                                    for sub in group for a in sub.addresses]
                        else:
                            out += [(svc_name, x) for x in svc.external if host_type(x)[0] != "CNAME"]
                        continue
                    svc_name = f"{svc.name}.{svc.namespace}.svc.{_join(zw)}"
                    if svc.headless:
                        out += [(f"{endpoint_hostname(a, self.pod_names)}.{svc_name}", a.ip)
                                for sub in group for a in sub.addresses]
                    else:
                        out += [(svc_name, x) for x in svc.cluster_ips if host_type(x)[0] != "CNAME"]
        if not found:
            out = [(f"ns.dns.{_join(zw)}", ip) for ip in local]
        return out

    def apex_ns(self, q, zone, zw):
        owner = q.qname_written or q.name
        addrs = self.ns_addrs(False, False, zw)
        records, extra, seen = [], [], set()
        for name, ip in addrs:
            extra.append(Record(name, host_type(ip)[0], self.ttl, host_type(ip)[1]))
            if name not in seen:
                seen.add(name)
                records.append(Record(owner, "NS", self.ttl, name))
        why = (f"the apex {zone}: its NS, the names CoreDNS's own addresses have in the cluster (ns.go nsAddrs)"
               if addrs else f"the apex {zone}: CoreDNS knows none of its own addresses"
                             + (" (with `bind`, local.go boundIPs finds none)" if self.bound else ""))
        return records, extra, False, why, []

    # ------------------------------------------------------------------ record types (plugin/backend_lookup.go)
    def txt(self, q, zone, zw):
        owner = q.qname_written or q.name
        if split_labels(trim_zone(q.name, zone) + ".") == ["dns-version"]:
            return [Record(owner, "TXT", 28800, f'"{DNS_SCHEMA_VERSION}"')], [], False, \
                "dns-version: the schema version of the Kubernetes DNS specification", []
        entries, error, why = self.records(q.name, zone, zw)
        if entries:
            return [], [], False, f"{why} (no TXT records)", []
        if not error and self.zonal:
            r, invalid = self.parse(q.name, zone)
            if not invalid and r.topo:
                return [], [], False, f"{why} (a zone-scoped name exists for every type)", []
        return [], [], True, why + (" (it has no records, so TXT is NXDOMAIN)" if not error else ""), []

    def addresses(self, q, name, owner, zone, zw, qtype, previous, depth=0):
        """plugin.A / plugin.AAAA: (records, name_error, why, notes)."""
        # checkForApex: at the apex the special apex.dns name is tried first; the kubernetes plugin never has one.
        entries, error, why = self.services(name, zone, zw, qtype)
        if error:
            return [], True, why, []
        out, seen, notes = [], set(), []
        for e in entries:
            fam, addr = host_type(e.host)
            if fam == qtype:
                if e.host not in seen:
                    seen.add(e.host)
                    out.append(Record(owner, qtype, e.ttl, addr))
                continue
            if fam != "CNAME":
                continue
            target = _fqdn(e.host).lower()
            if is_subdomain(name, target):
                continue          # plugin.Name(name).Matches(target): x CNAME x (or below x) is a loop
            cname = Record(owner, "CNAME", e.ttl, _fqdn(e.host))
            if len(previous) > MAX_CNAME_CHAIN or any(p.data == cname.data for p in previous):
                continue
            if is_subdomain(zone, target):
                more, err, _, sub_notes = self.addresses(q, target, _fqdn(e.host), zone, zw, qtype,
                                                         previous + [cname], depth + 1)
                if not err and more:
                    out += [cname] + more
                    notes += sub_notes
                continue
            # backend_lookup.go: b.Lookup -> upstream.Lookup, asked in class IN (request.NewWithQuestion).
            sub = self.setup.lookup(q, target, qtype) if self.setup.lookup else None
            if sub is None or sub.rcode is None or sub.cause:
                out.append(cname)
                if sub is not None:
                    out += sub.answers
                cause = lookup_cause(sub)
                why += f"; the CNAME target {target} is looked up through the server: {cause}"
                notes.append(CauseNote(f"the answer also holds what the server answers for the CNAME target "
                                       f"{target}, which cannot be known offline ({cause})", cause))
            else:
                out += [cname] + sub.answers
                why += f"; the CNAME target {target} looked up through the server: {sub.rcode}"
        return out, False, why, notes

    def srv(self, q, zone, zw):
        owner = q.qname_written or q.name
        entries, error, why = self.services(q.name, zone, zw, "SRV")
        if error:
            return [], [], True, why, []
        weight = srv_weight(100 * len(entries))
        records, extra, seen_srv, seen_addr = [], [], set(), set()
        for e in entries:
            if e.port == -1:
                continue
            fam, addr = host_type(e.host)
            if (e.target, e.port) not in seen_srv:
                seen_srv.add((e.target, e.port))
                records.append(Record(owner, "SRV", e.ttl, f"0 {weight} {e.port} {_fqdn(e.target)}"))
            if (e.target, e.host) not in seen_addr:
                seen_addr.add((e.target, e.host))
                extra.append(Record(_fqdn(e.target), fam, e.ttl, addr))
        return records, extra, False, why, []

    def ptr(self, q, zone, zw):
        owner = q.qname_written or q.name
        ip = address_from_reverse(q.name)
        if not ip:
            # reverse.go: a name that is no address is looked up only to tell NODATA from NXDOMAIN.
            entries, error, why = self.records(q.name, zone, zw)
            return [], [], error, f"{why} (PTR records exist only for addresses)", []
        cluster = self._cluster()
        for svc in cluster.by_cluster_ip.get(ip, []):
            if self.selector is not None and not self.selector(svc.labels):
                continue
            if self.namespaces and not self.namespace_exposed(svc.namespace):
                continue
            target = f"{svc.name}.{svc.namespace}.svc.{_join(self.primary)}"
            return [Record(owner, "PTR", self.ttl, target)], [], False, \
                f"{ip} is the ClusterIP of service {svc.namespace}/{svc.name}", []
        out, seen = [], set()
        for ep in cluster.endpoints_by_ip.get(ip, []):
            if self.namespaces and not self.namespace_exposed(ep.namespace):
                continue
            for sub in self._subsets(ep):
                for addr in sub.addresses:
                    if addr.ip == ip:
                        target = f"{endpoint_hostname(addr, self.pod_names)}.{ep.name}.{ep.namespace}.svc." \
                                 f"{_join(self.primary)}"
                        if target not in seen:       # plugin.PTR drops duplicate targets
                            seen.add(target)
                            out.append(Record(owner, "PTR", self.ttl, target))
        if out:
            return out, [], False, f"{ip} is an endpoint address", []
        return [], [], True, f"no service or endpoint has the address {ip}", []


def _is_default_ns(name: str, zw: str) -> bool:
    # ns.go isDefaultNS compares the lower-cased name with the zone as the client wrote it.
    return name.startswith("ns.dns.") and name.find(zw) == len("ns.dns.")


def _is_reverse_zone(zone: str) -> bool:
    # dnsutil.IsReverse: the name ends in .in-addr.arpa. or .ip6.arpa. (the bare arpa zones themselves are not)
    return zone.endswith(".in-addr.arpa.") or zone.endswith(".ip6.arpa.")


_is_reverse_name = _is_reverse_zone


def _join(zone: str) -> str:
    """dnsutil.Join of labels and a zone: the root zone adds nothing."""
    return "" if zone == "." else zone


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _canonical(ip: str) -> str:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


BEHAVIOURS = [Kubernetes]
