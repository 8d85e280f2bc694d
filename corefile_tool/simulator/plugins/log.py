"""log (coredns plugin/log): passes every query on; the first rule whose name covers the query logs it."""
from __future__ import annotations

from ..behaviour import Behaviour, all_args
from ..names import canonical, is_subdomain


class Log(Behaviour):
    NAME = "log"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.scopes = []
        for d in directives:
            args = all_args(d)
            if not args:
                names = ["."]
            elif len(args) == 1:
                names = args
            else:
                names = args[:-1] if "{" in args[-1] else args
            self.scopes += [(canonical(n), d.line) for n in names]

    def serve(self, q, nxt):
        for scope, line in self.scopes:
            if is_subdomain(scope, q.name):
                return self.passes(q, nxt, f"logs the query (rule for {scope}) and passes it on", line)
        return self.passes(q, nxt, "no rule covers this name: passes it on without logging")


BEHAVIOURS = [Log]
