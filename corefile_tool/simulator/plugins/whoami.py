"""whoami (coredns plugin/whoami/whoami.go): answers every query it gets with the client's address and port.

The answer section stays empty; the additional section holds an A (or AAAA) record with the client's IP, owned
by the query name, and an SRV `_<proto>.<qname>` with the client's port. No TTL is set (0)."""
from __future__ import annotations

from ..behaviour import Behaviour
from ..model import Record


class Whoami(Behaviour):
    NAME = "whoami"
    SHARED = True

    def serve(self, q, nxt):
        owner = q.qname_written or q.name
        family = "AAAA" if ":" in q.client_ip else "A"
        srv_owner = f"_{q.proto}{owner}" if owner == "." else f"_{q.proto}.{owner}"
        extra = [Record(owner, family, 0, q.client_ip, q.cls),
                 Record(srv_owner, "SRV", 0, f"0 0 {q.client_port} .", q.cls)]
        return self.answer(q, f"answers every query: NOERROR with the client's address {q.client_ip} and port "
                              f"{q.client_port} in the additional section", "NOERROR", additional=extra)


BEHAVIOURS = [Whoami]
