"""corefile mesh graph: who forwards which zones to whom, read from the generated blocks."""
import os
from pathlib import Path

import pytest

from corefile_tool.generator import mesh
from corefile_tool.generator.inventory import load
from corefile_tool.generator.model import build_all

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "inventory.yaml"
GOLDEN = ROOT / "tests" / "golden" / "mesh"


def run(*args):
    """The CLI in-process (click's runner): exit code, standard output and standard error."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from corefile_tool.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


@pytest.mark.parametrize("fmt, golden", [("mermaid", "sample.mmd"), ("dot", "sample.dot")])
def test_graph_golden(fmt, golden):
    result = run("mesh", "graph", SAMPLE, "--format", fmt)
    assert result.returncode == 0, result.stderr
    if os.environ.get("COREFILE_UPDATE_GOLDEN"):
        (GOLDEN / golden).write_text(result.stdout)
    assert result.stdout == (GOLDEN / golden).read_text()


def test_edges_follow_the_generated_forwards():
    inventory = load(SAMPLE)
    edges = mesh.edges(inventory, build_all(inventory))
    got = [(e.source, e.target, e.external, e.zones) for e in edges]
    assert ("cluster-a", "cluster-b", False,
            ["cluster-b.example.com", "97.10.in-addr.arpa", "245.10.in-addr.arpa"]) in got
    assert ("cluster-a", "192.0.2.53:53", True, ["corp.example"]) in got
    assert not any(e.source == "cluster-c" and e.target == "cluster-b" for e in edges)   # peers: [cluster-a]


def test_a_stub_domain_pointing_into_the_mesh_is_an_edge_to_that_cluster(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("clusters:\n"
                    "  - {name: a, mesh_domain: a.example.com, dns: [10.1.0.10], peers: [],\n"
                    "     extra_stub_domains: {legacy.example: [10.2.0.10]}}\n"
                    "  - {name: b, mesh_domain: b.example.com, dns: ['10.2.0.10'], peers: []}\n")
    inventory = load(path)
    dot = mesh.graph_dot(inventory, build_all(inventory))
    assert '    "a" -> "b" [label="legacy.example"];\n' in dot
