"""errors: logs the errors plugins return (coredns plugin/errors/setup.go)."""
from ..spec import Plugin, Prop, says, version_tuple
from .. import values
from ._dispenser import WRONG_ARGUMENTS, arg_error

MAX_REGEXP_LEN = 10000
LOG_LEVELS = ("warning", "error", "info", "debug")


def _consolidate(directive, ctx):
    """consolidate DURATION REGEXP [LEVEL] [show_first]: LEVEL since 1.8.5, show_first since 1.14.0."""
    if directive.block is None:
        return
    v = version_tuple(ctx.version)
    most = 4 if v >= (1, 14, 0) else 3 if v >= (1, 8, 5) else 2
    for line in directive.block.directives:
        if line.name != "consolidate":
            continue
        args = line.args
        if len(args) < 2 or len(args) > most:
            last = args[-1] if args else line.name_token
            yield last, arg_error(last), "error", WRONG_ARGUMENTS
            return
        err = values.check("duration", "", args[0].text)
        if err:
            yield args[0], err
            return
        if len(args[1].text) > MAX_REGEXP_LEN:
            yield args[1], f"regex pattern too long: {len(args[1].text)} > {MAX_REGEXP_LEN}"
            return
        err = values.check("regex", "", args[1].text)
        if err:
            yield args[1], err
            return
        level_seen = show_first = False
        for tok in args[2:]:
            if tok.text in LOG_LEVELS:
                if level_seen:
                    yield tok, "multiple log levels specified in consolidate"
                    return
                if show_first:
                    yield tok, "log level must come before show_first in consolidate"
                    return
                level_seen = True
            elif tok.text == "show_first" and v >= (1, 14, 0):
                show_first = True
            else:
                yield tok, f"unknown option in consolidate: {tok.text}"
                return


PLUGIN = Plugin(
    name="errors",
    summary="Logs every error a plugin returns; `consolidate` folds repeated messages into one line per period.",
    args="file:enum(stdout)?",
    says=says(invalid="invalid log file: {value}"),
    block=True,
    once=True,
    props=(
        Prop("consolidate", free_args=True),
        Prop("stacktrace", "", since="1.9.3"),
    ),
    checks=(_consolidate,),
)
