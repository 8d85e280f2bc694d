"""auto: serves every zone file found in a directory (coredns plugin/auto/setup.go).

Versions: `transfer to` moved to the transfer plugin in 1.8.0; the 10000-byte cap on the regexp came in
1.13.2. `upstream` has been a no-op since 1.5.2.
"""
from ..spec import ANSWERS_SOME, READS_FIXED, Plugin, Prop
from .. import values
from ._dispenser import arg_error, at_least, lines, start_up_files, words
from ._setup_helpers import go_duration, go_parse_ip, ignored_zones

MAX_REGEXP_LEN = 10000


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


def _directory(directive, ctx):
    """directory DIR [REGEXP TEMPLATE]; in 1.5.0 REGEXP and TEMPLATE each optional, and before 1.5.0 a fourth
    word TIMEOUT, whole seconds (plugin/auto/setup.go v1.4.0 and v1.5.0; c1d7c2e69 in 1.5.1)."""
    counts = (1, 3) if at_least(ctx, "1.5.1") else (1, 2, 3) if at_least(ctx, "1.5.0") else (1, 2, 3, 4)
    most = counts[-1]
    for line in lines(directive, "directory"):
        args = words(line, directive)
        if len(args) not in counts:
            tok = args[-1] if args else line.name_token
            yield (args[most] if len(args) > most else tok), arg_error(args[most - 1] if len(args) > most else tok)
            return
        if len(args) >= 2:
            pattern = args[1].text
            if at_least(ctx, "1.13.2") and len(pattern.encode("utf-8", "surrogateescape")) > MAX_REGEXP_LEN:
                yield args[1], "regexp too large"
                return
            err, groups = values.go_regexp(pattern)
            if err:
                yield args[1], err
                return
            if groups == 0:
                yield args[1], "Need at least one sub expression"
                return
        if len(args) == 4 and values.go_atoi(args[3].text) is None:
            yield args[3], f'strconv.Atoi: parsing "{args[3].text}": invalid syntax'
            return
        for found in start_up_files(ctx, args[:1], "zone directory"):
            yield found[0], found[1] + "; CoreDNS only logs a warning when it is missing", found[2], found[3]


def _reload(directive, ctx):
    for line in lines(directive, "reload"):
        args = words(line, directive)
        if not args:
            yield line.name_token, "reload duration value is expected"
            return
        d, problem = go_duration(args[0])
        if problem:
            yield problem
            return
        if d < 0:
            yield args[0], "invalid duration"
            return


def _transfer(directive, ctx):
    """Before 1.8.0: transfer to ADDRESS|*... (parse.Transfer, not a secondary)."""
    for line in lines(directive, "transfer"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        if args[0].text == "from":
            yield args[0], "can't use `transfer from` when not being a secondary"
            return
        if args[0].text == "to":
            for tok in args[1:]:
                host = tok.text
                hp = values.split_go_hostport(host)
                if host != "*" and not go_parse_ip((hp[0] if hp else host).split("%")[0]):
                    yield tok, f"must specify an IP address: `{hp[0] if hp else host}'"
                    return


PLUGIN = Plugin(
    name="auto",
    summary="Serves zones from the zone files of a directory whose names match a regexp, reloading them.",
    args="zones:str*",
    block=True,
    zones=True,
    # auto.go ServeDNS: a name under its zones for which no zone file has been loaded goes on.
    answers=ANSWERS_SOME,
    # Before 1.5.0 setup.go's `default:` handed any other property to parse.Transfer, which reads its first word
    # and does nothing unless that is `to` or `from`: an unknown property was ignored.
    ignores_unknown_until="1.5.0",
    props=(
        Prop("directory", free_args=True),
        Prop("reload", free_args=True, since="1.2.3"),
        # no_reload (reads no word) turned reloading off until 1.5.0; 1.2.3 made it a deprecated `reload 0`
        # (those releases are in migrations.CHANGES, which migrate rewrites it by).
        Prop("no_reload", "", replacement="reload 0", reads=READS_FIXED),
        Prop("upstream", free_args=True),
        Prop("transfer", free_args=True, removed="1.8.0", replacement="the transfer plugin"),
    ),
    checks=(_zones, _directory, _reload, _transfer),
)
