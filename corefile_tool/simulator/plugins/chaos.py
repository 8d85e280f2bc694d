"""chaos (coredns plugin/chaos): answers CH-class TXT queries for version.bind, version.server, authors.bind,
hostname.bind and id.server; every other query goes to the next plugin."""
from __future__ import annotations

from ..behaviour import Behaviour, all_args
from ..records import txt

CHAOS_NAMES = ("version.bind.", "version.server.", "authors.bind.", "hostname.bind.", "id.server.")


class Chaos(Behaviour):
    NAME = "chaos"
    SHARED = True

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        args = all_args(directives[0]) if directives else []
        # With no argument the version is "CoreDNS-<version of the running binary>" (caddy.AppName-AppVersion);
        # setup.go cuts a lone VERSION (not one followed by authors) and each author to 255 characters.
        self.version = (args[0] if len(args) > 1 else args[0][:255]) if args else f"CoreDNS-{setup.version}"
        self.authors = sorted(a[:255] for a in set(args[1:])) if len(args) > 1 else None

    def serve(self, q, nxt):
        if q.cls != "CH" or q.type != "TXT":
            return self.passes(q, nxt, "only CH-class TXT queries are its business")
        if q.name not in CHAOS_NAMES:
            return self.passes(q, nxt, f"{q.name} is not one of {', '.join(CHAOS_NAMES)}")
        owner = q.qname_written or q.name
        if q.name in ("version.bind.", "version.server."):
            return self.answer(q, "answers the server version", "NOERROR", [txt(owner, 0, self.version, "CH")])
        if q.name == "authors.bind.":
            if self.authors is None:
                r = self.answer(q, "answers the list of CoreDNS authors (built into the binary, in random order)",
                                "NOERROR")
                r.notes.append("the answer holds one TXT record per CoreDNS author (the list built into the "
                               "binary), which is not listed here")
                return r
            return self.answer(q, "answers the authors given as arguments, in random order", "NOERROR",
                               [txt(owner, 0, a, "CH") for a in self.authors])
        r = self.answer(q, "answers the server's host name (known only on the server)", "NOERROR")
        r.notes.append("the TXT record holds the server's host name")
        return r


BEHAVIOURS = [Chaos]
