"""view: selects a server block by an expression over the query (coredns plugin/view/setup.go)."""
from ..spec import Plugin, Prop
from . import _expr


def _expressions(directive, ctx):
    if directive.block is None:
        return
    for line in directive.block.directives:
        if line.name == "expr":
            err = _expr.compile_error(line.args, _expr.view_env())
            if err:
                yield (line.args[0] if line.args else line.name_token), err
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
