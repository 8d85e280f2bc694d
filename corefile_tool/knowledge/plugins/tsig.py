"""tsig: requires and checks TSIG on queries, signs responses (coredns plugin/tsig/setup.go).

Versions: the plugin arrived in 1.9.4, require_opcode in 1.14.3.
"""
from ..spec import Plugin, Prop
from .. import values
from ._dispenser import arg_error, lines, words
from ._setup_helpers import ignored_zones, locate, missing_file

OPCODES = ("QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE")


def _key_name(text):
    """plugin.Name(text).Normalize(): lower-cased and fully qualified."""
    from ...addresses import fqdn

    return fqdn(text.lower())


def key_file_names(text):
    """parseKeyFile: `key "NAME" { algorithm ...; secret "..."; };` blocks. Returns (names, error)."""
    names = []
    rows = iter(text.splitlines())
    for raw in rows:
        fields = raw.split()
        if not fields:
            continue
        if fields[0] != "key":
            return names, f"unexpected token {fields[0]!r}"
        name = fields[1].strip('"{') if len(fields) > 1 else ""
        if not name:
            return names, f"expected key name {raw!r}"
        name = _key_name(name)
        if name in names:
            return names, f"key {name!r} redefined"
        has_secret = False
        for inner in rows:
            f = inner.split()
            if not f or f[0] == "algorithm":
                continue
            if f[0] == "secret":
                if len(f) < 2 or not f[1].strip('";'):
                    return names, f"expected secret key {inner!r}"
                has_secret = True
            elif f[0] in ("}", "};"):
                break
            else:
                return names, f"unexpected token {f[0]!r}"
        if not has_secret:
            return names, f"expected secret for key {name!r}"
        names.append(name)
    return names, None


def _secrets(directive, ctx):
    seen = set()
    for line in lines(directive, "secret", "secrets"):
        args = words(line, directive)
        if line.name == "secret":
            if len(args) != 2:
                continue
            names = [(_key_name(args[0].text), args[0])]
        else:
            if len(args) != 1:
                continue
            # setup.go opens the name as given (os.Open): `root` is not joined to it.
            path = locate(ctx, args[0], args[0].text, use_root=False)
            if path is None:
                yield missing_file(args[0], args[0].text, "TSIG secrets file")
                continue
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    found, err = key_file_names(fh.read())
            except OSError as e:
                yield args[0], str(e)
                return
            if err:
                yield args[0], f"{args[0].text}: {err}"
                return
            names = [(n, args[0]) for n in found]
        for name, tok in names:
            if name in seen:
                yield tok, f"key {name!r} redefined"
                return
            seen.add(name)


def _requirements(directive, ctx):
    for line in lines(directive, "require", "require_opcode"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        if args[0].text in ("all", "none"):
            continue
        for tok in args:
            if line.name == "require" and values.check("rrtype", "", tok.text):
                yield tok, f"unknown query type '{tok.text}'"
                return
            if line.name == "require_opcode" and tok.text not in OPCODES:
                yield tok, f"unknown opcode '{tok.text}'"
                return


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


PLUGIN = Plugin(
    name="tsig",
    summary="Verifies TSIG on incoming requests (requiring it for the given types or opcodes) and signs replies.",
    args="zones:str*",
    block=True,
    once=True,
    zones=True,
    since="1.9.4",
    props=(
        Prop("secret", "name:str secret:str"),
        Prop("secrets", "file:str"),
        Prop("require", free_args=True),
        Prop("require_opcode", free_args=True, since="1.14.3"),
    ),
    checks=(_zones, _secrets, _requirements),
)
