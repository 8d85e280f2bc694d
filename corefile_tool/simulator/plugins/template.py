"""template (coredns plugin/template): answers from Go text/templates when a query matches.

Each `template CLASS TYPE [ZONES...]` is one template, tried in Corefile order. A name outside every template's
zones goes to the next plugin. For each template: another zone, class or type skips to the next template; if a
`match` regex (default `.*`) matches the name, the template answers with its rendered records and rcode (an
rcode of SERVFAIL is returned without a reply, so the server writes SERVFAIL); if none matches, the next
template is tried only when this one's `fallthrough` covers the name, otherwise the answer is SERVFAIL. When
every template was skipped the query goes to the next plugin. A CNAME answer to an A or AAAA query has its
target looked up through the server and appended (the `upstream` option is accepted and ignored; the lookup
always happens).
"""
from __future__ import annotations

import re

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args, properties
from ..gotemplate import TemplateError, Unsupported, render
from ..names import Fall, ZoneSet
from ..records import RecordError, parse_rr


def go_regex(pattern: str):
    """A Go RE2 pattern for Python's re (the syntax both share; \\z is Python's \\Z)."""
    return re.compile(pattern.replace(r"\z", r"\Z"))


class Template:
    def __init__(self, d, setup):
        args = all_args(d)
        self.line = d.line
        self.qclass = args[0].upper() if args else "IN"
        self.qtype = args[1].upper() if len(args) > 1 else "ANY"
        self.zones = ZoneSet(zones_from_args(args[2:], setup.zones))
        self.regex = []
        self.answer, self.additional, self.authority = [], [], []
        self.rcode = "NOERROR"
        self.fall = Fall()
        self.exprs = False
        self.error = ""
        for name, values, _ in properties(d):
            if name == "match":
                for v in values:
                    try:
                        self.regex.append(go_regex(v))
                    except re.error as e:
                        self.error = f"could not parse regex: {v}, {e}"
            elif name in ("answer", "additional", "authority"):
                getattr(self, name).extend(values)
            elif name == "rcode" and values:
                self.rcode = values[0].upper()
            elif name == "fallthrough":
                self.fall = Fall.from_args(values)
            elif name in ("var", "expr"):
                self.exprs = True
        if not self.regex:
            self.regex = [re.compile(".*")]

    def describe(self):
        return f"template {self.qclass} {self.qtype} (line {self.line})"


class TemplatePlugin(Behaviour):
    NAME = "template"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.templates = [Template(d, setup) for d in directives]
        self.zones = ZoneSet(z for t in self.templates for z in t.zones.zones)

    def serve(self, q, nxt):
        if not self.zones.match(q.name):
            return self.passes(q, nxt, f"{q.name} is outside every template's zones")
        skipped = []
        for t in self.templates:
            zone = t.zones.match(q.name)
            if not zone:
                skipped.append(f"{t.describe()}: other zones")
                continue
            if t.qclass != "ANY" and q.cls != "ANY" and q.cls != t.qclass:
                skipped.append(f"{t.describe()}: class {q.cls}")
                continue
            if t.qtype != "ANY" and q.type != "ANY" and q.type != t.qtype:
                skipped.append(f"{t.describe()}: type {q.type}")
                continue
            if t.error:
                return self.unknown(q, f"unknown: {t.describe()} is invalid ({t.error}); CoreDNS would not start",
                                    t.line)
            m = next((m for m in (r.search(q.name) for r in t.regex) if m), None)
            if m is None:
                if t.fall.through(q.name):
                    skipped.append(f"{t.describe()}: no regex matches, its fallthrough covers the name")
                    continue
                return self.answer(q, "; ".join(skipped + [f"{t.describe()}: class and type match but no regex "
                                                           f"matches {q.name} and no fallthrough: SERVFAIL"]),
                                   "SERVFAIL", line=t.line, written=False)
            if t.exprs:
                return self.unknown(q, f"unknown: {t.describe()} uses var/expr, which the simulator does not "
                                       f"evaluate", t.line)
            return self._render(q, t, zone, m, skipped)
        return self.passes(q, nxt, "; ".join(skipped) + "; every template was skipped")

    def _render(self, q, t, zone, m, skipped):
        why = "; ".join(skipped + [f"{t.describe()} matches {q.name} with /{m.re.pattern}/"])
        if t.rcode == "SERVFAIL":
            return self.answer(q, why + ": rcode SERVFAIL", "SERVFAIL", line=t.line, written=False)
        groups = {str(i): (g or "") for i, g in enumerate([m.group(0)] + list(m.groups()))}
        groups.update({k: (v or "") for k, v in m.groupdict().items()})
        data = {
            "Zone": zone, "Name": q.name, "Regex": m.re.pattern,
            "Match": [m.group(0)] + [g or "" for g in m.groups()], "Group": groups,
            "Class": q.cls if q.cls != "ANY" else t.qclass, "Type": q.type if q.type != "ANY" else t.qtype,
            "Remote": q.client_ip, "Var": {}, "Message": None, "Question": None,
            "Meta": lambda label: str(q.metadata.get(label, "")),
        }
        sections = {}
        for section in ("answer", "additional", "authority"):
            out = []
            for text in getattr(t, section):
                try:
                    out.append(parse_rr(render(text, data)))
                except Unsupported as e:
                    return self.unknown(q, f"unknown: the {section} template uses {e}, which the simulator does "
                                           f"not render", t.line)
                except (TemplateError, RecordError) as e:
                    return self.answer(q, why + f": rendering the {section} fails ({e}): SERVFAIL", "SERVFAIL",
                                       line=t.line, written=False)
            sections[section] = out
        answers = []
        lookups = []
        incomplete = []
        for rr in sections["answer"]:
            answers.append(rr)
            if q.type in ("A", "AAAA") and rr.type == "CNAME" and self.setup.lookup:
                target = rr.data
                sub = self.setup.lookup(q, target, q.type)
                if sub is not None and sub.rcode is not None:
                    answers.extend(sub.answers)
                    lookups.append(f"the CNAME target {target} looked up through the server: {sub.rcode}, "
                                   f"{len(sub.answers)} record(s)")
                else:
                    incomplete.append(target)
                    lookups.append(f"the CNAME target {target} is looked up through the server: "
                                   f"{sub.unknown if sub else 'unknown'}")
        reason = why + f": answers rcode {t.rcode}" + ("; " + "; ".join(lookups) if lookups else "")
        reply = self.answer(q, reason, t.rcode, answers, sections["authority"], sections["additional"], line=t.line)
        if incomplete:
            reply.notes.append("the answer also holds what the server answers for " + ", ".join(incomplete)
                               + ", which cannot be known offline")
        return reply


TemplatePlugin.NAME = "template"
BEHAVIOURS = [TemplatePlugin]
