"""cache (coredns plugin/cache): simulated with a cold cache. For names in its zones it misses, passes the
query on, and caps the TTLs of the reply it stores and returns (min TTL of the reply, bounded by MINTTL and
the maximum TTL: success 3600s/denial 1800s by default, or the first argument); other names pass straight on."""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, words
from ..names import ZoneSet

SUCCESS_MAX, DENIAL_MAX, MIN_TTL = 3600, 1800, 5


class Cache(Behaviour):
    NAME = "cache"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        if len(directives) == 1:
            args, props = words(directives[0])
        else:
            args = words(directives[0])[0] if directives else ()
            props = tuple(p for d in directives for p in words(d)[1])
        key = (args, props, tuple(setup.zones))
        read = _READ.get(key)
        if read is None:
            if len(_READ) >= _MEMO_LIMIT:
                _READ.clear()
            read = _READ[key] = _read(*key)
        (self.success_max, self.denial_max, self.success_min, self.denial_min, self.zones, self.disabled,
         self.caps, self.miss) = read
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


# What a cache directive's words say, by words and block zones: the same cache lines recur in every block.
_MEMO_LIMIT = 100_000
_READ: dict = {}


def _read(args, props, block_zones) -> tuple:
    success_max, denial_max = SUCCESS_MAX, DENIAL_MAX
    success_min = denial_min = MIN_TTL
    args = list(args)
    if args and args[0].lstrip("+").isdigit():
        success_max = denial_max = int(args[0])
        args = args[1:]
    zones = ZoneSet(zones_from_args(args, list(block_zones)))
    disabled = set()
    for name, *values in props:
        if name in ("success", "denial") and len(values) >= 2 and values[1].isdigit():
            if name == "success":
                success_max = int(values[1])
                if len(values) >= 3 and values[2].isdigit():
                    success_min = int(values[2])
            else:
                denial_max = int(values[1])
                if len(values) >= 3 and values[2].isdigit():
                    denial_min = int(values[2])
        elif name == "disable" and values:
            disabled.add(values[0])
    caps = f"cache caps the reply's TTLs at {success_max}s (success) / {denial_max}s (denial)"
    miss = (f"cold cache: a miss, so it passes the query on and stores the reply (success up to {success_max}s, "
            f"denial up to {denial_max}s)")
    return success_max, denial_max, success_min, denial_min, zones, frozenset(disabled), caps, miss


def _with_ttl(record, ttl):
    copy = record.copy()
    copy.ttl = ttl
    return copy


BEHAVIOURS = [Cache]
