"""loop (coredns plugin/loop): probes for forwarding loops at start-up only; at query time it passes on."""
from __future__ import annotations

from ..behaviour import Behaviour


class Loop(Behaviour):
    NAME = "loop"
    SHARED = True

    def serve(self, q, nxt):
        return self.passes(q, nxt, "passes the query on (it only sends its own HINFO probe at start-up, and "
                                   "stops CoreDNS if that probe comes back)")


BEHAVIOURS = [Loop]
