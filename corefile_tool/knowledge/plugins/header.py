"""header: sets or clears header flags of queries and responses (coredns plugin/header/setup.go, header.go).

Versions: the plugin arrived in 1.8.5 with `set|clear FLAGS` lines (responses only); 1.9.4 added
`query|response set|clear FLAGS` and deprecated the bare form, which 1.12.4 removed. Selectors, actions and
flags are compared lower-cased.
"""
from ..spec import Plugin
from ._dispenser import arg_error, at_least, ignored, lines, words

FLAGS = ("aa", "ra", "rd")
ACTIONS = ("set", "clear")


def _rule_error(action_tok, flags, anchor):
    if action_tok is None:
        return anchor, "setting up rule: no flag action provided"
    if not flags:
        return action_tok, "setting up rule: invalid length for flags, at least one should be provided"
    action = action_tok.text.lower()
    if action not in ACTIONS:
        return action_tok, f"setting up rule: unknown flag action={action}, should be set or clear"
    for tok in flags:
        if tok.text.lower() not in FLAGS:
            return tok, f"setting up rule: unknown/unsupported flag={tok.text.lower()}"
    return None


def _rules(directive, ctx):
    for tok in directive.args:
        yield ignored(tok, f"header takes no arguments; '{tok.text}' is ignored")
    rules = lines(directive)
    if not rules:
        anchor = directive.block.open if directive.block is not None else (
            directive.args[-1] if directive.args else directive.name_token)
        yield anchor, arg_error(anchor)
        return
    explicit = at_least(ctx, "1.9.4")
    for line in rules:
        selector = line.name.lower()
        args = words(line, directive)
        if not explicit:
            found = _rule_error(line.name_token, args, line.name_token)
        elif selector in ("query", "response"):
            found = _rule_error(args[0] if args else None, args[1:], line.name_token)
        elif selector in ACTIONS and not at_least(ctx, "1.12.4"):
            yield (line.name_token, f"a rule without 'query' or 'response' is deprecated since CoreDNS 1.9.4 "
                                    f"(it applies to responses): write 'response {line.name} ...'",
                   "warning", "deprecated")
            found = _rule_error(line.name_token, args, line.name_token)
        else:
            found = line.name_token, f"setting up rule: invalid selector={selector} should be query or response"
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
