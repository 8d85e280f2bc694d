"""file (coredns plugin/file): authoritative answers from zone files, loaded here with dnspython.

Routing: a name in none of its zones goes to the next plugin, or gets REFUSED when file is the last plugin of
the chain. Inside a zone the lookup follows plugin/file/lookup.go: the apex's SOA and NS are kept apart from the
other names; the name is walked label by label from the apex, and NS records below the apex make a referral
(AA cleared; DS at the delegation point is answered by the parent); an existing name answers its records or
NODATA, a CNAME is followed inside the zone (up to 8 links) and out of it through the server itself (the
`upstream` lookup); a missing name is answered from the closest wildcard, or is NXDOMAIN, or NOERROR without
answers when longer names exist below it (an empty non-terminal). With `fallthrough` covering the name,
NXDOMAIN and empty NOERROR go to the next plugin. DNAME synthesis and DNSSEC records are not modelled.
"""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..model import Record
from ..names import Fall, ZoneSet, is_subdomain

SUCCESS, NAME_ERROR, DELEGATION, NO_DATA, SERVER_FAILURE, UNKNOWN_RESULT = range(6)
MAX_CNAME_LINKS = 8


class ZoneData:
    """One loaded zone: apex SOA/NS apart, every other record under its (lower-case) owner name."""

    def __init__(self, origin: str):
        self.origin = origin
        self.soa: list[Record] = []
        self.ns: list[Record] = []
        self.tree: dict[str, dict[str, list[Record]]] = {}
        self.ancestors: set[str] = set()     # names with something strictly below them

    @classmethod
    def load(cls, path: str, origin: str) -> "ZoneData":
        import dns.exception
        import dns.name
        import dns.rdatatype
        import dns.zone

        try:
            zone = dns.zone.from_file(path, origin=dns.name.from_text(origin), relativize=False,
                                      check_origin=False)
        except dns.exception.DNSException as e:
            raise ValueError(str(e) or type(e).__name__) from None
        z = cls(origin)
        for name, ttl, rdata in zone.iterate_rdatas():
            rtype = dns.rdatatype.to_text(rdata.rdtype)
            owner = name.to_text()
            data = rdata.to_text()
            if rtype != "SRV":
                owner = owner.lower()
            if rtype in ("CNAME", "NS", "DNAME"):
                data = data.lower()
            elif rtype == "MX":
                data = data.lower()
            elif rtype == "SOA":
                f = data.split(" ", 2)
                data = " ".join([f[0].lower(), f[1].lower()] + f[2:])
            z.insert(Record(owner, rtype, int(ttl), data))
        if not z.soa:
            raise ValueError(f"file has no SOA record for origin {origin}")
        return z

    def insert(self, r: Record) -> None:
        if r.type == "SOA":
            self.soa = [r]
            return
        if r.type == "NS" and r.name == self.origin:
            self.ns.append(r)
            return
        self.tree.setdefault(r.name, {}).setdefault(r.type, []).append(r)
        name = r.name
        while name != self.origin and name != ".":
            dot = name.find(".")
            name = name[dot + 1:] if dot + 1 < len(name) else "."
            self.ancestors.add(name)

    def has_descendant(self, name: str) -> bool:
        return name in self.ancestors

    def chain(self, qname: str) -> list[str]:
        """The origin, then each longer name down to qname (nameFromRight for i = 0, 1, ...)."""
        if qname == self.origin:
            return [self.origin]
        rest = qname[: len(qname) - len(self.origin)].rstrip(".")
        labels = rest.split(".") if rest else []
        names = [self.origin]
        suffix = self.origin
        for label in reversed(labels):
            suffix = f"{label}.{suffix}" if suffix != "." else f"{label}."
            names.append(suffix)
        return names

    def glue(self, ns_records) -> list[Record]:
        out = []
        for r in ns_records:
            target = r.data.split()[-1]
            elem = self.tree.get(target)
            if elem:
                out += elem.get("A", []) + elem.get("AAAA", [])
        return out

    def additional(self, answers) -> list[Record]:
        out, seen = [], set()
        for r in answers:
            if r.type not in ("SRV", "MX", "SVCB", "HTTPS"):
                continue
            target = r.data.split()[-1 if r.type in ("SRV", "MX") else 1].lower()
            if target in seen or not is_subdomain(self.origin, target):
                continue
            seen.add(target)
            elem = self.tree.get(target)
            if elem:
                out += elem.get("A", []) + elem.get("AAAA", [])
        return out


def _wildcard_of(name: str) -> str:
    dot = name.find(".")
    if dot == -1 or dot + 1 >= len(name):
        return ""
    return "*." + name[dot + 1:]


def _synth(records, owner):
    return [Record(owner, r.type, r.ttl, r.data, r.cls) for r in records]


class FileZone:
    """One `file` stanza's zone: its data, or why it has none."""

    def __init__(self, origin, db_file, path):
        self.origin, self.db_file, self.path = origin, db_file, path
        self.data = None
        self.error = ""
        try:
            self.data = ZoneData.load(path, origin)
        except FileNotFoundError:
            self.error = f"zone file {db_file} is not readable here ({path})"
        except OSError as e:
            self.error = f"zone file {db_file} cannot be read here: {e.strerror or e}"
        except ValueError as e:
            self.error = f"zone file {db_file} does not parse as a zone for {origin}: {e}"


class File(Behaviour):
    NAME = "file"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.zones: dict[str, FileZone] = {}
        self.lines: dict[str, int] = {}
        self.fall = Fall()
        loaded: dict[tuple, FileZone] = {}
        for d in directives:
            args = all_args(d)
            if not args:
                continue
            path = setup.path(args[0])
            for origin in zones_from_args(args[1:], setup.zones):
                key = (path, origin)
                if key not in loaded:
                    loaded[key] = FileZone(origin, args[0], path)
                self.zones[origin] = loaded[key]
                self.lines[origin] = d.line
            for name, values, _ in properties(d):
                if name == "fallthrough":
                    self.fall = Fall.from_args(values)
        self.zone_set = ZoneSet(self.zones)
        self.is_last = False

    def serve(self, q, nxt):
        origin = self.zone_set.match(q.name)
        if not origin:
            if self.is_last:
                return self.answer(q, f"{q.name} is in none of its zones ({', '.join(self.zone_set.zones)}) and file "
                                      f"is the last plugin: REFUSED", "REFUSED", written=False)
            return self.passes(q, nxt, f"{q.name} is in none of its zones ({', '.join(self.zone_set.zones)})")
        line = self.lines[origin]
        fz = self.zones[origin]
        if fz.data is None:
            return self.unknown(q, f"unknown: {fz.error}; CoreDNS answers SERVFAIL while a zone is not loaded",
                                line)
        if q.type in ("AXFR", "IXFR"):
            return self.answer(q, "zone transfers need the transfer plugin: REFUSED", "REFUSED", line=line,
                               written=False)
        answers, authority, extra, result, why = self.lookup(q, fz.data)
        if result == UNKNOWN_RESULT:
            return self.unknown(q, f"unknown: {why}", line)
        if not answers and result in (NAME_ERROR, SUCCESS) and self.fall.through(q.name):
            return self.passes(q, nxt, f"{why}; {self.fall.describe()}: passes it on", line)
        rcode = {SUCCESS: "NOERROR", NO_DATA: "NOERROR", DELEGATION: "NOERROR", NAME_ERROR: "NXDOMAIN",
                 SERVER_FAILURE: "SERVFAIL"}[result]
        if result == SERVER_FAILURE and not answers:
            return self.answer(q, why, "SERVFAIL", line=line, written=False)
        reply = self.answer(q, f"zone {origin} ({fz.db_file}): {why}", rcode, answers, authority, extra, line=line)
        return reply

    def lookup(self, q, z: ZoneData):
        qname, qtype = q.name, q.type
        if qname == z.origin and qtype == "SOA":
            return list(z.soa), list(z.ns), [], SUCCESS, "the apex SOA"
        if qname == z.origin and qtype == "NS":
            return list(z.ns), [], z.glue(z.ns), SUCCESS, "the apex NS records"
        found = None
        wild_name, wild_elem = "", None
        names = z.chain(qname)
        for n in names:
            elem = z.tree.get(n)
            if elem is None:
                found = None
                wildcard = _wildcard_of(n)
                if wildcard in z.tree:
                    wild_name, wild_elem = wildcard, z.tree[wildcard]
                elif wildcard and z.has_descendant(wildcard):
                    wild_name, wild_elem = wildcard, None
                continue
            found = elem
            if "DNAME" in elem:
                return [], [], [], UNKNOWN_RESULT, f"{n} has a DNAME record; DNAME synthesis is not modelled"
            if "NS" in elem and not (qtype == "DS" and n == qname):
                ns = elem["NS"]
                return [], list(ns), z.glue(ns), DELEGATION, (f"{n} is delegated (NS {', '.join(r.data for r in ns)}):"
                                                               f" a referral, not authoritative")
        if found is not None:
            if "CNAME" in found and qtype != "CNAME":
                return self.follow(q, z, list(found["CNAME"]))
            rrs = found.get(qtype, [])
            if not rrs:
                return [], list(z.soa), [], NO_DATA, f"{qname} exists but has no {qtype} record: NODATA"
            return list(rrs), list(z.ns), z.additional(rrs), SUCCESS, f"{qname} {qtype} found"
        if wild_name and not self._closer_ent(z, qname, wild_name):
            owner = qname
            if wild_elem is None:
                return [], list(z.soa), [], NO_DATA, f"the wildcard {wild_name} is an empty non-terminal: NODATA"
            if "CNAME" in wild_elem and qtype != "CNAME":
                return self.follow(q, z, _synth(wild_elem["CNAME"], owner), wild_name)
            rrs = _synth(wild_elem.get(qtype, []), owner)
            if not rrs:
                return [], list(z.soa), [], NO_DATA, f"the wildcard {wild_name} has no {qtype} record: NODATA"
            return rrs, list(z.ns), z.additional(rrs), SUCCESS, f"synthesised from the wildcard {wild_name}"
        if z.has_descendant(qname):
            return [], list(z.soa), [], SUCCESS, (f"{qname} is an empty non-terminal (names exist below it): "
                                                  f"NOERROR without answers")
        return [], list(z.soa), [], NAME_ERROR, f"{qname} does not exist in the zone: NXDOMAIN"

    @staticmethod
    def _closer_ent(z, qname, wild_name) -> bool:
        parent = wild_name[2:]
        name = qname
        while True:
            dot = name.find(".")
            if dot == -1 or dot + 1 >= len(name):
                return False
            name = name[dot + 1:]
            if name == parent or not is_subdomain(parent, name):
                return False
            if z.has_descendant(name):
                return True

    def follow(self, q, z: ZoneData, cname_rrs, wildcard=""):
        """externalLookup: chase the CNAME inside the zone, and out of it through the server."""
        rrs = list(cname_rrs)
        via = f" (from the wildcard {wildcard})" if wildcard else ""
        for _ in range(MAX_CNAME_LINKS + 1):
            target = rrs[-1].data.split()[-1]
            deleg = self._delegation(z, target, q.type)
            if deleg is not None:
                return rrs, deleg[0], deleg[1], DELEGATION, f"CNAME{via} to {target}, which is delegated"
            elem = z.tree.get(target)
            if elem is None or q.type == "NS" or (q.type == "SOA" and target == z.origin):
                outside = not is_subdomain(z.origin, target)
                sub = self.setup.lookup(q, target, q.type) if self.setup.lookup else None
                where = "outside the zone" if outside else "not in the zone"
                if sub is None or sub.rcode is None:
                    why = f"CNAME{via} to {target} ({where}); the target is looked up through the server"
                    if sub is not None and sub.unknown:
                        why += f": {sub.unknown}"
                    return rrs, [], [], UNKNOWN_RESULT, why
                rrs += sub.answers
                result = {"NXDOMAIN": NAME_ERROR, "SERVFAIL": SERVER_FAILURE}.get(sub.rcode, SUCCESS)
                if sub.rcode == "NOERROR" and not sub.answers:
                    result = NO_DATA
                return (rrs, list(z.soa) if result in (NAME_ERROR, NO_DATA) else list(z.ns), z.additional(rrs),
                        result, f"CNAME{via} to {target} ({where}), looked up through the server: {sub.rcode}")
            if "CNAME" in elem:
                rrs += elem["CNAME"]
                continue
            targets = elem.get(q.type, [])
            rrs += targets
            return rrs, list(z.ns), z.additional(rrs), SUCCESS, f"CNAME{via} to {target}, found in the zone"
        return rrs, list(z.ns), z.additional(rrs), SUCCESS, "CNAME chain longer than 8 links: cut short"

    @staticmethod
    def _delegation(z, target, qtype):
        if not is_subdomain(z.origin, target):
            return None
        for n in z.chain(target)[1:]:
            elem = z.tree.get(n)
            if elem and "NS" in elem and not (qtype == "DS" and n == target):
                return list(elem["NS"]), z.glue(elem["NS"])
        return None


BEHAVIOURS = [File]
