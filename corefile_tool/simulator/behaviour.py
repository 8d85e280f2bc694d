"""What every plugin behaviour model shares: how it is built from a block's directives and how it serves.

A behaviour is built once per server block (CoreDNS runs each plugin's setup once per block and shares the
instance among the block's zones) from all occurrences of its directive, in Corefile order. `serve(query,
next)` returns a Reply: it either answers, or calls `next(query)` (possibly after changing the query) and
returns what comes back (possibly changed). Each call records one trace step saying what it did and why.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..tree import Directive
from .model import CHANGE, HANDLE, PASS, UNKNOWN, Query, Reply

Next = Callable[[Query], Reply]


class ConfigError(Exception):
    """The directive cannot be understood (CoreDNS would refuse to start); carries the offending line."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


@dataclass
class BlockSetup:
    """What a plugin's setup can see: the block's normalised zones and the world around the Corefile."""
    zones: list                                   # every zone of the block's keys (ServerBlockKeys)
    directives: list                              # all directives of the block, in Corefile order
    version: str
    base_dir: str = "."                           # where relative file names are looked up
    root: str = ""                                # the `root` plugin's directory, if any
    cluster_state: object = None                  # cluster_state.ClusterState or None
    lookup: Optional[Callable] = None             # (query, name, qtype) -> Reply through the same listener
    first_key_zone: str = ""
    options: dict = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return any(d.name == name for d in self.directives)

    def path(self, name: str) -> str:
        """A file name as a plugin resolves it: absolute as is, else under `root`, else the Corefile's dir."""
        if os.path.isabs(name):
            return name
        if self.root:
            return os.path.join(self.root, name)
        return os.path.join(self.base_dir, name)


class Behaviour:
    NAME = ""
    HANDLER = True        # False: setup adds no handler (bind, health, ready, reload, ...)
    # True: the model is a function of its directives (words and lines), the block's zones and the version alone
    # (no file, no cluster state, no lookup through the server), and serving a query changes nothing in it. A
    # block made only of such models has a chain any block with the same directives, zones and version can share
    # (chain.shared_chain).
    SHARED = False

    def shareable(self) -> bool:
        """SHARED, for this instance (a model whose reading may depend on more says so here)."""
        return self.SHARED

    def __init__(self, directives: list[Directive], setup: BlockSetup):
        self.directives = directives
        self.setup = setup
        self.line = directives[0].line if directives else 0

    def serve(self, q: Query, nxt: Next) -> Reply:
        q.step(self.NAME, self.line, PASS, "passes every query on")
        return nxt(q)

    # Helpers shared by the models.
    def passes(self, q: Query, nxt: Next, reason: str, line: int = 0) -> Reply:
        q.trace.append((self.NAME, line or self.line, PASS, reason))
        return nxt(q)

    def answer(self, q: Query, reason: str, rcode: str, answers=(), authority=(), additional=(),
               line: int = 0, written: bool = True) -> Reply:
        q.step(self.NAME, line or self.line, HANDLE, reason)
        return Reply(rcode, list(answers), list(authority), list(additional), self.NAME, line or self.line,
                     written=written)

    def unknown(self, q: Query, reason: str, line: int = 0) -> Reply:
        q.step(self.NAME, line or self.line, UNKNOWN, reason)
        return Reply(None, plugin=self.NAME, line=line or self.line, unknown=reason)


class InvalidBehaviour(Behaviour):
    """A directive the model could not read: CoreDNS would not start, so what it does is not defined."""

    def __init__(self, name: str, directives, setup, error: ConfigError):
        super().__init__(directives, setup)
        self.NAME = name
        self.error = error
        if error.line:
            self.line = error.line

    def serve(self, q, nxt):
        return self.unknown(q, f"unknown: its configuration is invalid ({self.error}), so CoreDNS would not start")


def all_args(d: Directive) -> list[str]:
    return [t.text for t in d.args] + [t.text for t in d.tail]


def properties(d: Directive):
    """(name, args, line) of each line inside the directive's block."""
    for child in d.children:
        yield child.name, [t.text for t in child.args] + [t.text for t in child.tail], child.line


def duration_seconds(text: str) -> Optional[float]:
    """Go time.ParseDuration (seconds), None when it is not a duration."""
    import re

    if text in ("0", "+0", "-0"):
        return 0.0
    m = re.fullmatch(r"([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+", text)
    if not m:
        return None
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    total = 0.0
    for num, unit in re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)", text):
        total += float(num) * units[unit]
    return -total if m.group(1) == "-" else total


__all__ = ["Behaviour", "BlockSetup", "ConfigError", "InvalidBehaviour", "Next", "all_args", "properties",
           "duration_seconds", "HANDLE", "PASS", "CHANGE", "UNKNOWN"]
