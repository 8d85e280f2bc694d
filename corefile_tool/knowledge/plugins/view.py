"""view: selects a server block by an expression over the query (coredns plugin/view/setup.go)."""
from ..spec import Plugin, Prop
from ._dispenser import words
from ... import expr


def _expressions(directive, ctx):
    if directive.block is None:
        return
    for line in directive.block.directives:
        if line.name == "expr":
            args = words(line, directive)      # RemainingArgs: a `}` ending the line is part of the expression
            err = expr.compile_error(args, expr.view_env())
            if err:
                yield (args[0] if args else line.name_token), err
                return


PLUGIN = Plugin(
    name="view",
    summary="Routes a query to this server block only when every `expr` holds for it (split-horizon DNS).",
    args="name:str",
    block=True,
    once=True,
    since="1.10.0",
    props=(
        Prop("expr", free_args=True),
    ),
    checks=(_expressions,),
)
