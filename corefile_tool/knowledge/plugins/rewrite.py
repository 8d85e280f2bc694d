"""rewrite: rewrites queries and responses (coredns plugin/rewrite/setup.go, rewrite.go and one file per rule).

setup.go reads every `rewrite` of a server block through one dispenser: each pass takes the words left on the
current line, or, with fewer than two, every word of the block that follows; the words go to newRule
(rewrite.go), which hands them to the rule type's constructor (name.go, class.go, type.go, edns0.go, ttl.go,
cname_target.go, rcode.go). How each constructor reads its words changed over the releases; the versions are
noted where they matter.
"""
from __future__ import annotations

from ..spec import Plugin, version_tuple
from .. import values
from ._dispenser import Dispenser
from ._setup_helpers import go_parse_uint

MAX_REGEXP_LEN = 10000
MATCH_TYPES = ("exact", "prefix", "suffix", "substring", "regex")
# rule type -> first CoreDNS version that knows it (plugin/rewrite/rewrite.go newRule; ttl: 38051b908, 1.2.3)
RULE_TYPES = {"name": "1.1.3", "class": "1.1.3", "type": "1.1.3", "edns0": "1.1.3", "ttl": "1.2.3",
              "cname": "1.11.0", "rcode": "1.11.3"}
EDNS0_VARIABLES = ("{qname}", "{qtype}", "{client_ip}", "{client_port}", "{protocol}", "{server_ip}",
                   "{server_port}")
# Releases where the constructors changed what they accept (commits in coredns/coredns):
ANSWER_GROUPS = "1.8.2"      # 010393126: `answer name|value FROM TO` repeated, after a regex name rule only
ANSWER_RULES = "1.8.4"       # 40edf1e56: parseAnswerRules, `answer auto`, answers after any match type
TTL_RANGES = "1.9.4"         # b55cee4d1: TTL as MIN-MAX ranges, strconv.ParseUint
MODE_CHECKED = "1.9.4"       # 4a40e9e3a: `stop`/`continue` alone is an error (it panicked before)
EDNS0_REVERT = "1.11.4"      # 92724349d: a trailing `revert` word
EDNS0_UNSET = "1.12.3"       # b2a2a5f64: the `unset` action
CNAME_REGEX = "1.13.2"       # 2883b6340: the cname regex is compiled at start-up (before: per query)
REGEXP_LEN = "1.14.0"        # b723bd94d: maxRegexpLen


class RuleError(Exception):
    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index      # which word of the rule the message is about


class _Rules:
    """The constructors of one CoreDNS release."""

    def __init__(self, version: str):
        self.version = version_tuple(version)

    def since(self, release: str) -> bool:
        return self.version >= version_tuple(release)

    # -- shared pieces ---------------------------------------------------------------------------------------
    def compile(self, text: str, index: int, invalid: str, too_long: str = "regex pattern too long"):
        """regexp.Compile with the length guard: the number of capturing groups, or RuleError."""
        if len(text) > MAX_REGEXP_LEN and self.since(REGEXP_LEN):
            raise RuleError(index, f"{too_long}: {len(text)} > {MAX_REGEXP_LEN}")
        err, groups = values.go_regexp(text)
        if err:
            raise RuleError(index, invalid.format(pattern=text, error=err))
        return groups

    def pattern(self, pattern: str, replacement: str, index: int, prefix: str = "") -> None:
        """isValidRegexPattern(pattern, replacement): it compiles, and the replacement uses no more {N} than it
        has groups (getSubExprUsage counts the distinct {0}..{100} present)."""
        groups = self.compile(pattern, index, prefix + "invalid regex matching pattern: {pattern}",
                              prefix + "regex pattern too long")
        used = sum(1 for i in range(101) if "{" + str(i) + "}" in replacement)
        if used > groups:
            raise RuleError(index + 1, f"{prefix}the rewrite regex pattern ({replacement}) uses more subexpressions "
                                       f"than its corresponding matching regex pattern ({pattern})")

    # -- name ------------------------------------------------------------------------------------------------
    def answers(self, match: str, words: list, base: int) -> None:
        """parseAnswerRules (1.8.4+): `answer (auto | name FROM TO | value FROM TO)...`."""
        if len(words) < 2:
            raise RuleError(base, f"invalid arguments for {match} rule")
        i, last, auto, name_rules = 0, "", False, 0
        while i < len(words):
            if last == "" and words[i] != "answer":
                raise RuleError(base + i, "exceeded the number of arguments for a non-answer rule argument for "
                                          f"{match} rule")
            if words[i] == "answer":
                i += 1
            if i >= len(words):
                raise RuleError(base + i - 1, f"type missing for answer rule for {match} rule")
            last = words[i]
            i += 1
            if last == "auto":
                auto = True
                continue
            if last not in ("name", "value"):
                raise RuleError(base + i - 1, f'invalid type "{last}" for answer rule for {match} rule')
            if len(words) - i < 2:
                raise RuleError(base + i - 1, f"{last} answer rule for {match} rule: 2 arguments required")
            self.pattern(words[i], words[i + 1], base + i, f"{last} answer rule for {match} rule: ")
            i += 2
            name_rules += last == "name"
        if auto and name_rules:
            raise RuleError(base, "auto name answer rule cannot be combined with explicit name anwer rules")

    def name(self, words: list, base: int) -> None:
        if len(words) < 2:
            raise RuleError(base, "too few arguments for a name rule")
        if len(words) == 2:
            match, src, dst = "exact", words[0], words[1]
        else:
            match, src, dst = words[0].lower(), words[1], words[2]
        if match != "regex":
            src, dst = normalize(src), normalize(dst)
        if not self.since(ANSWER_RULES):
            return self.name_before_answer_rules(match, src, dst, words, base)
        if len(words) > 3:
            self.answers(match, words[3:], base + 3)
        self.match_type(match, src, dst, words, base)

    def match_type(self, match, src, dst, words, base):
        """name.go's switch on the match type: exact and regex compile their patterns, the others only need
        to be known."""
        if match == "exact":
            # name.go compiles the (normalized) target as a pattern and checks the source's {N} against it
            self.pattern(dst, src, base + (2 if len(words) > 2 else 1))
        elif match == "regex":
            self.pattern(src, dst, base + 1)
        elif match not in MATCH_TYPES:
            raise RuleError(base, "name rule supports only exact, prefix, suffix, substring, and regex name "
                                  f"matching, received: {match}")

    def name_before_answer_rules(self, match, src, dst, words, base):
        """name.go before 1.8.4: `answer` groups follow a regex rule only; 1.8.2 allowed several, before one."""
        grouped = self.since(ANSWER_GROUPS)
        if len(words) > 3 and ((len(words) - 3) % 4 if grouped else len(words) != 7):
            raise RuleError(base + 3, "response rewrites must consist only of a name rule with 3 arguments and "
                            + ("one or more answer rules with 3 arguments each" if grouped
                               else "an answer rule with 3 arguments"))
        if len(words) <= 3:
            self.match_type(match, src, dst, words, base)
            return
        if match != "regex":
            raise RuleError(base, "the rewrite of response is supported only for name regex rule")
        self.pattern(src, dst, base + 1)
        for start in range(3, len(words), 4):
            group = words[start:start + 4]
            if group[0] != "answer" or group[1].lower() not in (("name", "value") if grouped else ("name",)):
                raise RuleError(base + start, "exceeded the number of arguments for a regex name rule")
            self.pattern(group[2], group[3], base + start + 2)

    # -- class, type -----------------------------------------------------------------------------------------
    def class_or_type(self, kind: str, words: list, base: int) -> None:
        for offset, word in enumerate(words):
            if values.check("rrclass" if kind == "class" else "rrtype", "upper", word):
                raise RuleError(base + offset, f'invalid {kind} "{word.upper()}"')

    # -- ttl, rcode ------------------------------------------------------------------------------------------
    def ttl_value(self, text: str) -> bool:
        if not self.since(TTL_RANGES):
            n = values.go_atoi(text)          # strconv.Atoi, 0..2147483647
            return n is not None and 0 <= n <= 2147483647
        parts = text.split("-")
        if len(parts) == 1:
            return go_parse_uint(parts[0], 32) is not None
        if len(parts) != 2 or parts == ["", ""]:
            return False
        low = 0 if parts[0] == "" else go_parse_uint(parts[0], 32)
        high = 2147483647 if parts[1] == "" else go_parse_uint(parts[1], 32)
        return low is not None and high is not None and low <= high

    @staticmethod
    def rcode_value(text: str) -> bool:
        n = go_parse_uint(text, 32)
        return (n is not None and n <= 23) or values.check("rcode", "", text) is None

    def matched(self, kind: str, words: list, base: int, most: int) -> None:
        """The `MATCH NAME` part of a ttl or rcode rule with `most` words."""
        if len(words) != most:
            return
        match = words[0].lower()
        if match not in MATCH_TYPES:
            raise RuleError(base, f"{kind} rule supports only exact, prefix, suffix, substring, and regex name "
                                  "matching")
        if match == "regex":
            self.compile(words[1], base + 1, f"invalid regex pattern in a {kind} rule: {{pattern}}",
                         f"regex pattern too long in a {kind} rule")

    def ttl(self, words: list, base: int) -> None:
        if len(words) < 2:
            raise RuleError(base, f"too few ({len(words)}) arguments for a ttl rule")
        # ttl.go takes the value from the 2nd or 3rd word; with more words it checks "" (and refuses it)
        value = words[len(words) - 1] if len(words) <= 3 else ""
        if not self.ttl_value(value):
            raise RuleError(base + min(len(words) - 1, 3), f"invalid TTL '{value}' for a ttl rule")
        self.matched("ttl", words, base, 3)

    def rcode(self, words: list, base: int) -> None:
        if len(words) < 3:
            raise RuleError(base, f"too few ({len(words)}) arguments for a rcode rule")
        old, new = (words[-2], words[-1]) if len(words) <= 4 else ("", "")
        if not self.rcode_value(old):
            raise RuleError(base + min(len(words) - 2, 4), f"invalid matching RCODE '{old}' for a rcode rule")
        if not self.rcode_value(new):
            raise RuleError(base + len(words) - 1, f"invalid replacement RCODE '{new}' for a rcode rule")
        self.matched("rcode", words, base, 4)

    # -- cname -----------------------------------------------------------------------------------------------
    def cname(self, words: list, base: int) -> None:
        if len(words) == 3:
            match = words[0].lower()
            if match not in MATCH_TYPES:
                raise RuleError(base, f"unknown cname rewrite type: {match}")
            if match == "regex" and self.since(CNAME_REGEX):
                self.compile(words[1].lower(), base + 1, "invalid cname rewrite regex pattern: {error}",
                             "regex pattern too long in a cname rule")
        elif len(words) != 2:
            raise RuleError(base, f"too few ({len(words)}) arguments for a cname rule")

    # -- edns0 -----------------------------------------------------------------------------------------------
    @staticmethod
    def edns0_code(text: str, index: int) -> None:
        if go_parse_uint(text, 16, base=0) is None:
            raise RuleError(index, f'strconv.ParseUint: parsing "{text}": invalid syntax')

    def edns0(self, words: list, base: int) -> None:
        if len(words) < 2:
            raise RuleError(base, "too few arguments for an EDNS0 rule")
        kind, action = words[0].lower(), words[1].lower()
        if action == "unset" and self.since(EDNS0_UNSET):
            return self.edns0_unset(kind, words, base)
        if action not in ("append", "replace", "set"):
            raise RuleError(base + 1, f'invalid action: "{action}"')
        revert = self.since(EDNS0_REVERT)
        if revert and words[-1] == "revert":
            words = words[:-1]
        if kind == "local":
            if len(words) != 4:
                raise RuleError(base, "EDNS0 local rules require three or four args" if revert
                                else "EDNS0 local rules require exactly three args")
            self.edns0_code(words[2], base + 2)
            data = words[3]
            if data.startswith("{") and data.endswith("}"):
                label = data[1:-1]
                slash = label.find("/")
                if data not in EDNS0_VARIABLES and not 0 < slash < len(label) - 1:
                    raise RuleError(base + 3, f'unsupported variable name "{data}"')
            elif data.startswith("0x"):
                hexdigits = data[2:]
                if len(hexdigits) % 2:
                    raise RuleError(base + 3, "encoding/hex: odd length hex string")
                bad = next((c for c in hexdigits if c not in "0123456789abcdefABCDEF"), None)
                if bad is not None:
                    raise RuleError(base + 3, f"encoding/hex: invalid byte: U+{ord(bad):04X} {bad!r}")
        elif kind == "nsid":
            if len(words) != 2:
                raise RuleError(base, "EDNS0 NSID rules can accept no more than one arg" if revert
                                else "EDNS0 NSID rules do not accept args")
        elif kind == "subnet":
            if len(words) != 4:
                raise RuleError(base, "EDNS0 subnet rules require three or four args" if revert
                                else "EDNS0 subnet rules require exactly three args")
            for offset, limit, family in ((2, 32, "IPv4"), (3, 128, "IPv6")):
                n = go_parse_uint(words[offset], 16, base=0)
                if n is None:
                    raise RuleError(base + offset, f'strconv.ParseUint: parsing "{words[offset]}": invalid syntax')
                if n > limit:
                    raise RuleError(base + offset, f"invalid {family} bit mask length {n}")
        else:
            raise RuleError(base, f'invalid rule type "{kind}"')

    def edns0_unset(self, kind: str, words: list, base: int) -> None:
        wanted = {"local": (3, "two arguments"), "nsid": (2, "one argument"), "subnet": (2, "one argument")}
        if kind not in wanted:
            raise RuleError(base, f'invalid rule type "{kind}"')
        count, said = wanted[kind]
        if len(words) != count:
            raise RuleError(base + min(len(words) - 1, count), f"{kind} unset action requires exactly {said}")
        if kind == "local":
            self.edns0_code(words[2], base + 2)

    # -- newRule ---------------------------------------------------------------------------------------------
    def rule(self, words: list) -> None:
        if not words:
            raise RuleError(0, "no rule type specified for rewrite")
        first = words[0].lower()
        start = 1
        kind = first
        if first in ("continue", "stop"):
            if len(words) < 2:
                # before 1.9.4 newRule indexed args[1] anyway: setup panicked, which stops CoreDNS all the same
                raise RuleError(0, f"{first} rule must begin with a rule type" if self.since(MODE_CHECKED)
                                else f"{first} rule must begin with a rule type (CoreDNS "
                                     f"{'.'.join(map(str, self.version))} panics here)")
            kind, start = words[1].lower(), 2
        rest = words[start:]
        if kind == "answer":
            raise RuleError(start - 1, "response rewrites must begin with a name rule")
        since = RULE_TYPES.get(kind)
        if since is None or not self.since(since):
            raise RuleError(start - 1, f'invalid rule type "{words[0]}"')
        if kind in ("class", "type"):
            if len(rest) != 2:
                raise RuleError(start - 1, f"{kind} rules must have exactly two arguments")
            return self.class_or_type(kind, rest, start)
        getattr(self, kind)(rest, start)


def normalize(name: str) -> str:
    """plugin.Name(name).Normalize(): strings.ToLower(dns.Fqdn(name)); a final dot escaped by an odd number
    of backslashes does not count (dns.IsFqdn)."""
    if name.endswith("."):
        body = name[:-1]
        slashes = len(body) - len(body.rstrip("\\"))
        if slashes % 2 == 0:
            return name.lower()
    return (name + ".").lower()


def rule_error(words: list, version: str):
    """newRule: None when CoreDNS accepts the rule, else (index of the word at fault, message)."""
    try:
        _Rules(version).rule(words)
    except RuleError as e:
        return max(0, min(e.index, len(words) - 1)), str(e)
    return None


def _check(directive, ctx):
    # setup.go rewriteParse: `for c.Next()` takes the words left on the line as one rule, or, with fewer than
    # two, adds every word of the block after them. A rule complete on its line leaves its block to the next
    # passes, which start at the `{` and end at the `}`: each reads what follows it on its own line.
    d = Dispenser(directive.tokens())
    while d.next():
        start = d.token()
        args = d.remaining_args()
        if len(args) < 2:
            while d.next_block():
                args.append(d.token())
        found = rule_error([t.text for t in args], ctx.version)
        if found:
            index, message = found
            yield (args[index] if args else start), message
            return


PLUGIN = Plugin(
    name="rewrite",
    summary="Rewrites the name, type, class, EDNS0 options, TTL or rcode of queries and their responses.",
    free_args=True,
    block=True,
    other_lines=True,
    renames=True,            # rewrite.go ServeDNS hands the next plugin the rewritten question
    checks=(_check,),
)
