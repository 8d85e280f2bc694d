"""cancel: cancels a request's context after a timeout (coredns plugin/cancel/cancel.go)."""
from ..spec import Plugin
from ._dispenser import WRONG_ARGUMENTS, Dispenser, arg_error
from ._setup_helpers import duration_seconds, go_quote


def _walk(directive, ctx):
    """setup is `for c.Next() { args := c.RemainingArgs(); ... }` over every token of the directive: a block is
    not read as properties but word by word, each `{`, `}` or line's first word starting a new round whose
    other words on that line are one more TIMEOUT (so `cancel {` with `}` on a later line passes)."""
    d = Dispenser(directive.tokens())
    while d.next():
        args = d.remaining_args()
        if len(args) > 1:
            yield args[-1], arg_error(args[-1]), "error", WRONG_ARGUMENTS
            return
        if not args:
            continue
        tok = args[0]
        seconds = duration_seconds(tok.text)
        if seconds is None:
            yield tok, f"invalid duration: {go_quote(tok.text)}"
            return
        if seconds <= 0:
            yield tok, f"invalid negative duration: {go_quote(tok.text)}"
            return


PLUGIN = Plugin(
    name="cancel",
    since="1.5.0",   # first in plugin.cfg at v1.5.0
    summary="Cancels the context of each request after TIMEOUT (default 5001ms) so that slow plugins give up.",
    args="timeout:duration?",
    free_args=True,
    block=True,
    other_lines=True,
    checks=(_walk,),
)
