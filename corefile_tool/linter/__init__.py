"""corefile lint: every error CoreDNS would refuse to start with, and the pitfalls it accepts silently."""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import replace
from typing import Optional

from ..diagnostics import Diagnostic
from ..tree import Corefile
from .context import Context

_SUPPRESS = re.compile(r"#\s*corefile:\s*disable=([\w,\- ]+)")


@contextmanager
def gc_paused():
    """Parsing and linting allocate hundreds of thousands of small objects and free none of them in cycles:
    the cyclic collector's repeated passes only cost time (about a quarter of a 10,000-block lint)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything made meanwhile is still in the youngest generation, and the first collection after
            # enabling would walk it all (most of a second for a large mesh). Freezing and unfreezing moves it
            # to the oldest generation at no cost, where only full collections look at it, as they would have
            # (not when the program has frozen objects of its own: unfreezing would release them too).
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def lint_tree(corefile: Corefile, version: Optional[str] = None, *, external_plugins=None, profile=None,
              select=None, ignore=None, host_interfaces=None) -> list[Diagnostic]:
    """Run every rule (or the `select`ed ones, minus `ignore`d; `x*` globs) on a parsed Corefile."""
    from ..knowledge import versions
    from .rules import all_rules, by_code

    version = versions.normalize_version(version or versions.LATEST)
    ctx = Context(corefile, version, dict(external_plugins or {}), profile)
    if host_interfaces is not None:
        ctx.host_interfaces = tuple(host_interfaces)
    # The parser's own findings come back through the rule of their code; one without a rule is never dropped.
    ruled = by_code()
    found: list[Diagnostic] = [d for d in corefile.diagnostics if d.code not in ruled]
    syntax_failed = not corefile.ok
    for rule in all_rules():
        if syntax_failed and not getattr(rule, "ON_SYNTAX_ERROR", False):
            continue  # CoreDNS stops at the first parse error: nothing after it is checked
        if (select and not _matches(rule.CODE, select)) or (ignore and _matches(rule.CODE, ignore)):
            continue
        found.extend(rule.check(corefile, ctx))
    found = _filter(found, select, ignore)
    found = _unsuppressed(found, corefile)
    if corefile.env_unset:
        found = _host_dependent(found, corefile)
    found = [_presented(d, corefile) for d in found]
    return sorted(set(found), key=Diagnostic.sort_key)


def _host_dependent(found, corefile: Corefile) -> list:
    """An error or warning on a word built from a {$VAR} that is not set here is CoreDNS's verdict only on a
    host where it is unset too: CoreDNS reads its own host's environment, which lint cannot see. Such a finding
    is `info`, same code, and says which variable it waited for (README: "never a guess")."""
    stoppers = {d for d in corefile.diagnostics if d.severity == "error"}
    # ref -> why it is unset, for each of env_unset, when the parse's environment is not this host's (k8s/live.py)
    notes = corefile.env_notes
    directive_words = None
    out = []
    for d in found:
        if d.severity in ("error", "warning") and d.code not in _OWN_DECISIONS:
            word = _word_at(corefile, d)
            if d.code in _WHOLE_DIRECTIVE:
                # a plugin's check of its arguments together (kubernetes: "non-reverse zone name must be used")
                # is reported at the directive's name: its arguments are what it read
                if directive_words is None:
                    directive_words = _directive_words(corefile)
                word = " ".join([word, *directive_words.get((d.path, d.line, d.column), ())])
            refs = sorted(ref for ref in corefile.env_unset if ref in word) if "{" in word else ()
            if refs:
                is_, it = ("is", "it") if len(refs) == 1 else ("are", "them")
                why = f"CoreDNS reads {it} on its own host; set {it} to check"
                if notes:  # the environment is a Kubernetes Deployment's: where each value comes from instead
                    why = notes.get(refs[0], why) if len(refs) == 1 else "; ".join(
                        f"{r}: {notes.get(r, why)}" for r in refs)
                message = f"cannot check: {' and '.join(refs)} {is_} not set here ({why}): {d.message}"
                if d in stoppers:  # the parse stopped at this word: what follows it was never read
                    message += " (nothing after it is checked)"
                d = replace(d, severity="info", message=message)
        out.append(d)
    return out


# this tool's refusals, not CoreDNS's verdicts: they stand whatever the variable holds on CoreDNS's host
_OWN_DECISIONS = ("import-outside",)
# the codes a plugin's checks give when they judge a directive's (or property line's) words together
_WHOLE_DIRECTIVE = ("invalid-value", "wrong-arguments")


def _directive_words(corefile: Corefile) -> dict:
    """(path, line, column) of each directive and property name -> its words as written, for those with a
    {$VAR} or {%VAR%} among them."""
    found = {}
    todo = [d for block in corefile.server_blocks for d in block.directives]
    while todo:
        d = todo.pop()
        words = [t.raw for t in d.args + d.tail if "{" in t.raw]
        if words:
            t = d.name_token
            found[(corefile.display_path(t.file), t.line, t.column)] = words
        if d.block:
            todo.extend(d.block.directives)
    return found


def _word_at(corefile: Corefile, d: Diagnostic) -> str:
    """The word as written (before {$VAR} substitution) that starts at the diagnostic's position, read from the
    file's text: this covers every file read, imported ones too, also when a parse error left no tree."""
    from ..lexer import scan

    file = "" if d.path == corefile.path else d.path
    if file and file not in corefile.sources:
        return ""
    line = corefile.source_line(file, d.line)
    if d.line == 1 and line.startswith("\ufeff"):
        line = line[1:]  # the lexer counts columns after a leading byte-order mark
    rest = line[d.column - 1:] if d.column >= 1 else ""
    if not rest or rest[0].isspace():
        return ""
    tokens = scan(rest, bom=False)  # one line of text
    return tokens[0].text if tokens else ""


def _presented(d: Diagnostic, corefile: Corefile) -> Diagnostic:
    """The one place every lint message passes: each {$VAR} value shown as its reference (values are used
    for checking, never printed), and control characters escaped so that a message quoting a multi-line
    token stays on one line."""
    message = corefile.redact(d.message) if corefile.env_values else d.message
    if not message.isprintable():
        from ..parser import shown

        message = shown(message, limit=len(message))
    return d if message is d.message else replace(d, message=message)


def _filter(found, select, ignore):
    if select:
        found = [d for d in found if _matches(d.code, select)]
    if ignore:
        found = [d for d in found if not _matches(d.code, ignore)]
    return found


def _matches(code: str, patterns) -> bool:
    return any(code == p or (p.endswith("*") and code.startswith(p[:-1])) for p in patterns)


def _unsuppressed(found, corefile: Corefile):
    """`# corefile: disable=CODE[,CODE]` on the diagnostic's line or the line above silences it."""
    by_place = {}
    for c in corefile.comments:
        m = _SUPPRESS.search(c.text)
        if m:
            codes = {x.strip() for x in m.group(1).replace(" ", ",").split(",") if x.strip()}
            by_place.setdefault((corefile.display_path(c.file), c.line), set()).update(codes)
    if not by_place:
        return found
    keep = []
    for d in found:
        codes = by_place.get((d.path, d.line), set()) | by_place.get((d.path, d.line - 1), set())
        if d.code in codes or "all" in codes:
            continue
        keep.append(d)
    return keep


def lint(source, version: Optional[str] = None, *, path: Optional[str] = None, external_plugins=None,
         profile=None, select=None, ignore=None, env=None, allow_import_outside=False,
         host_interfaces=None) -> list[Diagnostic]:
    """Lint Corefile text or a path (str or Path). Returns the diagnostics sorted by file, line and column.
    `host_interfaces`: the network interface names of the host CoreDNS runs on (None: this machine's)."""
    from ..parser import parse

    with gc_paused():
        corefile = parse(source, path=path, env=env, allow_import_outside=allow_import_outside)
        return lint_tree(corefile, version, external_plugins=external_plugins, profile=profile, select=select,
                         ignore=ignore, host_interfaces=host_interfaces)
