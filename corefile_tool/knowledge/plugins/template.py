"""template: answers from Go templates (coredns plugin/template/setup.go)."""
from __future__ import annotations

import re

from ..spec import ANSWERS_SOME, READS_EACH, READS_FIXED, Plugin, Prop, fallthrough, says, version_tuple
from ..versions import LATEST
from .. import values
from ... import expr
from . import _gotemplate
from ._dispenser import words
from ._setup_helpers import ignored_zones

MAX_REGEXP_LEN = 10000
REGEXP_LEN_SINCE = "1.14.0"     # setup.go's maxRegexpLen (commit b723bd94d)
PARSE_INT_SINCE = "1.10.0"      # template.go newTemplate's FuncMap gained parseInt (commit e93e932ce)
_VAR_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
# `var` and `expr` are on CoreDNS's main branch after 1.14.7 (commit a1154dcee, "Templates with expr-lang").
UNRELEASED = ("var", "expr")


def _unreleased(line, version):
    """A newest-release target gets a warning (the development branch has the option), older ones an error."""
    if version_tuple(version) < version_tuple(LATEST):
        return (line.name_token, f"unknown property '{line.name}' (not in CoreDNS {version})", "error",
                "unknown-property")
    return (line.name_token, f"'{line.name}' is newer than CoreDNS {LATEST}: only builds of CoreDNS's development "
                             f"branch accept it; the {LATEST} release refuses it", "warning", "unknown-property")


def _block(directive, ctx):
    yield from ignored_zones(directive.args[2:])
    if directive.block is None:
        return
    env = expr.template_env()
    for line in directive.block.directives:
        name, args = line.name, words(line, directive)    # RemainingArgs: a `}` ending the line is a word too
        if name in UNRELEASED:
            problem = _unreleased(line, ctx.version)
            yield problem
            if problem[2] == "error":
                return
        if name == "match":
            for tok in args:
                if len(tok.text) > MAX_REGEXP_LEN and version_tuple(ctx.version) >= version_tuple(REGEXP_LEN_SINCE):
                    yield tok, f"regex pattern too long: {len(tok.text)} > {MAX_REGEXP_LEN}"
                    return
                err = values.go_regexp(tok.text)[0]     # regexp.Compile (RE2), not Python's re
                if err:
                    yield tok, f"could not parse regex: {tok.text}, {err}"
                    return
        elif name in ("answer", "additional", "authority"):
            for tok in args:
                funcs = {"parseInt"} if version_tuple(ctx.version) >= version_tuple(PARSE_INT_SINCE) else set()
                err = _gotemplate.parse_error(tok.text, frozenset(funcs))
                if err:
                    yield tok, f"could not compile template: {name}, template: {name}: {err}"
                    return
        elif name == "var":
            if len(args) < 2:
                continue    # the engine reports the argument count
            var = args[0].text
            if not _VAR_NAME.match(var):
                yield args[0], f'invalid variable name "{var}"'
                return
            if expr.is_reserved(var, env):
                yield args[0], f'variable name "{var}" is reserved'
                return
            err, result = expr.check(" ".join(t.text for t in args[1:]), env)
            if err:
                yield args[1], f"could not compile expression: {var}, {err}"
                return
            env[var] = result
        elif name == "expr":
            err = expr.compile_error(args, env)
            if err:
                yield (args[0] if args else line.name_token), f"could not compile expression: {err}"
                return


NEEDS_ANSWER_UNTIL = "1.5.1"    # setup.go to v1.5.0: a template must answer (commit removing it in 1.5.1)


def _needs_answer(directive, ctx):
    """Until 1.5.0 a template with no answer, no authority and the rcode NOERROR (the default) fails setup."""
    if version_tuple(ctx.version) >= version_tuple(NEEDS_ANSWER_UNTIL):
        return
    rcode = "NOERROR"
    for line in directive.block.directives if directive.block is not None else ():
        if line.name in ("answer", "authority") and line.args:
            return
        if line.name == "rcode" and line.args:
            rcode = line.args[0].text
    if rcode == "NOERROR":
        yield directive.name_token, "no answer section for template found"


PLUGIN = Plugin(
    name="template",
    summary="Builds answers for matching queries (CLASS, TYPE, ZONE, regex) from Go templates, or sets an rcode.",
    args="class:rrclass type:rrtype zones:zone(lenient)*",
    reads=READS_EACH,        # CLASS and TYPE with NextArg, the zones with RemainingArgs
    # setup.go's words (an invalid TYPE is "invalid RR class" there too); an unknown property is ArgErr
    says=says(invalid_class="invalid query class {value}", invalid_type="invalid RR class {value}",
              unknown="Wrong argument count or unexpected line ending after '{name}' (template has no "
                      "property '{name}')"),
    block=True,
    zones=True,
    fallthrough=True,
    # template.go ServeDNS: a query whose class or type no template matches goes on.
    answers=ANSWERS_SOME,
    props=(
        Prop("match", "regexes:str+"),
        Prop("answer", "records:str+"),
        Prop("additional", "records:str+"),
        Prop("authority", "records:str+"),
        Prop("var", "name:str expression:str+"),
        Prop("expr", "expression:str+"),
        Prop("rcode", "rcode:rcode(exact)", reads=READS_FIXED, says=says(invalid="unknown rcode {value}")),
        Prop("ederror", "code:uint(16) reason:str?", since="1.10.1",
             says=says(invalid="error parsing extended DNS error code {value}, {error}")),
        fallthrough(),
        Prop("upstream", free_args=True,
             replacement="nothing: it is ignored, CNAME targets are resolved through CoreDNS itself"),
    ),
    checks=(_block, _needs_answer),
)
