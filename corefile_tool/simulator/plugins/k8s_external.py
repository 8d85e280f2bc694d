"""k8s_external (coredns plugin/k8s_external): publishes services' external addresses under its own zones.

  <svc>.<ns>.Z                 A/AAAA of the service's external IPs (spec.externalIPs and load-balancer
                               ingress); with `headless`, a headless service's endpoint IPs
  <endpoint>.<svc>.<ns>.Z      one endpoint (headless only)
  _<port>._<proto>.<svc>.<ns>.Z  SRV
  the apex: SOA and NS; `dns.Z` NODATA, `ns1.dns.Z` CoreDNS's external address; other `*.dns.Z` NXDOMAIN.
Unknown names are NXDOMAIN, or go to the next plugin when `fallthrough` covers them. The data come from the
block's kubernetes plugin, here from `--cluster-state` (without it: unknown).
"""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..model import Record
from ..names import Fall, ZoneSet, address_from_reverse, is_subdomain, split_labels, trim_zone
from .kubernetes import _port_match, _ports, endpoint_hostname


class K8sExternal(Behaviour):
    NAME = "k8s_external"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        d = directives[0]
        self.zone_list = zones_from_args(all_args(d), setup.zones)
        self.zones = ZoneSet(self.zone_list)
        self.ttl = 5
        self.apex = "dns"
        self.headless = False
        self.fall = Fall()
        for name, values, _ in properties(d):
            if name == "ttl" and values and values[0].isdigit():
                self.ttl = int(values[0])
            elif name == "apex" and values:
                self.apex = values[0]
            elif name == "headless":
                self.headless = True
            elif name == "fallthrough":
                self.fall = Fall.from_args(values)
        self.pod_names = False
        for k in (x for x in setup.directives if x.name == "kubernetes"):
            self.pod_names = any(c.name == "endpoint_pod_names" for c in k.children)

    def soa(self, zone):
        return Record(zone, "SOA", self.ttl, f"ns1.{self.apex}.{zone} hostmaster.{self.apex}.{zone} 12345 14400 "
                                             f"3600 604800 {self.ttl}")

    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)})")
        owner = q.qname_written or q.name
        for z in self.zone_list:
            if q.name == z:
                if q.type == "SOA":
                    return self.answer(q, "the apex SOA", "NOERROR", [self.soa(z)])
                if q.type == "NS":
                    return self.answer(q, f"the apex NS (ns1.{self.apex}.{z}, CoreDNS's external address)", "NOERROR",
                                       [Record(owner, "NS", self.ttl, f"ns1.{self.apex}.{z}")])
                return self.answer(q, f"the apex has no {q.type}: NODATA", "NOERROR", authority=[self.soa(z)])
            if is_subdomain(f"{self.apex}.{z}", q.name):
                base = trim_zone(q.name, z)
                labels = split_labels(base + ".")
                if len(labels) == 1:
                    return self.answer(q, f"{q.name} is an empty non-terminal: NODATA", "NOERROR")
                if len(labels) == 2 and labels[0] == "ns1":
                    return self.unknown(q, "unknown: the address of ns1 is CoreDNS's own external address")
                return self.answer(q, f"{q.name} is not a name under {self.apex}.{z}: NXDOMAIN", "NXDOMAIN",
                                   authority=[self.soa(z)])
        cluster = self.setup.cluster_state
        if cluster is None:
            return self.unknown(q, "unknown: needs the cluster's services (pass --cluster-state FILE)")
        answers, extra, rcode, why = self.external(q, zone, cluster, owner)
        if not answers:
            if rcode == "NXDOMAIN" and self.fall.through(q.name):
                return self.passes(q, nxt, f"{why}; {self.fall.describe()}: passes it on")
            return self.answer(q, f"{why}: {'NODATA' if rcode == 'NOERROR' else rcode}", rcode,
                               authority=[self.soa(zone)])
        return self.answer(q, why, "NOERROR", answers, additional=extra)

    def external(self, q, zone, cluster, owner):
        if q.type == "PTR":
            ip = address_from_reverse(q.name)
            if ip:
                for svc in cluster.services.values():
                    if ip in svc.external_ips:
                        return [Record(owner, "PTR", self.ttl, f"{svc.name}.{svc.namespace}.{zone}")], [], \
                            "NOERROR", f"{ip} is an external IP of {svc.namespace}/{svc.name}"
                return [], [], "NXDOMAIN", f"no service has the external IP {ip}"
        segs = split_labels(trim_zone(q.name, zone) + ".")
        if not segs:
            return [], [], "SERVFAIL", "empty name"
        namespace = segs[-1]
        if not cluster.namespace_exists(namespace):
            return [], [], "NXDOMAIN", f"namespace {namespace} does not exist"
        if len(segs) == 1:
            return [], [], "NOERROR", f"{q.name} is a namespace"
        service = segs[-2]
        rest = segs[:-2]
        endpoint = port = proto = ""
        if len(rest) == 1:
            endpoint = rest[0].removeprefix("_")
        elif len(rest) == 2:
            port, proto = rest[0].removeprefix("_"), rest[1].removeprefix("_")
        elif len(rest) > 2:
            return [], [], "NXDOMAIN", f"{q.name} has too many labels"
        svc = cluster.service(namespace, service)
        entries = []
        if svc is not None:
            if self.headless and not svc.external_ips and (svc.headless or endpoint):
                ep = cluster.endpoints_of(namespace, service)
                for sub in (ep.subsets if ep else []):
                    for addr in sub.addresses:
                        host = endpoint_hostname(addr, self.pod_names)
                        if endpoint and endpoint.lower() != host.lower():
                            continue
                        for p in _ports(sub.ports):
                            if _port_match(port, proto, p):
                                entries.append((addr.ip, p.port, f"{host}.{service}.{namespace}.{zone}"))
            else:
                for ip in svc.external_ips:
                    for p in _ports(svc.ports):
                        if _port_match(port, proto, p):
                            entries.append((ip, p.port, f"{service}.{namespace}.{zone}"))
        if not entries:
            return [], [], "NXDOMAIN", f"no external address for {service}.{namespace}"
        why = f"service {namespace}/{service}: external addresses {', '.join(sorted({e[0] for e in entries}))}"
        if q.type in ("A", "AAAA"):
            fam = [e for e in entries if (":" in e[0]) == (q.type == "AAAA")]
            seen = []
            for ip, _, _ in fam:
                if ip not in seen:
                    seen.append(ip)
            return [Record(owner, q.type, self.ttl, ip) for ip in seen], [], "NOERROR", why
        if q.type == "SRV":
            weight = max(1, int(100 / len(entries)))
            srv = []
            extra = []
            for ip, p, target in entries:
                if p == -1:
                    continue
                srv.append(Record(owner, "SRV", self.ttl, f"0 {weight} {p} {target}"))
                extra.append(Record(target, "AAAA" if ":" in ip else "A", self.ttl, ip))
            return srv, extra, "NOERROR", why
        return [], [], "NOERROR", why + f"; no {q.type} records"


BEHAVIOURS = [K8sExternal]
