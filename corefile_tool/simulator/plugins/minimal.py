"""minimal (coredns plugin/minimal): on the way back, a reply that response.Typify calls NoError loses its
authority and additional sections: a NOERROR reply with answers, or a NOERROR reply without answers whose
authority section holds neither an SOA (NODATA) nor NS records (a delegation). Denials, errors, delegations and
transfers (AXFR/IXFR) are left alone."""
from __future__ import annotations

from ..behaviour import Behaviour


def typify(reply, qtype: str) -> str:
    """plugin/pkg/response/typify.go Typify for a reply without DNSSEC records."""
    if qtype in ("AXFR", "IXFR"):
        return "meta"
    if reply.answers and reply.rcode == "NOERROR":
        return "noerror"
    if reply.answers and reply.rcode == "NXDOMAIN":
        return "error"
    soa = any(r.type == "SOA" for r in reply.authority)
    ns = any(r.type == "NS" for r in reply.authority)
    if soa and reply.rcode == "NOERROR":
        return "nodata"
    if reply.rcode == "NXDOMAIN":
        return "nxdomain"
    if reply.rcode in ("SERVFAIL", "NOTIMP"):
        return "error"
    if ns and reply.rcode == "NOERROR":
        return "delegation"
    return "noerror" if reply.rcode == "NOERROR" else "error"


class Minimal(Behaviour):
    NAME = "minimal"
    SHARED = True

    def serve(self, q, nxt):
        q.step(self.NAME, self.line, "change", "passes the query on; strips the authority and additional "
                                               "sections from a positive answer on its way back")
        qtype = q.type
        reply = nxt(q)
        if reply.rcode is None:
            if not reply.dropped:
                reply.notes.append("minimal strips authority and additional sections if the answer is positive")
            return reply
        if not reply.written:
            return reply
        if typify(reply, qtype) == "noerror":
            if reply.authority or reply.additional:
                reply.notes.append("minimal removed the authority and additional sections")
            reply.authority = []
            reply.additional = []
        return reply


BEHAVIOURS = [Minimal]
