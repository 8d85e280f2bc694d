"""k8s_external (coredns plugin/k8s_external): publishes services' external addresses under its own zones.

  <svc>.<ns>.Z                 A/AAAA of the service's external addresses (spec.externalIPs, then each
                               load-balancer ingress: its IP, or its host name as a CNAME followed through the
                               server); with `headless`, a headless service without them: its endpoint IPs
  <endpoint>.<svc>.<ns>.Z      one endpoint (headless only; otherwise the endpoint label is ignored)
  _<port>._<proto>.<svc>.<ns>.Z  SRV; PTR of an external IP (in a reverse zone of its own) → svc.ns.FIRST-ZONE
  the apex: SOA and NS (ns1.APEX.Z); `APEX.Z` NODATA; `ns1.APEX.Z` CoreDNS's external addresses; other names
  under APEX.Z NXDOMAIN (apex.go).
Unknown names are NXDOMAIN (the next plugin with `fallthrough`); names that exist without records of the type,
and every type but A, AAAA, SRV and PTR, are NODATA. The data come from the block's kubernetes plugin (its
`namespaces`, `labels`, `endpoint_pod_names` and ttl, which SRV records and CNAMEs carry), here from
`--cluster-state` (without it: unknown). The SOA serial (the time of the last change) is shown as 0.
"""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..model import CauseNote, Record, cause_of, lookup_cause
from ..names import Fall, ZoneSet, address_from_reverse, is_subdomain, split_labels, trim_zone
from .kubernetes import Kubernetes, NeedsCluster, _fqdn, _join, _port_match, _ports, endpoint_hostname, host_type, \
    srv_weight


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
        # setup.go: the Externaler is the kubernetes plugin of the same server block (found at start-up).
        k8s = [x for x in setup.directives if x.name == "kubernetes"]
        self.k8s = Kubernetes(k8s, setup) if k8s else None

    def soa(self, zone):
        return Record(zone, "SOA", self.ttl, f"ns1.{self.apex}.{_join(zone)} hostmaster.{self.apex}.{_join(zone)} 0 "
                                             f"7200 1800 86400 {self.ttl}")

    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)})")
        if self.k8s is None:
            return self.unknown(q, "unknown: the block has no kubernetes plugin, so CoreDNS would not start "
                                   "(k8s_external: kubernetes plugin not loaded)")
        try:
            for z in self.zone_list:
                if q.name == z:
                    return self.serve_apex(q, zone)
                if is_subdomain(f"{self.apex}.{_join(z)}" if z != "." else f"{self.apex}.", q.name):
                    return self.serve_sub_apex(q, zone)
            svcs, rcode, why = self.external(q, zone)
        except NeedsCluster as e:
            return self.unknown(q, f"unknown: {e}")
        if not svcs:
            if rcode == "NXDOMAIN" and self.fall.through(q.name):
                return self.passes(q, nxt, f"{why}; {self.fall.describe()}: passes it on")
            return self.answer(q, f"{why}: {'NODATA' if rcode == 'NOERROR' else rcode}", rcode,
                               authority=[self.soa(zone)])
        extra, notes = [], []
        if q.type in ("A", "AAAA"):
            answers = self.addresses(q, svcs, notes)
        elif q.type == "SRV":
            answers, extra = self.srv(q, svcs, notes)
        elif q.type == "PTR":
            answers = self.ptr(q, svcs)
        else:
            answers = []
            why += f"; no {q.type} records (k8s_external answers A, AAAA, SRV and PTR)"
        cause = cause_of(notes)
        if cause:
            # msg_to_dns.go: CNAME targets are looked up through the server (upstream.Lookup, class IN).
            why += "; " + "; ".join(n for n in notes if isinstance(n, CauseNote))
        if not answers:
            return self.answer(q, f"{why}: NODATA", "NOERROR", authority=[self.soa(zone)], additional=extra)
        reply = self.answer(q, why, "NOERROR", answers, additional=extra)
        reply.notes.extend(notes)
        reply.cause = cause
        return reply

    # ------------------------------------------------------------------ apex.go
    def serve_apex(self, q, zone):
        if q.type == "SOA":
            return self.answer(q, "the apex SOA", "NOERROR", [self.soa(zone)])
        if q.type == "NS":
            ns = f"ns1.{self.apex}.{_join(zone)}"
            owner = q.qname_written or q.name
            try:
                addrs = self.k8s.ns_addrs(True, self.headless, zone)
            except NeedsCluster as e:
                reply = self.answer(q, f"the apex NS ({ns})", "NOERROR", [Record(zone, "NS", self.ttl, ns)])
                reply.notes.append(f"the additional section (the addresses of {ns}) is not known here: {e}")
                return reply
            extra = [Record(f"ns1.{self.apex}.{_join(owner)}", host_type(ip)[0], self.ttl, host_type(ip)[1])
                     for _, ip in addrs]
            return self.answer(q, f"the apex NS ({ns}), with CoreDNS's external addresses", "NOERROR",
                               [Record(zone, "NS", self.ttl, ns)], additional=extra)
        return self.answer(q, f"the apex has no {q.type}: NODATA", "NOERROR", authority=[self.soa(zone)])

    def serve_sub_apex(self, q, zone):
        labels = split_labels(trim_zone(q.name, zone) + ".")
        if len(labels) == 1:
            return self.answer(q, f"{q.name} is an empty non-terminal: NODATA", "NOERROR",
                               authority=[self.soa(zone)])
        if len(labels) != 2 or labels[0] != "ns1":
            return self.answer(q, f"{q.name} is not a name under {self.apex}.{_join(zone)}: NXDOMAIN", "NXDOMAIN",
                               authority=[self.soa(zone)])
        if q.type not in ("A", "AAAA"):
            return self.answer(q, f"ns1.{self.apex}.{_join(zone)} has only addresses: NODATA", "NOERROR",
                               authority=[self.soa(zone)])
        owner = q.qname_written or q.name
        addrs = self.k8s.ns_addrs(True, self.headless, zone)
        answers = [Record(owner, q.type, self.ttl, host_type(ip)[1]) for _, ip in addrs if host_type(ip)[0] == q.type]
        if not answers:
            return self.answer(q, f"CoreDNS has no external {q.type} address (ns.go nsAddrs): NODATA", "NOERROR",
                               authority=[self.soa(zone)])
        return self.answer(q, "CoreDNS's external addresses (ns.go nsAddrs)", "NOERROR", answers)

    # ------------------------------------------------------------------ kubernetes/external.go External
    def external(self, q, zone):
        """([(host, port, target)], rcode, why)."""
        k8s = self.k8s
        cluster = k8s._cluster()
        if q.type == "PTR":
            ip = address_from_reverse(q.name)
            if ip:
                found = []
                for svc in cluster.services.values():
                    if ip not in svc.external:
                        continue
                    if k8s.selector is not None and not k8s.selector(svc.labels):
                        continue
                    if k8s.namespaces and not k8s.namespace_exposed(svc.namespace):
                        continue
                    found.append((f"{svc.name}.{svc.namespace}", 0, ""))
                if not found:
                    return [], "NXDOMAIN", f"no service has the external IP {ip}"
                return found, "NOERROR", f"{ip} is an external IP of {', '.join(h for h, _, _ in found)}"
        segs = split_labels(trim_zone(q.name, zone) + ".")
        if not segs:
            return [], "SERVFAIL", "empty name"
        namespace = segs[-1]
        if not k8s.namespace_exposed(namespace):
            return [], "NXDOMAIN", f"namespace {namespace} is not exposed (it does not exist or is not listed)"
        if len(segs) == 1:
            return [], "NOERROR", f"{q.name} is a namespace"
        service = segs[-2]
        rest = segs[:-2]
        endpoint = port = proto = ""
        if len(rest) == 1:
            endpoint = rest[0].removeprefix("_")
        elif len(rest) == 2:
            port, proto = rest[0].removeprefix("_"), rest[1].removeprefix("_")
        elif len(rest) > 2:
            return [], "NXDOMAIN", f"{q.name} has too many labels"
        svc = cluster.services.get((namespace, service))
        if svc is not None and k8s.selector is not None and not k8s.selector(svc.labels):
            svc = None
        entries = []
        if svc is not None:
            if self.headless and not svc.external and (svc.headless or endpoint):
                for sub in k8s._subsets(cluster.endpoints_of(namespace, service)):
                    for addr in sub.addresses:
                        host = endpoint_hostname(addr, k8s.pod_names)
                        if endpoint and endpoint.lower() != host.lower():
                            continue
                        for p in _ports(sub.ports):
                            if _port_match(port, proto, p):
                                entries.append((addr.ip, p.port, f"{host}.{service}.{namespace}.{_join(zone)}"))
            else:
                for ip in svc.external:
                    for p in _ports(svc.ports):
                        if _port_match(port, proto, p):
                            entries.append((ip, p.port, f"{service}.{namespace}.{_join(zone)}"))
        if not entries:
            return [], "NXDOMAIN", f"no external address for {service}.{namespace}"
        why = f"service {namespace}/{service}: external addresses {', '.join(dict.fromkeys(e[0] for e in entries))}"
        if q.type == "PTR":
            return [], "NOERROR", why + "; PTR records exist only for addresses"
        return entries, "NOERROR", why

    # ------------------------------------------------------------------ msg_to_dns.go
    def addresses(self, q, svcs, notes):
        owner = q.qname_written or q.name
        out, seen = [], set()
        for host, _, _ in svcs:
            fam, addr = host_type(host)
            if fam == "CNAME":
                # The CNAME carries the kubernetes plugin's ttl (msg.Service TTL); its target is looked up through
                # the server (upstream.Lookup).
                out.append(Record(owner, "CNAME", self.k8s.ttl, _fqdn(host)))
                sub = self.setup.lookup(q, _fqdn(host).lower(), q.type) if self.setup.lookup else None
                if sub is None or sub.rcode is None or sub.cause:
                    if sub is not None:
                        out += sub.answers
                    cause = lookup_cause(sub)
                    notes.append(CauseNote(f"the answer also holds what the server answers for {_fqdn(host)}, which "
                                           f"cannot be known offline ({cause})", cause))
                else:
                    out += sub.answers
            elif fam == q.type and host not in seen:
                seen.add(host)
                out.append(Record(owner, q.type, self.ttl, addr))
        return out

    def srv(self, q, svcs, notes):
        owner = q.qname_written or q.name
        weight = srv_weight(100 * len(svcs))
        records, extra, dup = [], [], set()
        for host, port, target in svcs:
            if port == -1:
                continue
            fam, addr = host_type(host)
            if fam == "CNAME":
                target = _fqdn(host)
                if (target, port) not in dup:
                    dup.add((target, port))
                    records.append(Record(owner, "SRV", self.k8s.ttl, f"0 {weight} {port} {target}"))
                if (target, target) not in dup:
                    dup.add((target, target))
                    for qtype in ("A", "AAAA"):
                        sub = self.setup.lookup(q, target.lower(), qtype) if self.setup.lookup else None
                        if sub is None or sub.rcode is None or sub.cause:
                            if sub is not None:
                                extra += sub.answers
                            cause = lookup_cause(sub)
                            notes.append(CauseNote(f"the additional section also holds what the server answers for "
                                                   f"{target} {qtype}, which cannot be known offline ({cause})",
                                                   cause))
                        else:
                            extra += sub.answers
                continue
            target = _fqdn(target)
            if (target, port) not in dup:
                dup.add((target, port))
                records.append(Record(owner, "SRV", self.k8s.ttl, f"0 {weight} {port} {target}"))
            if (target, host) not in dup:
                dup.add((target, host))
                extra.append(Record(target, fam, self.ttl, addr))
        return records, extra

    def ptr(self, q, svcs):
        owner = q.qname_written or q.name
        out, seen = [], set()
        for host, _, _ in svcs:
            if host not in seen:
                seen.add(host)
                # msg_to_dns.go ptr: the name is completed with the plugin's first zone, whichever matched.
                out.append(Record(owner, "PTR", self.ttl, f"{host}.{_join(self.zone_list[0])}"))
        return out


BEHAVIOURS = [K8sExternal]
