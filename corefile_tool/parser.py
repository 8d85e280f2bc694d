"""Corefile text → syntax tree, exactly as CoreDNS's parser (coredns/caddy caddyfile/parse.go) reads it.

The structure is stated once, in grammar/corefile.lark, and parsed by Lark's LALR parser. This module feeds
it: it lexes, splices `import`s (snippets first, then files and globs relative to the importing file), defines
snippets, substitutes {$VAR}/{%VAR%} references, and hands over each word as the terminal the grammar's current
state accepts, which is how CoreDNS decides whether a word is a key, a directive name or an argument.
"""
from __future__ import annotations

import glob as globlib
import os
from pathlib import Path
from typing import Optional

from . import lexer as lexmod
from .addresses import inspect_key
from .diagnostics import Diagnostic
from .lexer import Token
from .tree import Block, Corefile, Directive, Import, Key, ServerBlock, Snippet

# CoreDNS ≥ 1.13 caps expansions per parse (coredns/caddy caddyfile/parse.go); they are counts, not depths.
MAX_SNIPPET_EXPANSIONS = 10_000
MAX_FILE_EXPANSIONS = 100_000
# Our own bound, so a hostile file cannot make us build an unbounded token stream.
MAX_TOKENS = 5_000_000
MAX_ENV_REPLACEMENTS = 1_000

_GRAMMAR_NAME = "corefile.lark"


def grammar_path() -> Path:
    """grammar/ lives at the repository root and ships inside the wheel as corefile_tool/grammar/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "grammar" / _GRAMMAR_NAME, here.parent / "grammar" / _GRAMMAR_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{_GRAMMAR_NAME} not found next to {here}")


_LARK = None


def _lark():
    global _LARK
    if _LARK is None:
        from lark import Lark

        _LARK = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer=_NoLexer,
                     maybe_placeholders=True, propagate_positions=False, transformer=_BUILDER)
    return _LARK


try:  # Lark wants a lexer class for a grammar without terminal patterns; ours is fed by hand.
    from lark.lexer import Lexer as _LarkLexer

    class _NoLexer(_LarkLexer):
        def __init__(self, conf):
            pass

        def lex(self, *args):  # pragma: no cover - never called: tokens are fed one by one
            raise NotImplementedError
except ImportError:  # pragma: no cover
    _NoLexer = None


class ParseError(Exception):
    def __init__(self, message: str, token: Optional[Token], code: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.token = token
        self.code = code


def substitute_env(text: str, env) -> str:
    """Replace {%NAME%} then {$NAME} references (coredns/caddy parse.go replaceEnvVars); no defaults,
    unset means empty, never re-tokenised. A value that contains its own reference is cut off."""
    if "{" not in text:
        return text
    for start, end in (("{%", "%}"), ("{$", "}")):
        index = text.find(start)
        rounds = 0
        while index != -1:
            end_index = text.find(end, index)
            if end_index == -1:
                break
            if end_index <= index + len(start):
                break
            ref = text[index:end_index + len(end)]
            text = text.replace(ref, env.get(ref[len(start):-len(end)], ""))
            rounds += 1
            if rounds > MAX_ENV_REPLACEMENTS:
                raise ParseError(f"environment reference {ref} expands without end", None, "env")
            index = text.find(start)
    return text


def same_line(a: Token, b: Token) -> bool:
    """dispenser.go isNewLine, negated: same file and b starts on the line a ends on."""
    return a.file == b.file and a.line + a.text.count("\n") == b.line


class _Stream:
    """The spliced token stream: a stack of token lists, so an import is pushed, not copied in."""

    def __init__(self, tokens):
        self.frames = [[tokens, 0]]
        self.count = len(tokens)

    def next(self) -> Optional[Token]:
        frames = self.frames
        while frames:
            frame = frames[-1]
            toks, i = frame
            if i < len(toks):
                frame[1] = i + 1
                return toks[i]
            frames.pop()
        return None

    def peek(self, ahead: int = 0) -> Optional[Token]:
        for toks, i in reversed(self.frames):
            remaining = len(toks) - i
            if ahead < remaining:
                return toks[i + ahead]
            ahead -= remaining
        return None

    def push(self, tokens):
        self.count += len(tokens)
        if self.count > MAX_TOKENS:
            raise ParseError(f"imports expand to more than {MAX_TOKENS} tokens", None, "import")
        if tokens:
            self.frames.append([tokens, 0])


class _Builder:
    """Turns the grammar's rules into tree nodes as the LALR parser reduces them."""

    fed: list = []  # Token objects of the parse under way, indexed by the Lark token's start_pos

    def tok(self, t):
        return self.fed[t.start_pos]

    def _directive(self, name_token, children):
        d = Directive(name_token)
        for c in children:
            if isinstance(c, Block):
                if d.block is None:
                    d.block = c
                else:
                    d.tail.extend(_block_tokens(c))
            elif d.block is None:
                d.args.append(self.tok(c))
            else:
                d.tail.append(self.tok(c))
        return d

    def directive(self, children):
        return self._directive(self.tok(children[0]), children[1:])

    def line(self, children):
        first = children[0]
        if isinstance(first, Block):
            return self._directive(first.open, children)
        return self._directive(self.tok(first), children[1:])

    def block(self, children):
        close = self.tok(children[-1])
        return Block(self.tok(children[0]), [c for c in children[1:-1]], close)

    def keys(self, children):
        keys = []
        for c in children:
            t = self.tok(c)
            text = t.text[:-1] if c.type == "KEY_COMMA" else t.text
            keys.append(Key(t, text))
        return keys

    def braced_block(self, children):
        keys = children[0] or []
        return ServerBlock(keys, list(children[2:-1]), self.tok(children[1]), self.tok(children[-1]))

    def bare_block(self, children):
        keys = children[0]
        rest = children[1:]
        close = None
        if rest and not isinstance(rest[-1], Directive):
            close = self.tok(rest[-1])
            rest = rest[:-1]
        return ServerBlock(keys, list(rest), None, close)

    unclosed_bare_block = bare_block

    def keys_only(self, children):
        return ServerBlock(children[0], [])

    def start(self, children):
        return list(children)


_BUILDER = _Builder()


def _block_tokens(block: Block):
    yield block.open
    for d in block.directives:
        yield from d.tokens()
    if block.close is not None:
        yield block.close


class Parser:
    def __init__(self, text: str, path: str = "Corefile", env=None, base_dir: Optional[str] = None,
                 allow_import_outside: bool = False):
        self.path = path
        self.text = text
        self.env = os.environ if env is None else env
        main = Path(path) if path not in ("-", "") else Path("Corefile")
        self.main_abs = os.path.abspath(str(main))
        self.base_dir = os.path.abspath(base_dir) if base_dir else os.path.dirname(self.main_abs)
        self.allow_outside = allow_import_outside
        self.snippets: dict[str, Snippet] = {}
        self.snippet_expansions = 0
        self.file_expansions = 0
        self.result = Corefile(path=path, text=text)
        self.result.sources[""] = text

    # ------------------------------------------------------------------ driver
    def parse(self) -> Corefile:
        from lark import Token as LarkToken
        from lark.exceptions import UnexpectedInput

        cf = self.result
        cf.tokens = lexmod.lex(self.text, "", cf.comments)
        stream = _Stream(cf.tokens)
        self.stream = stream
        fed: list[Token] = []
        self.fed = fed
        ip = _lark().parse_interactive()
        _BUILDER.fed = fed  # the builder turns Lark tokens back into ours by index
        state = ip.parser_state
        states = state.parse_conf.parse_table.states
        self.ip = ip

        def feed(kind: str, tok: Optional[Token]):
            idx = len(fed)
            fed.append(tok)
            lt = LarkToken(kind, tok.text if tok else "")
            lt.start_pos = idx
            state.feed_token(lt)

        self.dblock_depth = 0
        self.server_braced = False
        self.keys_in_block = 0
        prev: Optional[Token] = None
        last_was_nl = False
        blocks = None
        try:
            while True:
                t = stream.next()
                if t is None:
                    break
                newline = prev is None or not same_line(prev, t)
                accepts = states[state.position]
                raw = t.text
                key_position = "KEY" in accepts
                text = substitute_env(raw, self.env) if ("{" in raw) else raw
                # `import` is recognised first on a line, and anywhere a directive name may stand.
                if (raw == "import" or (key_position and text == "import")) and (newline or "NAME" in accepts):
                    self._do_import(t)
                    continue
                if key_position and self.keys_in_block == 0 and self._starts_snippet(text, t):
                    self._define_snippet(t, text)
                    prev = self._last_consumed
                    continue
                if newline and prev is not None and not last_was_nl and raw != "{" and not (
                        key_position and text == "{"):
                    feed("_NL", None)
                    accepts = states[state.position]
                    last_was_nl = True
                    key_position = "KEY" in accepts
                prev = t
                if raw == "{" or (key_position and text == "{"):
                    if "LBRACE" in accepts:
                        self.dblock_depth += 1
                        feed("LBRACE", t)
                    elif "OPEN" in accepts:
                        self.server_braced = True
                        feed("OPEN", t)
                    elif key_position:
                        raise ParseError("Expected another address but had '{' - check for extra comma", t)
                    else:
                        feed("NAME", self._subst(t, text))
                    last_was_nl = False
                    continue
                if raw == "}":
                    if "RBRACE" in accepts:
                        self.dblock_depth -= 1
                        feed("RBRACE", t)
                    elif "CLOSE" in accepts:
                        self.server_braced = False
                        self.keys_in_block = 0
                        feed("CLOSE", t)
                    elif key_position:
                        self.keys_in_block += 1
                        feed("KEY", t)
                    else:
                        raise ParseError("Unexpected '}' because no matching opening brace", t)
                    last_was_nl = False
                    continue
                if "NAME" in accepts:
                    feed("NAME", self._subst(t, text))
                elif "ARG" in accepts:
                    feed("ARG", self._subst(t, text))
                elif key_position:
                    if text == "":
                        continue  # an empty key ("" or an empty env var) is skipped
                    self.keys_in_block += 1
                    feed("KEY_COMMA" if text.endswith(",") else "KEY", self._subst(t, text))
                else:  # pragma: no cover - every grammar state accepts one of the above or a brace
                    raise ParseError(f"Unexpected token '{text}'", t)
                last_was_nl = False
            if prev is not None:
                self._finish_eof(feed, states, state, prev)
            blocks = ip.feed_eof(fed[-1] if fed else None) if False else state.feed_token(
                LarkToken("$END", ""), True)
        except ParseError as e:
            self._error(e.message, e.token or (fed[-1] if fed and fed[-1] else prev), e.code)
        except UnexpectedInput as e:
            self._error(self._explain(e, prev), prev)
        cf.server_blocks = [b for b in (blocks or []) if b.keys]
        self._finish_blocks()
        return cf

    def _finish_eof(self, feed, states, state, last: Token):
        """End of file: CoreDNS accepts a braced server block whose `}` is missing when the file ends with a
        `}` anyway (closeCurlyBrace checks the last token read); anything else is an error."""
        if self.dblock_depth > 0:
            raise ParseError("Unexpected EOF", last)
        if self.server_braced:
            if last.text == "}":
                if "_NL" in states[state.position]:
                    feed("_NL", None)
                feed("CLOSE", last)
                self.result.diagnostics.append(self._diag(
                    "unclosed-block", "warning",
                    "server block is never closed; CoreDNS accepts it only because the file ends with a '}'",
                    last))
                self.server_braced = False
            else:
                raise ParseError(f"Syntax error: Unexpected token '{last.text}', expecting '}}'", last)
        if "KEY_COMMA" in states[state.position] and "$END" not in states[state.position]:
            raise ParseError("Unexpected EOF", last)

    def _explain(self, e, prev) -> str:
        tok = getattr(e, "token", None)
        if tok is not None and tok.type == "$END":
            return "Unexpected EOF"
        if tok is not None:
            return f"Syntax error: Unexpected token '{tok.value}'"
        return "Syntax error"

    def _subst(self, t: Token, text: str) -> Token:
        if text is t.text:
            return t
        t = t.copy()
        t.text = text
        return t

    # ------------------------------------------------------------------ snippets
    def _starts_snippet(self, text: str, t: Token) -> bool:
        """parse.go isSnippet: the block's only key is `(name)` and the file goes on after it."""
        if len(text) < 2 or text[0] != "(" or text[-1] != ")":
            return False
        nxt = self.stream.peek()
        if nxt is None:
            return False  # `(name)` alone at EOF is an ordinary key
        if same_line(t, nxt) and nxt.text != "{":
            return False  # more keys on the line: not a snippet
        return True

    def _define_snippet(self, key: Token, text: str):
        name = text[1:]
        if name.endswith(")"):
            name = name[:-1]
        if name in self.snippets:
            raise ParseError(f"redeclaration of previously declared snippet {name}", key)
        opener = self.stream.next()
        self._last_consumed = opener
        if opener is None or opener.text != "{":
            raise ParseError(f"Syntax error: Unexpected token '{opener.text if opener else ''}', expecting '{{'",
                             opener or key)
        nesting = 1
        body: list[Token] = []
        last = opener
        while True:
            t = self.stream.next()
            if t is None:
                raise ParseError(f"Syntax error: Unexpected token '{last.text}', expecting '}}'", last)
            last = t
            if t.text == "}":
                nesting -= 1
                if nesting == 0:
                    break
            elif t.text == "{":
                nesting += 1
            body.append(t)
        self._last_consumed = last
        for i in range(len(body) - 1):
            if body[i].text == "import":
                at_line_start = i == 0 or body[i - 1].file != body[i].file or body[i - 1].line != body[i].line
                if at_line_start and substitute_env(body[i + 1].text, self.env) == name:
                    raise ParseError(
                        f"maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded "
                        f"(snippet '{name}' imports itself)", body[i], "import")
        snippet = Snippet(name, key, body)
        self.snippets[name] = snippet
        self.result.snippets.append(snippet)

    # ------------------------------------------------------------------ imports
    def _do_import(self, imp: Token):
        stream = self.stream
        arg = stream.peek()
        if arg is None or not same_line(imp, arg):
            raise ParseError("Wrong argument count or unexpected line ending after 'import'", imp, "import")
        stream.next()
        pattern = substitute_env(arg.text, self.env)
        if pattern == "":
            raise ParseError("Import requires a non-empty filepath", arg, "import")
        extra = stream.peek()
        if extra is not None and same_line(arg, extra):
            raise ParseError("Import takes only one argument (glob pattern or file)", extra, "import")
        origin = arg.origin + ((self.result.display_path(arg.file), arg.line, arg.column),)
        if pattern in self.snippets:
            if self.snippet_expansions >= MAX_SNIPPET_EXPANSIONS:
                raise ParseError(f"maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded", arg, "import")
            self.snippet_expansions += 1
            self.result.imports.append(Import(imp, pattern, [], pattern))
            stream.push(self._spliced(self.snippets[pattern].body, origin))
            return
        if self.file_expansions >= MAX_FILE_EXPANSIONS:
            raise ParseError(f"maximum file import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded", arg, "import")
        self.file_expansions += 1
        importing = arg.file or self.main_abs
        pattern_path = pattern if os.path.isabs(pattern) else os.path.join(os.path.dirname(importing), pattern)
        pattern_path = os.path.normpath(pattern_path) if not pattern.endswith(os.sep) else pattern_path
        if (pattern_path.count("*") > 1 or pattern_path.count("?") > 1
                or ("[" in pattern_path and "]" in pattern_path)):
            raise ParseError(f"Glob pattern may only contain one wildcard (*), but has others: {pattern_path}",
                             arg, "import")
        has_magic = any(c in pattern_path for c in "*?[]")
        matches = sorted(globlib.glob(globlib.escape(pattern_path) if not has_magic else pattern_path))
        if not matches:
            if has_magic:
                self.result.diagnostics.append(self._diag(
                    "import-glob-empty", "warning", f"No files matching import glob pattern: {pattern}", arg))
                self.result.imports.append(Import(imp, pattern, []))
                return
            raise ParseError(f"File to import not found: {pattern}", arg, "import")
        imported: list[Token] = []
        for m in matches:
            imported.extend(self._read_import(m, arg, origin))
        self.result.imports.append(Import(imp, pattern, [os.path.abspath(m) for m in matches]))
        stream.push(imported)

    def _read_import(self, match: str, arg: Token, origin) -> list[Token]:
        absolute = os.path.abspath(match)
        real = os.path.realpath(absolute)
        if not self.allow_outside:
            base = os.path.realpath(self.base_dir)
            if os.path.commonpath([real, base]) != base:
                raise ParseError(
                    f"import of {arg.text} reaches outside the Corefile's directory {self.base_dir} "
                    "(pass --allow-import-outside to permit it)", arg, "import-outside")
        if os.path.isdir(absolute):
            raise ParseError(f"Could not import {absolute}: is a directory", arg, "import")
        try:
            with open(absolute, "rb") as fh:
                data = fh.read(64 * 1024 * 1024 + 1)
        except OSError as e:
            raise ParseError(f"Could not import {absolute}: {e.strerror or e}", arg, "import")
        if len(data) > 64 * 1024 * 1024:
            raise ParseError(f"Could not import {absolute}: file larger than 64 MiB", arg, "import")
        text = lexmod.decode(data)
        self.result.sources[absolute] = text
        toks = lexmod.lex(text, absolute, self.result.comments)
        for t in toks:
            t.origin = origin
        return toks

    @staticmethod
    def _spliced(tokens: list[Token], origin) -> list[Token]:
        out = []
        for t in tokens:
            c = t.copy()
            c.origin = origin
            out.append(c)
        return out

    # ------------------------------------------------------------------ results
    def _finish_blocks(self):
        for i, block in enumerate(self.result.server_blocks):
            block.index = i
            for key in block.keys:
                key.address = inspect_key(key.text)

    def _diag(self, code, severity, message, tok: Optional[Token]) -> Diagnostic:
        if tok is None:
            return Diagnostic(code, severity, message, self.path, 0, 0)
        return Diagnostic(code, severity, message, self.result.display_path(tok.file), tok.line, tok.column)

    def _error(self, message: str, tok: Optional[Token], code: str = "syntax"):
        self.result.diagnostics.append(self._diag(code, "error", message, tok))


def read_source(path: str) -> str:
    """Read a Corefile (or '-' for standard input) as CoreDNS does: UTF-8, invalid bytes as U+FFFD."""
    if path == "-":
        import sys

        return lexmod.decode(sys.stdin.buffer.read())
    with open(path, "rb") as fh:
        return lexmod.decode(fh.read())


def parse(source, *, path: Optional[str] = None, env=None, allow_import_outside: bool = False) -> Corefile:
    """Parse Corefile text, or a path (str or Path) to one. Syntax only: directive names are not checked.

    Never raises for bad input: problems are in the result's `diagnostics`. Raises OSError when a given
    path cannot be read.
    """
    if isinstance(source, Path) or (isinstance(source, str) and path is None and "\n" not in source
                                    and "{" not in source and os.path.isfile(source)):
        path = str(source)
        text = read_source(path)
    else:
        text = source
        path = path or "Corefile"
    return Parser(text, path, env=env, allow_import_outside=allow_import_outside).parse()
