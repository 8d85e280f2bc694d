"""corefile parse"""
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, echo_json, format_text_diagnostic, read_input


@click.command("parse")
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--tokens", is_flag=True, help="Include the lexer's tokens (JSON) or list them (text).")
@click.option("--allow-import-outside", is_flag=True, help="Let `import` read files outside the Corefile's directory.")
def command(path, fmt, tokens, allow_import_outside):
    """Parse PATH (or - for standard input) as CoreDNS does and print its syntax tree."""
    from ..parser import Parser

    text = read_input(path)
    corefile = Parser(text, path, allow_import_outside=allow_import_outside).parse()
    if fmt == "json":
        echo_json(corefile.to_json(with_tokens=tokens))
    else:
        if tokens:
            for t in corefile.tokens:
                click.echo(f"{t.line}:{t.column}\t{t.text!r}")
        for block in corefile.server_blocks:
            keys = ", ".join(
                f"{k.text} -> " + (" ".join(k.address.keys()) if k.address and k.address.zones is not None
                                   else f"invalid ({k.address.error})")
                for k in block.keys)
            click.echo(f"server block {block.index} (line {block.line}): {keys}")
            _print_directives(block.directives, 1)
        for d in corefile.diagnostics:
            click.echo(format_text_diagnostic(d, corefile.source_line("" if d.path == path else d.path, d.line)),
                       err=True)
    sys.exit(EXIT_OK if corefile.ok else EXIT_FINDINGS)


def _print_directives(directives, depth):
    for d in directives:
        args = " ".join(repr(a.text) if (not a.text or any(c.isspace() for c in a.text)) else a.text
                        for a in d.args + d.tail)
        click.echo(f"{'    ' * depth}{d.name}{' ' + args if args else ''}  [{d.line}:{d.column}]")
        if d.block is not None:
            _print_directives(d.block.directives, depth + 1)


