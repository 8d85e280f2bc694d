"""file and auto (coredns plugin/file, plugin/auto): authoritative answers from zone files.

Routing: a name in none of its zones goes to the next plugin, or gets REFUSED when the plugin is the last of the
chain. Zone files are read record by record as CoreDNS's Zone.Insert keeps them (plugin/file/zone.go): owner
names lower-cased except SRV owners, NS/SOA/CNAME/MX/SVCB/HTTPS targets lower-cased, the apex SOA and NS kept
apart, no RRset merging. Inside a zone the lookup follows plugin/file/lookup.go: the name is walked label by
label from the apex; a DNAME on the way is substituted (RFC 6672) into a CNAME; NS records below the apex make a
referral (DS at the delegation point is answered by the parent side); an existing name answers its records or
NODATA; a CNAME is followed inside the zone (up to 9 links) and out of it through the server itself (the
`upstream` lookup), with CoreDNS's loop guard (dnsserver.LoopKey: the 9th nested chase answers SERVFAIL); a
missing name is answered from the closest wildcard unless an empty non-terminal is a closer encloser, or is
NXDOMAIN, or NOERROR without answers when longer names exist below it. With `fallthrough` covering the name,
NXDOMAIN and empty NOERROR go to the next plugin. DNSSEC records are served as plain types (no DO bit is sent).

auto (plugin/auto) loads every file of its directory whose base name matches its regular expression (default
`db\\.(.*)`, origin `{1}`) as filepath.Walk finds them (lexical order, the first file of an origin wins), read
here when readable (relative directories under `root`, else next to the Corefile), and answers with the same
lookup; it has no fallthrough.
"""
from __future__ import annotations

import contextvars
import os
import re
import stat

from ...addresses import zones_from_args
from ..behaviour import Behaviour, ConfigError, all_args, properties
from ..model import Record, lookup_cause
from ..names import Fall, ZoneSet, is_subdomain, suffixes

SUCCESS, NAME_ERROR, DELEGATION, NO_DATA, SERVER_FAILURE, UNKNOWN_RESULT = range(6)
MAX_CNAME_LINKS = 8
# plugin/file/lookup.go: `loop > 8` fails the lookup; the loop count rides the request context through every
# lookup a plugin makes through the server (dnsserver.LoopKey), so it is kept here for the nested simulations.
MAX_LOOP = 8
_LOOP: contextvars.ContextVar = contextvars.ContextVar("coredns_file_loop", default=0)
# The innermost reason part of a CNAME chase through the server cannot be known offline (Reply.cause), handed
# from _upstream to the reply of the same lookup.
_CAUSE: contextvars.ContextVar = contextvars.ContextVar("coredns_file_cause", default="")

_LOWER_TARGET = {"NS", "CNAME", "MX", "SVCB", "HTTPS"}   # zone.go Insert: targets lower-cased (not DNAME/SRV/PTR)


def _labels(name: str) -> list[str]:
    """`name`, then each parent, down to the root (escape-aware)."""
    return list(suffixes(name))


def _parent(name: str) -> str:
    """The name without its first label ("" for the root)."""
    if name == ".":
        return ""
    if "\\" not in name:
        dot = name.find(".")
        return name[dot + 1:] if dot + 1 < len(name) else "."
    s = _labels(name)
    return s[1] if len(s) > 1 else ""


def _wildcard_of(name: str) -> str:
    """replaceWithAsteriskLabel (plugin/file/wildcard.go)."""
    parent = _parent(name)
    return "*." + parent if parent and parent != "." else ("*." if parent == "." else "")


def _target(r: Record) -> str:
    """The name a CNAME/DNAME/NS/MX/SRV/SVCB/HTTPS record points to."""
    if r.type in ("SVCB", "HTTPS"):
        parts = r.data.split()
        return parts[1] if len(parts) > 1 else ""
    return r.data.split()[-1] if r.data else ""


def _key(name: str) -> str:
    return name.lower()


class ZoneData:
    """One loaded zone: apex SOA/NS apart, every other record under its (lower-case) owner name."""

    def __init__(self, origin: str):
        # The origin as the zone was made with: auto keeps the case of the file name (dns.Fqdn), and zone.go
        # compares it byte for byte (apex NS, the apex SOA/NS questions); the tree itself is case-insensitive.
        self.origin = origin
        self.origin_key = origin.lower()
        self.orig_len = len(_labels(origin)) - 1
        self.soa: list[Record] = []
        self.ns: list[Record] = []
        self.tree: dict[str, dict[str, list[Record]]] = {}
        self.ancestors: set[str] = set()     # names with something strictly below them
        self.signed = False

    @classmethod
    def load(cls, path: str, origin: str) -> "ZoneData":
        import dns.rdatatype

        from ..records import zone_file_rrs

        z = cls(origin)
        seen_soa = False
        for name, ttl, rdata in zone_file_rrs(path, origin):
            rtype = dns.rdatatype.to_text(rdata.rdtype)
            if rtype in ("NSEC3", "NSEC3PARAM"):
                # zone.go Insert refuses them, and Parse fails with it.
                raise ValueError(f"NSEC3 zone is not supported, dropping RR: {name} for zone: {origin}")
            if rtype != "SRV":
                name = name.canonicalize()
            if rtype in _LOWER_TARGET:
                rdata = rdata.replace(target=rdata.target.canonicalize()) if rtype != "MX" else \
                    rdata.replace(exchange=rdata.exchange.canonicalize())
            elif rtype == "SOA":
                rdata = rdata.replace(mname=rdata.mname.canonicalize(), rname=rdata.rname.canonicalize())
                seen_soa = True
            elif rtype == "RRSIG":
                z.signed = True
            z.insert(Record(name.to_text(), rtype, int(ttl), rdata.to_text()),
                         covered=dns.rdatatype.to_text(rdata.type_covered) if rtype == "RRSIG" else "")
        if not seen_soa:
            raise ValueError(f"file has no SOA record for origin {origin}")
        return z

    def insert(self, r: Record, covered: str = "") -> None:
        key = _key(r.name)
        if r.type == "SOA":
            self.soa = [r]          # the last SOA of the file, whatever its owner (zone.go Insert)
            return
        if r.type == "NS" and key == self.origin:
            self.ns.append(r)
            return
        if r.type == "RRSIG" and (covered == "SOA" or (covered == "NS" and key == self.origin)):
            return                  # kept with the apex (SIGSOA/SIGNS), only served with the DO bit
        elem = self.tree.get(key)
        if elem is None:
            elem = self.tree[key] = {}
            for parent in _labels(key)[1:]:
                if parent in self.ancestors:
                    break
                self.ancestors.add(parent)
        elem.setdefault(r.type, []).append(r)

    def has_descendant(self, name: str) -> bool:
        return name in self.ancestors

    def name_from_right(self, qname: str, i: int):
        """nameFromRight (zone.go): the origin for i = 0, else the last orig_len + i labels of qname; (name, shot)."""
        if i <= 0:
            return self.origin, False
        s = _labels(qname)
        want = self.orig_len + i
        if want > len(s) - 1:
            return qname, True
        return s[len(s) - 1 - want], False

    def chain(self, qname: str) -> list[str]:
        """The origin, then each longer name down to qname (nameFromRight for i = 0, 1, ...)."""
        s = _labels(qname)
        total = len(s) - 1
        return [self.origin_key] + [s[total - k] for k in range(self.orig_len + 1, total + 1)]

    def glue(self, ns_records) -> list[Record]:
        """tree.Glue: A then AAAA of each NS target below the NS record's own owner (in-bailiwick)."""
        out = []
        for r in ns_records:
            target = _target(r)
            if not is_subdomain(_key(r.name), _key(target)):
                continue
            elem = self.tree.get(_key(target))
            if elem:
                out += elem.get("A", []) + elem.get("AAAA", [])
        return out

    def additional(self, answers) -> list[Record]:
        """additionalProcessing: A/AAAA of in-zone SRV/MX/SVCB/HTTPS targets, each target once."""
        out, seen = [], set()
        for r in answers:
            if r.type not in ("SRV", "MX", "SVCB", "HTTPS"):
                continue
            target = _key(_target(r))
            if not target or target in seen or not is_subdomain(self.origin_key, target):
                continue
            seen.add(target)
            elem = self.tree.get(target)
            if elem:
                out += elem.get("A", []) + elem.get("AAAA", [])
        return out


def _synth(records, owner):
    return [Record(owner, r.type, r.ttl, r.data, r.cls) for r in records]


def _substitute_dname(qname: str, owner: str, target: str) -> str:
    """substituteDNAME (plugin/file/dname.go): qname's labels below owner, then target's; "" when no match."""
    if qname == owner or not is_subdomain(owner, qname):
        return ""
    prefix = qname if owner == "." else qname[: len(qname) - len(owner)]
    return prefix + ("" if target == "." else target)


def _result_of(rcode: str, answers) -> int:
    """doLookup (lookup.go): the server's reply to a CNAME target as a lookup result."""
    if rcode == "NXDOMAIN":
        return NAME_ERROR
    if rcode == "SERVFAIL":
        return SERVER_FAILURE
    if rcode == "NOERROR" and not answers:
        return NO_DATA
    return SUCCESS


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
        except IsADirectoryError:
            self.error = f"zone file {db_file} is a directory here ({path})"
        except OSError as e:
            self.error = f"zone file {db_file} cannot be read here: {e.strerror or e}"
        except ValueError as e:
            self.error = f"zone file {db_file} does not parse as a zone for {origin}: {e}"


class ZoneLookup(Behaviour):
    """What file and auto share: Zone.Lookup and the reply ServeDNS builds from it."""

    def reply(self, q, nxt, z: ZoneData, origin: str, where: str, line: int, fall=None):
        if q.type in ("AXFR", "IXFR"):
            return self.answer(q, "zone transfers need the transfer plugin: REFUSED", "REFUSED", line=line,
                               written=False)
        if q.do and z.signed:
            return self.unknown(q, f"unknown: the query has the DO bit and zone {origin} is signed: DNSSEC "
                                   f"records are not simulated", line)
        token = _CAUSE.set("")
        try:
            answers, authority, extra, result, why = self.lookup(q, z)
            cause = _CAUSE.get()
        finally:
            _CAUSE.reset(token)
        if result == UNKNOWN_RESULT:
            reply = self.unknown(q, f"unknown: {why}", line)
            reply.cause = cause
            return reply
        if cause:
            reply = self._reply(q, nxt, answers, authority, extra, result, why, origin, where, line, fall)
            if reply.plugin == self.NAME:
                reply.cause = cause
                reply.notes.append(f"the answer holds what the server answers for a CNAME target, which cannot be "
                                   f"known offline ({cause})")
            return reply
        return self._reply(q, nxt, answers, authority, extra, result, why, origin, where, line, fall)

    def _reply(self, q, nxt, answers, authority, extra, result, why, origin, where, line, fall):
        if fall is not None and not answers and result in (NAME_ERROR, SUCCESS) and fall.through(q.name):
            return self.passes(q, nxt, f"{why}; {fall.describe()}: passes it on", line)
        if result == SERVER_FAILURE and not answers:
            return self.answer(q, f"zone {origin} ({where}): {why}: SERVFAIL", "SERVFAIL", line=line, written=False)
        rcode = {SUCCESS: "NOERROR", NO_DATA: "NOERROR", DELEGATION: "NOERROR", NAME_ERROR: "NXDOMAIN",
                 SERVER_FAILURE: "SERVFAIL"}[result]
        return self.answer(q, f"zone {origin} ({where}): {why}", rcode, answers, authority, extra, line=line)

    def lookup(self, q, z: ZoneData):
        qname, qtype = q.name, q.type
        if qname == z.origin and qtype == "SOA":
            return list(z.soa), list(z.ns), [], SUCCESS, "the apex SOA"
        if qname == z.origin and qtype == "NS":
            return list(z.ns), [], z.glue(z.ns), SUCCESS, "the apex NS records"
        loop = _LOOP.get()
        if loop > MAX_LOOP:
            return [], [], [], SERVER_FAILURE, (f"the lookup is nested {loop} CNAME/DNAME chases deep (more than "
                                                f"{MAX_LOOP}): a loop")
        found = None
        wild_name, wild_elem = "", None
        for n in z.chain(qname):
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
            dnames = elem.get("DNAME")
            if dnames:
                target = _substitute_dname(qname, n, _target(dnames[0]))
                if target:
                    return self.dname(q, z, dnames, target)
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
            if wild_elem is None:
                return [], list(z.soa), [], NO_DATA, f"the wildcard {wild_name} is an empty non-terminal: NODATA"
            if "CNAME" in wild_elem and qtype != "CNAME":
                return self.follow(q, z, _synth(wild_elem["CNAME"], qname), f" (from the wildcard {wild_name})")
            rrs = _synth(wild_elem.get(qtype, []), qname)
            if not rrs:
                return [], list(z.soa), [], NO_DATA, f"the wildcard {wild_name} has no {qtype} record: NODATA"
            return rrs, list(z.ns), z.additional(rrs), SUCCESS, f"synthesised from the wildcard {wild_name}"
        if z.has_descendant(qname):
            return [], list(z.soa), [], SUCCESS, (f"{qname} is an empty non-terminal (names exist below it): "
                                                  f"NOERROR without answers")
        return [], list(z.soa), [], NAME_ERROR, f"{qname} does not exist in the zone: NXDOMAIN"

    @staticmethod
    def _closer_ent(z, qname, wild_name) -> bool:
        """closerENTExists (lookup.go): an empty non-terminal between the wildcard's parent and qname."""
        parent = wild_name[2:]
        for name in _labels(qname)[1:]:
            if name == parent or not is_subdomain(parent, name):
                return False
            if z.has_descendant(name):
                return True
        return False

    def dname(self, q, z: ZoneData, dnames, target: str):
        """The DNAME branch of Lookup: a CNAME from the question name to the substituted name, DNAMEs first."""
        owner = q.name
        if owner.lower() == target.lower():
            # A substitution that does not change the name can only loop (lookup.go).
            return [], [], [], SERVER_FAILURE, f"the DNAME {_key(dnames[0].name)} maps {owner} onto itself"
        cname = Record(owner, "CNAME", dnames[0].ttl, target)
        via = f"DNAME {_key(dnames[0].name)} → {target}"
        if q.type == "CNAME":
            return list(dnames) + [cname], list(z.ns), [], SUCCESS, f"{via} (the synthesised CNAME)"
        answers, authority, extra, result, why = self.follow(q, z, [cname], f" (from the {via})")
        return list(dnames) + answers, authority, extra, result, why

    def follow(self, q, z: ZoneData, rrs, via=""):
        """externalLookup (lookup.go): chase the CNAME inside the zone, and out of it through the server."""
        rrs = list(rrs)
        target = _target(rrs[0])
        elem = z.tree.get(_key(target))
        links = 0
        while True:
            deleg = self._delegation(z, target, q.type, elem)
            if deleg is not None:
                return rrs, deleg[0], deleg[1], DELEGATION, f"CNAME{via} to {target}, which is delegated"
            if elem is None or q.type == "NS" or (q.type == "SOA" and target == z.origin):
                return self._upstream(q, z, rrs, target, via)
            if links > MAX_CNAME_LINKS:
                return rrs, list(z.ns), z.additional(rrs), SUCCESS, (f"CNAME chain longer than {MAX_CNAME_LINKS + 1} "
                                                                      f"links in the zone: cut short")
            cname = elem.get("CNAME")
            if not cname:
                rrs += elem.get(q.type, [])
                return rrs, list(z.ns), z.additional(rrs), SUCCESS, f"CNAME{via} to {target}, found in the zone"
            rrs += cname
            target = _target(cname[0])
            elem = z.tree.get(_key(target))
            links += 1

    def _upstream(self, q, z: ZoneData, rrs, target, via):
        """doLookup: the target is asked of the server itself, one CNAME chase deeper (dnsserver.LoopKey)."""
        outside = not is_subdomain(z.origin_key, _key(target))
        where = "outside the zone" if outside else "not in the zone"
        lookup = self.setup.lookup
        if lookup is None:
            return rrs, [], [], UNKNOWN_RESULT, f"CNAME{via} to {target} ({where}): no server to look it up"
        token = _LOOP.set(_LOOP.get() + 1)
        try:
            # The nested query may go one level deeper than the engine's own guard: file's loop guard stops it.
            sub = lookup(q, target, q.type, extra_depth=1)
        finally:
            _LOOP.reset(token)
        if sub.dropped:
            # doLookup: upstream.Lookup gives no message (nothing was written): Success with the CNAME alone.
            return (rrs, list(z.ns), z.additional(rrs), SUCCESS,
                    f"CNAME{via} to {target} ({where}), looked up through the server: no reply, so the CNAME alone")
        if sub.rcode is None:
            # The lookup's innermost reason (engine: a forward's upstreams, ...), kept on the way up.
            _CAUSE.set(lookup_cause(sub))
            return rrs, [], [], UNKNOWN_RESULT, (f"CNAME{via} to {target} ({where}); the target is looked up through "
                                                 f"the server: {lookup_cause(sub)}")
        if sub.cause:
            _CAUSE.set(sub.cause)
        rrs = rrs + sub.answers
        result = _result_of(sub.rcode, sub.answers)
        return (rrs, list(z.soa) if result in (NAME_ERROR, NO_DATA) else list(z.ns), z.additional(rrs),
                result, f"CNAME{via} to {target} ({where}), looked up through the server: {sub.rcode}")

    @staticmethod
    def _delegation(z, target, qtype, exact):
        """findDelegation (lookup.go): the first zone cut between the apex and target; (NS, glue) or None."""
        i = 1
        while True:
            name, shot = z.name_from_right(target, i)
            if shot:
                return None
            elem = exact if name == target else z.tree.get(_key(name))
            if elem is not None and "NS" in elem and not (qtype == "DS" and name == target):
                ns = elem["NS"]
                return list(ns), z.glue(ns)
            if name == target:
                return None
            i += 1


class File(ZoneLookup):
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
        return self.reply(q, nxt, fz.data, origin, fz.db_file, line, self.fall)


# ---------------------------------------------------------------------------------------------------- auto

def _rewrite_to_expand(template: str) -> str:
    """rewriteToExpand (plugin/auto/regexp.go): `{1}` becomes `${1}`."""
    return template.replace("{", "${")


def _go_expand(template: str, m) -> str:
    """regexp.ExpandString of Go: $1, ${1}, $name, ${name}, $$; a malformed $ is kept as text."""
    out = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        rest = template[j + 1:]
        if rest.startswith("$"):
            out.append("$")
            i = j + 2
            continue
        brace = rest.startswith("{")
        body = rest[1:] if brace else rest
        k = 0
        while k < len(body) and (body[k].isalnum() or body[k] == "_"):
            k += 1
        if k == 0 or (brace and (k >= len(body) or body[k] != "}")):
            out.append("$")
            i = j + 1
            continue
        name = body[:k]
        i = j + 1 + (1 if brace else 0) + k + (1 if brace else 0)
        num = int(name) if name.isdigit() and not (name[0] == "0" and len(name) > 1) and len(name) < 9 else -1
        try:
            value = m.group(num if num >= 0 else name)
        except IndexError:
            value = None
        if value is not None:
            out.append(value)
    return "".join(out)


# RE2 syntax Python's re reads differently (or not at all): said, never guessed.
_RE2_ONLY = re.compile(r"\[\[:|\\[zpPQC]|\(\?U")


class Auto(ZoneLookup):
    NAME = "auto"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.origins = ZoneSet(setup.zones)
        self.is_last = False
        self.names = ZoneSet(())
        directory = ""
        pattern, template = r"db\.(.*)", "${1}"
        for d in directives:
            self.origins = ZoneSet(zones_from_args(all_args(d), setup.zones))
            for name, values, _ in properties(d):
                if name == "directory" and values:
                    directory = values[0]
                    if len(values) >= 3:
                        pattern, template = values[1], _rewrite_to_expand(values[2])
        self.directory = directory
        self.pattern = pattern
        self.zones: dict[str, ZoneData] = {}
        self.files: dict[str, str] = {}
        self.skipped: list[str] = []
        self.problem = ""
        self.regex = None
        if _RE2_ONLY.search(pattern):
            self.problem = f"the regular expression {pattern!r} uses RE2 syntax the simulator does not read"
            return
        try:
            self.regex = re.compile(pattern)
        except re.error as e:
            raise ConfigError(f"auto: invalid regular expression {pattern!r}: {e}") from None
        if self.regex.groups == 0:
            raise ConfigError("auto: Need at least one sub expression")
        if not directory:
            return      # walk.go walks "": nothing is found
        self.path = setup.path(directory)
        if not os.path.exists(self.path):
            self.problem = f"the directory {directory} is not readable here ({self.path})"
            return
        self._walk(os.path.realpath(self.path), template)
        self.names = ZoneSet(self.zones)

    def _walk(self, root: str, template: str) -> None:
        """Walk (plugin/auto/walk.go) over filepath.Walk's order: lexical, symlinks taken as files."""
        seen: dict[str, str] = {}
        for path, base in _walk_files(root):
            m = self.regex.search(base)
            if not m:
                continue
            expanded = _go_expand(template, m)
            if not expanded:
                continue
            origin = expanded if expanded.endswith(".") else expanded + "."
            clean = os.path.normpath(path)
            if origin in seen:
                if seen[origin] != clean:
                    self.skipped.append(f"{base} (origin {origin} is already read from {seen[origin]})")
                continue
            seen[origin] = clean
            try:
                data = ZoneData.load(path, origin)
                # Zones.Matches picks the first of equally long names (case-insensitive): the first one walked.
                self.zones.setdefault(origin.lower(), data)
                self.files.setdefault(origin.lower(), base)
            except (OSError, ValueError) as e:
                self.skipped.append(f"{base} (does not parse as a zone for {origin}: {e})")

    def serve(self, q, nxt):
        if not self.origins.match(q.name):
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.origins.zones)})")
        if self.problem:
            return self.unknown(q, f"unknown: {self.problem}")
        zone = self.names.match(q.name) if self.zones else ""
        if not zone:
            found = ", ".join(self.zones) or "none"
            why = f"no zone file of its directory serves {q.name} (zones found here: {found})"
            if self.skipped:
                why += f"; files passed over: {'; '.join(self.skipped)}"
            if self.is_last:
                return self.answer(q, f"{why} and auto is the last plugin: REFUSED", "REFUSED", written=False)
            return self.passes(q, nxt, why)
        return self.reply(q, nxt, self.zones[zone], zone, self.files[zone], self.line)


def _walk_files(root: str):
    """(path, base name) of every non-directory under root in filepath.Walk order (lstat: a symlink is a file)."""
    try:
        st = os.lstat(root)
    except OSError:
        return
    if not stat.S_ISDIR(st.st_mode):
        yield root, os.path.basename(root)
        return
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return
    for name in names:
        path = os.path.join(root, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_files(path)
        else:
            yield path, name


BEHAVIOURS = [File, Auto]
