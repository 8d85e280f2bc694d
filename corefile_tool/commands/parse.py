"""corefile parse"""
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, echo_json, format_text_diagnostic, read_input

# A source line longer than this is not shown under a diagnostic: it would echo far more than the offending word.
_MAX_SHOWN_LINE = 200


@click.command("parse")
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--tokens", is_flag=True, help="Include the lexer's tokens (JSON) or list them (text).")
@click.option("--allow-import-outside", is_flag=True, help="Let `import` read files outside the Corefile's directory.")
def command(path, fmt, tokens, allow_import_outside):
    """Parse PATH (or - for standard input) as CoreDNS does and print its syntax tree.

    Exit status: 0 when it parses, 1 on a syntax error (the tree or JSON is still printed), 2 when PATH
    cannot be read. Text output shows {$VAR} references as written; JSON carries the substituted values, as
    CoreDNS sees them.
    """
    from ..parser import Parser

    text = read_input(path)
    corefile = Parser(text, path, allow_import_outside=allow_import_outside).parse()
    if fmt == "json":
        echo_json(corefile.to_json(with_tokens=tokens))
    else:
        lines = []
        if tokens:
            lines.extend(f"{t.line}:{t.column}\t{_word(t.text)}" for t in corefile.tokens)
        for block in corefile.server_blocks:
            keys = ", ".join(_key(k) for k in block.keys)
            lines.append(f"server block {block.index} (line {block.line}): {keys}")
            _directive_lines(block.directives, 1, lines)
        if lines:
            click.echo("\n".join(lines))
        for d in corefile.diagnostics:
            source = corefile.source_line("", d.line) if d.path == corefile.path else ""
            if len(source) > _MAX_SHOWN_LINE:
                source = ""
            source = "".join(c if c.isprintable() or c == "\t" else "?" for c in source)
            click.echo(format_text_diagnostic(d, source), err=True)
    sys.exit(EXIT_OK if corefile.ok else EXIT_FINDINGS)


def _word(text: str) -> str:
    """A word as written in the Corefile, quoted when whitespace, emptiness or control characters would hide it."""
    if text and text.isprintable() and not any(c.isspace() for c in text):
        return text
    return repr(text)


def _key(key) -> str:
    written = key.token.raw
    if written != key.token.text:
        # the value came from the environment: show the reference, not the value or what it normalises to
        return f"{_word(written)} -> (from the environment)"
    a = key.address
    if a is None or a.zones is None:
        return f"{_word(key.text)} -> invalid ({a.error if a else 'not inspected'})"
    return f"{_word(key.text)} -> " + " ".join(a.keys())


def _directive_lines(directives, depth, lines):
    for d in directives:
        words = " ".join(_word(a.raw) for a in d.args + d.tail)
        lines.append(f"{'    ' * depth}{_word(d.name_token.raw)}{' ' + words if words else ''}  [{d.line}:{d.column}]")
        if d.block is not None:
            _directive_lines(d.block.directives, depth + 1, lines)
