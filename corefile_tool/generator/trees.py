"""Syntax-tree nodes made by the generator: the same classes the parser produces (tree.py), laid out where the
printer's canonical form puts them, so lint, simulate and the printer read a generated tree as a parsed one."""
from __future__ import annotations

from typing import Iterable, Optional

from ..addresses import Address, fqdn, inspect_key
from ..lexer import Token
from ..tree import Block, Corefile, Directive, Key, ServerBlock

INDENT = 4


def directive(name: str, *args: str, block: Optional[Iterable[Directive]] = None) -> Directive:
    d = Directive(Token(name, 0, 0), [Token(a, 0, 0) for a in args])
    if block is not None:
        d.block = Block(Token("{", 0, 0), list(block), Token("}", 0, 0))
    return d


def zone_key(zone: str, port: str) -> tuple[str, Address]:
    """`zone:port` for a zone the generator has already validated, with the address CoreDNS reads from it (what
    inspect_key would compute, without re-parsing tens of thousands of keys in a large mesh)."""
    return f"{zone}:{port}", Address("dns", (fqdn(zone).lower(),), port)


def server_block(keys: Iterable, directives: Iterable[Directive]) -> ServerBlock:
    """Keys are texts (read with inspect_key) or (text, Address) pairs from zone_key."""
    key_nodes = []
    for k in keys:
        text, address = k if isinstance(k, tuple) else (k, inspect_key(k))
        key_nodes.append(Key(Token(text, 0, 0), text, address))
    return ServerBlock(key_nodes, list(directives), Token("{", 0, 0), Token("}", 0, 0))


def _place_words(tokens: list[Token], line: int, column: int) -> int:
    """One line of words separated by single spaces, from `column`; returns the column after the last word."""
    for t in tokens:
        t.line, t.column = line, column
        column += len(t.text) + 1
    return column


def _place_directive(d: Directive, line: int, depth: int) -> int:
    """Positions of a directive (and its block) starting at `line`; returns the next free line."""
    column = _place_words([d.name_token] + d.args, line, depth * INDENT + 1)
    if d.block is None:
        return line + 1
    d.block.open.line, d.block.open.column = line, column
    line += 1
    for child in d.block.directives:
        line = _place_directive(child, line, depth + 1)
    d.block.close.line, d.block.close.column = line, depth * INDENT + 1
    return line + 1


def place_block(block: ServerBlock, line: int) -> int:
    """Lay out a server block from `line` in canonical form; returns the line after its closing brace."""
    column = _place_words([k.token for k in block.keys], line, 1)
    block.open.line, block.open.column = line, column
    line += 1
    for d in block.directives:
        line = _place_directive(d, line, 1)
    block.close.line, block.close.column = line, 1
    return line + 1


def corefile_of(blocks: list[ServerBlock], path: str, text: str = "") -> Corefile:
    cf = Corefile(path=path, text=text, server_blocks=list(blocks))
    cf.sources[""] = text
    for i, b in enumerate(cf.server_blocks):
        b.index = i
    return cf
