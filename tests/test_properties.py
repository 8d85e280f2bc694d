"""Property tests (issue #8) for lint, simulate and generate; parse and fmt have theirs in test_parse_properties.py
and test_fmt.py. Each property runs a fixed, small example budget (deadline off) so the file stays fast in CI;
benchmarks/fuzz.py runs the same kind of inputs for as long as it is given."""
from __future__ import annotations

import copy
import json

import yaml

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corefile_tool.diagnostics import SEVERITIES
from corefile_tool.generator import generate
from corefile_tool.generator.inventory import InventoryError, load
from corefile_tool.knowledge.values import RCODES
from corefile_tool.linter import lint
from corefile_tool.linter.rules import all_rules
from corefile_tool.parser import parse
from corefile_tool.simulator import simulate
from test_parse_properties import PIECES, SAMPLES, mutated

RULE_CODES = {rule.CODE for rule in all_rules()}

# ------------------------------------------------------------------------------------------- Corefile inputs
# The strategies of test_parse_properties.py (structural soup, mutated real Corefiles), plus well-formed
# Corefiles built from real zones and plugins, so that lint rules and routing get past the parser.
soup = st.lists(st.sampled_from(PIECES + ["log", "forward", ".", "a.example"]), max_size=60).map("".join)

ZONES = [".", "example.org", "sub.example.org", "example.com", "cluster.local", "10.in-addr.arpa", "10.0.0.0/8",
         "dns://example.net:53", "example.org:1053", "tls://example.org", "in-addr.arpa", "a.example", "."]
PLUGINS = ["whoami", "log", "errors", "health", "ready", "cache 30", "forward . 1.1.1.1", "forward . /etc/resolv.conf",
           "hosts {\n 10.0.0.1 www.example.org\n fallthrough\n}", "template IN A {\n answer \"{{ .Name }} 60 IN A 10.0.0.9\"\n}",
           "rewrite name www.example.org www.example.com", "loadbalance", "erratic", "acl {\n block type A\n}",
           "view v {\n expr type() == 'AAAA'\n}", "kubernetes cluster.local in-addr.arpa", "local", "chaos",
           "loop", "reload", "minimal", "dnssec", "any", "nsid", "metadata", "file db.example.org"]


@st.composite
def well_formed(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        keys = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True))
        plugins = draw(st.lists(st.sampled_from(PLUGINS), max_size=5))
        blocks.append(" ".join(keys) + " {\n" + "".join(f"    {p}\n" for p in plugins) + "}\n")
    return "\n".join(blocks)


corefiles = st.one_of(soup, mutated(), well_formed(), st.sampled_from(SAMPLES))


# ------------------------------------------------------------------------------------------- lint
def lint_keys(text):
    return [d.as_dict() for d in lint(text)]


@settings(max_examples=150, deadline=None)
@given(text=corefiles)
def test_lint_never_raises_and_every_diagnostic_is_well_formed(text):
    found = lint(text)
    for d in found:
        assert isinstance(d.path, str) and d.path, d
        assert d.line >= 1 and d.column >= 1, d
        assert d.severity in SEVERITIES, d
        assert d.message and "\n" not in d.message and "\r" not in d.message, d
        assert d.code in RULE_CODES, d
    assert lint_keys(text) == [d.as_dict() for d in found]


# ------------------------------------------------------------------------------------------- simulate
LABELS = ["www", "a", "example", "org", "com", "sub", "cluster", "local", "svc", "default", "kubernetes", "10", "0",
          "1", "in-addr", "arpa", "net", "WWW", "Example", "x-y", "_srv"]
qnames = st.one_of(
    st.just("."),
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=6).map(".".join),
    st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), min_size=1, max_size=4).map(".".join),
).flatmap(lambda n: st.sampled_from([n, n + "."]) if n != "." else st.just(n))
qtypes = st.sampled_from(["A", "AAAA", "PTR", "SRV", "TXT", "DS", "ANY", "MX", "CNAME", "SOA", "NS", "HINFO",
                          "TYPE65", "a", "aaaa"])


def within(name: str, zone: str) -> bool:
    name = name.lower() if name.endswith(".") else name.lower() + "."
    zone = zone.lower() if zone.endswith(".") else zone.lower() + "."
    return zone == "." or name == zone or name.endswith("." + zone)


@settings(max_examples=150, deadline=None)
@given(text=corefiles, qname=qnames, qtype=qtypes)
def test_simulate_never_raises_and_routes_within_the_zone(text, qname, qtype):
    result = simulate(text, qname, qtype=qtype)
    assert result.rcode is None or result.rcode in RCODES, result.rcode
    if result.server_block is None:
        # no block takes the query: REFUSED, or nothing listens / the outcome cannot be known offline
        assert result.rcode == "REFUSED" or (result.rcode is None and result.unknown), result.to_json()
    else:
        assert within(qname, result.server_block.zone), result.to_json()
    json.dumps(result.to_json())
    assert simulate(text, qname, qtype=qtype).to_json() == result.to_json()


# ------------------------------------------------------------------------------------------- generate
VERSIONS = ["1.8.7", "1.9.4", "1.10.1", "1.11.3", "1.12.0", "1.14.7"]
FORWARD_OPTIONS = [{}, {"max_fails": 3}, {"policy": "sequential"}, {"health_check": "5s"}, {"prefer_udp": True},
                   {"expire": "10s", "max_fails": 0}, {"force_tcp": False}]
name_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@st.composite
def inventories(draw):
    n = draw(st.integers(2, 6))
    names = draw(st.lists(name_label, min_size=n, max_size=n, unique=True))
    nets = draw(st.lists(st.integers(0, 99), min_size=n, max_size=n, unique=True))   # this cluster's 10.x/16
    mesh_suffix = draw(st.sampled_from(["mesh", "mesh.example.com", "global", "example"]))
    domain_suffix = draw(st.sampled_from(["cluster.local", "local", "k8s.internal"]))
    clusters = []
    for i, (name, net) in enumerate(zip(names, nets)):
        mesh = f"{name}.{mesh_suffix}"
        if draw(st.booleans()):
            mesh = mesh.upper() if draw(st.booleans()) else mesh + "."
        c = {"name": name, "mesh_domain": mesh}
        if draw(st.booleans()):
            c["domain"] = f"{name}.{domain_suffix}"
        v6 = draw(st.booleans())
        dns = [f"172.16.{net}.{j + 10}" for j in range(draw(st.integers(1, 2)))]
        if v6:
            dns.append(f"fd00:{net:x}::53")
        port = draw(st.sampled_from([None, 53, 5353]))
        if port:
            dns = [f"[{a}]:{port}" if ":" in a else f"{a}:{port}" for a in dns]
        c["dns"] = dns
        if draw(st.booleans()):
            c["transport"] = "tls"
            c["tls_servername"] = f"dns.{mesh.rstrip('.')}"
        elif draw(st.booleans()):
            c["transport"] = "dns"
        prefix = draw(st.integers(16, 24))
        cidrs = [f"10.{net}.0.0/{prefix}"] + ([f"fd10:{net:x}::/64"] if v6 else [])
        if draw(st.booleans()):
            c["service_cidr"] = cidrs if len(cidrs) > 1 or draw(st.booleans()) else cidrs[0]
        if draw(st.booleans()):
            c["pod_cidr"] = f"10.{net + 100}.0.0/16"
        if draw(st.booleans()):
            others = [x for x in names if x != name]
            c["peers"] = draw(st.lists(st.sampled_from(others), unique=True))
        if draw(st.booleans()):
            c["extra_stub_domains"] = {f"stub{k}.{name}.corp.example": [f"198.51.100.{net}", f"203.0.113.{k}:5353"]
                                       for k in range(draw(st.integers(1, 2)))}
        if draw(st.booleans()):
            c["coredns_version"] = draw(st.sampled_from(VERSIONS))
        if draw(st.booleans()):
            c["cache"] = draw(st.integers(0, 3600))
        if draw(st.booleans()):
            c["forward"] = draw(st.sampled_from(FORWARD_OPTIONS))
        clusters.append(c)
    data = {"clusters": clusters}
    defaults = draw(st.fixed_dictionaries({}, optional={
        "coredns_version": st.sampled_from(VERSIONS), "cache": st.integers(0, 600),
        "upstream": st.sampled_from([["/etc/resolv.conf"], ["8.8.8.8", "9.9.9.9"], ["1.1.1.1:53"]]),
        "forward": st.sampled_from(FORWARD_OPTIONS)}))
    if defaults:
        data["defaults"] = defaults
    return data


def load_data(data):
    # YAML's own escapes (JSON's surrogate pairs are not YAML): the inventory reads back as the data drawn.
    return load("inventory.yaml", text=yaml.safe_dump(data, sort_keys=False))


def version_of(data, cluster):
    return cluster.get("coredns_version") or data.get("defaults", {}).get("coredns_version")


def assert_generates(data):
    first = generate(load_data(data))
    assert sorted(first) == sorted(c["name"] for c in data["clusters"])
    by_name = {c["name"]: c for c in data["clusters"]}
    for name, text in first.items():
        tree = parse(text)
        assert tree.ok, (name, [str(d) for d in tree.diagnostics])
        assert not [d for d in tree.diagnostics if d.severity == "error"], name
        errors = [str(d) for d in lint(text, version_of(data, by_name[name])) if d.severity == "error"]
        assert not errors, (name, errors, text)
    assert generate(load_data(data)) == first


@settings(max_examples=40, deadline=None)
@given(data=inventories())
def test_generate_valid_inventories(data):
    assert_generates(data)


# A broken inventory: one field (or the whole of it) replaced by something drawn at random, removed, or joined
# by an unknown one.
junk = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False),
                              st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
                              st.sampled_from(["", "10.0.0.0/8", "10.1.0.10", "::1", "a..b", "-x", "tls", "1.11",
                                               "x" * 300, "cluster.local", "in-addr.arpa", "0.0.0.0", "[::1]:0"])),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                max_size=3),
                    max_leaves=6)


def paths(node, at=()):
    yield at
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, at + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, at + (i,))


@st.composite
def broken(draw):
    data = copy.deepcopy(draw(inventories()))   # the sampled option dicts are shared
    target = draw(st.sampled_from(list(paths(data))[1:]))
    parent = data
    for part in target[:-1]:
        parent = parent[part]
    action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
    key = target[-1]
    if action == "replace":
        parent[key] = draw(junk)
    elif action == "delete":
        del parent[key]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10).filter(lambda k: k not in parent))] = draw(junk)
    else:
        parent.append(draw(junk))
    return data


@settings(max_examples=100, deadline=None)
@given(data=broken())
# Found by this test: a mapping as a forward option's value crashed the schema message (TypeError: unhashable
# type: 'list' in inventory._expected, for the items type ["string", "integer"]).
@example(data={"clusters": [{"name": "a", "mesh_domain": "a.mesh", "dns": ["172.16.0.10"], "forward": {"max_fails": {}}},
                            {"name": "b", "mesh_domain": "b.mesh", "dns": ["172.16.1.10"]}]})
def test_broken_inventories_end_in_an_inventory_error_with_a_field_path(data):
    snapshot = copy.deepcopy(data)
    try:
        inventory = load_data(data)
    except InventoryError as e:
        assert e.problems
        for p in e.problems:
            # the field path; a missing top-level field has none, and the message names the field
            assert p.where or p.message == "missing required field 'clusters'", str(p)
            assert p.line >= 1 and p.message and "\n" not in p.message, str(p)
        return
    # The mutation left a valid inventory (a field that may be left out, another valid value): it generates.
    assert data == snapshot
    generate(inventory)
