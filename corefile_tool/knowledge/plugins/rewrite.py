"""rewrite: rewrites queries and responses (coredns plugin/rewrite/setup.go, rewrite.go and one file per rule)."""
from __future__ import annotations

import re

from ..spec import Plugin, version_tuple
from .. import values
from ._setup_helpers import go_parse_uint

MAX_REGEXP_LEN = 10000
MATCH_TYPES = ("exact", "prefix", "suffix", "substring", "regex")
# rule type -> first CoreDNS version that knows it
RULE_TYPES = {"name": "1.6.0", "class": "1.6.0", "type": "1.6.0", "edns0": "1.6.0", "ttl": "1.6.0",
              "cname": "1.11.0", "rcode": "1.11.3"}
EDNS0_VARIABLES = ("{qname}", "{qtype}", "{client_ip}", "{client_port}", "{protocol}", "{server_ip}",
                   "{server_port}")


class RuleError(Exception):
    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index      # which word of the rule the message is about


def _regex(text: str, index: int, what: str = "invalid regex matching pattern"):
    if len(text) > MAX_REGEXP_LEN:
        raise RuleError(index, f"regex pattern too long: {len(text)} > {MAX_REGEXP_LEN}")
    err = values.check("regex", "", text)
    if err:
        raise RuleError(index, f"{what}: {text}")
    return re.compile(text)


def _subexpressions_fit(pattern, replacement: str, index: int, pattern_text: str):
    used = sum(1 for i in range(101) if "{" + str(i) + "}" in replacement)
    if used > pattern.groups:
        raise RuleError(index, f"the rewrite regex pattern ({replacement}) uses more subexpressions than its "
                               f"corresponding matching regex pattern ({pattern_text})")


def _answer_rules(match: str, words: list, base: int):
    """The `answer (auto | name FROM TO | value FROM TO)...` tail of a name rule."""
    if len(words) < 2:
        raise RuleError(base, f"invalid arguments for {match} rule")
    i = 0
    last = ""
    auto = False
    name_rules = 0
    while i < len(words):
        if last == "" and words[i] != "answer":
            raise RuleError(base + i, f"exceeded the number of arguments for a non-answer rule argument for "
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
        if last in ("name", "value"):
            if len(words) - i < 2:
                raise RuleError(base + i - 1, f"{last} answer rule for {match} rule: 2 arguments required")
            pattern = _regex(words[i], base + i)
            _subexpressions_fit(pattern, words[i + 1], base + i + 1, words[i])
            i += 2
            name_rules += last == "name"
            continue
        raise RuleError(base + i - 1, f'invalid type "{last}" for answer rule for {match} rule')
    if auto and name_rules:
        raise RuleError(base, "auto name answer rule cannot be combined with explicit name anwer rules")


def _name_rule(words: list, base: int):
    if len(words) < 2:
        raise RuleError(base, "too few arguments for a name rule")
    if len(words) == 2:
        match, src, dst = "exact", words[0], words[1]
    else:
        match, src, dst = words[0].lower(), words[1], words[2]
    if len(words) > 3:
        _answer_rules(match, words[3:], base + 3)
    if match == "exact":
        _regex(dst, base + 2)   # CoreDNS compiles the target of an exact rule as a pattern too
    elif match == "regex":
        pattern = _regex(src, base + 1)
        _subexpressions_fit(pattern, dst, base + 2, src)
    elif match not in MATCH_TYPES:
        raise RuleError(base, "name rule supports only exact, prefix, suffix, substring, and regex name "
                              f"matching, received: {match}")


def _ttl_value(text: str) -> bool:
    parts = text.split("-")
    if len(parts) == 1:
        return go_parse_uint(parts[0], 32) is not None
    if len(parts) != 2 or parts == ["", ""]:
        return False
    low = 0 if parts[0] == "" else go_parse_uint(parts[0], 32)
    high = 2147483647 if parts[1] == "" else go_parse_uint(parts[1], 32)
    return low is not None and high is not None and low <= high


def _rcode_value(text: str) -> bool:
    n = go_parse_uint(text, 32)
    return (n is not None and n <= 23) or values.check("rcode", "", text) is None


def _matched_rule(kind: str, words: list, base: int, most: int):
    """ttl and rcode rules: `[MATCH] NAME VALUE(S)`."""
    if len(words) > most:
        raise RuleError(base + most, f"many few arguments for a {kind} rule")
    if len(words) == most:
        match = words[0].lower()
        if match not in MATCH_TYPES:
            raise RuleError(base, f"{kind} rule supports only exact, prefix, suffix, substring, and regex name "
                                  "matching")
        if match == "regex":
            _regex(words[1], base + 1, f"invalid regex pattern in a {kind} rule")


def _ttl_rule(words: list, base: int):
    if len(words) < 2:
        raise RuleError(base, f"too few ({len(words)}) arguments for a ttl rule")
    if len(words) <= 3:
        value = words[-1]
        if not _ttl_value(value):
            raise RuleError(base + len(words) - 1, f"invalid TTL '{value}' for a ttl rule")
    _matched_rule("ttl", words, base, 3)


def _rcode_rule(words: list, base: int):
    if len(words) < 3:
        raise RuleError(base, f"too few ({len(words)}) arguments for a rcode rule")
    if len(words) <= 4:
        for offset, what in ((len(words) - 2, "matching"), (len(words) - 1, "replacement")):
            if not _rcode_value(words[offset]):
                raise RuleError(base + offset, f"invalid {what} RCODE '{words[offset]}' for a rcode rule")
    _matched_rule("rcode", words, base, 4)


def _cname_rule(words: list, base: int):
    if len(words) == 3:
        match = words[0].lower()
        if match not in MATCH_TYPES:
            raise RuleError(base, f"unknown cname rewrite type: {match}")
        if match == "regex":
            _regex(words[1].lower(), base + 1, "invalid cname rewrite regex pattern")
    elif len(words) != 2:
        raise RuleError(base, f"too few ({len(words)}) arguments for a cname rule")


def _edns0_code(text: str, index: int):
    if go_parse_uint(text, 16, base=0) is None:
        raise RuleError(index, f'strconv.ParseUint: parsing "{text}": invalid syntax')


def _edns0_rule(words: list, base: int):
    if len(words) < 2:
        raise RuleError(base, "too few arguments for an EDNS0 rule")
    kind, action = words[0].lower(), words[1].lower()
    if action == "unset":
        expected = {"local": 3, "nsid": 2, "subnet": 2}.get(kind)
        if expected is None:
            raise RuleError(base, f'invalid rule type "{kind}"')
        if len(words) != expected:
            raise RuleError(base, f"{kind} unset action requires exactly {expected - 1} argument"
                                  + ("s" if expected > 2 else ""))
        if kind == "local":
            _edns0_code(words[2], base + 2)
        return
    if action not in ("append", "replace", "set"):
        raise RuleError(base + 1, f'invalid action: "{action}"')
    if words[-1] == "revert":
        words = words[:-1]
    if kind == "local":
        if len(words) != 4:
            raise RuleError(base, "EDNS0 local rules require three or four args")
        _edns0_code(words[2], base + 2)
        data = words[3]
        if data.startswith("{") and data.endswith("}"):
            label = data[1:-1]
            slash = label.find("/")
            if data not in EDNS0_VARIABLES and not (0 < slash < len(label) - 1):
                raise RuleError(base + 3, f'unsupported variable name "{data}"')
        elif data.startswith("0x") and not re.fullmatch(r"(?:[0-9a-fA-F]{2})*", data[2:]):
            raise RuleError(base + 3, f"encoding/hex: invalid byte in {data}")
    elif kind == "nsid":
        if len(words) != 2:
            raise RuleError(base, "EDNS0 NSID rules can accept no more than one arg")
    elif kind == "subnet":
        if len(words) != 4:
            raise RuleError(base, "EDNS0 subnet rules require three or four args")
        for offset, limit, family in ((2, 32, "IPv4"), (3, 128, "IPv6")):
            n = go_parse_uint(words[offset], 16, base=0)
            if n is None:
                raise RuleError(base + offset, f'strconv.ParseUint: parsing "{words[offset]}": invalid syntax')
            if n > limit:
                raise RuleError(base + offset, f"invalid {family} bit mask length {n}")
    else:
        raise RuleError(base, f'invalid rule type "{kind}"')


def rule_error(words: list, version: str):
    """newRule: None when CoreDNS accepts the rule, else (index of the word at fault, message)."""
    try:
        _new_rule(words, version)
    except RuleError as e:
        return max(0, min(e.index, len(words) - 1)), str(e)
    return None


def _new_rule(words: list, version: str):
    if not words:
        raise RuleError(0, "no rule type specified for rewrite")
    first = words[0].lower()
    if first in ("continue", "stop"):
        if len(words) < 2:
            raise RuleError(0, f"{first} rule must begin with a rule type")
        kind, start = words[1].lower(), 2
    else:
        kind, start = first, 1
    expect = len(words) - start + 1
    since = RULE_TYPES.get(kind)
    if kind == "answer":
        raise RuleError(start - 1, "response rewrites must begin with a name rule")
    if since is None or version_tuple(version) < version_tuple(since):
        raise RuleError(start - 1, f'invalid rule type "{words[start - 1]}"')
    rest = words[start:]
    if kind in ("class", "type"):
        if expect != 3:
            raise RuleError(start - 1, f"{kind} rules must have exactly two arguments")
        for offset, word in enumerate(rest):
            if values.check("rrclass" if kind == "class" else "rrtype", "upper", word):
                raise RuleError(start + offset, f'invalid {kind} "{word.upper()}"')
        return
    {"name": _name_rule, "edns0": _edns0_rule, "ttl": _ttl_rule, "cname": _cname_rule,
     "rcode": _rcode_rule}[kind](rest, start)


def _check(directive, ctx):
    tokens = list(directive.args)
    block = directive.block
    if len(tokens) < 2 and block is not None:
        # With fewer than two words on its line, the rule is every word of the block, lines ignored.
        for line in block.directives:
            tokens.extend([line.name_token, *line.args])
        block = None
    found = rule_error([t.text for t in tokens], ctx.version)
    if found:
        index, message = found
        yield (tokens[index] if tokens else directive.name_token), message
    elif block is not None:
        # A rule complete on its line leaves the `{` to setup's `for c.Next()` as the start of another rule,
        # made of the words after it on its line.
        after = [t for line in block.directives if line.line == block.open.line
                 for t in (line.name_token, *line.args)]
        if block.close is not None and block.close.line == block.open.line:
            after.append(block.close)
        found = rule_error([t.text for t in after], ctx.version)
        if found:
            index, message = found
            yield (after[index] if after else block.open), message


PLUGIN = Plugin(
    name="rewrite",
    summary="Rewrites the name, type, class, EDNS0 options, TTL or rcode of queries and their responses.",
    free_args=True,
    block=True,
    other_lines=True,
    renames=True,            # rewrite.go ServeDNS hands the next plugin the rewritten question
    checks=(_check,),
)
