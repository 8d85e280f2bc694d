"""root: the directory relative file names are read from (coredns plugin/root/root.go)."""
from ..spec import Plugin
from ._dispenser import WRONG_ARGUMENTS, arg_error


def _tokens(directive) -> list:
    """Every word of the directive in order, as caddy's Dispenser holds them (block braces included)."""
    out = [directive.name_token, *directive.args]
    if directive.block is not None:
        out.append(directive.block.open)
        for line in directive.block.directives:
            out.extend(_tokens(line))
        if directive.block.close is not None:
            out.append(directive.block.close)
    out.extend(directive.tail)
    return out


def _same_line(a, b) -> bool:
    """Dispenser.NextArg: the next word is on the line the current one ends on."""
    return a.file == b.file and a.end_line == b.line


def _check(directive, ctx):
    # root.go reads `for c.Next() { if !c.NextArg() { ArgErr } ; config.Root = c.Val() }`: words are taken two
    # at a time, a word and the next one on its line, whatever they are (`root a b c` sets c; `root a b` fails
    # on b; a block's braces are words too).
    tokens = _tokens(directive)
    i, root = 0, None
    while i < len(tokens):
        if i + 1 >= len(tokens) or not _same_line(tokens[i], tokens[i + 1]):
            yield tokens[i], arg_error(tokens[i]), "error", WRONG_ARGUMENTS
            return
        root = tokens[i + 1]
        i += 2
    # os.Stat: only a missing directory is allowed (it may appear later); a name the OS refuses is an error.
    if root is not None and "\x00" in root.text:
        yield root, f"unable to access root path '{root.text}': stat {root.text}: invalid argument"


# A root that does not exist only gets a warning in CoreDNS's log (the folder may appear later).
PLUGIN = Plugin(
    name="root",
    summary="Sets the directory that relative file names of other plugins (file, hosts, tls...) are joined to.",
    free_args=True,          # _check reads the words the way root.go does
    block=True,              # not a block to root.go: its braces are more words (_check)
    other_lines=True,
    checks=(_check,),
)
