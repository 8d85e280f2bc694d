"""The `corefile` command: thin click commands over the library. Heavy modules load inside commands."""
from __future__ import annotations

import json
import sys

import click

from .diagnostics import Diagnostic

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str, code: int = EXIT_USAGE):
    """A user error: one line on stderr, a non-zero exit, never a traceback."""
    click.echo(f"corefile: {message}", err=True)
    sys.exit(code)


def read_input(path: str) -> str:
    from .parser import read_source

    try:
        return read_source(path)
    except IsADirectoryError:
        fail(f"{path}: is a directory")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except PermissionError:
        fail(f"{path}: permission denied")
    except OSError as e:
        fail(f"{path}: {e.strerror or e}")


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def format_text_diagnostic(d: Diagnostic, source_line: str = "", color: bool = False) -> str:
    head = f"{d.path}:{d.line}:{d.column}: {d.code} {d.severity} {d.message}"
    if color:
        colors = {"error": "red", "warning": "yellow", "info": "cyan"}
        head = f"{d.path}:{d.line}:{d.column}: {d.code} " + click.style(d.severity, fg=colors[d.severity],
                                                                       bold=True) + f" {d.message}"
    if not source_line:
        return head
    caret_pad = "".join(c if c == "\t" else " " for c in source_line[:max(0, d.column - 1)])
    return f"{head}\n    {source_line}\n    {caret_pad}^"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="corefile", prog_name="corefile")
def main():
    """Parse, lint, simulate and generate CoreDNS Corefiles."""


@main.command()
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--tokens", is_flag=True, help="Include the lexer's tokens (JSON) or list them (text).")
@click.option("--allow-import-outside", is_flag=True, help="Let `import` read files outside the Corefile's directory.")
def parse(path, fmt, tokens, allow_import_outside):
    """Parse PATH (or - for standard input) as CoreDNS does and print its syntax tree."""
    from .parser import Parser

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


if __name__ == "__main__":  # pragma: no cover
    main()
