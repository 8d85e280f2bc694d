"""loadbalance (coredns plugin/loadbalance): on the way back, shuffles A, AAAA and MX records (round_robin),
moves one address to the top by weight (weighted), or orders addresses from preferred subnets first."""
from __future__ import annotations

import ipaddress

from ..behaviour import Behaviour, all_args, properties


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
        shuffled = [r for r in reply.answers if r.type in ("A", "AAAA", "MX")]
        if len(shuffled) > 1:
            reply.notes.append(f"loadbalance: the order of the {len(shuffled)} A/AAAA/MX records varies "
                               f"between queries")
        if self.prefer and reply.answers:
            def preferred(r):
                if r.type not in ("A", "AAAA"):
                    return 1
                try:
                    ip = ipaddress.ip_address(r.data)
                except ValueError:
                    return 1
                return 0 if any(ip in n for n in self.prefer if n.version == ip.version) else 1
            reply.answers = sorted(reply.answers, key=preferred)
        return reply


BEHAVIOURS = [Loadbalance]
