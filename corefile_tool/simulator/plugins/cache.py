"""cache (coredns plugin/cache): simulated with a cold cache. For names in its zones it misses, passes the
query on, and caps the TTLs of the reply it stores and returns (min TTL of the reply, bounded by MINTTL and
the maximum TTL: success 3600s/denial 1800s by default, or the first argument); other names pass straight on."""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..names import ZoneSet

SUCCESS_MAX, DENIAL_MAX, MIN_TTL = 3600, 1800, 5


class Cache(Behaviour):
    NAME = "cache"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        args = all_args(directives[0]) if directives else []
        self.success_max, self.denial_max = SUCCESS_MAX, DENIAL_MAX
        self.success_min = self.denial_min = MIN_TTL
        if args and args[0].lstrip("+").isdigit():
            self.success_max = self.denial_max = int(args[0])
            args = args[1:]
        self.zones = ZoneSet(zones_from_args(args, setup.zones))
        self.disabled = set()
        self.miss = ""
        for d in directives:
            for name, values, _ in properties(d):
                if name in ("success", "denial") and len(values) >= 2 and values[1].isdigit():
                    if name == "success":
                        self.success_max = int(values[1])
                        if len(values) >= 3 and values[2].isdigit():
                            self.success_min = int(values[2])
                    else:
                        self.denial_max = int(values[1])
                        if len(values) >= 3 and values[2].isdigit():
                            self.denial_min = int(values[2])
                elif name == "disable" and values:
                    self.disabled.add(values[0])
        self.caps = f"cache caps the reply's TTLs at {self.success_max}s (success) / {self.denial_max}s (denial)"
        self.miss = (f"cold cache: a miss, so it passes the query on and stores the reply (success up to "
                     f"{self.success_max}s, denial up to {self.denial_max}s)")
        self.miss_step = (self.NAME, self.line, "pass", self.miss)

    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)}): "
                                       f"passes it on uncached")
        q.trace.append(self.miss_step)
        reply = nxt(q)
        if reply.rcode is None or not reply.written:
            if reply.rcode is None:
                reply.notes.append(self.caps)
            return reply
        positive = reply.rcode == "NOERROR" and bool(reply.answers)
        if reply.rcode not in ("NOERROR", "NXDOMAIN"):
            return reply
        kind = "success" if positive else "denial"
        if kind in self.disabled:
            return reply
        records = reply.answers + reply.authority + reply.additional
        if not records:
            return reply
        low, high = (self.success_min, self.success_max) if positive else (self.denial_min, self.denial_max)
        # dnsutil.MinimalTTLWithMaximum over every section, then computeTTL's bounds.
        ttl = min([high] + [r.ttl for r in records])
        ttl = min(max(ttl, low), high)
        changed = any(r.ttl != ttl for r in records)
        reply.answers, reply.authority, reply.additional = (
            [_with_ttl(r, ttl) for r in section] for section in (reply.answers, reply.authority, reply.additional))
        if changed:
            reply.notes.append(f"cache set the reply's TTLs to {ttl}s")
        return reply


def _with_ttl(record, ttl):
    copy = record.copy()
    copy.ttl = ttl
    return copy


BEHAVIOURS = [Cache]
