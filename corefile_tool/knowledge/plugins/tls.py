"""tls: the certificate of DoT/DoH/DoQ/gRPC servers (coredns plugin/tls/tls.go, acme.go).

`tls CERT KEY [CA]` loads files at start-up (relative to `root` from 1.11.3); its block takes client_auth and,
from 1.14.3, keylog. From 1.14.7 `tls` without arguments obtains a certificate with ACME DNS-01, configured by
the block (acme, email, ca, storage, ca_root, resolver; each once).
"""
import os

from ..spec import Plugin, Prop, says
from .. import values
from ...addresses import is_domain_name
from ._dispenser import arg_error, at_least, lines, start_up_files, words
from ._setup_helpers import go_parse_ip, locate, missing_file

UNKNOWN_PROPERTY = "unknown-property"

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


def acme_domain_normal(text):
    """normalizeACMEDomain's result (lower case, no final dot, IDNA), None when it refuses the name."""
    if acme_domain_error(text) is not None:
        return None
    domain = text.lower()
    if domain.endswith("."):
        domain = domain[:-1]
    wildcard = domain.startswith("*.")
    check = (domain[2:] if wildcard else domain).encode("idna").decode("ascii")
    return "*." + check if wildcard else check


def _unknown(line, message, since=None):
    extra = f" (added in CoreDNS {since})" if since else ""
    return line.name_token, message + extra, "error", UNKNOWN_PROPERTY


def _manual(directive, ctx):
    args = directive.args
    for line in lines(directive):
        if line.name in ACME:
            yield _unknown(line, f"unknown option '{line.name}' (ACME options need `tls` without arguments)")
            return
        if line.name not in MANUAL:
            yield _unknown(line, f"unknown option '{line.name}'")
            return
        since = PLUGIN.prop(line.name).since     # client_auth 1.5.1 (no block before it), keylog 1.14.3
        if since and not at_least(ctx, since):
            yield _unknown(line, f"unknown option '{line.name}'", since=since)
            return
    yield from start_up_files(ctx, args, "TLS file")
    for line in lines(directive, "keylog"):
        yield from _keylog_directory(ctx, line, directive)


def _keylog_directory(ctx, line, directive):
    """tls.go opens the key log with O_CREATE at start-up: its directory must exist on CoreDNS's host."""
    args = words(line, directive)
    if len(args) != 1:
        return
    tok = args[0]
    parent = os.path.dirname(tok.text)
    if parent and locate(ctx, tok, parent) is None:
        yield missing_file(tok, parent, "key log directory")


def _acme(directive, ctx):
    domains = None
    for line in lines(directive):
        if line.name not in ACME:
            yield _unknown(line, f'unknown ACME option "{line.name}"')
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
    yield from _conflicts(directive, ctx)


# certmagic.DefaultACME.CA: the CA of a block without `ca`.
DEFAULT_CA = "https://acme-v02.api.letsencrypt.org/directory"


def _block_root(block) -> str:
    """The block's `root` (config.Root; the root plugin runs before tls): the last one given."""
    root = ""
    for d in block.directives:
        if d.name == "root" and d.args:
            root = d.args[0].text
    return root


def _acme_key(directive, block):
    """acmeOptions.key() of an ACME `tls` directive: its normalised, de-duplicated, sorted domains and each
    option with acme.go's defaults and root-relative paths; None when the directive is refused anyway."""
    root = _block_root(block)
    opts = {"ca": DEFAULT_CA, "storage": os.path.normpath(os.path.join(root or ".", ".coredns", "acme")),
            "email": "", "ca_root": "", "resolver": ""}
    domains = []
    for line in lines(directive, *ACME):
        args = words(line, directive)
        if not args:
            return None
        if line.name == "acme":
            domains = [acme_domain_normal(t.text) for t in args]
        elif line.name in ("storage", "ca_root"):
            path = args[0].text
            opts[line.name] = os.path.normpath(path if os.path.isabs(path) or not root else os.path.join(root, path))
        else:
            opts[line.name] = args[0].text
    if not domains or None in domains:
        return None
    domains = sorted(set(domains))
    return tuple(domains), tuple(sorted(opts.items()))


def _acme_directives(ctx):
    """Every ACME `tls` directive of the Corefile with its block, in the order setup runs them (block by block;
    tls's own position in plugin.cfg is the same for all)."""
    for block in ctx.corefile.server_blocks:
        for d in block.directives:
            if d.name == "tls" and not d.args:
                yield d, block


def _conflicts(directive, ctx):
    """acmeRuntime.add: one Corefile's ACME configurations share a runtime, and a domain may belong to one set
    of options only ("ACME domain %q is configured with conflicting options")."""
    owners = {}
    keys = set()
    for d, block in _acme_directives(ctx):
        key = _acme_key(d, block)
        if key is None:
            if d is directive:
                return
            continue
        if d is directive:
            if key in keys:
                return
            for domain in key[0]:
                if owners.get(domain, key) != key:
                    yield _domain_token(d, domain), f'ACME domain "{domain}" is configured with conflicting options'
                    return
            return
        if key not in keys and not any(owners.get(dom, key) != key for dom in key[0]):
            keys.add(key)
            for domain in key[0]:
                owners[domain] = key


def _domain_token(directive, domain):
    for line in lines(directive, "acme"):
        for tok in words(line, directive):
            if acme_domain_normal(tok.text) == domain:
                return tok
    return directive.name_token


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
    # Which names the block takes depends on the mode (CERT KEY [CA], or ACME without arguments), and setup
    # words an unknown one per mode: `checks` judge the names.
    other_lines=True,
    props=(
        Prop("client_auth", "type:enum(nocert|request|require|verify_if_given|require_and_verify)", since="1.5.1",
             says=says(invalid="unknown authentication type '{value}'")),
        Prop("keylog", "file:str", since="1.14.3"),
    ) + tuple(_acme_once(name) for name in ACME),
    checks=(_mode,),
)
