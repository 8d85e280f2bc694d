"""corefile fmt"""
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, read_input


@click.command("fmt")
@click.argument("paths", nargs=-1)
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not formatted and exit 1.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of the formatted text.")
@click.option("--write", is_flag=True, help="Rewrite the files in place (atomically).")
def command(paths, check, show_diff, write):
    """Format Corefiles (PATH ..., or - for standard input) in the canonical layout.

    Without options the formatted text goes to standard output. Imports are not followed: each file is
    formatted as written, comments, snippets, `import` lines and {$ENV} references included.
    """
    from ..diagnostics import CorefileError
    from ..printer import format_text

    if check and write:
        fail("--check and --write exclude each other")
    if not paths:
        paths = ("-",)
    if write and "-" in paths:
        fail("--write needs file paths, not standard input")
    failed = changed_any = False
    for path in paths:
        text = read_input(path)
        try:
            formatted = format_text(text, path)
        except CorefileError as e:
            d = e.diagnostic
            where = f"{d.path}:{d.line}:{d.column}" if d.line else d.path
            click.echo(f"corefile: {where}: cannot format: {d.message}", err=True)
            failed = True
            continue
        changed = formatted != text
        changed_any = changed_any or changed
        if show_diff:
            if changed:
                click.echo(_diff(path, text, formatted), nl=False)
        elif check or write:
            if changed:
                click.echo(path)
        else:
            click.echo(formatted, nl=False)
        if write and changed:
            try:
                _replace_atomically(path, formatted)
            except OSError as e:
                click.echo(f"corefile: {path}: cannot write: {e.strerror or e}", err=True)
                failed = True
    if failed:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if check and changed_any else EXIT_OK)


def _diff(path: str, before: str, after: str) -> str:
    import difflib

    name = "<stdin>" if path == "-" else path
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=name, tofile=f"{name} (formatted)")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _replace_atomically(path: str, text: str) -> None:
    from ..files import write_atomically

    write_atomically(path, text)

