"""any (coredns plugin/any): answers every ANY query with the RFC 8482 HINFO; other types pass on."""
from __future__ import annotations

from ..behaviour import Behaviour
from ..model import Record


class Any(Behaviour):
    NAME = "any"
    SHARED = True

    def serve(self, q, nxt):
        if q.type != "ANY":
            return self.passes(q, nxt, f"only ANY queries are its business, this is {q.type}")
        owner = q.qname_written or q.name
        return self.answer(q, "answers ANY with the RFC 8482 HINFO record", "NOERROR",
                           [Record(owner, "HINFO", 8482, '"ANY obsoleted" "See RFC 8482"')])


BEHAVIOURS = [Any]
