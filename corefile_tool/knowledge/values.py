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


@value_type("ip_or_cidr")
def _ip_or_cidr(text, param):
    return _ip(text, param) if "/" not in text else _cidr(text, param)


def split_go_hostport(text: str):
    """Go net.SplitHostPort: (host, port) or None."""
    if text.startswith("["):
        end = text.find("]")
        if end == -1 or not text[end + 1:].startswith(":") or ":" in text[end + 2:]:
            return None
        return text[1:end], text[end + 2:]
    if text.count(":") != 1:
        return None
    host, port = text.split(":")
    return host, port


@value_type("port")
def _port(text, param):
    v = go_atoi(text)
    if v is None or not 0 <= v <= 65535:
        return f"invalid port: {text}"
    return None


@value_type("listen")
def _listen(text, param):
    """A listen address `[HOST]:PORT` (net.Listen): host may be empty, port required."""
    hp = split_go_hostport(text)
    if hp is None:
        return f"address {text}: missing port in address"
    host, port = hp
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
    "NSAP-PTR").split())
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
