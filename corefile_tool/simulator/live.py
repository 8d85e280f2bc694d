"""--live: ask a real DNS server the same question and compare its reply with the prediction."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Optional

from .model import Record, Result


class LiveError(ValueError):
    pass


@dataclass
class LiveAnswer:
    server: str
    rcode: Optional[str] = None
    answers: list = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict:
        return {"server": self.server, "rcode": self.rcode, "answers": [a.as_dict() for a in self.answers],
                "error": self.error or None}


def parse_server(text: str, default_port: int) -> tuple[str, int]:
    """SERVER[:PORT] → (ip, port); `[v6]:port` and bare IPv6 are accepted; host names are resolved."""
    host, port = text, default_port
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            raise LiveError(f"--live {text!r}: missing ']'")
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise LiveError(f"--live {text!r}: expected [IPv6]:PORT")
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, p = text.split(":")
        port = _port(p, text)
    if not host:
        raise LiveError(f"--live {text!r}: no server")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][4][0]
        except (socket.gaierror, IndexError):
            raise LiveError(f"--live {text!r}: cannot resolve {host}") from None
    return host, port


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise LiveError(f"--live {whole!r}: {text!r} is not a port")
    return int(text)


def ask(ip: str, port: int, qname: str, qtype: str, qclass: str = "IN", timeout: float = 2.0,
        tcp: bool = False) -> LiveAnswer:
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode

    server = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
    live = LiveAnswer(server)
    try:
        msg = dns.message.make_query(qname, qtype, qclass)
        send = dns.query.tcp if tcp else dns.query.udp
        reply = send(msg, ip, timeout=timeout, port=port)
        if not tcp and reply.flags & 0x0200:   # truncated: ask again over TCP, as a resolver would
            reply = dns.query.tcp(msg, ip, timeout=timeout, port=port)
    except dns.exception.Timeout:
        live.error = f"no reply from {server} within {timeout:g}s"
        return live
    except (OSError, dns.exception.DNSException) as e:
        live.error = f"{server}: {e}"
        return live
    live.rcode = dns.rcode.to_text(reply.rcode())
    for rrset in reply.answer:
        for rd in rrset:
            live.answers.append(Record(rrset.name.to_text(), _type(rrset.rdtype), rrset.ttl, rd.to_text(),
                                       _class(rrset.rdclass)))
    return live


def _type(t) -> str:
    import dns.rdatatype

    return dns.rdatatype.to_text(t)


def _class(c) -> str:
    import dns.rdataclass

    return dns.rdataclass.to_text(c)


def _key(r: Record) -> tuple:
    return (r.name.lower(), r.type, _normal_data(r))


def _normal_data(r: Record) -> str:
    if r.type in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(r.data))
        except ValueError:
            pass
    return r.data.lower() if r.type in ("CNAME", "NS", "PTR", "MX", "SRV", "DNAME") else r.data


def differences(result: Result, live: LiveAnswer) -> list[str]:
    """What the real reply contradicts in the prediction (TTLs and record order are not compared; an outcome
    the simulator could not know is not a difference)."""
    if live.error:
        if result.dropped:
            return []
        if result.rcode is not None:
            return [f"predicted {result.rcode}, but {live.error}"]
        return []
    if result.dropped:
        return [f"predicted no reply (dropped), but the server answered {live.rcode}"]
    if result.rcode is None:
        return []
    diffs = []
    if live.rcode != result.rcode:
        diffs.append(f"rcode: predicted {result.rcode}, real {live.rcode}")
    predicted = sorted(map(_key, result.answers))
    real = sorted(map(_key, live.answers))
    if predicted != real:
        missing = [k for k in predicted if k not in real]
        extra = [k for k in real if k not in predicted]
        if missing:
            diffs.append("predicted but not answered: " + "; ".join(" ".join(k) for k in missing))
        if extra:
            diffs.append("answered but not predicted: " + "; ".join(" ".join(k) for k in extra))
    return diffs
