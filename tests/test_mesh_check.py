"""corefile mesh check: every generated Corefile lints clean, and every cluster's names, asked in every peer, are
forwarded there and answered by that peer's kubernetes plugin; broken meshes fail with a report that says why."""
import json
import textwrap
from pathlib import Path

import pytest

from corefile_tool.generator import mesh
from corefile_tool.generator.inventory import load
from corefile_tool.generator.model import build_all

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "inventory.yaml"


def run(*args):
    """The CLI in-process (click's runner): exit code, standard output and standard error."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from corefile_tool.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def check(path, flavour="corefile"):
    inventory = load(path)
    return mesh.check(inventory, build_all(inventory, flavour=flavour))


def write(tmp_path, text: str, files: dict = None) -> Path:
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(body))
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------------------------------------- the sample
@pytest.mark.parametrize("flavour", ["corefile", "coredns-custom"])
def test_the_sample_mesh_passes(flavour):
    report = check(SAMPLE, flavour)
    assert report.lint_problems == []
    assert [w.problem for w in report.walks if not w.ok] == []
    assert report.ok
    pairs = {(w.source, w.target, w.qtype) for w in report.walks if w.purpose == "service"}
    assert pairs == {("cluster-a", "cluster-a", "A"), ("cluster-a", "cluster-b", "A"), ("cluster-a", "cluster-c", "A"),
                     ("cluster-b", "cluster-b", "A"), ("cluster-b", "cluster-a", "A"), ("cluster-b", "cluster-c", "A"),
                     ("cluster-c", "cluster-c", "A"), ("cluster-c", "cluster-a", "A")}


def test_a_service_name_travels_one_hop_and_is_answered_by_the_peers_kubernetes():
    report = check(SAMPLE)
    walk = next(w for w in report.walks if w.source == "cluster-c" and w.target == "cluster-a"
                and w.purpose == "service")
    assert walk.qname == "kubernetes.default.svc.cluster-a.example.com."
    first, second = walk.hops
    assert (first.cluster, first.block, first.plugin) == ("cluster-c", "cluster-a.example.com:53", "forward")
    assert first.forwarded_to == ["10.1.0.10:53", "10.1.0.11:53"]
    assert (second.cluster, second.block, second.plugin) == ("cluster-a", ".:53", "kubernetes")
    ptr = [w for w in report.walks if w.source == "cluster-c" and w.purpose == "reverse"]
    assert [w.qname for w in ptr] == ["1.0.96.10.in-addr.arpa.", "1.0.244.10.in-addr.arpa."]
    assert all(w.hops[-1].plugin == "kubernetes" and w.hops[-1].cluster == "cluster-a" for w in ptr)


@pytest.mark.parametrize("version", ["1.7.0", "1.8.7", "1.9.4", "1.10.1", "1.11.3", "1.12.4", "1.13.2", "1.14.7"])
@pytest.mark.parametrize("flavour", ["corefile", "coredns-custom"])
def test_every_generated_corefile_lints_clean_for_the_selected_version(tmp_path, version, flavour):
    path = tmp_path / "inventory.yaml"
    path.write_text(SAMPLE.read_text().replace('coredns_version: "1.11.3"', f'coredns_version: "{version}"'))
    inventory = load(path)
    for config in build_all(inventory, flavour=flavour):
        assert config.version == version
        assert [str(d) for d in mesh.lint_config(config) if d.severity != "info"] == []


def test_options_a_version_lacks_are_left_out_of_the_default_block(tmp_path):
    path = write(tmp_path, """\
        defaults: {coredns_version: "1.6.0"}
        clusters:
          - {name: a, mesh_domain: a.example.com, dns: [10.1.0.10]}
          - {name: b, mesh_domain: b.example.com, dns: [10.2.0.10]}
        """)
    report = check(path)
    assert report.ok, [str(d) for _, d in report.lint_problems]
    config = build_all(load(path))[0]
    upstream = config.own_blocks[0].find("forward")[0]
    assert upstream.block is None   # max_concurrent came with CoreDNS 1.6.8


def test_cli_passes_on_the_sample():
    result = run("mesh", "check", SAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ("mesh check: 3 clusters, 17 walks; 0 lint problems, 0 failed walks - ok\n")
    verbose = run("mesh", "check", SAMPLE, "-v")
    assert "ok cluster-a -> cluster-b: kubernetes.default.svc.cluster-b.example.com. A\n" \
           "    1. cluster-a: block cluster-b.example.com:53 (line 23) -> forward (line 26) forwards to " \
           "10.2.0.10:53, 10.2.0.11:53\n" \
           "    2. cluster-b: block .:53 (line 1) -> answered by kubernetes (line 7) (NOERROR)\n" in verbose.stdout


def test_json_report():
    result = run("mesh", "check", SAMPLE, "--format", "json")
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["loops"] == []
    assert sorted(data["clusters"]) == ["cluster-a", "cluster-b", "cluster-c"]
    walk = data["walks"][1]
    assert set(walk) == {"from", "to", "qname", "qtype", "purpose", "ok", "problem", "cycle", "hops"}
    assert [h["cluster"] for h in walk["hops"]] == ["cluster-a", "cluster-b"]
    assert walk["hops"][1]["answered_by"] == "kubernetes"


# ---------------------------------------------------------------------------------------------- broken meshes
BROKEN_PEER = """\
    defaults: {coredns_version: "1.11.3"}
    clusters:
      - {name: cluster-a, mesh_domain: cluster-a.example.com, dns: [10.1.0.10]}
      - {name: cluster-b, mesh_domain: cluster-b.example.com, dns: [10.2.0.10], base_corefile: b.Corefile}
    """


def test_a_peer_whose_kubernetes_plugin_lacks_its_mesh_domain_fails(tmp_path):
    # cluster-b's kubernetes plugin lives in an imported file the generator must not edit.
    path = write(tmp_path, BROKEN_PEER, {
        "b.Corefile": """\
            .:53 {
                import kube.conf
                forward . 192.0.2.1
                health
                ready
                reload
            }
            """,
        "kube.conf": "kubernetes cluster.local in-addr.arpa ip6.arpa\n",
    })
    report = check(path)
    assert report.lint_problems == []
    failed = {(w.source, w.target): w for w in report.failed_walks if w.purpose == "service"}
    assert set(failed) == {("cluster-a", "cluster-b"), ("cluster-b", "cluster-b")}
    walk = failed[("cluster-a", "cluster-b")]
    assert [h.cluster for h in walk.hops] == ["cluster-a", "cluster-b", None]
    assert walk.problem == ("kubernetes.default.svc.cluster-b.example.com. leaves the mesh: cluster-b forwards it "
                            "to 192.0.2.1:53 (block .:53), not to cluster-b's kubernetes plugin — cluster-b's "
                            "kubernetes plugin does not serve cluster-b.example.com")

    result = run("mesh", "check", path)
    assert result.returncode == 1
    assert "corefile: warning: cluster-b: " in result.stderr
    assert ("FAIL cluster-a -> cluster-b: kubernetes.default.svc.cluster-b.example.com. A: "
            "kubernetes.default.svc.cluster-b.example.com. leaves the mesh") in result.stdout
    assert "    2. cluster-b: block .:53 (line 1) -> forward (line 3) forwards to 192.0.2.1:53\n" in result.stdout
    assert result.stdout.endswith("mesh check: 2 clusters, 4 walks; 0 lint problems, 2 failed walks\n")


def test_a_forwarding_loop_between_stub_domains_is_reported_with_its_cycle(tmp_path):
    path = write(tmp_path, """\
        clusters:
          - name: cluster-a
            mesh_domain: cluster-a.example.com
            dns: [10.1.0.10]
            extra_stub_domains: {shared.example: [10.2.0.10]}
          - name: cluster-b
            mesh_domain: cluster-b.example.com
            dns: [10.2.0.10]
            extra_stub_domains: {shared.example: [10.1.0.10]}
        """)
    report = check(path)
    loops = [w for w in report.walks if w.cycle]
    assert [(w.source, w.cycle) for w in loops] == [("cluster-a", ["cluster-a", "cluster-b", "cluster-a"]),
                                                     ("cluster-b", ["cluster-b", "cluster-a", "cluster-b"])]
    assert loops[0].problem == "forwarding loop: cluster-a -> cluster-b -> cluster-a"
    result = run("mesh", "check", path, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["loops"] == [["cluster-a", "cluster-b", "cluster-a"],
                                                  ["cluster-b", "cluster-a", "cluster-b"]]


def test_a_leftover_block_for_the_own_mesh_domain_loops_back(tmp_path):
    path = write(tmp_path, BROKEN_PEER, {
        "b.Corefile": """\
            .:53 {
                kubernetes cluster.local in-addr.arpa ip6.arpa
                forward . 192.0.2.1
                health
                ready
                reload
            }
            # left over from a hand-made mesh: sends cluster-b's own names to cluster-a
            cluster-b.example.com:53 {
                forward . 10.1.0.10
            }
            """,
    })
    report = check(path)
    walk = next(w for w in report.walks if w.source == "cluster-a" and w.target == "cluster-b")
    assert walk.cycle == ["cluster-a", "cluster-b", "cluster-a"]
    assert [h.block for h in walk.hops] == ["cluster-b.example.com:53", "cluster-b.example.com:53"]
    own = next(w for w in report.walks if w.source == "cluster-b" and w.target == "cluster-b")
    assert own.problem == "forwarding loop: cluster-b -> cluster-a -> cluster-b"


def test_lint_problems_of_a_generated_corefile_fail_the_check(tmp_path):
    path = write(tmp_path, BROKEN_PEER, {
        "b.Corefile": """\
            .:53 {
                kubernetes cluster.local
                forward . 192.0.2.1
                cache 30
                cache 60
                health
                ready
                reload
            }
            """,
    })
    report = check(path)
    assert [(name, d.code) for name, d in report.lint_problems] == [("cluster-b", "plugin-once")]
    result = run("mesh", "check", path)
    assert result.returncode == 1
    assert "cluster-b: " in result.stdout and "plugin-once error" in result.stdout


def test_an_invalid_inventory_is_a_usage_error(tmp_path):
    path = write(tmp_path, "clusters: []\n")
    result = run("mesh", "check", path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"{path}:1: clusters: must not be empty"


# ---------------------------------------------------------------------------------------------- simulate --inventory
def test_simulate_from_a_cluster_shows_the_path_hop_by_hop():
    result = run("simulate", "--inventory", SAMPLE, "--from", "cluster-c",
                 "kubernetes.default.svc.cluster-a.example.com", "web.shop.svc.cluster-a.example.com")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "kubernetes.default.svc.cluster-a.example.com. A asked in cluster-c"
    assert lines[1] == ("  1. cluster-c: block cluster-a.example.com:53 (line 23) -> forward (line 26) forwards to "
                        "10.1.0.10:53, 10.1.0.11:53")
    assert "  2. cluster-a: block .:53 (line 1) -> answered by kubernetes (line 7) (NOERROR)" in lines
    assert any(line.startswith("       kubernetes (line 7): ") for line in lines)
    # The modelled clusters hold only their API and DNS services: other names take the same path to NXDOMAIN.
    second = lines.index("web.shop.svc.cluster-a.example.com. A asked in cluster-c")
    assert "  2. cluster-a: block .:53 (line 1) -> answered by kubernetes (line 7) (NXDOMAIN)" in lines[second:]


def test_simulate_from_inventory_reports_a_loop(tmp_path):
    path = write(tmp_path, """\
        clusters:
          - {name: a, mesh_domain: a.example.com, dns: [10.1.0.10], extra_stub_domains: {x.example: [10.2.0.10]}}
          - {name: b, mesh_domain: b.example.com, dns: [10.2.0.10], extra_stub_domains: {x.example: [10.1.0.10]}}
        """)
    result = run("simulate", "--inventory", path, "--from", "a", "www.x.example", "--format", "json")
    assert result.returncode == 1
    walk = json.loads(result.stdout)["walks"][0]
    assert walk["cycle"] == ["a", "b", "a"] and [h["cluster"] for h in walk["hops"]] == ["a", "b"]


def test_simulate_from_inventory_json_walks_have_a_contract_purpose():
    # README: "purpose": "service"|"reverse"|"stub", also for names asked by hand
    result = run("simulate", "--inventory", SAMPLE, "--from", "cluster-a", "--format", "json",
                 "kubernetes.default.svc.cluster-b.example.com", "1.0.97.10.in-addr.arpa", "www.corp.example")
    walks = json.loads(result.stdout)["walks"]
    assert [w["purpose"] for w in walks] == ["service", "reverse", "stub"]


def test_simulate_inventory_usage_errors():
    result = run("simulate", "--inventory", SAMPLE, "x.example")
    assert result.returncode == 2 and "--inventory and --from go together" in result.stderr
    result = run("simulate", "--inventory", SAMPLE, "--from", "nowhere", "x.example")
    assert result.returncode == 2
    assert "--from nowhere: no such cluster" in result.stderr


def test_worker_processes_give_the_same_report(tmp_path):
    lines = ["clusters:"]
    for i in range(6):
        lines.append(f"  - {{name: c{i}, mesh_domain: c{i}.mesh.example, dns: [10.0.{i}.10], "
                     f"service_cidr: 10.{100 + i}.0.0/16}}")
    path = tmp_path / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n")
    inventory = load(path)
    one = mesh.check(inventory, build_all(inventory), jobs=1)
    two = mesh.check(inventory, build_all(inventory), jobs=2)
    assert one.ok and two.ok
    assert json.dumps(two.to_json()) == json.dumps(one.to_json())
    assert len(one.walks) == 6 * 6 + 6 * 5
