"""corefile generate"""
from __future__ import annotations

import os
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail

FORMATS = ("corefile", "configmap", "coredns-custom")


def load_inventory(path: str):
    """The checked inventory, or every problem on stderr and exit 2."""
    from ..generator.inventory import InventoryError, load

    try:
        return load(path)
    except InventoryError as e:
        report_problems(e, path)
    except IsADirectoryError:
        fail(f"{path}: is a directory")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except OSError as e:
        fail(f"{path}: {e.strerror or e}")


def report_problems(error, path: str):
    for p in error.problems:
        click.echo(str(p), err=True)
    n = len(error.problems)
    fail(f"{n} problem{'s' if n != 1 else ''} in {path}; nothing generated", EXIT_USAGE)


def select_clusters(inventory, names) -> list[str]:
    unknown = [n for n in names if n not in inventory.by_name]
    if unknown:
        fail(f"--cluster {unknown[0]}: no such cluster in {inventory.path} "
             f"(clusters: {', '.join(c.name for c in inventory.clusters)})")
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return seen


def build_configs(inventory, names, flavour: str):
    from ..generator.inventory import InventoryError
    from ..generator.model import build_all

    try:
        configs = build_all(inventory, names or None, flavour)
    except InventoryError as e:
        report_problems(e, inventory.path)
    for c in configs:
        for w in c.warnings:
            click.echo(f"corefile: warning: {c.cluster.name}: {w}", err=True)
    return configs


def _write_atomically(path: str, text: str) -> None:
    from ..files import write_atomically

    write_atomically(path, text)

def _read_existing(path: str):
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        fail(f"{path}: {e.strerror or e}")


def _diff(path: str, old, new: str) -> str:
    import difflib

    old_lines = [] if old is None else old.splitlines(keepends=True)
    return "".join(difflib.unified_diff(old_lines, new.splitlines(keepends=True),
                                        fromfile=path if old is not None else "/dev/null", tofile=path))


@click.command("generate")
@click.argument("inventory")
@click.option("--cluster", "clusters", multiple=True, metavar="NAME",
              help="Only this cluster (repeatable; default: every cluster).")
@click.option("--output-format", "output_format", type=click.Choice(FORMATS), default="corefile",
              show_default=True, help="A Corefile, the kube-system/coredns ConfigMap, or the coredns-custom "
                                      "ConfigMap of managed clusters.")
@click.option("--out", "out_dir", metavar="DIR", help="Write one file per cluster into DIR (atomically).")
@click.option("--check", is_flag=True, help="With --out: write nothing; show the diff and exit 1 if any file "
                                            "would change.")
@click.option("--diff", "show_diff", is_flag=True, help="With --out: write nothing; show what would change.")
@click.option("--template-dir", metavar="DIR",
              help="Templates that replace the built-in ones of the same name (Corefile.j2, configmap.yaml.j2, "
                   "coredns-custom.yaml.j2).")
def command(inventory, clusters, output_format, out_dir, check, show_diff, template_dir):
    """Write each cluster's Corefile (or ConfigMap) from a multi-cluster INVENTORY (YAML)."""
    from ..generator.render import SUFFIX_OF, TemplateError, flavour_of, render

    if (check or show_diff) and not out_dir:
        fail("--check and --diff compare with the files in --out DIR: give --out")
    if template_dir and not os.path.isdir(template_dir):
        fail(f"--template-dir {template_dir}: no such directory")
    if out_dir and os.path.exists(out_dir) and not os.path.isdir(out_dir):
        fail(f"--out {out_dir}: not a directory")
    inv = load_inventory(inventory)
    names = select_clusters(inv, clusters)
    configs = build_configs(inv, names, flavour_of(output_format))
    refuse_broken(configs)
    try:
        rendered = [(c.cluster.name, render(c, output_format, template_dir)) for c in configs]
    except TemplateError as e:
        fail(str(e))
    if template_dir:
        refuse_broken_rendered(configs, rendered, output_format)

    if not out_dir:
        yaml_output = output_format != "corefile"
        for i, (name, text) in enumerate(rendered):
            if yaml_output:
                click.echo("---\n" + text, nl=False)
            else:
                if len(rendered) > 1:
                    click.echo(("\n" if i else "") + f"==> {name}{SUFFIX_OF[output_format]} <==")
                click.echo(text, nl=False)
        sys.exit(EXIT_OK)

    files = [(os.path.join(out_dir, name + SUFFIX_OF[output_format]), text) for name, text in rendered]
    changed = []
    for path, text in files:
        old = _read_existing(path) if os.path.isdir(out_dir) else None
        if old != text:
            changed.append((path, old, text))
    if check or show_diff:
        for path, old, text in changed:
            click.echo(_diff(path, old, text), nl=False)
        if check and changed:
            fail(f"{len(changed)} of {len(files)} file{'s' if len(files) != 1 else ''} would change", EXIT_FINDINGS)
        click.echo(f"corefile: {len(changed)} of {len(files)} files would change", err=True)
        sys.exit(EXIT_OK)
    try:
        os.makedirs(out_dir, exist_ok=True)
        for path, _old, text in changed:
            _write_atomically(path, text)
    except OSError as e:
        fail(f"{getattr(e, 'filename', None) or out_dir}: {e.strerror or e}")
    for path, old, _text in changed:
        click.echo(f"{'updated' if old is not None else 'created'} {path}", err=True)
    click.echo(f"corefile: {len(files)} file{'s' if len(files) != 1 else ''} in {out_dir}, "
               f"{len(changed)} changed", err=True)
    sys.exit(EXIT_OK)


def refuse_broken(configs) -> None:
    """A generated Corefile CoreDNS would refuse to start with is never written: lint errors stop here."""
    from ..cli import format_text_diagnostic
    from ..generator.mesh import lint_all

    broken = 0
    found = lint_all(configs)
    for c in configs:
        for d in found[c.cluster.name]:
            if d.severity != "error":
                continue
            broken += 1
            click.echo(f"{c.cluster.name}: " + format_text_diagnostic(d), err=True)
    if broken:
        fail(f"the generated Corefiles have {broken} error{'s' if broken != 1 else ''} CoreDNS would refuse to "
             "start with; nothing written", EXIT_FINDINGS)


def _rendered_corefiles(name: str, text: str, output_format: str):
    """(label, Corefile text) pairs in a rendered output: the Corefile itself, the ConfigMap's `Corefile` key, or
    each `*.server` key of a coredns-custom ConfigMap. Raises ValueError when the YAML does not read back."""
    import yaml

    if output_format == "corefile":
        return [(f"{name}.Corefile", text)]
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise ValueError(f"the rendered {output_format} for {name} is not valid YAML: "
                         f"{str(e).splitlines()[0]}") from None
    found = []
    for doc in docs:
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            if isinstance(value, str) and (key == "Corefile" or str(key).endswith(".server")):
                found.append((f"{name}:{key}", value))
    if not found:
        what = "a data.Corefile key" if output_format == "configmap" else "any data.*.server key"
        raise ValueError(f"the rendered {output_format} for {name} has no {what}")
    return found


def refuse_broken_rendered(configs, rendered, output_format: str) -> None:
    """User templates print what they like: the text they render is linted too (the built-in templates print the
    linted trees), so a Corefile CoreDNS would refuse to start with is never written."""
    from ..cli import format_text_diagnostic
    from ..linter import lint

    # imports resolve against the cluster's files, which are not where the text is linted: left to `mesh check`
    not_here = {"import", "import-outside", "import-glob-empty"}
    broken = 0
    for config, (name, text) in zip(configs, rendered):
        try:
            pieces = _rendered_corefiles(name, text, output_format)
        except ValueError as e:
            fail(str(e), EXIT_FINDINGS)
        for label, corefile in pieces:
            for d in lint(corefile, config.version, path=label):
                if d.severity == "error" and d.code not in not_here:
                    broken += 1
                    click.echo(format_text_diagnostic(d), err=True)
    if broken:
        fail(f"the rendered templates have {broken} error{'s' if broken != 1 else ''} CoreDNS would refuse to start "
             "with; nothing written", EXIT_FINDINGS)
