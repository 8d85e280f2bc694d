"""loadbalance: shuffles or weights the order of A/AAAA/MX records (coredns plugin/loadbalance/setup.go).

How setup reads its occurrences changed twice: before 1.10.1 it stops at the first `loadbalance` with at most
one argument (a block is never read); from 1.10.1 it stops at the first occurrence (only a `weighted` block is
read); from 1.12.4 (`prefer`) it reads every occurrence and the round_robin block too.
"""
from ..spec import Plugin, Prop
from .. import values
from ._dispenser import arg_error, at_least, earlier_in_block, ignored, lines, words
from ._setup_helpers import go_duration, go_quote, locate, missing_file

ROUND_ROBIN = "round_robin"
WEIGHTED = "weighted"


def _weighted(directive, ctx):
    """`weighted FILE [{ reload DURATION }]`, the same from 1.10.1 on."""
    args = directive.args
    if len(args) < 2:
        yield args[0], "missing weight file argument"
        return
    if len(args) > 2:
        yield args[2], "unexpected argument(s)"
        return
    for line in lines(directive):
        if line.name != "reload":
            yield line.name_token, f"unknown property '{line.name}'"
            return
        values_ = words(line, directive)
        if not values_:
            yield line.name_token, "reload duration value is missing"
            return
        if len(values_) > 1:
            yield values_[1], "unexpected argument"
            return
        if go_duration(values_[0])[1]:
            yield values_[0], f"invalid reload duration '{values_[0].text}'"
            return
    if locate(ctx, args[1], args[1].text) is None:
        yield missing_file(args[1], args[1].text, "weight file")


def _prefer_block(directive, ctx):
    """The round_robin block (1.12.4+): `prefer CIDR...` lines, each CIDR read by net.ParseCIDR."""
    for line in lines(directive):
        if line.name != "prefer":
            yield line.name_token, f"unknown property '{line.name}'"
            return
        for tok in words(line, directive):
            err = values.check("go_cidr", "", tok.text)
            if err:
                yield tok, f"invalid CIDR {go_quote(tok.text)}: {err}"
                return


def _block_ignored(directive, version):
    if directive.block is not None and directive.block.directives:
        yield ignored(directive.block.open, f"CoreDNS {version} does not read a round_robin loadbalance's block; "
                                            "its lines are ignored")


def _policy(directive, ctx):
    """The occurrence's policy as 1.10.1+ reads it: (kind, problem)."""
    args = directive.args
    if not args:
        return ROUND_ROBIN, None
    if args[0].text == ROUND_ROBIN:
        if len(args) > 1:
            return ROUND_ROBIN, (args[1], f"unknown property for {args[0].text}")
        return ROUND_ROBIN, None
    if args[0].text == WEIGHTED:
        return WEIGHTED, None
    return None, (args[0], f"unknown policy: {args[0].text}")


def _returns_before_1_10_1(d) -> bool:
    """Before 1.10.1 the loop `for c.Next()` returns at an occurrence with at most one argument (or with a block:
    the `{` is read as the next occurrence, with no argument)."""
    return len(d.args) <= 1 or d.block is not None


def _legacy(directive, ctx):
    """Before 1.10.1: `loadbalance [round_robin]` only; before 1.2.0 setup.go read no word at all."""
    if not at_least(ctx, "1.2.0"):
        if directive.args:
            yield ignored(directive.args[0], f"CoreDNS {ctx.version} reads no argument of loadbalance; "
                                             "it is ignored")
        return
    earlier = earlier_in_block(directive, ctx)
    if any(_returns_before_1_10_1(d) for d in earlier):
        yield ignored(directive.name_token, f"CoreDNS {ctx.version} stops reading at an earlier 'loadbalance' of "
                                            "this server block; this one is ignored")
        return
    args = directive.args
    if len(args) == 1:
        if args[0].text != ROUND_ROBIN:
            yield args[0], f"unknown policy: {args[0].text}"
            return
    elif len(args) > 1 and directive.block is None:
        later = [d for d in ctx.block.directives if d.name == directive.name][len(earlier) + 1:]
        if not later:
            yield args[-1], arg_error(args[-1])
            return
    yield from _block_ignored(directive, ctx.version)


def _check(directive, ctx):
    if not at_least(ctx, "1.10.1"):
        yield from _legacy(directive, ctx)
        return
    every = at_least(ctx, "1.12.4")
    if not every and earlier_in_block(directive, ctx):
        yield ignored(directive.name_token, f"CoreDNS {ctx.version} reads only the first 'loadbalance' of a server "
                                            "block; this one is ignored")
        return
    kind, problem = _policy(directive, ctx)
    if problem:
        yield problem
    elif kind == WEIGHTED:
        yield from _weighted(directive, ctx)
    elif every:
        yield from _prefer_block(directive, ctx)
    else:
        yield from _block_ignored(directive, ctx.version)


PLUGIN = Plugin(
    name="loadbalance",
    summary="Randomises (round_robin) or weights (weighted FILE) the order of address records in answers.",
    free_args=True,
    block=True,
    # Which lines a block may hold depends on the policy and the release: _check judges them all.
    other_lines=True,
    props=(
        Prop("prefer", since="1.12.4", free_args=True),
        Prop("reload", since="1.10.1", free_args=True),
    ),
    checks=(_check,),
)
