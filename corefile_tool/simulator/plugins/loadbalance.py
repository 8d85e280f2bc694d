"""loadbalance (coredns plugin/loadbalance): reorders the records of a NOERROR reply on its way back (not for
AXFR/IXFR).

`round_robin` (loadbalance.go roundRobin), per section (answer, authority, additional): a section of more than
one record that is not all A or all AAAA is regrouped as CNAMEs, other records, addresses, MX, and the
addresses and the MX records are shuffled. `weighted` (weighted.go), for A, AAAA and SRV queries, regroups the
answer and additional sections the same way when they hold an address and moves one address, picked at random
by the weight file, to the top. `prefer` CIDRs (prefer.go) then order the answer and additional sections as
CNAMEs, addresses in the first CIDR, the second, ..., the other addresses, MX, the rest. Which order a random
step picks cannot be known: the records are shown in the order they came in within each shuffled group, and
a note says which group varies.
"""
from __future__ import annotations

import ipaddress

from ..behaviour import Behaviour, all_args, properties

ADDRESS = ("A", "AAAA")


def _partition(records):
    cname, address, mx, rest = [], [], [], []
    for r in records:
        if r.type == "CNAME":
            cname.append(r)
        elif r.type in ADDRESS:
            address.append(r)
        elif r.type == "MX":
            mx.append(r)
        else:
            rest.append(r)
    return cname, address, mx, rest


class Loadbalance(Behaviour):
    NAME = "loadbalance"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        args = all_args(directives[0]) if directives else []
        self.policy = args[0] if args else "round_robin"
        self.prefer = []
        for d in directives:
            for name, values, _ in properties(d):
                if name == "prefer":
                    for v in values:
                        try:
                            self.prefer.append(ipaddress.ip_network(v, strict=False))
                        except ValueError:
                            pass

    def serve(self, q, nxt):
        how = {"round_robin": "shuffles the order of A, AAAA and MX records",
               "weighted": "moves one address, picked by weight, to the top"}.get(self.policy, "reorders records")
        if self.prefer:
            how += "; addresses in " + ", ".join(map(str, self.prefer)) + " come first"
        q.step(self.NAME, self.line, "change", f"passes the query on; on the way back it {how}")
        reply = nxt(q)
        if reply.rcode is None:
            if not reply.dropped:
                reply.notes.append(f"loadbalance {how} if the reply is NOERROR")
            return reply
        if reply.rcode != "NOERROR" or not reply.written or q.type in ("AXFR", "IXFR"):
            return reply
        varies = []
        if self.policy == "weighted":
            if q.type in ("A", "AAAA", "SRV"):
                for section in ("answers", "additional"):
                    records = getattr(reply, section)
                    cname, address, mx, rest = _partition(records)
                    if address:
                        setattr(reply, section, cname + rest + address + mx)
                        if len(address) > 1:
                            varies.append(f"which of the {len(address)} addresses of the {section} section comes "
                                          f"first (picked at random by the weights)")
        else:
            for section in ("answers", "authority", "additional"):
                records = getattr(reply, section)
                if len(records) <= 1:
                    continue
                first = records[0].type
                if first in ADDRESS and all(r.type == first for r in records):
                    varies.append(f"the order of the {len(records)} {first} records of the {section} section")
                    continue
                cname, address, mx, rest = _partition(records)
                setattr(reply, section, cname + rest + address + mx)
                for group, kind in ((address, "A/AAAA"), (mx, "MX")):
                    if len(group) > 1:
                        varies.append(f"the order of the {len(group)} {kind} records of the {section} section")
        if self.prefer:
            for section in ("answers", "additional"):
                records = getattr(reply, section)
                cname, address, mx, rest = _partition(records)
                ordered, seen = [], set()
                for net in self.prefer:
                    for i, r in enumerate(address):
                        if i not in seen and _contains(net, r.data):
                            ordered.append(r)
                            seen.add(i)
                ordered += [r for i, r in enumerate(address) if i not in seen]
                setattr(reply, section, cname + ordered + mx + rest)
        if varies:
            reply.notes.append("loadbalance: " + "; ".join(varies) + " varies between queries" +
                               (" (within each preferred subnet)" if self.prefer else ""))
        return reply


def _contains(net, data: str) -> bool:
    try:
        ip = ipaddress.ip_address(data)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None and net.version == 4:
        ip = ip.ipv4_mapped           # net.IPNet.Contains matches an IPv4-mapped address against IPv4 networks
    return ip.version == net.version and ip in net


BEHAVIOURS = [Loadbalance]
