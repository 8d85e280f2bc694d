"""metadata (coredns plugin/metadata): before the chain runs, the server collects metadata from the block's
providers (for names in its zones); the handler itself passes every query on."""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args
from ..names import ZoneSet


class Metadata(Behaviour):
    NAME = "metadata"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        args = all_args(directives[0]) if directives else []
        self.zones = ZoneSet(zones_from_args(args, setup.zones))

    def collects(self, name: str) -> bool:
        return bool(self.zones.match(name))

    def serve(self, q, nxt):
        md = q.metadata
        if md or getattr(md, "unknown", None):
            keys = md.describe() if hasattr(md, "describe") else ", ".join(f"{k}={v}" for k, v in sorted(md.items()))
            return self.passes(q, nxt, f"metadata collected ({keys}); passes the query on")
        return self.passes(q, nxt, "passes the query on")


BEHAVIOURS = [Metadata]
