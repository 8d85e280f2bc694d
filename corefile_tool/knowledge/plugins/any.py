"""any: answers ANY queries with a short HINFO (RFC 8482) (coredns plugin/any/setup.go)."""
from ..spec import Plugin
from ._dispenser import arg_error, at_least, ignored

# setup.go checks its words from 1.14.4 on (commit 4c07a287d); before, it read none of them.
CHECKED_SINCE = "1.14.4"


def _check(directive, ctx):
    # c.NextArg() after the name takes the next word on the line, a block's `{` included: ArgErr on it.
    first = directive.args[0] if directive.args else (directive.block.open if directive.block is not None else None)
    if first is None:
        return
    if at_least(ctx, CHECKED_SINCE):
        yield first, arg_error(first), "error", "wrong-arguments"
    else:
        yield ignored(first, f"CoreDNS {ctx.version} reads nothing after 'any'; this is ignored")


PLUGIN = Plugin(
    name="any",
    since="1.5.1",   # first in plugin.cfg at v1.5.1
    summary="Answers ANY queries with a minimal HINFO record (RFC 8482).",
    free_args=True,
    block=True,             # judged by _check, which knows the release
    other_lines=True,
    # setup calls c.Next() once: a second `any` in the block is never read.
    reads_first_only=True,
    checks=(_check,),
)
