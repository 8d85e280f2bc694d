"""tls: the certificate of DoT/DoH/DoQ/gRPC servers (coredns plugin/tls/tls.go, acme.go).

`tls CERT KEY [CA]` loads files at start-up (relative to `root` from 1.11.3); its block takes client_auth and,
from 1.14.3, keylog. From 1.14.7 `tls` without arguments obtains a certificate with ACME DNS-01, configured by
the block (acme, email, ca, storage, ca_root, resolver; each once).
"""
from ..spec import Plugin, Prop
from .. import values
from ...addresses import is_domain_name
from ._dispenser import arg_error, at_least, lines, start_up_files, words
from ._setup_helpers import go_parse_ip

MANUAL = ("client_auth", "keylog")
ACME = ("acme", "email", "ca", "storage", "ca_root", "resolver")


def acme_domain_error(text):
    """normalizeACMEDomain: a (possibly wildcard) DNS name, not an IP address."""
    domain = text.lower()
    if domain.endswith("."):
        domain = domain[:-1]
    check = domain[2:] if domain.startswith("*.") else domain
    if not domain or not check or "*" in check or go_parse_ip(check):
        return f"invalid ACME domain {domain!r}"
    try:
        check = check.encode("idna").decode("ascii")
    except UnicodeError as e:
        return f"invalid ACME domain {domain!r}: {e}"
    if not is_domain_name(check):
        return f"invalid ACME domain {domain!r}"
    return None


def _manual(directive, ctx):
    args = directive.args
    for line in lines(directive):
        if line.name in ACME:
            yield line.name_token, f"unknown option '{line.name}' (ACME options need `tls` without arguments)"
            return
    yield from start_up_files(ctx, args, "TLS file")


def _acme(directive, ctx):
    domains = None
    for line in lines(directive):
        if line.name in MANUAL:
            yield line.name_token, f"unknown ACME option {line.name!r}"
            return
    for line in lines(directive, *ACME):
        args = words(line, directive)
        if line.name == "acme":
            if not args:
                yield line.name_token, arg_error(line.name_token)
                return
            domains = args
        elif len(args) != 1:
            tok = args[-1] if args else line.name_token
            yield tok, arg_error(tok)
            return
    if not domains:
        tok = directive.block.open if directive.block is not None else directive.name_token
        yield tok, "ACME requires at least one domain"
        return
    for tok in domains:
        err = acme_domain_error(tok.text)
        if err:
            yield tok, err
            return
    from urllib.parse import urlsplit

    for line in lines(directive, "ca"):
        tok = words(line, directive)[0]
        u = urlsplit(tok.text)
        if u.scheme not in ("http", "https") or not u.netloc:
            yield tok, f"invalid ACME CA URL {tok.text!r}"
            return
    for line in lines(directive, "resolver"):
        tok = words(line, directive)[0]
        hp = values.split_go_hostport(tok.text)
        if hp is None:
            yield tok, f"invalid ACME resolver {tok.text!r}: missing port in address"
            return
        if not hp[0]:
            yield tok, f"invalid ACME resolver {tok.text!r}: host is empty"
            return
        port = values.go_atoi(hp[1])
        if port is None or not 1 <= port <= 65535:
            yield tok, f"invalid ACME resolver port {hp[1]!r}"
            return
    for line in lines(directive, "ca_root"):
        yield from start_up_files(ctx, words(line, directive)[:1], "ACME CA root")


def _mode(directive, ctx):
    n = len(directive.args)
    if n == 0 and at_least(ctx, "1.14.7"):
        yield from _acme(directive, ctx)
    elif 2 <= n <= 3:
        yield from _manual(directive, ctx)
    else:
        tok = directive.args[3] if n > 3 else (directive.args[-1] if directive.args else directive.name_token)
        yield tok, arg_error(directive.args[2] if n > 3 else tok)


def _acme_once(name):
    return Prop(name, free_args=True, since="1.14.7", once=True,
                once_message=f'ACME option "{name}" can only be specified once')


PLUGIN = Plugin(
    name="tls",
    summary="Sets the server's TLS certificate: CERT KEY [CA] files, or (1.14.7+) a certificate obtained with ACME.",
    args="files:str*",
    free_args=True,
    block=True,
    props=(
        Prop("client_auth", "type:enum(nocert|request|require|verify_if_given|require_and_verify)"),
        Prop("keylog", "file:str", since="1.14.3"),
    ) + tuple(_acme_once(name) for name in ACME),
    checks=(_mode,),
)
