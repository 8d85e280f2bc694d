"""errors: logs the errors plugins return (coredns plugin/errors/setup.go)."""
from ..spec import READS_FIXED, Plugin, Prop, says, version_tuple
from .. import values
from ._dispenser import WRONG_ARGUMENTS, arg_error, lines, words

MAX_REGEXP_LEN = 10000
LOG_LEVELS = ("warning", "error", "info", "debug")


def _consolidate(directive, ctx):
    """consolidate DURATION REGEXP [LEVEL] [show_first]: LEVEL since 1.8.5, show_first since 1.14.0.

    parseConsolidate reads the line with RemainingArgs, so a `}` closing the block on the same line is one more
    word (an unknown option, or one word too many before 1.8.5)."""
    v = version_tuple(ctx.version)
    most = 4 if v >= (1, 14, 0) else 3 if v >= (1, 8, 5) else 2
    for line in lines(directive, "consolidate"):
        args = words(line, directive)
        if len(args) < 2 or len(args) > most:
            last = args[-1] if args else line.name_token
            yield last, arg_error(last), "error", WRONG_ARGUMENTS
            return
        err = values.check("duration", "", args[0].text)
        if err:
            yield args[0], err
            return
        # b723bd94d (1.14.0) bounds the pattern before compiling it.
        if v >= (1, 14, 0) and len(args[1].text) > MAX_REGEXP_LEN:
            yield args[1], f"regex pattern too long: {len(args[1].text)} > {MAX_REGEXP_LEN}"
            return
        err = values.check("regex", "", args[1].text)
        if err:
            yield args[1], err
            return
        if v < (1, 14, 0):
            # 1.8.5 .. 1.13: parseLogLevel takes exactly one level as the third word.
            if len(args) == 3 and args[2].text not in LOG_LEVELS:
                yield args[2], f"unknown log level argument in consolidate: {args[2].text}"
                return
            continue
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
            elif tok.text == "show_first":
                show_first = True
            else:
                yield tok, f"unknown option in consolidate: {tok.text}"
                return


PLUGIN = Plugin(
    name="errors",
    summary="Logs every error a plugin returns; `consolidate` folds repeated messages into one line per period.",
    args="file:enum(stdout)?",
    says=says(invalid="invalid log file: {value}",
              unknown="Syntax error: Unexpected token '{name}', expecting 'Unknown field {name}'"),
    block=True,
    once=True,
    props=(
        Prop("consolidate", free_args=True, since="1.2.6"),   # v1.2.5 setup.go reads no block
        # `stacktrace` reads no words: the next one on its line is taken as the next property.
        Prop("stacktrace", "", since="1.9.3", reads=READS_FIXED),
    ),
    checks=(_consolidate,),
)
