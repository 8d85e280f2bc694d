"""corefile simulate"""
import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, fail, read_input
from ..k8s.options import k8s_source_options

TRANSPORTS = ("dns", "tls", "quic", "grpc", "https", "https3")
PROGRESS_THRESHOLD = 200


@click.command("simulate")
@click.argument("path")
@click.argument("names", nargs=-1)
@click.option("--type", "qtype", default="A", show_default=True, help="Query type (A, AAAA, MX, SRV, PTR, ...).")
@click.option("--class", "qclass", default="IN", show_default=True, help="Query class (IN, CH, ...).")
@click.option("--port", default=None, type=click.IntRange(0, 65535),
              help="Port the query arrives on (default: the transport's, 53 for dns, 853 for tls and quic, 443 "
                   "for grpc, https and https3).")
@click.option("--transport", default="dns", show_default=True, type=click.Choice(TRANSPORTS),
              help="Transport the query arrives over.")
@click.option("--client-ip", default="127.0.0.1", show_default=True, metavar="IP",
              help="Address the query comes from (views, acl, whoami, dns64, autopath @kubernetes).")
@click.option("--listen-ip", default=None, metavar="IP",
              help="Address the query is sent to (chooses among `bind` listeners; default: any).")
@click.option("--coredns-version", "version", default=None, metavar="X.Y.Z",
              help="CoreDNS release whose plugin order and rules apply (default: the newest known).")
@click.option("--cluster-state", "cluster_state", default=None, metavar="FILE",
              help="Kubernetes services, endpoints and pods (JSON/YAML) for the kubernetes plugins.")
@click.option("--names-file", default=None, metavar="FILE", help="More queries, one `NAME [TYPE]` a line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--live", default=None, metavar="SERVER[:PORT]",
              help="Also ask this server (default port: --port) and mark where its reply differs.")
@click.option("--inventory", default=None, metavar="INVENTORY",
              help="Walk each NAME through the mesh of this inventory, cluster by cluster (needs --from; then "
                   "give only NAMEs, no PATH).")
@click.option("--from", "from_cluster", default=None, metavar="CLUSTER", help="With --inventory: where NAME is asked.")
@k8s_source_options(cluster_state=True)
def command(path, names, qtype, qclass, port, transport, client_ip, listen_ip, version, cluster_state, names_file,
            fmt, live, k8s, **_extra):
    """Say which listener, server block and plugin answer each NAME, and why, as CoreDNS would."""
    if _extra.get("inventory") or _extra.get("from_cluster"):
        from .mesh import simulate_from_inventory

        simulate_from_inventory(_extra.get("inventory"), _extra.get("from_cluster"), [path, *names], qtype, fmt)
    if k8s:  # the Corefile comes from the cluster: every argument is a NAME
        names = (path, *names)
    if port is None:
        from ..addresses import DEFAULT_PORT

        port = int(DEFAULT_PORT[transport])
    queries = _queries(names, names_file, qtype)
    if not queries:
        fail("no NAME given (pass names, or --names-file FILE)")
    qclass = _checked_class(qclass)
    client_ip = _checked_ip("--client-ip", client_ip)
    listen_ip = _checked_ip("--listen-ip", listen_ip) if listen_ip else None

    from ..knowledge import versions

    if version:
        try:
            version = versions.normalize_version(version)
        except ValueError as e:
            fail(str(e))
    state = None
    if cluster_state and k8s.cluster_state:
        fail("--cluster-state and --cluster-state-from-k8s exclude each other")
    if k8s.cluster_state:
        state = k8s.read_cluster_state()
    if cluster_state:
        from ..simulator.cluster_state import ClusterStateError, load_cluster_state

        try:
            state = load_cluster_state(cluster_state)
        except ClusterStateError as e:
            fail(str(e))
    live_server = None
    if live:
        from ..simulator.live import LiveError, parse_server

        try:
            live_server = parse_server(live, port)
        except LiveError as e:
            fail(str(e))

    from ..linter import lint_tree
    from ..parser import Parser
    from ..simulator import Simulator

    if k8s:
        version = version or k8s.coredns_version()
        corefile = k8s.corefile()
        path = corefile.path
    else:
        text = read_input(path)
        corefile = Parser(text, path).parse()
    errors = [d for d in lint_tree(corefile, version) if d.severity == "error"]
    if not corefile.server_blocks:
        fail(f"{path}: no server block to simulate" + (f" ({errors[0]})" if errors else ""), EXIT_FINDINGS)
    sim = Simulator(corefile, version, cluster_state=state)

    results = []
    show_progress = len(queries) >= PROGRESS_THRESHOLD and sys.stderr.isatty()
    if show_progress:
        with click.progressbar(queries, label="simulating", file=sys.stderr) as bar:
            results = [_one(sim, name, t, qclass, port, transport, client_ip, listen_ip, live_server)
                       for name, t in bar]
    else:
        results = [_one(sim, name, t, qclass, port, transport, client_ip, listen_ip, live_server)
                   for name, t in queries]

    differs = any(diffs for _, _, diffs in results)
    # Environment values are used to simulate, never printed: every output shows the {$VAR} they came from.
    redact = corefile.redact if corefile.env_values else None
    if fmt == "json":
        _print_json(path, corefile, sim, errors, results, redact)
    else:
        _print_text(path, corefile, sim, errors, results, redact)
    sys.exit(EXIT_FINDINGS if errors or differs else EXIT_OK)


def _one(sim, name, qtype, qclass, port, transport, client_ip, listen_ip, live_server):
    result = sim.simulate(name, qtype, qclass, port=port, transport=transport, client_ip=client_ip,
                          listen_ip=listen_ip)
    if live_server is None:
        return result, None, []
    from ..simulator.live import ask, differences

    answer = ask(live_server[0], live_server[1], result.qname, qtype, qclass)
    return result, answer, differences(result, answer)


def _queries(names, names_file, default_type):
    from ..addresses import is_domain_name

    default_type = _checked_type(default_type, "--type")
    out = []
    for n in names:
        if not is_domain_name(n):
            fail(f"{n!r}: not a valid domain name")
        out.append((n, default_type))
    if names_file:
        try:
            with open(names_file, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except FileNotFoundError:
            fail(f"{names_file}: no such file")
        except (OSError, UnicodeDecodeError) as e:
            fail(f"{names_file}: {getattr(e, 'strerror', None) or e}")
        for number, line in enumerate(lines, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) > 2:
                fail(f"{names_file}:{number}: expected `NAME [TYPE]`, found {len(words)} words")
            if not is_domain_name(words[0]):
                fail(f"{names_file}:{number}: {words[0]!r} is not a valid domain name")
            t = _checked_type(words[1], f"{names_file}:{number}") if len(words) == 2 else default_type
            out.append((words[0], t))
    return out


def _checked_type(text, where):
    import dns.rdatatype

    try:
        return dns.rdatatype.to_text(dns.rdatatype.from_text(text.upper()))
    except (dns.rdatatype.UnknownRdatatype, ValueError):
        fail(f"{where}: {text!r} is not a DNS record type")


def _checked_class(text):
    import dns.rdataclass

    try:
        return dns.rdataclass.to_text(dns.rdataclass.from_text(text.upper()))
    except (dns.rdataclass.UnknownRdataclass, ValueError):
        fail(f"--class: {text!r} is not a DNS class")


def _checked_ip(option, text):
    import ipaddress

    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        fail(f"{option}: {text!r} is not an IP address")


def _redacted(data, redact):
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {key: _redacted(value, redact) for key, value in data.items()}
    if isinstance(data, list):
        return [_redacted(value, redact) for value in data]
    return data


def _print_json(path, corefile, sim, errors, results, redact=None):
    from ..cli import echo_json

    out = {
        "results": [],
        "corefile": {"path": path, "coredns_version": sim.version, "starts": not errors,
                     "errors": [d.as_dict() for d in errors]},
    }
    for result, live, diffs in results:
        item = result.to_json()
        if live is not None:
            item["live"] = dict(live.as_dict(), differences=diffs, matches=not diffs)
        out["results"].append(item)
    echo_json(_redacted(out, redact) if redact else out)


def _print_text(path, corefile, sim, errors, results, redact=None):
    from ..simulator.text import render

    show = redact or (lambda text: text)
    if errors:
        first = errors[0]
        click.echo(show(f"corefile: CoreDNS {sim.version} would not start with {path}: {len(errors)} error(s), "
                        f"first {first.path}:{first.line}:{first.column}: {first.message} (see `corefile lint`); "
                        f"simulating anyway"), err=True)
    blocks = []
    for result, live, diffs in results:
        blocks.append(render(result, live, diffs))
    click.echo(show("\n\n".join(blocks)))
