"""Checks every directive against the plugin knowledge base, the way each plugin's setup function reads its
tokens (a caddy Dispenser): arguments on the directive's line, one level of `{ }` opened on that same line,
one property per line. Findings carry one of the codes below; the rule modules of the same codes document them.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from ..knowledge import registry, versions
from ..knowledge.plugins._dispenser import arg_error
from ..knowledge.spec import READS_ALL, READS_FIXED, Plugin, present_in, said
from ..tree import Directive as _Line
from ..lexer import Token
from ..parser import shown
from ..tree import Directive, ServerBlock
from .context import Context

UNKNOWN_DIRECTIVE = "unknown-directive"
PLUGIN_ONCE = "plugin-once"
WRONG_ARGUMENTS = "wrong-arguments"
INVALID_VALUE = "invalid-value"
UNKNOWN_PROPERTY = "unknown-property"
BLOCK_LAYOUT = "block-layout"
DEPRECATED = "deprecated"
REMOVED = "removed"
EXTERNAL = "external-plugin"

ONCE_MESSAGE = "this plugin can only be used once per Server Block"


# Lines of at most one word known to fit their slots, by (slots, reads[, word]): a large Corefile repeats such
# lines (`errors`, `cache 30`, `policy round_robin`) thousands of times, and a fit depends on nothing else (the
# value checkers are pure, see knowledge/spec._CHECKED). Longer lines are seldom repeated (`forward . IP IP`),
# and a misfit is not kept: its finding names a token.
_FITS: set = set()
_FITS_MAX = 100_000


def match_slots(slots: tuple, args: list[Token], anchor: Token, reads: str = READS_ALL, says: tuple = ()):
    """Fit words to slots the way setup reads them (`reads`, see knowledge/spec.py); returns None, or
    (code, token, message) for the first misfit, in the plugin's own words (`says`) where CoreDNS has them, else
    in caddy's ArgErr or the value type's."""
    n = len(args)
    if n > 1:
        return _match_slots(slots, args, anchor, reads, says)
    key = (slots, reads, args[0].text) if n else (slots, reads)
    if key in _FITS:
        return None
    found = _match_slots(slots, args, anchor, reads, says)
    if found is None and len(_FITS) < _FITS_MAX:
        _FITS.add(key)
    return found


def _match_slots(slots: tuple, args: list[Token], anchor: Token, reads: str, says: tuple):
    if reads == READS_ALL and args:
        most = _most(slots)
        if most is not None and len(args) > most:
            return _extra(args, most, reads, says)   # RemainingArgs-style setup counts before it looks
    i = 0
    skipped = None
    for slot in slots:
        if slot.count == "":
            if i >= len(args):
                return _missing(args, anchor, says)
            err = slot.check(args[i].text)
            if err:
                return _invalid(slot, args[i], err, says)
            i += 1
        elif slot.count == "?":
            if i < len(args):
                err = slot.check(args[i].text)
                if err is None:
                    i += 1
                elif slot.fits(args[i].text):
                    return _invalid(slot, args[i], err, says)
                else:
                    skipped = (slot, args[i], err)
        else:
            taken = 0
            while i < len(args):
                err = slot.check(args[i].text)
                if err:
                    return _invalid(slot, args[i], err, says)
                i += 1
                taken += 1
            if slot.count == "+" and taken == 0:
                return _missing(args, anchor, says)
    if i < len(args):
        if skipped and skipped[1] is args[i]:
            return _invalid(*skipped, says)
        return _extra(args, i, reads, says)
    return None


@lru_cache(maxsize=None)
def _most(slots: tuple) -> Optional[int]:
    """How many words the slots take at most (None: no limit)."""
    if any(slot.count in ("*", "+") for slot in slots):
        return None
    return len(slots)


def _missing(args, anchor, says):
    at = args[-1] if args else anchor
    return WRONG_ARGUMENTS, at, said(says, "missing", arg_error(at))


def _extra(args, i, reads, says):
    # ArgErr names the word the dispenser is on: the line's last after RemainingArgs, the first extra after NextArg
    at = args[-1] if reads == READS_ALL else args[i]
    return WRONG_ARGUMENTS, args[i], said(says, "extra", arg_error(at), value=args[i].text)


def _invalid(slot, tok, err, says):
    kind = slot.range_side(tok.text) or "invalid"
    return INVALID_VALUE, tok, said(says, kind, err, slot.name, value=tok.text)


class DirectiveChecker:
    """One pass over every directive. Findings are appended to a list rather than yielded: a lint of a
    10,000-block Corefile checks 40,000 directives and property lines, and generators cost a third of that."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.version = ctx.version
        self.known = set(versions.directives(ctx.version))
        self._once: dict = {}       # plugin name -> whether a second one is an error in this version
        self._props: dict = {}      # (plugin name, property name) -> (Prop or None, present in this version)

    def findings(self) -> list:
        out: list = []
        for block in self.ctx.corefile.server_blocks:
            self.check_block(block, out)
        return out

    def _d(self, code, severity, message, token):
        return self.ctx.diagnostic(code, severity, message, token)

    def check_block(self, block: ServerBlock, out: list) -> None:
        seen: dict = {}
        ctx = self.ctx
        ctx.block = block
        external = ctx.external_plugins
        known = self.known
        for d in block.directives:
            name = d.name_token.text
            if name not in known:
                if name in external:
                    out.append(self._d(EXTERNAL, "info",
                                       f"'{name}' is an external plugin: its configuration is not checked",
                                       d.name_token))
                else:
                    out.append(self._unknown(d))
                continue
            n = seen[name] = seen.get(name, 0) + 1
            plugin = registry.get(name)
            if plugin is None:
                out.append(self._d(EXTERNAL, "info",
                                   f"no knowledge of plugin '{name}': its configuration is not checked",
                                   d.name_token))
                continue
            if n > 1:
                if n == 2 and self._once_in(plugin):
                    out.append(self._d(PLUGIN_ONCE, "error",
                                       f"plugin/{name}: {plugin.once_message or ONCE_MESSAGE}", d.name_token))
                if plugin.reads_first_only:
                    out.append(self._d(PLUGIN_ONCE, "warning",
                                       f"plugin/{name}: CoreDNS reads only the first '{name}' of a server block "
                                       "and ignores this one", d.name_token))
                    continue
            self.check_directive(d, plugin, out)

    def _once_in(self, plugin: Plugin) -> bool:
        once = self._once.get(plugin.name)
        if once is None:
            once = self._once[plugin.name] = plugin.once_in(self.version)
        return once

    def _unknown(self, d: Directive):
        name = d.name
        hint = versions.unknown_hint(name, self.version)
        msg = f"Unknown directive '{shown(name)}'" + (f" ({hint})" if hint else "")
        return self._d(UNKNOWN_DIRECTIVE, "error", msg, d.name_token)

    def check_directive(self, d: Directive, plugin: Plugin, out: list) -> None:
        prefix = f"plugin/{plugin.name}: "
        if d.tail:
            out.append(self._d(BLOCK_LAYOUT, "error",
                               prefix + f"unexpected '{shown(d.tail[0].text)}' after the block's closing '}}' on the "
                               "same line", d.tail[0]))
            return
        block = d.block
        if block is not None:
            before = d.args[-1] if d.args else d.name_token
            if block.open.line != before.end_line or block.open.file != before.file:
                out.append(self._d(BLOCK_LAYOUT, "error",
                                   prefix + "Unexpected token '{', expecting argument (a block's '{' must end the "
                                   "directive's line)", block.open))
                return
            if not plugin.block:
                out.append(self._d(WRONG_ARGUMENTS, "error", prefix + arg_error(block.open), block.open))
                return
        if not plugin.free_args:
            found = match_slots(plugin.slots, d.args, d.name_token, plugin.reads, plugin.says)
            if found:
                code, tok, msg = found
                out.append(self._d(code, "error", prefix + msg, tok))
                return
        if block is not None and block.directives and not (
                plugin.block_since and not self._at_least(plugin.block_since)):
            # before block_since setup does not read the block as properties: the plugin's checks say what it does
            seen_props: dict = {}
            for line in block.directives:
                if self.check_property(line, plugin, d, prefix, seen_props, out):
                    return
        for check in plugin.checks:
            for item in check(d, self.ctx):
                tok, msg = item[0], item[1]
                severity = item[2] if len(item) > 2 else "error"
                code = item[3] if len(item) > 3 else INVALID_VALUE
                out.append(self._d(code, severity, prefix + msg, tok))
                if severity == "error":
                    return

    def _prop(self, plugin: Plugin, pname: str):
        key = (plugin.name, pname)
        found = self._props.get(key)
        if found is None:
            prop = plugin.prop(pname, self.version)
            found = self._props[key] = (prop, prop is not None and present_in(prop.since, prop.removed,
                                                                               self.version))
        return found

    def check_property(self, line: Directive, plugin: Plugin, d: Directive, prefix: str, seen, out: list) -> bool:
        """Appends the findings of one property line; returns True when the plugin's setup would stop there."""
        pname = line.name_token.text
        prop, present = self._prop(plugin, pname)
        if not present:
            if plugin.other_lines:
                return False
            if plugin.ignores_unknown_until and not self._at_least(plugin.ignores_unknown_until):
                out.append(self._d(UNKNOWN_PROPERTY, "warning",
                                   prefix + f"unknown property '{pname}': CoreDNS {self.version} ignores it (it is "
                                   f"an error from CoreDNS {plugin.ignores_unknown_until} on)", line.name_token))
                return False
            # Plugin.prop answers with the form that says why it is missing here: one already gone ("removed
            # in"), else the first to come ("added in"). A form that is yet to come may have a removed release
            # too (kubernetes' kubeconfig of 1.2.3 .. 1.8.2), so the release linted decides, not the fields.
            extra = ""
            if prop is not None and prop.removed and self._at_least(prop.removed):
                extra = f" (removed in CoreDNS {prop.removed}" + (
                    f"; use {prop.replacement})" if prop.replacement else ")")
            elif prop is not None and prop.since and not self._at_least(prop.since):
                extra = f" (added in CoreDNS {prop.since})"
            unknown = said(plugin.says, "unknown", f"unknown property '{shown(pname)}'", name=shown(pname))
            out.append(self._d(UNKNOWN_PROPERTY, "error", prefix + unknown + extra, line.name_token))
            return True
        if prop.deprecated and self._at_least(prop.deprecated):
            repl = f"; use {prop.replacement}" if prop.replacement else ""
            out.append(self._d(DEPRECATED, "warning",
                               prefix + f"'{pname}' is deprecated since CoreDNS {prop.deprecated}{repl}",
                               line.name_token))
        if line.block is not None:
            out.append(self._d(BLOCK_LAYOUT, "error", prefix + "Nested blocks are not supported", line.block.open))
            return True
        n = seen[pname] = seen.get(pname, 0) + 1
        if prop.once and n > 1:
            out.append(self._d(INVALID_VALUE, "error",
                               prefix + (prop.once_message or f"'{pname}' can only be specified once"),
                               line.name_token))
            return True
        if prop.free_args:
            return False
        args = line.args
        close = d.block.close
        last = args[-1] if args else line.name_token
        if close is not None and close.line == last.end_line and close.file == line.file and last is not close:
            # `prop value }` on one line: the plugin reads the `}` as one more argument.
            args = [*args, close]
        rest = ()
        if prop.reads == READS_FIXED and len(args) > len(prop.slots):
            # Setup reads its words and stops: the dispenser's next word is taken as the next property.
            args, rest = args[:len(prop.slots)], args[len(prop.slots):]
        found = match_slots(prop.slots, args, line.name_token, prop.reads, prop.says)
        if found:
            code, tok, msg = found
            out.append(self._d(code, "error", prefix + msg, tok))
            return True
        if rest and rest[0] is not close:
            return self.check_property(_Line(rest[0], list(rest[1:])), plugin, d, prefix, seen, out)
        return False

    def _at_least(self, v: str) -> bool:
        from ..knowledge.spec import version_tuple

        return version_tuple(self.version) >= version_tuple(v)


def findings(ctx: Context) -> list:
    cache = getattr(ctx, "_directive_findings", None)
    if cache is None:
        cache = DirectiveChecker(ctx).findings()
        ctx._directive_findings = cache
    return cache
