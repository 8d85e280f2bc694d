"""dnstap: logs queries and responses in dnstap format (coredns plugin/dnstap/setup.go).

Versions: a block (identity, version) from 1.9.4; several dnstap lines per block from 1.10.1 (before, only the
first counted); tls:// endpoints and skipverify 1.11.0; extra 1.11.1; write-buffer and queue multipliers
1.11.4 (range-checked from 1.13.0); `listen` and the listener's `tls` 1.14.4, when unknown properties
became errors.
"""
import re

from ..spec import READS_FIXED, Plugin, Prop
from .. import values
from ._dispenser import arg_error, at_least, ignored, lines, start_up_files, words

MAX_WRITE_BUF = 1024
MAX_QUEUE = 4096


_HEX = "0123456789abcdefABCDEF"
# net/url shouldEscape(c, encodeHost) is false for these besides letters and digits.
_HOST_OK = set("-_.~!$&'()*+,;=:[]<>\"")
_USERINFO_OK = set("-._:~!$&'()*+,;=%@")


def _unescape_error(text: str, host: bool = False):
    """net/url unescape: a '%' must start two hex digits (in a host only %25 or a non-ASCII byte), and a host
    holds no character that would need escaping."""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%":
            if i + 2 >= len(text) or text[i + 1] not in _HEX or text[i + 2] not in _HEX:
                return f"invalid URL escape {text[i:i + 3]!r}"
            if host and int(text[i + 1], 16) < 8 and text[i:i + 3] != "%25":
                return f"invalid URL escape {text[i:i + 3]!r}"
            i += 3
            continue
        if host and ord(c) < 0x80 and not (c.isalnum() or c in _HOST_OK):
            return f"invalid character {c!r} in host name"
        i += 1
    return None


def _url_error(endpoint: str):
    """Go url.Parse on `tcp://...` / `tls://...` (net/url/url.go): None, or why it refuses the endpoint."""
    if re.search(r"[\x00-\x1f\x7f]", endpoint):
        return "net/url: invalid control character in URL"
    rest, _, fragment = endpoint.partition("#")
    rest = rest.split("://", 1)[1]
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.split("?", 1)[0]
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if host.startswith("["):
        end = host.rfind("]")
        if end == -1:
            return "missing ']' in host"
        port = host[end + 1:]
    else:
        port = host[host.rfind(":"):] if ":" in host else ""
    if port and not re.fullmatch(r":[0-9]*", port):
        return f"invalid port {port!r} after host"
    problem = _unescape_error(host, host=True)
    if problem:
        return problem
    if at:
        if any(not (c.isascii() and c.isalnum()) and c not in _USERINFO_OK for c in userinfo):
            return "net/url: invalid userinfo"
        problem = _unescape_error(userinfo)
        if problem:
            return problem
    return _unescape_error(slash + path) or _unescape_error(fragment)


def _arguments(directive, ctx):
    args = list(directive.args)
    if not args:
        yield directive.name_token, arg_error(directive.name_token)
        return
    listener = args[0].text == "listen"
    if listener:
        if not at_least(ctx, "1.14.4"):
            yield ignored(args[0], "'listen' needs CoreDNS 1.14.4; this version takes it as a unix socket path")
            listener = False
        elif len(args) < 2:
            yield args[0], "dnstap listen requires an endpoint argument"
            return
        else:
            args = args[1:]
    endpoint = args[0].text
    remote = ("tcp://", "tls://") if at_least(ctx, "1.11.0") else ("tcp://",)
    if endpoint.startswith(remote):
        problem = _url_error(endpoint)
        if problem:
            yield args[0], f"{arg_error(args[0])} (parse {endpoint!r}: {problem})"
            return
    elif endpoint.startswith("tls://"):
        yield ignored(args[0], "tls:// endpoints need CoreDNS 1.11.0; this version takes it as a unix socket path")
    if len(args) > 1 and args[1].text != "full":
        yield ignored(args[1], f"only 'full' is understood after the endpoint; '{args[1].text}' is ignored")
    if at_least(ctx, "1.13.0"):
        for tok, what, most, unit in zip(args[2:4], ("MultipleTcpWriteBuf", "MultipleQueue"), (MAX_WRITE_BUF, MAX_QUEUE),
                                         ("MiB units", "x10k messages")):
            v = values.go_atoi(tok.text)
            if v is None:
                yield tok, f'dnstap: invalid {what} "{tok.text}": {values.check("int", "", tok.text)}'
                return
            if not 1 <= v <= most:
                yield tok, f"dnstap: {what} must be between 1 and {most} ({unit}): {v}"
                return
        extra = args[4:]
    else:
        extra = args[4:] if at_least(ctx, "1.11.4") else args[2:]
    for tok in extra:
        yield ignored(tok, f"'{tok.text}' is ignored")
    yield from _listener_tls(directive, ctx, listener)


def _listener_tls(directive, ctx, listener):
    for line in lines(directive, "tls"):
        if not at_least(ctx, "1.14.4"):
            continue
        if not listener:
            yield line.name_token, "tls directive only valid for listeners"
            return
        args = words(line, directive)
        if len(args) < 2:
            yield line.name_token, "tls requires cert and key file paths"
            return
        for tok in args[3:]:
            yield ignored(tok, f"tls reads CERT KEY [CA]; '{tok.text}' is ignored")
        yield from start_up_files(ctx, args[:3], "TLS file")


def _only_first_before_1_10_1(directive, ctx):
    if at_least(ctx, "1.10.1") or ctx.block is None:
        return
    first = next(d for d in ctx.block.directives if d.name == "dnstap")
    if first is not directive:
        yield ignored(directive.name_token, "before CoreDNS 1.10.1 only the first dnstap of a server block is used")


PLUGIN = Plugin(
    name="dnstap",
    summary="Sends every query and response, as dnstap messages, to a socket or a TCP/TLS collector.",
    args="endpoint:str+",
    free_args=True,
    block=True,
    ignores_unknown_until="1.14.4",
    props=(
        # setup.go reads one word with NextArg (none for skipverify); the next word is the next property.
        Prop("identity", "identity:str", since="1.9.4", reads=READS_FIXED),
        Prop("version", "version:str", since="1.9.4", reads=READS_FIXED),
        Prop("skipverify", "", since="1.11.0", reads=READS_FIXED),
        Prop("extra", "format:str", since="1.11.1", reads=READS_FIXED),
        Prop("tls", free_args=True, since="1.14.4"),
    ),
    checks=(_arguments, _only_first_before_1_10_1),
)
