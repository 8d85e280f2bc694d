"""Carry a Corefile from one CoreDNS release to another, release by release.

Going up, each release's changes (knowledge/migrations.py) are applied in turn: a property or plugin that is
ignored or removed in that release is rewritten (dropped, converted, moved), a deprecated one only with
`deprecations=True`, and new defaults are added where the default Corefile gained them. Going down, what
those defaults added is taken out again where the older release lacks it. Either way the result is checked
against the target release's plugins and properties (knowledge/versions.py and plugins/): anything the
target lacks and no rule can rewrite stops the migration with an error, rather than a Corefile CoreDNS would
refuse or read differently. Last, the result is linted at the target release, which catches the argument forms no
rule is about: an error on a line that came through unchanged from a plugin that linted clean at the source
release stops the migration too (_refuse_what_the_target_refuses).

The file is migrated as written (parse(..., as_written=True)): comments, snippets and `import` lines are
kept, and files read through `import` are not touched (a notice says so).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .diagnostics import CorefileError, Diagnostic
from .knowledge import migrations as m
from .knowledge import registry, versions
from .knowledge.spec import present_in, version_tuple
from .lexer import Token
from .tree import Block, Corefile, Directive, Key, ServerBlock

UNSUPPORTED = "unsupported"
KEPT = "Kept as it is: --deprecations rewrites it now."
ORDER = "order"
IMPORT = "import"


@dataclass(frozen=True)
class Notice:
    plugin: str
    option: str
    status: str
    version: str
    replaced_by: str = ""
    additional: str = ""

    def __str__(self) -> str:
        if self.status == IMPORT:
            return f'Import "{self.plugin}" is not migrated: migrate the files it reads on their own.'
        subject = f'Option "{self.option}" in plugin "{self.plugin}"' if self.option else f'Plugin "{self.plugin}"'
        if self.status == UNSUPPORTED:
            text = f"{subject} is unsupported by this migration tool in {self.version}."
        elif self.status == m.NEW_DEFAULT:
            text = f"{subject} is added as a default in {self.version}."
        elif self.status == m.BEHAVIOUR:
            text = f"{subject} changes behaviour in {self.version}."
        elif self.status == ORDER:
            return f'{subject} runs after "{self.replaced_by}" in {self.version}.'
        else:
            text = f"{subject} is {self.status} in {self.version}."
        if self.replaced_by:
            text += f' It is replaced by "{self.replaced_by}".'
        if self.additional:
            text += f" {self.additional}"
        return text

    def as_dict(self) -> dict:
        return {"plugin": self.plugin, "option": self.option, "status": self.status, "version": self.version,
                "replaced_by": self.replaced_by, "message": str(self)}


@dataclass
class Result:
    text: str
    notices: list
    changed: bool


def check_versions(from_version: str, to_version: str) -> tuple:
    """Both versions normalised ('v1.8.0' → '1.8.0'); ValueError naming the one that is not a known release."""
    out = []
    for label, v in (("--from", from_version), ("--to", to_version)):
        try:
            out.append(versions.normalize_version(str(v)))
        except ValueError as e:
            raise ValueError(f"{label}: {e}") from None
    return tuple(out)


def migrate(text: str, from_version: str, to_version: str, *, deprecations: bool = False,
            path: str = "Corefile") -> Result:
    """Migrate Corefile text. Raises ValueError for unknown versions, CorefileError when the file does not
    parse or a change cannot be made safely (the diagnostic names the line)."""
    from .parser import parse
    from .printer import UnprintableError, format_corefile

    from_version, to_version = check_versions(from_version, to_version)
    if from_version == to_version:
        return Result(text, [], False)
    corefile = parse(text, path=path, as_written=True)
    errors = [d for d in corefile.diagnostics if d.severity == "error"]
    if errors:
        raise CorefileError(errors[0])
    written = _written_lines(corefile)
    run = _Migration(corefile, path, from_version, to_version, deprecations)
    run.run()
    if not run.changed:
        out = text
    else:
        try:
            out = format_corefile(corefile)
        except UnprintableError as e:
            raise CorefileError(Diagnostic("migrate", "error", f"the migrated Corefile cannot be written: {e}",
                                           path, 0, 0))
    _refuse_what_the_target_refuses(text, out, corefile, written, from_version, to_version, path)
    return Result(out, run.notices, run.changed)


# ---------------------------------------------------------------- the safety net
# The rules of knowledge/migrations.py know what each release removed or renamed, not every argument form a
# release accepts (kubernetes `ttl 0` before 1.3.0, a `rewrite ttl` rule before 1.2.3). What is left as the file
# had it is therefore linted at the target release too: an error there, on a line migrate did not touch and
# whose plugin linted clean at the source release, means the Corefile CoreDNS would refuse is the migration's
# doing (the line was fine where it came from), so migrate refuses rather than write it.

def _signature(node) -> tuple:
    if isinstance(node, Key):
        return ("key", node.text)
    return (node.name_token.text, tuple(a.text for a in node.args))


def _node_tokens(node) -> list:
    return [node.token] if isinstance(node, Key) else [node.name_token, *node.args]


def _last_line(d: Directive) -> int:
    if d.block is not None and d.block.close is not None:
        return d.block.close.line
    return max(t.end_line for t in _node_tokens(d))


def _written_lines(corefile: Corefile) -> dict:
    """id(node) -> (node, what it says, the source lines of the directive it belongs to) for every key, directive
    and property line as written (the node is kept so that its id stays its own)."""
    out = {}
    for block in corefile.server_blocks:
        for key in block.keys:
            out[id(key)] = (key, _signature(key), (key.token.line, key.token.end_line))
        for d in block.directives:
            span = (d.name_token.line, _last_line(d))
            out[id(d)] = (d, _signature(d), span)
            for line in _lines(d):
                out[id(line)] = (line, _signature(line), span)
    return out


def _pairs(migrated: Corefile, printed: Corefile):
    """(node of the migrated tree, the same node as parsed back from the text written for it): the text is that
    tree printed, so the two walk in step; a walk that does not (never expected) pairs no more of its block."""
    for a, b in zip(migrated.server_blocks, printed.server_blocks):
        if len(a.keys) != len(b.keys) or len(a.directives) != len(b.directives):
            continue
        yield from zip(a.keys, b.keys)
        for d, e in zip(a.directives, b.directives):
            if d.name != e.name:
                break
            yield d, e
            inner, printed_inner = _lines(d), _lines(e)
            if len(inner) == len(printed_inner):
                yield from zip(inner, printed_inner)


def _errors(text: str, version: str, path: str) -> list:
    """Lint errors of the main file (imported files are not migrated)."""
    from .linter import gc_paused, lint_tree
    from .parser import parse

    with gc_paused():
        tree = parse(text, path=path)
        return [d for d in lint_tree(tree, version) if d.severity == "error" and d.path == tree.path]


def _refuse_what_the_target_refuses(text: str, out: str, migrated: Corefile, written: dict, from_version: str,
                                    to_version: str, path: str):
    from .parser import parse, shown

    refused = _errors(out, to_version, path)
    if not refused:
        return
    at_source = {d.line for d in _errors(text, from_version, path)}
    by_line: dict = {}
    for node, printed in _pairs(migrated, parse(out, path=path, as_written=True)):
        by_line.setdefault(_node_tokens(printed)[0].line, []).append((node, printed))
    for diag in refused:
        for node, printed in by_line.get(diag.line, ()):
            was = written.get(id(node))
            if was is None or was[0] is not node or was[1] != _signature(node):
                continue   # new or rewritten by migrate: its own rules answer for it
            first, last = was[2]
            if any(first <= line <= last for line in at_source):
                continue   # refused where it came from too: not the migration's doing
            tokens, printed_tokens = _node_tokens(node), _node_tokens(printed)
            token = next((t for t, p in zip(tokens, printed_tokens) if (p.line, p.column) == (diag.line,
                                                                                           diag.column)), tokens[0])
            words = shown(" ".join(t.text for t in tokens), limit=60)
            owner = "" if isinstance(node, Key) else _owner(migrated, node)
            if isinstance(node, Key):
                subject = f'server block key "{words}"'
            elif owner:
                subject = f'property "{words}" of plugin "{owner}"'
            else:
                subject = f'plugin line "{words}"'
            raise CorefileError(Diagnostic(
                "migrate", "error", f"{subject} is kept as it is, and CoreDNS {to_version} refuses it "
                f"({diag.message}); migrate has no safe equivalent for it", path, token.line, token.column))


def _owner(corefile: Corefile, node) -> str:
    """The name of the plugin whose block holds this line, or ""."""
    for block in corefile.server_blocks:
        for d in block.directives:
            if any(line is node for line in _lines(d)):
                return d.name
    return ""


def _tok(text: str) -> Token:
    return Token(text, 0, 0)


def _unplaced(node):
    """A deep copy whose tokens have no source position (it moves; comments stay where they were)."""
    node = copy.deepcopy(node)
    for attr in ("name_token", "open", "close", "token"):
        t = getattr(node, attr, None)
        if isinstance(t, Token):
            t.line = t.column = 0
    for t in getattr(node, "args", []) + getattr(node, "tail", []):
        t.line = t.column = 0
    block = getattr(node, "block", None)
    if block is not None:
        block.open.line = block.open.column = 0
        if block.close is not None:
            block.close.line = block.close.column = 0
        block.directives = [_unplaced(d) for d in block.directives]
    return node


def _lines(d: Directive, name: Optional[str] = None) -> list:
    if d.block is None:
        return []
    return [line for line in d.block.directives if name is None or line.name == name]


def _remove(items: list, item) -> None:
    """list.remove by identity: tree nodes compare equal by value, and two equal lines are still two lines."""
    for i, x in enumerate(items):
        if x is item:
            del items[i]
            return


def _contains(items: list, item) -> bool:
    return any(x is item for x in items)


@lru_cache(maxsize=None)
def _in_effect(plugin: str, option: str, version: str) -> Optional[m.Change]:
    """The latest deprecated/ignored/removed change for this plugin or property at `version`."""
    found = None
    for c in m.CHANGES:
        if (c.plugin, c.option) == (plugin, option) and c.status in (m.DEPRECATED, m.IGNORED, m.REMOVED) \
                and version_tuple(c.version) <= version_tuple(version):
            if found is None or version_tuple(c.version) >= version_tuple(found.version):
                found = c
    return found


@lru_cache(maxsize=None)
def _touched(plugin: str, version: str) -> bool:
    """Whether any rule can act on this plugin's directives in the step to `version` (most plugins: none)."""
    if any(c.plugin == plugin for c in m.changes_in(version)):
        return True
    if any(c.plugin == plugin and c.status in (m.DEPRECATED, m.IGNORED, m.REMOVED)
           and version_tuple(c.version) <= version_tuple(version) for c in m.CHANGES):
        return True
    known = registry.get(plugin)
    return known is not None and known.ignores_unknown_until == version


def _is_snippet(block: ServerBlock) -> bool:
    """A snippet definition kept as written: one key `(name)` (coredns/caddy parse.go isSnippet)."""
    return len(block.keys) == 1 and block.keys[0].text.startswith("(") and block.keys[0].text.endswith(")")


def _same_words(words, expected) -> bool:
    """Whether the words say what `expected` does: the same words, or the same Go durations (`0s` is `0`)."""
    from .knowledge.values import parse_go_duration

    if len(words) != len(expected):
        return False
    for a, b in zip(words, expected):
        if a != b and (parse_go_duration(a) is None or parse_go_duration(a) != parse_go_duration(b)):
            return False
    return True


def _between(version: str, low: str, high: str) -> bool:
    return version_tuple(low) <= version_tuple(version) <= version_tuple(high)


class _Migration:
    def __init__(self, corefile: Corefile, path: str, from_version: str, to_version: str, deprecations: bool):
        self.corefile = corefile
        self.path = path
        self.from_version = from_version
        self.to_version = to_version
        self.deprecations = deprecations
        self.notices: list[Notice] = []
        self.changed = False
        self.up = version_tuple(to_version) > version_tuple(from_version)

    # ---------------------------------------------------------------- plumbing
    def notice(self, *args, **kwargs):
        n = Notice(*args, **kwargs)
        if n not in self.notices:
            self.notices.append(n)

    def refuse(self, message: str, token: Optional[Token] = None):
        line, column = (token.line, token.column) if token is not None else (0, 0)
        raise CorefileError(Diagnostic("migrate", "error", message, self.path, line, column))

    def steps(self) -> list:
        low, high = sorted((self.from_version, self.to_version), key=version_tuple)
        inside = [v for v in versions.VERSIONS
                  if version_tuple(low) < version_tuple(v) <= version_tuple(high)]
        return inside if self.up else list(reversed(inside))

    def run(self):
        previous = self.from_version
        for v in self.steps():
            if self.up:
                self.step_up(v)
                self.order_notices(previous, v, v)
            else:
                self.step_down(v)
                prior = versions.VERSIONS[versions.VERSIONS.index(v) - 1]
                self.order_notices(v, prior, prior)
            previous = v
        self.check_target()
        snippets = {b.keys[0].text[1:-1] for b in self.corefile.server_blocks if _is_snippet(b)}
        for imp in self.corefile.imports:
            if imp.pattern not in snippets:
                self.notice(imp.pattern, "", IMPORT, self.to_version)
        for block in self.corefile.server_blocks:
            for d in block.directives:
                if d.name == "import" and d.args and d.args[0].text not in snippets:
                    self.notice(d.args[0].text, "", IMPORT, self.to_version)

    # ---------------------------------------------------------------- which change holds
    in_effect = staticmethod(_in_effect)

    @staticmethod
    def holds(c: m.Change, subject: Directive, plugin_directive: Optional[Directive] = None) -> bool:
        if not c.only_if:
            return True
        kind, value = c.only_if
        if kind == "first_argument":
            return bool(subject.args) and subject.args[0].text == value
        if kind == "more_arguments_than":
            return len(subject.args) > value
        target = plugin_directive or subject
        if kind == "has_option":
            return bool(_lines(target, value))
        if kind == "lacks_option":
            return not _lines(target, value)
        raise ValueError(f"unknown condition {kind!r}")  # pragma: no cover - data error

    def acts(self, c: m.Change) -> bool:
        return c.status in (m.IGNORED, m.REMOVED) or (c.status == m.DEPRECATED and self.deprecations)

    # ---------------------------------------------------------------- up
    def step_up(self, v: str):
        new_blocks = []
        for block in list(self.corefile.server_blocks):
            converted = False
            for d in list(block.directives):
                if not _touched(d.name, v) or not _contains(block.directives, d) or d.name == "import":
                    continue
                result = self.plugin_change(block, d, v)
                if result == "gone":
                    continue
                converted = converted or result == "converted"
                self.option_changes(block, d, v)
                self.new_default_options(d, v)
                self.drop_once_ignored(d, v)
            if not _is_snippet(block):
                self.new_default_plugins(block, v)
            if converted:
                new_blocks += self.split_forwards(block, v)
        self.corefile.server_blocks.extend(new_blocks)

    def plugin_change(self, block: ServerBlock, d: Directive, v: str):
        c = self.in_effect(d.name, "", v)
        if c is None or not self.holds(c, d):
            return None
        if not self.acts(c):
            self.notice(d.name, "", c.status, c.version, replaced_by=c.replaced_by, additional=KEPT)
            return None
        if not c.rewrite:
            self.refuse(f'plugin "{d.name}" is {c.status} in CoreDNS {c.version} and migrate cannot replace it'
                        + (f": {c.note}" if c.note else ""), d.name_token)
        self.notice(d.name, "", c.status, c.version, replaced_by=c.replaced_by, additional=c.note)
        self.changed = True
        if c.rewrite == m.DROP:
            _remove(block.directives, d)
            return "gone"
        if c.rewrite == m.PROXY_TO_FORWARD:
            self.proxy_to_forward(d, c)
            return "converted"
        raise ValueError(f"unknown plugin rewrite {c.rewrite!r}")  # pragma: no cover - data error

    def option_changes(self, block: ServerBlock, d: Directive, v: str):
        for line in list(_lines(d)):
            c = self.in_effect(d.name, line.name, v)
            if c is None or not self.holds(c, line, d):
                continue
            if not self.acts(c):
                self.notice(d.name, line.name, c.status, c.version, replaced_by=c.replaced_by, additional=KEPT)
                continue
            if not c.rewrite:
                self.refuse(f'property "{line.name}" of plugin "{d.name}" is {c.status} in CoreDNS {c.version} '
                            "and nothing can replace it", line.name_token)
            self.notice(d.name, line.name, c.status, c.version, replaced_by=c.replaced_by, additional=c.note)
            self.changed = True
            if c.rewrite == m.DROP:
                self.remove_line(d, line)
            elif c.rewrite == m.FIRST_ARGUMENT_ONLY:
                del line.args[1:]
            elif c.rewrite == m.TRANSFER_TO_PLUGIN:
                self.transfer_to_plugin(block, d, c)
            elif c.rewrite == m.REPLACE_LINE:
                if line.args:
                    self.refuse(f'property "{line.name}" of plugin "{d.name}" has words after it that migrate '
                                f'cannot carry into "{c.replaced_by}"; rewrite it by hand', line.args[0])
                self.replace_line(line, c.params)
            else:  # pragma: no cover - data error
                raise ValueError(f"unknown property rewrite {c.rewrite!r}")

    def new_default_options(self, d: Directive, v: str):
        for c in m.changes_in(v):
            about_the_plugin = c.rewrite == m.ADD_OPTION or (c.only_if and c.only_if[0] in ("has_option",
                                                                                          "lacks_option"))
            if c.plugin != d.name or not c.option or not about_the_plugin:
                continue
            if c.from_range and not _between(self.from_version, *c.from_range):
                continue
            if not self.holds(c, d) or (c.rewrite == m.ADD_OPTION and _lines(d, c.option)):
                continue
            self.notice(d.name, c.option, c.status, c.version, additional=c.note)
            if c.rewrite == m.ADD_OPTION:
                self.add_line(d, Directive(_tok(c.option), [_tok(p) for p in c.params]))
        for c in m.changes_in(v):
            if c.plugin == d.name and c.option and c.status == m.BEHAVIOUR and not c.rewrite and not c.only_if \
                    and _lines(d, c.option):
                self.notice(d.name, c.option, c.status, c.version, additional=c.note)

    def new_default_plugins(self, block: ServerBlock, v: str):
        names = {d.name for d in block.directives}
        for c in m.changes_in(v):
            if c.option or c.rewrite != m.ADD_PLUGIN or c.plugin in names:
                continue
            if names & set(c.params):
                self.notice(c.plugin, "", c.status, c.version, additional=c.note)
                block.directives.append(Directive(_tok(c.plugin)))
                self.changed = True

    def drop_once_ignored(self, d: Directive, v: str):
        """Properties a plugin used to skip silently and refuses from release `v` on: dropping them keeps
        what the Corefile did (the plugin knowledge records the release as ignores_unknown_until)."""
        plugin = registry.get(d.name)
        if plugin is None or plugin.ignores_unknown_until != v:
            return
        for line in list(_lines(d)):
            prop = plugin.prop(line.name, v)
            if prop is None or not present_in(prop.since, prop.removed, v):
                self.notice(d.name, line.name, m.REMOVED, v,
                            additional="CoreDNS ignored it before and refuses it now; it is dropped.")
                self.remove_line(d, line)
                self.changed = True

    # ---------------------------------------------------------------- rewrites
    def remove_line(self, d: Directive, line: Directive):
        _remove(d.block.directives, line)
        if not d.block.directives:
            d.block = None
            d.tail = []

    @staticmethod
    def replace_line(line: Directive, words) -> None:
        """The line becomes `words` where it stands: its place among the other lines can matter (no_reload and
        reload each set the reload interval, and the last line read wins)."""
        name = line.name_token.copy()
        name.text = name.raw = words[0]
        line.name_token = name
        line.args = [_tok(w) for w in words[1:]]

    def add_line(self, d: Directive, line: Directive):
        if d.block is None:
            d.block = Block(_tok("{"), [], _tok("}"))
        d.block.directives.append(line)
        self.changed = True

    def proxy_to_forward(self, d: Directive, c: m.Change):
        table = m.PROXY_TO_FORWARD_OPTIONS
        new_lines = []
        for line in _lines(d):
            rule = table.get(line.name)
            words = " ".join(a.text for a in line.args)
            if rule == "keep":
                new_lines.append(line)
                continue
            if rule == "drop":
                self.notice("proxy", line.name, c.status, c.version,
                            additional=f'It has no equivalent in "{c.replaced_by}" and is dropped.')
                continue
            if isinstance(rule, dict):
                first = f"{line.args[0].text} {m.ANY_ARGUMENTS}" if line.args else None
                rule = rule.get(words) or (rule.get(first) if first else None) or (
                    rule.get(m.ANY_ARGUMENTS) if words else None)
                if rule == "keep":
                    new_lines.append(line)
                    continue
                if rule is not None:
                    replacement, why = rule
                    self.notice("proxy", line.name, c.status, c.version, additional=why)
                    if replacement:
                        parts = replacement.split()
                        new_lines.append(Directive(_tok(parts[0]), [_tok(w) for w in parts[1:]]))
                    continue
            shown = f"{line.name} {words}".strip()
            self.refuse(f'proxy property "{shown}" has no equivalent in forward; rewrite it by hand',
                        line.name_token)
        name = d.name_token.copy()
        name.text = name.raw = c.replaced_by
        d.name_token = name
        if d.block is not None:
            d.block.directives = new_lines
            if not new_lines:
                d.block = None
                d.tail = []

    def split_forwards(self, block: ServerBlock, v: str) -> list:
        """forward may stand once in a server block (before 1.9.4): proxies of stub domains become server
        blocks of their own, each with loop, errors and cache (corefile-migration's layout)."""
        from .addresses import DEFAULT_PORT, inspect_key

        forwards = [d for d in block.directives if d.name == "forward"]
        plugin = registry.get("forward")
        if len(forwards) < 2 or (plugin is not None and not plugin.once_in(v)):
            return []
        if sum(1 for d in forwards if d.args and d.args[0].text == ".") > 1:
            self.refuse('several proxies for "." in one server block cannot become one forward', forwards[1].name_token)
        address = inspect_key(block.keys[0].text) if len(block.keys) == 1 else None
        if address is None or address.zones != (".",):
            self.refuse("proxies of several domains in a server block that does not serve just \".\" cannot "
                        "become forward (once per server block); split the block by hand", forwards[0].name_token)
        taken = set()
        for other in self.corefile.server_blocks:
            if not _is_snippet(other):
                for k in other.keys:
                    a = inspect_key(k.text)
                    taken.update((z, a.port) for z in (a.zones or ()))
        out = []
        for fwd in forwards:
            if not fwd.args or fwd.args[0].text == ".":
                continue
            zone = fwd.args[0].text
            key_text = ("" if address.transport == "dns" else f"{address.transport}://") + zone + (
                "" if address.port == DEFAULT_PORT.get(address.transport) else f":{address.port}")
            new_address = inspect_key(key_text)
            if new_address.zones is None or any((z, new_address.port) in taken for z in new_address.zones):
                self.refuse(f'the stub domain "{zone}" cannot get a server block of its own '
                            f"({new_address.error or 'another block already serves it'})", fwd.name_token)
            moved = _unplaced(fwd)
            moved.args[0].text = moved.args[0].raw = "."
            directives = [moved] + [Directive(_tok(p[0]), [_tok(a) for a in p[1:]]) for p in m.STUB_BLOCK_PLUGINS]
            out.append(ServerBlock([Key(_tok(key_text), key_text, new_address)], directives,
                                   _tok("{"), _tok("}")))
            _remove(block.directives, fwd)
        return out

    def transfer_to_plugin(self, block: ServerBlock, d: Directive, c: m.Change):
        """`transfer to ADDR...` lines of kubernetes/file/auto/secondary become one transfer plugin, allowing
        the addresses the plugin allowed: kubernetes kept only its last line, the others added theirs up."""
        lines = [line for line in _lines(d, "transfer") if line.args and line.args[0].text == "to"]
        for line in lines:
            self.remove_line(d, line)
        if m.TRANSFER_LINES.get(d.name) == "last" and len(lines) > 1:
            lines = lines[-1:]
            self.notice(d.name, "transfer", c.status, c.version, replaced_by=c.replaced_by,
                        additional=f'Only the last "transfer to" line was in effect in "{d.name}" (each replaced '
                                   "the one before); the transfer plugin gets its addresses alone.")
        to = []
        for line in lines:
            for a in line.args[1:]:
                if a.text not in [t.text for t in to]:   # an address given twice is allowed once
                    to.append(a)
        if not to:
            return
        if d.name == "kubernetes":
            zones = d.args[:1]   # the cluster zone; reverse zones had no transfers (corefile-migration)
        elif d.name == "file":
            zones = d.args[1:]
        else:
            zones = d.args
        transfer = Directive(_tok("transfer"), [_tok(z.text) for z in zones],
                             Block(_tok("{"), [Directive(_tok("to"), [_tok(a.text) for a in to])], _tok("}")))
        block.directives.append(transfer)

    # ---------------------------------------------------------------- down
    def step_down(self, v: str):
        """Undo what release `v` added, where the target release lacks it."""
        known = set(versions.directives(self.to_version))
        for c in m.changes_in(v):
            for block in self.corefile.server_blocks:
                if c.rewrite == m.ADD_PLUGIN and c.plugin not in known and not _is_snippet(block):
                    # The target has no such plugin at all, whatever its arguments (`ready :8181` too): taken
                    # out, as corefile-migration's MigrateDown does (removePlugin), rather than refused.
                    for d in [d for d in block.directives if d.name == c.plugin]:
                        _remove(block.directives, d)
                        self.reverted(c)
                elif c.rewrite == m.ADD_OPTION:
                    if c.from_range and not _between(self.to_version, *c.from_range):
                        continue
                    if self.option_exists(c.plugin, c.option, self.to_version):
                        continue
                    for d in [d for d in block.directives if d.name == c.plugin]:
                        for line in _lines(d, c.option):
                            if [a.text for a in line.args] == list(c.params):
                                self.remove_line(d, line)
                                self.reverted(c)
                elif c.rewrite == m.TRANSFER_TO_PLUGIN and c.plugin == "kubernetes":
                    self.transfer_back(block, c)
                elif c.rewrite == m.REPLACE_LINE:
                    self.replace_back(block, c, v)
                if c.status == m.BEHAVIOUR:
                    self.behaviour_crossed(block, c)

    def behaviour_crossed(self, block: ServerBlock, c: m.Change):
        """Going down across a behaviour change: say so where the file uses what changed."""
        for d in [d for d in block.directives if d.name == c.plugin]:
            if c.rewrite == m.ADD_OPTION and _lines(d, c.option):
                continue   # kept, or taken out with its own notice
            if (self.holds(c, d) if c.only_if else bool(_lines(d, c.option))):
                self.notice(c.plugin, c.option, c.status, c.version,
                            additional=(c.note + " " if c.note else "") + f"{self.to_version} does not have this change.")

    def replace_back(self, block: ServerBlock, c: m.Change, v: str):
        """Going down across the release whose predecessor lacks the replacing property (file's `reload` came in
        1.2.3): the replacement, given as the rule writes it, becomes the property it replaced again, where the
        target release has that one."""
        prior = versions.VERSIONS[versions.VERSIONS.index(v) - 1]
        if self.option_exists(c.plugin, c.params[0], prior) or not self.option_exists(c.plugin, c.option,
                                                                                       self.to_version):
            return
        for d in [d for d in block.directives if d.name == c.plugin]:
            for line in _lines(d, c.params[0]):
                if _same_words([a.text for a in line.args], c.params[1:]):
                    self.replace_line(line, (c.option,))
                    self.changed = True
                    self.notice(c.plugin, c.option, c.status, c.version, replaced_by=c.replaced_by,
                                additional=f'"{c.replaced_by}" is turned back into it for {self.to_version}.')

    def reverted(self, c: m.Change):
        self.changed = True
        self.notice(c.plugin, c.option, c.status, c.version,
                    additional=f"It is removed for {self.to_version}.")

    def transfer_back(self, block: ServerBlock, c: m.Change):
        owners = {x.plugin for x in m.changes_in(c.version) if x.rewrite == m.TRANSFER_TO_PLUGIN}
        for t in [d for d in block.directives if d.name == "transfer"]:
            candidates = [d for d in block.directives if d.name in owners]
            if len(candidates) != 1 or any(line.name != "to" for line in _lines(t)):
                self.refuse(f"the transfer plugin cannot be turned back into a `transfer to` property for "
                            f"CoreDNS {self.to_version}: it needs exactly one of {', '.join(sorted(owners))} in "
                            "its server block and only `to` lines", t.name_token)
            owner = candidates[0]
            for line in _lines(t, "to"):
                self.add_line(owner, Directive(_tok("transfer"), [_tok("to")] + [_tok(a.text) for a in line.args]))
            _remove(block.directives, t)
            self.notice(owner.name, "transfer", m.REMOVED, c.version, replaced_by="transfer",
                        additional=f"The transfer plugin is turned back into it for {self.to_version}.")

    # ---------------------------------------------------------------- both
    def order_notices(self, old: str, new: str, label: str):
        old_index, new_index = versions.order_index(old), versions.order_index(new)
        for block in self.corefile.server_blocks:
            if _is_snippet(block):
                continue
            names = sorted({d.name for d in block.directives if d.name in old_index and d.name in new_index},
                           key=lambda n: new_index[n])
            for i, a in enumerate(names):
                for b in names[i + 1:]:
                    if old_index[a] > old_index[b]:
                        self.notice(b, "", ORDER, label, replaced_by=a)

    @staticmethod
    def option_exists(plugin_name: str, option: str, version: str) -> bool:
        plugin = registry.get(plugin_name)
        if plugin is None:
            return True
        prop = plugin.prop(option, version)
        return prop is not None and present_in(prop.since, prop.removed, version)

    def check_target(self):
        """Everything left must exist in the target release; what does not is refused, what this tool does
        not know is reported."""
        to = self.to_version
        known = set(versions.directives(to))
        ever = {name for _, names in versions.ORDERS for name in names} | set(versions.GONE)
        for block in self.corefile.server_blocks:
            for d in block.directives:
                if d.name == "import":
                    continue
                if d.name not in known:
                    if d.name in ever:
                        hint = versions.unknown_hint(d.name, to)
                        self.refuse(f'plugin "{d.name}" is not in CoreDNS {to}' + (f" ({hint})" if hint else "")
                                    + "; migrate has no safe replacement for it", d.name_token)
                    self.notice(d.name, "", UNSUPPORTED, to)
                    continue
                plugin = registry.get(d.name)
                if plugin is None:
                    continue
                for line in _lines(d):
                    prop = plugin.prop(line.name, to)
                    if prop is None:
                        if not plugin.other_lines and line.name != "import":
                            self.notice(d.name, line.name, UNSUPPORTED, to)
                        continue
                    if not present_in(prop.since, prop.removed, to):
                        when = f"removed in {prop.removed}" if prop.removed and version_tuple(to) >= version_tuple(
                            prop.removed) else f"added in {prop.since}"
                        self.refuse(f'property "{line.name}" of plugin "{d.name}" is not in CoreDNS {to} ({when}); '
                                    "migrate has no safe equivalent for it", line.name_token)
