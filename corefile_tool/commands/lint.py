"""corefile lint"""
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, read_input


def parse_plugin_option(values):
    """--plugin NAME[:AFTER] → {name: after}."""
    out = {}
    for v in values:
        name, _, after = v.partition(":")
        if not name:
            fail(f"--plugin {v!r}: expected NAME or NAME:AFTER")
        out[name] = after
    return out


@click.command("lint")
@click.argument("paths", nargs=-1)
@click.option("--coredns-version", "version", default=None, metavar="X.Y.Z",
              help="CoreDNS release to check against (default: the newest known).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--select", multiple=True, metavar="CODES", help="Only these rule codes (comma-separated; `x*` globs).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes (comma-separated).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--plugin", "plugins", multiple=True, metavar="NAME[:AFTER]",
              help="An external plugin compiled into your CoreDNS build (repeatable).")
@click.option("--profile", type=click.Choice(["kubernetes"]), default=None,
              help="Deployment profile: `kubernetes` expects health, ready and reload.")
@click.option("--allow-import-outside", is_flag=True, help="Let `import` read files outside the Corefile's directory.")
def command(paths, version, fmt, select, ignore, strict, plugins, profile, allow_import_outside):
    """Lint Corefiles (PATH ..., or - for standard input) against a CoreDNS version."""
    from .. import report
    from ..knowledge import versions
    from ..linter import lint_tree
    from ..linter.rules import all_rules, by_code
    from ..parser import Parser

    if not paths:
        paths = ("-",)
    if version:
        try:
            version = versions.normalize_version(version)
        except ValueError as e:
            fail(str(e))
    select = _codes(select)
    ignore = _codes(ignore)
    known = set(by_code())
    for code in select + ignore:
        if code.rstrip("*") and not code.endswith("*") and code not in known:
            fail(f"unknown rule code {code!r} (see `corefile rules`)")
    external = parse_plugin_option(plugins)
    diagnostics = []
    trees = {}
    for path in paths:
        text = read_input(path)
        tree = Parser(text, path, allow_import_outside=allow_import_outside).parse()
        trees[path] = tree
        diagnostics.extend(lint_tree(tree, version, external_plugins=external, profile=profile,
                                     select=select, ignore=ignore))

    def source_line(d):
        for tree in trees.values():
            if d.path == tree.path:
                return tree.source_line("", d.line)
            for file in tree.sources:
                if file and file == d.path:
                    return tree.source_line(file, d.line)
        return ""

    if fmt == "json":
        click.echo(report.as_json(diagnostics, len(paths)))
    elif fmt == "sarif":
        click.echo(report.as_sarif(diagnostics, all_rules()))
    elif fmt == "github":
        if diagnostics:
            click.echo(report.as_github(diagnostics))
    else:
        if diagnostics:
            click.echo(report.as_text(diagnostics, source_line, color=sys.stdout.isatty()))
        s = report.summary(diagnostics, len(paths))
        click.echo(f"{s['files']} file(s): {s['errors']} error(s), {s['warnings']} warning(s), {s['infos']} info",
                   err=True)
    errors = any(d.severity == "error" for d in diagnostics)
    warnings = any(d.severity == "warning" for d in diagnostics)
    sys.exit(EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK)


def _codes(values):
    return [c.strip() for v in values for c in v.split(",") if c.strip()]
