"""root: the directory relative file names are read from (coredns plugin/root/root.go)."""
from ..spec import Plugin
from ._dispenser import WRONG_ARGUMENTS, Dispenser, arg_error


def _check(directive, ctx):
    # root.go reads `for c.Next() { if !c.NextArg() { ArgErr } ; config.Root = c.Val() }`: words are taken two
    # at a time, a word and the next one on its line, whatever they are (`root a b c` sets c; `root a b` fails
    # on b; a block's braces are words too).
    d = Dispenser(directive.tokens())
    root = None
    while d.next():
        if not d.next_arg():
            yield d.token(), arg_error(d.token()), "error", WRONG_ARGUMENTS
            return
        root = d.token()
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
