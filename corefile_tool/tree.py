"""The one syntax tree every command reads: a Corefile, its server blocks, keys and directives.

Every node keeps the tokens it came from, so every position (file, line, column, and the `import` chain a
token came through) survives into lint, simulate, fmt and generate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from .lexer import Comment, Token


@dataclass
class Block:
    """A directive's `{ ... }`: one Directive per line inside it (the line's first word is its name)."""
    open: Token
    directives: list["Directive"]
    close: Optional[Token]


@dataclass
class Directive:
    """A plugin directive (or, inside a block, a property line): name, arguments, optional block.

    `tail` holds whatever followed the block's `}` on the same line: CoreDNS's parser keeps those words as more
    arguments of the same directive, which plugins then usually reject.
    """
    name_token: Token
    args: list[Token] = field(default_factory=list)
    block: Optional[Block] = None
    tail: list[Token] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.name_token.text

    @property
    def line(self) -> int:
        return self.name_token.line

    @property
    def column(self) -> int:
        return self.name_token.column

    @property
    def file(self) -> str:
        return self.name_token.file

    @property
    def arg_texts(self) -> list[str]:
        return [t.text for t in self.args]

    @property
    def children(self) -> list["Directive"]:
        return self.block.directives if self.block else []

    def tokens(self) -> Iterator[Token]:
        """All tokens of this directive in source order, braces included."""
        yield self.name_token
        yield from self.args
        if self.block:
            yield self.block.open
            for d in self.block.directives:
                yield from d.tokens()
            if self.block.close is not None:
                yield self.block.close
        yield from self.tail

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "args": [t.text for t in self.args] + [t.text for t in self.tail],
            "line": self.line,
            "column": self.column,
            "block": None if self.block is None else [d.to_json() for d in self.block.directives],
        }


@dataclass
class Key:
    """One server-block key as written, and what CoreDNS normalises it to (see addresses.py)."""
    token: Token
    text: str                        # the key with one trailing comma removed
    address: "object | None" = None  # addresses.Address, filled by the parser

    @property
    def line(self) -> int:
        return self.token.line

    @property
    def column(self) -> int:
        return self.token.column

    def to_json(self) -> dict:
        a = self.address
        return {
            "text": self.text,
            "line": self.line,
            "column": self.column,
            "transport": a.transport if a else None,
            "zones": list(a.zones) if a and a.zones is not None else None,
            "port": a.port if a and a.zones is not None else None,
        }


@dataclass
class ServerBlock:
    keys: list[Key]
    directives: list[Directive]
    open: Optional[Token] = None      # None for a single brace-less block
    close: Optional[Token] = None
    index: int = 0                    # position among the file's server blocks, after imports

    @property
    def line(self) -> int:
        if self.keys:
            return self.keys[0].line
        return self.open.line if self.open else 0

    @property
    def file(self) -> str:
        if self.keys:
            return self.keys[0].token.file
        return self.open.file if self.open else ""

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.directives if d.name == name]

    def to_json(self) -> dict:
        return {
            "line": self.line,
            "keys": [k.to_json() for k in self.keys],
            "directives": [d.to_json() for d in self.directives],
        }


@dataclass
class Snippet:
    name: str
    token: Token              # the `(name)` key
    body: list[Token]


@dataclass
class Import:
    """An `import` that was expanded: where it stood and what it matched."""
    token: Token
    pattern: str
    files: list[str]          # absolute paths; empty for a snippet
    snippet: Optional[str] = None
    argument: Optional[Token] = None   # the pattern token (kept when parsed as written)


_LINES: dict = {}


def _split_lines(text: str) -> list:
    """text.split("\\n"), remembered for the last few texts: diagnostics ask for many lines of one file."""
    key = id(text)
    hit = _LINES.get(key)
    if hit is None or hit[0] is not text:
        if len(_LINES) > 8:
            _LINES.clear()
        hit = _LINES[key] = (text, text.split("\n"))
    return hit[1]


@dataclass
class Corefile:
    path: str                                  # the path as given ("-" for standard input)
    text: str
    server_blocks: list[ServerBlock] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)     # the lexer's tokens of the main file
    diagnostics: list = field(default_factory=list)       # parse diagnostics
    sources: dict = field(default_factory=dict)           # file -> text, for every file read (main is "")
    as_written: bool = False      # parsed for fmt: imports unexpanded, snippets as blocks, {$ENV} kept
    env_values: dict = field(default_factory=dict)        # {$VAR} / {%VAR%} reference -> value substituted
    env_unset: frozenset = frozenset()                     # those references whose variable was not set

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    def display_path(self, file: str) -> str:
        """How diagnostics name a token's file: the path as given for the main file, absolute for imports."""
        return file or self.path

    def redact(self, text: str) -> str:
        """`text` with each environment value shown as the reference it came from: values are used for
        checking, never printed. A value the Corefile itself also spells out, or one shorter than 3
        characters, is no secret and stays (replacing every "53" or "import" would garble messages)."""
        secrets = self._secrets()
        for value, ref in secrets:
            if value in text:
                text = text.replace(value, ref)
        return text

    def _secrets(self) -> list:
        state = (len(self.env_values), len(self.sources))
        cached = self.__dict__.get("_secret_cache")
        if cached is None or cached[0] != state:
            found = [(value, ref) for ref, value in self.env_values.items()
                     if len(value) >= 3 and not any(value in src for src in self.sources.values())]
            found.sort(key=lambda vr: -len(vr[0]))
            cached = self.__dict__["_secret_cache"] = (state, found)
        return cached[1]

    def source_line(self, file: str, line: int) -> str:
        text = self.sources.get(file, self.text if not file else None)
        if text is None or line < 1:
            return ""
        lines = _split_lines(text)
        return lines[line - 1].rstrip("\r") if line <= len(lines) else ""

    def to_json(self, with_tokens: bool = False) -> dict:
        out = {
            "path": self.path,
            "server_blocks": [b.to_json() for b in self.server_blocks],
        }
        if with_tokens:
            out["tokens"] = [{"text": t.text, "line": t.line, "column": t.column} for t in self.tokens]
        out["diagnostics"] = [d.as_dict() for d in self.diagnostics]
        return out
