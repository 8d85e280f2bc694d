"""Split Corefile text into tokens the way CoreDNS's Corefile lexer (coredns/caddy caddyfile/lexer.go) does.

Rules that matter (see ../shared/spec/corefile-syntax.md §2):
- whitespace is Go's unicode.IsSpace, not Python's str.isspace();
- a CR outside quotes is dropped without ending the word;
- `#` starts a comment anywhere outside quotes, even in the middle of a word;
- a `"` opens a quoted token only as a token's first character; inside, `\\"` is the only escape;
- braces are ordinary characters: they are structural only as whole tokens (decided by the parser).
"""
from __future__ import annotations

import re

# Go's unicode.IsSpace: the Latin-1 spaces plus Unicode White_Space (no U+001C..U+001F, unlike str.isspace).
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_NO_NL_CR = GO_SPACE.replace("\n", "").replace("\r", "")

_SCAN = re.compile(
    r"(?P<nl>\n)"
    rf"|(?P<space>[{_SPACE_NO_NL_CR}\r]+)"
    r"|(?P<comment>#[^\n]*)"
    r'|"(?P<quoted>(?:\\[\s\S]|[^"\\])*)(?P<close>"|\\?\Z)'
    rf'|(?P<word>[^{GO_SPACE}#"](?:[^{_SPACE_NO_NL_CR}\n#]|\r)*)'
)


class Token:
    """One lexer token: its text (quotes removed) and where it was read."""

    __slots__ = ("text", "line", "column", "file", "quoted", "raw", "origin")

    def __init__(self, text, line, column, file="", quoted=False):
        self.text = text
        self.line = line
        self.column = column
        self.file = file
        self.quoted = quoted
        self.raw = text          # text before environment substitution
        self.origin = ()         # chain of `import` tokens this token was spliced in through

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
    __slots__ = ("text", "line", "column", "file")

    def __init__(self, text, line, column, file=""):
        self.text, self.line, self.column, self.file = text, line, column, file


def decode(data: bytes) -> str:
    """Bytes to text as Go's rune reader sees them: invalid bytes become U+FFFD."""
    return data.decode("utf-8", errors="replace")


def lex(text: str, file: str = "", comments: list | None = None) -> list[Token]:
    """Tokens of `text`. Comments are appended to `comments` when a list is given."""
    offset = 1 if text.startswith("\ufeff") else 0  # a BOM counts only as the very first rune
    tokens: list[Token] = []
    append = tokens.append
    line = 1
    line_start = offset  # index of the first character of the current line
    for m in _SCAN.finditer(text, offset):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "nl":
            line += 1
            line_start = m.end()
            continue
        column = m.start() - line_start + 1
        if kind == "word":
            word = m.group("word")
            if "\r" in word:
                word = word.replace("\r", "")
            append(Token(word, line, column, file))
        elif kind == "comment":
            if comments is not None:
                comments.append(Comment(m.group(), line, column, file))
        else:  # quoted, possibly unterminated at end of input
            body = m.group("quoted")
            if m.group("close") != '"':
                if m.group("close"):
                    pass  # a lone trailing backslash at EOF is swallowed as a pending escape
                if not body:
                    continue  # a lone `"` at EOF yields no token
            if "\\" in body:
                body = body.replace('\\"', '"')
            append(Token(body, line, column, file, quoted=True))
            newlines = body.count("\n")
            if newlines:
                line += newlines
                line_start = m.start("quoted") + m.group("quoted").rindex("\n") + 1
    return tokens
