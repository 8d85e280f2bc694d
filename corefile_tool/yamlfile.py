"""YAML from files the user hands over (inventories, kubeconfigs) and from what clusters answer, read with bounds.

PyYAML on its own reads a file of any size, recurses once per nesting level (`[[[[...` 2,000 deep is a
RecursionError), follows aliases into an exponential number of values ("billion laughs") and raises a dozen
exception classes. Everything here ends in one of two errors instead:

- `InputTooLarge` (an OSError, as for a Corefile): the file is above `MAX_YAML_BYTES`;
- `YamlError`: the text is not UTF-8, not YAML, or beyond a bound; `str()` is `FILE:LINE:COL: invalid YAML: ...`
  (or `... invalid UTF-8 ...`), at most a short quoted fragment of the input, never a value.

The bounds are far above any real inventory or kubeconfig (a 10,000-cluster inventory is about 1.2 MB, 80,000
values and 5 levels deep), and keep the work bounded (200,000 values read in a few seconds):
"""
from __future__ import annotations

from typing import Optional

MAX_YAML_BYTES = 16 * 1024 * 1024   # a file; larger ones are refused before they are parsed
MAX_DEPTH = 64                      # mappings and lists inside each other
MAX_VALUES = 200_000                # values, aliases expanded: bounds time, memory and every later walk
_FRAGMENT = 80                      # longest piece of a PyYAML message echoed (alias names, tags)


class InputTooLarge(OSError):
    """A YAML file above MAX_YAML_BYTES; `strerror` says so in words."""


class YamlError(ValueError):
    """The text cannot be read as bounded YAML. `line`/`column` are 1-based (0 when unknown)."""

    def __init__(self, path: str, message: str, line: int = 0, column: int = 0):
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f":{self.line}:{self.column}" if self.line else ""
        return f"{self.path}{where}: {self.message}"


def size_text(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def read_file(path: str, what: str = "a YAML file", limit: int = MAX_YAML_BYTES) -> str:
    """The file's text. OSError when it cannot be read (InputTooLarge above `limit`), YamlError when it is not
    UTF-8. `what` names the kind of file in the size message ("an inventory")."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(0, f"larger than {size_text(limit)} (this tool's limit for {what})")
    return decode(data, path)


def decode(data: bytes, path: str) -> str:
    """UTF-8 (a byte order mark is dropped), or YamlError at the first invalid byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        start = e.start
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        raise YamlError(path, f"invalid UTF-8 (byte 0x{data[start]:02x})", data.count(b"\n", 0, start) + 1,
                        column) from None


def _fragment(text: Optional[str]) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= _FRAGMENT else text[:_FRAGMENT - 3] + "..."


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting line breaks as PyYAML's marks do."""
    import re

    line, start = 1, 0
    for m in re.finditer(r"\r\n|[\n\r\x85\u2028\u2029]", text[:position]):
        line, start = line + 1, m.end()
    return line, position - start + 1


def _bounded_loader(libyaml: bool):
    """A safe loader (libyaml's parser when PyYAML has it: about four times faster) whose Python composer counts
    depth and values (aliases expanded) as it goes and stops at a bound, before anything recurses or grows."""
    import yaml
    from yaml.composer import Composer, ComposerError
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class Bounded(Composer):
        def count(self, n: int, mark):
            self.values += n
            if self.values > MAX_VALUES:
                raise ComposerError(None, None, f"more than {MAX_VALUES:,} values (aliases expanded; this tool's "
                                                f"limit)", mark)

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in self.anchors:
                    if event.anchor not in self.sizes:
                        raise ComposerError(None, None, f"alias *{_fragment(event.anchor)} is inside its own "
                                                        "anchor (a recursive structure)", event.start_mark)
                    self.count(self.sizes[event.anchor], event.start_mark)
                return super().compose_node(parent, index)
            if self.depth >= MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep (this tool's limit)",
                                    event.start_mark)
            before = self.values
            self.count(1, event.start_mark)
            self.depth += 1
            try:
                node = super().compose_node(parent, index)
            finally:
                self.depth -= 1
            if event.anchor is not None:
                self.sizes[event.anchor] = self.values - before
            return node

        def compose_document(self):
            self.sizes = {}   # anchor -> values under it, once its node is complete
            return super().compose_document()

    if libyaml and getattr(yaml, "__with_libyaml__", False):
        from yaml._yaml import CParser

        class Loader(Bounded, SafeConstructor, Resolver, CParser):   # Python composer first, C events under it
            def __init__(self, stream):
                CParser.__init__(self, stream)
                Composer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)
                self.depth = self.values = 0
    else:
        from yaml.reader import Reader
        from yaml.scanner import Scanner
        from yaml.parser import Parser

        class Loader(Reader, Scanner, Parser, Bounded, SafeConstructor, Resolver):
            def __init__(self, stream):
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)
                Composer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)
                self.depth = self.values = 0

    return Loader


_LOADERS: dict = {}


def _loader(text: str, libyaml: bool):
    if libyaml not in _LOADERS:
        _LOADERS[libyaml] = _bounded_loader(libyaml)
    return _LOADERS[libyaml](text)


def _error(e, text: str, path: str, libyaml: bool) -> YamlError:
    """A PyYAML exception as one YamlError line with the position PyYAML knows."""
    import yaml
    from yaml.reader import ReaderError

    if isinstance(e, ReaderError):
        position = e.position
        if libyaml:   # libyaml counts bytes of the UTF-8 text
            position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        line, column = _line_column(text, position)
        what = f"#x{e.character:04x}" if isinstance(e.character, int) else repr(e.character)
        return YamlError(path, f"invalid YAML: unacceptable character {what}: {e.reason}", line, column)
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        problem = _fragment(e.problem or e.context or "not valid YAML")
        if problem == "exceeded maximum nesting depth":   # libyaml's own bound (1,000) is above this tool's
            return YamlError(path, f"invalid YAML: nested more than {MAX_DEPTH} levels deep (this tool's limit)",
                             mark.line + 1, mark.column + 1)
        if e.context and e.problem and e.context_mark and mark and \
                (e.context_mark.line, e.context_mark.column) != (mark.line, mark.column):
            at = f"line {e.context_mark.line + 1}, column {e.context_mark.column + 1}"
            if e.context.startswith("while "):      # "expected ',' or ']', ... (while parsing a flow sequence ...)"
                problem += f" ({_fragment(e.context)} that starts at {at})"
            else:                                   # "expected a single document ... (at ...), but found another"
                problem = f"{_fragment(e.context)} (at {at}), {problem}"
        if mark:
            return YamlError(path, f"invalid YAML: {problem}", mark.line + 1, mark.column + 1)
        return YamlError(path, f"invalid YAML: {problem}")
    return YamlError(path, f"invalid YAML: {_fragment(str(e).splitlines()[0] if str(e) else type(e).__name__)}")


def load(text: str, path: str, *, libyaml: bool = True):
    """(node, data) of YAML text: exactly one document (node and data None when it is empty), within the bounds;
    YamlError on any problem. `libyaml=False` uses PyYAML's pure-Python parser even when libyaml is there."""
    import yaml

    loader = None
    node = None
    try:
        loader = _loader(text, libyaml)   # the reader refuses control characters here
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.YAMLError as e:
        raise _error(e, text, path, libyaml and getattr(yaml, "__with_libyaml__", False)) from None
    except RecursionError:   # the composer stays well short of it; chains of `<<` merge keys recurse when built
        mark = getattr(node, "start_mark", None)
        raise YamlError(path, "invalid YAML: nested too deeply", mark.line + 1 if mark else 0,
                        mark.column + 1 if mark else 0) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_file(path: str, what: str = "a YAML file", limit: int = MAX_YAML_BYTES):
    """(node, data) of a YAML file: OSError (InputTooLarge) if it cannot be read, YamlError if not YAML."""
    return load(read_file(path, what, limit), path)


def safe_load(text: str, path: str = "<text>", limit: int = MAX_YAML_BYTES):
    """yaml.safe_load with the bounds, for text from elsewhere (a cluster's ConfigMap): YamlError on any problem,
    including text above `limit` characters."""
    if len(text) > limit:
        raise YamlError(path, f"larger than {size_text(limit)} (this tool's limit)")
    return load(text, path)[1]
