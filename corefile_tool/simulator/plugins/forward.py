"""forward (coredns plugin/forward) and grpc (coredns plugin/grpc): hand the query to upstream servers.

Several `forward` directives in a block form a chain in Corefile order: the first whose FROM covers the name
(and whose `except` does not exclude it; a name equal to FROM is never excluded) handles the query. There is
no longest-FROM choice, so a later, more specific FROM is never reached. Names no stanza covers go to the
plugin after forward. The upstream's answer cannot be known offline: the reply's rcode is unknown and the
upstreams, with the policy that picks among them, are reported.

TO entries: `[dns://|tls://|https://]IP[:PORT]`, a resolv.conf-style file (its `nameserver` lines, port 53),
or from 1.14.4 a host name resolved once at start-up. Files are read when readable here (a relative name is
read from the directory the Corefile is in; CoreDNS reads it from its working directory).
"""
from __future__ import annotations

import ipaddress
import os

from ...addresses import split_host_port, split_transport, normalize_zone
from ...knowledge.spec import version_tuple
from ..behaviour import Behaviour, all_args, properties
from ..model import HANDLE, UNKNOWN, Reply
from ..names import is_subdomain

DEFAULT_PORTS = {"dns": "53", "tls": "853", "https": "443", "grpc": "443"}
POLICIES = {
    "random": "each query goes to a random healthy upstream",
    "round_robin": "upstreams take turns",
    "sequential": "the first healthy upstream, in the order listed",
}

# Memos of pure functions of a word's text: the same FROM and upstream addresses recur in every block of a large
# Corefile (and in every Corefile of a mesh). Each starts again when it reaches _MEMO_LIMIT entries.
_MEMO_LIMIT = 100_000
_FROMS: dict = {}        # FROM text -> normalised zone or None
_IPS: dict = {}          # text -> ipaddress object or None


def normalize_from(text: str):
    """FROM as `plugin.Host(from).NormalizeExact()` keeps it: the first zone (a CIDR that splits keeps only its
    first), lower-cased FQDN; None when it cannot be normalised."""
    try:
        return _FROMS[text]
    except KeyError:
        pass
    if len(_FROMS) >= _MEMO_LIMIT:
        _FROMS.clear()
    zone = _FROMS[text] = _normalize_from(text)
    return zone


def _normalize_from(text: str):
    try:
        hosts, _ = split_host_port(split_transport(text)[1])
    except ValueError:
        return None
    return normalize_zone(hosts[0]) if hosts else None


def _ip(text: str):
    try:
        return _IPS[text]
    except KeyError:
        pass
    try:
        ip = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        ip = None
    if len(_IPS) >= _MEMO_LIMIT:
        _IPS.clear()
    _IPS[text] = ip
    return ip


def _split_addr(host: str):
    """Go net.SplitHostPort on `host:port` / `[v6]:port`; None when there is no port part."""
    if host.startswith("["):
        end = host.find("]")
        if end != -1 and host[end + 1:end + 2] == ":":
            return host[1:end], host[end + 2:]
        return None
    if host.count(":") == 1:
        h, p = host.split(":")
        return h, p
    return None


def _join(ip: str, port: str) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def read_resolv_conf(path: str):
    """The nameservers of a resolv.conf-style file as `ip:53` (dns.ClientConfigFromFile, zones stripped)."""
    servers = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            words = line.split()
            if len(words) >= 2 and words[0] == "nameserver":
                ip = words[1].split("%")[0]
                if _ip(ip) is not None:
                    servers.append(_join(ip, "53"))
    return servers


class Upstreams:
    """A stanza's TO list, expanded as far as can be known here."""

    def __init__(self, words, setup, allowed=("dns", "tls", "https")):
        self.addresses: list[str] = []
        self.notes: list[str] = []
        self.error = ""
        self.literal = True      # every word an address (or refused by its protocol): no file, no name looked at
        for word in words:
            for addr in self._expand(word, setup, allowed):
                if addr not in self.addresses:
                    self.addresses.append(addr)
        if not self.addresses and not self.error:
            self.error = "no valid upstream addresses found"

    def _expand(self, word, setup, allowed):
        if "://" in word:
            trans, host = split_transport(word)
            if word.split("://")[0] not in ("dns", "tls", "https", "grpc", "quic", "https3", "unix"):
                trans, host = "dns", word
        else:
            trans, host = "dns", word
        if trans not in allowed:
            self.error = f"'{trans}' is not supported as a destination protocol: {word}"
            return []
        prefix = "" if trans == "dns" else f"{trans}://"
        hostpart, servername = (host.split("%", 1) + [""])[:2] if (trans == "tls" and "%" in host) else (host, "")
        split = _split_addr(hostpart)
        if split is not None and _ip(split[0]) is not None:
            return [prefix + _join(split[0], split[1])]
        bare = hostpart.strip("[]")
        if split is None and _ip(bare) is not None:
            return [prefix + _join(bare, DEFAULT_PORTS[trans])]
        self.literal = False
        path = setup.path(host) if not os.path.isabs(host) else host
        if os.path.isfile(path):
            # The upstreams are the file's nameservers as read by the server at start-up; this machine's copy
            # is shown for information, the file name stays the upstream so the result does not depend on it.
            try:
                servers = read_resolv_conf(path)
            except OSError as e:
                self.notes.append(f"{host} could not be read here ({e.strerror})")
                return [host]
            where = "" if os.path.isabs(host) else f" (read from {path})"
            self.notes.append(f"{host} is read by the server at start-up; this machine's copy{where} lists "
                              f"{', '.join(servers) if servers else 'no nameserver'}")
            return [host]
        if "/" in host or host.startswith("."):
            self.notes.append(f"{host} is not readable here: its nameservers are read on the server at start-up")
            return [host]
        if version_tuple(setup.version) >= (1, 14, 4):
            name, port = (split if split else (hostpart, DEFAULT_PORTS[trans]))
            self.notes.append(f"{name} is resolved once at start-up")
            return [prefix + f"{name}:{port}"]
        self.error = f"not an IP address or file: {word!r}"
        return []


class Stanza:
    __slots__ = ("line", "raw_from", "origin", "excepts", "policy", "options", "upstreams", "error", "sends",
                 "unknown", "next_rcodes", "next_on_nodata", "failover")

    def __init__(self, directive, setup, allowed):
        args = all_args(directive)
        self.line = directive.line
        self.raw_from = args[0] if args else ""
        self.origin = normalize_from(self.raw_from) if args else None
        self.excepts = []
        self.policy = "random"
        self.options = []
        self.next_rcodes, self.next_on_nodata, self.failover = [], False, []
        for name, values, _ in properties(directive):
            if name == "except":
                for v in values:
                    # setup.go: plugin.Host(ignore).NormalizeExact()... keeps every zone a CIDR stands for.
                    self.excepts.extend(z for z in _except_zones(v) if z not in self.excepts)
            elif name == "policy" and values:
                self.policy = values[0]
            else:
                self.options.append(name)
                if name == "next":
                    self.next_rcodes = [v.upper() for v in values]
                elif name == "next_on_nodata":
                    self.next_on_nodata = True
                elif name == "failover":
                    self.failover = [v.upper() for v in values]
        self.upstreams = Upstreams(args[1:], setup, allowed)
        if not args:
            self.error = "no FROM"
        elif self.origin is None:
            self.error = f"unable to normalize '{self.raw_from}'"
        elif len(args) < 2:
            self.error = f"FROM {self.raw_from} has no TO on its line"
        else:
            self.error = self.upstreams.error
        # The parts of the trace that do not depend on the query, written once.
        parts = []
        if self.excepts:
            parts.append("not excepted (except " + " ".join(self.excepts) + ")")
        parts.append(f"sends it to {', '.join(self.upstreams.addresses)} (policy {self.policy}: "
                     f"{POLICIES.get(self.policy, self.policy)})")
        parts.extend(self.upstreams.notes)
        if self.failover:
            parts.append(f"an upstream answering {' or '.join(self.failover)} makes it try the next upstream "
                         f"(failover)")
        self.sends = "; " + "; ".join(parts)
        self.unknown = f"the answer comes from upstream {', '.join(self.upstreams.addresses)}"

    def covers(self, name: str) -> bool:
        return self.origin is not None and is_subdomain(self.origin, name)

    def excepted(self, name: str) -> str:
        if name == self.origin:
            return ""
        for e in self.excepts:
            if is_subdomain(e, name):
                return e
        return ""

    def describe(self) -> str:
        return f"forward {self.origin or self.raw_from} (line {self.line})"

    def alternate(self) -> str:
        """The upstream replies that `next` / `next_on_nodata` hand on, as text ("" when none)."""
        parts = list(self.next_rcodes) + (["NOERROR without answers"] if self.next_on_nodata else [])
        return " or ".join(parts)


class Forward(Behaviour):
    NAME = "forward"
    ALLOWED = ("dns", "tls", "https")
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.stanzas = [Stanza(d, setup, self.ALLOWED) for d in directives]
        # One valid `forward . TO...` without except (nearly every forward): it takes every query, with one step.
        self.every = None
        if len(self.stanzas) == 1:
            s = self.stanzas[0]
            if s.origin == "." and not s.excepts and not s.error:
                self.every = (self.NAME, s.line, HANDLE, "FROM . covers every name" + s.sends)

    def shareable(self) -> bool:
        # A file or host name upstream was looked up on this machine when the model was built.
        return all(s.upstreams.literal for s in self.stanzas)

    def serve(self, q, nxt):
        every = self.every
        if every is not None:
            q.trace.append(every)
            s = self.stanzas[0]
            return Reply(None, None, None, None, self.NAME, s.line, list(s.upstreams.addresses), True, False,
                         s.unknown)
        skipped = []
        for i, s in enumerate(self.stanzas):
            if not s.covers(q.name):
                skipped.append(f"{s.describe()}: FROM does not cover {q.name}")
                continue
            ex = s.excepted(q.name)
            if ex:
                skipped.append(f"{s.describe()}: {q.name} is excepted by `except {ex}`")
                continue
            return self._forward(q, s, skipped, self.stanzas[i + 1:])
        reason = "no forward stanza takes it, so it goes to the next plugin"
        if skipped:
            reason = "; ".join(skipped) + "; " + reason
        return self.passes(q, nxt, reason, self.stanzas[-1].line if self.stanzas else 0)

    def _forward(self, q, s, skipped, later):
        if s.error:
            q.step(self.NAME, s.line, UNKNOWN, f"{s.describe()} covers {q.name} but is invalid ({s.error}): "
                                               f"CoreDNS would not start")
            return Reply(None, plugin=self.NAME, line=s.line, unknown=f"invalid forward stanza: {s.error}")
        head = "FROM . covers every name" if s.origin == "." else f"FROM {s.origin} covers {q.name}"
        if skipped:
            head = "; ".join(skipped) + "; " + head
        reason = head + s.sends
        # A later stanza with the same or a more specific FROM that also takes the name is the classic mistake:
        # it is never reached. (A later, wider FROM is just the fallback for other names.)
        shadowed = [t for t in later if t.covers(q.name) and not t.excepted(q.name) and t.origin
                    and is_subdomain(s.origin, t.origin)] if later and not s.alternate() else None
        if shadowed:
            reason += ("; stanzas are tried in Corefile order and the first match wins (not the longest FROM), so "
                       + ", ".join(t.describe() + (f" (itself invalid: {t.error})" if t.error else "")
                                   for t in shadowed)
                       + (" also covers" if len(shadowed) == 1 else " also cover") + " it but is never reached")
        alternate = s.alternate() if later and self.NAME == "forward" else ""
        if alternate:
            # forward.go ServeDNS: with `next`/`next_on_nodata` such a reply goes to f.Next, which setup.go makes
            # the following forward stanza (the last stanza's Next is the next plugin, where they do nothing).
            reason += (f"; if the upstream answers {alternate}, the query goes on to {later[0].describe()}, which "
                       f"takes it only when its FROM covers the name")
        q.trace.append((self.NAME, s.line, HANDLE, reason))
        reply = Reply(None, None, None, None, self.NAME, s.line, list(s.upstreams.addresses), True, False, s.unknown)
        if alternate:
            reply.notes.append(f"an upstream answer of {alternate} hands the query to {later[0].describe()}")
        return reply


def _except_zones(text: str) -> list:
    try:
        hosts, _ = split_host_port(split_transport(text)[1])
    except ValueError:
        return []
    return [z for z in (normalize_zone(h) for h in hosts) if z]


class Grpc(Forward):
    """grpc FROM TO...: the same FROM/except matching, upstreams spoken to over gRPC."""
    NAME = "grpc"
    ALLOWED = ("dns", "grpc", "tls")


BEHAVIOURS = [Forward, Grpc]
