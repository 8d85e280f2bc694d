"""A cluster's own base Corefile: kept as written outside the managed markers, its kubernetes plugin given the mesh
domain, and re-runs that change nothing."""
import textwrap
from pathlib import Path

import pytest

from corefile_tool.generator import generate
from corefile_tool.generator.inventory import InventoryError, load
from corefile_tool.generator.model import build_all
from corefile_tool.parser import parse

BASE = """\
# cluster-a's own Corefile: written by hand, comments and all
.:53 {
\terrors
\thealth {
\t\tlameduck 5s
\t}
\tready
\tkubernetes cluster.local in-addr.arpa ip6.arpa {   # the cluster's own names
\t\tpods insecure
\t\tfallthrough in-addr.arpa ip6.arpa
\t}
\tforward . /etc/resolv.conf
\tcache 30
\tloop
\treload
}
"""

INVENTORY = """\
defaults: {coredns_version: "1.11.3"}
clusters:
  - name: cluster-a
    mesh_domain: cluster-a.example.com
    dns: [10.1.0.10]
    base_corefile: base/cluster-a.Corefile
  - name: cluster-b
    mesh_domain: cluster-b.example.com
    dns: [10.2.0.10]
"""


def run(*args):
    """The CLI in-process (click's runner): exit code, standard output and standard error."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from corefile_tool.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def setup(tmp_path, base_text: str, inventory: str = INVENTORY) -> Path:
    (tmp_path / "base").mkdir(exist_ok=True)
    (tmp_path / "base" / "cluster-a.Corefile").write_text(base_text)
    path = tmp_path / "inventory.yaml"
    path.write_text(inventory)
    return path


def generated_a(path) -> str:
    return generate(str(path), clusters=["cluster-a"])["cluster-a"]


def test_markers_are_appended_and_the_rest_kept_byte_for_byte(tmp_path):
    out = generated_a(setup(tmp_path, BASE))
    expected_head = BASE.replace("kubernetes cluster.local in-addr.arpa",
                                 "kubernetes cluster.local cluster-a.example.com in-addr.arpa")
    assert out.startswith(expected_head + "\n# BEGIN corefile-tool managed\ncluster-b.example.com:53 {\n")
    assert out.endswith("}\n# END corefile-tool managed\n")
    assert parse(out).ok


def test_re_running_on_the_output_changes_nothing(tmp_path):
    path = setup(tmp_path, BASE)
    first = generated_a(path)
    (tmp_path / "base" / "cluster-a.Corefile").write_text(first)
    second = generated_a(path)
    assert second == first
    (tmp_path / "base" / "cluster-a.Corefile").write_text(second)
    assert generated_a(path) == first


def test_only_the_managed_part_is_replaced(tmp_path):
    base = BASE + textwrap.dedent("""\

        # BEGIN corefile-tool managed
        old-peer.example.com:53 {
            forward . 10.9.9.9
        }
        # END corefile-tool managed

        # written after the managed part, kept
        example.org:53 {
            whoami
        }
        """)
    out = generated_a(setup(tmp_path, base))
    assert "old-peer" not in out
    before, rest = out.split("# BEGIN corefile-tool managed\n")
    managed, after = rest.split("# END corefile-tool managed\n")
    assert before == BASE.replace("cluster.local in-addr", "cluster.local cluster-a.example.com in-addr") + "\n"
    assert managed.startswith("cluster-b.example.com:53 {\n")
    assert after == "\n# written after the managed part, kept\nexample.org:53 {\n    whoami\n}\n"
    (tmp_path / "base" / "cluster-a.Corefile").write_text(out)
    assert generated_a(tmp_path / "inventory.yaml") == out


def test_a_crlf_base_gives_crlf_output_throughout(tmp_path):
    path = setup(tmp_path, "")
    crlf = BASE.replace("\n", "\r\n")
    (tmp_path / "base" / "cluster-a.Corefile").write_bytes(crlf.encode())
    out = generated_a(path)
    (tmp_path / "lf").mkdir()
    lf = generate(str(setup(tmp_path / "lf", BASE)), clusters=["cluster-a"])["cluster-a"]
    assert "\n" in lf and "\r" not in lf
    # The same file as from the LF base, every line (managed part included) ending in CRLF.
    assert out == lf.replace("\n", "\r\n")
    # Re-running on it changes nothing, through the CLI's --out and --check too.
    (tmp_path / "base" / "cluster-a.Corefile").write_bytes(out.encode())
    assert generated_a(path) == out
    r = run("generate", path, "--cluster", "cluster-a", "--out", tmp_path / "out")
    assert r.returncode == 0
    assert (tmp_path / "out" / "cluster-a.Corefile").read_bytes() == out.encode()
    assert run("generate", path, "--cluster", "cluster-a", "--out", tmp_path / "out", "--check").returncode == 0
    # As a ConfigMap the whole YAML document keeps CRLF, and its Corefile reads back as the Corefile does.
    import yaml

    cm = generate(str(path), clusters=["cluster-a"], output_format="configmap")["cluster-a"]
    assert cm.count("\n") == cm.count("\r\n") > 10
    assert yaml.safe_load(cm)["data"]["Corefile"] == lf


def test_a_base_with_mixed_line_endings_is_kept_as_it_is(tmp_path):
    mixed = BASE.replace("\n", "\r\n", 3)
    path = setup(tmp_path, "")
    (tmp_path / "base" / "cluster-a.Corefile").write_bytes(mixed.encode())
    out = generated_a(path)
    assert out.startswith(mixed.split("\tkubernetes")[0])
    assert out.count("\r\n") == 3


def test_the_default_output_is_a_base_that_regenerates_itself(tmp_path):
    path = setup(tmp_path, "")
    default_out = generate(str(path).replace("inventory.yaml", "inventory.yaml"), clusters=["cluster-b"])
    (tmp_path / "base" / "cluster-b.Corefile").write_text(default_out["cluster-b"])
    with_base = INVENTORY + "    base_corefile: base/cluster-b.Corefile\n"
    path.write_text(with_base)
    assert generate(str(path), clusters=["cluster-b"])["cluster-b"] == default_out["cluster-b"]


def test_the_mesh_domain_becomes_a_key_when_the_block_does_not_receive_it(tmp_path):
    base = "cluster.local:53 {\n    kubernetes\n}\n.:53 {\n    forward . 8.8.8.8\n}\n"
    out = generated_a(setup(tmp_path, base))
    tree = parse(out)
    first = tree.server_blocks[0]
    assert [k.text for k in first.keys] == ["cluster.local:53", "cluster-a.example.com:53"]
    assert first.find("kubernetes")[0].arg_texts == ["cluster.local", "cluster-a.example.com"]
    assert out.startswith("cluster.local:53 cluster-a.example.com:53 {\n    kubernetes cluster.local "
                          "cluster-a.example.com\n}\n")


def test_peer_blocks_listen_on_the_port_of_the_cluster_domain(tmp_path):
    base = ".:1053 {\n    kubernetes cluster.local\n    forward . 8.8.8.8\n}\n"
    tree = parse(generated_a(setup(tmp_path, base)))
    assert [k.text for k in tree.server_blocks[1].keys] == ["cluster-b.example.com:1053"]


def test_an_imported_kubernetes_plugin_is_left_alone_with_a_warning(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kube.conf").write_text("kubernetes cluster.local\n")
    path = setup(tmp_path, ".:53 {\n    import kube.conf\n    forward . 8.8.8.8\n}\n")
    config = build_all(load(path), ["cluster-a"])[0]
    assert len(config.warnings) == 1
    assert "kube.conf:1: kubernetes is configured in an imported file; add cluster-a.example.com to its zones " \
           "there" in config.warnings[0]
    result = run("generate", path, "--cluster", "cluster-a")
    assert result.returncode == 0
    assert result.stderr.startswith("corefile: warning: cluster-a: ")


@pytest.mark.parametrize("base, line, message", [
    ("# BEGIN corefile-tool managed\n.:53 {\n    whoami\n}\n", 1,
     "'# BEGIN corefile-tool managed' has no '# END corefile-tool managed' line after it"),
    ("# END corefile-tool managed\n# BEGIN corefile-tool managed\n", 1,
     "'# END corefile-tool managed' comes before '# BEGIN corefile-tool managed'"),
    ("# BEGIN corefile-tool managed\n# END corefile-tool managed\n# BEGIN corefile-tool managed\n", 3,
     "a second '# BEGIN corefile-tool managed' line"),
    (".:53 {\n    whoami\n", 2, "Syntax error: Unexpected token 'whoami', expecting '}'"),
    (".:53 {\n    kubernetes cluster.local\n}\ncluster-b.example.com:53 {\n    forward . 10.2.0.10\n}\n", 4,
     "already serves cluster-b.example.com. on port 53 outside the managed markers, where the generated "
     "'peer-cluster-b' block goes (CoreDNS refuses a zone defined twice); remove it or move it between the markers"),
])
def test_base_corefile_problems_name_the_base_file_and_line(tmp_path, base, line, message):
    path = setup(tmp_path, base)
    with pytest.raises(InventoryError) as caught:
        build_all(load(path))
    base_path = tmp_path / "base" / "cluster-a.Corefile"
    assert [str(p) for p in caught.value.problems] == [
        f"{base_path}:{line}: clusters[0] (cluster-a).base_corefile: {message}"]


def test_missing_base_corefile(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY)
    result = run("generate", path)
    assert result.returncode == 2
    # README: each problem names the file, the YAML line, the cluster and the field (not "BASE:0")
    assert result.stderr.splitlines() == [
        f"{path}:6: clusters[0] (cluster-a).base_corefile: '{tmp_path / 'base' / 'cluster-a.Corefile'}': no such file",
        f"corefile: 1 problem in {path}; nothing generated"]


def test_base_corefile_that_is_a_directory(tmp_path):
    (tmp_path / "base" / "cluster-a.Corefile").mkdir(parents=True)
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY)
    result = run("generate", path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"{path}:6: clusters[0] (cluster-a).base_corefile: '{tmp_path / 'base' / 'cluster-a.Corefile'}' is a "
        "directory, not a Corefile")
