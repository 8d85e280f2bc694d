"""Pieces of CoreDNS's setup code that several plugin modules share (no PLUGIN here).

Each function mirrors one CoreDNS helper, named in its docstring; check functions yield
(token, message[, severity[, code]]) as linter/directives.py expects.
"""
from __future__ import annotations

import ipaddress
import os
from typing import Iterable, Optional

from .. import values

EXTERNAL_FILE = "external-file"


def go_parse_ip(text: str) -> bool:
    """net.ParseIP: an IPv4 or IPv6 address, no zone, no brackets."""
    return values.check("ip", "", text) is None


def normalizes(text: str) -> bool:
    """plugin.Host(text).NormalizeExact() gives at least one zone."""
    return values.check("zone", "", text) is None


def ignored_zones(tokens) -> Iterable:
    """plugin.OriginsFromArgsOrServerBlock drops the zones it cannot normalise without a word: say so."""
    for tok in tokens:
        if not normalizes(tok.text):
            yield (tok, f"'{tok.text}' is not a valid zone; CoreDNS silently ignores it", "warning")


def origins(tokens, ctx) -> list[str]:
    """plugin.OriginsFromArgsOrServerBlock: the zones a plugin serves, from its arguments (every zone a CIDR
    expands to) or else the server block's keys (the first zone of each)."""
    from ...addresses import normalize_zone, split_host_port, split_transport

    out = []
    from_args = bool(tokens)
    texts = [t.text for t in tokens] if from_args else [k.text for k in (ctx.block.keys if ctx.block else [])]
    for text in texts:
        try:
            hosts = split_host_port(split_transport(text)[1])[0]
        except ValueError:
            continue
        zones = [normalize_zone(h) for h in hosts]
        out.extend(zones if from_args else zones[:1])
    return out


def is_reverse_zone(zone: str) -> bool:
    """dnsutil.IsReverse: under in-addr.arpa. or ip6.arpa."""
    z = zone.lower()
    return z.endswith("in-addr.arpa.") or z.endswith("ip6.arpa.")


def go_split_host_port(text: str):
    """net.SplitHostPort: (host, port) or None."""
    return values.split_go_hostport(text)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               '"': '\\"', "\\": "\\\\"}


def go_quote(text: str) -> str:
    """Go's %q of a string (strconv.Quote): double quotes, backslash escapes, printable runes kept as they are."""
    out = []
    for c in text:
        if c in _GO_ESCAPES:
            out.append(_GO_ESCAPES[c])
        elif c.isprintable():
            out.append(c)
        elif ord(c) < 0x80:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def _http_servers(ctx) -> list:
    """The HTTP servers the plugins with Plugin.http_server start, in Corefile order: (plugin, address, token)
    per server block and plugin, the address being the last one given there (health reads every `health` of a
    block and keeps the last ADDRESS; the others take one)."""
    from .. import registry

    cache = ctx._cache.get("http-servers") if hasattr(ctx, "_cache") else None
    if cache is not None:
        return cache
    out = []
    for block in ctx.corefile.server_blocks:
        chosen: dict = {}
        for d in block.directives:
            plugin = registry.get(d.name)
            if plugin is None or not plugin.http_server or not ctx.has_plugin(d.name):
                continue
            if d.args:
                chosen[d.name] = (plugin, d.args[0].text, d.args[0])
            elif d.name not in chosen:
                chosen[d.name] = (plugin, plugin.http_server, d.name_token)
        out.extend(chosen.values())
    if hasattr(ctx, "_cache"):
        ctx._cache["http-servers"] = out
    return out


def _listen_parts(address: str):
    """(host, port) as net.Listen binds them: no host is every address; `localhost` is 127.0.0.1."""
    hp = values.split_go_hostport(address)
    if hp is None:
        return None
    host, port = hp
    if host in ("", "0.0.0.0", "::"):
        host = "*"
    elif host == "localhost":
        host = "127.0.0.1"
    return host, port


def http_server_conflicts(directive, ctx):
    """A check: two HTTP servers (health, ready, pprof, prometheus) on one address, across server blocks.

    Before 1.6.6 each server bound with net.Listen, so the second one failed ("address already in use");
    from 1.6.6 on they bind with SO_REUSEPORT (plugin/pkg/reuseport) and both start, the kernel spreading
    connections between them, which matters when the two serve different paths. Setups naming the same
    address string of a plugin with http_server_shared start one server (uniq.Set)."""
    found = ctx._cache.get("http-server-conflicts")
    if found is None:
        found = ctx._cache["http-server-conflicts"] = _http_server_conflicts(ctx)
    token = directive.args[0] if directive.args else directive.name_token
    item = found.get(id(token))
    if item is not None and item[0] is token:
        yield item


def _http_server_conflicts(ctx) -> dict:
    """id(token) -> (token, message[, severity]) for each server that collides with an earlier one."""
    from ..spec import version_tuple

    old = version_tuple(ctx.version) < (1, 6, 6)
    # port -> host -> plugin name -> address -> (plugin, token) of the first such server
    seen: dict = {}
    out: dict = {}
    for plugin, address, token in _http_servers(ctx):
        here = _listen_parts(address)
        if here is None or here[1] in ("0", ""):
            continue
        host, port = here
        hosts = seen.setdefault(port, {})
        places = hosts.values() if host == "*" else [hosts.get(host, {}), hosts.get("*", {})]
        hit = None
        for by_plugin in places:
            for name, addresses in by_plugin.items():
                for other_address, (other_plugin, other_token) in addresses.items():
                    if other_plugin is plugin and (not old or (plugin.http_server_shared and other_address == address)):
                        continue
                    hit = (other_plugin, other_address, other_token)
                    break
                if hit:
                    break
            if hit:
                break
        hosts.setdefault(host, {}).setdefault(plugin.name, {}).setdefault(address, (plugin, token))
        if hit is None:
            continue
        other_plugin, other_address, other_token = hit
        where = f"{other_plugin.name} {other_address} (line {other_token.line})"
        if old:
            out[id(token)] = (token, f"listen tcp {address}: bind: address already in use: {where} listens there "
                                     "too (CoreDNS 1.6.6 and later share the port)")
        else:
            out[id(token)] = (token, f"{plugin.name} {address} and {where} both listen on port {port}: with "
                                     "SO_REUSEPORT both start and the kernel spreads connections between the two "
                                     f"servers, so some requests for {plugin.name} reach {other_plugin.name} and "
                                     "fail", "warning")
    return out


def go_underscore_ok(text: str) -> bool:
    """strconv's underscoreOK: in a base-0 number, `_` only between digits or after a 0x/0o/0b prefix."""
    s = text[1:] if text[:1] in "+-" else text
    saw, i, hexa = "^", 0, False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def go_parse_uint(text: str, bits: int, base: int = 10) -> Optional[int]:
    """strconv.ParseUint(text, base, bits); base 0 also takes 0x, 0o, 0b prefixes and underscores."""
    s = text
    if base == 0:
        low = s.lower()
        if low.startswith("0x"):
            base, s = 16, s[2:]
        elif low.startswith("0o"):
            base, s = 8, s[2:]
        elif low.startswith("0b"):
            base, s = 2, s[2:]
        elif len(s) > 1 and s.startswith("0"):
            base, s = 8, s[1:]
        else:
            base = 10
        if "_" in s:
            if not go_underscore_ok(text):
                return None
            s = s.replace("_", "")
    if not s or not all(c.isascii() and c.isalnum() for c in s):
        return None
    try:
        v = int(s, base)
    except ValueError:
        return None
    return v if v < 2 ** bits else None


def duration_seconds(text: str) -> Optional[float]:
    return values.parse_go_duration(text)


def go_duration(tok, context: str = ""):
    """time.ParseDuration on a word: (seconds, None), or (None, (token, Go's error)) with the error prefixed by
    `context` the way setup wraps it."""
    seconds = values.parse_go_duration(tok.text)
    if seconds is None:
        return None, (tok, context + (values.go_duration_error(tok.text) or f'time: invalid duration "{tok.text}"'))
    return seconds, None


def config_root(ctx) -> str:
    """The `root` directive of the server block (config.Root): relative file names are joined to it."""
    block = getattr(ctx, "block", None)
    root = ""
    if block is not None:
        for d in block.directives:
            if d.name == "root" and d.args:
                root = d.args[0].text
    return root


def locate(ctx, token, name: str, use_root: bool = True) -> Optional[str]:
    """Where the file CoreDNS would open is on this machine, or None when it is not here.

    Relative names are read from CoreDNS's working directory, which is unknown here: the Corefile's own
    directory stands in for it."""
    path = name
    root = config_root(ctx) if use_root else ""
    if not os.path.isabs(path) and root:
        path = os.path.join(root, path)
    if not os.path.isabs(path):
        main = ctx.corefile.path
        base = os.path.dirname(token.file) if token.file else (
            os.path.dirname(os.path.abspath(main)) if main and main != "-" else os.getcwd())
        path = os.path.join(base, path)
    return path if os.path.exists(path) else None


def missing_file(token, name: str, what: str):
    return (token, f"cannot check: {what} '{name}' not found here (CoreDNS reads it at start-up)", "info",
            EXTERNAL_FILE)


def resolv_conf(path: str) -> tuple[list[str], list[str]]:
    """dns.ClientConfigFromFile: the nameserver and search lines of a resolv.conf (servers, search)."""
    servers, search = [], []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return servers, search
    for line in lines:
        words = line.split()
        if not words or words[0].startswith(("#", ";")):
            continue
        if words[0] == "nameserver" and len(words) > 1:
            servers.append(words[1])
        elif words[0] in ("search", "domain") and len(words) > 1:
            search = words[1:]
    return servers, search


def ip_network(text: str) -> Optional[ipaddress._BaseNetwork]:
    """net.ParseCIDR: ADDRESS/PREFIX, the address not masked (so 10.1.2.3/8 is fine)."""
    if "/" not in text or "%" in text or not text.rsplit("/", 1)[1].isdigit():
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


# Go net/url.Parse, the checks that make it fail (url.go: getScheme, parse, parseAuthority, parseHost, unescape).
_URL_HOST_OK = set("!$&'()*+,;=:[]<>\"-_.~")
_URL_USERINFO_OK = set("-._:~!$&'()*+,;=%@")


def _url_unescape_error(s: str, mode: str) -> Optional[str]:
    """net/url unescape's refusals for `mode` "host", "zone" or "other" (path, fragment, user info)."""
    data = s.encode("utf-8", "surrogateescape")
    hexdigits = b"0123456789abcdefABCDEF"
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x25:  # '%'
            if i + 2 >= len(data) or data[i + 1] not in hexdigits or data[i + 2] not in hexdigits:
                return f'invalid URL escape "{data[i:i + 3].decode("utf-8", "replace")}"'
            if mode == "host" and int(chr(data[i + 1]), 16) < 8 and data[i:i + 3] != b"%25":
                return f'invalid URL escape "{data[i:i + 3].decode()}"'
            if mode == "zone":
                v = int(data[i + 1:i + 3], 16)
                if data[i:i + 3] != b"%25" and v != 0x20 and not (chr(v).isascii() and (
                        chr(v).isalnum() or chr(v) in _URL_HOST_OK)):
                    return f'invalid URL escape "{data[i:i + 3].decode()}"'
            i += 3
            continue
        if mode in ("host", "zone") and c < 0x80 and not (chr(c).isalnum() or chr(c) in _URL_HOST_OK):
            return f'invalid character "{chr(c)}" in host name'
        i += 1
    return None


def _url_valid_port(colon_port: str) -> bool:
    return colon_port == "" or (colon_port[0] == ":" and all("0" <= c <= "9" for c in colon_port[1:]))


def go_url_parse_error(raw: str) -> Optional[str]:
    """Why Go's url.Parse refuses `raw`, or None when it parses (any scheme, relative references too), as CoreDNS
    1.14 builds it (Go 1.26 toolchain, go.mod `go 1.25`)."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return "net/url: invalid control character in URL"
    u, _, frag = raw.partition("#")
    if u == "*":
        rest, scheme = "", ""
    else:
        scheme, rest = "", u
        for i, c in enumerate(u):
            if c.isascii() and c.isalpha():
                continue
            if c.isascii() and (c.isdigit() or c in "+-."):
                if i == 0:
                    break
                continue
            if c == ":":
                if i == 0:
                    return "missing protocol scheme"
                scheme, rest = u[:i], u[i + 1:]
            break
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            rest = ""    # rootless: opaque, not checked further
        elif ":" in rest.partition("/")[0]:
            return "first path segment in URL cannot contain colon"
    if (scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        at = authority.rfind("@")
        host = authority[at + 1:]
        if host.startswith("["):
            close = host.rfind("]")
            if close < 0:
                return "missing ']' in host"
            if not _url_valid_port(host[close + 1:]):
                return f'invalid port "{host[close + 1:]}" after host'
            zone = host[:close].find("%25")
            if zone >= 0:
                err = (_url_unescape_error(host[:zone], "host") or _url_unescape_error(host[zone:close], "zone")
                       or _url_unescape_error(host[close:], "host"))
                if err:
                    return err
                host = None
        elif "[" in host:
            # Go 1.26.1 (CVE-2026-25679): an IP literal must open the host.
            return "invalid IP-literal"
        elif ":" in host:
            # (CoreDNS's go.mod says go 1.25, so Go 1.26's urlstrictcolons=1 default does not apply.)
            if not _url_valid_port(host[host.rfind(":"):]):
                return f'invalid port "{host[host.rfind(":"):]}" after host'
        if host is not None:
            err = _url_unescape_error(host, "host")
            if err:
                return err
        if at >= 0:
            userinfo = authority[:at]
            if not all((c.isascii() and c.isalnum()) or c in _URL_USERINFO_OK for c in userinfo):
                return "net/url: invalid userinfo"
            for part in userinfo.split(":", 1):
                err = _url_unescape_error(part, "other")
                if err:
                    return err
    err = _url_unescape_error(rest, "other")
    if err:
        return err
    if frag:
        return _url_unescape_error(frag, "other")
    return None
