"""cache (coredns plugin/cache): simulated with a cold cache. For names in its zones it misses, passes the
query on, and sets every TTL of the reply it writes back to the one it stores the reply for (cache.go
ResponseWriter.WriteMsg): the reply is classed as response.Typify does (an answer with NOERROR is a success,
NXDOMAIN and an SOA with NOERROR a denial, SERVFAIL a server error, NS records a delegation, anything else an
error); a success or a denial keeps its smallest TTL, bounded by the MINTTL and the maximum of its class (success
3600s/5s, denial 1800s/5s by default, or the first argument), a server error gets `servfail` (5s), and a delegation
or another error 5s (dnsutil.MinimalTTL), bounded like a success. `disable` stops the storing, not the rewrite.
From 1.14.7 a NOERROR reply whose answers do not reach the question's type along the CNAME chain and that carries
an SOA is a denial (cacheResponseType). Other names pass straight on."""
from __future__ import annotations

from ...addresses import zones_from_args
from ...knowledge.spec import version_tuple
from ..behaviour import Behaviour, all_args, duration_seconds, properties
from ..names import ZoneSet

SUCCESS_MAX, DENIAL_MAX, MIN_TTL = 3600, 1800, 5
DEFAULT_TTL = 5               # dnsutil.MinimalDefaultTTL


class Cache(Behaviour):
    NAME = "cache"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        args = all_args(directives[0]) if directives else []
        self.success_max, self.denial_max = SUCCESS_MAX, DENIAL_MAX
        self.success_min = self.denial_min = MIN_TTL
        self.servfail = DEFAULT_TTL
        if args and args[0].lstrip("+").isdigit():
            self.success_max = self.denial_max = int(args[0])
            args = args[1:]
        self.zones = ZoneSet(zones_from_args(args, setup.zones))
        self.disabled = set()
        self.nodata_chains = version_tuple(setup.version) >= (1, 14, 7)
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
                elif name == "servfail" and values:
                    seconds = duration_seconds(values[0])
                    if seconds is not None and seconds >= 0:
                        self.servfail = int(seconds)
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
        qname, qtype = q.name, q.type
        reply = nxt(q)
        if reply.rcode is None or not reply.written:
            if reply.rcode is None:
                reply.notes.append(self.caps)
            return reply
        records = reply.answers + reply.authority + reply.additional
        if not records:
            return reply
        kind = self.classify(reply, qname, qtype)
        if kind in ("denial", "nodata"):
            ttl = min(max(self._minimal(records, self.denial_max), self.denial_min), self.denial_max)
        elif kind == "servfail":
            ttl = self.servfail
        elif kind == "success":
            ttl = min(max(self._minimal(records, self.success_max), self.success_min), self.success_max)
        else:
            # A delegation or another error: dnsutil.MinimalTTL gives 5s, bounded like a success (computeTTL).
            ttl = min(max(DEFAULT_TTL, self.success_min), self.success_max)
        changed = any(r.ttl != ttl for r in records)
        reply.answers, reply.authority, reply.additional = (
            [_with_ttl(r, ttl) for r in section] for section in (reply.answers, reply.authority, reply.additional))
        if changed:
            what = {"success": "a success", "denial": "a denial", "nodata": "a denial (NODATA)",
                    "servfail": "a server error", "delegation": "a delegation"}.get(kind, "an error")
            reply.notes.append(f"cache set the reply's TTLs to {ttl}s ({what})")
        return reply

    @staticmethod
    def _minimal(records, high):
        return min([high] + [r.ttl for r in records])

    def classify(self, reply, qname, qtype) -> str:
        """response.Typify (plugin/pkg/response/typify.go), then cache.go cacheResponseType."""
        rcode = reply.rcode
        if reply.answers and rcode == "NOERROR":
            if (self.nodata_chains and any(r.type == "SOA" for r in reply.authority)
                    and not _answers_question(reply.answers, qname, qtype)):
                return "nodata"
            return "success"
        if reply.answers and rcode == "NXDOMAIN":
            return "error"
        types = {r.type for r in reply.authority}
        if "SOA" in types and rcode == "NOERROR":
            return "nodata"
        if rcode == "NXDOMAIN":
            return "denial"
        if rcode in ("SERVFAIL", "NOTIMP"):
            return "servfail"
        if "NS" in types and rcode == "NOERROR":
            return "delegation"
        if rcode == "NOERROR":
            return "success"
        return "error"


def _answers_question(answers, qname, qtype) -> bool:
    """cache.go answersQuestion: the CNAME chain from the question reaches a record of the asked type."""
    if qtype == "ANY":
        return any(r.name.lower() == qname for r in answers)

    def target_of(owner):
        targets = {r.data.lower() for r in answers if r.type == "CNAME" and r.name.lower() == owner}
        if len(targets) > 1:
            return None, False
        return (targets.pop() if targets else ""), True

    if qtype == "CNAME":
        target, ok = target_of(qname)
        return ok and target != ""
    name, seen = qname, set()
    while True:
        if name in seen:
            return False
        seen.add(name)
        target, ok = target_of(name)
        if not ok:
            return False
        if not target:
            break
        name = target
    return any(r.type == qtype and r.name.lower() == name for r in answers)


def _with_ttl(record, ttl):
    copy = record.copy()
    copy.ttl = ttl
    return copy


BEHAVIOURS = [Cache]
