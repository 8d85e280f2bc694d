"""corefile generate: golden files for every output format, byte-identical re-runs, --out/--check/--diff, atomic
writes and user templates. Set COREFILE_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corefile_tool.generator import generate
from corefile_tool.generator.inventory import load
from corefile_tool.generator.model import build_all
from corefile_tool.generator.render import render, yaml_block
from corefile_tool.parser import parse
from corefile_tool.printer import syntax_shape

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "inventory.yaml"
GOLDEN = ROOT / "tests" / "golden" / "generate"
SUFFIX = {"corefile": ".Corefile", "configmap": ".configmap.yaml", "coredns-custom": ".coredns-custom.yaml"}
CLUSTERS = ("cluster-a", "cluster-b", "cluster-c")


def run(*args):
    """The CLI in-process (click's runner): exit code, standard output and standard error."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from corefile_tool.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def run_process(*args, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "corefile_tool.cli", *map(str, args)], capture_output=True,
                          text=True, env=full_env)


@pytest.mark.parametrize("output_format", list(SUFFIX))
def test_golden_files(tmp_path, output_format):
    result = run("generate", SAMPLE, "--output-format", output_format, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(c + SUFFIX[output_format] for c in CLUSTERS)
    for name in written:
        golden = GOLDEN / output_format / name
        produced = (tmp_path / name).read_bytes()
        if os.environ.get("COREFILE_UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(produced)
        assert produced == golden.read_bytes(), f"{name} differs from {golden}"


def test_same_input_gives_byte_identical_output_across_processes(tmp_path):
    first = run_process("generate", SAMPLE, env={"PYTHONHASHSEED": "1"})
    second = run_process("generate", SAMPLE, env={"PYTHONHASHSEED": "2"})
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert first.stdout.count("==> ") == 3


def test_the_configmap_holds_exactly_the_corefile():
    corefiles = generate(str(SAMPLE))
    configmaps = generate(str(SAMPLE), output_format="configmap")
    for name in CLUSTERS:
        doc = yaml.safe_load(configmaps[name])
        assert doc["kind"] == "ConfigMap"
        assert doc["metadata"] == {"name": "coredns", "namespace": "kube-system"}
        assert doc["data"] == {"Corefile": corefiles[name]}


def test_coredns_custom_has_one_server_key_per_added_block():
    inventory = load(SAMPLE)
    custom = generate(inventory, output_format="coredns-custom")
    configs = {c.cluster.name: c for c in build_all(inventory, flavour="coredns-custom")}
    for name in CLUSTERS:
        doc = yaml.safe_load(custom[name])
        assert doc["metadata"] == {"name": "coredns-custom", "namespace": "kube-system"}
        assert list(doc["data"]) == [f"{a.name}.server" for a in configs[name].added]
        for key, text in doc["data"].items():
            tree = parse(text)
            assert tree.ok and len(tree.server_blocks) == 1, key
    doc = yaml.safe_load(custom["cluster-a"])
    assert list(doc["data"]) == ["mesh-cluster-a.server", "peer-cluster-b.server", "reverse-cluster-b.server",
                                 "peer-cluster-c.server", "reverse-cluster-c.server", "stub-corp.example.server"]
    own = parse(doc["data"]["mesh-cluster-a.server"]).server_blocks[0]
    assert [k.text for k in own.keys] == ["cluster-a.example.com:53"]
    assert own.find("kubernetes")[0].arg_texts == ["cluster-a.example.com"]


def test_peer_blocks_are_separate_server_blocks_never_a_second_forward_in_the_root_block():
    text = generate(str(SAMPLE), clusters=["cluster-a"])["cluster-a"]
    tree = parse(text)
    root = [b for b in tree.server_blocks if [k.text for k in b.keys] == [".:53"]]
    assert len(root) == 1 and [d.arg_texts[0] for d in root[0].find("forward")] == ["."]
    kube = root[0].find("kubernetes")[0]
    assert kube.arg_texts == ["cluster.local", "cluster-a.example.com", "in-addr.arpa", "ip6.arpa"]
    keys = [[k.text for k in b.keys] for b in tree.server_blocks]
    assert keys == [[".:53"], ["cluster-b.example.com:53"], ["97.10.in-addr.arpa:53", "245.10.in-addr.arpa:53"],
                    ["cluster-c.example.com:53"], ["98.10.in-addr.arpa:53"], ["corp.example:53"]]
    peer_b = tree.server_blocks[1].find("forward")[0]
    assert peer_b.arg_texts == [".", "10.2.0.10:53", "10.2.0.11:53"]
    assert [(p.name, p.arg_texts) for p in peer_b.children] == [
        ("policy", ["sequential"]), ("health_check", ["5s"]), ("max_concurrent", ["1000"]), ("expire", ["10s"])]


def test_the_built_tree_is_the_tree_the_printed_text_parses_to():
    """The model lays its tree out where the template prints it: lint and simulate positions are the file's."""
    def shape_with_positions(cf):
        out = []

        def walk(d):
            out.append((d.name, d.line, d.column, [(a.text, a.line, a.column) for a in d.args]))
            if d.block:
                out.append(("{", d.block.open.line, d.block.open.column, "}", d.block.close.line))
                for child in d.block.directives:
                    walk(child)
        for b in cf.server_blocks:
            out.append([(k.text, k.line, k.column) for k in b.keys] + [(b.open.line, b.close.line)])
            for d in b.directives:
                walk(d)
        return out

    inventory = load(SAMPLE)
    for flavour in ("corefile", "coredns-custom"):
        for config in build_all(inventory, flavour=flavour):
            built = config.corefile()
            parsed = parse(render(config, "corefile"))
            if flavour == "corefile":
                assert syntax_shape(parsed) == syntax_shape(built)
                assert shape_with_positions(parsed) == shape_with_positions(built)
                assert [(c.text, c.line) for c in parsed.comments] == [(c.text, c.line) for c in built.comments]


def test_tls_peers_get_tls_targets_and_servername(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("clusters:\n"
                    "  - {name: a, mesh_domain: a.example.com, dns: [10.1.0.10]}\n"
                    "  - {name: b, mesh_domain: b.example.com, dns: ['10.2.0.10', '10.2.0.11:8853'],\n"
                    "     transport: tls, tls_servername: dns.b.example.com}\n")
    tree = parse(generate(str(path), clusters=["a"])["a"])
    forward = tree.server_blocks[1].find("forward")[0]
    assert forward.arg_texts == [".", "tls://10.2.0.10:853", "tls://10.2.0.11:8853"]
    assert [(p.name, p.arg_texts) for p in forward.children] == [("tls_servername", ["dns.b.example.com"])]


def test_cache_zero_leaves_cache_out(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("defaults: {cache: 0}\nclusters:\n"
                    "  - {name: a, mesh_domain: a.example.com, dns: [10.1.0.10]}\n"
                    "  - {name: b, mesh_domain: b.example.com, dns: [10.2.0.10]}\n")
    tree = parse(generate(str(path), clusters=["a"])["a"])
    assert all(not b.find("cache") for b in tree.server_blocks)


# ---------------------------------------------------------------------------------------------- --out, --check, --diff
def test_out_check_and_diff(tmp_path):
    out = tmp_path / "build"
    first = run("generate", SAMPLE, "--out", out)
    assert first.returncode == 0, first.stderr
    assert "3 files in" in first.stderr and "3 changed" in first.stderr
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    again = run("generate", SAMPLE, "--out", out)
    assert again.returncode == 0 and "0 changed" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before   # unchanged files are not rewritten

    check = run("generate", SAMPLE, "--out", out, "--check")
    assert check.returncode == 0 and check.stdout == ""

    target = out / "cluster-b.Corefile"
    target.write_text(target.read_text().replace("health_check 2s", "health_check 9s"))
    check = run("generate", SAMPLE, "--out", out, "--check")
    assert check.returncode == 1
    assert f"--- {target}" in check.stdout
    assert "-        health_check 9s" in check.stdout and "+        health_check 2s" in check.stdout
    assert "corefile: 1 of 3 files would change" in check.stderr

    diff = run("generate", SAMPLE, "--out", out, "--diff")
    assert diff.returncode == 0 and diff.stdout == check.stdout
    assert "health_check 9s" in target.read_text()   # --diff writes nothing

    (out / "cluster-c.Corefile").unlink()
    check = run("generate", SAMPLE, "--out", out, "--check", "--cluster", "cluster-c")
    assert check.returncode == 1 and "--- /dev/null" in check.stdout


def test_writes_are_atomic_and_keep_the_file_mode(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    target = out / "cluster-a.Corefile"
    target.write_text("old\n")
    target.chmod(0o640)
    result = run("generate", SAMPLE, "--out", out, "--cluster", "cluster-a")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["cluster-a.Corefile"]   # no temporary file left behind
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text().startswith(".:53 {\n")


def test_usage_errors(tmp_path):
    result = run("generate", SAMPLE, "--check")
    assert result.returncode == 2
    assert result.stderr == "corefile: --check and --diff compare with the files in --out DIR: give --out\n"
    result = run("generate", SAMPLE, "--cluster", "cluster-z")
    assert result.returncode == 2
    assert result.stderr == (f"corefile: --cluster cluster-z: no such cluster in {SAMPLE} "
                             "(clusters: cluster-a, cluster-b, cluster-c)\n")
    afile = tmp_path / "file"
    afile.write_text("")
    result = run("generate", SAMPLE, "--out", afile)
    assert result.returncode == 2 and result.stderr == f"corefile: --out {afile}: not a directory\n"


def test_yaml_formats_on_stdout_are_one_document_per_cluster():
    result = run("generate", SAMPLE, "--output-format", "configmap")
    docs = list(yaml.safe_load_all(result.stdout))
    assert [d["data"]["Corefile"].startswith(".:53 {") for d in docs] == [True, True, True]


# ---------------------------------------------------------------------------------------------- templates
def test_user_templates_replace_the_built_in_ones_by_name(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "Corefile.j2").write_text(
        "# {{ cluster.name }} ({{ cluster.mesh_domain }}), CoreDNS {{ coredns_version }}\n"
        "{% for block in own_blocks %}{{ block | server_block }}{% endfor %}"
        "{% for added in blocks %}{{ added.block | server_block }}{% endfor %}")
    result = run("generate", SAMPLE, "--cluster", "cluster-c", "--template-dir", templates)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# cluster-c (cluster-c.example.com), CoreDNS 1.11.3\n.:53 {\n")
    assert parse(result.stdout).ok
    configmap = run("generate", SAMPLE, "--cluster", "cluster-c", "--template-dir", templates,
                    "--output-format", "configmap")
    assert yaml.safe_load(configmap.stdout)["data"]["Corefile"] == result.stdout


def test_broken_user_template_is_a_clean_error(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "Corefile.j2").write_text("line one\n{% for x in %}\n")
    result = run("generate", SAMPLE, "--template-dir", templates)
    assert result.returncode == 2
    assert result.stderr.startswith("corefile: ") and ":2: template error:" in result.stderr
    assert "Traceback" not in result.stderr
    (templates / "Corefile.j2").write_text("{{ cluster.nonexistent }}\n")
    result = run("generate", SAMPLE, "--template-dir", templates)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "template error while rendering cluster-a" in result.stderr and "nonexistent" in result.stderr


def test_a_user_template_failing_at_render_time_is_a_clean_error(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    for body, why in (("{{ 1/0 }}\n", "ZeroDivisionError"), ("x\n{{ cluster.dns | server_block }}\n", "AttributeError")):
        (templates / "configmap.yaml.j2").write_text(body)
        result = run_process("generate", SAMPLE, "--template-dir", templates, "--output-format", "configmap")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"corefile: {templates / 'configmap.yaml.j2'}:") and why in result.stderr


def test_what_a_user_template_renders_is_linted_before_it_is_written(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "Corefile.j2").write_text(".:53 {\n    logs\n}\n")
    out = tmp_path / "out"
    result = run("generate", SAMPLE, "--cluster", "cluster-a", "--template-dir", templates, "--out", out)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "cluster-a.Corefile:2:5: unknown-directive error Unknown directive 'logs' (did you mean 'log'?)")
    assert not out.exists()
    (templates / "Corefile.j2").unlink()
    (templates / "configmap.yaml.j2").write_text("data: [\n")
    result = run("generate", SAMPLE, "--template-dir", templates, "--output-format", "configmap")
    assert result.returncode == 1 and "is not valid YAML" in result.stderr
    # copies of the built-in templates render what the linted trees say: accepted in every format
    (templates / "configmap.yaml.j2").unlink()
    for name in ("Corefile.j2", "configmap.yaml.j2", "coredns-custom.yaml.j2"):
        (templates / name).write_text((ROOT / "templates" / name).read_text())
    for output_format in ("corefile", "configmap", "coredns-custom"):
        result = run("generate", SAMPLE, "--template-dir", templates, "--output-format", output_format)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("text", ["a\n", "a\n\n", "a", "  indented\nb\n", "x\n\n  y\n", ""])
def test_yaml_block_reads_back_exactly(text):
    doc = yaml.safe_load("key: " + yaml_block(text, 2) + "\n")
    assert doc["key"] == text


def test_generated_keys_carry_the_address_coredns_reads_from_them():
    from corefile_tool.addresses import inspect_key

    inventory = load(SAMPLE)
    for flavour in ("corefile", "coredns-custom"):
        for config in build_all(inventory, flavour=flavour):
            for block in config.corefile().server_blocks:
                for key in block.keys:
                    assert key.address == inspect_key(key.text), key.text
