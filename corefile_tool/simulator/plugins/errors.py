"""errors (coredns plugin/errors): passes every query on and logs the error the chain returns, if any."""
from __future__ import annotations

from ..behaviour import Behaviour


class Errors(Behaviour):
    NAME = "errors"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.passing = (self.NAME, self.line, "pass", "passes the query on; logs any error the plugins after it return")

    def serve(self, q, nxt):
        q.trace.append(self.passing)
        return nxt(q)


BEHAVIOURS = [Errors]
