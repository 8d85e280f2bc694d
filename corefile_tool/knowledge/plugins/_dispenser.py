"""Reading a directive's block the way plugin setup code does through caddy's Dispenser (no PLUGIN here).

Setup code reads a property's words with RemainingArgs/NextArg, which run to the end of the line, so a `}`
closing the block on that same line is read as one more word. Check functions yield
(token, message[, severity[, code]]) as linter/directives.py expects.
"""
from __future__ import annotations

from typing import Iterable, Optional

from ...parser import same_line
from .. import values
from ..spec import Prop, says, version_tuple
from ._setup_helpers import go_quote, locate, missing_file

ENVIRONMENT = "environment"
WRONG_ARGUMENTS = "wrong-arguments"


def arg_error(at) -> str:
    """caddy Dispenser.ArgErr, with the dispenser on the token `at`."""
    if at.text == "{":
        return "Unexpected token '{', expecting argument"
    return f"Wrong argument count or unexpected line ending after '{at.text}'"


def lines(directive, *names) -> list:
    """The property lines of the directive's block, all of them or those with one of `names`."""
    if directive.block is None:
        return []
    return [line for line in directive.block.directives if not names or line.name in names]


class Dispenser:
    """caddyfile/dispenser.go (Next, NextArg, RemainingArgs, NextBlock, Val) over a list of tokens, for setup code
    that walks tokens in a way no property spec can say (`for c.Next()` loops that read a block's words as more
    directives). Pass `directive.tokens()` (the order the Dispenser holds them: braces and nested blocks
    included), or the tokens of several directives when setup reads them all in one go."""

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.cursor = -1
        self.nesting = 0

    def token(self):
        """The current token; None before the first Next or past the end."""
        return self.tokens[self.cursor] if 0 <= self.cursor < len(self.tokens) else None

    def val(self) -> str:
        return self.tokens[self.cursor].text if 0 <= self.cursor < len(self.tokens) else ""

    def next(self) -> bool:
        if self.cursor < len(self.tokens) - 1:
            self.cursor += 1
            return True
        return False

    def next_arg(self) -> bool:
        """The next token, when it is on the line (of the same file) this one ends on."""
        if self.cursor < 0:
            self.cursor += 1
            return True
        if self.cursor < len(self.tokens) - 1 and same_line(self.tokens[self.cursor], self.tokens[self.cursor + 1]):
            self.cursor += 1
            return True
        return False

    def remaining_args(self) -> list:
        """RemainingArgs: the tokens left on the line, stopping before a `{`."""
        out = []
        while self.next_arg():
            if self.val() == "{":
                self.cursor -= 1
                break
            out.append(self.token())
        return out

    def next_block(self) -> bool:
        """NextBlock: the next word of a block that opens on this line; False at its `}` (nested blocks are
        not tracked: their `}` ends the outer block, as in caddy)."""
        if self.nesting > 0:
            if not self.next():
                return False
            if self.val() == "}":
                self.nesting -= 1
                return False
            return True
        if not self.next_arg():
            return False
        if self.val() != "{":
            self.cursor -= 1
            return False
        if not self.next():
            return False
        if self.val() == "}":
            return False
        self.nesting += 1
        return True


def words(line, directive) -> list:
    """The words setup reads after a property name: its arguments, plus the block's `}` on the same line."""
    args = list(line.args)
    close = directive.block.close if directive.block is not None else None
    last = args[-1] if args else line.name_token
    if close is not None and same_line(last, close):
        args.append(close)
    return args


def at_least(ctx, version: str) -> bool:
    return version_tuple(ctx.version) >= version_tuple(version)


def environment(token, message: str) -> tuple:
    """A verdict that depends on the machine CoreDNS runs on (credentials, network, environment variables)."""
    return token, message, "info", ENVIRONMENT


def ignored(token, message: str) -> tuple:
    """Something CoreDNS accepts and silently does nothing with."""
    return token, message, "warning", WRONG_ARGUMENTS


def check_value(type_name: str, token, param: str = "") -> Optional[tuple]:
    err = values.check(type_name, param, token.text)
    return (token, err) if err else None


def start_up_files(ctx, tokens: Iterable, what: str) -> Iterable:
    """An `info` for each file CoreDNS opens at start-up that is not on this machine."""
    for tok in tokens:
        if locate(ctx, tok, tok.text) is None:
            yield missing_file(tok, tok.text, what)


def property_files(prop: str, what: str, most: Optional[int] = None):
    """A check: the first `most` words (all, without) of each `prop` line name files setup opens at start-up."""
    def check(directive, ctx):
        for line in lines(directive, prop):
            yield from start_up_files(ctx, words(line, directive)[:most], what)
    return check


def once_per_server(name: str, args: str, since: Optional[str] = None) -> Prop:
    """A listener limit that setup refuses to read twice in one server block (quic, https, https3, grpc_server)."""
    return Prop(name, args, since=since, once=True, once_message=f"{name} already defined for this server block")


def listener_limit(name: str, least: int, since: Optional[str] = None) -> Prop:
    """A listener limit (quic, https, https3, grpc_server setup.go): one strconv.Atoi integer of at least
    `least` (0 or 1), refused a second time in the server block, each refusal in setup's own words."""
    bound = "a non-negative integer" if least == 0 else "a positive integer"
    return Prop(name, f"n:int({least}..)", since=since, once=True,
                once_message=f"{name} already defined for this server block",
                says=says(invalid=f"invalid {name} value '{{value}}': {{error}}",
                          below=f"{name} must be {bound}: {{value}}"))


def needs_environment(what: str):
    """A check: setup talks to an outside service at start-up (credentials, network), so whether CoreDNS starts
    cannot be known here; said once per server block."""
    def check(directive, ctx):
        if not earlier_in_block(directive, ctx):
            yield environment(directive.name_token, what)
    return check


def cloud_zones(parts: int):
    """A check: the arguments are ZONE:ID (route53) or ZONE:PROJECT:NAME (clouddns) pairs, each given once."""
    def check(directive, ctx):
        seen = set()
        for tok in directive.args:
            fields = tok.text.split(":", parts - 1)
            if len(fields) != parts or not all(fields):
                yield tok, f"invalid zone {go_quote(tok.text)}"
                return
            if tok.text in seen:
                yield tok, f"conflict zone {go_quote(tok.text)}"
                return
            seen.add(tok.text)
    return check


def key_file_pairs(ctx, tokens: Iterable) -> Iterable:
    """`key file NAME...` (dnssec, sign): NAME with or without .key/.private; both files are read."""
    for tok in tokens:
        base = tok.text
        for suffix in (".key", ".private"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        for name in (base + ".key", base + ".private"):
            if locate(ctx, tok, name) is None:
                yield missing_file(tok, name, "key file")


def _strip_ip_zone(host: str) -> str:
    return host[:host.rfind("%")] if "%" in host else host


def host_port_or_file(ctx, tok) -> Optional[tuple]:
    """parse.HostPortOrFile for one word: `[transport://]IP[:PORT]`, a unix socket, or a resolv.conf-style
    file. A word with a `/` that is not here is a file we cannot see (info); any other word that is neither
    an address nor a file here is what CoreDNS reports as "not an IP address or file"."""
    from ...addresses import split_transport

    transport, host = split_transport(tok.text)
    if not host:
        return tok, f"invalid address: {tok.text!r}"
    if transport == "unix":
        return None
    hp = values.split_go_hostport(host)
    addr = host.strip("[]") if hp is None else hp[0]
    if values.check("ip", "", _strip_ip_zone(addr)) is None:
        return None
    if locate(ctx, tok, host) is not None:
        return None
    if "/" in host:
        return missing_file(tok, host, "resolv.conf file")
    return tok, f"not an IP address or file {host!r}"


def only_for_transport(*transports: str):
    """A check: the plugin's settings are read only by servers of these transports (core/dnsserver/server_*.go),
    so in a server block with no such key they do nothing."""
    from ...addresses import split_transport

    def check(directive, ctx):
        keys = ctx.block.keys if ctx.block is not None else []
        if keys and not any(split_transport(k.text)[0] in transports for k in keys):
            names = " or ".join(f"{t}://" for t in transports)
            yield ignored(directive.name_token,
                          f"{directive.name} settings only apply to {names} servers; this server block has none")
    return check


def earlier_in_block(directive, ctx) -> list:
    """The directives of the same plugin before this one in its server block (setup reads them all in one go,
    so state such as "already seen" carries over from one to the next)."""
    if ctx.block is None:
        return []
    out = []
    for d in ctx.block.directives:
        if d is directive:
            return out
        if d.name == directive.name:
            out.append(d)
    return out
