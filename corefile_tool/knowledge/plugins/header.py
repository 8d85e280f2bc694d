"""header: sets or clears header flags of queries and responses (coredns plugin/header/setup.go, header.go).

Versions: the plugin arrived in 1.8.5 with `set|clear FLAGS` lines (responses only); 1.9.4 added
`query|response set|clear FLAGS` and deprecated the bare form, which 1.12.4 removed. Selectors, actions and
flags are compared lower-cased.
"""
from ..spec import Plugin
from ._dispenser import arg_error, at_least, earlier_in_block, ignored, lines, words

FLAGS = ("aa", "ra", "rd")
ACTIONS = ("set", "clear")


def _rule_error(action_tok, flags, anchor, prefix):
    if action_tok is None:
        return anchor, f"{prefix}: no flag action provided"
    if not flags:
        return action_tok, f"{prefix}: invalid length for flags, at least one should be provided"
    action = action_tok.text.lower()
    if action not in ACTIONS:
        return action_tok, f"{prefix}: unknown flag action={action}, should be set or clear"
    for tok in flags:
        if tok.text.lower() not in FLAGS:
            return tok, f"{prefix}: unknown/unsupported flag={tok.text.lower()}"
    return None


def _last_token(directive):
    if directive.block is not None:
        return directive.block.close or directive.block.open
    return directive.args[-1] if directive.args else directive.name_token


def _rules(directive, ctx):
    # setup.go reads every header's tokens in one loop (`for c.Next()`) and returns at the end of the first
    # occurrence that yields rules: later occurrences are never read, and ArgErr comes only when none has one.
    for tok in directive.args:
        yield ignored(tok, f"header takes no arguments; '{tok.text}' is ignored")
    if any(lines(d) for d in earlier_in_block(directive, ctx)):
        yield ignored(directive.name_token, "CoreDNS reads only the first 'header' of a server block that has rules; "
                                            "this one is ignored")
        return
    rules = lines(directive)
    if not rules:
        headers = [d for d in ctx.block.directives if d.name == directive.name] if ctx.block else [directive]
        if headers[-1] is directive and not any(lines(d) for d in headers):
            anchor = _last_token(directive)
            yield anchor, arg_error(anchor)
        return
    explicit = at_least(ctx, "1.9.4")
    prefix = "setting up rule" if explicit else "seting up rule"    # sic, before 1.9.4
    for line in rules:
        selector = line.name.lower()
        args = words(line, directive)
        if not explicit:
            found = _rule_error(line.name_token, args, line.name_token, prefix)
        elif selector in ("query", "response"):
            found = _rule_error(args[0] if args else None, args[1:], line.name_token, prefix)
        elif selector in ACTIONS and not at_least(ctx, "1.12.4"):
            yield (line.name_token, f"a rule without 'query' or 'response' is deprecated since CoreDNS 1.9.4 "
                                    f"(it applies to responses): write 'response {line.name} ...'",
                   "warning", "deprecated")
            found = _rule_error(line.name_token, args, line.name_token, prefix)
        else:
            found = line.name_token, f"{prefix}: invalid selector={selector} should be query or response"
        if not found and line.block is not None:
            # RemainingArgs stops at the `{`, which the next NextBlock then reads as the next rule's first word.
            found = (line.block.open, f"{prefix}: invalid selector={{ should be query or response" if explicit
                     else f"{prefix}: invalid length for flags, at least one should be provided")
        if found:
            yield found
            return


PLUGIN = Plugin(
    name="header",
    summary="Sets or clears the aa, ra and rd flags of queries or responses.",
    args="ignored:str*",
    free_args=True,
    block=True,
    other_lines=True,
    since="1.8.5",
    checks=(_rules,),
)
