"""local (coredns plugin/local): answers localhost names and the loopback reverse zones itself.

`*.localhost.` (and `localhost.*` unless disabled) get loopback addresses; `localhost.`, `0.in-addr.arpa.`,
`127.in-addr.arpa.` and `255.in-addr.arpa.` zones are answered (A/AAAA only for `localhost.`), with
`1.0.0.127.in-addr.arpa.` PTR `localhost.`; other names in those zones are NXDOMAIN."""
from __future__ import annotations

from ..behaviour import Behaviour, properties
from ..model import Record
from ..names import ZoneSet

LOCAL_ZONES = ZoneSet(["localhost.", "0.in-addr.arpa.", "127.in-addr.arpa.", "255.in-addr.arpa."])
TTL = 604800


class Local(Behaviour):
    NAME = "local"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.legacy_prefix = True
        for d in directives:
            for name, _, _ in properties(d):
                if name == "disable_localhost_prefix":
                    self.legacy_prefix = False

    def serve(self, q, nxt):
        name = q.name
        owner = q.qname_written or name
        n = len("localhost.")
        if (len(name) > n and name.endswith(".localhost.")) or (
                self.legacy_prefix and len(name) > n and name.startswith("localhost.")):
            answers = []
            if q.type == "A":
                answers = [Record(owner, "A", TTL, "127.0.0.1")]
            elif q.type == "AAAA":
                answers = [Record(owner, "AAAA", TTL, "::1")]
            return self.answer(q, "a localhost name: answered with the loopback address", "NOERROR", answers)
        zone = LOCAL_ZONES.match(name)
        if not zone:
            return self.passes(q, nxt, "not a localhost or loopback-reverse name")
        if name in LOCAL_ZONES.zones:
            if name == "localhost." and q.type in ("A", "AAAA"):
                ip = "127.0.0.1" if q.type == "A" else "::1"
                return self.answer(q, "localhost.", "NOERROR", [Record(owner, q.type, TTL, ip)])
            return self.answer(q, f"{name} exists in its zone: NODATA for {q.type} (SOA/NS at the apex)",
                               "NOERROR")
        if name == "1.0.0.127.in-addr.arpa.":
            if q.type == "PTR":
                return self.answer(q, "the loopback address", "NOERROR",
                                   [Record(owner, "PTR", TTL, "localhost.")])
            return self.answer(q, "NODATA", "NOERROR")
        return self.answer(q, f"{name} is in its zone {zone} but is not a name it knows: NXDOMAIN", "NXDOMAIN")


BEHAVIOURS = [Local]
