"""The simulated server: listeners, block choice, and the chain run, as core/dnsserver/server.go ServeDNS does.

Per listener (transport + bind address + port, see listeners.py) a zone table maps each zone to its
configurations in Corefile order. A query (name lower-cased) tries its own name and then each parent (never the
root unless the name is the root); the first zone found decides: its configurations are tried in order, a
block without any handler answers REFUSED, a block whose view filters fail is skipped, the first passing one
runs its chain. DS queries keep going and are answered by the parent-most passing zone. Nothing found: the
root zone's configurations, then REFUSED. Non-IN classes are REFUSED unless a block on the listener has
chaos, forward or proxy.
"""
from __future__ import annotations

import os
from typing import Optional

from .. import listeners
from ..knowledge import versions
from ..knowledge.spec import version_tuple
from ..tree import Corefile
from . import labels as md_labels
from .behaviour import BlockSetup
from .chain import Chain, group_directives, shared_chain
from .model import (NO_LABELS, SERVER_WRITTEN_RCODES, BlockRef, Query, Reply, Result, Routing)
from .names import canonical, parent_zones
from .views import ViewFilter

MAX_LOOKUP_DEPTH = 8
CHAOS_ENABLERS = ("chaos", "forward", "proxy")


def _parents(name: str):
    """The router's walk for a name with escaped dots (names.parent_zones); plain names are walked inline."""
    return iter(list(parent_zones(name)))


def default_base_dir(corefile: Corefile) -> str:
    """Where relative file names are read from: the Corefile's directory (the working directory for standard
    input or a bare `Corefile`)."""
    if corefile.path in ("-", "", "Corefile"):
        return os.getcwd()
    return os.path.dirname(os.path.abspath(corefile.path))


class Listener:
    """One server: its zone table and whether it accepts non-IN classes."""

    def __init__(self, key: str, configs):
        self.key = key
        self.zones: dict[str, list] = {}
        for c in configs:
            self.zones.setdefault(c.zone, []).append(c)
        self.chaos = any(c.block.find(name) for c in configs for name in CHAOS_ENABLERS)


class BlockInfo:
    """What routing needs of a block, computed once: its chain, view filter and metadata plugin."""
    __slots__ = ("index", "line", "keys", "chain", "view", "metadata", "plain", "at", "refs")

    def __init__(self, sim: "Simulator", index: int):
        block = sim.corefile.server_blocks[index]
        self.index = index
        self.line = block.line
        self.keys = [k.text for k in block.keys]
        # One grouping of the block's directives serves both the chain and the view (a mesh walk builds this
        # for every peer block of every cluster).
        grouped = group_directives(block)
        self.chain = sim.chain(index, grouped)
        self.view = sim.view(index, grouped)
        self.metadata = self.chain.by_name.get("metadata") if self.chain else None
        self.plain = self.chain is not None and self.view is None and self.metadata is None   # takes every query
        self.at = f": the block at line {self.line}"
        self.refs: dict[str, BlockRef] = {}

    def ref(self, zone: str) -> BlockRef:
        ref = self.refs.get(zone)
        if ref is None:
            ref = self.refs[zone] = BlockRef(self.index, self.line, list(self.keys), zone)
        return ref


class Simulator:
    """A Corefile made ready for many queries: listeners indexed by zone, chains built once per block."""

    def __init__(self, corefile: Corefile, version: Optional[str] = None, *, cluster_state=None,
                 base_dir: Optional[str] = None):
        self.corefile = corefile
        self.version = versions.normalize_version(version or versions.LATEST)
        self.cluster_state = cluster_state
        self.base_dir = base_dir if base_dir is not None else default_base_dir(corefile)
        self.configs = listeners.zone_configs(corefile, self.version)
        self.groups = listeners.group_listeners([c for c in self.configs if c.served])
        self._listeners: dict[str, Listener] = {}
        self._listener_memo: dict[tuple, tuple] = {}
        self._blocks: dict[int, BlockInfo] = {}
        self._chains: dict[int, Optional[Chain]] = {}
        self._views: dict[int, Optional[ViewFilter]] = {}
        self._block_zones: dict[int, list] = {}
        for c in self.configs:
            self._block_zones.setdefault(c.block_index, []).append(c.zone)
        self.views_exist = version_tuple(self.version) >= version_tuple(listeners.VIEWS_SINCE)

    @classmethod
    def of(cls, corefile: Corefile, version: Optional[str] = None, *, cluster_state=None) -> "Simulator":
        """The Simulator of a parsed Corefile for this version and cluster state, made on the first call and kept
        with the tree (a tree is not changed after parsing), so that every later call reuses its listeners and
        chains. Files the Corefile names are read when a chain is first built, as CoreDNS reads them at
        start-up."""
        version = versions.normalize_version(version or versions.LATEST)
        base_dir = default_base_dir(corefile)
        kept = corefile.__dict__.setdefault("_simulators", {})
        key = (version, id(cluster_state), base_dir)
        sim = kept.get(key)
        if sim is None or sim.cluster_state is not cluster_state:
            sim = kept[key] = cls(corefile, version, cluster_state=cluster_state, base_dir=base_dir)
        return sim

    # ------------------------------------------------------------------ listeners
    def listener(self, transport: str = "dns", port=53, listen_ip: Optional[str] = None):
        """(Listener or None, why)."""
        memo_key = (transport, port, listen_ip)
        found = self._listener_memo.get(memo_key)
        if found is None:
            found = self._listener_memo[memo_key] = self._find_listener(transport, port, listen_ip)
        return found

    def _find_listener(self, transport, port, listen_ip):
        port = str(port)
        key = listeners.listener_for(self.groups, transport, listen_ip or "", port)
        if key is not None:
            why = f"the query arrives on {key}"
            if listen_ip and key.endswith(f"://:{port}"):
                why += f" (no block binds {listen_ip}, so the wildcard listener gets it)"
            return self._listener(key), why
        bound = [k for k in self.groups if k.startswith(f"{transport}://") and k.endswith(f":{port}")]
        if listen_ip is None and bound:
            key = bound[0]
            why = (f"no block listens on every address of {transport} port {port}; the query is taken to arrive on "
                   f"{key}" + (f" (others: {', '.join(bound[1:])}; choose with --listen-ip)" if len(bound) > 1 else ""))
            return self._listener(key), why
        served = sorted(self.groups)
        where = f"{listen_ip}:{port}" if listen_ip else f"port {port}"
        return None, (f"no server block listens for {transport} on {where}"
                      + (f" (listeners: {', '.join(served)})" if served else " (no listener at all)")
                      + ": nothing answers")

    def _listener(self, key: str) -> Listener:
        lst = self._listeners.get(key)
        if lst is None:
            lst = self._listeners[key] = Listener(key, self.groups[key])
        return lst

    # ------------------------------------------------------------------ blocks
    def prepare(self) -> None:
        """Build every block's chain now instead of on its first query (for long batches and benchmarks)."""
        for index in range(len(self.corefile.server_blocks)):
            self.block(index)

    def block(self, block_index: int) -> "BlockInfo":
        info = self._blocks.get(block_index)
        if info is None:
            info = self._blocks[block_index] = BlockInfo(self, block_index)
        return info

    def chain(self, block_index: int, grouped: Optional[dict] = None) -> Optional[Chain]:
        try:
            return self._chains[block_index]
        except KeyError:
            pass
        block = self.corefile.server_blocks[block_index]
        if grouped is None:
            grouped = group_directives(block)
        chain = self._chains[block_index] = shared_chain(block, grouped, self._block_zones.get(block_index, []),
                                                         self.version,
                                                         lambda: self._setup(block_index, block, grouped))
        return chain

    def _setup(self, index, block, grouped: Optional[dict] = None) -> BlockSetup:
        root = ""
        roots = grouped.get("root", ()) if grouped is not None else block.find("root")
        for d in roots:
            if d.args:
                root = d.args[0].text if os.path.isabs(d.args[0].text) else os.path.join(self.base_dir,
                                                                                        d.args[0].text)
        zones = self._block_zones.get(index, [])
        return BlockSetup(zones, block.directives, self.version, self.base_dir, root, self.cluster_state,
                          self._lookup_through, zones[0] if zones else "")

    def view(self, block_index: int, grouped: Optional[dict] = None) -> Optional[ViewFilter]:
        try:
            return self._views[block_index]
        except KeyError:
            pass
        views = None
        if self.views_exist:
            if grouped is not None:
                found = grouped.get("view")       # the block's directives in order: [0] is its first view
                views = found[0] if found else None
            else:
                for d in self.corefile.server_blocks[block_index].directives:
                    if d.name_token.text == "view":
                        views = d
                        break
        view = self._views[block_index] = ViewFilter(views) if views is not None else None
        return view

    # ------------------------------------------------------------------ queries
    def simulate(self, qname: str, qtype: str = "A", qclass: str = "IN", *, port=53, transport: str = "dns",
                 client_ip: str = "127.0.0.1", listen_ip: Optional[str] = None, client_port: int = 0,
                 proto: str = "udp") -> Result:
        qtype, qclass = qtype.upper(), qclass.upper()
        found = self._listener_memo.get((transport, port, listen_ip))
        lst, why = found if found is not None else self.listener(transport, port, listen_ip)
        written = qname if qname.endswith(".") else qname + "."
        result = Result(written, qtype, qclass, Routing(lst.key if lst else None, why))
        if lst is None:
            result.unknown = why
            return result
        # canonical(qname), without the call: only a name ending in an escaped dot needs its care.
        name = written.lower() if not qname.endswith("\\.") else canonical(qname)
        q = Query(name, qtype, qclass, client_ip, client_port, proto, listen_ip or "", str(port), written, 0,
                  lst.key)
        self._route(lst, q, result)
        if q.loop:
            self._loop(q, result)
        return result

    @staticmethod
    def _loop(q: Query, result: Result) -> None:
        """A lookup through the server was cut off: what the plugins answered with the cut-off lookup is not what
        CoreDNS answers, so the outcome is unknown, with the innermost reason."""
        result.rcode = None
        result.answers, result.authority, result.additional = [], [], []
        result.answered_by = None
        result.forwarded_to = None
        result.unknown = "unknown: " + q.loop
        result.cause = q.loop

    def _route(self, lst: Listener, q: Query, result: Result, inherited=None) -> None:
        routing = result.routing
        if q.cls != "IN" and not lst.chaos:
            routing.add(f"class {q.cls} is not IN and no block on this listener has chaos or forward: REFUSED")
            result.rcode = "REFUSED"
            return
        # What the last metadata collector put in the query's context (labels.py), carried from block to block;
        # a lookup through the server starts with the context of the query that made it (upstream.Lookup passes
        # its ctx on to ServeDNS).
        metadata = inherited
        ds_handler = None
        zones = lst.zones
        blocks = self._blocks
        name = q.name
        walk = _parents(name) if "\\" in name else None     # escaped dots: the careful walk
        zone = next(walk) if walk else name
        last = len(name) - 1
        i = -1
        while zone:
            confs = zones.get(zone)
            if confs is not None:
                for c in confs:
                    info = blocks.get(c.block_index) or self.block(c.block_index)
                    if info.plain:
                        # The common case, without a call: a plain block takes the query.
                        routing.candidates.append((info.index, info.line, zone, None, "chosen"))
                        if metadata is not None:
                            self._carry(info, q, metadata)
                        if q.type != "DS":
                            self._run_block(info, zone, q, result, "longest matching zone " + zone)
                            return
                        ds_handler = c
                        continue
                    outcome, metadata = self._try(c, q, metadata, routing)
                    if outcome == "refuse":
                        self._refuse_no_chain(c, result)
                        return
                    if outcome == "run":
                        if q.type != "DS":
                            self._run(c, q, result, "longest matching zone " + zone)
                            return
                        ds_handler = c
                    elif outcome == "unknown":
                        result.unknown = routing.candidates[-1][4]
                        return
            if walk is not None:
                zone = next(walk, "")
                continue
            i = name.find(".", i + 1)
            zone = name[i + 1:] if 0 <= i < last else ""
        if q.type == "DS" and ds_handler is not None:
            self._run(ds_handler, q, result, f"DS queries go to the parent-most matching zone, {ds_handler.zone}")
            return
        for c in zones.get(".", ()):
            info = blocks.get(c.block_index) or self.block(c.block_index)
            if info.plain:
                routing.candidates.append((info.index, info.line, ".", None, "chosen"))
                if metadata is not None:
                    self._carry(info, q, metadata)
                self._run_block(info, ".", q, result, "no other zone matches; the root zone . catches it")
                return
            if info.chain is None:
                routing.candidates.append(self._candidate(c, "skipped: no plugins"))
                continue
            outcome, metadata = self._try(c, q, metadata, routing)
            if outcome == "run":
                self._run(c, q, result, "no other zone matches; the root zone . catches it")
                return
            if outcome == "unknown":
                result.unknown = routing.candidates[-1][4]
                return
        routing.add(f"no zone on {lst.key} matches {q.name}: REFUSED")
        result.rcode = "REFUSED"

    def _candidate(self, c, outcome: str) -> tuple:
        info = self.block(c.block_index)
        return (info.index, info.line, c.zone, info.view.name if info.view else None, outcome)

    def _try(self, c, q, metadata, routing):
        """(outcome, the metadata in the context from now on)."""
        info = self.block(c.block_index)
        if info.chain is None:
            routing.candidates.append(self._candidate(c, "chosen: the block has no plugins, so CoreDNS answers "
                                                         "REFUSED"))
            return "refuse", metadata
        view = info.view
        if info.metadata is not None:
            # server.go: this configuration's collector starts a fresh label map in the context.
            metadata = md_labels.collect(info, q)
        if view is None:
            routing.candidates.append((info.index, info.line, c.zone, None, "chosen"))
            self._carry(info, q, metadata)
            return "run", metadata
        passes, why = view.evaluate(q, metadata if metadata is not None else md_labels.Labels())
        if passes is None:
            routing.candidates.append(self._candidate(c, f"unknown: {why}"))
            return "unknown", metadata
        routing.candidates.append(self._candidate(c, ("chosen: " if passes else "skipped: ") + why))
        if passes:
            q.view_name = view.name
            self._carry(info, q, metadata)
        return ("run" if passes else "skip"), metadata

    def _carry(self, info, q, metadata) -> None:
        """The labels the chosen block's chain reads: those in the context, plus what its own plugins set before
        later ones read them (labels.in_chain)."""
        if metadata is not None:
            q.metadata = md_labels.in_chain(info, metadata, self.version)

    def _refuse_no_chain(self, c, result: Result) -> None:
        result.server_block = self._ref(c)
        result.routing.add(f"zone {c.zone} belongs to the block at line {c.block.line}, which has no plugins: "
                           f"REFUSED")
        result.rcode = "REFUSED"

    def _ref(self, c) -> BlockRef:
        return self.block(c.block_index).ref(c.zone)

    def _run(self, c, q: Query, result: Result, why: str) -> None:
        self._run_block(self._blocks.get(c.block_index) or self.block(c.block_index), c.zone, q, result, why)

    def _run_block(self, info: BlockInfo, zone: str, q: Query, result: Result, why: str) -> None:
        ref = info.refs.get(zone)
        result.server_block = ref if ref is not None else info.ref(zone)
        result.routing.parts.append(why + info.at)
        chain = info.chain
        if chain.skipped:
            result.notes.extend(chain.skipped)
        self._finish(chain.first(q), q, result)

    @staticmethod
    def _finish(reply: Reply, q: Query, result: Result) -> None:
        result.trace = q.trace
        result.notes.extend(reply.notes)
        result.forwarded_to = reply.forwarded_to
        result.dropped = reply.dropped
        result.unknown = reply.unknown
        result.cause = reply.cause
        if reply.plugin:
            result.answered_by = {"plugin": reply.plugin, "line": reply.line}
        if reply.rcode is None:
            result.rcode = None
            result.answers = list(reply.answers)
            return
        if not reply.written:
            if reply.rcode in SERVER_WRITTEN_RCODES:
                result.rcode = reply.rcode
                return
            result.rcode = None
            result.dropped = True
            result.unknown = f"the plugin returned {reply.rcode} without writing a reply: the client gets none"
            return
        result.rcode = reply.rcode
        result.answers = list(reply.answers)
        result.authority = list(reply.authority)
        result.additional = list(reply.additional)

    # ------------------------------------------------------------------ lookups plugins make through the server
    def _lookup_through(self, q: Query, name: str, qtype: str, extra_depth: int = 0) -> Reply:
        """upstream.Lookup (plugin/pkg/upstream): the same server (listener) answers name/qtype for the same client.

        The question is made by request.NewWithQuestion, which sets class IN whatever the query's class was, on a
        copy of the request (its DO bit and buffer size kept), and ServeDNS runs with the query's context (its
        metadata labels). `extra_depth` lets a caller with a loop guard of its own (file: dnsserver.LoopKey) nest
        that many levels deeper.

        The Reply's `cause` is the innermost reason something below cannot be known offline (a forward's
        upstream, a zone file not readable here, ...), so that every level up can say it; a lookup nested deeper
        than MAX_LOOKUP_DEPTH sets the query's `loop`, which makes the whole outcome unknown."""
        if q.depth >= MAX_LOOKUP_DEPTH + extra_depth:
            why = (f"lookups through the server nest deeper than {MAX_LOOKUP_DEPTH} (the last one: {canonical(name)} "
                   f"{qtype}): a loop the simulator does not follow (only file counts its own nesting, "
                   f"dnsserver.LoopKey; the others have no guard)")
            q.loop = why
            return Reply(None, unknown=why, cause=why)
        lst = self._listener(q.listener)
        target = canonical(name)
        sub = Query(target, qtype, "IN", client_ip=q.client_ip, client_port=q.client_port, proto=q.proto,
                    server_ip=q.server_ip, server_port=q.server_port, qname_written=target, depth=q.depth + 1,
                    listener=q.listener, do=q.do, bufsize=q.bufsize)
        sub_result = Result(target, qtype, "IN", Routing(lst.key))
        # The context's label map exists only when a collector ran for the query (NO_LABELS: none did).
        self._route(lst, sub, sub_result, q.metadata if q.metadata is not NO_LABELS else None)
        prefix = f"[lookup {target} {qtype}] "
        for plugin, line, decision, reason in sub.trace:
            q.trace.append((plugin, line, decision, prefix + reason))
        if sub.loop:
            q.loop = sub.loop
            return Reply(None, unknown=sub.loop, cause=sub.loop, notes=list(sub_result.notes))
        unknown = sub_result.unknown or ("" if sub_result.rcode else sub_result.routing.reason)
        cause = sub_result.cause
        if not cause and sub_result.rcode is None and not sub_result.dropped:
            cause = self._cause(sub_result, target, qtype, unknown)
        return Reply(sub_result.rcode, sub_result.answers, sub_result.authority, sub_result.additional,
                     forwarded_to=sub_result.forwarded_to, unknown=unknown, dropped=sub_result.dropped,
                     notes=list(sub_result.notes), cause=cause)

    @staticmethod
    def _cause(result: Result, name: str, qtype: str, unknown: str) -> str:
        """The innermost reason, naming the plugin that could not be simulated and, for forward/grpc, the
        upstreams whose answer it is."""
        unknown = unknown.removeprefix("unknown: ")
        by = result.answered_by
        where = f"{by['plugin']} (line {by['line']})" if by else "the server"
        if result.forwarded_to:
            return (f"{name} {qtype} goes to {where}, which sends it to upstream {', '.join(result.forwarded_to)}, "
                    f"whose answer cannot be known offline")
        return f"{name} {qtype}: {where}: {unknown}" if unknown else f"{name} {qtype}: {where}: unknown"
