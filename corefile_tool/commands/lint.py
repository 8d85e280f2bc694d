"""corefile lint"""
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, read_input
from ..k8s.options import k8s_source_options


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
@click.option("--host-interfaces", "host_interfaces", multiple=True, metavar="NAME[,NAME...]",
              help="Network interfaces of the host CoreDNS runs on (repeatable; default: this machine's), "
                   "for `bind NAME`.")
@k8s_source_options
def command(paths, version, fmt, select, ignore, strict, plugins, profile, allow_import_outside, k8s,
            host_interfaces):
    """Lint Corefiles (PATH ..., or - for standard input) against a CoreDNS version."""
    from .. import report
    from ..knowledge import versions
    from ..linter import gc_paused, lint_tree
    from ..linter.rules import all_rules, by_code
    from ..parser import Parser

    if k8s and paths:
        fail("--k8s lints the Corefile of the cluster's ConfigMap: give no PATH")
    if not paths and not k8s:
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
    interfaces = tuple(_codes(host_interfaces)) if host_interfaces else None
    diagnostics = []
    trees = {}
    unreadable = []
    for path in paths:
        text = _read(path)
        if text is None:
            unreadable.append(path)   # said on stderr; the other files are still linted
            continue
        with gc_paused():
            tree = Parser(text, path, allow_import_outside=allow_import_outside).parse()
            trees[path] = tree
            diagnostics.extend(lint_tree(tree, version, external_plugins=external, profile=profile,
                                         select=select, ignore=ignore, host_interfaces=interfaces))
    if k8s:  # the live ConfigMap, for the CoreDNS release the cluster runs, as a Kubernetes deployment
        version = version or k8s.coredns_version()
        for tree in k8s.read()[1]:
            trees[tree.path] = tree
            diagnostics.extend(lint_tree(tree, version, external_plugins=external, profile=profile or "kubernetes",
                                         select=select, ignore=ignore, host_interfaces=interfaces))
        paths = tuple(trees)

    def source_line(d):
        for tree in trees.values():
            if d.path == tree.path:
                return tree.source_line("", d.line)
            for file in tree.sources:
                if file and file == d.path:
                    return tree.source_line(file, d.line)
        return ""

    files = len(paths) - len(unreadable)
    if fmt == "json":
        click.echo(report.as_json(diagnostics, files))
    elif fmt == "sarif":
        click.echo(report.as_sarif(diagnostics, all_rules()))
    elif fmt == "github":
        if diagnostics:
            click.echo(report.as_github(diagnostics))
    else:
        if diagnostics:
            click.echo(report.as_text(diagnostics, source_line, color=_color()))
        s = report.summary(diagnostics, files)
        click.echo(f"{s['files']} file(s): {s['errors']} error(s), {s['warnings']} warning(s), {s['infos']} info",
                   err=True)
    errors = any(d.severity == "error" for d in diagnostics)
    warnings = any(d.severity == "warning" for d in diagnostics)
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK)


def _read(path: str):
    """The file's text, or None after saying on stderr why it cannot be read."""
    try:
        return read_input(path)
    except SystemExit:
        return None


def _color() -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _codes(values):
    return [c.strip() for v in values for c in v.split(",") if c.strip()]
