"""Corefile text → syntax tree, exactly as CoreDNS's parser (coredns/caddy caddyfile/parse.go) reads it.

The structure is stated once, in grammar/corefile.lark. Lark turns it into an LALR table (built once and
stored next to the grammar as corefile.lalr.json, rebuilt into the user's cache whenever the grammar changes),
and a small driver here runs that table, so start-up does not import Lark. This module feeds the driver: it
lexes, splices `import`s (snippets first, then files and globs relative to the importing file), defines
snippets, substitutes {$VAR}/{%VAR%} references, and hands over each word as the terminal the table's current
state accepts, which is how CoreDNS decides whether a word is a key, a directive name or an argument.

CoreDNS's decisions depend on whether the next token is on a new line (dispenser.go `isNewLine`), on the same
line (`NextArg`), or neither: a snippet's tokens keep their own line numbers, so the first of them may sit
"above" the token before the `import`. All three are kept apart below.
"""
from __future__ import annotations

import gc
import json
import os
import re
import stat
import sys
import zlib
from typing import Optional

from . import lexer as lexmod
from .addresses import inspect_key
from .diagnostics import Diagnostic
from .lexer import Token
from .tree import Block, Corefile, Directive, Import, Key, ServerBlock, Snippet

# CoreDNS >= 1.13 counts expansions per parse (coredns/caddy parse.go); totals, not depths.
MAX_SNIPPET_EXPANSIONS = 10_000
MAX_FILE_EXPANSIONS = 100_000
# This tool's own bounds (CoreDNS has none), so hostile input cannot make it read, build or nest without end.
MAX_INPUT_BYTES = 8 * 1024 * 1024      # one Corefile; a 10,000-cluster mesh is about 1.6 MB
MAX_IMPORT_BYTES = 16 * 1024 * 1024    # all imported files together
MAX_TOKENS = 1_000_000                 # words (and comments) of all files read, imports included
MAX_GLOB_MATCHES = 1_000
MAX_IMPORT_DEPTH = 100                 # imports inside imports; only a cycle gets anywhere near it
MAX_NESTING = 100                      # `{` inside `{`; no plugin reads more than one level
MAX_ENV_ROUNDS = 1_000
MAX_ENV_RESULT = 1024 * 1024

_GRAMMAR_FILE = "corefile.lark"
_TABLE_FILE = "corefile.lalr.json"
_TABLE_FORMAT = 2


# ---------------------------------------------------------------------------------------------- LALR table

def _grammar_file() -> str:
    """grammar/ lives at the repository root and ships inside the wheel as corefile_tool/grammar/. (os.path, not
    pathlib: pathlib pulls in urllib, a tenth of `corefile parse`'s start-up.)"""
    here = os.path.dirname(os.path.realpath(__file__))
    for directory in (here, os.path.dirname(here)):
        candidate = os.path.join(directory, "grammar", _GRAMMAR_FILE)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f"{_GRAMMAR_FILE} not found next to {here}")


def grammar_path():
    from pathlib import Path

    return Path(_grammar_file())


def grammar_digest(grammar: bytes) -> str:
    """Which grammar a table was built from. It only has to notice edits, so a checksum does (and, unlike
    hashlib, zlib costs nothing to import at start-up)."""
    data = b"corefile-lalr-%d\n" % _TABLE_FORMAT + grammar
    return f"{len(data):08x}{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def build_table(grammar: str) -> dict:
    """Lark's LALR table for the grammar, as plain data: each state maps a symbol to a shift/goto (a state
    number >= 0) or a reduction (~rule number); each rule is its name and its expansion. States are numbered
    breadth-first from the start and rules in sorted order, so the same grammar always gives the same file."""
    from lark import Lark
    from lark.lexer import Lexer

    class _FedByHand(Lexer):  # the grammar has no terminal patterns: the parser hands tokens over itself
        def __init__(self, conf):
            pass

        def lex(self, *args):  # pragma: no cover - never called
            raise NotImplementedError

    lark = Lark(grammar, parser="lalr", lexer=_FedByHand, maybe_placeholders=False)
    table = lark.parser.parser.parser.parse_table
    found = {(a.origin.name, tuple(x.name for x in a.expansion))
             for actions in table.states.values() for action, a in actions.values() if action.name == "Reduce"}
    rules = sorted(found)
    rule_number = {r: i for i, r in enumerate(rules)}
    start = table.start_states["start"]
    number = {start: 0}
    queue = [start]
    for s in queue:  # breadth-first, symbols in sorted order
        for symbol, (action, arg) in sorted(table.states[s].items()):
            if action.name == "Shift" and arg not in number:
                number[arg] = len(number)
                queue.append(arg)
    states = []
    for s in queue:
        actions = {}
        for symbol, (action, arg) in sorted(table.states[s].items()):
            if action.name == "Shift":
                actions[str(symbol)] = number[arg]
            else:
                rule = (arg.origin.name, tuple(x.name for x in arg.expansion))
                actions[str(symbol)] = ~rule_number[rule]
        states.append(actions)
    return {"format": _TABLE_FORMAT, "grammar_digest": grammar_digest(grammar.encode("utf-8")),
            "start": 0, "end": number[table.end_states["start"]],
            "rules": [[str(name), [str(x) for x in expansion]] for name, expansion in rules], "states": states}


def table_json(table: dict) -> str:
    return json.dumps(table, sort_keys=True, separators=(",", ":")) + "\n"


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "corefile")


def _write_atomically(path, text: str) -> None:
    from .files import write_atomically

    write_atomically(path, text, mode=0o644)  # the table is no secret and ships in the wheel

def load_table_data() -> dict:
    """The packaged table when it matches the grammar, else one from the user's cache, else a fresh build
    (cached for next time; a read-only home only costs speed)."""
    grammar = _grammar_file()
    with open(grammar, "rb") as f:
        source = f.read()
    digest = grammar_digest(source)
    cached = os.path.join(_cache_dir(), f"corefile-{digest}.lalr.json")
    for candidate in (os.path.join(os.path.dirname(grammar), _TABLE_FILE), cached):
        try:
            with open(candidate, encoding="utf-8") as f:
                data = json.loads(f.read())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("grammar_digest") == digest:
            return data
    data = build_table(source.decode("utf-8"))
    try:
        _write_atomically(cached, table_json(data))
    except OSError:
        pass
    return data


class _Splice(list):
    """The children of a rule that Lark's conventions inline into its parent (its name starts with "_")."""
    __slots__ = ()


_UNCLOSED = object()  # the CLOSE that CoreDNS's EOF quirk takes for granted


def _directive(name_token: Token, words) -> Directive:
    """A directive from its name and what followed: runs of words (lists) and blocks. Words after the first
    block, and any later block, are its tail (parse.go keeps them as more tokens of the same directive)."""
    args: list = []
    block = None
    tail: list = []
    for w in words:
        if type(w) is Block:
            if block is None:
                block = w
            else:
                tail.extend(_block_tokens(w))
        elif block is None:
            args.extend(w)
        else:
            tail.extend(w)
    return Directive(name_token, args, block, tail)


def _block_tokens(block: Block):
    yield block.open
    for d in block.directives:
        yield from d.tokens()
    if block.close is not None:
        yield block.close


def _build_directive(children):
    return _directive(children[0], children[1:])


def _build_line(children):
    first = children[0]
    if type(first) is Block:
        # a line inside a block that starts with `{` (no plugin accepts one): the brace names it and the
        # rest of the line, that block included, follows as plain words
        rest = list(_block_tokens(first))
        for c in children[1:]:
            rest.extend(_block_tokens(c) if type(c) is Block else c)
        return Directive(rest[0], [], None, rest[1:])
    return _directive(first[0], [first[1:]] + children[1:])


def _build_block(children):
    return Block(children[0], children[1:-1], children[-1])


def _build_keys(children):
    keys = []
    for t in children:
        text = t.text
        if text == "":
            continue  # `""` or an empty {$VAR}: parse.go skips it
        keys.append(Key(t, text[:-1] if text[-1] == "," else text))
    return keys


def _build_braced_block(children):
    if type(children[0]) is list:
        keys, opener = children[0], 1
    else:
        keys, opener = [], 0
    close = children[-1]
    return ServerBlock(keys, children[opener + 1:-1], children[opener], None if close is _UNCLOSED else close)


def _build_bare_block(children):
    keys = children[0]
    rest = children[1:]
    close = None
    if rest and type(rest[-1]) is Token:
        close = rest.pop()
    return ServerBlock(keys, rest, None, close)


def _build_keys_only(children):
    return ServerBlock(children[0], [])


_BUILDERS = {
    "start": list,
    "braced_block": _build_braced_block,
    "bare_block": _build_bare_block,
    "unclosed_bare_block": _build_bare_block,
    "keys_only": _build_keys_only,
    "keys": _build_keys,
    "directive": _build_directive,
    "block": _build_block,
    "line": _build_line,
}


# The commonest reductions, built without the general flattening below (same values as the general path).
_SHORTCUTS = {
    ("directive", ("NAME",)): lambda c: Directive(c[0], [], None, []),
    ("directive", ("NAME", "ARGS")): lambda c: Directive(c[0], list(c[1]), None, []),
    ("directive", ("NAME", "ARGS", "block")): lambda c: Directive(c[0], list(c[1]), c[2], []),
    ("directive", ("NAME", "block")): lambda c: Directive(c[0], [], c[1], []),
    ("line", ("ARGS",)): lambda c: Directive(c[0][0], c[0][1:], None, []),
    ("block", ("LBRACE", "_NL", "line", "__block_star_4", "_NL", "RBRACE")):
        lambda c: Block(c[0], [c[2], *c[3]], c[5]),
    ("braced_block", ("keys", "OPEN", "_NL", "__braced_block_star_1", "CLOSE")):
        lambda c: ServerBlock(c[0], list(c[3]), c[1], None if c[4] is _UNCLOSED else c[4]),
    ("braced_block", ("keys", "OPEN", "_NL", "__braced_block_star_1", "CLOSE", "_NL")):
        lambda c: ServerBlock(c[0], list(c[3]), c[1], None if c[4] is _UNCLOSED else c[4]),
}


def _reducer(name: str, expansion: list):
    """The function that turns a rule's children into its value, shaped by Lark's conventions: "_" terminals
    dropped, "_" rules spliced into their parent. Worked out once per rule, not per reduction."""
    shortcut = _SHORTCUTS.get((name, tuple(expansion)))
    if shortcut is not None:
        return shortcut
    ops = []  # (child index, splice it?) for the children that are kept
    for i, symbol in enumerate(expansion):
        terminal = symbol.lstrip("_")[:1].isupper()
        if terminal and symbol.startswith("_"):
            continue
        ops.append((i, not terminal and symbol.startswith("_")))
    if name.startswith("_"):
        if ops[:1] == [(0, True)] and len(ops) <= 2:
            # a left-recursive repetition: grow the first child's list in place instead of copying it
            if len(ops) == 1:
                return lambda c: c[0]
            i, splice = ops[1]
            if splice:
                def grow(c):
                    s = c[0]
                    s.extend(c[i])
                    return s
            else:
                def grow(c):
                    s = c[0]
                    s.append(c[i])
                    return s
            return grow
        if ops == [(0, False)]:
            return lambda c: _Splice((c[0],))

        def inline(c):
            s = _Splice()
            for i, splice in ops:
                if splice:
                    s.extend(c[i])
                else:
                    s.append(c[i])
            return s
        return inline
    build = _BUILDERS[name]
    if len(ops) == len(expansion) and not any(splice for _, splice in ops):
        return build
    if ops == [(0, False), (1, True)]:  # NAME followed by its words: the commonest shape by far
        def head_and_list(c):
            flat = [c[0]]
            flat.extend(c[1])
            return build(flat)
        return head_and_list

    def flatten_then_build(c):
        flat = []
        for i, splice in ops:
            if splice:
                flat.extend(c[i])
            else:
                flat.append(c[i])
        return build(flat)
    return flatten_then_build


# What the token stream asks of a state: is a key, a directive name or an argument expected there?
ROLE_KEY, ROLE_NAME, ROLE_ARG = 1, 2, 3


class _Table:
    __slots__ = ("states", "rules", "start", "end", "roles", "takes_newline")

    def __init__(self, data: dict):
        self.states = data["states"]
        self.start = data["start"]
        self.end = data["end"]
        self.rules = [(name, len(expansion), _reducer(name, expansion)) for name, expansion in data["rules"]]
        self.roles = []
        for actions in self.states:
            roles = {r for r, term in ((ROLE_KEY, "KEY"), (ROLE_NAME, "NAME"), (ROLE_ARG, "ARGS"),
                                       (ROLE_ARG, "LBRACE"), (ROLE_ARG, "RBRACE")) if term in actions}
            self.roles.append(roles.pop() if len(roles) == 1 else 0)
        self.takes_newline = ["_NL" in actions for actions in self.states]


_TABLE: Optional[_Table] = None


def table() -> _Table:
    global _TABLE
    if _TABLE is None:
        _TABLE = _Table(load_table_data())
    return _TABLE


# ---------------------------------------------------------------------------------------------- helpers

class ParseError(Exception):
    def __init__(self, message: str, token: Optional[Token], code: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.token = token
        self.code = code


class InputTooLarge(OSError):
    """A Corefile above this tool's size limit; read_input reports it like any unreadable file."""


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def shown(text: str, limit: int = 80) -> str:
    """A token's text for a one-line message: control characters escaped, long texts cut."""
    if len(text) > limit:
        text = text[:limit] + "..."
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


def substitute_env(text: str, env, found: Optional[dict] = None) -> str:
    """Replace {%NAME%} then {$NAME} references (coredns/caddy parse.go replaceEnvVars): no defaults, unset is
    empty, never re-tokenised, and every occurrence of a reference at once, searching again from the start.
    `found` collects reference -> value. A value that keeps producing references is stopped (CoreDNS hangs)."""
    if "{" not in text:
        return text
    for start, end in (("{%", "%}"), ("{$", "}")):
        index = text.find(start)
        rounds = 0
        while index != -1:
            end_index = text.find(end, index)
            if end_index == -1 or end_index <= index + len(start):
                break
            ref = text[index:end_index + len(end)]
            value = env.get(ref[len(start):-len(end)], "")
            if found is not None:
                found[ref] = value
            text = text.replace(ref, value)
            rounds += 1
            if rounds > MAX_ENV_ROUNDS or len(text) > MAX_ENV_RESULT:
                raise ParseError(f"the environment reference {shown(ref)} expands without end "
                                 "(CoreDNS hangs on it; this tool stops)", None)
            index = text.find(start)
    return text


def same_line(a: Token, b: Token) -> bool:
    """dispenser.go NextArg: same file, and b starts on the line a ends on."""
    return a.file == b.file and a.line + a.text.count("\n") == b.line


def is_new_line(a: Optional[Token], b: Token) -> bool:
    """dispenser.go isNewLine: another file, or b starts below the line a ends on."""
    return a is None or a.file != b.file or a.line + a.text.count("\n") < b.line


# ---------------------------------------------------------------------------------------------- globs

class _BadPattern(Exception):
    pass


def _has_meta(path: str) -> bool:
    return any(c in path for c in "*?[\\")


def _name_matcher(pattern: str):
    """Go path/filepath.Match for one path element: `*`, `?`, `\\` escapes. A `[` class cannot be well formed
    here: patterns holding both `[` and `]` are refused before globbing (parse.go doImport)."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            i += 1
            if i == len(pattern):
                raise _BadPattern
            out.append(re.escape(pattern[i]))
        elif c == "[":
            raise _BadPattern
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.S).fullmatch


def go_glob(pattern: str) -> list[str]:
    """Go filepath.Glob: matches in lexical order, hidden files included, I/O errors ignored;
    _BadPattern for a malformed pattern."""
    for element in pattern.split("/"):
        _name_matcher(element)  # Glob checks the whole pattern first
    if not _has_meta(pattern):
        return [pattern] if os.path.lexists(pattern) else []
    directory, name = os.path.split(pattern)
    directory = directory or "."
    if not _has_meta(directory):
        dirs = [directory]
    else:
        if directory == pattern:
            raise _BadPattern
        dirs = go_glob(directory)
    matches = []
    match = _name_matcher(name)
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        matches.extend(os.path.join(d, n) for n in names if match(n))
    return matches


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


# ---------------------------------------------------------------------------------------------- the stream

class _Stream:
    """The spliced token stream: a stack of token lists, so an import is pushed, not copied in."""

    __slots__ = ("frames", "tokens", "index", "count")

    def __init__(self, tokens):
        self.frames = []
        self.tokens = tokens
        self.index = 0
        self.count = len(tokens)

    def next(self) -> Optional[Token]:
        i = self.index
        if i < len(self.tokens):
            self.index = i + 1
            return self.tokens[i]
        while self.frames:
            self.tokens, self.index = self.frames.pop()
            if self.index < len(self.tokens):
                self.index += 1
                return self.tokens[self.index - 1]
        self.tokens, self.index = [], 0
        return None

    def peek(self, ahead: int = 0) -> Optional[Token]:
        remaining = len(self.tokens) - self.index
        if ahead < remaining:
            return self.tokens[self.index + ahead]
        ahead -= remaining
        for toks, i in reversed(self.frames):
            remaining = len(toks) - i
            if ahead < remaining:
                return toks[i + ahead]
            ahead -= remaining
        return None

    def push(self, tokens, anchor: Optional[Token]):
        self.count += len(tokens)
        if self.count > MAX_TOKENS:
            raise ParseError(f"imports add up to more than {MAX_TOKENS:,} tokens (this tool's limit)", anchor,
                             "import")
        if not tokens:
            return
        if self.index < len(self.tokens):
            self.frames.append((self.tokens, self.index))
        self.tokens, self.index = tokens, 0


# ---------------------------------------------------------------------------------------------- the parser

class Parser:
    def __init__(self, text: str, path: str = "Corefile", env=None, base_dir: Optional[str] = None,
                 allow_import_outside: bool = False, as_written: bool = False):
        self.path = path
        # as_written: the file as its author wrote it, for `fmt`: no {$ENV} substitution, `import` kept as a line
        # (a top-level one in .imports, one inside a block as a directive named "import"), snippet definitions
        # kept as blocks keyed "(name)", key-less blocks kept.
        self.as_written = as_written
        self.text = text
        self.env = os.environ if env is None else env
        self.main_abs = os.path.abspath(os.fspath(path) if path not in ("-", "") else "Corefile")
        self.base_dir = os.path.abspath(base_dir) if base_dir else os.path.dirname(self.main_abs)
        self.base_real = os.path.realpath(self.base_dir)
        self.allow_outside = allow_import_outside
        self.snippets: dict[str, Snippet] = {}
        self.snippet_expansions = 0
        self.file_expansions = 0
        self.import_bytes = 0
        self._last: Optional[Token] = None
        self.trace: Optional[list] = None  # set to a list to record the terminals handed to the grammar
        self._resolved: dict = {}     # (directory, pattern) -> matches, for one parse
        self._file_tokens: dict = {}  # absolute path -> its tokens, lexed once
        self.result = Corefile(path=path, text=text, as_written=as_written)
        self.result.sources[""] = text

    # ------------------------------------------------------------------ driver
    def parse(self) -> Corefile:
        cf = self.result
        collecting = gc.isenabled()
        gc.disable()  # hundreds of thousands of small objects, none cyclic: the collector would only slow us
        try:
            try:
                cf.tokens = lexmod.lex(self.text, "", cf.comments, limit=MAX_TOKENS)
                blocks = self._parse(cf.tokens)
            except lexmod.TooManyWords as e:
                cf.tokens = []
                self.result.diagnostics.append(Diagnostic(
                    "syntax", "error", f"{e} (this tool's limit; a 10,000-cluster mesh has about 150,000)",
                    self.result.redact(self.path), e.line, 1))
                blocks = []
            except ParseError as e:
                self._error(e.message, e.token or self._last, e.code)
                blocks = []
            if cf.env_values:
                # what lint cannot check: a word built from a variable that is not set here (CoreDNS reads its
                # own host's environment); "{$NAME}" and "{%NAME%}" both hold the name two characters in
                cf.env_unset = frozenset(ref for ref, value in cf.env_values.items()
                                         if value == "" and ref[2:-2 if ref[1] == "%" else -1] not in self.env)
            cf.server_blocks = [b for b in blocks if b.keys or self.as_written]
            for i, block in enumerate(cf.server_blocks):
                block.index = i
                for key in block.keys:
                    key.address = inspect_key(key.text)
        finally:
            if collecting:
                gc.enable()
        return cf

    def _parse(self, tokens: list) -> list:
        tab = table()
        states, rules, end_state, roles, takes_newline = tab.states, tab.rules, tab.end, tab.roles, \
            tab.takes_newline
        stack = [tab.start]
        values: list = []
        push_state, push_value, pop_state, pop_value = stack.append, values.append, stack.pop, values.pop

        trace = self.trace

        def feed(term: str, value):
            if trace is not None:
                trace.append(term)
            state = stack[-1]
            action = states[state].get(term)
            while action is not None and action < 0:
                name, size, build = rules[~action]
                if size == 1:
                    children = [pop_value()]
                    pop_state()
                elif size:
                    children = values[-size:]
                    del values[-size:]
                    del stack[-size:]
                else:
                    children = []
                state = states[stack[-1]][name]
                push_state(state)
                push_value(build(children))
                if state == end_state and term == "$END":
                    return
                action = states[state].get(term)
            if action is None:
                raise ParseError(f"Syntax error: Unexpected token '{shown(value.raw) if value else ''}'", value)
            push_state(action)
            push_value(value)

        stream = self.stream = _Stream(tokens)
        expand = not self.as_written
        env = None if self.as_written else self.env
        env_values = self.result.env_values
        subst = self._subst

        prev: Optional[Token] = None   # the token before this one in the spliced stream (parse.go cursor-1)
        prev_file, prev_end = None, 0
        force_line = False             # after an `import` where a directive name stands: what follows is one
        expecting = False              # a key ended with "," and another must follow
        pending_empty = None           # an empty key at a block's start: fed only if the block has no braces
        block_keys = 0
        depth = 0
        braced = False
        # the stream's current list and position live in locals here (the hot loop); they are handed back
        # to the stream around everything that reads or splices it
        toks, i, n = stream.tokens, 0, len(stream.tokens)
        last = None  # the token being handled: where an error found while handling it is reported
        try:
            while True:
                if i < n:
                    t = toks[i]
                    i += 1
                else:
                    stream.index = i
                    t = stream.next()
                    if t is None:
                        break
                    toks, i, n = stream.tokens, stream.index, len(stream.tokens)
                raw = t.text
                last = t
                new_line = prev is None or t.file != prev_file or prev_end < t.line
                if (force_line or (new_line and raw != "{")) and not expecting:
                    if pending_empty is not None and roles[stack[-1]] == ROLE_KEY:
                        feed("KEY", pending_empty)
                        pending_empty = None
                    if takes_newline[stack[-1]]:
                        feed("_NL", None)
                force_line = False
                go_text = raw  # the text parse.go keeps in its token list (arguments are stored substituted)
                role = roles[stack[-1]]

                if role == ROLE_ARG:
                    if raw == "{":
                        depth += 1
                        if depth > MAX_NESTING:
                            raise ParseError(f"blocks nested more than {MAX_NESTING} deep (CoreDNS's parser accepts "
                                             "them, no plugin reads past one level; this tool stops here)", t)
                        feed("LBRACE", t)
                    elif raw == "}":
                        if depth == 0:
                            raise ParseError("Unexpected '}' because no matching opening brace", t)
                        depth -= 1
                        feed("RBRACE", t)
                    elif raw == "import" and new_line and expand:
                        stream.index = i
                        self._do_import(t)
                        toks, i, n = stream.tokens, stream.index, len(stream.tokens)
                        continue
                    else:
                        # this word and the ones after it on the same line, up to a brace, are one ARGS run
                        run = []
                        while True:
                            if env is not None and "{" in raw:
                                last = t
                                go_text = substitute_env(raw, env, env_values)
                                t = subst(t, go_text)
                            run.append(t)
                            prev_file = t.file
                            prev_end = t.line + go_text.count("\n") if (t.quoted or go_text is not raw) else t.line
                            if i < n:
                                t = toks[i]
                            else:
                                stream.index = i
                                t = stream.peek()
                                if t is None:
                                    break
                            raw = t.text
                            if raw == "{" or raw == "}" or t.file != prev_file or prev_end < t.line:
                                break
                            if i < n:
                                i += 1
                            else:
                                stream.next()
                                toks, i, n = stream.tokens, stream.index, len(stream.tokens)
                            go_text = raw
                        feed("ARGS", run)
                        prev = run[-1]
                        continue
                elif role == ROLE_NAME:
                    if raw == "}":
                        feed("CLOSE", t)
                        braced = False
                        block_keys = 0
                    elif raw == "import" and expand:
                        stream.index = i
                        self._do_import(t)
                        toks, i, n = stream.tokens, stream.index, len(stream.tokens)
                        force_line = True
                        continue
                    elif env is not None and "{" in raw:
                        feed("NAME", subst(t, substitute_env(raw, env, env_values)))
                    else:
                        feed("NAME", t)
                elif role == ROLE_KEY:
                    text = substitute_env(raw, env, env_values) if env is not None and "{" in raw and raw != "{" \
                        else raw
                    if text == "import" and new_line:
                        stream.index = i
                        self._do_import(t)  # as written, a top-level import is recorded, not expanded
                        toks, i, n = stream.tokens, stream.index, len(stream.tokens)
                        continue
                    if text == "{":
                        if expecting:
                            raise ParseError("Expected another address but had '{' - check for extra comma", t)
                        pending_empty = None
                        if raw == "{":
                            feed("OPEN", t)
                            braced = True
                        else:
                            # only a literal "{" opens a block (parse.go openCurlyBrace): this one starts a
                            # brace-less block as its first directive name
                            if block_keys == 0:
                                feed("KEY", self._empty_key(t))
                            feed("_NL", None)
                            feed("NAME", subst(t, text))
                    elif text == "":
                        if block_keys == 0 and pending_empty is None:
                            pending_empty = self._empty_key(t)
                    elif block_keys == 0 and text[0] == "(" and text[-1] == ")" and len(text) > 1 and expand:
                        stream.index = i
                        opener_at = self._snippet_opener(t)
                        if opener_at is None:
                            expecting = False
                            feed("KEY", subst(t, text))
                            block_keys += 1
                            pending_empty = None
                        else:
                            close = self._define_snippet(t, text, opener_at)
                            toks, i, n = stream.tokens, stream.index, len(stream.tokens)
                            prev, prev_file, prev_end = close, close.file, close.end_line
                            continue
                    else:
                        expecting = text[-1] == ","
                        feed("KEY_COMMA" if expecting else "KEY", subst(t, text))
                        block_keys += 1
                        pending_empty = None
                else:  # pragma: no cover - every state of the table takes exactly one of a key, a name, an argument
                    raise ParseError(f"Syntax error: Unexpected token '{shown(raw)}'", t)
                prev, prev_file = t, t.file
                prev_end = t.line + go_text.count("\n") if (t.quoted or go_text is not raw) else t.line
        except ParseError:
            self._last = last
            raise
        self._last = last

        if prev is not None:
            self._last = prev
            if depth > 0 or expecting:
                raise ParseError("Unexpected EOF", prev)
            if braced:
                # closeCurlyBrace looks at the last token of the file, whatever closed it
                if prev.text != "}":
                    raise ParseError(f"Syntax error: Unexpected token '{shown(prev.raw)}', expecting '}}'", prev)
                if takes_newline[stack[-1]]:
                    feed("_NL", None)
                feed("CLOSE", _UNCLOSED)
                self.result.diagnostics.append(self._diag(
                    "unclosed-block", "warning",
                    "this server block is never closed: CoreDNS accepts it only because the file ends with a "
                    "'}', which closes a plugin's block", prev))
        feed("$END", None)
        return values[-1]

    def _subst(self, t: Token, text: str) -> Token:
        if text is t.text:
            return t
        t = t.copy()
        t.text = text
        return t

    @staticmethod
    def _empty_key(t: Token) -> Token:
        empty = t.copy()
        empty.text = ""
        return empty

    # ------------------------------------------------------------------ snippets
    def _snippet_opener(self, key: Token) -> Optional[int]:
        """parse.go isSnippet after `addresses`: `(name)` is the block's only key. Returns how far ahead the
        token that ended the key list stands (it must then be the snippet's `{`), or None for no snippet."""
        env = self.env
        before = key
        ahead = 0
        while True:
            t = self.stream.peek(ahead)
            if t is None:
                return None  # `(name)` and nothing else up to the end of the file: an ordinary key
            if is_new_line(before, t):
                return ahead
            text = substitute_env(t.text, env) if "{" in t.text else t.text
            if text == "{":
                return ahead
            if text != "":
                return None  # a second key: an ordinary server block
            before = t
            ahead += 1

    def _define_snippet(self, key: Token, text: str, opener_at: int) -> Token:
        name = text[1:]
        if name.endswith(")"):
            name = name[:-1]
        if name in self.snippets:
            raise ParseError(f"redeclaration of previously declared snippet {shown(name)}", key)
        for _ in range(opener_at):
            self.stream.next()  # empty keys before the `{`
        opener = self.stream.next()
        if opener.text != "{":
            raise ParseError(f"Syntax error: Unexpected token '{shown(opener.text)}', expecting '{{'", opener)
        nesting = 1
        body: list[Token] = []
        last = opener
        while True:
            t = self.stream.next()
            if t is None:
                raise ParseError(f"Syntax error: Unexpected token '{shown(last.text)}', expecting '}}'", last)
            last = t
            if t.text == "}":
                nesting -= 1
                if nesting == 0:
                    break
            elif t.text == "{":
                nesting += 1
            body.append(t)
        for i in range(len(body) - 1):
            if body[i].text == "import":
                at_line_start = i == 0 or body[i - 1].file != body[i].file or body[i - 1].line != body[i].line
                if at_line_start and substitute_env(body[i + 1].text, self.env) == name:
                    raise ParseError(
                        f"maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded: snippet "
                        f"'{shown(name)}' imports itself (CoreDNS 1.13.0+ refuses it with this message, earlier "
                        "versions hang; this tool always refuses)", body[i], "import")
        snippet = Snippet(name, key, body)
        self.snippets[name] = snippet
        self.result.snippets.append(snippet)
        return last

    # ------------------------------------------------------------------ imports
    def _import_argument(self, imp: Token) -> Token:
        stream = self.stream
        arg = stream.peek()
        if arg is None or not same_line(imp, arg):
            raise ParseError(f"Wrong argument count or unexpected line ending after '{shown(imp.text)}'", imp,
                             "import")
        stream.next()
        pattern = arg.text if self.as_written else substitute_env(arg.text, self.env,
                                                                  self.result.env_values)
        if pattern == "":
            raise ParseError("Import requires a non-empty filepath", arg, "import")
        extra = stream.peek()
        if extra is not None and same_line(arg, extra):
            raise ParseError("Import takes only one argument (glob pattern or file)", extra, "import")
        return arg

    def _do_import(self, imp: Token):
        arg = self._import_argument(imp)
        if self.as_written:
            self.result.imports.append(Import(imp, arg.text, [], argument=arg))
            return
        pattern = substitute_env(arg.text, self.env, self.result.env_values)
        # what messages show: the pattern as written when it holds an environment reference (secrets stay out)
        written = shown(arg.text) if pattern != arg.text else None
        site = (self.result.display_path(arg.file), arg.line, arg.column)
        if len(arg.origin) >= MAX_IMPORT_DEPTH:
            self._too_deep(arg, site)
        origin = arg.origin + (site,)
        if pattern in self.snippets:
            if self.snippet_expansions >= MAX_SNIPPET_EXPANSIONS:
                raise ParseError(f"maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded", arg, "import")
            self.snippet_expansions += 1
            self.result.imports.append(Import(imp, pattern, [], pattern, argument=arg))
            self.stream.push(self._spliced(self.snippets[pattern].body, origin), arg)
            return
        if self.file_expansions >= MAX_FILE_EXPANSIONS:
            # parse.go prints the snippet cap in this message; so do we
            raise ParseError(f"maximum file import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded", arg, "import")
        self.file_expansions += 1
        importing = arg.file or self.main_abs
        directory = os.path.dirname(importing)
        key = (directory, pattern)
        matches = self._resolved.get(key)
        if matches is None:
            matches = self._resolve(pattern, directory, arg, written)
            self._resolved[key] = matches
        imported: list[Token] = []
        for absolute in matches:
            imported.extend(self._read_import(absolute, arg, origin, written))
        self.result.imports.append(Import(imp, pattern, list(matches), argument=arg))
        self.stream.push(imported, arg)

    def _resolve(self, pattern: str, directory: str, arg: Token, written: Optional[str]) -> list[str]:
        if os.path.isabs(pattern):
            joined = pattern
        else:  # filepath.Join cleans the joined path
            joined = os.path.normpath(os.path.join(directory, pattern))
            if joined.startswith("//"):
                joined = "/" + joined.lstrip("/")
        if joined.count("*") > 1 or joined.count("?") > 1 or ("[" in joined and "]" in joined):
            raise ParseError("Glob pattern may only contain one wildcard (*), but has others: "
                             f"{written or shown(joined, 200)}", arg, "import")
        # no file system path holds a NUL: Go's Lstat fails on one, so nothing matches
        if not self.allow_outside and "\x00" not in joined:
            fixed = []  # the part of the path without wildcards: where the glob can reach
            for element in joined.split(os.sep):
                if _has_meta(element):
                    break
                fixed.append(element)
            if not _within(os.path.realpath(os.sep.join(fixed) or os.sep), self.base_real):
                self._outside(arg, written)
        try:
            matches = go_glob(joined) if "\x00" not in joined else []
        except _BadPattern:
            raise ParseError(f"Failed to use import pattern {written or shown(pattern, 200)}: syntax error in "
                             "pattern", arg, "import")
        if not matches:
            if any(c in joined for c in "*?[]"):
                self.result.diagnostics.append(self._diag(
                    "import-glob-empty", "warning",
                    f"No files matching import glob pattern: {written or shown(pattern, 200)}", arg))
                return []
            if os.path.isabs(pattern):
                # parse.go fails only when the file is missing on CoreDNS's own host; an absolute path names a
                # file there (such as /etc/coredns/extra.conf), which this machine need not have. A relative one
                # is resolved against the importing file's directory, which is here: that stays an error.
                self.result.diagnostics.append(self._diag(
                    "import", "info",
                    f"cannot check: import {written or shown(pattern, 200)} not found here; CoreDNS reads it on "
                    "its own host; its contents are not checked", arg))
                return []
            raise ParseError(f"File to import not found: {written or shown(pattern, 200)}", arg, "import")
        if len(matches) > MAX_GLOB_MATCHES:
            raise ParseError(f"import {written or shown(pattern, 200)} matches more than {MAX_GLOB_MATCHES} "
                             "files (this tool's limit)", arg, "import")
        return [os.path.abspath(m) for m in matches]

    def _outside(self, arg: Token, written: Optional[str]):
        raise ParseError(f"import {written or shown(arg.text, 200)} reaches outside the Corefile's directory "
                         f"{shown(self.base_dir, 200)}; its contents are not checked (pass --allow-import-outside "
                         "to permit it)", arg,
                         "import-outside")

    def _read_import(self, absolute: str, arg: Token, origin: tuple, written: Optional[str]) -> list[Token]:
        tokens = self._file_tokens.get(absolute)
        if tokens is None:
            named = written or shown(absolute, 200)
            real = os.path.realpath(absolute)
            if not self.allow_outside and not _within(real, self.base_real):
                self._outside(arg, written)
            try:
                info = os.stat(real)
                if stat.S_ISDIR(info.st_mode):
                    raise ParseError(f"Could not import {named}: is a directory", arg, "import")
                if not stat.S_ISREG(info.st_mode):
                    raise ParseError(f"Could not import {named}: not a regular file", arg, "import")
                room = MAX_IMPORT_BYTES - self.import_bytes
                with open(real, "rb") as fh:
                    data = fh.read(room + 1)
            except OSError as e:
                raise ParseError(f"Could not import {named}: {e.strerror or type(e).__name__}", arg, "import")
            if len(data) > room:
                raise ParseError(f"Could not import {named}: imported files add up to more than "
                                 f"{_size(MAX_IMPORT_BYTES)} (this tool's limit)", arg, "import")
            self.import_bytes += len(data)
            text = lexmod.decode(data)
            self.result.sources[absolute] = text
            try:
                tokens = lexmod.lex(text, absolute, self.result.comments, limit=MAX_TOKENS - self.stream.count)
            except lexmod.TooManyWords:
                raise ParseError(f"imports add up to more than {MAX_TOKENS:,} tokens (this tool's limit)", arg,
                                 "import")
            self._file_tokens[absolute] = tokens
        return self._spliced(tokens, origin)

    def _too_deep(self, arg: Token, site: tuple):
        if site in arg.origin:  # this very `import` is being expanded inside its own expansion
            last = len(arg.origin) - 1 - arg.origin[::-1].index(site)
            loop = " -> ".join(f"{shown(p, 200)}:{line}:{column}" for p, line, column in arg.origin[last:])
            kind = "snippet" if substitute_env(arg.text, self.env) in self.snippets else "file"
            raise ParseError(
                f"maximum {kind} import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded: an import cycle ({loop} -> "
                "the same import again); CoreDNS 1.13.0+ stops with this message, earlier versions hang; "
                "this tool always stops", arg, "import")
        raise ParseError(f"imports nested more than {MAX_IMPORT_DEPTH} deep (this tool's limit)", arg, "import")

    @staticmethod
    def _spliced(tokens: list[Token], origin: tuple) -> list[Token]:
        out = []
        append = out.append
        for t in tokens:
            c = t.copy()
            c.origin = origin
            append(c)
        return out

    # ------------------------------------------------------------------ results
    def _diag(self, code, severity, message, tok: Optional[Token]) -> Diagnostic:
        # messages are built from words as written, so they hold no environment value; a path may (an
        # `import {$DIR}/x.conf`), and is shown with the reference instead
        if tok is None:
            return Diagnostic(code, severity, message, self.result.redact(self.path), 0, 0)
        return Diagnostic(code, severity, message, self.result.redact(self.result.display_path(tok.file)),
                          tok.line, tok.column)

    def _error(self, message: str, tok: Optional[Token], code: str = "syntax"):
        self.result.diagnostics.append(self._diag(code, "error", message, tok))


def read_source(path: str) -> str:
    """Read a Corefile (or '-' for standard input) as CoreDNS does: UTF-8, each invalid byte as U+FFFD.
    Raises OSError (InputTooLarge above MAX_INPUT_BYTES)."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(0, f"larger than {_size(MAX_INPUT_BYTES)} (this tool's limit for a Corefile)")
    return lexmod.decode(data)


def parse(source, *, path: Optional[str] = None, env=None, allow_import_outside: bool = False,
          as_written: bool = False) -> Corefile:
    """Parse Corefile text, or a path (str or Path) to one. Syntax only: directive names are not checked.

    Never raises for bad input: problems are in the result's `diagnostics`. Raises OSError when a given
    path cannot be read. `as_written=True` keeps the file as its author wrote it (for fmt): imports are not
    expanded, snippet definitions stay blocks keyed "(name)", {$ENV} references stay unsubstituted.
    """
    if isinstance(source, os.PathLike) or (isinstance(source, str) and path is None and "\n" not in source
                                    and "{" not in source and os.path.isfile(source)):
        path = str(source)
        text = read_source(path)
    else:
        text = source
        path = path or "Corefile"
    return Parser(text, path, env=env, allow_import_outside=allow_import_outside, as_written=as_written).parse()


if __name__ == "__main__":  # pragma: no cover - `python -m corefile_tool.parser` refreshes the packaged table
    target = grammar_path().with_name(_TABLE_FILE)
    _write_atomically(target, table_json(build_table(grammar_path().read_text(encoding="utf-8"))))
    print(f"wrote {target}")
