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
