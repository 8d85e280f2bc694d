"""template (coredns plugin/template): answers from Go text/templates when a query matches.

Each `template CLASS TYPE [ZONES...]` is one template, tried in Corefile order (template.go ServeDNS). A name
outside every template's zones goes to the next plugin. For each template: another zone, class or type skips
to the next template; the first `match` regex (default `.*`) that matches the name is used: its `var` lines are
evaluated in order and then its `expr` lines (expr-lang, corefile_tool/expr.py); an error in either gives
SERVFAIL; an `expr` that is not true means no match. A template that does not match goes on to the next
template only when its `fallthrough` covers the name, otherwise the answer is SERVFAIL. A matching template
answers with its rendered records and rcode (an rcode of SERVFAIL is returned without a reply, so the server
writes SERVFAIL; a record that does not render or parse gives SERVFAIL). When every template was skipped the
query goes to the next plugin. A CNAME answer to an A or AAAA query has its target looked up through the server
and the lookup's answer appended (the `upstream` option is accepted and ignored; the lookup always happens).
"""
from __future__ import annotations

import re

from ... import expr as exprlang
from ...addresses import zones_from_args
from ...knowledge import values
from ..behaviour import Behaviour, ConfigError, all_args, properties
from ..gotemplate import TemplateError, Unsupported, render
from ..labels import Labels, UnknownLabel
from ..model import lookup_cause
from ..names import Fall, ZoneSet
from ..records import RecordError, parse_rr

MAX_REGEXP_LEN = 10000          # setup.go maxRegexpLen
CLASS_NUMBERS = {"IN": 1, "CS": 2, "CH": 3, "HS": 4, "NONE": 254, "ANY": 255}


class _RegexUnsupported(Exception):
    pass


def go_regex(pattern: str):
    """A Go RE2 pattern for Python's re (the syntax both share; \\z is Python's \\Z)."""
    return re.compile(pattern.replace(r"\z", r"\Z"))


def _type_number(name: str) -> int:
    import dns.rdatatype

    try:
        return int(dns.rdatatype.from_text(name))
    except Exception:       # a type dnspython does not know: Go would still print its number
        return 0


class Template:
    def __init__(self, d, setup):
        args = all_args(d)
        self.line = d.line
        if len(args) < 2:
            raise ConfigError("Wrong argument count or unexpected line ending", d.line)
        # setup.go: dns.StringToClass / dns.StringToType, looked up as written (case-sensitive).
        if args[0] not in values.RR_CLASSES:
            raise ConfigError(f"invalid query class {args[0]}", d.line)
        if args[1] not in values.RR_TYPES:
            raise ConfigError(f"invalid RR class {args[1]}", d.line)
        self.qclass, self.qtype = args[0], args[1]
        self.zones = ZoneSet(zones_from_args(args[2:], setup.zones))
        self.regex = []
        self.answer, self.additional, self.authority = [], [], []
        self.rcode = "NOERROR"
        self.fall = Fall()
        self.vars = []          # (name, compiled program, line)
        self.exprs = []         # (compiled program, line)
        self.unsupported = ""
        env = exprlang.template_env()
        for name, words, line in properties(d):
            if name == "match":
                for v in words:
                    if len(v) > MAX_REGEXP_LEN:
                        raise ConfigError(f"regex pattern too long: {len(v)} > {MAX_REGEXP_LEN}", line)
                    error, _ = values.go_regexp(v)
                    if error:
                        raise ConfigError(f"could not parse regex: {v}, {error}", line)
                    try:
                        self.regex.append(go_regex(v))
                    except re.error as e:
                        self.unsupported = self.unsupported or f"the regular expression {v!r} ({e})"
            elif name in ("answer", "additional", "authority"):
                getattr(self, name).extend(words)
            elif name == "rcode" and words:
                if words[0] not in values.RCODES:
                    raise ConfigError(f"unknown rcode {words[0]}", line)
                self.rcode = "NOTIMP" if words[0] == "NOTIMPL" else words[0]
            elif name == "fallthrough":
                self.fall = Fall.from_args(words)
            elif name == "var" and len(words) >= 2:
                if exprlang.is_reserved(words[0], env):
                    raise ConfigError(f'variable name "{words[0]}" is reserved', line)
                try:
                    program = exprlang.compile_expression(" ".join(words[1:]), env)
                except exprlang.ExprError as e:
                    raise ConfigError(f"could not compile expression: {words[0]}, {e}", line) from None
                env[words[0]] = program.type
                self.vars.append((words[0], program, line))
            elif name == "expr" and words:
                try:
                    self.exprs.append((exprlang.compile_expression(" ".join(words), env), line))
                except exprlang.ExprError as e:
                    raise ConfigError(f"could not compile expression: {e}", line) from None
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

    @staticmethod
    def _metadata(q, label):
        """metadata.ValueFunc on the query's context: the value a provider set, "" when none did (also when no
        collector ran); UnknownLabel when a provider sets it from what cannot be known offline (labels.py)."""
        md = q.metadata
        if not isinstance(md, Labels):
            return str(md.get(label, ""))
        return md.value(label)

    @classmethod
    def _meta(cls, q, label):
        """`.Meta "label"` in an answer template: what the simulator cannot render is gotemplate's Unsupported."""
        try:
            return cls._metadata(q, label)
        except UnknownLabel as e:
            raise Unsupported(str(e)) from None

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
            if t.unsupported:
                return self.unknown(q, f"unknown: {t.describe()}: the simulator cannot evaluate {t.unsupported}",
                                    t.line)
            m = next((m for m in (r.search(q.name) for r in t.regex) if m), None)
            if m is None:
                if t.fall.through(q.name):
                    skipped.append(f"{t.describe()}: no regex matches, its fallthrough covers the name")
                    continue
                return self._servfail(q, skipped, f"{t.describe()}: class and type match but no regex matches "
                                                  f"{q.name} and no fallthrough: SERVFAIL", t.line)
            groups = {str(i): (g or "") for i, g in enumerate([m.group(0)] + list(m.groups()))}
            groups.update({k: (v or "") for k, v in m.groupdict().items()})
            variables = None
            if t.vars or t.exprs:
                try:
                    outcome = self._evaluate(q, t, groups)
                except UnknownLabel as e:
                    return self.unknown(q, f"unknown: {t.describe()}: its var/expr lines read {e}", t.line)
                except (Unsupported, exprlang.Unsupported) as e:
                    return self.unknown(q, f"unknown: {t.describe()}: its var/expr lines use {e}, which the "
                                           f"simulator does not evaluate", t.line)
                kind, detail = outcome
                if kind == "error":
                    return self._servfail(q, skipped, f"{t.describe()}: {detail} fails at run time: SERVFAIL",
                                          t.line)
                if kind == "false":
                    if t.fall.through(q.name):
                        skipped.append(f"{t.describe()}: {detail}, its fallthrough covers the name")
                        continue
                    return self._servfail(q, skipped, f"{t.describe()}: {detail} and no fallthrough: SERVFAIL",
                                          t.line)
                variables = detail
            return self._render(q, t, zone, m, groups, variables, skipped)
        return self.passes(q, nxt, "; ".join(skipped) + "; every template was skipped")

    def _servfail(self, q, skipped, why, line):
        return self.answer(q, "; ".join(skipped + [why]), "SERVFAIL", line=line, written=False)

    def _evaluate(self, q, t, groups):
        """template.go match: the vars in order, then the exprs. ("error", what) | ("false", what) |
        ("ok", the variables)."""
        env = exprlang.query_env(q, q.metadata)
        env["metadata"] = lambda label: self._metadata(q, label)

        def group(name):
            if isinstance(name, bool) or not isinstance(name, (int, str)):
                return ""
            return groups.get(str(name), "")

        env["group"] = group
        variables = {}
        for name, program, line in t.vars:
            try:
                value = program.evaluate(env)
            except exprlang.ExprError as e:
                return "error", f"`var {name} {program.source}` (line {line}): {e}"
            env[name] = value
            variables[name] = value
        for program, line in t.exprs:
            try:
                value = program.evaluate(env)
            except exprlang.ExprError as e:
                return "error", f"`expr {program.source}` (line {line}): {e}"
            if value is not True:
                return "false", f"`expr {program.source}` (line {line}) is not true"
        return "ok", variables

    def _render(self, q, t, zone, m, groups, variables, skipped):
        why = "; ".join(skipped + [f"{t.describe()} matches {q.name} with /{m.re.pattern}/"])
        if t.rcode == "SERVFAIL":
            return self.answer(q, why + ": rcode SERVFAIL", "SERVFAIL", line=t.line, written=False)
        data = {
            "Zone": zone, "Name": q.name, "Regex": m.re.pattern,
            "Match": [m.group(0)] + [g or "" for g in m.groups()], "Group": groups,
            "Class": q.cls if q.cls != "ANY" else t.qclass, "Type": q.type if q.type != "ANY" else t.qtype,
            "Remote": q.client_ip, "Var": variables if variables is not None else {}, "Message": None,
            "Question": {"Name": q.qname_written or q.name, "Qtype": _type_number(q.type),
                         "Qclass": CLASS_NUMBERS.get(q.cls, 0)},
            "Meta": lambda label: self._meta(q, label),
        }
        sections = {}
        for section in ("answer", "additional", "authority"):
            out = []
            for text in getattr(t, section):
                try:
                    out.append(parse_rr(render(text, data)))
                except Unsupported as e:
                    if str(e).startswith("the metadata label "):
                        return self.unknown(q, f"unknown: the {section} template reads {e}", t.line)
                    return self.unknown(q, f"unknown: the {section} template uses {e}, which the simulator does "
                                           f"not render", t.line)
                except (TemplateError, RecordError) as e:
                    return self.answer(q, why + f": rendering the {section} fails ({e}): SERVFAIL", "SERVFAIL",
                                       line=t.line, written=False)
            sections[section] = out
        answers = []
        lookups = []
        incomplete = []
        cause = ""
        for rr in sections["answer"]:
            answers.append(rr)
            if q.type in ("A", "AAAA") and rr.type == "CNAME" and self.setup.lookup:
                # template.go: upstream.Lookup(ctx, state, target, state.QType()), asked in class IN
                # (request.NewWithQuestion) whatever the query's class.
                target = rr.data
                sub = self.setup.lookup(q, target, q.type)
                if sub is None or sub.dropped:
                    # upstream.Lookup returns no message: nothing is added (template.go).
                    lookups.append(f"the CNAME target {target} looked up through the server: no reply")
                elif sub.rcode is not None and not sub.cause:
                    answers.extend(sub.answers)
                    lookups.append(f"the CNAME target {target} looked up through the server: {sub.rcode}, "
                                   f"{len(sub.answers)} record(s)")
                else:
                    answers.extend(sub.answers)
                    incomplete.append(target)
                    cause = cause or lookup_cause(sub)
                    lookups.append(f"the CNAME target {target} is looked up through the server: {lookup_cause(sub)}")
        reason = why + f": answers rcode {t.rcode}" + ("; " + "; ".join(lookups) if lookups else "")
        reply = self.answer(q, reason, t.rcode, answers, sections["authority"], sections["additional"], line=t.line)
        if incomplete:
            reply.cause = cause
            reply.notes.append("the answer also holds what the server answers for " + ", ".join(incomplete)
                               + f", which cannot be known offline ({cause})")
        return reply


TemplatePlugin.NAME = "template"
BEHAVIOURS = [TemplatePlugin]
