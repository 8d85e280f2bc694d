"""The one printer from syntax tree to Corefile text, in the canonical layout used by `fmt`, `migrate` and
`generate`.

Layout: one directive a line, 4 spaces of indent per level, `{` at the end of the opening line, `}` alone on
its line (words that followed it in the source stay after it), one blank line between server blocks, one blank
line kept wherever the source had blank lines between two lines of a block, and every comment kept: a comment
alone on its line stays alone before the line that followed it, a comment after words stays at the end of the
line that holds those words.

Words are quoted only where CoreDNS's lexer needs it (../shared/spec/corefile-syntax.md §2): an empty word, a
word with whitespace or `#`, or one that starts with `"`; a `"` elsewhere is quoted too, for readability, when
the quoted form reads back the same. Quoting never escapes structure: a word that is exactly `{` or `}` is a
brace to CoreDNS however it is written, so a tree that holds one as an argument cannot be printed.

Trees from `parse(..., as_written=True)` print as written: top-level `import` lines, snippet definitions and
{$ENV} references are kept. Trees built in code (the generator) print the same way; their tokens need no
positions, and the comments of `corefile.comments` are placed by position only when tokens have them.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from .lexer import GO_SPACE, Token
from .tree import Block, Corefile, Directive, Key, ServerBlock

INDENT = "    "

_NEEDS_QUOTES = re.compile(f"[{GO_SPACE}#]")
# A run of backslashes right before a `"` or the end of the word must have even length to survive quoting:
# inside quotes a backslash always pairs with the next character.
_ODD_BACKSLASH_RUN = re.compile(r'(?<!\\)(?:\\\\)*\\(?="|$)')


class UnprintableError(ValueError):
    """The tree holds a word that no Corefile text can carry (for example an argument that is exactly `{`)."""


def quote_word(text: str) -> str:
    """The shortest spelling of `text` that CoreDNS's lexer reads back as exactly that one word."""
    if text in ("{", "}"):
        raise UnprintableError(f"the word {text!r} is always a brace to CoreDNS and cannot be an argument")
    bare_ok = text != "" and not _NEEDS_QUOTES.search(text) and not text.startswith('"') \
        and not text.startswith("\ufeff")
    if bare_ok and '"' not in text:
        return text
    if not _ODD_BACKSLASH_RUN.search(text):
        return '"' + text.replace('"', '\\"') + '"'
    if bare_ok:
        return text
    raise UnprintableError(f"the word {text!r} cannot be written in a Corefile (a backslash would escape "
                           "the closing quote)")


def key_word(key: Key, keep_comma: bool = False) -> str:
    """A key as one word. A key whose text ends in `,` (or is empty, or `{`) came from a word with one more
    `,`, which the parser strips; put it back so the key reads back the same. `keep_comma` keeps the comma
    a key was written with (a key with a {$VAR} can become empty, and then only the comma makes it a key)."""
    text = key.text
    had_comma = key.token.text == text + ","
    if text in ("", "{") or text.endswith(",") or (had_comma and (keep_comma or text == "}")):
        text += ","
    if text == "}":
        return text  # a stray `}` where a key stands is read as a key again
    return quote_word(text)


def _keys(keys: list) -> list:
    keep = any("{$" in k.token.text or "{%" in k.token.text for k in keys)
    return [key_word(k, keep) for k in keys]


def _word(token: Token) -> str:
    return quote_word(token.text)


def _structural_word(token: Token) -> str:
    """A word where braces keep their meaning (after a block's `}`, or in a line that starts with `{`)."""
    return token.text if token.text in ("{", "}") else quote_word(token.text)


def _pos(token: Optional[Token]):
    """A token's place in the main file, or None when it has none (imported, or built in code)."""
    if token is None or token.file or token.line < 1:
        return None
    return (token.line, token.column)


class _Printer:
    def __init__(self, comments: Iterable = (), tokens: Iterable[Token] = (), source: Optional[str] = None):
        self.lines: list[str] = []
        # With the source at hand, a blank line is kept only where the source has one (a node taken out of
        # the tree, by migrate, leaves a gap in the line numbers that is not a blank line).
        self.source_lines = source.split("\n") if source is not None else None
        self.comments = sorted((c for c in comments if not c.file and c.line >= 1),
                               key=lambda c: (c.line, c.column))
        self.next_comment = 0
        # A comment is trailing when a word of the same source line stands before it (comments run to the end
        # of the line, so every word of that line does).
        self.lines_with_words = set()
        # Inside a plugin's block `import` is an import only as the first word of a line (parse.go): one that
        # followed other words in the source cannot be printed where it would start a line.
        self.import_mid_line = set()
        previous_end = None
        for t in tokens:
            if t.file or t.line < 1:
                continue
            end = t.line + t.text.count("\n")
            self.lines_with_words.add(end)
            if t.text == "import" and previous_end == t.line:
                self.import_mid_line.add(id(t))
            previous_end = end
        self.last_word_line_index: Optional[int] = None
        self.prev_end: Optional[int] = None     # last source line printed so far
        self.block_start = True                 # nothing printed yet at the current level

    # ---------------------------------------------------------------- comments and blank lines
    def _pending_before(self, pos) -> list:
        out = []
        while self.next_comment < len(self.comments):
            c = self.comments[self.next_comment]
            if pos is not None and (c.line, c.column) >= pos:
                break
            out.append(c)
            self.next_comment += 1
        return out

    def _is_trailing(self, comment) -> bool:
        return comment.line in self.lines_with_words

    def _blank_if_gap(self, start_line: Optional[int]):
        if self.block_start or start_line is None or self.prev_end is None:
            return
        if start_line - self.prev_end <= 1 or not self.lines or self.lines[-1] == "":
            return
        if self.source_lines is not None and not any(
                not self.source_lines[i].strip() for i in range(self.prev_end, min(start_line - 1,
                                                                                   len(self.source_lines)))):
            return
        self.lines.append("")

    def _flush(self, comments, depth: int, attach_trailing_to: Optional[int]):
        for c in comments:
            if self._is_trailing(c) and attach_trailing_to is not None:
                self.lines[attach_trailing_to] += " " + c.text
                continue
            self._blank_if_gap(c.line)
            self.lines.append(INDENT * depth + c.text)
            self.block_start = False
            self.prev_end = c.line

    def blank_line(self):
        """One blank line, whatever the source had (between server blocks)."""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.block_start = True

    def emit(self, depth: int, words: list[str], tokens: list[Token], closing: bool = False):
        """One output line of `words`, printed from `tokens`, with the comments that belong around it."""
        positions = [p for p in (_pos(t) for t in tokens) if p is not None]
        if positions:
            first, last = positions[0], positions[-1]
            # Comments before the line's first word: trailing ones end the previous line, the others stand alone
            # (inside the block being closed when this line is a `}`).
            self._flush(self._pending_before(first), depth + 1 if closing else depth, self.last_word_line_index)
            inside = self._pending_before(last)
            self._flush([c for c in inside if not self._is_trailing(c)], depth, None)
            start_line = first[0]
        else:
            inside = []
            start_line = None
        if not closing:
            self._blank_if_gap(start_line)
        line = INDENT * depth + " ".join(words)
        for c in inside:
            if self._is_trailing(c):
                line += " " + c.text
        self.lines.append(line)
        self.last_word_line_index = len(self.lines) - 1
        self.block_start = False
        ends = [t.line + t.text.count("\n") for t in tokens if _pos(t) is not None]
        if ends:
            self.prev_end = max(ends)

    def finish(self, depth: int = 0) -> str:
        self._flush(self._pending_before(None), depth, self.last_word_line_index)
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n" if self.lines else ""

    # ---------------------------------------------------------------- nodes
    def directive(self, d: Directive, depth: int):
        if d.name_token.text == "{":
            # a line inside a block that starts with a nested block (no plugin reads one): the parser keeps
            # its words flat, and so does the printer, on one line
            tokens = [d.name_token, *d.args, *d.tail]
            self.emit(depth, [_structural_word(t) for t in tokens], tokens)
            return
        words = [_word(d.name_token)] + [_word(a) for a in d.args]
        tokens = [d.name_token, *d.args]
        if d.block is None:
            words += [_structural_word(t) for t in d.tail]
            self.emit(depth, words, tokens + list(d.tail))
            return
        self.emit(depth, words + ["{"], tokens + [d.block.open])
        self.block(d.block, depth + 1)
        close_tokens = [d.block.close] if d.block.close is not None else []
        tail = [_structural_word(t) for t in d.tail]
        self.emit(depth, ["}"] + tail, close_tokens + list(d.tail), closing=True)

    def block(self, block: Block, depth: int):
        self.block_start = True
        for child in block.directives:
            if id(child.name_token) in self.import_mid_line:
                t = child.name_token
                raise UnprintableError(f"line {t.line}: this `import` follows other words on its line, so it is "
                                       "no import; on a line of its own it would become one")
            self.directive(child, depth)

    def server_block(self, sb: ServerBlock, depth: int = 0, last: bool = False):
        if last and len(sb.keys) == 1 and _snippet_like(sb.keys[0].text) and sb.open is None \
                and sb.close is None and not sb.directives:
            # `(name)` alone at the end of the file is an ordinary key; `(name) {` + `}` would define a snippet
            self.emit(depth, _keys(sb.keys), [k.token for k in sb.keys])
            return
        words = _keys(sb.keys) + ["{"]
        tokens = [k.token for k in sb.keys] + ([sb.open] if sb.open is not None else [])
        self.emit(depth, words, tokens)
        self.block_start = True
        for d in sb.directives:
            self.directive(d, depth + 1)
        self.emit(depth, ["}"], [sb.close] if sb.close is not None else [], closing=True)

    def import_line(self, imp, depth: int = 0):
        arg = imp.argument
        # `import {` takes the brace as its pattern (parse.go doImport), so it prints as it is
        pattern = _structural_word(arg) if arg is not None else quote_word(imp.pattern)
        self.emit(depth, ["import", pattern],
                  [imp.token] + ([arg] if arg is not None else []))


def _snippet_like(key: str) -> bool:
    return len(key) > 2 and key[0] == "(" and key[-1] == ")"


def _top_level_items(corefile: Corefile) -> list:
    """Server blocks in their list order, with the top-level `import` lines of a tree parsed as written
    placed among them by position (blocks built in code, without positions, stay where the list has them)."""
    if not corefile.as_written:
        return list(corefile.server_blocks)
    imports = sorted(corefile.imports, key=lambda i: _pos(i.token) or (0, 0))
    items = []
    for block in corefile.server_blocks:
        where = _pos(block.keys[0].token if block.keys else block.open)
        while where is not None and imports and (_pos(imports[0].token) or (0, 0)) < where:
            items.append(imports.pop(0))
        items.append(block)
    return items + imports


def format_corefile(corefile: Corefile) -> str:
    """The whole Corefile in canonical layout, comments included."""
    p = _Printer(corefile.comments, corefile.tokens, corefile.text if corefile.tokens else None)
    previous = None
    items = _top_level_items(corefile)
    for n, item in enumerate(items):
        if isinstance(previous, ServerBlock):
            p.blank_line()
        else:
            p.block_start = previous is None
        if isinstance(item, ServerBlock):
            p.server_block(item, last=n == len(items) - 1)
        else:
            p.import_line(item)
        previous = item
    return p.finish()


def format_server_block(block: ServerBlock, comments: Iterable = (), tokens: Iterable[Token] = ()) -> str:
    """One server block, from `keys {` to `}`, ending with a newline."""
    if comments == () and tokens == ():
        # Without comments the text is a function of the words and their lines (_print_key), and a generated mesh
        # prints the same peer block in every cluster's Corefile: printed once, then looked up.
        key = _print_key(block)
        text = _PRINTED.get(key)
        if text is None:
            p = _Printer()
            p.server_block(block)
            text = p.finish()
            if len(_PRINTED) >= _PRINTED_MAX:
                _PRINTED.clear()
            _PRINTED[key] = text
        return text
    p = _Printer(comments, tokens)
    p.server_block(block)
    return p.finish()


_PRINTED: dict = {}
_PRINTED_MAX = 20_000


# Markers of _print_key's flat encoding (objects equal to no word or line).
_KEYS_END, _NO_TOKEN, _DIRECTIVE, _ARGS_END, _TAIL_END, _BLOCK, _BLOCK_END = (object() for _ in range(7))


def _print_key(block: ServerBlock) -> tuple:
    """What the printer reads of a block when there are no comments, as one flat tuple (cheap to hash): every
    word, and its line where _pos gives one (blank lines are kept from gaps between lines)."""
    out: list = []
    for k in block.keys:
        t = k.token
        out += (k.text, t.text, t.line if not t.file and t.line >= 1 else None)
    out.append(_KEYS_END)
    _token_key(out, block.open)
    _directives_key(out, block.directives)
    _token_key(out, block.close)
    return tuple(out)


def _token_key(out: list, t: Optional[Token]) -> None:
    if t is None:
        out.append(_NO_TOKEN)
    else:
        out += (t.text, t.line if not t.file and t.line >= 1 else None)


def _directives_key(out: list, directives: list) -> None:
    for d in directives:
        t = d.name_token
        out += (_DIRECTIVE, t.text, t.line if not t.file and t.line >= 1 else None)
        for t in d.args:
            out += (t.text, t.line if not t.file and t.line >= 1 else None)
        out.append(_ARGS_END)
        for t in d.tail:
            out += (t.text, t.line if not t.file and t.line >= 1 else None)
        out.append(_TAIL_END)
        if d.block is not None:
            out.append(_BLOCK)
            _token_key(out, d.block.open)
            _directives_key(out, d.block.directives)
            out.append(_BLOCK_END)
            _token_key(out, d.block.close)


def format_directive(directive: Directive, depth: int = 0, comments: Iterable = (),
                     tokens: Iterable[Token] = ()) -> str:
    """One directive (and its block) indented `depth` levels, ending with a newline."""
    p = _Printer(comments, tokens)
    p.directive(directive, depth)
    return p.finish(depth)


def syntax_shape(corefile: Corefile) -> tuple:
    """What a Corefile says, without where it says it: keys, directives (names, words, blocks), import
    patterns. Two texts with the same shape mean the same to CoreDNS's parser."""
    def directive(d: Directive):
        block = None if d.block is None else tuple(directive(c) for c in d.block.directives)
        return (d.name, tuple(a.text for a in d.args), block, tuple(t.text for t in d.tail))

    return (
        tuple((tuple(k.text for k in b.keys), tuple(directive(d) for d in b.directives))
              for b in corefile.server_blocks),
        tuple(imp.pattern for imp in corefile.imports),
        tuple((s.name, tuple(t.text for t in s.body)) for s in corefile.snippets),
    )


def _comment_words(corefile: Corefile) -> list:
    # Trailing comments that end up on one line merge into one comment; compare what they say.
    return sorted(part.strip() for c in corefile.comments if not c.file
                  for part in c.text.split("#") if part.strip())


def format_text(text: str, path: str = "Corefile") -> str:
    """Format Corefile text as written (imports, snippets and {$ENV} kept).

    Raises CorefileError for a file that does not parse, or (never expected) one whose formatted text
    would read differently: fmt never writes a file whose meaning it changed.
    """
    from .diagnostics import CorefileError, Diagnostic
    from .parser import parse

    before = parse(text, path=path, as_written=True)
    errors = [d for d in before.diagnostics if d.severity == "error"]
    if errors:
        raise CorefileError(errors[0])
    for block in before.server_blocks:
        # Parsed as written, `(name)` is a block's key; CoreDNS reads it as a snippet, which needs its `{`
        # (parse.go snippetTokens). Keys alone at the end of the file are no snippet.
        key = block.keys[0].text if len(block.keys) == 1 else ""
        if _snippet_like(key) and block.open is None \
                and (block.directives or block.close is not None):
            after_key = block.directives[0].name_token if block.directives else block.close
            raise CorefileError(Diagnostic("syntax", "error", f"Syntax error: Unexpected token "
                                           f"'{after_key.text}', expecting '{{'", path, after_key.line,
                                           after_key.column))
        if _snippet_like(key) and block.open is not None and block.close is None \
                and before.tokens:
            # the end-of-file quirk that lets a server block go unclosed does not hold for a snippet
            last = before.tokens[-1]
            raise CorefileError(Diagnostic("syntax", "error", f"Syntax error: Unexpected token '{last.text}', "
                                           "expecting '}'", path, last.line, last.column))
    try:
        out = format_corefile(before)
    except UnprintableError as e:
        raise CorefileError(Diagnostic("fmt", "error", str(e), path, 0, 0))
    after = parse(out, path=path, as_written=True)
    if (not after.ok or syntax_shape(after) != syntax_shape(before)
            or _comment_words(after) != _comment_words(before)):
        raise CorefileError(Diagnostic("fmt", "error", "formatting would change what the file says; "
                                       "left unchanged (please report this file)", path, 0, 0))
    return out
