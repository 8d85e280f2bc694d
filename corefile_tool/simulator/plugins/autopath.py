"""autopath (coredns plugin/autopath): walks the client's search path on the server, in one round trip.

`autopath [ZONE...] RESOLV-CONF` (setup.go autoPathParse): the last word is a resolv.conf-style file, whose
`search` (or `domain`) line is the search path (dns.ClientConfigFromFile; the last such line wins; the names
lower-cased and made absolute; "" appended), or `@PLUGIN`, whose AutoPath function gives a search path per
query. Of the plugins CoreDNS has, kubernetes and erratic implement it; another plugin of the block stops
CoreDNS at start-up ("does not implement the AutoPather interface"); a plugin not in the block gives none.

`@kubernetes` (kubernetes/autopath.go): only for names in the kubernetes zones, only with `pods verified`
(the pod cache), and only when the client's address (--client-ip) is a pod's IP (its status.podIP) in
--cluster-state. Then the path is NS.svc.ZONE, svc.ZONE, ZONE, the search domains of the /etc/resolv.conf
CoreDNS itself runs with (kubernetes/setup.go searchFromResolvConf; not known offline), and "".

For a name in its zones whose search path is known and that is the first element or below it (autopath.go
firstInSearchPath), the first element's labels are cut off (dnsutil.TrimZone; nothing left: SERVFAIL) and the
rest of the block's chain is asked for BASE.ELEMENT, element by element (never re-routed to another block).
The first reply that was written and is not NXDOMAIN is answered, a CNAME from the name asked to its first
other owner name put in front (cname.go cnamer); if every element gives NXDOMAIN (or a plugin returns SERVFAIL,
REFUSED, ... without writing), the reply of the first element goes back as it was. A plugin that ends the chain
with an error (no next plugin) ends the walk: SERVFAIL.
"""
from __future__ import annotations

import ipaddress
import os

from ...addresses import is_domain_name, zones_from_args
from ..behaviour import Behaviour, ConfigError
from ..model import CHANGE, UNKNOWN, Query, Record, Reply
from ..names import ZoneSet, canonical, is_subdomain
from .dns64 import Dispenser

# The fixed path erratic's AutoPath returns (plugin/erratic/autopath.go).
ERRATIC_PATH = ["a.example.org.", "b.example.org.", ""]
AUTOPATHERS = ("kubernetes", "erratic")
EMPTY = '""'


class _HostSearch:
    """Stands in the kubernetes search path for the search domains of CoreDNS's own /etc/resolv.conf."""

    def __str__(self):
        return "(CoreDNS's /etc/resolv.conf search domains)"


HOST_SEARCH = _HostSearch()


def read_search(path: str) -> list:
    """dns.ClientConfigFromReader's Search: the words after the last `search` line, or the one word after the
    last `domain` line (a bare `domain` empties it); then plugin.Zones.Normalize (lower case, absolute)."""
    search: list = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            words = line.split()
            if not words:
                continue
            if words[0] == "domain":
                search = words[1:2]
            elif words[0] == "search":
                search = words[1:]
    return [w.lower() if w.endswith(".") else w.lower() + "." for w in search]


def label_starts(name: str) -> list:
    """Where each label of `name` starts (dns.Split): a dot escaped by a backslash does not end a label."""
    starts = [0]
    i, end = 0, len(name) - 1
    while i < end:
        c = name[i]
        if c == "\\":
            i += 2
            continue
        if c == ".":
            starts.append(i + 1)
        i += 1
    return starts


def count_labels(name: str) -> int:
    """dns.CountLabel: "." has none; "" counts one, like a single empty label."""
    if name == ".":
        return 0
    return len(label_starts(name)) if name else 1


def first_in_search_path(name: str, first: str) -> bool:
    """autopath.go firstInSearchPath: the name is the first element or below it (dns.IsSubDomain, which is
    false for an empty element: CompareDomainName gives 0 labels in common, CountLabel("") is 1)."""
    if name == first:
        return True
    if first == "":
        return False
    return is_subdomain(first, name)


def trim_zone(name: str, zone: str):
    """dnsutil.TrimZone: `name` without the last CountLabel(zone) labels and their dot, or None when that
    leaves nothing ("trimzone: overshot qname")."""
    n = count_labels(zone)
    if n == 0:
        return name[:-1] if len(name) >= 1 else None
    starts = label_starts(name) if name != "." else []
    if n >= len(starts):
        return None
    return name[: starts[len(starts) - n] - 1]


def cnamer(answers: list, original: str) -> list:
    """cname.go cnamer: before the answers, a CNAME from the name asked to the owner of the first answer that is
    not the name asked (its TTL that answer's); none when every owner is the name asked."""
    for a in answers:
        if a.name.lower() == original.lower():
            continue
        return [Record(original, "CNAME", a.ttl, a.name)] + list(answers)
    return list(answers)


def _canonical_ip(ip: str) -> str:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    mapped = getattr(addr, "ipv4_mapped", None)
    return str(mapped or addr)


class AutoPath(Behaviour):
    NAME = "autopath"
    # Not SHARED: the search path can come from the cluster state and the client's address.

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.zones = ZoneSet(setup.zones)
        self.search = []            # the file's search path ("" appended), or [] (none)
        self.source = ""            # the file it was read from
        self.unreadable = ""        # why the file's search path is not known here
        self.plugin = ""            # @PLUGIN
        self._k8s = None
        disp = Dispenser([t for d in directives for t in d.tokens()])
        while disp.next():
            at = disp.token()
            words = disp.remaining_args()
            if not words:
                raise ConfigError("no resolv-conf specified", at.line)
            resolv = words[-1].text
            if resolv.startswith("@"):
                self.plugin = resolv[1:]
            else:
                self._read_file(resolv, words[-1].line)
            self.zones = ZoneSet(zones_from_args([w.text for w in words[:-1]], setup.zones))
        self.provider = ""          # which AutoPath function serves the search path, if any
        if self.plugin:
            present = [d for d in setup.directives if d.name == self.plugin]
            from . import behaviour_for

            if present and behaviour_for(self.plugin).HANDLER:
                if self.plugin not in AUTOPATHERS:
                    raise ConfigError(f"{self.plugin} does not implement the AutoPather interface",
                                      present[0].line)
                self.provider = self.plugin

    def _read_file(self, name: str, line: int) -> None:
        if not name:
            raise ConfigError('failed to parse "": open : no such file or directory', line)
        # dns.ClientConfigFromFile opens it from CoreDNS's working directory; the Corefile's stands in for it.
        path = name if os.path.isabs(name) else os.path.join(self.setup.base_dir, name)
        try:
            search = read_search(path)
        except OSError as e:
            self.search, self.source = [], name
            self.unreadable = f"the search path is read from {name} at start-up, which is not readable here " \
                              f"({e.strerror})"
            return
        self.search, self.source, self.unreadable = search + [""], name, ""

    # ------------------------------------------------------------------ the search path of one query
    def search_path(self, q):
        """(path or None, why); raises _Unknown when it depends on what cannot be known offline."""
        if self.provider == "erratic":
            return list(ERRATIC_PATH), "@erratic: erratic's fixed search path"
        if self.provider == "kubernetes":
            return self._kubernetes_path(q)
        if self.plugin and not self.search and not self.unreadable:
            return None, (f"@{self.plugin}: the block has no {self.plugin} handler, so autopath has no search path "
                          f"(setup.go: Handler({self.plugin}) is nil)")
        if self.unreadable:
            raise _Unknown(self.unreadable)
        return list(self.search), f"search path of {self.source}"

    def _kubernetes_path(self, q):
        k8s = self._kubernetes()
        zone = k8s.zones.match(q.name)
        if not zone:
            return None, (f"@kubernetes: {q.name} is outside the kubernetes zones ({', '.join(k8s.zones.zones)}), "
                          f"which get no search path")
        if k8s.pods != "verified":
            return None, (f"@kubernetes: the kubernetes plugin has `pods {k8s.pods}`; only `pods verified` keeps the "
                          f"pod cache that maps the client to its namespace, so there is no search path")
        cluster = self.setup.cluster_state
        client = _canonical_ip(q.client_ip)
        if cluster is None:
            raise _Unknown(f"@kubernetes: the search path is that of the client's pod (its namespace first); which "
                           f"pod has the address {client} needs --cluster-state with the cluster's pods")
        # The pod cache is indexed by status.podIP (controller.go podIPIndexFunc): the first of a pod's IPs.
        pods = [p for p in cluster.pods if p.ips and _canonical_ip(p.ips[0]) == client]
        if not pods:
            return None, (f"@kubernetes: no pod in the cluster state has the address {client} (the client, "
                          f"--client-ip), so there is no search path")
        if len({p.namespace for p in pods}) > 1:
            raise _Unknown(f"@kubernetes: pods of several namespaces have the address {client} "
                           f"({', '.join(sorted(f'{p.namespace}/{p.name}' for p in pods))}); CoreDNS takes whichever "
                           f"its pod index returns first")
        pod = pods[0]
        ns = pod.namespace
        if zone == ".":
            path = [f"{ns}.svc.", "svc.", "."]
        else:
            path = [f"{ns}.svc.{zone}", f"svc.{zone}", zone]
        return path + [HOST_SEARCH, ""], f"@kubernetes: the client {client} is pod {ns}/{pod.name}"

    def _kubernetes(self):
        if self._k8s is None:
            from .kubernetes import Kubernetes

            self._k8s = Kubernetes([d for d in self.setup.directives if d.name == "kubernetes"], self.setup)
        return self._k8s

    # ------------------------------------------------------------------ serving
    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)})")
        try:
            path, why = self.search_path(q)
        except _Unknown as e:
            return self.unknown(q, f"unknown: {e}")
        except ConfigError as e:
            return self.unknown(q, f"unknown: the kubernetes plugin's configuration is invalid ({e})")
        if not path:
            return self.passes(q, nxt, f"{why}: passes it on")
        shown = ", ".join(str(s) if s != "" else '""' for s in path)
        if not first_in_search_path(q.name, path[0]):
            return self.passes(q, nxt, f"{why}; search path {shown}: {q.name} is not in its first element "
                                       f"{path[0] or EMPTY}: passes it on")
        original = q.qname_written or q.name
        base = trim_zone(original, path[0])
        if base is None:
            return self.answer(q, f"{why}; search path {shown}: {q.name} is the first element itself; nothing is "
                                  f"left once it is cut off (dnsutil.TrimZone: overshot qname): SERVFAIL",
                               "SERVFAIL", written=False)
        q.step(self.NAME, self.line, CHANGE, f"{why}; search path {shown}; {q.name} is in the first element "
                                             f"{path[0]}: tries {base} with each element in turn through the rest "
                                             f"of the chain")
        return self._walk(q, nxt, _Walk(original, base, path), 0)

    def _walk(self, q, nxt, w: "_Walk", start: int) -> Reply:
        """autopath.go ServeDNS's loop over the search path, from element `start`."""
        path = w.path
        for i in range(start, len(path)):
            element = path[i]
            if element is HOST_SEARCH:
                unknown = (f"{', '.join(w.tried)} got NXDOMAIN; next come {w.base} with each search domain of the "
                           f"/etc/resolv.conf CoreDNS itself runs with (kubernetes/setup.go searchFromResolvConf), "
                           f"which cannot be known offline, then {w.base}.")
                q.step(self.NAME, self.line, UNKNOWN, f"{unknown} Were there no such domains:")
                if_none = self._walk(q, nxt, w, i + 1)
                return self.unknown(q, f"unknown: {unknown} Were there no such domains: {_summary(if_none)}")
            name = f"{w.base}.{element}"
            if not is_domain_name(name) or ".." in name:
                return self.unknown(q, f"unknown: element {element!r} makes the malformed name {name}, which the "
                                       f"model does not follow")
            q.step(self.NAME, self.line, CHANGE, f"try {i + 1}/{len(path)}: {name}")
            sub = self._sub_query(q, name)
            reply = nxt(sub)
            if sub.loop:
                q.loop = sub.loop        # a lookup through the server below was cut off (engine._lookup_through)
            prefix = f"[autopath {sub.name}] "
            q.trace.extend((s[0], s[1], s[2], prefix + s[3]) if type(s) is tuple else
                           (s.plugin, s.line, s.decision, prefix + s.reason) for s in sub.trace)
            w.tried.append(sub.name)
            if reply.rcode is None:
                reply.unknown = (f"the reply for {sub.name} (autopath try {i + 1}) cannot be known offline"
                                 + (f" ({reply.unknown})" if reply.unknown else "")
                                 + f": autopath answers with it (behind a CNAME from {w.original}) unless it is "
                                   f"NXDOMAIN, then tries the next element")
                q.step(self.NAME, self.line, UNKNOWN, "unknown: " + reply.unknown)
                return reply
            if reply.plugin is None and not reply.written and reply.rcode == "SERVFAIL":
                # The chain ended (plugin.NextOrFailure: no next plugin) with an error: autopath returns at once.
                return self.answer(q, f"{sub.name}: the chain ends without an answer (no next plugin); the error "
                                      f"ends the walk: SERVFAIL", "SERVFAIL", written=False)
            if w.first is None:
                w.first = reply
            if not reply.written:
                # plugin.ClientWrite(rcode) is false: nothing was written, try the next element.
                q.step(self.NAME, self.line, CHANGE, f"{sub.name}: {reply.rcode} returned without a reply: next "
                                                     f"element")
                continue
            if reply.rcode == "NXDOMAIN":
                q.step(self.NAME, self.line, CHANGE, f"{sub.name}: NXDOMAIN: next element")
                continue
            answers = cnamer(reply.answers, w.original)
            by = f" by {reply.plugin} (line {reply.line})" if reply.plugin else ""
            cname = (f"a CNAME {w.original} → {answers[0].data} put in front" if len(answers) > len(reply.answers)
                     else "no CNAME needed")
            out = self.answer(q, f"{sub.name}: {reply.rcode}{by}; answers {w.original} with that reply, {cname}",
                              reply.rcode, answers, reply.authority, reply.additional)
            out.notes.extend(reply.notes)
            return out
        q.step(self.NAME, self.line, CHANGE, f"no element gave an answer: the reply for the first, {w.tried[0]}, "
                                             f"goes back as it was (the client then walks its search path itself)")
        return w.first

    @staticmethod
    def _sub_query(q: Query, name: str) -> Query:
        sub = Query(canonical(name), q.type, q.cls, q.client_ip, q.client_port, q.proto, q.server_ip,
                    q.server_port, name, q.depth, q.listener, q.do, q.bufsize)
        sub.metadata = q.metadata          # the same context (autopath.go passes ctx on with the copied request)
        sub.view_name = q.view_name
        return sub


class _Walk:
    """What the walk over one query's search path carries from element to element."""
    __slots__ = ("original", "base", "path", "first", "tried")

    def __init__(self, original: str, base: str, path: list):
        self.original, self.base, self.path = original, base, path
        self.first = None          # the reply for the first element: what goes back when nothing answers
        self.tried = []


def _summary(reply: Reply) -> str:
    if reply.rcode is None:
        return "unknown as well"
    by = f" (by {reply.plugin}, line {reply.line})" if reply.plugin else ""
    return f"{reply.rcode}, {len(reply.answers)} answer{'' if len(reply.answers) == 1 else 's'}{by}"


class _Unknown(Exception):
    """The search path depends on what cannot be known offline."""


BEHAVIOURS = [AutoPath]
