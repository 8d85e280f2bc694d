"""Domain-name helpers with CoreDNS's semantics (coredns plugin/normalize.go, miekg/dns defaults.go).

Names are compared case-insensitively and label by label: `Zones.Matches` picks the longest listed zone the
name is at or below, and `.` is below nothing but matches everything.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable, Optional

from ..addresses import fqdn


def canonical(name: str) -> str:
    """What `request.Name()` gives a plugin: the question name lower-cased, as an FQDN."""
    if name.endswith(".") and not name.endswith("\\."):
        return name.lower()
    return fqdn(name).lower()


def suffixes(name: str) -> Iterable[str]:
    """`name` and every parent of it, most specific first; `.` last (only the root for `.` itself)."""
    yield name
    if name == ".":
        return
    if "\\" in name:
        yield from _escaped_suffixes(name)
        return
    i = name.find(".")
    while i != -1 and i + 1 < len(name):
        yield name[i + 1:]
        i = name.find(".", i + 1)
    yield "."


def _escaped_suffixes(name: str) -> Iterable[str]:
    i = 0
    n = len(name)
    while i < n:
        c = name[i]
        if c == "\\":
            i += 2
            continue
        if c == ".":
            if i + 1 < n:
                yield name[i + 1:]
        i += 1
    yield "."


def parent_zones(name: str) -> Iterable[str]:
    """The router's walk (core/dnsserver/server.go ServeDNS): the name and its parents, never the root unless the
    name is the root."""
    for s in suffixes(name):
        if s == "." and name != ".":
            return
        yield s


def is_subdomain(parent: str, child: str) -> bool:
    """dns.IsSubDomain, both names already canonical."""
    return parent == "." or child == parent or child.endswith("." + parent)


class ZoneSet:
    """A plugin's zone list; `match` is `plugin.Zones.Matches` (longest zone, case-insensitive)."""

    __slots__ = ("zones", "_set", "_root")

    def __init__(self, zones: Iterable[str]):
        self.zones = tuple(dict.fromkeys(z.lower() for z in zones))
        self._set = frozenset(self.zones)
        self._root = "." in self._set

    def match(self, name: str) -> str:
        zones = self._set
        if name in zones:
            return name
        if "\\" in name:
            for s in suffixes(name):
                if s in zones:
                    return s
            return ""
        i = name.find(".")
        end = len(name) - 1
        while 0 <= i < end:
            suffix = name[i + 1:]
            if suffix in zones:
                return suffix
            i = name.find(".", i + 1)
        return "." if self._root else ""

    def __bool__(self):
        return bool(self.zones)

    def __repr__(self):
        return f"ZoneSet({list(self.zones)})"


class Fall:
    """fall.F (coredns plugin/pkg/fall): `fallthrough` off, on for everything, or for listed zones."""

    __slots__ = ("zones", "configured")

    def __init__(self, zones: Optional[Iterable[str]] = None):
        self.configured = zones is not None
        self.zones = ZoneSet(zones or ())

    @classmethod
    def from_args(cls, args: list[str]) -> "Fall":
        from ..addresses import zones_from_args

        if not args:
            return cls(["."])
        return cls(zones_from_args(args, []))

    def through(self, name: str) -> bool:
        return bool(self.zones.match(name))

    def describe(self) -> str:
        if not self.configured:
            return "no fallthrough"
        if self.zones.zones == (".",):
            return "fallthrough for every name"
        return "fallthrough for " + ", ".join(self.zones.zones)


def address_from_reverse(name: str) -> str:
    """dnsutil.ExtractAddressFromReverse: the IP a full in-addr.arpa/ip6.arpa name stands for, or ""."""
    name = name.lower().rstrip(".")
    if name.endswith(".in-addr.arpa"):
        labels = name[: -len(".in-addr.arpa")].split(".")
        if len(labels) != 4:
            return ""
        try:
            return str(ipaddress.IPv4Address(".".join(reversed(labels))))
        except ValueError:
            return ""
    if name.endswith(".ip6.arpa"):
        labels = name[: -len(".ip6.arpa")].split(".")
        if len(labels) != 32 or any(len(x) != 1 for x in labels):
            return ""
        digits = "".join(reversed(labels))
        try:
            return str(ipaddress.IPv6Address(int(digits, 16)))
        except ValueError:
            return ""
    return ""


def is_reverse(name: str) -> bool:
    n = name.lower()
    return n.endswith(".in-addr.arpa.") or n.endswith(".ip6.arpa.") or n in ("in-addr.arpa.", "ip6.arpa.")


def reverse_name(ip: str) -> str:
    return ipaddress.ip_address(ip).reverse_pointer + "."


def split_labels(name: str) -> list[str]:
    """dns.SplitDomainName for names without escapes (the common case)."""
    if name in (".", ""):
        return []
    return name.rstrip(".").split(".")


def trim_zone(name: str, zone: str) -> str:
    """dnsutil.TrimZone: the part of `name` left of `zone`, without the joining dot."""
    if name == zone:
        return ""
    if zone == ".":
        return name.rstrip(".")
    return name[: len(name) - len(zone) - 1]
