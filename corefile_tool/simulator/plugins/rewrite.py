"""rewrite (coredns plugin/rewrite): changes the question before the plugins after it, and the reply after.

All `rewrite` directives of a block form one rule list, applied in Corefile order (rewrite.go ServeDNS). A rule
that applies (RewriteDone) in `stop` mode (the default) ends the list; `continue` goes on. The rewritten name,
type and class flow to every later plugin (which match their zones against the new name), never to the block
choice. A rewritten name that is not a valid domain name gives SERVFAIL.

On the way back (reverter.go ResponseReverter.WriteMsg) the reply is copied, its question restored, and the
response rules of every applied rule run on each record of the authority, answer and additional sections, the
rules in reverse order (the last applied rule first); a reply without records gets its rcode rules once. Exact
name rules always map the new name back to the one asked; other match types only with `answer auto` (a suffix
rule maps the suffix back) or `answer name|value REGEX TO`. When no `stop` rule applied and no applied rule has
a response rule, the reply goes out untouched, its question still the rewritten one. A plugin after rewrite
that returns SERVFAIL/REFUSED/FORMERR/NOTIMP without writing gets that reply written by rewrite itself, so
`rcode` rules apply to it.

Rule types: name (exact, prefix, suffix, substring, regex), type, class, ttl, rcode, edns0 (local, nsid,
subnet: the options a rule adds, sets or removes are described, not returned), cname (a CNAME whose target
matches is pointed at the new target, and the new target is looked up through the server).
"""
from __future__ import annotations

import ipaddress
import re

from ...addresses import is_domain_name
from ...knowledge import values
from ..behaviour import Behaviour, all_args
from ..model import CHANGE, SERVER_WRITTEN_RCODES, Record, lookup_cause
from ..names import canonical

CONTINUE, STOP = "continue", "stop"
MATCH_TYPES = ("exact", "prefix", "suffix", "substring", "regex")
MAX_REGEXP_LEN = 10000          # name.go maxRegexpLen

# miekg/dns RcodeToString, by number (rcode.go isValidRCode takes a name or a number up to 23).
RCODE_NAMES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 6: "YXDOMAIN",
               7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 11: "DSOTYPENI", 16: "BADSIG", 17: "BADKEY",
               18: "BADTIME", 19: "BADMODE", 20: "BADNAME", 21: "BADALG", 22: "BADTRUNC", 23: "BADCOOKIE"}
RCODE_ALIASES = {"NOTIMPL": "NOTIMP"}


class RuleError(ValueError):
    """The rule is refused by CoreDNS's setup: it would not start."""


class RegexUnsupported(Exception):
    """A Go regular expression that Python's re cannot compile: the simulator cannot evaluate the rule."""


def _normalize(name: str) -> str:
    """plugin.Name(n).Normalize(): lower-cased FQDN."""
    return canonical(name)


def _go_regex(pattern: str):
    """regexp.Compile, checked as Go does (RuleError) and then compiled for Python (RegexUnsupported)."""
    error, _ = values.go_regexp(pattern)
    if error:
        raise RuleError(f"invalid regex pattern: {pattern}")
    try:
        return re.compile(pattern.replace(r"\z", r"\Z"))
    except re.error as e:
        raise RegexUnsupported(f"the regular expression {pattern!r} ({e})") from None


def _subexp_usage(s: str) -> int:
    """name.go getSubExprUsage: how many of {0}..{100} the replacement uses."""
    return sum(1 for i in range(101) if "{" + str(i) + "}" in s)


def _valid_regex(pattern: str, replacement: str):
    """name.go isValidRegexPattern: the pattern compiles and has the groups the replacement uses."""
    if len(pattern) > MAX_REGEXP_LEN:
        raise RuleError(f"regex pattern too long: {len(pattern)} > {MAX_REGEXP_LEN}")
    error, groups = values.go_regexp(pattern)
    if error:
        raise RuleError(f"invalid regex matching pattern: {pattern}")
    if _subexp_usage(replacement) > groups:
        raise RuleError(f"the rewrite regex pattern ({replacement}) uses more subexpressions than its "
                        f"corresponding matching regex pattern ({pattern})")
    return pattern


def _fill_groups(template: str, groups) -> str:
    for i, value in enumerate(groups):
        template = template.replace("{" + str(i) + "}", value or "")
    return template


def _go_uint(text: str, bits: int) -> int:
    """strconv.ParseUint(text, 0, bits): 0x/0o/0b prefixes, a leading 0 for octal, `_` between digits."""
    error = RuleError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    s = text
    base = 10
    if len(s) > 1 and s[0] == "0":
        if s[1] in "xXoObB":
            base, s = {"x": 16, "o": 8, "b": 2}[s[1].lower()], s[2:]
            if s.startswith("_"):           # a prefix counts as a digit before an underscore
                s = s[1:]
        else:
            base, s = 8, s[1:]
    if s.startswith("_") or s.endswith("_") or "__" in s:
        raise error
    s = s.replace("_", "")
    digits = "0123456789abcdef"[:base]
    if not s or any(c not in digits for c in s.lower()):
        raise error
    value = int(s, base)
    if value >= 1 << bits:
        raise RuleError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return value


def _rcode(text: str):
    """rcode.go isValidRCode: a number up to 23 or a miekg/dns rcode name (any case)."""
    if text.isdigit() and int(text) <= 23:
        return RCODE_NAMES.get(int(text), f"RCODE{int(text)}")
    name = text.upper()
    if name in values.RCODES:
        return RCODE_ALIASES.get(name, name)
    return None


# ---------------------------------------------------------------------------------------------- string rewriters

class RegexRewriter:
    """name.go regexStringRewriter: the first match's groups fill the replacement; no match: unchanged."""

    def __init__(self, pattern, replacement):
        self.pattern, self.replacement = pattern, replacement

    def __call__(self, s: str) -> str:
        m = self.pattern.search(s)
        if not m:
            return s
        return _fill_groups(self.replacement, [m.group(0)] + list(m.groups()))


class RemapRewriter:
    """name.go remapStringRewriter: the name itself or a name below it, at a label boundary."""

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


# reverter.go getRecordValueForRewrite: the name field a `value` rule rewrites (its position in the rdata).
VALUE_FIELDS = {"SRV": 3, "MX": 1, "CNAME": 0, "NS": 0, "DNAME": 0, "NAPTR": -1, "SOA": 0, "PTR": 0}


# ---------------------------------------------------------------------------------------------- response rules
# Each works on a mutable copy of the reply (_Msg) and one of its records, as ResponseRule.RewriteResponse does.

class _Msg:
    __slots__ = ("rcode", "answers", "authority", "additional", "notes", "incomplete", "cause")

    def __init__(self, reply):
        self.rcode = reply.rcode
        self.answers = [r.copy() for r in reply.answers]
        self.authority = [r.copy() for r in reply.authority]
        self.additional = [r.copy() for r in reply.additional]
        self.notes = []
        self.incomplete = []
        self.cause = reply.cause


class NameResponse:
    def __init__(self, fn):
        self.fn = fn

    def apply(self, msg, r):
        r.name = self.fn(r.name)


class ValueResponse:
    def __init__(self, fn):
        self.fn = fn

    def apply(self, msg, r):
        pos = VALUE_FIELDS.get(r.type)
        if pos is None:
            return
        fields = r.data.split(" ")
        if len(fields) <= max(pos, -pos - 1):
            return
        new = self.fn(fields[pos])
        if new != fields[pos]:
            fields[pos] = new
            r.data = " ".join(fields)


class TtlResponse:
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def apply(self, msg, r):
        # ttl.go: below the minimum -> minimum, else above the maximum -> maximum.
        if r.ttl < self.lo:
            r.ttl = self.lo
        elif r.ttl > self.hi:
            r.ttl = self.hi


class RcodeResponse:
    MSG_LEVEL = True        # rcode.go rewriteMsg: also applied once to a reply without records

    def __init__(self, old, new):
        self.old, self.new = old, new

    def apply(self, msg, r):
        if msg.rcode == self.old:
            msg.rcode = self.new


class CnameResponse:
    """cname_target.go cnameTargetRuleWithReqState: a CNAME whose target matches points at the new target; the
    answer becomes the CNAMEs up to it followed by what the server answers for the new target (same qtype)."""

    def __init__(self, rule, q, lookup):
        self.rule, self.q, self.lookup = rule, q, lookup

    def apply(self, msg, r):
        if r.type != "CNAME":
            return
        target = r.data
        old, new = self.rule.targets(target)
        if target != old:
            return
        qtype = self.q.type          # the request's type when the reply is written (cname_target.go)
        # upstream.Lookup asks in class IN (request.NewWithQuestion), whatever the request's class.
        sub = self.lookup(self.q, new, qtype) if self.lookup else None
        if sub is None or sub.dropped:
            msg.notes.append(f"rewrite looked up the new CNAME target {new} {qtype} and got no reply: the answer "
                             f"is left as it was")
            return
        answers = []
        for rr in msg.answers:
            if rr.type == "CNAME":
                answers.append(rr)
                if rr.data == old:
                    rr.data = new
                    break
        if sub.rcode is None or sub.cause:
            answers.extend(rr.copy() for rr in sub.answers)
            msg.incomplete.append(new)
            msg.cause = msg.cause or lookup_cause(sub)
            msg.notes.append(f"rewrite pointed the CNAME at {new}; the answer also holds what the server answers "
                             f"for {new} {qtype}, which cannot be known offline ({lookup_cause(sub)})")
            # The lookup happens on the way back: its outcome gets a step of its own after the lookup's steps.
            self.q.step("rewrite", self.rule.line, CHANGE, f"`{self.rule.text}` (line {self.rule.line}) on the "
                                                           f"reply: the CNAME to {old} now points at {new}, looked up "
                                                           f"through the server: {lookup_cause(sub)}")
        else:
            answers.extend(rr.copy() for rr in sub.answers)
            msg.notes.append(f"rewrite pointed the CNAME at {new} and looked it up through the server: {sub.rcode}, "
                             f"{len(sub.answers)} record(s)")
        msg.answers = answers


# ---------------------------------------------------------------------------------------------- rules

class Rule:
    """One rule: `apply(q, ctx)` changes the query and returns (response rules, description), or None when the
    rule does not apply (RewriteIgnored)."""
    changes_question = False

    def __init__(self, mode, line, text):
        self.mode, self.line, self.text = mode, line, text

    def apply(self, q, ctx):
        return None


def _parse_answer_rules(match, args):
    """name.go parseAnswerRules: `answer auto`, `answer name FROM TO`, `answer value FROM TO`."""
    auto = False
    rules = []
    name_rules = 0
    last = ""
    if len(args) < 2:
        raise RuleError(f"invalid arguments for {match} rule")
    i = 0
    while i < len(args):
        if last == "" and args[i] != "answer":
            raise RuleError(f"exceeded the number of arguments for a non-answer rule argument for {match} rule")
        if args[i] == "answer":
            i += 1
        if i >= len(args):
            raise RuleError(f"type missing for answer rule for {match} rule")
        last = args[i]
        i += 1
        if last == "auto":
            auto = True
            continue
        if last in ("name", "value"):
            if len(args) - i < 2:
                raise RuleError(f"{last} answer rule for {match} rule: 2 arguments required")
            pattern = _go_regex(_valid_regex(args[i], args[i + 1]))
            fn = RegexRewriter(pattern, _normalize(args[i + 1]))
            rules.append(NameResponse(fn) if last == "name" else ValueResponse(fn))
            name_rules += last == "name"
            i += 2
            continue
        raise RuleError(f"invalid type {last!r} for answer rule for {match} rule")
    if auto and name_rules:
        raise RuleError("auto name answer rule cannot be combined with explicit name anwer rules")
    return auto, rules


class NameRule(Rule):
    changes_question = True

    def __init__(self, mode, line, text, args):
        super().__init__(mode, line, text)
        if len(args) < 2:
            raise RuleError("too few arguments for a name rule")
        if len(args) == 2:
            self.match = "exact"
            self.src, self.dst = _normalize(args[0]), _normalize(args[1])
        else:
            self.match = args[0].lower()
            if self.match == "regex":
                self.src, self.dst = args[1], args[2]
            else:
                self.src, self.dst = _normalize(args[1]), _normalize(args[2])
        auto, static = False, []
        if len(args) > 3:
            auto, static = _parse_answer_rules(self.match, args[3:])
        if self.match not in MATCH_TYPES:
            raise RuleError(f"name rule supports only exact, prefix, suffix, substring, and regex name matching, "
                            f"received: {self.match}")
        if self.match == "exact":
            _valid_regex(self.dst, self.src)        # name.go checks the exact pair as a regex and its groups
            auto = True                             # newExactNameRule: always maps the name back
        elif self.match == "regex":
            self.pattern = _go_regex(_valid_regex(self.src, self.dst))
            self.dst = _normalize(args[2])
        elif self.match == "suffix" and auto:
            # newSuffixNameRule: answer auto maps the replacement suffix back to the original one.
            back = SuffixRewriter(self.dst, self.src)
            static = [NameResponse(back), ValueResponse(back)] + static
            auto = False
        self.auto, self.static = auto, static

    def apply(self, q, ctx):
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
            rules = [NameResponse(back), ValueResponse(back)] + rules
        q.name = new
        ctx.written = new
        return rules, f"name {name} → {new}"


class TypeRule(Rule):
    changes_question = True

    def __init__(self, mode, line, text, args, field):
        super().__init__(mode, line, text)
        known = values.RR_TYPES if field == "type" else values.RR_CLASSES
        self.field = field
        self.src, self.dst = args[0].upper(), args[1].upper()
        for v in (self.src, self.dst):
            if v not in known:
                raise RuleError(f"invalid {field} {v!r}")

    def apply(self, q, ctx):
        attr = "type" if self.field == "type" else "cls"
        if getattr(q, attr) != self.src:
            return None
        setattr(q, attr, self.dst)
        return [], f"{self.field} {self.src} → {self.dst}"


def _ttl_range(text: str):
    """ttl.go isValidTTL: N, N-M, -M (0..M) or N- (N..2147483647)."""
    parts = text.split("-")

    def uint32(s):
        if not s.isdigit() or int(s) >= 1 << 32:
            return None
        return int(s)

    if len(parts) == 1:
        v = uint32(parts[0])
        return None if v is None else (v, v)
    if len(parts) != 2:
        return None
    lo = 0 if parts[0] == "" else uint32(parts[0])
    if parts[1] == "":
        if parts[0] == "":
            return None
        hi = 2147483647
    else:
        hi = uint32(parts[1])
    if lo is None or hi is None or lo > hi:
        return None
    return lo, hi


class NameMatchRule(Rule):
    """ttl and rcode rules: match the (current) name, exact by default, and change the reply."""

    def __init__(self, mode, line, text, args, field):
        super().__init__(mode, line, text)
        self.field = field
        if field == "ttl":
            if len(args) < 2:
                raise RuleError(f"too few ({len(args)}) arguments for a ttl rule")
            if len(args) > 3:
                raise RuleError("many few arguments for a ttl rule")
            value = args[-1]
            rng = _ttl_range(value)
            if rng is None:
                raise RuleError(f"invalid TTL '{value}' for a ttl rule")
            self.value = rng
            match, pattern = ("exact", args[0]) if len(args) == 2 else (args[0], args[1])
        else:
            if len(args) < 3:
                raise RuleError(f"too few ({len(args)}) arguments for a rcode rule")
            old_text, new_text = (args[1], args[2]) if len(args) == 3 else (args[-2], args[-1])
            old, new = _rcode(old_text), _rcode(new_text)
            if old is None:
                raise RuleError(f"invalid matching RCODE '{old_text}' for a rcode rule")
            if new is None:
                raise RuleError(f"invalid replacement RCODE '{new_text}' for a rcode rule")
            if len(args) > 4:
                raise RuleError("many few arguments for a rcode rule")
            self.value = (old, new)
            match, pattern = ("exact", args[0]) if len(args) == 3 else (args[0], args[1])
        self.match = match.lower()
        if self.match not in MATCH_TYPES:
            raise RuleError(f"{field} rule supports only exact, prefix, suffix, substring, and regex name matching")
        if self.match == "regex":
            if len(pattern) > MAX_REGEXP_LEN:
                raise RuleError(f"regex pattern too long in a {field} rule: {len(pattern)} > {MAX_REGEXP_LEN}")
            self.pattern = _go_regex(pattern)
        else:
            self.pattern = _normalize(pattern)

    def matches(self, name):
        p = self.pattern
        if self.match == "exact":
            return name == p
        if self.match == "prefix":
            return name.startswith(p)
        if self.match == "suffix":
            return name.endswith(p)
        if self.match == "substring":
            return p in name
        return bool(p.search(name))

    def apply(self, q, ctx):
        if not self.matches(q.name):
            return None
        if self.field == "ttl":
            lo, hi = self.value
            return [TtlResponse(lo, hi)], f"reply TTLs clamped to {lo}..{hi}"
        return [RcodeResponse(*self.value)], f"reply rcode {self.value[0]} becomes {self.value[1]}"


EDNS0_VARIABLES = ("{qname}", "{qtype}", "{client_ip}", "{client_port}", "{protocol}", "{server_ip}",
                   "{server_port}")
NSID, SUBNET = 3, 8             # EDNS0 option codes (miekg/dns EDNS0NSID, EDNS0SUBNET)


def _is_label(label: str) -> bool:
    """metadata.IsLabel: NAMESPACE/NAME, neither empty."""
    p = label.find("/")
    return 0 < p < len(label) - 1


class _Unknowable(Exception):
    pass


class Edns0Rule(Rule):
    """edns0.go: local (code and data, or a {variable}), nsid and subnet options; set, append, replace, unset.
    The simulated query carries no EDNS0 option of its own, so `replace` only finds what an earlier rule of the
    list added."""

    def __init__(self, mode, line, text, args):
        super().__init__(mode, line, text)
        if len(args) < 2:
            raise RuleError("too few arguments for an EDNS0 rule")
        self.kind, self.action = args[0].lower(), args[1].lower()
        self.revert = False
        self.variable = None
        self.data = b""
        self.code = 0
        if self.action not in ("append", "replace", "set", "unset"):
            raise RuleError(f"invalid action: {self.action!r}")
        if self.action == "unset":
            need = {"local": 3, "nsid": 2, "subnet": 2}.get(self.kind)
            if need is None:
                raise RuleError(f"invalid rule type {self.kind!r}")
            if len(args) != need:
                raise RuleError(f"{self.kind} unset action requires exactly {need - 1} argument"
                                f"{'s' if need > 2 else ''}")
            if self.kind == "local":
                self.code = _go_uint(args[2], 16)
            return
        if args[-1] == "revert":
            self.revert = True
            args = args[:-1]
        if self.kind == "local":
            if len(args) != 4:
                raise RuleError("EDNS0 local rules require three or four args")
            self.code = _go_uint(args[2], 16)
            data = args[3]
            if data.startswith("{") and data.endswith("}"):
                if data not in EDNS0_VARIABLES and not _is_label(data[1:-1]):
                    raise RuleError(f"unsupported variable name {data!r}")
                self.variable = data
            elif data.startswith("0x"):
                try:
                    self.data = bytes.fromhex(data[2:]) if len(data) % 2 == 0 else bytes.fromhex("x")
                except ValueError:
                    raise RuleError(f"encoding/hex: invalid byte in {data!r}") from None
            else:
                self.data = data.encode()
        elif self.kind == "nsid":
            if len(args) != 2:
                raise RuleError("EDNS0 NSID rules can accept no more than one arg")
        elif self.kind == "subnet":
            if len(args) != 4:
                raise RuleError("EDNS0 subnet rules require three or four args")
            self.v4 = _go_uint(args[2], 16)
            if self.v4 > 32:
                raise RuleError(f"invalid IPv4 bit mask length {self.v4}")
            self.v6 = _go_uint(args[3], 16)
            if self.v6 > 128:
                raise RuleError(f"invalid IPv6 bit mask length {self.v6}")
        else:
            raise RuleError(f"invalid rule type {self.kind!r}")

    def _option_code(self):
        return {"local": self.code, "nsid": NSID, "subnet": SUBNET}[self.kind]

    def _variable_data(self, q, ctx):
        """edns0VariableRule.ruleData; None: no data (the rule is ignored)."""
        v = self.variable
        if v == "{qname}":
            return ctx.written.encode(), repr(ctx.written)
        if v == "{qtype}":
            from dns.rdatatype import from_text
            code = int(from_text(q.type))
            return code.to_bytes(2, "big"), f"{q.type} ({code})"
        if v in ("{client_ip}", "{server_ip}"):
            ip = q.client_ip if v == "{client_ip}" else q.server_ip
            if not ip:
                return b"?", "the server's address"
            wire = _ip_to_wire(_family(q.client_ip), ip)
            return (wire, ip) if wire else None
        if v in ("{client_port}", "{server_port}"):
            port = q.client_port if v == "{client_port}" else q.server_port
            try:
                return int(port).to_bytes(2, "big"), str(port)
            except (ValueError, OverflowError):
                return None
        if v == "{protocol}":
            return q.proto.encode(), repr(q.proto)
        label = v[1:-1]
        value = q.metadata.get(label, "")
        if value:
            return str(value).encode(), f"{label} = {value!r}"
        # labels.py: a label a provider sets from what cannot be known offline.
        why = q.metadata.why_unknown(label) if hasattr(q.metadata, "why_unknown") else ""
        if why:
            raise _Unknowable(f"the metadata label {label} cannot be known offline: {why}")
        return None

    def apply(self, q, ctx):
        code = self._option_code()
        name = {"local": "local option", "nsid": "NSID option", "subnet": "subnet option"}[self.kind]
        which = f" code 0x{code:04x}" if self.kind == "local" else ""
        if self.variable is not None:
            found = self._variable_data(q, ctx)
            if found is None:
                return None         # no data: ignored, and the request keeps no new OPT record
            data, shown = found
        ctx.add_opt(q)              # setupEdns0Opt: the request now has an OPT record (UDP size 4096)
        if self.action == "unset":
            ctx.options.pop(code, None)
            return [], f"EDNS0 {name} removed{which}"
        present = code in ctx.options
        # edns0.go: replace needs the option; set always applies; append adds another local or NSID option but
        # leaves an existing subnet or variable option alone.
        if self.action == "replace":
            applies = present
        elif self.action == "set":
            applies = True
        else:
            applies = not present or (self.kind in ("local", "nsid") and self.variable is None)
        if not applies:
            return None
        if self.variable is not None:
            value = f"{shown}" + (f" ({data.hex()})" if data != b"?" else "")
        elif self.kind == "local":
            value = self.data.hex() or "(empty)"
            if self.data and self.data.isascii() and self.data.decode().isprintable():
                value += f" ({self.data.decode()!r})"
        elif self.kind == "nsid":
            value = "(empty)"
        else:
            value = _subnet_value(q, self.v4, self.v6)
        ctx.options[code] = value
        verb = "set" if present or self.action == "set" else "appended"
        why = f"EDNS0 {name} {verb}:{which} {value}"
        if self.revert:
            why += "; restored in the reply (revert)" if present else "; removed from the reply again (revert)"
        return [], why


def _family(ip: str) -> int:
    """request.Family: 1 when the address has an IPv4 form (IPv4-mapped IPv6 included), else 2."""
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return 2
    return 1 if addr.version == 4 or addr.ipv4_mapped is not None else 2


def _ip_to_wire(family: int, ip: str):
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return None
    if family == 1:
        if addr.version == 6:
            addr = addr.ipv4_mapped
        return addr.packed if addr is not None else None
    return (addr if addr.version == 6 else ipaddress.IPv6Address("::ffff:" + str(addr))).packed


def _subnet_value(q, v4, v6) -> str:
    """edns0SubnetRule.fillEcsData: the client's address masked to the source netmask of its family."""
    family = _family(q.client_ip)
    try:
        addr = ipaddress.ip_address(q.client_ip.split("%")[0])
    except ValueError:
        return "the client's subnet"
    if family == 1:
        addr = addr.ipv4_mapped or addr if addr.version == 6 else addr
        net = ipaddress.ip_network(f"{addr}/{v4}", strict=False)
        return f"family 1, source netmask {v4}, address {net.network_address}"
    net = ipaddress.ip_network(f"{addr}/{v6}", strict=False)
    return f"family 2, source netmask {v6}, address {net.network_address}"


class CnameRule(Rule):
    """cname_target.go: always applies (RewriteDone); the work is done on the reply."""

    def __init__(self, mode, line, text, args):
        super().__init__(mode, line, text)
        if len(args) == 3:
            self.match = args[0].lower()
            if self.match not in MATCH_TYPES:
                raise RuleError(f"unknown cname rewrite type: {self.match}")
            self.src, self.dst = args[1].lower(), args[2].lower()
        elif len(args) == 2:
            self.match = "exact"
            self.src, self.dst = args[0].lower(), args[1].lower()
        else:
            raise RuleError(f"too few ({len(args)}) arguments for a cname rule")
        if self.match == "exact":
            self.src, self.dst = _normalize(self.src), _normalize(self.dst)
        if self.match == "regex":
            if len(self.src) > MAX_REGEXP_LEN:
                raise RuleError(f"regex pattern too long in a cname rule: {len(self.src)} > {MAX_REGEXP_LEN}")
            self.pattern = _go_regex(self.src)

    def targets(self, target):
        """getFromAndToTarget: (the target to match, the new target), ("", "") when it does not match."""
        if self.match == "exact":
            return self.src, self.dst
        if self.match == "prefix" and target.startswith(self.src):
            return target, self.dst + target[len(self.src):]
        if self.match == "suffix" and target.endswith(self.src):
            return target, target[: len(target) - len(self.src)] + self.dst
        if self.match == "substring" and self.src in target:
            return target, target.replace(self.src, self.dst)
        if self.match == "regex":
            m = self.pattern.search(target)
            if m:
                return target, _fill_groups(self.dst, [m.group(0)] + list(m.groups()))
        return "", ""

    def apply(self, q, ctx):
        if not (self.src and self.dst):
            return None
        return [CnameResponse(self, q, ctx.lookup)], "CNAME targets in the reply are rewritten " \
                                                     f"({self.match} {self.src} → {self.dst})"


def make_rule(words, line):
    """rewrite.go newRule."""
    if not words:
        raise RuleError("no rule type specified for rewrite")
    mode = STOP
    first = words[0].lower()
    args = words
    if first in (CONTINUE, STOP):
        mode = first
        if len(words) < 2:
            raise RuleError(f"{first} rule must begin with a rule type")
        args = words[1:]
    kind = args[0].lower()
    text = " ".join(words)
    rest = args[1:]
    if kind == "answer":
        raise RuleError("response rewrites must begin with a name rule")
    if kind == "name":
        return NameRule(mode, line, text, rest)
    if kind in ("type", "class"):
        if len(rest) != 2:
            raise RuleError(f"{kind} rules must have exactly two arguments")
        return TypeRule(mode, line, text, rest, kind)
    if kind in ("ttl", "rcode"):
        return NameMatchRule(mode, line, text, rest, kind)
    if kind == "edns0":
        return Edns0Rule(mode, line, text, rest)
    if kind == "cname":
        return CnameRule(mode, line, text, rest)
    raise RuleError(f"invalid rule type {words[0]!r}")


class _Context:
    """What the rules of one query share: the question name as written now, the EDNS0 options the rules put in
    the request, and the block's view of metadata."""
    __slots__ = ("written", "options", "opt_added", "lookup")

    def __init__(self, written, lookup):
        self.written = written
        self.options = {}
        self.opt_added = False
        self.lookup = lookup

    def add_opt(self, q):
        if not self.opt_added and not q.do and q.bufsize == 512:
            q.bufsize = 4096            # edns0.go setupEdns0Opt: SetEdns0(4096, false) on a request without OPT
        self.opt_added = True


class Rewrite(Behaviour):
    NAME = "rewrite"

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.rules = []
        self.errors = []
        self.unsupported = []
        for d in directives:
            words = all_args(d)
            if len(words) < 2:
                for child in d.children:
                    words += [child.name] + [t.text for t in child.args + child.tail]
            try:
                self.rules.append(make_rule(words, d.line))
            except RuleError as e:
                self.errors.append((d.line, str(e)))
            except RegexUnsupported as e:
                self.unsupported.append((d.line, str(e)))

    def serve(self, q, nxt):
        if self.errors:
            line, error = self.errors[0]
            return self.unknown(q, f"unknown: a rewrite rule is invalid ({error}); CoreDNS would not start", line)
        if self.unsupported:
            line, what = self.unsupported[0]
            return self.unknown(q, f"unknown: the simulator cannot evaluate {what}", line)
        original = (q.name, q.type, q.cls)
        written = q.qname_written
        ctx = _Context(written or q.name, self.setup.lookup)
        response_rules = []
        done = []
        line = self.line
        stopped = False
        rules = self.rules
        for i, rule in enumerate(rules):
            try:
                applied = rule.apply(q, ctx)
            except _Unknowable as e:
                if rule.mode == STOP and i + 1 < len(rules):
                    q.name, q.type, q.cls = original
                    return self.unknown(q, f"unknown: `{rule.text}` (line {rule.line}) applies only when {e}; "
                                           f"whether the rules after it run depends on it", rule.line)
                applied = [], f"applies if the label has a value ({e})"
            if applied is None:
                continue
            rrules, what = applied
            line = rule.line
            if not is_domain_name(q.name):
                bad = q.name
                q.name, q.type, q.cls = original
                return self.answer(q, f"`{rule.text}`: {what}; invalid name after rewrite: {bad}: SERVFAIL",
                                   "SERVFAIL", line=rule.line, written=False)
            response_rules += rrules
            done.append(f"`{rule.text}` (line {rule.line}): {what}")
            if rule.mode == STOP:
                stopped = True
                break
        if not done:
            return self.passes(q, nxt, "no rule applies to " + f"{q.name} {q.type}")
        if q.name != original[0]:
            q.qname_written = q.name
        tail = "; the plugins after it see the new question (the server block stays the one already chosen)"
        q.step(self.NAME, line, "change", "; ".join(done) + tail)
        changed = (q.name, q.type, q.cls) != original
        reply = nxt(q)
        try:
            if stopped or response_rules:
                reply = self._revert(q, reply, response_rules)
            elif changed and reply.written and reply.rcode is not None:
                # rewrite.go: no stop rule and no response rule: the reply is written as it is, its question
                # section the rewritten one.
                reply.notes.append("the reply's question section keeps the rewritten question (no rule that "
                                   "applied rewrites the reply), which clients may reject")
        finally:
            q.name, q.type, q.cls = original
            q.qname_written = written
        return reply

    def _revert(self, q, reply, rules):
        """serveWithResponseReverter and ResponseReverter.WriteMsg."""
        if reply.dropped:
            return reply
        if not reply.written:
            if reply.rcode not in SERVER_WRITTEN_RCODES:
                return reply
            # The plugins after it returned an error without writing: rewrite writes it, through its rules.
            reply.written = True
        if not rules:
            return reply
        if reply.rcode is None:
            reply.notes.append("rewrite's reply rules apply to the answer that cannot be known here")
            return reply
        msg = _Msg(reply)
        backwards = rules[::-1]
        before = [r.text() for r in reply.answers]
        for section in ("authority", "answers", "additional"):
            for rr in list(getattr(msg, section)):      # the slice as it was when the loop began
                for rule in backwards:
                    rule.apply(msg, rr)
        if not (msg.authority or msg.answers or msg.additional):
            for rule in backwards:
                if getattr(rule, "MSG_LEVEL", False):
                    rule.apply(msg, None)
        if msg.rcode != reply.rcode:
            reply.notes.append(f"rewrite changed rcode {reply.rcode} to {msg.rcode}")
        reply.rcode = msg.rcode
        reply.answers, reply.authority, reply.additional = msg.answers, msg.authority, msg.additional
        reply.notes.extend(msg.notes)
        reply.cause = msg.cause
        if [r.text() for r in reply.answers] != before and any(isinstance(r, (NameResponse, ValueResponse))
                                                                for r in rules):
            reply.notes.append("rewrite mapped the answer back to the name that was asked")
        return reply


BEHAVIOURS = [Rewrite]
