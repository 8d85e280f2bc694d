"""log (coredns plugin/log): passes every query on; the first rule whose name covers the query decides whether it
is logged: always, or (with `class`) only when the reply is of a listed class (response.Classify: success for
answers and delegations, denial for NXDOMAIN and NODATA, error for the rest)."""
from __future__ import annotations

from ..behaviour import Behaviour, all_args, properties
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
            classes = set()
            for name, values, _ in properties(d):
                if name == "class":
                    classes.update(v.lower() for v in values)
            if not classes or "all" in classes:
                classes = None
            self.scopes += [(canonical(n), d.line, classes) for n in names]

    def serve(self, q, nxt):
        for scope, line, classes in self.scopes:
            if is_subdomain(scope, q.name):
                if classes is None:
                    return self.passes(q, nxt, f"logs the query (rule for {scope}) and passes it on", line)
                at = len(q.trace)
                q.trace.append((self.NAME, line, "pass", ""))
                reply = nxt(q)
                cls = reply_class(reply)
                wanted = " or ".join(sorted(classes))
                if cls is None:
                    outcome = f"whether it is logged depends on the reply's class ({wanted} is logged)"
                elif cls in classes:
                    outcome = f"the reply is a {cls}, so it is logged"
                else:
                    outcome = f"the reply is a{'n' if cls == 'error' else ''} {cls}, not {wanted}: not logged"
                q.trace[at] = (self.NAME, line, "pass", f"passes the query on (rule for {scope}, class {wanted}); "
                                                        f"{outcome}")
                return reply
        return self.passes(q, nxt, "no rule covers this name: passes it on without logging")


def reply_class(reply):
    """response.Classify(response.Typify(reply)): success, denial or error; None when the reply is not known."""
    if reply.rcode is None:
        return None
    rcode = reply.rcode
    if reply.answers and rcode == "NOERROR":
        return "success"
    if reply.answers and rcode == "NXDOMAIN":
        return "error"
    types = {r.type for r in reply.authority}
    if ("SOA" in types and rcode == "NOERROR") or rcode == "NXDOMAIN":
        return "denial"
    if rcode == "NOERROR":
        return "success"
    return "error"


BEHAVIOURS = [Log]
