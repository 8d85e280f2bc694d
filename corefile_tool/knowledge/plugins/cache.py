"""cache: caches answers (coredns plugin/cache/setup.go).

Versions: serve_stale 1.6.6 (refresh mode 1.9.2, verify timeout 1.14.4, response TTL and failure recheck
1.14.7), servfail and disable 1.9.4, keepttl 1.10.1, serve_stale_policy 1.14.7.
"""
from ..spec import READS_FIXED, Plugin, Prop, says
from .. import values
from ._dispenser import arg_error, at_least, check_value, ignored, lines, words
from ._setup_helpers import go_duration, ignored_zones


def _zones(directive, ctx):
    args = directive.args
    if args and values.go_atoi(args[0].text) is not None:
        args = args[1:]
    yield from ignored_zones(args)


def _capacity_ttl_minttl(directive, ctx):
    """success|denial CAPACITY [TTL [MINTTL]]: words after the third are never read (MINTTL came with 1.2.3;
    before it the third was not read either)."""
    params = ("", "1..", "0..") if at_least(ctx, "1.2.3") else ("", "1..")
    for line in lines(directive, "success", "denial"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        for tok, param in zip(args, params):
            found = check_value("int", tok)
            if not found and param == "1.." and values.go_atoi(tok.text) <= 0:
                found = tok, f"cache TTL can not be zero or negative: {values.go_atoi(tok.text)}"
            elif not found and param == "0.." and values.go_atoi(tok.text) < 0:
                found = tok, f"cache min TTL can not be negative: {values.go_atoi(tok.text)}"
            if found:
                yield found
                return
        for tok in args[len(params):]:
            most = ("two", "three")[len(params) - 2]
            yield ignored(tok, f"'{line.name}' reads at most {most} values; '{tok.text}' is ignored")


def _prefetch(directive, ctx):
    """prefetch AMOUNT [DURATION [PERCENTAGE%]]."""
    for line in lines(directive, "prefetch"):
        args = words(line, directive)
        if not args or len(args) > 3:
            last = args[-1] if args else line.name_token
            yield last, arg_error(last)
            return
        found = check_value("int", args[0])
        if not found and values.go_atoi(args[0].text) < 0:
            found = args[0], f"prefetch amount should be positive: {values.go_atoi(args[0].text)}"
        if not found and len(args) > 1:
            found = check_value("duration", args[1])
        if found:
            yield found
            return
        if len(args) > 2:
            pct = args[2].text
            if not pct.endswith("%"):
                yield args[2], f"last character of percentage should be `%`, but is: {pct[-1:]!r}"
                return
            num = values.go_atoi(pct[:-1])
            if num is None:
                yield args[2], f'strconv.Atoi: parsing "{pct[:-1]}": invalid syntax'
                return
            if not 10 <= num <= 90:
                yield args[2], f"percentage should fall in range [10, 90]: {num}"
                return


def _whole_seconds(tok, what):
    """serve_stale's response TTL: a duration of whole seconds that fits a DNS TTL."""
    d, problem = go_duration(tok, f"invalid serve_stale {what}: ")
    if problem:
        return problem
    if d < 0:
        return tok, f"invalid negative {what} for serve_stale"
    if abs(d - round(d)) > 1e-9:
        return tok, "serve_stale response TTL must be a whole number of seconds"
    if d > 2 ** 32 - 1:
        return tok, "serve_stale response TTL exceeds the DNS TTL range"
    return None


def _recheck(tok):
    d, problem = go_duration(tok, "invalid serve_stale failure recheck: ")
    if problem:
        return problem
    if d < 0:
        return tok, "invalid negative failure recheck for serve_stale"
    if d > 300:
        return tok, "serve_stale failure recheck cannot exceed 5 minutes"
    return None


def _serve_stale(directive, ctx):
    """serve_stale [DURATION [immediate|verify [...]]]; what may follow the mode grew over the releases."""
    most = 5 if at_least(ctx, "1.14.7") else 3 if at_least(ctx, "1.14.4") else 2 if at_least(ctx, "1.9.2") else 1
    for line in lines(directive, "serve_stale"):
        args = words(line, directive)
        if len(args) > most:
            yield args[most], arg_error(args[-1])    # RemainingArgs, then ArgErr on the line's last word
            return
        if args:
            d, problem = go_duration(args[0])
            if problem:
                yield problem
                return
            if d < 0:
                yield args[0], "invalid negative duration for serve_stale"
                return
        if len(args) < 2:
            continue
        mode = args[1].text.lower()
        if mode not in ("immediate", "verify"):
            yield args[1], f"invalid value for serve_stale refresh mode: {mode}"
            return
        rest = args[2:]
        if not rest:
            continue
        if mode == "verify":
            t, problem = go_duration(rest[0], "invalid serve_stale verify timeout: ")
            if problem:
                yield problem
                return
            if t < 0:
                yield rest[0], "invalid negative timeout for serve_stale verify"
                return
            rest = rest[1:]
        elif not at_least(ctx, "1.14.7"):
            yield rest[0], "serve_stale timeout is only valid with the verify refresh mode"
            return
        elif len(args) > 4:
            yield args[4], arg_error(args[-1])
            return
        if rest:
            found = _whole_seconds(rest[0], "response TTL")
            if not found and len(rest) > 1:
                found = _recheck(rest[1])
            if found:
                yield found
                return


def _keepttl_with_zones(directive, ctx):
    """1.10.1 and 1.11.0 compare the cache line's zones, not keepttl's own words, with zero (setup.go's `args`
    before commit 6c85814): keepttl is refused whenever the cache line names a zone."""
    if at_least(ctx, "1.11.1"):
        return
    args = directive.args
    if args and values.go_atoi(args[0].text) is not None:
        args = args[1:]
    found = lines(directive, "keepttl")
    if args and found:
        yield found[0].name_token, arg_error(found[0].name_token)


def _policy_needs_serve_stale(directive, ctx):
    policy = lines(directive, "serve_stale_policy")
    if policy and not lines(directive, "serve_stale"):
        yield policy[0].name_token, "serve_stale_policy requires serve_stale"


PLUGIN = Plugin(
    name="cache",
    summary="Caches positive and negative answers for up to TTL seconds.",
    args="ttl:int(1..)? zones:str*",
    # setup.go: an unknown property falls to `default: return nil, c.ArgErr()`
    says=says(below="cache TTL can not be zero or negative: {value}",
              unknown="Wrong argument count or unexpected line ending after '{name}' (cache has no property "
                      "'{name}')"),
    block=True,
    once=True,
    zones=True,
    props=(
        Prop("success", free_args=True),
        Prop("denial", free_args=True),
        Prop("prefetch", free_args=True),
        Prop("serve_stale", free_args=True, since="1.6.6"),
        Prop("serve_stale_policy", "policy:ienum(prefer_positive)", since="1.14.7", once=True,
             says=says(invalid="invalid serve_stale_policy: {value}"),
             once_message="serve_stale_policy can only be specified once"),
        Prop("servfail", "duration:duration(0..300)", since="1.9.4",
             says=says(below="invalid negative ttl for servfail",
                       above="caching SERVFAIL responses over 5 minutes is not permitted")),
        Prop("disable", "kind:enum(success|denial) zones:str*", since="1.9.4",
             says=says(invalid='cache type for disable must be "success" or "denial"')),
        # Before 1.11.1 setup reads no word after keepttl: the next one on the line is read as the next property.
        Prop("keepttl", "", since="1.10.1", removed="1.11.1", reads=READS_FIXED),
        Prop("keepttl", "", since="1.11.1"),
    ),
    checks=(_zones, _capacity_ttl_minttl, _prefetch, _serve_stale, _keepttl_with_zones, _policy_needs_serve_stale),
)
