"""corefile migrate"""
import sys

import click

from ..cli import EXIT_OK, EXIT_USAGE, echo_json, fail, read_input


@click.command("migrate")
@click.argument("path")
@click.option("--from", "from_version", required=True, metavar="X.Y.Z", help="The CoreDNS release the Corefile is for.")
@click.option("--to", "to_version", required=True, metavar="X.Y.Z",
              help="The CoreDNS release to migrate to (older than --from migrates down).")
@click.option("--deprecations", is_flag=True,
              help="Also rewrite what is only deprecated in a release (by default only what is ignored or removed).")
@click.option("--write", is_flag=True, help="Replace PATH with the result (atomically) instead of printing it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the migrated Corefile and the notices as one JSON object on standard output.")
def command(path, from_version, to_version, deprecations, write, fmt):
    """Migrate the Corefile PATH (or - for standard input) from one CoreDNS release to another.

    The result goes to standard output (or back to PATH with --write); one notice per change goes to
    standard error. A change that cannot be made safely stops the migration with an error and changes
    nothing.
    """
    from ..diagnostics import CorefileError
    from ..migrate import check_versions, migrate

    if write and path == "-":
        fail("--write needs a file path, not standard input")
    try:
        check_versions(from_version, to_version)
    except ValueError as e:
        fail(str(e))
    text = read_input(path)
    try:
        result = migrate(text, from_version, to_version, deprecations=deprecations, path=path)
    except CorefileError as e:
        d = e.diagnostic
        where = f"{d.path}:{d.line}:{d.column}" if d.line else d.path
        fail(f"{where}: cannot migrate: {d.message}")
    if fmt == "json":
        echo_json({"path": path, "from": result_version(from_version), "to": result_version(to_version),
                   "changed": result.changed, "corefile": result.text,
                   "notices": [n.as_dict() for n in result.notices]})
    else:
        for notice in result.notices:
            click.echo(str(notice), err=True)
        if not write:
            click.echo(result.text, nl=False)
    if write and result.changed:
        from .fmt import _replace_atomically

        try:
            _replace_atomically(path, result.text)
        except OSError as e:
            fail(f"{path}: cannot write: {e.strerror or e}")
    sys.exit(EXIT_OK)


def result_version(v: str) -> str:
    from ..knowledge.versions import normalize_version

    return normalize_version(v)
