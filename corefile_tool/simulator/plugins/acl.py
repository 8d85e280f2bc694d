"""acl (coredns plugin/acl): per rule (one per `acl` directive, in Corefile order) whose zones cover the name,
the first policy matching the query type and the client's address decides: allow passes on and ends the
checks, block answers REFUSED (EDE 15 Blocked), filter an empty NOERROR (EDE 17 Filtered), drop sends nothing.
No deciding policy: allowed. A client address that does not parse: blocked."""
from __future__ import annotations

import ipaddress

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..names import ZoneSet


class Policy:
    def __init__(self, action: str, types, nets, line: int):
        self.action, self.types, self.nets, self.line = action, types, nets, line

    def matches(self, qtype: str, ip) -> bool:
        if self.types is not None and qtype not in self.types:
            return False
        if self.nets is None:
            return True
        return any(ip.version == n.version and ip in n for n in self.nets)

    def describe(self) -> str:
        parts = [self.action]
        if self.types is not None:
            parts.append("type " + " ".join(sorted(self.types)))
        if self.nets is not None:
            parts.append("net " + " ".join(map(str, self.nets)))
        return " ".join(parts)


class Acl(Behaviour):
    NAME = "acl"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.rules = []
        for d in directives:
            zones = ZoneSet(zones_from_args(all_args(d), setup.zones))
            policies = []
            for action, words, line in properties(d):
                types = nets = None
                section = None
                for w in words:
                    lw = w.lower()
                    if lw in ("type", "net"):
                        section = lw
                        if section == "type" and types is None:
                            types = set()
                        if section == "net" and nets is None:
                            nets = []
                        continue
                    if section == "type":
                        if w == "*":
                            types = None
                            section = "type*"
                        else:
                            types.add(w.upper())
                    elif section == "net":
                        if w == "*":
                            nets = None
                            section = "net*"
                        else:
                            text = w if "/" in w else (w + ("/128" if ":" in w else "/32"))
                            nets.append(ipaddress.ip_network(text, strict=False))
                policies.append(Policy(action.lower(), types, nets, line))
            self.rules.append((zones, policies, d.line))

    def serve(self, q, nxt):
        try:
            ip = ipaddress.ip_address(q.client_ip.split("%")[0])
        except ValueError:
            ip = None
        for zones, policies, line in self.rules:
            zone = zones.match(q.name)
            if not zone:
                continue
            if ip is None:
                return self._block(q, line, f"the client address {q.client_ip!r} does not parse: blocked")
            for p in policies:
                if not p.matches(q.type, ip):
                    continue
                why = f"policy `{p.describe()}` matches {q.type} from {q.client_ip}"
                if p.action == "allow":
                    return self.passes(q, nxt, f"{why}: allowed, passes the query on", p.line)
                if p.action == "block":
                    return self._block(q, p.line, why)
                if p.action == "filter":
                    return self.answer(q, f"{why}: filtered, an empty NOERROR with EDE 17 (Filtered)", "NOERROR",
                                       line=p.line)
                if p.action == "drop":
                    r = self.answer(q, f"{why}: dropped, no reply is sent", "NOERROR", line=p.line)
                    r.rcode = None
                    r.dropped = True
                    r.unknown = "dropped: the client gets no reply (it times out)"
                    return r
        return self.passes(q, nxt, f"no policy decides for {q.type} from {q.client_ip}: allowed")

    def _block(self, q, line, why):
        return self.answer(q, f"{why}: blocked, REFUSED with EDE 15 (Blocked)", "REFUSED", line=line)


BEHAVIOURS = [Acl]
