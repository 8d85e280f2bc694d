"""The values a simulation passes around: the query, each plugin's step, a reply and the final result."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .labels import Labels

NO_LABELS = Labels()      # the context of a query no metadata collector saw (shared: replaced, never changed)

# Decisions a plugin can take on a query (the "decision" of a trace step).
HANDLE = "handle"     # it writes the reply (or hands it to an upstream server)
PASS = "pass"         # it calls the next plugin without changing the query
CHANGE = "change"     # it changes the query (or the reply on its way back) and calls the next plugin
UNKNOWN = "unknown"   # what it does depends on something that cannot be known offline

# rcodes the server writes itself when a plugin returns them without writing (coredns plugin/plugin.go ClientWrite)
SERVER_WRITTEN_RCODES = frozenset(("SERVFAIL", "REFUSED", "FORMERR", "NOTIMP"))


@dataclass(slots=True)
class Record:
    name: str
    type: str
    ttl: int
    data: str
    cls: str = "IN"

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "ttl": self.ttl, "data": self.data}

    def text(self) -> str:
        return f"{self.name}\t{self.ttl}\t{self.cls}\t{self.type}\t{self.data}"

    def copy(self) -> "Record":
        return Record(self.name, self.type, self.ttl, self.data, self.cls)


class Step:
    __slots__ = ("plugin", "line", "decision", "reason")

    def __init__(self, plugin: str, line: int, decision: str, reason: str):
        self.plugin, self.line, self.decision, self.reason = plugin, line, decision, reason

    def __repr__(self):
        return f"Step({self.plugin!r}, {self.line}, {self.decision!r}, {self.reason!r})"

    def __eq__(self, other):
        return isinstance(other, Step) and self.as_dict() == other.as_dict()

    def as_dict(self) -> dict:
        return {"plugin": self.plugin, "line": self.line, "decision": self.decision, "reason": self.reason}


class Query:
    """The question as plugins see it; rewrite changes name/type/cls in place, as CoreDNS does.

    `name` is canonical (lower-case FQDN, what request.Name() gives); `qname_written` keeps the client's case
    (request.QName(), used for answer owner names). A plain class: one is made per simulated query."""
    __slots__ = ("name", "type", "cls", "client_ip", "client_port", "proto", "server_ip", "server_port", "do",
                 "bufsize", "qname_written", "trace", "metadata", "depth", "view_name", "listener", "loop")

    def __init__(self, name: str, type: str, cls: str = "IN", client_ip: str = "127.0.0.1", client_port: int = 0,
                 proto: str = "udp", server_ip: str = "", server_port: str = "53", qname_written: str = "",
                 depth: int = 0, listener: str = "", do: bool = False, bufsize: int = 512):
        self.name = name
        self.type = type
        self.cls = cls
        self.client_ip = client_ip
        self.client_port = client_port
        self.proto = proto
        self.server_ip = server_ip
        self.server_port = server_port
        self.do = do
        self.bufsize = bufsize
        self.qname_written = qname_written
        self.trace = []
        self.metadata = NO_LABELS    # the metadata labels in the query's context (labels.py); never changed in place
        self.depth = depth           # nesting of lookups a plugin makes through the server itself
        self.view_name = ""
        self.listener = listener     # the listener the query arrived on (lookups through the server reuse it)
        # Set when a lookup through the server nested deeper than the simulator follows: the outcome is unknown,
        # whatever the plugins made of the cut-off lookup (engine.Simulator._lookup_through).
        self.loop = ""

    def step(self, plugin: str, line: int, decision: str, reason: str) -> None:
        # Kept as a tuple; Result.trace turns the steps into Step objects when they are read.
        self.trace.append((plugin, line, decision, reason))


class Reply:
    """What the chain produced. `rcode` None = cannot be known offline (see `unknown`). `written` False: the
    plugin returned an rcode without writing (the server writes SERVFAIL/REFUSED/... itself)."""
    __slots__ = ("rcode", "answers", "authority", "additional", "plugin", "line", "forwarded_to", "written",
                 "dropped", "unknown", "notes", "cause")

    def __init__(self, rcode, answers=None, authority=None, additional=None, plugin=None, line=0, forwarded_to=None,
                 written=True, dropped=False, unknown="", notes=None, cause=""):
        self.rcode = rcode
        self.answers = answers if answers is not None else []
        self.authority = authority if authority is not None else []
        self.additional = additional if additional is not None else []
        self.plugin = plugin
        self.line = line
        self.forwarded_to = forwarded_to
        self.written = written
        self.dropped = dropped          # no reply at all reaches the client
        self.unknown = unknown          # why the outcome cannot be known offline
        self.notes = notes if notes is not None else []   # effects on the way back (TTL capping, shuffling, ...)
        # Why part of this reply cannot be known offline when that comes from a lookup through the server: the
        # innermost lookup's reason, kept on the way back up (rcode may still be known, e.g. a template's).
        self.cause = cause


@dataclass(slots=True)
class BlockRef:
    index: int
    line: int
    keys: list
    zone: str

    def as_dict(self) -> dict:
        return {"index": self.index, "line": self.line, "keys": list(self.keys), "zone": self.zone}


class Routing:
    """How the server block was chosen: the listener, the configurations looked at, and why the winner won.

    Candidates are kept as tuples (block index, line, zone, view name, outcome) and the reason as parts; both
    are turned into text only when shown."""
    __slots__ = ("listener", "candidates", "parts")

    def __init__(self, listener: Optional[str], reason: str = ""):
        self.listener = listener
        self.candidates: list = []
        self.parts = [reason] if reason else []

    @property
    def reason(self) -> str:
        return "; ".join(self.parts)

    def add(self, part: str) -> None:
        self.parts.append(part)

    def candidate_dicts(self) -> list:
        return [{"index": i, "line": line, "zone": zone, "view": view, "outcome": outcome}
                for i, line, zone, view, outcome in self.candidates]

    def as_dict(self) -> dict:
        return {"listener": self.listener, "candidates": self.candidate_dicts(), "reason": self.reason}


class Result:
    """The outcome of one simulated query (see to_json for the contract)."""
    __slots__ = ("qname", "qtype", "qclass", "server_block", "answered_by", "rcode", "answers", "authority",
                 "additional", "forwarded_to", "_trace", "routing", "dropped", "unknown", "notes", "cause")

    def __init__(self, qname: str, qtype: str, qclass: str = "IN", routing: Optional[Routing] = None):
        self.qname = qname
        self.qtype = qtype
        self.qclass = qclass
        self.server_block: Optional[BlockRef] = None
        self.answered_by: Optional[dict] = None
        self.rcode: Optional[str] = None
        self.answers: list = []
        self.authority: list = []
        self.additional: list = []
        self.forwarded_to: Optional[list] = None
        self._trace: list = []
        self.routing = routing
        self.dropped = False
        self.unknown = ""
        self.notes: list = []
        self.cause = ""           # Reply.cause of the chain's reply (not part of the JSON contract)

    @property
    def trace(self) -> list:
        """The plugins' steps in execution order, as Step objects."""
        steps = self._trace
        if steps and type(steps[0]) is tuple:
            steps = self._trace = [Step(*s) if type(s) is tuple else s for s in steps]
        return steps

    @trace.setter
    def trace(self, steps: list) -> None:
        self._trace = steps

    def trace_dicts(self) -> list:
        """The steps as dicts (Step.as_dict), made straight from the kept tuples."""
        return [{"plugin": s[0], "line": s[1], "decision": s[2], "reason": s[3]} if type(s) is tuple else s.as_dict()
                for s in self._trace]

    def to_json(self) -> dict:
        return {
            "qname": self.qname,
            "qtype": self.qtype,
            "server_block": self.server_block.as_dict() if self.server_block else None,
            "answered_by": dict(self.answered_by) if self.answered_by else None,
            "rcode": self.rcode,
            "answers": [r.as_dict() for r in self.answers],
            "forwarded_to": list(self.forwarded_to) if self.forwarded_to is not None else None,
            "trace": self.trace_dicts(),
            # Extensions to the contract (documented in README):
            "qclass": self.qclass,
            "authority": [r.as_dict() for r in self.authority],
            "additional": [r.as_dict() for r in self.additional],
            "routing": self.routing.as_dict() if self.routing else None,
            "dropped": self.dropped,
            "unknown": self.unknown or None,
            "notes": list(self.notes),
        }


def lookup_cause(sub: Optional[Reply]) -> str:
    """Why a lookup through the server (engine.Simulator._lookup_through) cannot be known offline: the innermost
    reason, which names the plugin and, for forward or grpc, the upstreams."""
    if sub is None:
        return "no server to look it up"
    return sub.cause or sub.unknown or "unknown"


class CauseNote(str):
    """A note saying part of an answer comes from a lookup through the server that cannot be known offline; it
    carries that lookup's innermost reason for the plugin to keep as its Reply.cause."""
    cause = ""

    def __new__(cls, text: str, cause: str):
        note = super().__new__(cls, text)
        note.cause = cause
        return note


def cause_of(notes) -> str:
    """The first lookup reason carried by CauseNote notes ("" when none)."""
    return next((n.cause for n in notes if isinstance(n, CauseNote) and n.cause), "")
