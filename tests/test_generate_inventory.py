"""Inventory validation: every problem is found before anything is generated, and names the file, the YAML line,
the cluster and the field."""
import json
import textwrap
from pathlib import Path

import pytest

from corefile_tool.knowledge.versions import VERSIONS
from corefile_tool.generator.inventory import InventoryError, load, schema, schema_path

ROOT = Path(__file__).resolve().parent.parent

TWO = """\
defaults:
  coredns_version: "1.11.3"
clusters:
  - name: cluster-a
    mesh_domain: cluster-a.example.com
    dns: [10.1.0.10]
  - name: cluster-b
    mesh_domain: cluster-b.example.com
    dns: [10.2.0.10]
"""


def problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(InventoryError) as caught:
        load(path)
    prefix = f"{path}:"
    out = [str(p) for p in caught.value.problems]
    assert all(line.startswith(prefix) for line in out), out
    return [line[len(prefix):] for line in out]


def test_the_sample_inventory_is_valid():
    inventory = load(ROOT / "samples" / "inventory.yaml")
    assert [c.name for c in inventory.clusters] == ["cluster-a", "cluster-b", "cluster-c"]
    a = inventory.by_name["cluster-a"]
    assert [e.forward_target for e in a.dns] == ["10.1.0.10:53", "10.1.0.11:53"]
    assert [c.name for c in inventory.peers_of(inventory.by_name["cluster-c"])] == ["cluster-a"]


def test_duplicate_cluster_names(tmp_path):
    text = TWO.replace("name: cluster-b", "name: cluster-a")
    assert problems(tmp_path, text) == [
        "7: clusters[1] (cluster-a).name: duplicate cluster name 'cluster-a' (also clusters[0], line 4)"]


@pytest.mark.parametrize("mesh_domain, problem", [
    pytest.param("Cluster-A.example.com.", "mesh domain cluster-a.example.com is also clusters[0] (cluster-a)'s "
                 "mesh domain", id="same-ignoring-case-and-trailing-dot"),
    pytest.param("x.cluster-a.example.com", "mesh domain x.cluster-a.example.com lies inside clusters[0] "
                 "(cluster-a)'s mesh domain cluster-a.example.com", id="inside-another"),
    pytest.param("example.com", "mesh domain example.com contains clusters[0] (cluster-a)'s mesh domain "
                 "cluster-a.example.com", id="containing-another"),
])
def test_mesh_domains_that_overlap(tmp_path, mesh_domain, problem):
    text = TWO.replace("mesh_domain: cluster-b.example.com", f"mesh_domain: {mesh_domain}")
    assert problems(tmp_path, text) == [f"8: clusters[1] (cluster-b).mesh_domain: {problem}"]


def test_mesh_domain_equal_to_a_cluster_domain(tmp_path):
    text = TWO.replace("mesh_domain: cluster-b.example.com", "mesh_domain: cluster.local")
    found = problems(tmp_path, text)
    assert "8: clusters[1] (cluster-b).mesh_domain: mesh domain cluster.local is its own Kubernetes domain" in found
    assert ("8: clusters[1] (cluster-b).mesh_domain: mesh domain cluster.local is clusters[0] (cluster-a)'s "
            "Kubernetes domain") in found


def test_mesh_domain_containing_a_cluster_domain(tmp_path):
    text = TWO.replace("mesh_domain: cluster-b.example.com", "mesh_domain: local")
    assert any("mesh domain local contains its own Kubernetes domain cluster.local" in p
               for p in problems(tmp_path, text))


@pytest.mark.parametrize("entry, message", [
    ("10.2.0.300", "'10.2.0.300' is not an IP address (IP, IP:PORT or [IPv6]:PORT)"),
    ("dns.example.com", "'dns.example.com' is not an IP address (IP, IP:PORT or [IPv6]:PORT)"),
    ("10.2.0.10:0", "'10.2.0.10:0': port '0' is not a number from 1 to 65535"),
    ("10.2.0.10:65536", "'10.2.0.10:65536': port '65536' is not a number from 1 to 65535"),
    ("10.2.0.10:dns", "'10.2.0.10:dns': port 'dns' is not a number from 1 to 65535"),
    ("'[fd00::10'", "'[fd00::10': missing ']'"),
    ("127.0.0.1", "127.0.0.1 is a loopback address: other clusters cannot reach it"),
    ("0.0.0.0", "0.0.0.0 is unspecified: other clusters cannot reach it"),
    ("169.254.0.10", "169.254.0.10 is a link-local address: other clusters cannot reach it"),
])
def test_invalid_dns_addresses(tmp_path, entry, message):
    text = TWO.replace("dns: [10.2.0.10]", f"dns: [10.2.0.11, {entry}]")
    assert f"9: clusters[1] (cluster-b).dns[1]: {message}" in problems(tmp_path, text)


def test_valid_dns_addresses_with_ports_and_ipv6(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(TWO.replace("dns: [10.2.0.10]", "dns: ['[fd00::10]:5353', 'fd00::11', 10.2.0.10:1053]"))
    b = load(path).by_name["cluster-b"]
    assert [e.forward_target for e in b.dns] == ["[fd00::10]:5353", "[fd00::11]:53", "10.2.0.10:1053"]


def test_unknown_peer_and_self_peer(tmp_path):
    text = TWO.replace("    dns: [10.1.0.10]\n", "    dns: [10.1.0.10]\n    peers: [cluster-bb, cluster-a]\n")
    assert problems(tmp_path, text) == [
        "7: clusters[0] (cluster-a).peers[0]: unknown peer 'cluster-bb'; did you mean 'cluster-b'?",
        "7: clusters[0] (cluster-a).peers[1]: a cluster cannot be its own peer",
    ]


def test_peer_without_any_dns_address(tmp_path):
    text = TWO.replace("    dns: [10.2.0.10]\n", "")
    assert problems(tmp_path, text) == [
        "7: clusters[1] (cluster-b): no reachable dns address, but cluster-a forwards cluster-b.example.com to it"]


def test_peer_whose_only_address_is_unreachable(tmp_path):
    text = TWO.replace("dns: [10.2.0.10]", "dns: [127.0.0.1]")
    assert problems(tmp_path, text) == [
        "9: clusters[1] (cluster-b).dns: no reachable dns address, but cluster-a forwards cluster-b.example.com "
        "to it",
        "9: clusters[1] (cluster-b).dns[0]: 127.0.0.1 is a loopback address: other clusters cannot reach it",
    ]


def test_a_cluster_nobody_peers_with_needs_no_dns(tmp_path):
    text = TWO.replace("    dns: [10.2.0.10]\n", "    peers: [cluster-a]\n").replace(
        "    dns: [10.1.0.10]\n", "    dns: [10.1.0.10]\n    peers: []\n")
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    inventory = load(path)
    assert inventory.peers_of(inventory.by_name["cluster-a"]) == []


def test_overlapping_cidrs_between_routed_clusters(tmp_path):
    text = TWO.replace("    dns: [10.1.0.10]\n", "    dns: [10.1.0.10]\n    service_cidr: 10.96.0.0/16\n").replace(
        "    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    pod_cidr: [10.96.0.0/12]\n")
    assert problems(tmp_path, text) == [
        "11: clusters[1] (cluster-b).pod_cidr: 10.96.0.0/12 overlaps clusters[0] (cluster-a)'s service_cidr "
        "10.96.0.0/16: reverse lookups routed between them would be ambiguous"]


def test_a_peer_dns_address_inside_the_forwarding_clusters_own_cidr(tmp_path):
    # `k8s discover` falls back to a ClusterIP such as 10.96.0.10, which is the forwarding cluster's own kube-dns
    # when that cluster uses the same service range: the query would loop back instead of reaching the peer.
    text = TWO.replace("    dns: [10.1.0.10]\n", "    dns: [10.1.0.10]\n    service_cidr: 10.96.0.0/16\n").replace(
        "dns: [10.2.0.10]", "dns: [10.96.0.10]")
    assert problems(tmp_path, text) == [
        "10: clusters[1] (cluster-b).dns[0]: 10.96.0.10 lies inside clusters[0] (cluster-a)'s service_cidr "
        "10.96.0.0/16: from cluster-a, which forwards cluster-b.example.com to it, that address is one of "
        "cluster-a's own Services or pods, not cluster-b's CoreDNS"]
    # a cluster that does not forward to it is not concerned
    path = tmp_path / "inventory.yaml"
    path.write_text(text.replace("    service_cidr: 10.96.0.0/16\n", "    service_cidr: 10.96.0.0/16\n    peers: []\n"))
    assert load(path).by_name["cluster-b"].dns[0].ip == "10.96.0.10"


def test_same_cidr_in_clusters_never_routed_together_is_fine(tmp_path):
    text = """\
    clusters:
      - {name: a, mesh_domain: a.example.com, dns: [10.1.0.10], service_cidr: 10.96.0.0/16, peers: [b]}
      - {name: b, mesh_domain: b.example.com, dns: [10.2.0.10], service_cidr: 10.97.0.0/16, peers: [a]}
      - {name: c, mesh_domain: c.example.com, service_cidr: 10.96.0.0/16, peers: []}
    """
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    assert [c.name for c in load(path).clusters] == ["a", "b", "c"]


@pytest.mark.parametrize("cidr, message", [
    ("10.96.0.5/16", "'10.96.0.5/16' has host bits set; did you mean 10.96.0.0/16?"),
    ("10.96.0.0", "'10.96.0.0' is not a CIDR such as 10.96.0.0/16 (no prefix length)"),
    ("10.96.0.0/33", "'10.96.0.0/33' is not a CIDR such as 10.96.0.0/16"),
])
def test_invalid_cidrs(tmp_path, cidr, message):
    text = TWO.replace("    dns: [10.2.0.10]\n", f"    dns: [10.2.0.10]\n    service_cidr: {cidr}\n")
    assert problems(tmp_path, text) == [f"10: clusters[1] (cluster-b).service_cidr: {message}"]


def test_stub_domain_that_would_collide_with_a_mesh_block(tmp_path):
    text = TWO.replace("    dns: [10.1.0.10]\n", "    dns: [10.1.0.10]\n    extra_stub_domains:\n"
                                                  "      cluster-b.example.com: [192.0.2.53]\n"
                                                  "      svc.cluster.local: [192.0.2.53]\n")
    assert problems(tmp_path, text) == [
        "8: clusters[0] (cluster-a).extra_stub_domains[cluster-b.example.com]: stub domain cluster-b.example.com "
        "is peer cluster-b's mesh domain",
        "9: clusters[0] (cluster-a).extra_stub_domains[svc.cluster.local]: stub domain svc.cluster.local lies "
        "inside its own Kubernetes domain cluster.local",
    ]


# ---------------------------------------------------------------------------------------------- the schema
@pytest.mark.parametrize("change, expected", [
    (("    mesh_domain: cluster-b.example.com\n", ""),
     "7: clusters[1] (cluster-b): missing required field 'mesh_domain'"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    mesh_domian: x\n"),
     "10: clusters[1] (cluster-b).mesh_domian: unknown field; did you mean 'mesh_domain'?"),
    (("dns: [10.2.0.10]", "dns: 10.2.0.10"),
     "9: clusters[1] (cluster-b).dns: expected a list of strings, got a string"),
    (('coredns_version: "1.11.3"', "coredns_version: 1.10"),
     "2: defaults.coredns_version: expected a string, got a number (quote it: YAML reads 1.10 as the number 1.1)"),
    (('coredns_version: "1.11.3"', 'coredns_version: "1.99.0"'),
     f"2: defaults.coredns_version: unknown CoreDNS version '1.99.0'; known: {VERSIONS[0]} .. {VERSIONS[-1]}"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    transport: tls\n"),
     "7: clusters[1] (cluster-b): missing required field 'tls_servername' (required with transport: tls)"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    tls_servername: dns.b.example\n"),
     "10: clusters[1] (cluster-b).tls_servername: tls_servername is only used with transport: tls"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    transport: doh\n"),
     "10: clusters[1] (cluster-b).transport: 'doh' is not one of dns, tls"),
    (("mesh_domain: cluster-b.example.com", "mesh_domain: cluster b"),
     "8: clusters[1] (cluster-b).mesh_domain: 'cluster b' is not a valid domain name"),
    (("name: cluster-b", "name: Cluster_B"),
     "7: clusters[1] (Cluster_B).name: 'Cluster_B' is not a valid cluster name (lower-case letters, digits and "
     "'-', as in a Kubernetes object name)"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    cache: -1\n"),
     "10: clusters[1] (cluster-b).cache: must be 0 or more, got -1"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    service_cidr: {a: b}\n"),
     "10: clusters[1] (cluster-b).service_cidr: expected a string or a list of strings, got a mapping"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    extra_stub_domains: {'bad name': [192.0.2.1]}\n"),
     "10: clusters[1] (cluster-b).extra_stub_domains[bad name]: 'bad name' is not a valid domain name"),
    (("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    peers: [cluster-a, cluster-a]\n"),
     "10: clusters[1] (cluster-b).peers: lists the same item twice"),
])
def test_schema_problems(tmp_path, change, expected):
    old, new = change
    assert old in TWO
    assert problems(tmp_path, TWO.replace(old, new)) == [expected]


def test_yaml_syntax_error_names_the_line(tmp_path):
    (line,) = problems(tmp_path, TWO.replace("dns: [10.2.0.10]", "dns: [10.2.0.10"))
    # libyaml and PyYAML's own parser word the problem differently; the place and the context are the same
    assert line.startswith("10:1: invalid YAML: ") and "',' or ']'" in line
    assert line.endswith("(while parsing a flow sequence that starts at line 9, column 10)")


def test_duplicate_yaml_keys_are_refused(tmp_path):
    text = TWO.replace("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    dns: [10.2.0.11]\n")
    assert problems(tmp_path, text) == [
        "10: clusters[1] (cluster-b).dns: duplicate key (first set on line 9; YAML keeps only the last)"]


def test_empty_inventory(tmp_path):
    assert problems(tmp_path, "# nothing\n") == ["1: the inventory is empty"]


# ---------------------------------------------------------------------------------------------- forward options
def test_forward_options_are_checked_against_the_knowledge_base(tmp_path):
    text = TWO.replace('  coredns_version: "1.11.3"\n',
                       '  coredns_version: "1.11.3"\n'
                       '  forward: {policy: sequentail, failover: [SERVFAIL], colour: red, tls_servername: x}\n')
    assert problems(tmp_path, text) == [
        "3: defaults.forward.colour: forward has no option 'colour'",
        "3: defaults.forward.failover: forward option 'failover' is added in CoreDNS 1.13.0; not in CoreDNS 1.11.3 "
        "(cluster-a, cluster-b)",
        "3: defaults.forward.policy: forward option 'policy': unknown value 'sequentail' (expected one of: random, "
        "round_robin, sequential)",
        "3: defaults.forward.tls_servername: forward option 'tls_servername' cannot be set here: it comes from the "
        "peer's transport: tls and tls_servername",
    ]


def test_a_cluster_override_is_checked_for_that_cluster_only(tmp_path):
    text = TWO.replace("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    coredns_version: \"1.14.7\"\n"
                                                  "    forward: {failover: [SERVFAIL]}\n")
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    assert load(path).by_name["cluster-b"].forward_options == [("failover", ["SERVFAIL"])]
    text = text.replace('"1.14.7"', '"1.12.0"')
    assert problems(tmp_path, text) == [
        "11: clusters[1] (cluster-b).forward.failover: forward option 'failover' is added in CoreDNS 1.13.0; not in "
        "CoreDNS 1.12.0 (clusters[1] (cluster-b))"]


def test_forward_option_order_follows_the_defaults_with_overrides_in_place(tmp_path):
    text = TWO.replace('  coredns_version: "1.11.3"\n',
                       '  coredns_version: "1.11.3"\n  forward: {policy: sequential, expire: 10s, force_tcp: true}\n')
    text = text.replace("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n"
                                                  "    forward: {max_fails: 3, expire: 20s, force_tcp: false}\n")
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    inventory = load(path)
    assert inventory.by_name["cluster-a"].forward_options == [
        ("policy", ["sequential"]), ("expire", ["10s"]), ("force_tcp", [])]
    assert inventory.by_name["cluster-b"].forward_options == [
        ("policy", ["sequential"]), ("expire", ["20s"]), ("max_fails", ["3"])]


# ---------------------------------------------------------------------------------------------- the CLI
def run(*args):
    """The CLI in-process (click's runner): exit code, standard output and standard error."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from corefile_tool.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def test_cli_prints_every_problem_and_writes_nothing(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(TWO.replace("name: cluster-b", "name: cluster-a").replace("10.2.0.10", "10.2.0.300"))
    out = tmp_path / "out"
    result = run("generate", path, "--out", out)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:7: clusters[1] (cluster-a).name: duplicate cluster name 'cluster-a' (also clusters[0], line 4)",
        f"{path}:9: clusters[1] (cluster-a).dns[0]: '10.2.0.300' is not an IP address (IP, IP:PORT or [IPv6]:PORT)",
        f"corefile: 2 problems in {path}; nothing generated",
    ]
    assert not out.exists()


def test_cli_missing_inventory(tmp_path):
    result = run("generate", tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert result.stderr == f"corefile: {tmp_path / 'nope.yaml'}: no such file\n"


# ---------------------------------------------------------------------------------------------- the published schema
def test_the_schema_is_a_valid_json_schema_and_ships_in_templates():
    import jsonschema

    assert schema_path() == ROOT / "templates" / "inventory.schema.json"
    jsonschema.validators.validator_for(schema()).check_schema(schema())
    assert json.loads((ROOT / "templates" / "inventory.schema.json").read_text())["$defs"]["cluster"]


def test_the_sample_declares_the_schema_for_editors():
    first = (ROOT / "samples" / "inventory.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../templates/inventory.schema.json"


def test_forward_option_values_are_checked_like_coredns_setup(tmp_path):
    # health_check takes a Go duration: CoreDNS refuses `health_check 5` ("missing unit"); the problem must name the
    # inventory field, not a line of a generated Corefile.
    text = TWO.replace('  coredns_version: "1.11.3"\n',
                       '  coredns_version: "1.11.3"\n  forward: {health_check: 5}\n')
    found = problems(tmp_path, text)
    assert len(found) == 1 and found[0].startswith("3: defaults.forward.health_check: forward option 'health_check': "
                                                   "time: ") and found[0].endswith('duration "5"'), found
    text = TWO.replace("    dns: [10.2.0.10]\n", "    dns: [10.2.0.10]\n    forward: {failover: [NOERROR]}\n")
    text = text.replace('"1.11.3"', '"1.14.7"')
    assert problems(tmp_path, text) == [
        "10: clusters[1] (cluster-b).forward.failover: forward option 'failover': NoError cannot be used in failover"]


def test_no_reachable_dns_names_each_forwarding_cluster_once(tmp_path):
    text = """\
    clusters:
      - name: a
        mesh_domain: a.example.com
        dns: [10.0.0.1]
      - name: b
        mesh_domain: b.example.com
        dns: [10.0.0.2]
      - name: a
        mesh_domain: c.example.com
        dns: [127.0.0.1]
    """
    found = [p for p in problems(tmp_path, text) if "no reachable dns address" in p]
    assert found == ["10: clusters[2] (a).dns: no reachable dns address, but b forwards c.example.com to it"]
