"""forward: proxies queries to upstream resolvers (coredns plugin/forward/setup.go, plugin/pkg/parse)."""
from __future__ import annotations

import re

from .. import values
from ..spec import (ANSWERS_ALL, PASSES_CHAIN, PASSES_ZONES, READS_EACH, READS_FIXED, Plugin, Prop, says,
                    version_tuple)
from ... import addresses
from ._dispenser import property_files
from ._setup_helpers import (duration_seconds, go_duration, go_parse_ip, go_split_host_port, locate, missing_file,
                             resolv_conf)

MAX_UPSTREAMS = 15
# parse.Transport's prefixes, longest first where one is a prefix of another.
TRANSPORTS = ("tls", "dns", "quic", "grpc", "https3", "https", "unix")


def _split_transport(text: str):
    if "://" not in text:
        return "dns", text
    for t in TRANSPORTS:
        if text.startswith(t + "://"):
            return t, text[len(t) + 3:]
    return "dns", text


def _strip_zone(host: str) -> str:
    return host[:host.rfind("%")] if "%" in host else host


def _is_ip(host: str) -> bool:
    return go_parse_ip(_strip_zone(host))


def _tls_server_name(text: str) -> str:
    """splitZone: in `tls://IP%NAME[:PORT]` the part after '%' names the TLS server (since 1.14.0)."""
    if "%" not in text:
        return ""
    zone = text[text.rfind("%") + 1:]
    if ":" in zone:
        zone = zone[:zone.rfind(":")].rstrip("]")
    return zone


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.startswith(".")


_PLAIN_V4 = re.compile(values.IPV4.pattern[:-2] + r"(?::[0-9]+)?\Z")


def go_net_is_domain_name(s: str) -> bool:
    """Go net.isDomainName (net/dnsclient.go), stricter than miekg/dns's: letters, digits, '-' and '_' in
    labels of 1..63 bytes, no label starting or ending with '-', not all numeric, at most 253 bytes (254 with
    the final dot)."""
    n = len(s)
    if s == ".":
        return True
    if n == 0 or n > 254 or (n == 254 and s[-1] != "."):
        return False
    last, non_numeric, partlen = ".", False, 0
    for c in s:
        if c.isascii() and (c.isalpha() or c == "_"):
            non_numeric = True
            partlen += 1
        elif c.isascii() and c.isdigit():
            partlen += 1
        elif c == "-":
            if last == ".":
                return False
            partlen += 1
            non_numeric = True
        elif c == ".":
            if last in ".-" or partlen > 63 or partlen == 0:
                return False
            partlen = 0
        else:
            return False
        last = c
    return last != "-" and partlen <= 63 and non_numeric


class _Upstreams:
    """What setup makes of the TO addresses: the count of entries and the first refusal (token, message)."""

    def __init__(self, tokens, ctx, version, system_resolver=True):
        self.system_resolver = system_resolver   # no `resolver`: host names go to Go's net.LookupHost
        self.entries = 0
        self.proxies = 0
        self.problems = []      # (token, message, severity[, code])
        v = version_tuple(version)
        for tok in tokens:
            problem = self._classify(tok, ctx, v)
            if problem:
                self.problems.append(problem)
                if problem[2] == "error":
                    return

    def _classify(self, tok, ctx, v):
        text = tok.text
        if _PLAIN_V4.match(text):
            self._count(1)      # IPv4[:port]: the address of one proxy, by far the most common TO
            return None
        trans, host = _split_transport(text)
        if not host:
            return tok, f'invalid address: "{text}"', "error"
        if v >= (1, 14, 5) and trans == "https" and "/" in host:
            return (tok, "paths are not allowed in HTTPS upstream addresses (the /dns-query path is used by "
                         f"default): {text}", "error")
        allowed = ("dns", "tls", "https") if v >= (1, 14, 5) else ("dns", "tls")
        if trans == "unix":
            if v >= (1, 7, 0):
                return tok, f"'{trans}' is not supported as a destination protocol in forward: {text}", "error"
            self._count(1)
            return None
        hp = go_split_host_port(host)
        address = hp[0] if hp is not None else host.strip("[]")
        if _is_ip(address):
            if v >= (1, 7, 0) and trans not in allowed:
                return tok, f"'{trans}' is not supported as a destination protocol in forward: {text}", "error"
            self._count(1)
            return None
        # Not an IP address: a resolv.conf-style file, or (since 1.14.4) a host name resolved at start-up.
        path = locate(ctx, tok, host, use_root=False)
        if path is not None:
            servers, _ = resolv_conf(path)
            if servers:
                self._count(len(servers))
            elif v == (1, 14, 4):
                # 1.14.4's classifyToAddrs passed parse.ErrNoNameservers on; 1.14.5 skips a file without servers.
                return tok, "no nameservers found", "error"
            return None
        if v >= (1, 14, 4) and not _looks_like_path(host):
            name = hp[0] if hp is not None else host
            name = name.strip("[]")
            # resolve.go parseAsHostEntry: host names over dns:// and tls://, and https:// from 1.14.5.
            named = ("dns", "tls", "https") if v >= (1, 14, 5) else ("dns", "tls")
            if trans not in named or not name or not addresses.is_domain_name(
                    _strip_zone(name)):
                return tok, f'not an IP address, file, or valid domain: "{text}"', "error"
            last_label = _strip_zone(name).rstrip(".").rsplit(".", 1)[-1]
            if re.fullmatch(r"[0-9]+", last_label):
                # No top-level domain is all digits: the lookup can only fail (most likely a mistyped IP).
                return tok, f'failed to resolve "{name}": not an IP address, and no such host name can exist', \
                    "error"
            if self.system_resolver and not go_net_is_domain_name(_strip_zone(name)):
                # resolve.go systemLookup: net.LookupHost refuses a name its own isDomainName rejects (a ':', a
                # space, an all-numeric name) with "no such host" before asking any server.
                return tok, f'failed to resolve "{name}": lookup {name}: no such host', "error"
            self._count(1)
            return (tok, f"cannot check: '{name}' is a host name CoreDNS resolves when it starts", "info",
                    "external-file")
        if _looks_like_path(host):
            self._count(1)
            return missing_file(tok, host, "resolv.conf file")
        return tok, f'not an IP address or file: "{host}"', "error"

    def _count(self, proxies):
        self.entries += 1
        self.proxies += proxies


def _lines_by_name(directive) -> dict:
    """The block's property lines by name, for the checks that look up several."""
    index = {}
    if directive.block is not None:
        for line in directive.block.directives:
            index.setdefault(line.name, []).append(line)
    return index


def _health_check(line, v):
    """health_check DURATION [no_rec] [domain NAME]: no_rec since 1.6.8, domain since 1.9.2."""
    args = line.args
    if not args:
        return None
    seconds, problem = go_duration(args[0])
    if problem:
        return problem
    if seconds < 0:
        return args[0], f"health_check can't be negative: {args[0].text}"
    if v < (1, 6, 8) and len(args) > 1:
        return args[1], f"unknown property '{args[1].text}'"
    i = 1
    while i < len(args):
        word = args[i].text
        if word == "no_rec":
            i += 1
        elif word == "domain" and v >= (1, 9, 2):
            if i + 1 >= len(args):
                return args[i], f"Wrong argument count or unexpected line ending after '{word}'"
            name = args[i + 1].text
            if not addresses.is_domain_name(name):
                return args[i + 1], f"health_check: invalid domain name {name}"
            i += 2
        else:
            return args[i], f"health_check: unknown option {word}"
    return None


def _options(directive, ctx):
    if directive.block is None:
        return
    v = version_tuple(ctx.version)
    by_name = _lines_by_name(directive)
    for line in by_name.get("health_check", ()):
        problem = _health_check(line, v)
        if problem:
            yield problem
            return
    for line in by_name.get("failover", ()):
        for tok in line.args:
            if tok.text.upper() == "NOERROR":
                yield tok, "NoError cannot be used in failover"
                return
    for line in by_name.get("resolver", ()):
        for tok in line.args:
            hp = go_split_host_port(tok.text)
            host = hp[0] if hp is not None else tok.text
            if not go_parse_ip(host):
                yield tok, f'resolver must be an IP address or IP:port: "{tok.text}"'
                return
    for line in by_name.get("read_timeout", ()):
        if line.args and (duration_seconds(line.args[0].text) or 0) <= 0:
            yield line.args[0], f"read_timeout must be positive: {line.args[0].text}"
            return
    expire = max_age = None
    for line in by_name.get("expire", ()):
        if line.args:
            expire = duration_seconds(line.args[0].text)
    for line in by_name.get("max_age", ()):
        if line.args:
            max_age = duration_seconds(line.args[0].text)
            max_age_tok = line.args[0]
    if max_age and max_age > 0 and max_age < (expire if expire is not None else 10.0):
        yield max_age_tok, f"max_age ({max_age_tok.text}) must not be less than expire"
        return


def _upstreams(directive, ctx):
    args = directive.args
    if len(args) < 2:
        return
    v = version_tuple(ctx.version)
    # Each property looked up by a scan of the block's few lines rather than an index of all of them
    # (_lines_by_name): this runs for every `forward`, and a large mesh has one per peer.
    block = directive.block
    resolvers = v >= (1, 14, 4) and block is not None and any(
        line.name_token.text == "resolver" and line.args for line in block.directives)
    ups = _Upstreams(args[1:], ctx, ctx.version, system_resolver=not resolvers)
    for problem in ups.problems:
        yield problem
        if problem[2] == "error":
            return
    if ups.problems == [] and ups.entries == 0:
        # Before 1.14.4 parse.HostPortOrFile read all TOs at once and failed when no server was left.
        yield args[1], "no valid upstream addresses found" if v >= (1, 14, 4) else "no nameservers found"
        return
    count = ups.entries if v >= (1, 14, 4) else ups.proxies
    if count > MAX_UPSTREAMS:
        yield args[1 + MAX_UPSTREAMS] if len(args) > 1 + MAX_UPSTREAMS else args[-1], \
            f"more than {MAX_UPSTREAMS} TOs configured: {count}"
        return
    if v >= (1, 14, 0) and block is not None:
        servername = [line for line in block.directives if line.name_token.text == "tls_servername" and line.args]
        if servername:
            for tok in args[1:]:
                trans, _ = _split_transport(tok.text)
                per_proxy = _tls_server_name(tok.text)
                if trans == "tls" and per_proxy:
                    yield (tok, f"both forward ('{servername[-1].args[0].text}') and proxy level ('{per_proxy}') "
                                f"TLS servernames are set for upstream proxy '{tok.text}'")
                    return


def _not_negative(name: str) -> tuple:
    """setup.go's words for a negative value of a property that is 0 or more."""
    return says(below=f"{name} can't be negative: {{value}}")


PLUGIN = Plugin(
    name="forward",
    summary="Forwards queries for FROM to up to 15 upstream resolvers (IP[:port], tls://, https://, or a resolv.conf).",
    args="from:zone to:str+",
    block=True,
    once_until="1.9.4",
    zones=True,
    # setup.go: one handler per stanza, each pointing to the next stanza, the last to the next plugin.
    chained=True,
    # forward.go ServeDNS: a name under FROM and not under `except` is sent upstream and whatever comes back
    # (or SERVFAIL) is the answer; `next`/`next_on_nodata` hand the query on only when f.Next is a *Forward.
    answers=ANSWERS_ALL,
    props=(
        Prop("except", "zones:str+", passes=PASSES_ZONES),
        Prop("max_fails", "count:uint(32)", reads=READS_FIXED),
        Prop("max_connect_attempts", "count:uint(32)", since="1.13.2", reads=READS_FIXED),
        Prop("health_check", "interval:str+"),
        Prop("force_tcp", "", reads=READS_EACH),
        Prop("prefer_udp", "", since="1.2.0", reads=READS_EACH),
        Prop("tls", "cert:str? key:str? ca:str?"),
        Prop("tls_servername", "name:str", reads=READS_FIXED),
        Prop("expire", "duration:duration(0..)", reads=READS_FIXED,
             says=_not_negative("expire")),
        Prop("max_age", "duration:duration(0..)", since="1.14.3", reads=READS_FIXED,
             says=_not_negative("max_age")),
        Prop("max_idle_conns", "count:int(0..)", since="1.14.1", reads=READS_FIXED,
             says=_not_negative("max_idle_conns")),
        Prop("read_timeout", "duration:duration", since="1.14.5", reads=READS_FIXED),
        Prop("doh_method", "method:enum(POST|GET)", since="1.14.5", reads=READS_FIXED,
             says=says(invalid="doh_method must be either POST or GET")),
        Prop("policy", "policy:enum(random|round_robin|sequential)", reads=READS_FIXED,
             says=says(invalid="unknown policy '{value}'")),
        Prop("max_concurrent", "count:int(0..)", since="1.6.8", reads=READS_FIXED,
             says=_not_negative("max_concurrent")),
        Prop("next", "rcodes:rcode+", since="1.11.4", passes=PASSES_CHAIN,
             says=says(invalid="{value} is not a valid rcode")),
        Prop("next_on_nodata", "", since="1.14.4", passes=PASSES_CHAIN, reads=READS_EACH),
        Prop("failfast_all_unhealthy_upstreams", "", since="1.12.1"),
        Prop("failover", "rcodes:rcode+", since="1.13.0", says=says(invalid="{value} is not a valid rcode")),
        Prop("resolver", "servers:str+", since="1.14.4"),
        Prop("source_address", "address:ip", since="1.14.6", reads=READS_FIXED,
             says=says(invalid="invalid IP address: {value}")),
    ),
    checks=(_upstreams, _options, property_files("tls", "TLS file")),
)
