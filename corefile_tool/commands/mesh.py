"""corefile mesh check | graph"""
from __future__ import annotations

import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, echo_json, fail
from .generate import build_configs, load_inventory, select_clusters


@click.group("mesh")
def command():
    """Check or draw the forwarding mesh of an inventory."""


def format_walk(walk, indent: str = "    ") -> str:
    """A walk hop by hop, one line per cluster the query visits."""
    lines = []
    for i, hop in enumerate(walk.hops, 1):
        lines.append(f"{indent}{i}. {hop.describe()}")
    return "\n".join(lines)


@command.command("check")
@click.argument("inventory")
@click.option("--output-format", "output_format", type=click.Choice(["corefile", "coredns-custom"]),
              default="corefile", show_default=True,
              help="Check the Corefiles as generated for this format (coredns-custom: the provider's default "
                   "block plus the added blocks).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="Show every walk, not only the failing ones.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Processes, this one included (default: one per CPU, up to 8, from 16 clusters on).")
def check(inventory, output_format, fmt, verbose, jobs):
    """Lint every generated Corefile (no errors or warnings allowed) and walk a service name and a PTR name of
    every peer from every cluster, hop by hop through the simulator. Exit 1 on any problem."""
    from ..cli import format_text_diagnostic
    from ..generator import mesh

    inv = load_inventory(inventory)
    configs = build_configs(inv, select_clusters(inv, ()), output_format)
    report = mesh.check(inv, configs, jobs)
    if fmt == "json":
        echo_json(report.to_json())
        sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)
    for name, diagnostics in report.lint.items():
        for d in diagnostics:
            if d.severity in ("error", "warning"):
                click.echo(f"{name}: {format_text_diagnostic(d)}")
    for w in report.walks:
        if w.ok and not verbose:
            continue
        status = "ok" if w.ok else "FAIL"
        target = f" -> {w.target}" if w.target else ""
        click.echo(f"{status} {w.source}{target}: {w.qname} {w.qtype}" + (f": {w.problem}" if w.problem else ""))
        click.echo(format_walk(w))
    lint_count = len(report.lint_problems)
    failed = len(report.failed_walks)
    click.echo(f"mesh check: {len(configs)} clusters, {len(report.walks)} walks; "
               f"{lint_count} lint problem{'s' if lint_count != 1 else ''}, {failed} failed walk"
               f"{'s' if failed != 1 else ''}" + (" - ok" if report.ok else ""))
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


@command.command("graph")
@click.argument("inventory")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
def graph(inventory, fmt):
    """Draw who forwards which domain to whom (Mermaid flowchart or Graphviz dot)."""
    from ..generator import mesh

    inv = load_inventory(inventory)
    configs = build_configs(inv, select_clusters(inv, ()), "corefile")
    draw = mesh.graph_mermaid if fmt == "mermaid" else mesh.graph_dot
    click.echo(draw(inv, configs), nl=False)
    sys.exit(EXIT_OK)


def _purpose(qname: str, stub_domains: list[str]) -> str:
    """The walk's purpose in the JSON contract ("service"|"reverse"|"stub") for a name asked by hand."""
    if any(qname == d or qname.endswith("." + d) for d in stub_domains):
        return "stub"
    if qname.endswith((".in-addr.arpa.", ".ip6.arpa.")):
        return "reverse"
    return "service"


def simulate_from_inventory(inventory, source, names, qtype: str, fmt: str) -> None:
    """`corefile simulate --inventory INVENTORY --from CLUSTER NAME...`: each query's path through the mesh,
    hop by hop, with every plugin's decision in every cluster it visits."""
    from ..addresses import is_domain_name
    from ..generator import mesh

    if not inventory or not source:
        fail("--inventory and --from go together: corefile simulate --inventory INVENTORY --from CLUSTER NAME")
    for name in names:
        if not is_domain_name(name):
            fail(f"{name!r}: not a valid domain name")
    inv = load_inventory(inventory)
    if source not in inv.by_name:
        fail(f"--from {source}: no such cluster in {inventory} (clusters: "
             f"{', '.join(c.name for c in inv.clusters)})")
    configs = build_configs(inv, select_clusters(inv, ()), "corefile")
    the_mesh = mesh.Mesh(inv, configs)
    walks = []
    stubs = [d.lower().rstrip(".") + "." for d in inv.by_name[source].stub_domains]
    for name in names:
        qname = (name if name.endswith(".") else name + ".").lower()
        walks.append(mesh.walk(the_mesh, source, qname, qtype.upper(), purpose=_purpose(qname, stubs)))
    if fmt == "json":
        echo_json({"inventory": inventory, "from": source, "walks": [w.to_json() for w in walks]})
    else:
        for i, w in enumerate(walks):
            if i:
                click.echo("")
            click.echo(f"{w.qname} {w.qtype} asked in {source}" + (f": {w.problem}" if w.problem else ""))
            for n, hop in enumerate(w.hops, 1):
                click.echo(f"  {n}. {hop.describe()}")
                for step in hop.trace:
                    click.echo(f"       {step['plugin']} (line {step['line']}): {step['decision']}: "
                               f"{step['reason']}")
    sys.exit(EXIT_OK if all(w.ok for w in walks) else EXIT_FINDINGS)
