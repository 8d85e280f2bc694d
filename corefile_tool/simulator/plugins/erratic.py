"""erratic (coredns plugin/erratic): a test plugin. A and AAAA get a fixed answer (192.0.2.53, 2001:db8::53,
TTL 0; `large` repeats the A record 30 times), AXFR a small fixed zone, every other type SERVFAIL. `drop N`,
`delay N` and `truncate N` act on every Nth query counting from the first (erratic.go: query number 0 is the
first); which number this one is cannot be known, so the model says when that matters. `drop 1` drops every
query: no reply."""
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
        self.large = False
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
                elif name == "large":
                    self.large = True
        if (self.delay or self.truncate) and not drop_seen:
            self.drop = 0

    def serve(self, q, nxt):
        owner = q.qname_written or q.name
        if self.drop == 1:
            r = self.answer(q, "drop 1: every query is dropped, no reply is sent", "NOERROR")
            r.rcode = None
            r.dropped = True
            r.unknown = "dropped: erratic's drop 1 sends no reply (the client times out)"
            return r
        if q.type == "A":
            answers = [Record(owner, "A", 0, "192.0.2.53") for _ in range(30 if self.large else 1)]
        elif q.type == "AAAA":
            answers = [Record(owner, "AAAA", 0, "2001:db8::53")]
        elif q.type == "AXFR":
            r = self.answer(q, "answers AXFR with its fixed example zone" + self._drops(), "NOERROR")
            r.notes.append("erratic's AXFR reply (an SOA, two NS and two AAAA records under the query name) is not "
                           "listed here")
            return r
        else:
            return self.answer(q, "answers every type but A, AAAA and AXFR with SERVFAIL" + self._drops(), "SERVFAIL",
                               written=False)
        return self.answer(q, f"answers {q.type} with its fixed address" + self._drops(), "NOERROR", answers)

    def _drops(self) -> str:
        if self.drop > 1:
            return (f" (but every {self.drop}th query it sees, counting from the first, is dropped: whether this "
                    f"one is cannot be known)")
        return ""


BEHAVIOURS = [Erratic]
