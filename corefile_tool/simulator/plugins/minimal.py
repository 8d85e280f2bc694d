"""minimal (coredns plugin/minimal): on the way back, a positive NOERROR reply loses its authority and
additional sections; denials, errors and delegations are left alone."""
from __future__ import annotations

from ..behaviour import Behaviour


class Minimal(Behaviour):
    NAME = "minimal"
    SHARED = True

    def serve(self, q, nxt):
        q.step(self.NAME, self.line, "change", "passes the query on; strips the authority and additional "
                                               "sections from a positive answer on its way back")
        reply = nxt(q)
        if reply.rcode == "NOERROR" and reply.answers and reply.written:
            if reply.authority or reply.additional:
                reply.notes.append("minimal removed the authority and additional sections")
            reply.authority = []
            reply.additional = []
        elif reply.rcode is None:
            reply.notes.append("minimal strips authority and additional sections if the answer is positive")
        return reply


BEHAVIOURS = [Minimal]
