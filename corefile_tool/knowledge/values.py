"""One checker per value type, shared by every plugin that takes that type.

A checker takes the text and its parameter string (from a spec such as `int(1..)` or `enum(a|b)`) and returns
None when CoreDNS accepts the value, else the reason it refuses it (CoreDNS's wording where it has one).
Register a new type with @value_type("name").
"""
from __future__ import annotations

import ipaddress
import re
from typing import Callable, Optional

from ..addresses import is_domain_name, split_host_port, split_transport

Checker = Callable[[str, str], Optional[str]]
CHECKERS: dict[str, Checker] = {}


def value_type(name: str):
    def register(fn: Checker) -> Checker:
        CHECKERS[name] = fn
        return fn
    return register


def check(type_name: str, param: str, text: str) -> Optional[str]:
    return CHECKERS[type_name](text, param)


def _range(param: str):
    """`1..`, `..10`, `0..65535` → (low, high) with None for an open end."""
    if not param:
        return None, None
    lo, _, hi = param.partition("..")
    return (float(lo) if lo else None), (float(hi) if hi else None)


def _in_range(value: float, param: str, text: str, what: str) -> Optional[str]:
    lo, hi = _range(param)
    if lo is not None and value < lo:
        return f"{what} {text} is below the minimum {param.split('..')[0]}"
    if hi is not None and value > hi:
        return f"{what} {text} is above the maximum {param.split('..')[1]}"
    return None


_GO_INT = re.compile(r"[+-]?[0-9]+\Z")


def go_atoi(text: str) -> Optional[int]:
    """Go strconv.Atoi."""
    if not _GO_INT.match(text):
        return None
    v = int(text)
    return v if -(2 ** 63) <= v < 2 ** 63 else None


@value_type("str")
def _str(text, param):
    return None


@value_type("int")
def _int(text, param):
    """strconv.Atoi, optionally within a range."""
    v = go_atoi(text)
    if v is None:
        return f'strconv.Atoi: parsing "{text}": invalid syntax'
    return _in_range(v, param, text, "value")


@value_type("uint")
def _uint(text, param):
    """strconv.ParseUint(text, 10, BITS) with `uint(BITS)`, 64 by default: digits only, no sign."""
    bits = int(param) if param else 64
    if not re.fullmatch(r"[0-9]+", text) or int(text) >= 2 ** bits:
        return f'strconv.ParseUint: parsing "{text}": invalid syntax'
    return None


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(text: str) -> Optional[float]:
    """Go time.ParseDuration → seconds, or None when Go refuses it."""
    s = text
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        return None
    total = 0.0
    pos = 0
    while pos < len(s):
        m = _DURATION.match(s, pos)
        if not m or m.group(1) in ("", "."):
            return None
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return sign * total


_DURATION_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def go_duration_error(text: str) -> Optional[str]:
    """The error Go's time.ParseDuration gives for `text` (its three wordings), None when it accepts it."""
    invalid = f'time: invalid duration "{text}"'
    s = text[1:] if text[:1] in ("+", "-") else text
    if s == "0":
        return None
    if not s:
        return invalid
    while s:
        m = _DURATION_NUMBER.match(s)
        if not m.group(1) and not m.group(2):     # no digit before or after a '.'
            return invalid
        s = s[m.end():]
        unit = re.match(r"[^0-9.]*", s).group(0)
        if not unit:
            return f'time: missing unit in duration "{text}"'
        if unit not in _DURATION_UNITS:
            return f'time: unknown unit "{unit}" in duration "{text}"'
        s = s[len(unit):]
    return None if parse_go_duration(text) is not None else invalid


@value_type("duration")
def _duration(text, param):
    v = parse_go_duration(text)
    if v is None:
        return go_duration_error(text) or f'time: invalid duration "{text}"'
    return _in_range(v, param, text, "duration")


@value_type("enum")
def _enum(text, param):
    choices = param.split("|")
    if text not in choices:
        return f"unknown value '{text}' (expected one of: {', '.join(choices)})"
    return None


@value_type("zone")
def _zone(text, param):
    """A zone as plugins read one (plugin.Host(..).NormalizeExact): transport prefix allowed, CIDR expanded.
    `zone(lenient)`: the plugin drops a zone it cannot normalise without an error (OriginsFromArgsOrServerBlock)."""
    if param == "lenient":
        return None
    try:
        split_host_port(split_transport(text)[1])
    except ValueError as e:
        return f"unable to normalize '{text}': {e}"
    return None


@value_type("domain")
def _domain(text, param):
    if not is_domain_name(text):
        return f"invalid domain name {text}"
    return None


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# A dotted IPv4 address as both net.ParseIP and ip_address read one (no leading zeros), matched without
# ipaddress's cost: a mesh Corefile has tens of thousands.
IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z")


@value_type("ip")
def _ip(text, param):
    """Go net.ParseIP: no IPv6 zone (`%eth0`), which Python's ip_address would accept."""
    if IPV4.match(text):
        return None
    try:
        if "%" in text:
            raise ValueError(text)
        ipaddress.ip_address(text)
    except ValueError:
        return f"not a valid IP address: {text}"
    return None


@value_type("cidr")
def _cidr(text, param):
    if "/" not in text:
        return f"invalid CIDR address: {text}"
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return f"invalid CIDR address: {text}"
    return None


@value_type("go_cidr")
def _go_cidr(text, param):
    """Go net.ParseCIDR exactly: ADDRESS/PREFIX with a decimal prefix length (no netmask form, no IPv6 zone),
    the address not required to be the network's first."""
    mask = text.rpartition("/")[2]
    if "%" in text or not mask or not all("0" <= c <= "9" for c in mask):
        return f"invalid CIDR address: {text}"
    return _cidr(text, param)


@value_type("ip_or_cidr")
def _ip_or_cidr(text, param):
    return _ip(text, param) if "/" not in text else _cidr(text, param)


def go_split_hostport(text: str):
    """Go net.SplitHostPort (net/ipsock.go): (host, port, None), or (None, None, Go's reason)."""
    if ":" not in text:
        return None, None, "missing port in address"
    last_colon = text.rindex(":")
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return None, None, "missing ']' in address"
        if end + 1 != last_colon:
            if end + 1 < len(text) and text[end + 1] == ":":
                return None, None, "too many colons in address"
            return None, None, "missing port in address"
        host, bracket_free_from, close_free_from = text[1:end], 1, end + 1
    else:
        host = text[:last_colon]
        if ":" in host:
            return None, None, "too many colons in address"
        bracket_free_from = close_free_from = 0
    if "[" in text[bracket_free_from:]:
        return None, None, "unexpected '[' in address"
    if "]" in text[close_free_from:]:
        return None, None, "unexpected ']' in address"
    return host, text[last_colon + 1:], None


def split_go_hostport(text: str):
    """Go net.SplitHostPort: (host, port) or None."""
    host, port, reason = go_split_hostport(text)
    return None if reason else (host, port)


@value_type("port")
def _port(text, param):
    v = go_atoi(text)
    if v is None or not 0 <= v <= 65535:
        return f"invalid port: {text}"
    return None


@value_type("listen")
def _listen(text, param):
    """A listen address `[HOST]:PORT` (net.Listen): host may be empty, port required."""
    host, port, reason = go_split_hostport(text)
    if reason:
        return f"address {text}: {reason}"
    if host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
                return f"invalid host in address {text}"
    if _port(port, "") is not None and not re.fullmatch(r"[A-Za-z]+", port):
        return f"invalid port in address {text}"
    return None


@value_type("regex")
def _regex(text, param):
    """Go RE2 syntax, approximated with Python's re (RE2 has no backreferences or lookaround)."""
    if re.search(r"\(\?[=!<]|\\[1-9]", text):
        return f"error parsing regexp: invalid or unsupported Perl syntax in `{text}`"
    try:
        re.compile(text)
    except re.error as e:
        return f"error parsing regexp: {e}: `{text}`"
    except (RecursionError, OverflowError):
        return f"error parsing regexp: too complex: `{text}`"
    return None


@value_type("url")
def _url(text, param):
    from urllib.parse import urlsplit

    try:
        u = urlsplit(text)
    except ValueError as e:
        return f"invalid URL {text}: {e}"
    if param and u.scheme not in param.split("|"):
        return f"invalid URL scheme in {text}"
    return None


# miekg/dns StringToRcode: the names of RcodeToString plus the alias NOTIMPL (BADVERS shares 16 with BADSIG and
# is not a key).
RCODES = ("NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "NOTIMPL", "REFUSED", "YXDOMAIN", "YXRRSET",
          "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "BADSIG", "BADKEY", "BADTIME", "BADMODE", "BADNAME",
          "BADALG", "BADTRUNC", "BADCOOKIE")


@value_type("rcode")
def _rcode(text, param):
    """An rcode name; `rcode(exact)` when the plugin looks it up without upper-casing it first."""
    if (text if param == "exact" else text.upper()) not in RCODES:
        return f"'{text}' is not a valid rcode"
    return None


# miekg/dns StringToType keys (v1.1.72, the version CoreDNS 1.14 builds with).
RR_TYPES = frozenset((
    "A AAAA AFSDB AMTRELAY ANY APL ATMA AVC AXFR CAA CDNSKEY CDS CERT CNAME CSYNC DHCID DLV DNAME DNSKEY DS EID "
    "EUI48 EUI64 GID GPOS HINFO HIP HTTPS IPSECKEY ISDN IXFR KEY KX L32 L64 LOC LP MAILA MAILB MB MD MF MG MINFO "
    "MR MX NAPTR NID NIMLOC NINFO NS NSEC NSEC3 NSEC3PARAM NULL NXNAME NXT OPENPGPKEY OPT PTR PX RESINFO RKEY RP "
    "RRSIG RT SIG SMIMEA SOA SPF SRV SSHFP SVCB TA TALINK TKEY TLSA TSIG TXT UID UINFO UNSPEC URI X25 ZONEMD "
    "NSAP-PTR None Reserved").split())   # ztypes.go TypeToString also names TypeNone and TypeReserved
RR_CLASSES = frozenset(("IN", "CS", "CH", "HS", "NONE", "ANY"))


@value_type("rrtype")
def _rrtype(text, param):
    """A record type name as dns.StringToType knows it: case-sensitive, unless `rrtype(upper)`."""
    if (text.upper() if param == "upper" else text) not in RR_TYPES:
        return f"invalid type {text!r}"
    return None


@value_type("rrclass")
def _rrclass(text, param):
    """A class name as dns.StringToClass knows it: case-sensitive, unless `rrclass(upper)`."""
    if (text.upper() if param == "upper" else text) not in RR_CLASSES:
        return f"invalid class {text!r}"
    return None


@value_type("qtype")
def _qtype(text, param):
    import dns.rdatatype

    if param == "any" and text in ("*", "ANY"):
        return None
    try:
        dns.rdatatype.from_text(text.upper())
    except Exception:
        return f"invalid type {text!r}"
    return None


@value_type("path")
def _path(text, param):
    if not text:
        return "empty file path"
    return None


# Types whose parameter is a range. An optional slot of such a type takes every word of the type, in range or
# not, the way setup code parses first and range-checks after (spec.Slot.fits).
RANGED = frozenset(("int", "duration", "float", "seconds_or_duration"))

_GO_BOOLS = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")


@value_type("bool")
def _bool(text, param):
    """strconv.ParseBool."""
    if text not in _GO_BOOLS:
        return f'strconv.ParseBool: parsing "{text}": invalid syntax'
    return None


def go_parse_float(text: str) -> Optional[float]:
    """strconv.ParseFloat(text, 64): decimal or hex mantissa, inf/infinity/nan in any case."""
    if not text or text != text.strip() or "_" in text:
        return None
    body = text.lstrip("+-")
    try:
        if body[:2].lower() == "0x":
            return float.fromhex(text)
        return float(text)
    except ValueError:
        return None


@value_type("float")
def _float(text, param):
    """strconv.ParseFloat, optionally within a range."""
    v = go_parse_float(text)
    if v is None:
        return f'strconv.ParseFloat: parsing "{text}": invalid syntax'
    return _in_range(v, param, text, "value")


@value_type("ienum")
def _ienum(text, param):
    """An enumeration the plugin lower-cases before comparing (strings.ToLower)."""
    choices = param.split("|")
    if text.lower() not in choices:
        return f"unknown value '{text}' (expected one of: {', '.join(choices)})"
    return None


@value_type("hostport")
def _hostport(text, param):
    """Only net.SplitHostPort is applied: `HOST:PORT` with either part possibly empty, checked later."""
    if split_go_hostport(text) is None:
        return f"address {text}: missing port in address"
    return None


@value_type("seconds_or_duration")
def _seconds_or_duration(text, param):
    """A bare integer is seconds, anything else a Go duration (plugin/pkg/durations NewDurationFromArg)."""
    v = float(go_atoi(text)) if go_atoi(text) is not None else parse_go_duration(text)
    if v is None:
        return f"failed to parse duration '{text}'"
    return _in_range(v, param, text, "duration")


# ---------------------------------------------------------------- Go regexp (RE2 syntax, regexp.Compile)
#
# A port of the checks in Go's regexp/syntax parser (parse.go, Perl flags) as CoreDNS 1.14 builds it (Go 1.26:
# `(?<name>` named groups from Go 1.22, Unicode class names matched loosely with aliases from Go 1.25). It only
# decides whether the expression compiles and how many groups capture; Python's re accepts and refuses other
# things (lookaround, backreferences, `\Z`, `a++`, `\pL`, `x{1001}`, `(?i)` mid-expression).

_GO_RE_POSIX = frozenset(f"[:{neg}{name}:]" for neg in ("", "^") for name in (
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper",
    "word", "xdigit"))
_GO_RE_PERL = frozenset(("\\d", "\\D", "\\s", "\\S", "\\w", "\\W"))
# unicode.Categories keys (Go 1.25: also Cn and LC, looked up as "Lc") and unicode.CategoryAliases names.
_GO_RE_CATEGORIES = frozenset(
    "C Cc Cf Cn Co Cs L Lc Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp "
    "Zs".split())
_GO_RE_CATEGORY_ALIASES = (
    "Cased_Letter Close_Punctuation Connector_Punctuation Control Currency_Symbol Dash_Punctuation Decimal_Number "
    "Enclosing_Mark Final_Punctuation Format Initial_Punctuation Letter Letter_Number Line_Separator "
    "Lowercase_Letter Mark Math_Symbol Modifier_Letter Modifier_Symbol Nonspacing_Mark Number Open_Punctuation "
    "Other Other_Letter Other_Number Other_Punctuation Other_Symbol Paragraph_Separator Private_Use Punctuation "
    "Separator Space_Separator Spacing_Mark Surrogate Symbol Titlecase_Letter Unassigned Uppercase_Letter cntrl "
    "Combining_Mark digit punct").split()
# unicode.Scripts keys (Unicode 15.0, Go 1.21 on).
_GO_RE_SCRIPTS = (
    "Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki "
    "Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee "
    "Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra "
    "Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati "
    "Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited "
    "Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi "
    "Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian "
    "Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui "
    "Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari "
    "Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic "
    "Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage "
    "Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan "
    "Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri "
    "Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan "
    "Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square").split()


def _go_re_canonical(name: str) -> str:
    """regexp/syntax canonicalName: first letter upper, the rest lower, no `_`, `-` or space."""
    out, first = [], True
    for c in name:
        if c in "_- ":
            continue
        if first:
            c = c.upper() if "a" <= c <= "z" else c
            first = False
        elif "A" <= c <= "Z":
            c = c.lower()
        out.append(c)
    return "".join(out)


_GO_RE_UNICODE = frozenset(
    {"Any", "Assigned", "Ascii"} | _GO_RE_CATEGORIES
    | {_go_re_canonical(n) for n in _GO_RE_CATEGORY_ALIASES} | {_go_re_canonical(n) for n in _GO_RE_SCRIPTS}
    | set(_GO_RE_SCRIPTS))


class _GoReError(Exception):
    def __init__(self, code: str, expr: str):
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


class _GoReNode:
    __slots__ = ("op", "subs", "min", "max", "cap")

    def __init__(self, op, subs=(), min=0, max=0, cap=False):
        self.op, self.subs, self.min, self.max, self.cap = op, list(subs), min, max, cap


_PSEUDO = ("(", "|")


def _go_re_repeat_valid(node, n: int) -> bool:
    """repeatIsValid: nested counted repetitions multiply to at most n."""
    if node.op == "repeat":
        m = node.max
        if m == 0:
            return True
        if m < 0:
            m = node.min
        if m > n:
            return False
        if m > 0:
            n //= m
    return all(_go_re_repeat_valid(s, n) for s in node.subs)


def _go_re_height(node) -> int:
    todo, best = [(node, 1)], 0
    while todo:
        cur, h = todo.pop()
        best = max(best, h)
        todo.extend((s, h + 1) for s in cur.subs)
    return best


def _go_re_int(s: str):
    """parseInt: (value or -1 when too big, rest) or None; no leading zeros."""
    if not s or not "0" <= s[0] <= "9" or (len(s) >= 2 and s[0] == "0" and "0" <= s[1] <= "9"):
        return None
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    v = int(s[:i])
    return (v if v < 10 ** 8 else -1), s[i:]


def _go_re_parse_repeat(s: str):
    """parseRepeat on `{...`: (min, max, rest) or None when `{` is a literal."""
    got = _go_re_int(s[1:])
    if got is None:
        return None
    lo, s = got
    if not s:
        return None
    if s[0] != ",":
        hi = lo
    else:
        s = s[1:]
        if not s:
            return None
        if s[0] == "}":
            hi = -1
        else:
            got = _go_re_int(s)
            if got is None:
                return None
            hi, s = got
            if hi < 0:
                lo = -1
    if not s or s[0] != "}":
        return None
    return lo, hi, s[1:]


def _go_re_unhex(c: str) -> int:
    return int(c, 16) if c and c in "0123456789abcdefABCDEF" else -1


def _go_re_escape(s: str):
    """parseEscape on `\\...`: (rune, rest)."""
    t = s[1:]
    if not t:
        raise _GoReError("trailing backslash at end of expression", "")
    c, t = t[0], t[1:]
    if c < "\x80" and not (c.isascii() and c.isalnum()):
        return c, t
    if c in "1234567" and (not t or not "0" <= t[0] <= "7"):
        raise _GoReError("invalid escape sequence", s[:len(s) - len(t)])
    if c in "01234567":
        value = int(c)
        for _ in range(2):
            if not t or not "0" <= t[0] <= "7":
                break
            value, t = value * 8 + int(t[0]), t[1:]
        return chr(value), t
    if c == "x" and t:
        c, t = t[0], t[1:]
        if c == "{":
            digits = 0
            value = 0
            while t:
                c, t = t[0], t[1:]
                if c == "}":
                    if digits:
                        return chr(value), t
                    break
                v = _go_re_unhex(c)
                if v < 0:
                    break
                value = value * 16 + v
                if value > 0x10FFFF:
                    break
                digits += 1
        else:
            x = _go_re_unhex(c)
            c, t = (t[0], t[1:]) if t else ("", t)
            if x >= 0 and _go_re_unhex(c) >= 0:
                return chr(x * 16 + _go_re_unhex(c)), t
    elif c in "afnrtv":
        return "\a\f\n\r\t\v"["afnrtv".index(c)], t
    raise _GoReError("invalid escape sequence", s[:len(s) - len(t)])


def _go_re_unicode_class(s: str):
    """parseUnicodeClass on `\\p...`/`\\P...`: the rest after it (it must name a class)."""
    t = s[2:]
    c, t = (t[0], t[1:]) if t else ("\ufffd", t)
    if c != "{":
        seq, name = s[:len(s) - len(t)], c if c != "\ufffd" or s[2:3] else ""
    else:
        end = s.find("}")
        if end < 0:
            raise _GoReError("invalid character class range", s)
        seq, t, name = s[:end + 1], s[end + 1:], s[3:end]
    if name.startswith("^"):
        name = name[1:]
    if name not in _GO_RE_UNICODE and _go_re_canonical(name) not in _GO_RE_UNICODE:
        raise _GoReError("invalid character class range", seq)
    return t


def _go_re_class(s: str) -> str:
    """parseClass on `[...`: the rest after the closing `]`."""
    t = s[1:]
    if t.startswith("^"):
        t = t[1:]
    first = True
    while not t or t[0] != "]" or first:
        first = False
        if len(t) > 2 and t[0] == "[" and t[1] == ":":
            i = t.find(":]", 2)
            if i >= 0:
                name = t[:i + 2]
                if name not in _GO_RE_POSIX:
                    raise _GoReError("invalid character class range", name)
                t = t[i + 2:]
                continue
        if len(t) >= 2 and t[0] == "\\" and t[1] in "pP":
            t = _go_re_unicode_class(t)
            continue
        if t[:2] in _GO_RE_PERL:
            t = t[2:]
            continue
        rng = t
        lo, t = _go_re_class_char(t, s)
        hi = lo
        if len(t) >= 2 and t[0] == "-" and t[1] != "]":
            hi, t = _go_re_class_char(t[1:], s)
            if hi < lo:
                raise _GoReError("invalid character class range", rng[:len(rng) - len(t)])
    return t[1:]


def _go_re_class_char(s: str, whole: str):
    if not s:
        raise _GoReError("missing closing ]", whole)
    if s[0] == "\\":
        return _go_re_escape(s)
    return s[0], s[1:]


def _go_re_capture_name(name: str) -> bool:
    return bool(name) and all(c == "_" or (c.isascii() and c.isalnum()) for c in name)


def _go_re_parse(expr: str) -> int:
    """regexp.Compile's parse: the number of capturing groups, or _GoReError."""
    stack: list = []
    ncap = 0

    def push(node):
        stack.append(node)
        return node

    def collapse(subs, op):
        if len(subs) == 1:
            return subs[0]
        flat = []
        for sub in subs:
            flat.extend(sub.subs if sub.op == op else [sub])
        return _GoReNode(op, flat)

    def gather(op, empty):
        """The nodes pushed since the last `(` or `|` marker, taken off the stack and pushed back as one `op`
        node (`empty` when there are none)."""
        i = len(stack)
        while i > 0 and stack[i - 1].op not in _PSEUDO:
            i -= 1
        subs = stack[i:]
        del stack[i:]
        push(collapse(subs, op) if subs else _GoReNode(empty))

    def concat():
        gather("concat", "empty")

    def alternate():
        gather("alt", "nomatch")

    def is_char_class(node):
        return node.op in ("lit", "class", "any")

    def swap_vertical_bar():
        n = len(stack)
        if n >= 3 and stack[n - 2].op == "|" and is_char_class(stack[n - 1]) and is_char_class(stack[n - 3]):
            stack[n - 3] = _GoReNode("class")
            stack.pop()
            return True
        if n >= 2 and stack[n - 2].op == "|":
            stack[n - 2], stack[n - 1] = stack[n - 1], stack[n - 2]
            return True
        return False

    def repeat(op, lo, hi, before, after, last):
        if after.startswith("?"):
            after = after[1:]
        if last:
            raise _GoReError("invalid nested repetition operator", last[:len(last) - len(after)])
        if not stack or stack[-1].op in _PSEUDO:
            raise _GoReError("missing argument to repetition operator", before[:len(before) - len(after)])
        node = stack[-1] = _GoReNode(op, [stack[-1]], lo, hi)
        if op == "repeat" and (lo >= 2 or hi >= 2) and not _go_re_repeat_valid(node, 1000):
            raise _GoReError("invalid repeat count", before[:len(before) - len(after)])
        return after

    def perl_flags(s):
        nonlocal ncap
        named_p = len(s) > 4 and s[2] == "P" and s[3] == "<"
        if named_p or (len(s) > 3 and s[2] == "<"):
            end = s.find(">")
            if end < 0:
                raise _GoReError("invalid named capture", s)
            if not _go_re_capture_name(s[4 if named_p else 3:end]):
                raise _GoReError("invalid named capture", s[:end + 1])
            ncap += 1
            push(_GoReNode("(", cap=True))
            return s[end + 1:]
        t = s[2:]
        sign, saw = 1, False
        while t:
            c, t = t[0], t[1:]
            if c in "imsU":
                saw = True
            elif c == "-":
                if sign < 0:
                    break
                sign, saw = -1, False
            elif c in ":)":
                if sign < 0 and not saw:
                    break
                if c == ":":
                    push(_GoReNode("("))
                return t
            else:
                break
        raise _GoReError("invalid or unsupported Perl syntax", s[:len(s) - len(t)])

    t = expr
    last = ""
    while t:
        rep = ""
        c = t[0]
        if c == "(":
            if len(t) >= 2 and t[1] == "?":
                t = perl_flags(t)
            else:
                ncap += 1
                push(_GoReNode("(", cap=True))
                t = t[1:]
        elif c == "|":
            concat()
            if not swap_vertical_bar():
                push(_GoReNode("|"))
            t = t[1:]
        elif c == ")":
            concat()
            if swap_vertical_bar():
                stack.pop()
            alternate()
            if len(stack) < 2 or stack[-2].op != "(":
                raise _GoReError("unexpected )", expr)
            inner, paren = stack.pop(), stack.pop()
            push(_GoReNode("capture", [inner]) if paren.cap else inner)
            t = t[1:]
        elif c in "^$":
            push(_GoReNode("anchor"))
            t = t[1:]
        elif c == ".":
            push(_GoReNode("any"))
            t = t[1:]
        elif c == "[":
            t = _go_re_class(t)
            push(_GoReNode("class"))
        elif c in "*+?":
            before = t
            t = repeat({"*": "star", "+": "plus", "?": "quest"}[c], 0, 0, before, t[1:], last)
            rep = before
        elif c == "{":
            got = _go_re_parse_repeat(t)
            if got is None:
                push(_GoReNode("lit"))
                t = t[1:]
            else:
                lo, hi, after = got
                if lo < 0 or lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
                    raise _GoReError("invalid repeat count", t[:len(t) - len(after)])
                before = t
                t = repeat("repeat", lo, hi, before, after, last)
                rep = before
        elif c == "\\":
            nxt = t[1:2]
            if nxt in ("A", "b", "B", "z"):
                push(_GoReNode("anchor"))
                t = t[2:]
            elif nxt == "C":
                raise _GoReError("invalid escape sequence", t[:2])
            elif nxt == "Q":
                lit, _, t = t[2:].partition("\\E")
                for _ in lit:
                    push(_GoReNode("lit"))
            elif nxt in ("p", "P"):
                t = _go_re_unicode_class(t)
                push(_GoReNode("class"))
            elif t[:2] in _GO_RE_PERL:
                t = t[2:]
                push(_GoReNode("class"))
            else:
                _, t = _go_re_escape(t)
                push(_GoReNode("lit"))
        else:
            push(_GoReNode("lit"))
            t = t[1:]
        last = rep
    concat()
    if swap_vertical_bar():
        stack.pop()
    alternate()
    if len(stack) != 1:
        raise _GoReError("missing closing )", expr)
    if _go_re_height(stack[0]) > 1000:
        raise _GoReError("expression nests too deeply", expr)
    return ncap


def go_regexp(text: str):
    """(Go's regexp.Compile error or None, number of capturing groups)."""
    try:
        return None, _go_re_parse(text)
    except _GoReError as e:
        return str(e), 0
    except RecursionError:
        return f"error parsing regexp: expression nests too deeply: `{text}`", 0


@value_type("go_regexp")
def _go_regexp(text, param):
    """A Go regular expression (regexp.Compile, RE2 syntax), checked as Go's parser does."""
    return go_regexp(text)[0]
