"""sign: signs a zone file and writes the result to a directory (coredns plugin/sign/setup.go, keys.go).

Versions: the plugin arrived in 1.6.3; a DBFILE holding U+FFFD is refused from 1.13.1. Key files are read at
start-up; the zone file when signing.
"""
from ...addresses import _go_quote
from ..spec import Plugin, Prop
from ._dispenser import arg_error, at_least, ignored, key_file_pairs, lines, start_up_files, words
from ._setup_helpers import ignored_zones


def _dbfile(directive, ctx):
    if not directive.args:
        return
    tok = directive.args[0]
    if at_least(ctx, "1.13.1") and "\ufffd" in tok.text:
        yield tok, f"dbfile {_go_quote(tok.text)} contains invalid characters"
        return
    yield from start_up_files(ctx, [tok], "zone file")
    yield from ignored_zones(directive.args[1:])


def _keys(directive, ctx):
    for line in lines(directive, "key"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        if args[0].text == "file":
            if not args[1:]:
                yield args[0], arg_error(args[0])
                return
            yield from key_file_pairs(ctx, args[1:])
        elif args[0].text == "directory":
            yield args[0], "directory: not implemented"
            return
        else:
            # keys.go keyParse reads only this word: the next one on the line is read as the next property (a `}`
            # there closes the block).
            rest = args[1:]
            if rest and rest[0] is not (directive.block.close if directive.block else None):
                yield rest[0], f"unknown property '{rest[0].text}'"
                return
            yield ignored(args[0], f"unknown key source '{args[0].text}': CoreDNS loads no key from this line")
    for line in lines(directive, "directory"):
        if len(words(line, directive)) != 1:
            yield line.name_token, 'can only be one argument after "directory"'
            return


PLUGIN = Plugin(
    name="sign",
    summary="Signs DBFILE with the given keys and writes db.<zone>.signed to a directory, re-signing as needed.",
    args="dbfile:str zones:str*",
    block=True,
    zones=True,
    handles_queries=False,   # sign/setup.go: "Don't call AddPlugin, *sign* is not a plugin."
    since="1.6.3",
    props=(
        Prop("key", free_args=True),
        Prop("directory", free_args=True),
    ),
    checks=(_dbfile, _keys),
)
