"""The one syntax tree every command reads: a Corefile, its server blocks, keys and directives.

Every node keeps the tokens it came from, so every position (file, line, column, and the `import` chain a
token came through) survives into lint, simulate, fmt and generate.
"""
from __future__ import annotations

from typing import Iterator, Optional

from .lexer import Comment, Token

# The node classes are written out rather than made with @dataclass: generating their methods (an exec of
# generated source per method) was 7% of a cold `corefile parse`, and __slots__ makes the 10,000s of nodes of a
# big Corefile cheaper to build. They behave as the dataclasses did: same constructor, field-wise ==, unhashable,
# the same repr. Corefile keeps its __dict__: callers hang caches on it (simulator, k8s.live, _secrets below).

_FRESH = object()   # the default "a new empty list (dict)", as dataclasses' default_factory did


def _repr(node) -> str:
    return f"{type(node).__qualname__}(" + ", ".join(f"{f}={getattr(node, f)!r}" for f in node.__match_args__) + ")"


class Block:
    """A directive's `{ ... }`: one Directive per line inside it (the line's first word is its name)."""

    __slots__ = __match_args__ = ("open", "directives", "close")

    def __init__(self, open: Token, directives: list["Directive"], close: Optional[Token]):
        self.open = open
        self.directives = directives
        self.close = close

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.open, self.directives, self.close) == (other.open, other.directives, other.close)

    __hash__ = None
    __repr__ = _repr


class Directive:
    """A plugin directive (or, inside a block, a property line): name, arguments, optional block.

    `tail` holds whatever followed the block's `}` on the same line: CoreDNS's parser keeps those words as more
    arguments of the same directive, which plugins then usually reject.
    """

    __slots__ = __match_args__ = ("name_token", "args", "block", "tail")

    def __init__(self, name_token: Token, args: list[Token] = _FRESH, block: Optional[Block] = None,
                 tail: list[Token] = _FRESH):
        self.name_token = name_token
        self.args = [] if args is _FRESH else args
        self.block = block
        self.tail = [] if tail is _FRESH else tail

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return ((self.name_token, self.args, self.block, self.tail)
                == (other.name_token, other.args, other.block, other.tail))

    __hash__ = None
    __repr__ = _repr

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


class Key:
    """One server-block key as written, and what CoreDNS normalises it to (see addresses.py)."""

    __slots__ = __match_args__ = ("token", "text", "address")

    def __init__(self, token: Token, text: str, address: "object | None" = None):
        self.token = token
        self.text = text              # the key with one trailing comma removed
        self.address = address        # addresses.Address, filled by the parser

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.token, self.text, self.address) == (other.token, other.text, other.address)

    __hash__ = None
    __repr__ = _repr

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


class ServerBlock:
    __slots__ = __match_args__ = ("keys", "directives", "open", "close", "index")

    def __init__(self, keys: list[Key], directives: list[Directive], open: Optional[Token] = None,
                 close: Optional[Token] = None, index: int = 0):
        self.keys = keys
        self.directives = directives
        self.open = open              # None for a single brace-less block
        self.close = close
        self.index = index            # position among the file's server blocks, after imports

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return ((self.keys, self.directives, self.open, self.close, self.index)
                == (other.keys, other.directives, other.open, other.close, other.index))

    __hash__ = None
    __repr__ = _repr

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


class Snippet:
    __slots__ = __match_args__ = ("name", "token", "body")

    def __init__(self, name: str, token: Token, body: list[Token]):
        self.name = name
        self.token = token            # the `(name)` key
        self.body = body

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.name, self.token, self.body) == (other.name, other.token, other.body)

    __hash__ = None
    __repr__ = _repr


class Import:
    """An `import` that was expanded: where it stood and what it matched."""

    __slots__ = __match_args__ = ("token", "pattern", "files", "snippet", "argument")

    def __init__(self, token: Token, pattern: str, files: list[str], snippet: Optional[str] = None,
                 argument: Optional[Token] = None):
        self.token = token
        self.pattern = pattern
        self.files = files            # absolute paths; empty for a snippet
        self.snippet = snippet
        self.argument = argument      # the pattern token (kept when parsed as written)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return ((self.token, self.pattern, self.files, self.snippet, self.argument)
                == (other.token, other.pattern, other.files, other.snippet, other.argument))

    __hash__ = None
    __repr__ = _repr


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


class Corefile:
    __match_args__ = ("path", "text", "server_blocks", "snippets", "imports", "comments", "tokens", "diagnostics",
                      "sources", "as_written", "env_values", "env_unset")

    def __init__(self, path: str, text: str, server_blocks: list[ServerBlock] = _FRESH,
                 snippets: list[Snippet] = _FRESH, imports: list[Import] = _FRESH,
                 comments: list[Comment] = _FRESH, tokens: list[Token] = _FRESH, diagnostics: list = _FRESH,
                 sources: dict = _FRESH, as_written: bool = False, env_values: dict = _FRESH,
                 env_unset: frozenset = frozenset()):
        self.path = path                  # the path as given ("-" for standard input)
        self.text = text
        self.server_blocks = [] if server_blocks is _FRESH else server_blocks
        self.snippets = [] if snippets is _FRESH else snippets
        self.imports = [] if imports is _FRESH else imports
        self.comments = [] if comments is _FRESH else comments
        self.tokens = [] if tokens is _FRESH else tokens                # the lexer's tokens of the main file
        self.diagnostics = [] if diagnostics is _FRESH else diagnostics  # parse diagnostics
        self.sources = {} if sources is _FRESH else sources  # file -> text, for every file read (main is "")
        self.as_written = as_written  # parsed for fmt: imports unexpanded, snippets as blocks, {$ENV} kept
        self.env_values = {} if env_values is _FRESH else env_values  # {$VAR}/{%VAR%} reference -> value
        self.env_unset = env_unset        # those references whose variable was not set
        # reference -> why it has no value here, where the environment came from elsewhere (k8s: the CoreDNS
        # container's env entry read from a Secret, a pod field, ...); kept out of equality like a cache
        self.env_notes: dict = {}

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        fields = self.__match_args__
        return tuple(getattr(self, f) for f in fields) == tuple(getattr(other, f) for f in fields)

    __hash__ = None
    __repr__ = _repr

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
