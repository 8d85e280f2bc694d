"""dns64: synthesises AAAA records from A records (coredns plugin/dns64/setup.go).

Versions: the plugin arrived in 1.7.0, allow_ipv4 in 1.8.7.

setup.go reads `for c.Next() { args := c.RemainingArgs(); if len(args) == 1 { parsePrefix; continue } ... }`.
Without a PREFIX argument the block holds properties; with one, `continue` skips the block reading, and the
block's `{` and its lines are taken by `c.Next()` as further dns64 lines: each line's words after its first are
its arguments (one is parsed as a prefix, more than one is an argument error). The properties are therefore
judged here (`_block`), not by their declarations.
"""
from ...parser import same_line
from ..spec import Plugin, Prop, present_in
from ._dispenser import WRONG_ARGUMENTS, arg_error, ignored
from ._setup_helpers import ip_network


def prefix_error(text):
    """parsePrefix: an IPv6 CIDR whose length is a multiple of 8 between 32 and 96."""
    net = ip_network(text)
    if net is None:
        return f"invalid CIDR address: {text}"
    if net.version != 6:
        return f"invalid netmask 32 IPv6 address: {str(net)!r}"
    if net.prefixlen % 8 or not 32 <= net.prefixlen <= 96:
        return f'invalid prefix length "{net}"'
    return None


def _block_tokens(directive) -> list:
    """The block's words in order, the closing `}` included (nested blocks are the linter's to refuse)."""
    block = directive.block
    out = []
    for line in block.directives:
        out.extend([line.name_token, *line.args])
    if block.close is not None:
        out.append(block.close)
    return out


def _properties(directive, ctx):
    """No PREFIX argument: NextBlock reads a property, then its words (prefix one NextArg, the flags none); the
    next word, on this line or the next, is the next property, until the block's `}`."""
    plugin = PLUGIN
    tokens = _block_tokens(directive)
    close = directive.block.close
    i = 0
    while i < len(tokens) and tokens[i] is not close:
        tok = tokens[i]
        prop = plugin.prop(tok.text, ctx.version)
        if prop is None or not present_in(prop.since, prop.removed, ctx.version):
            extra = f" (added in CoreDNS {prop.since})" if prop is not None and prop.since else ""
            yield tok, f"unknown property '{tok.text}'{extra}", "error", "unknown-property"
            return
        i += 1
        if prop.name == "prefix":
            if i >= len(tokens) or not same_line(tokens[i - 1], tokens[i]):
                yield tok, arg_error(tok), "error", WRONG_ARGUMENTS
                return
            err = prefix_error(tokens[i].text)
            if err:
                yield tokens[i], err
                return
            i += 1


def _lines_as_directives(directive, ctx):
    """A PREFIX argument: each later line is read as `dns64 [PREFIX]` (its first word taken as the name)."""
    block = directive.block
    yield ignored(block.open, "with a PREFIX argument CoreDNS does not read this block as properties: each line "
                              "is read as one more `dns64 [PREFIX]`")
    for n, line in enumerate(block.directives):
        words = list(line.args)
        if n == 0 and same_line(block.open, line.name_token):
            words.insert(0, line.name_token)      # words after `{` on its line are the `{` line's arguments
        last = words[-1] if words else line.name_token
        if block.close is not None and same_line(last, block.close):
            words.append(block.close)
        found = _line_error(words)
        if found:
            yield found
            return


def _line_error(words):
    """dns64Parse on the words after a line's first: more than one is an argument error, one is a prefix."""
    if len(words) > 1:
        return words[-1], arg_error(words[-1]), "error", WRONG_ARGUMENTS
    if words:
        err = prefix_error(words[0].text)
        if err:
            return words[0], err
    return None


def _check(directive, ctx):
    args = directive.args
    found = _line_error(args)
    if found:
        yield found
        return
    if directive.block is None:
        return
    if args:
        yield from _lines_as_directives(directive, ctx)
    else:
        yield from _properties(directive, ctx)


PLUGIN = Plugin(
    name="dns64",
    summary="Answers AAAA queries for IPv4-only names with addresses built from PREFIX (default 64:ff9b::/96).",
    args="prefix:str?",
    free_args=True,          # _check: a second word is an argument error, the first a prefix
    block=True,
    other_lines=True,        # _check reads the block the way setup.go does (see the module docstring)
    since="1.7.0",
    props=(
        Prop("prefix", free_args=True),
        Prop("translate_all", free_args=True),
        Prop("allow_ipv4", free_args=True, since="1.8.7"),
    ),
    checks=(_check,),
)
