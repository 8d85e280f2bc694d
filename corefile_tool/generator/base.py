"""A cluster's own Corefile (`base_corefile`) kept as its author wrote it: only the part between the managed
markers is ours to replace, and the cluster's mesh domain is added to the zones (and, if needed, the keys) of the
kubernetes plugin that answers its Kubernetes domain.

The edit is made in the text at the positions the parser gives, so comments, spacing and the rest of the file
survive byte for byte, and a second run finds the mesh domain already there and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..addresses import fqdn, zones_from_args
from ..lexer import GO_SPACE
from ..parser import read_source
from ..tree import Corefile, ServerBlock
from .inventory import Cluster, Problem, is_within

BEGIN_MARKER = "# BEGIN corefile-tool managed"
END_MARKER = "# END corefile-tool managed"


@dataclass
class Base:
    path: str
    before: str                   # text up to the BEGIN marker line
    after: str                    # text after the END marker line
    port: str                     # port the cluster's domain is served on: added blocks listen there too
    tree: Corefile                # the edited base, parsed (blocks of the managed region left out)
    warnings: list = field(default_factory=list)
    served: dict = field(default_factory=dict)   # (transport, zone, port) -> line, for blocks outside the markers
    newline: str = "\n"           # "\r\n" when every line of the base file ends so: the output keeps that style


def line_ending(text: str) -> str:
    """"\r\n" when the text has line breaks and every one of them is CRLF, else "\n". A file that mixes both is
    kept byte for byte as it is (its managed part then gets LF, like the file's LF lines)."""
    breaks = text.count("\n")
    return "\r\n" if breaks and text.count("\r\n") == breaks else "\n"


def _line_starts(text: str) -> list[int]:
    starts = [1 if text.startswith("\ufeff") else 0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def split_markers(text: str, path: str, where: str) -> tuple[str, str, Optional[tuple[int, int]]]:
    """(before, after, (begin line, end line) or None). Text without markers is all `before`, ending in a blank
    line, so that the first run and every later one produce the same file."""
    lines = text.split("\n")
    begins = [i for i, ln in enumerate(lines) if ln.strip().startswith(BEGIN_MARKER)]
    ends = [i for i, ln in enumerate(lines) if ln.strip().startswith(END_MARKER)]
    if not begins and not ends:
        body = text.rstrip("\n")
        return (body + "\n\n" if body else ""), "", None
    problems = []
    if len(begins) > 1:
        problems.append(Problem(path, begins[1] + 1, where, f"a second '{BEGIN_MARKER}' line"))
    if len(ends) > 1:
        problems.append(Problem(path, ends[1] + 1, where, f"a second '{END_MARKER}' line"))
    if begins and not ends:
        problems.append(Problem(path, begins[0] + 1, where, f"'{BEGIN_MARKER}' has no '{END_MARKER}' line after it"))
    if ends and not begins:
        problems.append(Problem(path, ends[0] + 1, where, f"'{END_MARKER}' without a '{BEGIN_MARKER}' line before it"))
    if begins and ends and ends[0] < begins[0]:
        problems.append(Problem(path, ends[0] + 1, where, f"'{END_MARKER}' comes before '{BEGIN_MARKER}'"))
    if problems:
        from .inventory import InventoryError

        raise InventoryError(problems)
    b, e = begins[0], ends[0]
    before = "\n".join(lines[:b]) + ("\n" if b else "")
    after = "\n".join(lines[e + 1:])
    return before, after, (b + 1, e + 1)


def _token_end(text: str, start: int, quoted: bool) -> int:
    n = len(text)
    if quoted:
        i = start + 1
        while i < n:
            if text[i] == "\\" and i + 1 < n:
                i += 2
                continue
            if text[i] == '"':
                return i + 1
            i += 1
        return n
    i = start
    while i < n and text[i] not in GO_SPACE and text[i] != "#":
        i += 1
    return i


def _answering_block(corefile: Corefile, domain: str, managed: Optional[tuple[int, int]]):
    """The block a query for the cluster's domain is routed to (longest key zone on a dns listener)."""
    best = None
    zone_name = fqdn(domain)
    for block in corefile.server_blocks:
        if not block.keys or _in_managed(block, managed):
            continue
        for key in block.keys:
            a = key.address
            if a is None or a.zones is None or a.transport != "dns":
                continue
            for z in a.zones:
                if z == "." or is_within(zone_name.rstrip("."), z.rstrip(".")):
                    length = 0 if z == "." else len(z)
                    if best is None or length > best[0]:
                        best = (length, block, a.port)
    return (best[1], best[2]) if best else (None, None)


def _is_reverse(zone: str) -> bool:
    return zone.rstrip(".").lower().endswith(("in-addr.arpa", "ip6.arpa")) or "/" in zone


def _in_managed(block: ServerBlock, managed: Optional[tuple[int, int]]) -> bool:
    if managed is None or not block.keys:
        return False
    tok = block.keys[0].token
    return tok.file == "" and managed[0] < tok.line < managed[1]


def load_base(cluster: Cluster, label: str) -> Base:
    """Read, check and edit a cluster's base Corefile. Raises InventoryError for what stops generation."""
    from ..parser import parse
    from .inventory import InventoryError

    path = cluster.base_corefile
    where = f"{label}.base_corefile"
    shown = str(path)
    try:
        text = read_source(str(path))   # capped, as any Corefile (parser.MAX_INPUT_BYTES)
    except IsADirectoryError:
        raise InventoryError([Problem(shown, 0, where, "is a directory")]) from None
    except OSError as e:
        raise InventoryError([Problem(shown, 0, where, f"cannot read: {e.strerror or e}")]) from None
    newline = line_ending(text)
    if newline != "\n":
        # Worked on with LF line ends (the line and column of every token stay the same); render() writes the
        # whole output, managed part included, back with the file's own line ends.
        text = text.replace(newline, "\n")
    _, _, managed = split_markers(text, shown, where)
    tree = parse(text, path=shown)
    errors = [d for d in tree.diagnostics if d.severity == "error"]
    if errors:
        raise InventoryError([Problem(d.path, d.line, where, d.message) for d in errors])

    warnings = []
    block, port = _answering_block(tree, cluster.domain, managed)
    edits: list[tuple[int, str]] = []          # (offset, text to insert)
    starts = _line_starts(text)

    def offset_after(tok) -> int:
        start = starts[tok.line - 1] + tok.column - 1
        return _token_end(text, start, tok.quoted)

    if block is None:
        warnings.append(f"{shown}: no server block answers {cluster.domain}; "
                        f"{cluster.mesh_domain} is not added to any kubernetes plugin")
        port = "53"
    else:
        kube = block.find("kubernetes")
        if not kube:
            warnings.append(f"{shown}:{block.line}: the block answering {cluster.domain} has no kubernetes "
                            f"plugin, so {cluster.mesh_domain} cannot be added to its zones")
        else:
            k = kube[0]
            block_zones = [z for key in block.keys if key.address and key.address.zones for z in key.address.zones]
            zones = zones_from_args(k.arg_texts, block_zones)
            mesh = cluster.mesh_domain
            if fqdn(mesh) not in zones:
                insert = f" {mesh}"
                anchor = next((a for a in k.args if zones_from_args([a.text], []) == [fqdn(cluster.domain)]),
                              None)
                if anchor is None:
                    forward_zones = [a for a in k.args if not _is_reverse(a.text)]
                    anchor = forward_zones[-1] if forward_zones else None
                if anchor is None:
                    anchor = k.name_token
                    if not k.args:
                        insert = " " + " ".join(z.rstrip(".") or "." for z in block_zones) + f" {mesh}"
                if anchor.file:
                    warnings.append(f"{anchor.file}:{anchor.line}: kubernetes is configured in an imported file; "
                                    f"add {mesh} to its zones there")
                else:
                    edits.append((offset_after(anchor), insert))
            key_covers = any(is_within(mesh, z.rstrip(".")) or z == "." for z in block_zones)
            if not key_covers:
                last_key = block.keys[-1].token
                if last_key.file:
                    warnings.append(f"{last_key.file}:{last_key.line}: the block answering {cluster.domain} comes "
                                    f"from an imported file; add {mesh}:{port} to its keys there")
                else:
                    edits.append((offset_after(last_key), f" {mesh}:{port}"))
    for offset, insert in sorted(edits, reverse=True):
        text = text[:offset] + insert + text[offset:]
    before, after, managed = split_markers(text, shown, where)
    if edits:
        tree = parse(text, path=shown)
    served = {}
    for b in tree.server_blocks:
        if _in_managed(b, managed):
            continue
        for key in b.keys:
            a = key.address
            for z in (a.zones or ()) if a else ():
                served.setdefault((a.transport, z, a.port), (key.token.file or shown, key.line))
    return Base(shown, before, after, port or "53", tree, warnings, served, newline)
