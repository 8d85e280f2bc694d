"""dnssec: signs responses on the fly (coredns plugin/dnssec/setup.go).

Versions: `key aws_secretsmanager` arrived in 1.11.4. Key files are read at start-up: when they are here,
their owner name must be one of the zones or a parent of one ("can not sign any of the zones").
"""
from ..spec import READS_FIXED, Plugin, Prop
from ._dispenser import arg_error, at_least, environment, ignored, key_file_pairs, lines, words
from ._setup_helpers import ignored_zones, locate, origins


def key_owner(path):
    """The owner name of the DNSKEY record in a dnssec-keygen .key file, or None when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for row in fh:
                fields = row.split(";", 1)[0].split()
                if fields:
                    return fields[0].lower() if fields[0].endswith(".") else None
    except OSError:
        return None
    return None


def _is_subdomain(child, parent):
    return parent == "." or child == parent or child.endswith("." + parent)


def _keys(directive, ctx):
    zones = [z.lower() for z in origins(list(directive.args), ctx)]
    for line in lines(directive, "key"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        kind, names = args[0].text, args[1:]
        if kind == "aws_secretsmanager" and at_least(ctx, "1.11.4"):
            if not names:
                yield args[0], arg_error(args[0])
                return
            yield environment(args[0], "the keys are fetched from AWS Secrets Manager at start-up; credentials "
                                       "and access cannot be checked here")
        elif kind == "file":
            if not names:
                yield args[0], arg_error(args[0])
                return
            yield from key_file_pairs(ctx, names)
            for tok in names:
                base = tok.text[:-4] if tok.text.endswith(".key") else (
                    tok.text[:-8] if tok.text.endswith(".private") else tok.text)
                path = locate(ctx, tok, base + ".key")
                owner = key_owner(path) if path else None
                if owner and zones and not any(_is_subdomain(z, owner) for z in zones):
                    yield tok, f"key {owner} can not sign any of the zones"
                    return
        else:
            # setup.go keyParse reads only this word: the next one on the line is read as the next property (a `}`
            # there closes the block).
            if names and names[0] is not (directive.block.close if directive.block else None):
                yield names[0], f"unknown property '{names[0].text}'"
                return
            yield ignored(args[0], f"unknown key source '{kind}': CoreDNS loads no key from this line")


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


PLUGIN = Plugin(
    name="dnssec",
    summary="Signs answers for its zones on the fly with the given keys (or a generated one), caching signatures.",
    args="zones:str*",
    block=True,
    once=True,
    zones=True,
    props=(
        Prop("key", free_args=True),
        # setup.go reads one word (NextArg): a further word on the line is read as the next property.
        Prop("cache_capacity", "capacity:int", reads=READS_FIXED),
    ),
    checks=(_zones, _keys),
)
