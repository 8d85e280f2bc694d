"""corefile k8s discover | apply"""
import os
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail
from ..k8s.client import DEFAULT_TIMEOUT
from .generate import FORMATS as GENERATE_FORMATS


def _fail(error):
    fail(str(error), getattr(error, "exit_code", EXIT_FINDINGS))


def _warn(message: str):
    click.echo(f"corefile: warning: {message}", err=True)


def write_atomically(path: str, text: str):
    from ..files import write_atomically as write

    try:
        write(path, text)
    except OSError as e:
        fail(f"{path}: cannot write: {e.strerror or e}")

kubeconfig_option = click.option("--kubeconfig", default=None, metavar="FILE",
                                 help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
timeout_option = click.option("--request-timeout", "timeout", type=click.FloatRange(min=0.1),
                              default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
                              help="Give up on an API server that does not answer within this time.")


@click.group("k8s")
def command():
    """Discover an inventory from kubeconfig contexts, and apply generated Corefiles to clusters."""


@command.command("discover")
@kubeconfig_option
@click.option("--context", "contexts", multiple=True, metavar="CONTEXT",
              help="A kubeconfig context to read (repeatable; default: the current context).")
@click.option("--all-contexts", is_flag=True, help="Read every context of the kubeconfig.")
@click.option("--service", default="kube-system/kube-dns", show_default=True, metavar="NAMESPACE/NAME",
              help="The Service in front of CoreDNS.")
@click.option("--mesh-suffix", default="mesh.internal", show_default=True, metavar="DOMAIN",
              help="Guessed mesh domains are CLUSTER.DOMAIN when a cluster does not already serve one.")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write the inventory here instead of stdout.")
@timeout_option
def discover_command(kubeconfig, contexts, all_contexts, service, mesh_suffix, output, timeout):
    """Write an inventory for `corefile generate` from the clusters of kubeconfig contexts."""
    from ..k8s import K8sError
    from ..k8s.client import connect_all
    from ..k8s.discover import discover, is_inventory_domain, render_inventory

    if contexts and all_contexts:
        fail("--context and --all-contexts exclude each other")
    namespace, slash, name = service.partition("/")
    if not slash or not namespace or not name or "/" in name:
        fail(f"--service {service!r}: expected NAMESPACE/NAME")
    if not is_inventory_domain(mesh_suffix.strip(".")):
        fail(f"--mesh-suffix {mesh_suffix!r}: not a domain name")
    try:
        clusters = connect_all(kubeconfig, contexts, all_contexts, timeout)
        found = discover(clusters, service, mesh_suffix.strip("."))
    except K8sError as e:
        _fail(e)
    for d in found:
        for w in d.warnings:
            _warn(f"context {d.context!r}: {w}")
    text = render_inventory(found)
    for problem in _inventory_problems(text, output or "inventory.yaml"):
        _warn(f"`corefile generate` would refuse the discovered inventory: {problem}")
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_OK)


def _inventory_problems(text: str, path: str) -> list:
    """The generator's own checks on an inventory text (nothing when the generator is not installed)."""
    try:
        from ..generator.inventory import InventoryError, load
    except ImportError:
        return []
    try:
        load(os.path.abspath(path), text=text)
    except InventoryError as e:
        return [str(p) for p in e.problems]
    return []


@command.command("apply")
@click.argument("inventory_path", metavar="INVENTORY")
@kubeconfig_option
@click.option("--context", "contexts", multiple=True, metavar="[CLUSTER=]CONTEXT",
              help="Apply to this context's cluster (repeatable). CONTEXT alone picks the inventory cluster named "
                   "after it; default: every inventory cluster that has a context.")
@click.option("--output-format", "output_format", type=click.Choice(GENERATE_FORMATS), default="corefile",
              show_default=True,
              help="What to write, as for `generate`: corefile (or configmap) puts the Corefile into the coredns "
                   "ConfigMap; coredns-custom puts the generated NAME.server keys into the coredns-custom "
                   "ConfigMap of managed clusters whose provider owns the Corefile (which is then only read).")
@click.option("--yes", is_flag=True, help="Write the changes (default: show them and dry-run them).")
@click.option("--namespace", default="kube-system", show_default=True, help="Namespace of the CoreDNS ConfigMap.")
@click.option("--configmap", default="coredns", show_default=True, help="Name of the CoreDNS ConfigMap.")
@click.option("--key", default="Corefile", show_default=True, help="The ConfigMap key that holds the Corefile.")
@timeout_option
def apply_command(inventory_path, kubeconfig, contexts, output_format, yes, namespace, configmap, key, timeout):
    """Show, dry-run and (with --yes) write each cluster's generated Corefile into its coredns ConfigMap (or, with
    --output-format coredns-custom, its generated server blocks into the coredns-custom ConfigMap)."""
    from ..generator.inventory import InventoryError, load
    from ..generator.render import flavour_of
    from ..k8s import K8sError
    from ..k8s.apply import match_contexts, plan, plan_custom, send_plan, skipped_clusters
    from ..k8s.client import Kubeconfig

    try:
        inventory = load(inventory_path)
    except InventoryError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        n = len(e.problems)
        fail(f"{n} problem{'s' if n != 1 else ''} in {inventory_path}; nothing applied")
    except IsADirectoryError:
        fail(f"{inventory_path}: is a directory")
    except FileNotFoundError:
        fail(f"{inventory_path}: no such file")
    except OSError as e:
        fail(f"{inventory_path}: {e.strerror or e}")

    make_plan = plan_custom if flavour_of(output_format) == "coredns-custom" else plan
    plans = []
    try:
        config = Kubeconfig(kubeconfig)
        pairs = match_contexts(inventory, config.contexts, contexts)
        for name in skipped_clusters(inventory, pairs):
            click.echo(f"corefile: cluster {name!r}: skipped, no --context selects it", err=True)
        for cluster, context in pairs:
            connection = config.connect(context, timeout)
            p = make_plan(inventory, cluster, connection, namespace, configmap, key)
            plans.append((p, connection))
            if p.lint_errors:
                _print_refusal(p)
                fail(f"context {context!r}: refusing to apply: {p.refusal}; nothing was written to any cluster",
                     EXIT_FINDINGS)
            if p.changed:
                click.echo(p.diff, nl=False)
                send_plan(p, connection, dry_run=True)  # the API server's validation and admission, nothing stored
            for note in p.notes:
                click.echo(f"corefile: {note}", err=True)
            for w in p.warnings:
                _warn(f"context {context!r}: {w}")
    except K8sError as e:
        _fail(e)  # every cluster is planned before any is written: nothing has been written yet

    written = []
    for p, connection in plans:
        if not p.changed:
            click.echo(f"{p.where}: up to date", err=True)
        elif not yes:
            click.echo(p.dry_run_message(), err=True)
        else:
            try:
                send_plan(p, connection, dry_run=False)
            except K8sError as e:
                done = f" (already written: {', '.join(written)})" if written else ""
                fail(f"{e}{done}", e.exit_code)
            written.append(p.context)
            for line in p.written_messages():
                click.echo(line, err=True)
    sys.exit(EXIT_OK)


def _print_refusal(p):
    from ..cli import format_text_diagnostic

    for d in p.lint_errors:
        click.echo(format_text_diagnostic(d, p.source_line(d)), err=True)
