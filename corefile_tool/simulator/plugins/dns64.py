"""dns64 (coredns plugin/dns64): synthesises AAAA records from A records for IPv6-only clients (RFC 6147).

What CoreDNS does (dns64.go ServeDNS):
- Only AAAA queries of class IN are intercepted, and only from an IPv6 client unless `allow_ipv4` is set
  (requestShouldIntercept; request.go Family: an address with a 4-byte form, IPv4-mapped included, is IPv4).
  Everything else goes to the next plugin untouched.
- The rest of the chain answers the AAAA query; a reply classified NameError (response/typify.go: NXDOMAIN
  with no answer from 1.14.5, NXDOMAIN with an SOA before) is returned as is, so is a reply that holds an
  AAAA record unless `translate_all` is set (responseShouldDNS64). A plugin that returned without writing
  (SERVFAIL, REFUSED, ...) leaves nothing to translate: its rcode goes back unchanged.
- Otherwise the server itself is asked for the A records of the name (upstream.Lookup: the whole server again,
  routing included) and the reply is built from that answer (Synthesize): every A record becomes an AAAA
  record of PREFIX + the IPv4 address as RFC 6052 lays it out (to6), with TTL min(A TTL, the SOA TTL of the
  AAAA reply's authority section, or 600 without one); other records (a CNAME) are kept; the authority and
  additional sections are the A reply's; the rcode is NOERROR (SetReply), whatever the A lookup's was.

The prefix defaults to 64:ff9b::/96; setup.go parsePrefix wants an IPv6 CIDR whose length is a multiple of 8
between 32 and 96. Setup reads its words as caddy's dispenser hands them over: with a PREFIX argument the
`continue` in dns64Parse skips NextBlock, so the lines of a block that follows are taken as further `dns64`
lines (one word: a new prefix; none: nothing; more: an argument error).
"""
from __future__ import annotations

import ipaddress

from ...knowledge.plugins._dispenser import Dispenser
from ...knowledge.plugins._setup_helpers import ip_network
from ...knowledge.spec import version_tuple
from ..behaviour import Behaviour, ConfigError
from ..model import PASS, Record, Reply, lookup_cause

DEFAULT_PREFIX = "64:ff9b::/96"
ALLOW_IPV4_SINCE = (1, 8, 7)          # b546031f9 "add support for DNS requests over IPv4 network"
NXDOMAIN_WITHOUT_SOA_SINCE = (1, 14, 5)   # 6662dd58e: typify classifies any NXDOMAIN without answers as NameError
DEFAULT_SOA_TTL = 600                 # Synthesize: "If SOA is unknown, then the TTL is the minimum of A TTL and 600"


def parse_prefix(token) -> ipaddress.IPv6Network:
    """setup.go parsePrefix (net.ParseCIDR masks the address)."""
    net = ip_network(token.text)
    if net is None:
        raise ConfigError(f"invalid CIDR address: {token.text}", token.line)
    if net.version != 6:
        raise ConfigError(f"invalid netmask 32 IPv6 address: {token.text!r}", token.line)
    if net.prefixlen % 8 or not 32 <= net.prefixlen <= 96:
        raise ConfigError(f"invalid prefix length {token.text!r}", token.line)
    return net


def synthesize(prefix: ipaddress.IPv6Network, ipv4: str) -> str:
    """dns64.go to6 (RFC 6052 section 2.2): the prefix's bytes, then the IPv4 bytes around byte 8 (the `u`
    octet, always zero), the rest zero."""
    v4 = ipaddress.IPv4Address(ipv4).packed
    head = prefix.network_address.packed[: prefix.prefixlen // 8]
    # The IPv4 bytes fill what is left of bytes 0-7 and continue from byte 9; the suffix stays zero.
    before_u = 8 - len(head) if len(head) < 8 else 0
    v6 = head + v4[:before_u]
    if len(v6) == 8:
        v6 += b"\x00"
    v6 += v4[before_u:]
    v6 += b"\x00" * (16 - len(v6))
    return str(ipaddress.IPv6Address(v6))


def client_is_ipv4(ip: str) -> bool:
    """request.go Family() == 1: the remote address has a 4-byte form (net.IP.To4, IPv4-mapped included)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return addr.version == 4 or addr.ipv4_mapped is not None


class DNS64(Behaviour):
    NAME = "dns64"
    # Not SHARED: the A lookup goes through the server (setup.lookup).

    def __init__(self, directives, setup):
        super().__init__(directives, setup)
        self.prefix = ipaddress.IPv6Network(DEFAULT_PREFIX)
        self.translate_all = False
        self.allow_ipv4 = False
        self.ignored = []          # lines of a block after a PREFIX argument, which setup never reads as options
        version = version_tuple(setup.version)
        disp = Dispenser(t for d in directives for t in d.tokens())
        while disp.next():
            at = disp.token()
            args = disp.remaining_args()
            if len(args) == 1:
                self.prefix = parse_prefix(args[0])
                continue
            if args:
                raise ConfigError(f"Wrong argument count or unexpected line ending after '{args[-1].text}'",
                                  args[-1].line)
            if at.text not in ("dns64", "{", "}"):
                self.ignored.append(at)
            while disp.next_block():
                prop = disp.token()
                if prop.text == "prefix":
                    if not disp.next_arg():
                        raise ConfigError(f"Wrong argument count or unexpected line ending after 'prefix'",
                                          prop.line)
                    self.prefix = parse_prefix(disp.token())
                elif prop.text == "translate_all":
                    self.translate_all = True
                elif prop.text == "allow_ipv4" and version >= ALLOW_IPV4_SINCE:
                    self.allow_ipv4 = True
                else:
                    raise ConfigError(f"unknown property '{prop.text}'", prop.line)
        self.name_error_needs_soa = version < NXDOMAIN_WITHOUT_SOA_SINCE
        self.debug = setup.has("debug")

    # ------------------------------------------------------------------ serving
    def describe(self) -> str:
        flags = [f for f, on in (("translate_all", self.translate_all), ("allow_ipv4", self.allow_ipv4)) if on]
        text = f"prefix {self.prefix}" + (f", {', '.join(flags)}" if flags else "")
        if self.ignored:
            text += (f"; not read as options after a PREFIX argument: "
                     f"{', '.join(f'{t.text} (line {t.line})' for t in self.ignored)}")
        return text

    def serve(self, q, nxt):
        if q.type != "AAAA" or q.cls != "IN":
            return self.passes(q, nxt, f"only AAAA queries of class IN are translated, not {q.cls} {q.type}")
        if not self.allow_ipv4 and client_is_ipv4(q.client_ip):
            return self.passes(q, nxt, f"the query comes from {q.client_ip} over IPv4 and allow_ipv4 is not set: "
                                       f"only queries over IPv6 are translated (--client-ip sets the client)")
        if getattr(self, "is_last", False):
            # d.Next is nil: dereferencing it panics; the server's recover() answers SERVFAIL.
            crash = (" (the debug plugin turns recover() off: the panic stops CoreDNS)" if self.debug else "")
            return self.answer(q, f"no plugin follows dns64 to answer the AAAA query: the call panics and the "
                                  f"server answers SERVFAIL{crash}", "SERVFAIL", written=False)
        q.step(self.NAME, self.line, PASS, f"{self.describe()}: asks the next plugins for AAAA {q.name} and "
                                             f"looks at their reply on its way back")
        reply = nxt(q)
        if reply.rcode is None:
            reply.notes.append(f"dns64 ({self.describe()}) would translate the reply unless it holds an AAAA "
                               f"record{'' if not self.translate_all else ' (translate_all: even then)'} or is "
                               f"NXDOMAIN; that reply cannot be known offline")
            return reply
        if not reply.written:
            q.step(self.NAME, self.line, PASS, f"the next plugin returned {reply.rcode} without writing a reply: "
                                                 f"nothing to translate, the rcode goes back as is")
            return reply
        if self._name_error(reply):
            q.step(self.NAME, self.line, PASS, f"the AAAA reply is NXDOMAIN: returned as is (RFC 6147 5.1.2)")
            return reply
        has_aaaa = any(r.type == "AAAA" for r in reply.answers)
        if has_aaaa and not self.translate_all:
            q.step(self.NAME, self.line, PASS, "the AAAA reply holds AAAA records: returned as is")
            return reply
        why = ("translate_all: the reply is translated even though it holds AAAA records" if has_aaaa else
               f"the AAAA reply has no AAAA record ({reply.rcode}, {len(reply.answers)} answers)")
        return self._synthesize(q, reply, why)

    def _name_error(self, reply: Reply) -> bool:
        """response.Typify(...) == NameError for a reply a plugin wrote."""
        if reply.rcode != "NXDOMAIN":
            return False
        if self.name_error_needs_soa:
            return any(r.type == "SOA" for r in reply.authority)
        return not reply.answers

    def _synthesize(self, q, reply: Reply, why: str) -> Reply:
        if self.setup.lookup is None:
            return self.unknown(q, f"unknown: {why}; the A records come from a lookup through the server, which "
                                   f"is not available here")
        # dns64.go: d.Upstream.Lookup(ctx, req, req.Name(), dns.TypeA), asked in class IN (request.NewWithQuestion).
        found = self.setup.lookup(q, q.name, "A")
        if found.rcode is None:
            reason = lookup_cause(found) if not found.dropped else "no reply"
            reply = self.unknown(q, f"unknown: {why}; the A records of {q.name}, asked of the server, cannot be "
                                    f"known offline ({reason})")
            reply.cause = found.cause
            return reply
        soa_ttl = DEFAULT_SOA_TTL
        for r in reply.authority:
            if r.type == "SOA":
                soa_ttl = r.ttl          # the last SOA of the AAAA reply's authority section
        answers, made = [], []
        for r in found.answers:
            if r.type != "A":
                answers.append(r)
                continue
            address = synthesize(self.prefix, r.data)
            answers.append(Record(r.name, "AAAA", min(r.ttl, soa_ttl), address, r.cls))
            made.append(f"{r.data} → {address}")
        soa_note = f"SOA TTL {soa_ttl}" if any(r.type == "SOA" for r in reply.authority) else "no SOA: 600"
        if made:
            what = (f"synthesised {len(made)} AAAA from the A records ({'; '.join(made)}), TTL min(A TTL, "
                    f"{soa_note})")
        else:
            what = f"the A lookup ({found.rcode}) has no A record: NOERROR with no synthesised address"
        out = self.answer(q, f"{why}; asked the server for A {q.name}: {found.rcode}; {what} ({self.describe()})",
                          "NOERROR", answers, found.authority, found.additional)
        if found.cause:
            # Part of the A reply cannot be known offline (a CNAME target forwarded, ...): so is the synthesis.
            out.cause = found.cause
            out.notes.append(f"the A reply dns64 translates is not fully known offline ({found.cause})")
        return out


BEHAVIOURS = [DNS64]
