"""kubernetes (coredns plugin/kubernetes): answers the cluster's names from its services, endpoints and pods.

Names, read right to left below the matched zone (parse.go parseRequest):
  <svc>.<ns>.svc.Z                     ClusterIP (headless: the endpoints' IPs; ExternalName: a CNAME)
  <endpoint>.<svc>.<ns>.svc.Z          one endpoint (its hostname, its dashed IP, or with endpoint_pod_names its pod)
  _<port>._<proto>.<svc>.<ns>.svc.Z    SRV
  <a-b-c-d>.<ns>.pod.Z                 pods: disabled → NXDOMAIN, insecure → the IP in the name, verified → only
                                       a pod with that IP in that namespace
  dns-version.Z TXT "1.1.0"; the apex SOA/NS; PTR for service and endpoint IPs in its reverse zones.
Outcomes (handler.go): a malformed name, an unknown service or namespace → NXDOMAIN, or the next plugin when
`fallthrough` covers the name; the apex, `svc.Z`, `pod.Z` and names with records of other types → NODATA;
AXFR/IXFR → REFUSED.

The answers come from `--cluster-state` (see cluster_state.py): a name absent from it gets the NXDOMAIN or NODATA
the specification gives. Without a cluster state, only what the name alone decides is answered (malformed names,
the apex and structural names, `pods disabled`, dns-version); anything that depends on the cluster's objects is
"unknown: needs the cluster's state", never guessed.
"""
from __future__ import annotations

import ipaddress

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..model import Record
from ..names import Fall, ZoneSet, address_from_reverse, is_reverse, is_subdomain, split_labels, trim_zone

DNS_SCHEMA_VERSION = "1.1.0"
NAME_ERROR = "NXDOMAIN"


class NeedsCluster(Exception):
    """The outcome depends on something only the running cluster knows."""


class Entry:
    """msg.Service: a host (IP or name), a port, and the name it is published under."""
    __slots__ = ("host", "port", "target", "ttl")

    def __init__(self, host, port, target, ttl):
        self.host, self.port, self.target, self.ttl = host, port, target, ttl

    @property
    def family(self):
        try:
            ip = ipaddress.ip_address(self.host)
        except ValueError:
            return "CNAME"
        return "A" if ip.version == 4 else "AAAA"


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


class Request:
    __slots__ = ("port", "protocol", "endpoint", "service", "namespace", "kind")

    def __init__(self):
        self.port = self.protocol = self.endpoint = self.service = self.namespace = self.kind = ""


class Kubernetes(Behaviour):
    NAME = "kubernetes"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        d = directives[0]
        self.zone_list = zones_from_args(all_args(d), setup.zones)
        self.zones = ZoneSet(self.zone_list)
        forward = [z for z in self.zone_list if not is_reverse(z)]
        self.primary = forward[0] if forward else ""
        self.pods = "disabled"
        self.namespaces: set = set()
        self.ttl = 5
        self.fall = Fall()
        self.pod_names = False
        self.ignore_empty = False
        self.multicluster = False
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
        self.cluster = setup.cluster_state

    # ------------------------------------------------------------------ serving
    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)})")
        if q.type in ("AXFR", "IXFR"):
            return self.answer(q, "zone transfers need the transfer plugin: REFUSED", "REFUSED", written=False)
        if self.multicluster:
            return self.unknown(q, "unknown: multicluster zones are not modelled")
        try:
            records, extra, error, why = self.lookup(q, zone)
        except NeedsCluster as e:
            return self.unknown(q, f"unknown: {e}")
        if error:
            if self.fall.through(q.name):
                return self.passes(q, nxt, f"{why}; {self.fall.describe()}: passes it on")
            return self.answer(q, f"{why}: NXDOMAIN", "NXDOMAIN", authority=[self.soa(zone)])
        if not records:
            return self.answer(q, f"{why}: NODATA", "NOERROR", authority=[self.soa(zone)])
        reply = self.answer(q, why, "NOERROR", records, additional=extra)
        if "is looked up through the server:" in why:
            reply.notes.append("the answer also holds what the server answers for the CNAME target, which cannot "
                               "be known offline")
        return reply

    def soa(self, zone) -> Record:
        return Record(zone, "SOA", self.ttl, f"ns.dns.{zone} hostmaster.{zone} 0 7200 1800 86400 {self.ttl}")

    def lookup(self, q, zone):
        """(answers, additional, name_error, why)."""
        name, qtype = q.name, q.type
        owner = q.qname_written or name
        if qtype == "SOA" and name == zone:
            return [self.soa(zone)], [], False, f"the apex {zone}: its SOA"
        if qtype == "NS" and name == zone:
            return [Record(owner, "NS", self.ttl, f"ns.dns.{zone}")], [], False, (
                f"the apex {zone}: its NS (the address of ns.dns.{zone} is CoreDNS's own, known only in the cluster)")
        if name == "ns.dns." + zone and qtype in ("A", "AAAA"):
            raise NeedsCluster(f"ns.dns.{zone} is the address of CoreDNS itself, known only in the cluster")
        if qtype == "TXT":
            base = trim_zone(name, zone)
            if base == "dns-version":
                return [Record(owner, "TXT", 28800, f'"{DNS_SCHEMA_VERSION}"')], [], False, \
                    "dns-version: the schema version of the Kubernetes DNS specification"
            entries, error, why = self.records(name, zone)
            if entries:
                return [], [], False, f"{why} (no TXT records)"
            return [], [], True, why
        if qtype == "PTR":
            return self.ptr(q, zone)
        if qtype in ("A", "AAAA"):
            return self.addresses(q, zone, qtype)
        if qtype == "SRV":
            return self.srv(q, zone)
        if qtype == "CNAME":
            entries, error, why = self.records(name, zone)
            if error:
                return [], [], True, why
            cnames = [Record(owner, "CNAME", e.ttl, e.host.rstrip(".") + ".") for e in entries if e.family == "CNAME"]
            return cnames, [], False, why
        # Any other type: a fake A lookup tells NODATA from NXDOMAIN.
        entries, error, why = self.records(name, zone)
        if error:
            return [], [], True, why
        return [], [], False, f"{why}; no {qtype} records"

    def records(self, name, zone):
        """kubernetes.Records: (entries, name_error, why)."""
        r, invalid = self.parse(name, zone)
        if invalid:
            return [], True, f"{name} is not a name the Kubernetes DNS specification defines under {zone}"
        if not r.kind:
            return [], False, f"{name} is {'the apex' if name == zone else 'a structural name'} of {zone}"
        if is_reverse(name):
            return [], True, f"{name} is a reverse name"
        if r.kind == "pod" and self.pods == "disabled":
            return [], True, "pod records are disabled (pods disabled, the default)"
        cluster = self._cluster()
        if not self._namespace_exposed(r.namespace, cluster):
            why = (f"namespace {r.namespace} is not in the `namespaces` list" if self.namespaces
                   and r.namespace not in self.namespaces else f"namespace {r.namespace} does not exist")
            return [], True, why
        if r.kind == "pod":
            return self.find_pods(r, cluster, zone)
        return self.find_services(r, cluster, zone)

    def _cluster(self):
        if self.cluster is None:
            raise NeedsCluster("needs the cluster's services, endpoints and pods (pass --cluster-state FILE)")
        return self.cluster

    def _namespace_exposed(self, ns, cluster) -> bool:
        if self.namespaces and ns not in self.namespaces:
            return False
        return cluster.namespace_exists(ns)

    @staticmethod
    def parse(name, zone):
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
            return r, True
        return r, False

    def find_pods(self, r, cluster, zone):
        if not r.service:
            return [], False, f"{r.namespace}.pod.{zone} exists (a namespace)"
        podname = r.service
        ip = podname.replace("-", ".") if podname.count("-") == 3 and "--" not in podname else podname.replace("-", ":")
        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            return [], True, f"{podname} is not a dashed IP address"
        target = f"{podname}.{r.namespace}.pod.{zone}"
        if self.pods == "insecure":
            return [Entry(ip, 0, target, self.ttl)], False, f"pods insecure: the address is read from the name"
        found = [p for p in cluster.pods_by_ip.get(ip, []) if p.namespace.lower() == r.namespace.lower()]
        if not found:
            return [], True, f"pods verified: no pod with IP {ip} in namespace {r.namespace}"
        return [Entry(ip, 0, target, self.ttl)], False, f"pods verified: pod {found[0].name} has IP {ip}"

    def find_services(self, r, cluster, zone):
        if not r.service:
            return [], False, f"{r.namespace}.svc.{zone} exists (a namespace)"
        svc = cluster.service(r.namespace, r.service)
        if svc is None:
            return [], True, f"no service {r.service} in namespace {r.namespace}"
        svc_name = f"{svc.name}.{svc.namespace}.svc.{zone}"
        ep = cluster.endpoints_of(svc.namespace, svc.name)
        if self.ignore_empty and svc.type != "ExternalName" and not svc.headless:
            if not ep or not any(sub.addresses for sub in ep.subsets):
                return [], True, f"service {r.namespace}/{r.service} has no endpoints (ignore empty_service)"
        if svc.type == "ExternalName":
            if r.endpoint or r.port or r.protocol:
                return [], True, "an ExternalName service has no endpoints or ports"
            if _is_ip(svc.external_name):
                return [], True, "its externalName is an address, which CoreDNS does not publish"
            return [Entry(svc.external_name, 0, svc_name, self.ttl)], False, \
                f"service {r.namespace}/{r.service} is ExternalName {svc.external_name}"
        entries = []
        if svc.headless or r.endpoint:
            for sub in (ep.subsets if ep else []):
                for addr in sub.addresses:
                    host = endpoint_hostname(addr, self.pod_names)
                    if r.endpoint and r.endpoint.lower() != host.lower():
                        continue
                    for p in _ports(sub.ports):
                        if _port_match(r.port, r.protocol, p):
                            entries.append(Entry(addr.ip, p.port, f"{host}.{svc_name}", self.ttl))
            what = (f"endpoint {r.endpoint} of service {r.namespace}/{r.service}" if r.endpoint
                    else f"headless service {r.namespace}/{r.service}: its endpoints")
            if not entries:
                return [], True, f"{what}: no endpoint address" + (" with that port" if r.port else "") + " matches"
            return entries, False, what
        matched_port = False
        for p in _ports(svc.ports):
            if not _port_match(r.port, r.protocol, p):
                continue
            matched_port = True
            for ip in svc.cluster_ips:
                entries.append(Entry(ip, p.port, svc_name, self.ttl))
        if not matched_port:
            return [], True, f"service {r.namespace}/{r.service} has no port _{r.port}._{r.protocol}"
        return entries, False, f"service {r.namespace}/{r.service} (ClusterIP {', '.join(svc.cluster_ips)})"

    # ------------------------------------------------------------------ record types
    def addresses(self, q, zone, qtype, depth=0):
        name = q.name
        owner = q.qname_written or name
        entries, error, why = self.records(name, zone)
        if error:
            return [], [], True, why
        out, seen, notes = [], set(), []
        for e in entries:
            fam = e.family
            if fam == qtype and e.host not in seen:
                seen.add(e.host)
                out.append(Record(owner, qtype, e.ttl, str(ipaddress.ip_address(e.host))))
            elif fam == "CNAME":
                target = e.host.rstrip(".").lower() + "."
                if target == name:
                    continue
                cname = Record(owner, "CNAME", e.ttl, target)
                if is_subdomain(zone, target) and depth < 10:
                    sub_q = _Q(target, qtype)
                    more, _, err, _ = self.addresses(sub_q, zone, qtype, depth + 1)
                    if not err and more:
                        out += [cname] + more
                    continue
                sub = self.setup.lookup(q, target, qtype) if self.setup.lookup else None
                if sub is None or sub.rcode is None:
                    out.append(cname)
                    notes.append(f"the CNAME target {target} is looked up through the server: "
                                 f"{sub.unknown if sub else 'unknown'}")
                else:
                    out += [cname] + sub.answers
                    notes.append(f"the CNAME target {target} looked up through the server: {sub.rcode}")
        return out, [], False, why + ("; " + "; ".join(notes) if notes else "")

    def srv(self, q, zone):
        owner = q.qname_written or q.name
        entries, error, why = self.records(q.name, zone)
        if error:
            return [], [], True, why
        entries = [e for e in entries if e.family != "CNAME"]
        total = 100 * len(entries)
        records, extra, seen_srv, seen_addr = [], [], set(), set()
        for e in entries:
            if e.port == -1:
                continue
            weight = max(1, int(100.0 / total * 100)) if total else 1
            if (e.target, e.port) not in seen_srv:
                seen_srv.add((e.target, e.port))
                records.append(Record(owner, "SRV", e.ttl, f"0 {weight} {e.port} {e.target}"))
            if (e.target, e.host) not in seen_addr:
                seen_addr.add((e.target, e.host))
                extra.append(Record(e.target, e.family, e.ttl, e.host))
        return records, extra, False, why

    def ptr(self, q, zone):
        owner = q.qname_written or q.name
        ip = address_from_reverse(q.name)
        if not ip:
            entries, error, why = self.records(q.name, zone)
            if error:
                return [], [], True, why
            return [Record(owner, "PTR", e.ttl, e.host.rstrip(".") + ".") for e in entries if e.family == "CNAME"], \
                [], False, why
        cluster = self._cluster()
        for svc in cluster.by_cluster_ip.get(ip, []):
            if self.namespaces and svc.namespace not in self.namespaces:
                continue
            target = f"{svc.name}.{svc.namespace}.svc.{self.primary}"
            return [Record(owner, "PTR", self.ttl, target)], [], False, \
                f"{ip} is the ClusterIP of service {svc.namespace}/{svc.name}"
        out = []
        for ep in cluster.endpoints_by_ip.get(ip, []):
            if self.namespaces and ep.namespace not in self.namespaces:
                continue
            for sub in ep.subsets:
                for addr in sub.addresses:
                    if addr.ip == ip:
                        host = endpoint_hostname(addr, self.pod_names)
                        out.append(Record(owner, "PTR", self.ttl, f"{host}.{ep.name}.{ep.namespace}.svc.{self.primary}"))
        if out:
            return out, [], False, f"{ip} is an endpoint address"
        return [], [], True, f"no service or endpoint has the address {ip}"


class _Q:
    """A bare question for lookups the plugin makes inside its own zone."""

    def __init__(self, name, qtype):
        self.name = name
        self.type = qtype
        self.qname_written = name


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


BEHAVIOURS = [Kubernetes]
