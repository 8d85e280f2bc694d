"""Issue #8 for the YAML readers: inventories and kubeconfigs are read with bounds (size, depth, values, aliases),
every YAML problem is one `FILE:LINE:COL: invalid YAML: ...` line, and neither a credential nor another file's
contents reach a message."""
import os
import time

import pytest
import yaml
from click.testing import CliRunner

from corefile_tool import yamlfile
from corefile_tool.cli import main
from corefile_tool.generator.inventory import InventoryError, load
from corefile_tool.k8s.discover import _scalar

PARSERS = [pytest.param(True, id="libyaml"), pytest.param(False, id="pure-python")]
if not yaml.__with_libyaml__:
    PARSERS = PARSERS[1:]

INVENTORY = """\
clusters:
  - name: cluster-a
    mesh_domain: cluster-a.example.com
    dns: [10.1.0.10]
  - name: cluster-b
    mesh_domain: cluster-b.example.com
    dns: [10.2.0.10]
"""


def error(text: str, libyaml: bool = True) -> str:
    with pytest.raises(yamlfile.YamlError) as caught:
        yamlfile.load(text, "inv.yaml", libyaml=libyaml)
    return str(caught.value)


def laughs(levels: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ the shared reader
@pytest.mark.parametrize("libyaml", PARSERS)
def test_nesting_is_bounded_before_anything_recurses(libyaml):
    deepest = "[" * yamlfile.MAX_DEPTH + "]" * yamlfile.MAX_DEPTH
    assert yamlfile.load(deepest, "inv.yaml", libyaml=libyaml)[1] is not None
    one_more = "[" * (yamlfile.MAX_DEPTH + 1) + "]" * (yamlfile.MAX_DEPTH + 1)
    assert error(one_more, libyaml) == \
        f"inv.yaml:1:{yamlfile.MAX_DEPTH + 1}: invalid YAML: nested more than 64 levels deep (this tool's limit)"
    # 100,000 deep in flow and 2,000 deep in block style: the same one line, at once
    for text in ("{ " * 100_000, "[" * 100_000, "".join(" " * i + "- \n" for i in range(2_000))):
        start = time.monotonic()
        assert "nested more than 64 levels deep" in error(text, libyaml)
        assert time.monotonic() - start < 5


@pytest.mark.parametrize("libyaml", PARSERS)
def test_aliases_cannot_expand_without_bound(libyaml):
    assert yamlfile.load(laughs(5), "inv.yaml", libyaml=libyaml)[1]["l4"][9][9][9][9][9] == "lol"  # ~123,000 values
    start = time.monotonic()
    assert error(laughs(9), libyaml).startswith("inv.yaml:6:10:")  # 10^9 values once expanded; l5 is over
    assert "more than 200,000 values (aliases expanded; this tool's limit)" in error(laughs(9), libyaml)
    assert time.monotonic() - start < 5
    assert error("a: &a [1, *a]\n", libyaml) == \
        "inv.yaml:1:11: invalid YAML: alias *a is inside its own anchor (a recursive structure)"


@pytest.mark.parametrize("libyaml", PARSERS)
def test_yaml_errors_are_one_line_with_line_and_column(libyaml):
    # control characters: PyYAML's ReaderError, which escaped before; the column counts characters, not bytes
    assert error("a: é\nb: ü\x07\n", libyaml).startswith(
        "inv.yaml:2:5: invalid YAML: unacceptable character #x0007: ")
    assert error("a: 1\r\nb: \x00\r\n", libyaml).startswith("inv.yaml:2:4: invalid YAML: unacceptable character #x0000")
    assert error("a: 1\n---\nb: 2\n", libyaml) == ("inv.yaml:2:1: invalid YAML: expected a single document in the "
                                                   "stream (at line 1, column 1), but found another document")
    assert error("a: !!python/object:os.system x\n", libyaml).startswith(
        "inv.yaml:1:4: invalid YAML: could not determine a constructor for the tag")
    for text in ("a: 'x\n", "a:\n\tb: 1\n", "a: [1\n", "- a\nb: c\n"):
        message = error(text, libyaml)
        assert message.startswith("inv.yaml:") and "invalid YAML: " in message and "\n" not in message


def test_messages_echo_at_most_a_short_fragment():
    message = error("a: *" + "x" * 1_000_000 + "\n")
    assert message.startswith("inv.yaml:1:4: invalid YAML: found undefined alias 'xxx") and len(message) < 200


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(yamlfile.YamlError) as caught:
        yamlfile.decode("a: é\nb: x\xff".encode("utf-8").replace(b"\xc3\xbf", b"\xff"), "inv.yaml")
    assert str(caught.value) == "inv.yaml:2:5: invalid UTF-8 (byte 0xff)"
    assert yamlfile.decode(b"\xef\xbb\xbfa: 1\n", "inv.yaml") == "a: 1\n"


def test_values_from_a_cluster_are_read_with_the_same_bounds():
    # discover writes cluster-supplied text as YAML scalars, checking how it reads back
    for hostile in ("[" * 5_000, "{ " * 5_000, "*x", "&a [*a]", "a\x00b"):
        assert yaml.safe_load(_scalar(hostile)) == hostile
        assert yaml.safe_load("[" + _scalar(hostile, flow=True) + "]") == [hostile]


# ------------------------------------------------------------------------------------------ every command
YAML_COMMANDS = [
    ["generate", "{f}"],
    ["mesh", "check", "{f}"],
    ["mesh", "graph", "{f}"],
    ["k8s", "apply", "{f}"],
    ["simulate", "--inventory", "{f}", "--from", "cluster-a", "example.org"],
]


def run(args, path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    start = time.monotonic()
    result = CliRunner().invoke(main, [a.replace("{f}", str(path)) for a in args])
    assert time.monotonic() - start < 30
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.mark.parametrize("args", YAML_COMMANDS, ids=lambda a: "-".join(a[:2]).replace("-{f}", ""))
@pytest.mark.parametrize("text, expected", [
    (laughs(9), ":6:10: invalid YAML: more than 200,000 values"),
    ("clusters: &c [*c]\n", ":1:15: invalid YAML: alias *c is inside its own anchor"),
    ("clusters:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), ":65:"),
    (INVENTORY.replace("cluster-b.example.com", "cluster-b.example.com\x1b[31m"), ":6:39: invalid YAML: "),
    (INVENTORY + "---\n" + INVENTORY, ":8:1: invalid YAML: expected a single document"),
], ids=["aliases", "recursive", "deep-block", "escape", "two-documents"])
def test_every_inventory_command_reports_hostile_yaml_in_one_line(tmp_path, monkeypatch, args, text, expected):
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    result = run(args, path, tmp_path, monkeypatch)
    assert result.exit_code == 2
    first, summary = result.stderr.splitlines()
    assert first.startswith(f"{path}{expected}")
    assert summary.startswith(f"corefile: 1 problem in {path}; nothing ")


@pytest.mark.parametrize("args", YAML_COMMANDS, ids=lambda a: "-".join(a[:2]).replace("-{f}", ""))
def test_an_inventory_above_the_size_limit_is_refused_unread(tmp_path, monkeypatch, args):
    path = tmp_path / "inventory.yaml"
    with open(path, "w") as fh:   # valid YAML, one byte too many
        fh.write(INVENTORY)
        fh.write("#" * (yamlfile.MAX_YAML_BYTES - len(INVENTORY)) + "\n")
    result = run(args, path, tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == f"corefile: {path}: larger than 16 MiB (this tool's limit for an inventory)\n"


def test_an_inventory_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "inventory.yaml"
    with open(path, "w") as fh:
        fh.write(INVENTORY)
        fh.write("#" * (yamlfile.MAX_YAML_BYTES - len(INVENTORY) - 1) + "\n")
    start = time.monotonic()
    assert [c.name for c in load(path).clusters] == ["cluster-a", "cluster-b"]
    assert time.monotonic() - start < 30


# ------------------------------------------------------------------------------------------ kubeconfigs
SECRET = "s3cr3t-T0KEN-value"
KUBECONFIG = f"""\
apiVersion: v1
clusters:
- name: c
  cluster: {{server: "https://192.0.2.1:6443"}}
users:
- name: u
  user: {{token: "{SECRET}", password: "{SECRET}-pw"}}
contexts:
- name: ctx
  context: {{cluster: c, user: u}}
current-context: ctx
"""


@pytest.mark.parametrize("change, expected", [
    ((f'token: "{SECRET}"', f'token: "{SECRET}'), ":7:"),                  # unterminated quote in the token
    ((f'token: "{SECRET}"', f'token: "{SECRET}" "x"'), ":7:"),
    ((f'token: "{SECRET}"', f'token: "{SECRET}\x07"'), ":7:"),             # a control character inside it
    (("current-context: ctx", f"current-context: ctx\n---\ntoken: {SECRET}"), ":12:1:"),
    (("current-context: ctx", "current-context: " + "[" * 100), ":11:"),
    (("contexts:\n- name: ctx\n  context: {cluster: c, user: u}\n", "contexts: 5\n"), ": contexts: expected a list"),
])
def test_broken_kubeconfigs_end_in_one_line_without_credentials(tmp_path, monkeypatch, change, expected):
    old, new = change
    assert old in KUBECONFIG
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG.replace(old, new))
    result = run(["k8s", "discover", "--kubeconfig", str(path)], path, tmp_path, monkeypatch)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"corefile: kubeconfig {path}{expected}")
    assert SECRET not in result.stderr + result.stdout


def test_a_kubeconfig_above_the_size_limit_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "kubeconfig"
    with open(path, "w") as fh:
        fh.write(KUBECONFIG)
        fh.write("#" * yamlfile.MAX_YAML_BYTES + "\n")
    result = run(["k8s", "discover", "--kubeconfig", str(path)], path, tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == f"corefile: kubeconfig {path}: larger than 16 MiB (this tool's limit for a kubeconfig)\n"


# ------------------------------------------------------------------------------------------ base Corefiles
BASE = ".:53 {\n    errors\n    health\n    ready\n    reload\n    kubernetes cluster.local\n    forward . 10.0.0.1\n" \
       "}\n"


def with_base(base: str) -> str:
    return INVENTORY.replace("    dns: [10.1.0.10]\n", f"    dns: [10.1.0.10]\n    base_corefile: {base}\n")


@pytest.fixture
def site(tmp_path):
    (tmp_path / "secret").write_text("admin:$6$TOPSECRET:19000:0:99999:7:::\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.Corefile").write_text(BASE)
    return tmp_path / "site"


@pytest.mark.parametrize("base, message", [
    ("../secret", "'../secret' reaches outside the inventory's directory {site!r} (base Corefiles are read only "
                  "from under it)"),
    ("{secret}", "'{secret}' reaches outside the inventory's directory {site!r} (base Corefiles are read only "
                 "from under it)"),
    ("link.Corefile", "'link.Corefile' reaches outside the inventory's directory {site!r} (base Corefiles are "
                      "read only from under it)"),
    ("loop1", "'loop1' is a symbolic link loop"),
])
def test_a_base_corefile_outside_the_inventory_is_never_read(site, monkeypatch, base, message):
    (site / "link.Corefile").symlink_to(site.parent / "secret")
    (site / "loop1").symlink_to(site / "loop2")
    (site / "loop2").symlink_to(site / "loop1")
    base = base.format(secret=site.parent / "secret")
    message = message.format(site=str(site), secret=site.parent / "secret")
    path = site / "inventory.yaml"
    path.write_text(with_base(base))
    for args in YAML_COMMANDS:
        result = run(args, path, site, monkeypatch)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[0] == \
            f"{path}:5: clusters[0] (cluster-a).base_corefile: " + message
        assert "TOPSECRET" not in result.stdout + result.stderr
    # inside the directory it is used as before
    path.write_text(with_base("a.Corefile"))
    result = run(["generate", "{f}"], path, site, monkeypatch)
    assert result.exit_code == 0 and result.stdout.startswith("==> cluster-a.Corefile <==\n.:53 {\n    errors\n")


def test_a_base_corefile_above_the_corefile_size_limit_is_refused(site, monkeypatch):
    from corefile_tool.parser import MAX_INPUT_BYTES

    with open(site / "a.Corefile", "a") as fh:
        fh.write("#" * MAX_INPUT_BYTES + "\n")
    path = site / "inventory.yaml"
    path.write_text(with_base("a.Corefile"))
    with pytest.raises(InventoryError) as caught:
        from corefile_tool.generator.model import build_all
        build_all(load(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{site / 'a.Corefile'}: clusters[0] (cluster-a).base_corefile: cannot read: larger than 8 MiB (this "
        "tool's limit for a Corefile)"]
    assert os.path.getsize(site / "a.Corefile") > MAX_INPUT_BYTES
