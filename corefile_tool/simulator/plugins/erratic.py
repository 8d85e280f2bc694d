"""erratic (coredns plugin/erratic): a test plugin. A and AAAA get a fixed answer (192.0.2.53, 2001:db8::53,
TTL 0), AXFR a small fixed zone, every other type SERVFAIL. `drop N`, `delay N` and `truncate N` act on every
Nth query; which query number this one is cannot be known, so the model says when that matters."""
from __future__ import annotations

from ..behaviour import Behaviour, properties
from ..model import Record


class Erratic(Behaviour):
    NAME = "erratic"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.drop = 2           # the plugin's default
        self.delay = 0
        self.truncate = 0
        drop_seen = False
        for d in directives:
            for name, args, _ in properties(d):
                amount = int(args[0]) if args and args[0].isdigit() else None
                if name == "drop" and amount is not None:
                    self.drop, drop_seen = amount, True
                elif name == "delay":
                    self.delay = 2 if amount is None else amount
                elif name == "truncate":
                    self.truncate = 2 if amount is None else amount
        if (self.delay or self.truncate) and not drop_seen:
            self.drop = 0

    def serve(self, q, nxt):
        owner = q.qname_written or q.name
        if self.drop == 1:
            r = self.answer(q, "drop 1: every query is dropped", "NOERROR")
            r.dropped = True
            return r
        if q.type == "A":
            answers = [Record(owner, "A", 0, "192.0.2.53")]
        elif q.type == "AAAA":
            answers = [Record(owner, "AAAA", 0, "2001:db8::53")]
        elif q.type == "AXFR":
            return self.answer(q, "answers AXFR with its fixed example zone", "NOERROR")
        else:
            return self.answer(q, f"answers every type but A, AAAA and AXFR with SERVFAIL", "SERVFAIL",
                               written=False)
        reason = f"answers {q.type} with its fixed address"
        if self.drop > 1:
            reason += (f" (but every {self.drop}th query it sees, counting from the first, is dropped: whether "
                       f"this one is cannot be known)")
        return self.answer(q, reason, "NOERROR", answers)


BEHAVIOURS = [Erratic]
