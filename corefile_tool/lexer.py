"""Split Corefile text into tokens the way CoreDNS's Corefile lexer (coredns/caddy caddyfile/lexer.go) does.

Rules that matter (../shared/spec/corefile-syntax.md §2, checked against lexer.go):
- whitespace is Go's unicode.IsSpace, not Python's str.isspace() (which also counts U+001C..U+001F);
- a CR outside quotes is dropped without ending the word;
- `#` at the start of a token comments out the rest of the line; a `#` inside a word drops the rest of that
  word only: lexer.go resets its comment flag when it hands out the word, so `1.1.1.1#53 8.8.8.8` lexes as
  `1.1.1.1`, `8.8.8.8`;
- a `"` opens a quoted token only as a token's first character; inside, `\\"` is the only escape, and a
  file ending inside quotes ends the token (no error);
- braces are ordinary characters: they are structural only as whole tokens (decided by the parser);
- columns count characters (Go runes) from 1; a byte-order mark is skipped only as the very first character.
"""
from __future__ import annotations

import codecs
import re

# Go's unicode.IsSpace: the Latin-1 spaces plus Unicode White_Space.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# What ends a word: every Go space except CR, which lexer.go drops without ending the word.
_WORD_END = GO_SPACE.replace("\r", "")

# One match per token: the whitespace before it (newlines counted from it), then a word (with the rest of the
# word after a `#` in it), a comment, or a quoted token. The quoted body is an unrolled loop so a megabyte-long
# token costs no backtracking.
_TOKEN = re.compile(
    rf"([{GO_SPACE}]*)"
    rf"(?:([^{GO_SPACE}#\"][^{_WORD_END}#]*)(#[^{_WORD_END}]*)?"
    r"|(#[^\n]*)"
    r'|"([^"\\]*(?:\\[\s\S][^"\\]*)*)("|\\?\Z)'
    r")?"
)
_WORD, _WORD_TAIL, _COMMENT, _QUOTED = 2, 3, 4, 6


class Token:
    """One lexer token: its text (quotes removed) and where it was read.

    `raw` is the text before {$ENV} substitution; `origin` is the chain of `import` arguments the token was
    spliced in through, outermost first, each as (path, line, column).
    """

    __slots__ = ("text", "line", "column", "file", "quoted", "raw", "origin")

    def __init__(self, text, line, column, file="", quoted=False):
        self.text = text
        self.line = line
        self.column = column
        self.file = file
        self.quoted = quoted
        self.raw = text
        self.origin = ()

    @property
    def end_line(self) -> int:
        """The line this token ends on (a quoted token may span lines)."""
        return self.line + self.text.count("\n")

    def copy(self) -> "Token":
        t = Token(self.text, self.line, self.column, self.file, self.quoted)
        t.raw = self.raw
        t.origin = self.origin
        return t

    def __repr__(self):
        return f"Token({self.text!r}, {self.line}:{self.column})"


class Comment:
    """A `#` comment: the whole rest of a line, or the rest of a word after a `#` inside it."""

    __slots__ = ("text", "line", "column", "file")

    def __init__(self, text, line, column, file=""):
        self.text, self.line, self.column, self.file = text, line, column, file

    def __repr__(self):
        return f"Comment({self.text!r}, {self.line}:{self.column})"


def _one_replacement_per_byte(error: UnicodeDecodeError):
    # Go's ReadRune turns each undecodable byte into its own U+FFFD; Python's "replace" would fold a
    # truncated multi-byte sequence into one.
    return "\ufffd", error.start + 1


codecs.register_error("corefile-go-runes", _one_replacement_per_byte)


def decode(data: bytes) -> str:
    """Bytes to text as Go's rune reader sees them: each invalid byte becomes one U+FFFD."""
    return data.decode("utf-8", errors="corefile-go-runes")


# Lines the fast path below leaves to the scanner: a comment, a CR, or U+001C..U+001F (whitespace to Python's
# str.split, word characters to Go); and very long lines, so that the word limit is checked word by word.
_AWKWARD_LINE = re.compile("[#\r\x1c-\x1f]")
_NOT_GO_SPACE = re.compile("[\x1c-\x1f]")
_LONG_LINE = 65536


class TooManyWords(Exception):
    """More tokens and comments than the caller's limit: lexing stops before memory runs away."""

    def __init__(self, limit: int, line: int):
        super().__init__(f"more than {limit:,} words and comments")
        self.limit, self.line = limit, line


def lex(text: str, file: str = "", comments: list | None = None, limit: int | None = None) -> list[Token]:
    """Tokens of `text`. Comments are appended to `comments` when a list is given. Raises TooManyWords once
    tokens and comments together pass `limit`."""
    if '"' in text:
        return scan(text, file, comments, limit=limit)
    # Without quotes no token spans lines, so each line splits on its own; str.split agrees with Go's
    # unicode.IsSpace except on the characters _AWKWARD_LINE sends to the scanner.
    tokens: list[Token] = []
    append = tokens.append
    lines = text.split("\n")
    if text.startswith("\ufeff"):
        lines[0] = lines[0][1:]
    if limit is None or len(text) // 2 + 1 <= limit:
        # a word takes at least two characters with its separator: no limit check is needed, and when no line
        # is awkward or long (the common case) a tighter loop does the same work as the general one below
        if not _AWKWARD_LINE.search(text) and (len(text) <= _LONG_LINE or max(map(len, lines)) <= _LONG_LINE):
            number = 0
            for line in lines:
                number += 1
                if line:
                    pos = 0
                    find = line.find
                    for word in line.split():
                        pos = find(word, pos)
                        append(Token(word, number, pos + 1, file))
                        pos += len(word)
            return tokens
    awkward = _AWKWARD_LINE.search
    number = 0
    noted = 0  # comments found
    for line in lines:
        number += 1
        if not line:
            continue
        if line[-1] == "\r":  # CRLF: a CR is dropped, and at the end of a line it only ends the line's last word
            line = line.rstrip("\r")
            if not line:
                continue
        if awkward(line) or len(line) > _LONG_LINE:
            body = line.lstrip()
            if body[:1] == "#" and not _NOT_GO_SPACE.search(line, 0, len(line) - len(body)):
                if comments is not None:  # a comment line: no need to scan it
                    comments.append(Comment(body.rstrip("\r"), number, len(line) - len(body) + 1, file))
                noted += 1
            else:
                found: list = []
                room = None if limit is None else max(0, limit - len(tokens) - noted)
                for t in scan(line, file, found, bom=False, limit=room):
                    t.line = number
                    append(t)
                if comments is not None:
                    for c in found:
                        c.line = number
                    comments.extend(found)
                noted += len(found)
        else:
            pos = 0
            find = line.find
            for word in line.split():
                pos = find(word, pos)
                append(Token(word, number, pos + 1, file))
                pos += len(word)
        if limit is not None and len(tokens) + noted > limit:
            raise TooManyWords(limit, number)
    return tokens


def scan(text: str, file: str = "", comments: list | None = None, bom: bool = True,
         limit: int | None = None) -> list[Token]:
    """lex() for any text: one regular-expression match per token. `bom`: the text is a file's beginning."""
    pos = 1 if bom and text.startswith("\ufeff") else 0
    tokens: list[Token] = []
    append = tokens.append
    line = 1
    line_start = pos  # index of the first character of the current line
    noted = 0  # comments found
    for m in _TOKEN.finditer(text, pos):
        if limit is not None and len(tokens) + noted > limit:
            raise TooManyWords(limit, line)
        space = m.group(1)
        if "\n" in space:
            line += space.count("\n")
            line_start = m.start() + space.rindex("\n") + 1
        kind = m.lastindex
        if kind == _WORD:
            word = m.group(2)
            if "\r" in word:
                word = word.replace("\r", "")
            append(Token(word, line, m.start(2) - line_start + 1, file))
        elif kind == _WORD_TAIL:
            word = m.group(2)
            if "\r" in word:
                word = word.replace("\r", "")
            append(Token(word, line, m.start(2) - line_start + 1, file))
            noted += 1
            if comments is not None:
                comments.append(Comment(m.group(3).replace("\r", ""), line, m.start(3) - line_start + 1, file))
        elif kind == _COMMENT:
            noted += 1
            if comments is not None:
                comments.append(Comment(m.group(4).rstrip("\r"), line, m.start(4) - line_start + 1, file))
        elif kind == _QUOTED:
            body = m.group(5)
            if m.group(6) != '"' and not body:
                continue  # a lone `"` (or `"\`) at the end of the input yields no token
            start = m.start(5) - 1
            text_ = body.replace('\\"', '"') if "\\" in body else body
            append(Token(text_, line, start - line_start + 1, file, quoted=True))
            newlines = body.count("\n")
            if newlines:
                line += newlines
                line_start = m.start(5) + body.rindex("\n") + 1
    return tokens
