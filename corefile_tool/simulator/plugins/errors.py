"""errors (coredns plugin/errors): passes every query on and logs the error the chain returns, if any."""
from __future__ import annotations

from ..behaviour import Behaviour


class Errors(Behaviour):
    NAME = "errors"

    def serve(self, q, nxt):
        q.trace.append((self.NAME, self.line, "pass", "passes the query on; logs any error the plugins after it "
                                                      "return"))
        return nxt(q)


BEHAVIOURS = [Errors]
