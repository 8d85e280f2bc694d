"""`corefile parse`: the JSON contract (README), --tokens, text output, exit codes 0/1/2, standard input, and
environment values kept out of text output and messages. Runs the installed command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COREFILE = [sys.executable, "-m", "corefile_tool.cli"]


def run(*args, stdin=None, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(COREFILE + list(args), input=stdin, capture_output=True, text=True, env=e,
                          cwd=cwd or ROOT)


def parse_json(path, *extra, env=None):
    p = run("parse", "--format", "json", str(path), *extra, env=env)
    return p, json.loads(p.stdout)


KEY_FIELDS = {"text", "line", "column", "transport", "zones", "port"}
DIRECTIVE_FIELDS = {"name", "args", "line", "column", "block"}
DIAGNOSTIC_FIELDS = {"code", "severity", "message", "path", "line", "column"}


def check_directive(d):
    assert set(d) == DIRECTIVE_FIELDS
    assert isinstance(d["name"], str) and all(isinstance(a, str) for a in d["args"])
    assert isinstance(d["line"], int) and isinstance(d["column"], int)
    if d["block"] is not None:
        for child in d["block"]:
            check_directive(child)


def test_json_contract(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text("example.org:1053 10.0.0.0/8 {\n    forward . 1.1.1.1 {\n        force_tcp\n    }\n    log\n}\n")
    p, out = parse_json(f)
    assert p.returncode == 0 and p.stderr == ""
    assert set(out) == {"path", "server_blocks", "diagnostics"}
    assert out["path"] == str(f)
    (block,) = out["server_blocks"]
    assert set(block) == {"line", "keys", "directives"} and block["line"] == 1
    for k in block["keys"]:
        assert set(k) == KEY_FIELDS
    assert block["keys"] == [
        {"text": "example.org:1053", "line": 1, "column": 1, "transport": "dns", "zones": ["example.org."],
         "port": "1053"},
        {"text": "10.0.0.0/8", "line": 1, "column": 18, "transport": "dns", "zones": ["10.in-addr.arpa."],
         "port": "53"}]
    for d in block["directives"]:
        check_directive(d)
    assert block["directives"][0] == {"name": "forward", "args": [".", "1.1.1.1"], "line": 2, "column": 5,
                                      "block": [{"name": "force_tcp", "args": [], "line": 3, "column": 9,
                                                 "block": None}]}
    assert out["diagnostics"] == []


def test_json_tokens_are_the_lexers_with_quotes_removed(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text('. {\n    log "a b" {$X}\n}\n')
    _, out = parse_json(f, "--tokens", env={"X": "value"})
    assert out["tokens"] == [{"text": ".", "line": 1, "column": 1}, {"text": "{", "line": 1, "column": 3},
                             {"text": "log", "line": 2, "column": 5}, {"text": "a b", "line": 2, "column": 9},
                             {"text": "{$X}", "line": 2, "column": 15}, {"text": "}", "line": 3, "column": 1}]
    assert list(out) == ["path", "server_blocks", "tokens", "diagnostics"]


def test_syntax_error_exits_1_and_still_prints_json(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". { whoami }\n")
    p, out = parse_json(f)
    assert p.returncode == 1
    assert out["server_blocks"] == []
    assert out["diagnostics"] == [{"code": "syntax", "severity": "error",
                                   "message": "Unexpected '}' because no matching opening brace",
                                   "path": str(f), "line": 1, "column": 12}]


def test_text_output_and_error_display(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    forward . 1.1.1.1\n    log\n")
    p = run("parse", str(f))
    assert p.returncode == 1 and p.stdout == ""
    first = p.stderr.splitlines()[0]
    assert first == f"{f}:3:5: syntax error Syntax error: Unexpected token 'log', expecting '}}'"
    f.write_text(". {\n    forward . 1.1.1.1\n}\n")
    p = run("parse", str(f))
    assert p.returncode == 0
    assert p.stdout.splitlines() == ["server block 0 (line 1): . -> dns://.:53", "    forward . 1.1.1.1  [2:5]"]


def test_usage_errors_exit_2_with_one_line(tmp_path):
    for target, why in ((tmp_path / "missing", "no such file"), (tmp_path, "is a directory")):
        p = run("parse", str(target))
        assert p.returncode == 2 and p.stdout == ""
        assert p.stderr.strip() == f"corefile: {target}: {why}"
    p = run("parse")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_standard_input(tmp_path):
    p = run("parse", "--format", "json", "-", stdin=". {\n    whoami\n}\n")
    assert p.returncode == 0
    out = json.loads(p.stdout)
    assert out["path"] == "-" and out["server_blocks"][0]["directives"][0]["name"] == "whoami"


def test_environment_values_stay_out_of_text_output_and_messages(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text("{$ZONE} {\n    forward . {$UPSTREAM}\n    log {$UPSTREAM}\n}\n")
    env = {"ZONE": "internal.corp.example", "UPSTREAM": "10.11.12.13"}
    p = run("parse", str(f), env=env)
    assert p.returncode == 0
    assert "internal.corp" not in p.stdout and "10.11.12.13" not in p.stdout
    assert "{$ZONE} -> (from the environment)" in p.stdout and "forward . {$UPSTREAM}" in p.stdout
    # JSON is the tree CoreDNS sees: it carries the values (documented in the README)
    _, out = parse_json(f, env=env)
    assert out["server_blocks"][0]["keys"][0]["text"] == "internal.corp.example"
    f.write_text("{$ZONE} {\n    forward . {$UPSTREAM}\n")
    p = run("parse", str(f), env=env)
    assert p.returncode == 1 and "10.11.12.13" not in p.stderr and "{$UPSTREAM}" in p.stderr


@pytest.mark.parametrize("name", ["kubeadm", "k3s"])
def test_real_defaults_parse_through_the_command(tmp_path, name):
    from test_parse_syntax import K3S_STYLE, KUBEADM_STYLE

    f = tmp_path / "Corefile"
    f.write_text(KUBEADM_STYLE if name == "kubeadm" else K3S_STYLE.replace("import custom/", "import none/"))
    p, out = parse_json(f)
    assert p.returncode == 0, p.stderr
    assert out["server_blocks"][0]["keys"][0]["zones"] == ["."]


def test_installed_package_carries_the_grammar_and_its_table():
    from corefile_tool import parser

    grammar = parser.grammar_path()
    table = grammar.with_name("corefile.lalr.json")
    assert grammar.is_file() and table.is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"corefile_tool.grammar" = ["*.lark", "*.lalr.json"]' in pyproject


def test_parse_does_not_import_lark_or_heavy_modules(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    whoami\n}\n")
    code = ("import sys; from corefile_tool.cli import main\n"
            f"sys.argv = ['corefile', 'parse', {str(f)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('lark', 'jinja2', 'dns', 'kubernetes', 'yaml', 'jsonschema')"
            " if m in sys.modules)\nprint(heavy, file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stderr.strip().splitlines()[-1] == "[]"
