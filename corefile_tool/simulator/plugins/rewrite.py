"""rewrite (coredns plugin/rewrite): changes the question before the plugins after it, and the reply after.

All `rewrite` directives of a block form one rule list, applied in Corefile order. A rule that applies
(RewriteDone) in `stop` mode (the default) ends the list; `continue` goes on. The rewritten name and type flow
to every later plugin (which match their zones against the new name), never to the block choice. On the way
back the question is restored and the response rules of the applied name rules rewrite answer names and values
(exact rules always map the new name back to the original; other match types only with `answer auto` or
explicit `answer name|value` rules). A rewritten name that is not a valid domain name gives SERVFAIL.

Modelled rule types: name (exact, prefix, suffix, substring, regex), type, class, ttl, rcode; edns0 rules
(set/append/unset apply, replace does not for a query without the option) change only EDNS0 options; cname
rules rewrite CNAME targets in the reply (their effect is reported, not computed).
"""
from __future__ import annotations

import re

from ...addresses import is_domain_name
from ..behaviour import Behaviour, all_args
from ..model import Record
from ..names import canonical

CONTINUE, STOP = "continue", "stop"
MATCH_TYPES = ("exact", "prefix", "suffix", "substring", "regex")


def _normalize(name: str) -> str:
    """plugin.Name(n).Normalize(): lower-cased FQDN."""
    return canonical(name)


def _go_regex(pattern: str):
    return re.compile(pattern.replace(r"\z", r"\Z"))


def _fill_groups(template: str, groups) -> str:
    for i, value in enumerate(groups):
        template = template.replace("{" + str(i) + "}", value or "")
    return template


class RegexRewriter:
    def __init__(self, pattern, replacement):
        self.pattern, self.replacement = pattern, replacement

    def __call__(self, s: str) -> str:
        m = self.pattern.search(s)
        if not m:
            return s
        return _fill_groups(self.replacement, [m.group(0)] + list(m.groups()))


class RemapRewriter:
    def __init__(self, orig, replacement):
        self.orig, self.replacement = orig, replacement

    def __call__(self, s: str) -> str:
        if s == self.orig:
            return self.replacement
        i = len(s) - len(self.orig)
        if i > 0 and s[i - 1] == "." and s[i:] == self.orig:
            return s[:i] + self.replacement
        return s


class SuffixRewriter:
    def __init__(self, suffix, replacement):
        self.suffix, self.replacement = suffix, replacement

    def __call__(self, s: str) -> str:
        return s[: len(s) - len(self.suffix)] + self.replacement if s.endswith(self.suffix) else s


VALUE_TYPES = {"SRV": -1, "MX": -1, "CNAME": 0, "NS": 0, "DNAME": 0, "NAPTR": -1, "SOA": 0, "PTR": 0}


def _rewrite_value(r: Record, fn) -> Record:
    pos = VALUE_TYPES.get(r.type)
    if pos is None:
        return r
    fields = r.data.split(" ")
    new = fn(fields[pos])
    if new == fields[pos]:
        return r
    fields[pos] = new
    return Record(r.name, r.type, r.ttl, " ".join(fields), r.cls)


class ResponseRule:
    def __init__(self, kind, fn=None, describe=""):
        self.kind, self.fn, self.describe = kind, fn, describe

    def apply(self, r: Record) -> Record:
        if self.kind == "name":
            new = self.fn(r.name)
            return r if new == r.name else Record(new, r.type, r.ttl, r.data, r.cls)
        if self.kind == "value":
            return _rewrite_value(r, self.fn)
        if self.kind == "ttl":
            lo, hi = self.fn
            ttl = min(max(r.ttl, lo), hi)
            return r if ttl == r.ttl else Record(r.name, r.type, ttl, r.data, r.cls)
        return r


class Rule:
    """One rule: `apply(query)` changes the query and returns (response rules, description) or None."""

    def __init__(self, mode, line, text):
        self.mode, self.line, self.text = mode, line, text

    def apply(self, q):
        return None


class NameRule(Rule):
    def __init__(self, mode, line, text, args):
        super().__init__(mode, line, text)
        if len(args) < 2:
            raise ValueError("too few arguments for a name rule")
        if len(args) == 2:
            self.match = "exact"
            self.src, self.dst = _normalize(args[0]), _normalize(args[1])
        else:
            self.match = args[0].lower()
            if self.match not in MATCH_TYPES:
                raise ValueError(f"name rule supports only exact, prefix, suffix, substring, and regex name "
                                 f"matching, received: {args[0]}")
            if self.match == "regex":
                self.src, self.dst = args[1], _normalize(args[2])
                self.pattern = _go_regex(args[1])
            else:
                self.src, self.dst = _normalize(args[1]), _normalize(args[2])
        self.auto = self.match == "exact"
        self.static: list[ResponseRule] = []
        rest = args[3:]
        i = 0
        while i < len(rest):
            if rest[i] == "answer":
                i += 1
            if i >= len(rest):
                break
            kind = rest[i]
            i += 1
            if kind == "auto":
                self.auto = True
            elif kind in ("name", "value") and i + 1 < len(rest):
                fn = RegexRewriter(_go_regex(rest[i]), _normalize(rest[i + 1]))
                self.static.append(ResponseRule(kind, fn, f"answer {kind} {rest[i]} {rest[i + 1]}"))
                i += 2
            else:
                raise ValueError(f"invalid type {kind!r} for answer rule")
        if self.match == "suffix" and self.auto:
            back = SuffixRewriter(self.dst, self.src)
            self.static = [ResponseRule("name", back), ResponseRule("value", back)] + self.static
            self.auto = False

    def apply(self, q):
        name = q.name
        if self.match == "exact":
            new = self.dst if name == self.src else None
        elif self.match == "prefix":
            new = self.dst + name[len(self.src):] if name.startswith(self.src) else None
        elif self.match == "suffix":
            new = name[: len(name) - len(self.src)] + self.dst if name.endswith(self.src) else None
        elif self.match == "substring":
            new = name.replace(self.src, self.dst) if self.src in name else None
        else:
            m = self.pattern.search(name)
            new = _fill_groups(self.dst, [m.group(0)] + list(m.groups())) if m else None
        if new is None:
            return None
        rules = list(self.static)
        if self.auto:
            back = RemapRewriter(new, name)
            rules = [ResponseRule("name", back), ResponseRule("value", back)] + rules
        q.name = new
        return rules, f"name {name} → {new}"


class TypeRule(Rule):
    def __init__(self, mode, line, text, args, field):
        super().__init__(mode, line, text)
        if len(args) != 2:
            raise ValueError(f"{field} rules must have exactly two arguments")
        self.field = field
        self.src, self.dst = args[0].upper(), args[1].upper()

    def apply(self, q):
        attr = "type" if self.field == "type" else "cls"
        if getattr(q, attr) != self.src:
            return None
        setattr(q, attr, self.dst)
        return [], f"{self.field} {self.src} → {self.dst}"


class NameMatchRule(Rule):
    """ttl and rcode rules: match the name (exact by default) and change the reply."""

    def __init__(self, mode, line, text, args, field):
        super().__init__(mode, line, text)
        self.field = field
        if field == "ttl":
            if len(args) not in (2, 3):
                raise ValueError("ttl rules take a name (and a match type) and a TTL")
            match, pattern, value = (("exact", args[0], args[1]) if len(args) == 2 else args)
            lo, _, hi = value.partition("-")
            self.value = (int(lo or 0), int(hi) if hi else (int(lo) if lo else 2 ** 32 - 1))
        else:
            if len(args) not in (3, 4):
                raise ValueError("rcode rules take a name (and a match type), the rcode and its replacement")
            match, pattern, old, new = (("exact", *args) if len(args) == 3 else args)
            self.value = (old.upper(), new.upper())
        self.match = match.lower()
        self.pattern = _go_regex(pattern) if self.match == "regex" else _normalize(pattern)

    def matches(self, name):
        p = self.pattern
        return {"exact": lambda: name == p, "prefix": lambda: name.startswith(p),
                "suffix": lambda: name.endswith(p), "substring": lambda: p in name,
                "regex": lambda: bool(p.search(name))}.get(self.match, lambda: False)()

    def apply(self, q):
        if not self.matches(q.name):
            return None
        if self.field == "ttl":
            return [ResponseRule("ttl", self.value)], f"reply TTLs clamped to {self.value[0]}..{self.value[1]}"
        return [ResponseRule("rcode", self.value)], f"reply rcode {self.value[0]} becomes {self.value[1]}"


class Edns0Rule(Rule):
    def __init__(self, mode, line, text, args):
        super().__init__(mode, line, text)
        self.action = args[1].lower() if len(args) > 1 else ""
        self.kind = args[0].lower() if args else ""

    def apply(self, q):
        if self.action == "replace":
            return None
        return [], f"EDNS0 {self.kind} option {self.action} (the name and type are unchanged)"


class CnameRule(Rule):
    def apply(self, q):
        return [], "CNAME targets in the reply are rewritten (not computed here)"


def make_rule(words, line):
    if not words:
        raise ValueError("no rule type specified for rewrite")
    mode = STOP
    first = words[0].lower()
    if first in (CONTINUE, STOP):
        mode = first
        words = words[1:]
        if not words:
            raise ValueError(f"{first} rule must begin with a rule type")
    kind = words[0].lower()
    text = " ".join(words)
    args = words[1:]
    if kind == "name":
        return NameRule(mode, line, text, args)
    if kind in ("type", "class"):
        return TypeRule(mode, line, text, args, kind)
    if kind in ("ttl", "rcode"):
        return NameMatchRule(mode, line, text, args, kind)
    if kind == "edns0":
        return Edns0Rule(mode, line, text, args)
    if kind == "cname":
        return CnameRule(mode, line, text)
    if kind == "answer":
        raise ValueError("response rewrites must begin with a name rule")
    raise ValueError(f"invalid rule type {words[0]!r}")


class Rewrite(Behaviour):
    NAME = "rewrite"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.rules = []
        self.errors = []
        for d in directives:
            words = all_args(d)
            if len(words) < 2:
                for child in d.children:
                    words += [child.name] + [t.text for t in child.args + child.tail]
            try:
                self.rules.append(make_rule(words, d.line))
            except (ValueError, re.error) as e:
                self.errors.append((d.line, str(e)))

    def serve(self, q, nxt):
        if self.errors:
            line, error = self.errors[0]
            return self.unknown(q, f"unknown: a rewrite rule is invalid ({error}); CoreDNS would not start", line)
        original = (q.name, q.type, q.cls)
        written = q.qname_written
        response_rules = []
        done = []
        line = self.line
        for rule in self.rules:
            applied = rule.apply(q)
            if applied is None:
                continue
            rules, what = applied
            line = rule.line
            if not is_domain_name(q.name):
                bad = q.name
                q.name, q.type, q.cls = original
                return self.answer(q, f"`{rule.text}`: {what}; invalid name after rewrite: {bad}: SERVFAIL",
                                   "SERVFAIL", line=rule.line, written=False)
            response_rules += rules
            done.append(f"`{rule.text}` (line {rule.line}): {what}")
            if rule.mode == STOP:
                break
        if not done:
            return self.passes(q, nxt, "no rule applies to " + f"{q.name} {q.type}")
        if q.name != original[0]:
            q.qname_written = q.name
        tail = "; the plugins after it see the new question (the server block stays the one already chosen)"
        q.step(self.NAME, line, "change", "; ".join(done) + tail)
        reply = nxt(q)
        q.name, q.type, q.cls = original
        q.qname_written = written
        return self._revert(reply, response_rules)

    def _revert(self, reply, rules):
        if not rules:
            return reply
        before = [r.text() for r in reply.answers]
        for section in ("answers", "authority", "additional"):
            records = getattr(reply, section)
            for rule in rules:
                if rule.kind in ("name", "value", "ttl"):
                    records = [rule.apply(r) for r in records]
            setattr(reply, section, records)
        for rule in rules:
            if rule.kind == "rcode" and reply.rcode == rule.fn[0]:
                reply.notes.append(f"rewrite changed rcode {reply.rcode} to {rule.fn[1]}")
                reply.rcode = rule.fn[1]
                reply.written = True
        if [r.text() for r in reply.answers] != before:
            reply.notes.append("rewrite mapped the answer back to the name that was asked")
        return reply


BEHAVIOURS = [Rewrite]
