"""local: answers localhost names locally (coredns plugin/local/setup.go).

Versions: until 1.14.4 (4c07a287d) setup read nothing: arguments and block were ignored. 1.14.4 refused any word
after `local` with NextArg (its block's `{` too) and any property; 1.14.5 (e45ad5f87) reads the arguments with
RemainingArgs and the block's `localhost_prefix`.
"""
from ..spec import Plugin, Prop, says
from ._dispenser import WRONG_ARGUMENTS, arg_error, at_least, ignored


def _arguments(directive, ctx):
    args = directive.args
    if not at_least(ctx, "1.14.4"):
        for tok in args:
            yield ignored(tok, f"local takes no arguments; '{tok.text}' is ignored")
        return
    if not at_least(ctx, "1.14.5"):
        first = args[0] if args else (directive.block.open if directive.block is not None else None)
        if first is not None:
            yield first, arg_error(first), "error", WRONG_ARGUMENTS
        return
    if args:
        yield args[-1], arg_error(args[-1]), "error", WRONG_ARGUMENTS


PLUGIN = Plugin(
    name="local",
    summary="Answers queries for localhost and the loopback reverse zones without forwarding them.",
    args="ignored:str*",
    free_args=True,
    block=True,
    since="1.8.1",
    ignores_unknown_until="1.14.4",
    props=(
        Prop("localhost_prefix", "mode:enum(on|off)", since="1.14.5",
             says=says(invalid="localhost_prefix expects 'on' or 'off', got \"{value}\"")),
    ),
    checks=(_arguments,),
)
