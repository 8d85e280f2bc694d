"""hosts (coredns plugin/hosts): answers A, AAAA and PTR from inline entries and a hosts file.

Names outside its zones pass on (PTR queries skip that check and pass on when no entry has the address). A
name with an entry of the other family only is NODATA. A name with no entry at all goes to the next plugin when
`fallthrough` covers it and otherwise gets SERVFAIL (hosts has no SOA to build an NXDOMAIN with). Other types
for a known name are NODATA. Wildcard entries (`*.example.org`) exist from 1.14.5; `fallthrough_unsupported`
(1.14.7) passes other types on. The file (default /etc/hosts) is read here when readable; a relative name is
looked up under `root`, else next to the Corefile.
"""
from __future__ import annotations

import ipaddress

from ...addresses import zones_from_args
from ...knowledge.spec import version_tuple
from ..behaviour import Behaviour, all_args, properties
from ..model import Record
from ..names import Fall, ZoneSet, address_from_reverse, canonical

KNOWN_PROPERTIES = ("fallthrough", "fallthrough_unsupported", "no_reverse", "ttl", "reload")


class HostsMap:
    def __init__(self):
        self.v4: dict[str, list[str]] = {}
        self.v6: dict[str, list[str]] = {}
        self.wild4: dict[str, list[str]] = {}
        self.wild6: dict[str, list[str]] = {}
        self.addr: dict[str, list[str]] = {}


def parse_hosts(lines, zones: ZoneSet, auto_reverse: bool, wildcards: bool) -> HostsMap:
    m = HostsMap()
    for line in lines:
        line = line.split("#", 1)[0]
        fields = line.split()
        if len(fields) < 2:
            continue
        try:
            ip = ipaddress.ip_address(fields[0].split("%")[0])
        except ValueError:
            continue
        v4 = ip.version == 4 or ip.ipv4_mapped is not None
        text = str(ip.ipv4_mapped) if ip.version == 6 and ip.ipv4_mapped is not None else str(ip)
        for word in fields[1:]:
            name = canonical(word)
            if not zones.match(name):
                continue
            if wildcards and name.startswith("*."):
                (m.wild4 if v4 else m.wild6).setdefault(name, []).append(text)
                continue
            (m.v4 if v4 else m.v6).setdefault(name, []).append(text)
            if auto_reverse:
                m.addr.setdefault(text, []).append(name)
    return m


def _go_ip_text(ip: str) -> str:
    """net.IP.String() of an address: an IPv4-mapped IPv6 address prints as IPv4, so the PTR of its ip6.arpa name
    finds an IPv4 entry (hostsfile.go LookupStaticAddr keys entries by addr.String())."""
    if ":" in ip:
        mapped = ipaddress.IPv6Address(ip).ipv4_mapped
        if mapped is not None:
            return str(mapped)
    return ip


def _lookup(table: dict, wild: dict, name: str) -> list[str]:
    if name in table:
        return table[name]
    dot = name.find(".")
    if wild and 0 < dot < len(name) - 1:
        return wild.get("*." + name[dot + 1:], [])
    return []


class Hosts(Behaviour):
    NAME = "hosts"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        d = directives[0]
        args = all_args(d)
        self.file = args[0] if args else "/etc/hosts"
        self.zones = ZoneSet(zones_from_args(args[1:], setup.zones))
        self.ttl = 3600
        self.fall = Fall()
        self.fall_unsupported = False
        self.auto_reverse = True
        inline = []
        for name, values, _ in properties(d):
            if name == "fallthrough":
                self.fall = Fall.from_args(values)
            elif name == "fallthrough_unsupported":
                self.fall_unsupported = True
            elif name == "no_reverse":
                self.auto_reverse = False
            elif name == "ttl" and values and values[0].isdigit():
                self.ttl = int(values[0])
            elif name == "reload":
                pass
            elif not self.fall.configured:
                inline.append(" ".join([name] + values))
        wildcards = version_tuple(setup.version) >= (1, 14, 5)
        if version_tuple(setup.version) < (1, 14, 7):
            self.fall_unsupported = False
        self.inline = parse_hosts(inline, self.zones, self.auto_reverse, wildcards)
        self.path = setup.path(self.file)
        self.file_note = ""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as fh:
                self.from_file = parse_hosts(fh, self.zones, self.auto_reverse, wildcards)
            self.file_readable = True
            where = self.file if self.path == self.file else f"{self.file} (read as {self.path})"
            self.file_note = f"entries of {where} as found on this machine"
        except OSError:
            self.from_file = HostsMap()
            self.file_readable = False
            self.file_note = f"{self.file} is not readable here"

    def _addresses(self, name: str, v4: bool) -> list[str]:
        a = self.from_file
        b = self.inline
        if v4:
            return _lookup(a.v4, a.wild4, name) + _lookup(b.v4, b.wild4, name)
        return _lookup(a.v6, a.wild6, name) + _lookup(b.v6, b.wild6, name)

    def serve(self, q, nxt):
        name = q.name
        owner = name        # hosts.go answers with state.Name(): the question name lower-cased
        zone = self.zones.match(name)
        if not zone and q.type != "PTR":
            return self.passes(q, nxt, f"{name} is outside its zones ({', '.join(self.zones.zones)})")
        if q.type == "PTR":
            ip = _go_ip_text(address_from_reverse(name))
            names = (self.from_file.addr.get(ip, []) + self.inline.addr.get(ip, [])) if ip else []
            if not names:
                if not self.file_readable:
                    return self.unknown(q, f"unknown: no inline entry has the address {ip or name}, and "
                                           f"{self.file_note}")
                return self.passes(q, nxt, f"no entry has the address {ip or name}: PTR queries always go to the "
                                           f"next plugin then")
            return self.answer(q, f"the address {ip} is listed for {', '.join(names)}", "NOERROR",
                               [Record(owner, "PTR", self.ttl, n) for n in names])
        v4 = self._addresses(name, True)
        if q.type == "A" and v4:     # the common answer, without looking at the other family
            return self.answer(q, f"{name} has {len(v4)} A entr{'y' if len(v4) == 1 else 'ies'} "
                                  f"({self._source(name)})", "NOERROR", [Record(owner, "A", self.ttl, ip) for ip in v4])
        v6 = self._addresses(name, False)
        answers = []
        if q.type == "A":
            answers = [Record(owner, "A", self.ttl, ip) for ip in v4]
        elif q.type == "AAAA":
            answers = [Record(owner, "AAAA", self.ttl, ip) for ip in v6]
        elif self.fall_unsupported and self.fall.through(name):
            return self.passes(q, nxt, f"{q.type} is not a type hosts answers and fallthrough_unsupported is set")
        if answers:
            return self.answer(q, f"{name} has {len(answers)} {q.type} entr{'y' if len(answers) == 1 else 'ies'}"
                                  f" ({self._source(name)})", "NOERROR", answers)
        if v4 or v6:
            return self.answer(q, f"{name} is listed, but has no {q.type} record: NODATA", "NOERROR")
        if not self.file_readable:
            return self.unknown(q, f"unknown: {name} is not in the inline entries, and {self.file_note}: it may "
                                   f"be listed there")
        if self.fall.through(name):
            return self.passes(q, nxt, f"{name} has no entry; {self.fall.describe()}: passes it on")
        return self.answer(q, f"{name} has no entry and no fallthrough covers it: hosts answers SERVFAIL (it has "
                              f"no SOA to build an NXDOMAIN with)", "SERVFAIL", written=False)

    def _source(self, name):
        inline = name in self.inline.v4 or name in self.inline.v6
        in_file = name in self.from_file.v4 or name in self.from_file.v6
        if inline and in_file:
            return f"inline and {self.file_note}"
        if inline:
            return "inline entry"
        if in_file:
            return self.file_note
        return "wildcard entry"


BEHAVIOURS = [Hosts]
