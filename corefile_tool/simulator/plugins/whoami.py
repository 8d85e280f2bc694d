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
        ip = q.client_ip
        family = "AAAA" if ":" in ip else "A"
        if family == "AAAA":
            mapped = _ipv4_mapped(ip)
            if mapped:
                # request.Family: an address with a 4-byte form (IPv4-mapped) is family 1, answered as an A
                # record of that form (whoami.go).
                family, ip = "A", mapped
        srv_owner = f"_{q.proto}{owner}" if owner == "." else f"_{q.proto}.{owner}"
        extra = [Record(owner, family, 0, ip, q.cls),
                 Record(srv_owner, "SRV", 0, f"0 0 {q.client_port} .", q.cls)]
        return self.answer(q, f"answers every query: NOERROR with the client's address {q.client_ip} and port "
                              f"{q.client_port} in the additional section", "NOERROR", additional=extra)


def _ipv4_mapped(ip: str) -> str:
    import ipaddress

    try:
        mapped = ipaddress.ip_address(ip.split("%")[0]).ipv4_mapped
    except ValueError:
        return ""
    return str(mapped) if mapped else ""


BEHAVIOURS = [Whoami]
