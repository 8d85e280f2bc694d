"""How `forward` reads its TO entries (coredns plugin/pkg/parse/host.go `HostPortOrFile`), without I/O:
an address with an optional scheme and port, or else a resolv.conf-style file (or, since 1.14.4, a host name)."""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Optional

from ...addresses import split_transport
from ...knowledge.values import IPV4 as _IPV4, split_go_hostport

DEFAULT_PORTS = {"dns": "53", "tls": "853", "quic": "853", "grpc": "443", "https": "443"}


class Upstream:
    """One TO entry as setup reads it. (A plain class: a frozen dataclass's generated code cost more at start-up
    than all the lint work on a 30-line Corefile.)"""
    __slots__ = ("text", "transport", "ip", "port", "file")

    def __init__(self, text: str, transport: str, ip: Optional[str] = None, port: Optional[str] = None,
                 file: Optional[str] = None):
        self.text = text
        self.transport = transport
        self.ip = ip          # an address upstream
        self.port = port
        self.file = file      # anything else: a resolv.conf-like file (or a host name)

    @property
    def loopback(self) -> bool:
        """Go's IP.IsLoopback: 127.0.0.0/8 (also IPv4-mapped) or ::1."""
        if self.ip is None:
            return False
        if _IPV4.match(self.ip):
            return self.ip.startswith("127.")
        ip = ipaddress.ip_address(self.ip)
        return ip.is_loopback or (ip.version == 6 and ip.ipv4_mapped is not None and ip.ipv4_mapped.is_loopback)




def _ip(text: str) -> Optional[str]:
    if _IPV4.match(text):    # the common case, without ipaddress's cost (lint of 10,000 forwards)
        return text
    text = text.split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


_REMOTE_V4 = re.compile(r"(?:dns://)?([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?::[0-9]+)?\Z")


def local_upstreams(ctx, d, own: set) -> list:
    """(token, Upstream) for the TOs of a `forward` directive that may be on this host: files, loopback
    addresses, the addresses the Corefile binds to. A plain remote IPv4 address, by far the most common TO, is
    skipped without being parsed (a mesh Corefile has tens of thousands)."""
    found = []
    for arg in d.args[1:]:
        plain = _REMOTE_V4.match(arg.text)
        if plain and plain.group(1) != "127" and not own:
            continue
        found.append((arg, read_upstream(arg.text)))
    return found


@lru_cache(maxsize=4096)
def read_upstream(text: str) -> Upstream:
    transport, rest = split_transport(text) if "://" in text else ("dns", text)
    hp = split_go_hostport(rest)
    if hp is None:
        ip = _ip(rest.strip("[]"))
        if ip is None:
            return Upstream(text, transport, file=rest)
        return Upstream(text, transport, ip, DEFAULT_PORTS.get(transport, "53"))
    host, port = hp
    ip = _ip(host)
    if ip is None:
        return Upstream(text, transport, file=rest)
    return Upstream(text, transport, ip, port)
