"""Server-block keys as CoreDNS reads them: transport, zones (CIDR keys become reverse zones) and port.

Sources: coredns plugin/pkg/parse/transport.go `Transport`, plugin/normalize.go `SplitHostPort`,
plugin/pkg/cidr/cidr.go `Split`/`Reverse`, core/dnsserver/register.go `InspectServerBlocks`;
miekg/dns defaults.go `IsDomainName`/`Fqdn`. See ../shared/spec/server-blocks-and-routing.md §1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# Prefixes in the order CoreDNS tries them, with each transport's default port ("" = none).
TRANSPORTS = (
    ("tls", "853"),
    ("dns", "53"),
    ("quic", "853"),
    ("grpc", "443"),
    ("https3", "443"),
    ("https", "443"),
    ("unix", ""),
)
DEFAULT_PORT = dict(TRANSPORTS)


@dataclass(frozen=True)
class Address:
    transport: str
    zones: Optional[tuple]        # normalised zones (lower-case FQDN), None when the key is invalid
    port: Optional[str]
    error: Optional[str] = None   # CoreDNS's message when the key is invalid

    def keys(self) -> list[str]:
        """The normalised `transport://zone:port` strings plugins see (zoneAddr.String)."""
        return [f"{self.transport}://{z}:{self.port}" for z in (self.zones or ())]


def split_transport(key: str) -> tuple[str, str]:
    for name, _ in TRANSPORTS:
        prefix = name + "://"
        if key.startswith(prefix):
            return name, key[len(prefix):]
    return "dns", key


def is_fqdn(s: str) -> bool:
    """miekg/dns IsFqdn: a final dot not escaped by an odd run of backslashes. Go counts that run as
    `len(s) - i`, with i the byte offset of the last character that is not a backslash, so that character's
    UTF-8 length is added to the count: after "é" (two bytes) one backslash leaves the dot unescaped."""
    if not s.endswith("."):
        return False
    body = s[:-1]
    if not body.endswith("\\"):
        return True
    rest = body.rstrip("\\")
    run = len(body) - len(rest)
    width = len(rest[-1].encode("utf-8", "surrogatepass")) if rest else 1
    return (run + width) % 2 != 0


def fqdn(s: str) -> str:
    return s if is_fqdn(s) else s + "."


_DDD = re.compile(rb"[0-9]{3}")


def is_domain_name(s: str) -> bool:
    """miekg/dns IsDomainName: permissive (any character but structural dots and escapes), counted in bytes."""
    if not s:
        return False
    b = fqdn(s).encode("utf-8", "surrogatepass")
    off = begin = 0
    was_dot = escape = False
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c == 0x5C:  # backslash
            escape = not escape
            if off + 1 > 256:
                return False
            if _DDD.match(b, i + 1):
                i += 3
                begin += 3
            else:
                i += 1
                begin += 1
            was_dot = False
        elif c == 0x2E:  # dot
            escape = False
            if i == 0 and n > 1:
                return False
            if was_dot:
                return False
            was_dot = True
            label_len = i - begin
            if label_len >= 64:
                return False
            off += 1 + label_len
            if off > 256:
                return False
            begin = i + 1
        else:
            escape = False
            was_dot = False
        i += 1
    return not escape


def _go_atoi(s: str) -> Optional[int]:
    """Go strconv.Atoi: optional sign, ASCII digits only, 64-bit range."""
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        return None
    v = int(s)
    if not -(2 ** 63) <= v < 2 ** 63:
        return None
    return v


def _parse_cidr(s: str):
    """Go net.ParseCIDR: an IP address, a slash and a decimal prefix length; None otherwise."""
    if "/" not in s:
        return None
    addr, _, bits = s.rpartition("/")
    if not bits.isascii() or not bits.isdigit() or "%" in addr:
        return None
    try:
        import ipaddress  # only CIDR keys need it; most Corefiles have none, and start-up time counts

        return ipaddress.ip_network(f"{addr}/{int(bits)}", strict=False)
    except ValueError:
        return None


def reverse_zones(net) -> list[str]:
    """CIDR → reverse zones; a prefix that is not on an octet (nibble) boundary is split into several zones."""
    boundary = 8 if net.version == 4 else 4
    rounded = -(-net.prefixlen // boundary) * boundary
    subnets = [net] if rounded == net.prefixlen else list(net.subnets(new_prefix=rounded))
    zones = []
    for sub in subnets:
        labels = sub.network_address.reverse_pointer.split(".")
        drop = (sub.max_prefixlen - rounded) // boundary
        zones.append(".".join(labels[drop:]) + ".")
    return zones


def split_host_port(s: str) -> tuple[list[str], str]:
    """SplitHostPort: hosts (one, or the reverse zones of a CIDR) and the port; ValueError with CoreDNS's text."""
    port = ""
    colon = s.rfind(":")
    if colon == len(s) - 1:
        raise ValueError(f"expecting data after last colon: {_go_quote(s)}")
    if colon != -1:
        p = _go_atoi(s[colon + 1:])
        if p is not None:
            port = str(p)
            s = s[:colon]
    if len(s.encode("utf-8", "surrogatepass")) > 255:
        raise ValueError(f"specified zone is too long: {len(s.encode('utf-8', 'surrogatepass'))} > 255")
    if not is_domain_name(s):
        raise ValueError(f"zone is not a valid domain name: {s}")
    net = _parse_cidr(s)
    if net is None:
        return [s], port
    if s[0] == ":" or (s[0] == "0" and ":" in s):
        raise ValueError(f"invalid CIDR {s}")
    return reverse_zones(net), port


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               '"': '\\"', "\\": "\\\\"}


def _go_quote(s: str) -> str:
    """Go's %q (strconv.Quote): printable characters as they are (Go's unicode.IsPrint is Python's
    str.isprintable), the rest escaped."""
    out = ['"']
    for c in s:
        escaped = _GO_ESCAPES.get(c)
        if escaped is not None:
            out.append(escaped)
        elif c.isprintable():
            out.append(c)
        else:
            n = ord(c)
            if n < 0x20 or n == 0x7F:
                out.append(f"\\x{n:02x}")
            elif 0xD800 <= n < 0xE000:   # not a valid rune on its own: Go writes U+FFFD
                out.append("\\ufffd")
            elif n < 0x10000:
                out.append(f"\\u{n:04x}")
            else:
                out.append(f"\\U{n:08x}")
    out.append('"')
    return "".join(out)


def go_lower(s: str) -> str:
    """Go strings.ToLower: each character's own lower case (unicode.ToLower). Python's str.lower differs twice:
    it maps U+0130 to two characters ("i" and a combining dot; Go gives "i") and lower-cases a final capital
    sigma to "ς" (Go gives "σ" wherever it stands)."""
    if s.isascii():
        return s.lower()
    return "".join(["i" if c == "\u0130" else c.lower() for c in s])


def normalize_zone(host: str, lowercase: bool = True) -> str:
    """Name.Normalize: FQDN, lower-cased with Go's strings.ToLower (plugin/normalize.go; lower-casing of keys
    started in CoreDNS 1.14.7)."""
    z = fqdn(host)
    return go_lower(z) if lowercase else z


# The shape nearly every key has (`example.org`, `.:53`, `dns://svc.cluster.local.:1053`): plain labels and an
# optional port without leading zeros. For it the general path below gives exactly the answer this one does.
_PLAIN_KEY = re.compile(r"(?:dns://)?((?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?|\.)(?::([1-9][0-9]{0,4}))?")


def inspect_key(key: str, lowercase: bool = True) -> Address:
    """A server-block key as CoreDNS's InspectServerBlocks sees it."""
    plain = _PLAIN_KEY.fullmatch(key)
    if plain is not None and len(key) <= 240:
        host, port = plain.groups()
        return Address("dns", (normalize_zone(host, lowercase),), port or "53")
    return _inspect_key(key, lowercase)


def _inspect_key(key: str, lowercase: bool = True) -> Address:
    transport, rest = split_transport(key)
    try:
        hosts, port = split_host_port(rest)
        for h in hosts:
            split_host_port(fqdn(h))
    except ValueError as e:
        return Address(transport, None, None, str(e))
    if not port:
        port = DEFAULT_PORT.get(transport, "53")
    return Address(transport, tuple(normalize_zone(h, lowercase) for h in hosts), port)


def zones_from_args(args: list[str], block_zones: list[str]) -> list[str]:
    """OriginsFromArgsOrServerBlock: a plugin's zone arguments (normalised, CIDRs expanded, invalid ones
    dropped), or all the server block's zones when it has none."""
    if not args:
        return list(block_zones)
    zones = []
    for a in args:
        try:
            hosts, _ = split_host_port(split_transport(a)[1])
        except ValueError:
            continue
        zones.extend(normalize_zone(h) for h in hosts)
    return zones
