"""acl (coredns plugin/acl): per rule (one per `acl` directive, in Corefile order) whose zones cover the name,
the first policy matching the query type and the client's address decides: allow passes on and ends the
checks, block answers REFUSED (EDE 15 Blocked), filter an empty NOERROR (EDE 17 Filtered), drop sends nothing.
No deciding policy: the next rule is checked, and after the last the query is allowed. A client address that
does not parse: blocked (acl.go matchWithPolicies)."""
from __future__ import annotations

import ipaddress

from ...addresses import zones_from_args
from ...knowledge import values
from ..behaviour import Behaviour, ConfigError, all_args, properties
from ..names import ZoneSet


class Policy:
    """One policy line: its action, the query types it covers (None: all) and its networks (None: all)."""

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


def _policy(action: str, words: list, line: int) -> Policy:
    """setup.go parse: `type` and `net` sections, in any order and number; `*` in a section covers everything
    (the rest of that section is not read); a missing section covers everything too."""
    if action not in ("allow", "block", "filter", "drop"):
        raise ConfigError(f"unexpected token {action!r}; expect 'allow', 'block', 'filter' or 'drop'", line)
    types, nets = set(), []
    all_types = all_nets = False
    has_type = has_net = False
    i = 0
    while i < len(words):
        section = words[i].lower()
        if section not in ("type", "net"):
            raise ConfigError(f"unexpected token {words[i]!r}; expect 'type | net'", line)
        j = i + 1
        while j < len(words) and words[j].lower() not in ("type", "net"):
            j += 1
        tokens = words[i + 1:j]
        i = j
        if not tokens:
            raise ConfigError(f"no token specified in {section!r} section", line)
        if section == "type":
            has_type = True
            for token in tokens:
                if token == "*":
                    all_types = True
                    break
                if token not in values.RR_TYPES:       # dns.StringToType, case-sensitive
                    raise ConfigError(f"unexpected token {token!r}; expect legal QTYPE", line)
                types.add(token)
        else:
            has_net = True
            for token in tokens:
                if token == "*":
                    all_nets = True
                    break
                text = token if "/" in token else token + ("/128" if ":" in token else "/32")
                try:
                    nets.append(ipaddress.ip_network(text, strict=False))
                except ValueError:
                    raise ConfigError(f"illegal CIDR notation {text!r}", line) from None
    return Policy(action, None if all_types or not has_type else types, None if all_nets or not has_net else nets,
                  line)


class Acl(Behaviour):
    NAME = "acl"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.rules = []
        for d in directives:
            zones = ZoneSet(zones_from_args(all_args(d), setup.zones))
            policies = [_policy(action.lower(), words, line) for action, words, line in properties(d)]
            self.rules.append((zones, policies, d.line))

    def serve(self, q, nxt):
        try:
            ip = ipaddress.ip_address(q.client_ip.split("%")[0])
        except ValueError:
            ip = None
        if ip is not None and ip.version == 6 and ip.ipv4_mapped is not None:
            # iptree looks an address up by its 4-byte form when it has one (net.IP.To4): an IPv4-mapped client
            # matches IPv4 networks only.
            ip = ip.ipv4_mapped
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
