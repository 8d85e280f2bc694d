"""`corefile lint` as users and CI run it: paths, standard input, formats (text, the JSON contract, SARIF 2.1.0,
GitHub annotations), --select/--ignore/--strict, exit codes, inline suppression, and the Python API."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import corefile_tool
from corefile_tool.cli import main

GOOD = ".:53 {\n    errors\n    forward . 9.9.9.9\n    cache 30\n}\n"
BAD = ".:53 {\n    forward . 9.9.9.9\n    cache 0\n    logs\n}\n"                # two errors
WARN = ". {\n    forward . 10.0.0.1\n    forward example.org 10.0.0.2\n}\n"   # one warning


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args, stdin=None):
    result = CliRunner().invoke(main, ["lint", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def as_json(result):
    return json.loads(result.stdout)


def test_exit_codes(tmp_path):
    assert run(write(tmp_path, "good", GOOD)).exit_code == 0
    assert run(write(tmp_path, "bad", BAD)).exit_code == 1
    warn = write(tmp_path, "warn", WARN)
    assert run(warn).exit_code == 0
    assert run("--strict", warn).exit_code == 1
    assert run("--coredns-version", "0.9", warn).exit_code == 2
    assert run("--select", "no-such-rule", warn).exit_code == 2
    assert run("--format", "xml", warn).exit_code == 2


def test_missing_file_is_one_line_and_the_others_are_still_linted(tmp_path):
    bad = write(tmp_path, "bad", BAD)
    missing = str(tmp_path / "missing")
    result = run("--format", "json", missing, bad)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"corefile: {missing}: no such file"
    out = as_json(result)
    assert out["summary"]["files"] == 1 and out["summary"]["errors"] == 2
    directory = run(str(tmp_path))
    assert directory.exit_code == 2
    assert directory.stderr.splitlines()[0] == f"corefile: {tmp_path}: is a directory"


def test_json_contract(tmp_path):
    bad = write(tmp_path, "bad", BAD)
    out = as_json(run("--format", "json", bad))
    assert set(out) == {"diagnostics", "summary"}
    assert out["summary"] == {"files": 1, "errors": 2, "warnings": 0, "infos": 0}
    for d in out["diagnostics"]:
        assert set(d) == {"path", "line", "column", "code", "severity", "message"}
        assert d["path"] == bad and d["severity"] in ("error", "warning", "info")
    assert [(d["line"], d["column"], d["code"]) for d in out["diagnostics"]] == [
        (3, 11, "invalid-value"), (4, 5, "unknown-directive")]


def test_many_paths_keep_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.Corefile", BAD)
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/b.Corefile", WARN)
    out = as_json(run("--format", "json", "a.Corefile", "sub/b.Corefile"))
    assert out["summary"]["files"] == 2
    assert {d["path"] for d in out["diagnostics"]} == {"a.Corefile", "sub/b.Corefile"}


def test_standard_input():
    out = as_json(run("--format", "json", "-", stdin=BAD))
    assert {d["path"] for d in out["diagnostics"]} == {"-"} and out["summary"]["errors"] == 2
    assert run(stdin=GOOD).exit_code == 0    # no PATH means standard input


def test_text_format_points_at_the_column(tmp_path):
    bad = write(tmp_path, "bad", BAD)
    result = run(bad)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:3:11: invalid-value error plugin/cache: ")
    assert lines[1] == "        cache 0"
    assert lines[2] == "    " + " " * 10 + "^"
    assert "\x1b[" not in result.stdout          # no colour when not on a terminal
    assert result.stderr.strip() == "1 file(s): 2 error(s), 0 warning(s), 0 info"


def test_select_ignore_and_globs(tmp_path):
    bad = write(tmp_path, "bad", BAD)
    codes = lambda *a: [d["code"] for d in as_json(run("--format", "json", *a, bad))["diagnostics"]]  # noqa: E731
    assert codes("--select", "unknown-directive") == ["unknown-directive"]
    assert codes("--select", "unknown-*,invalid-value") == ["invalid-value", "unknown-directive"]
    assert codes("--ignore", "unknown-directive") == ["invalid-value"]
    assert codes("--ignore", "invalid-value", "--ignore", "unknown-directive") == []
    assert run("--ignore", "invalid-value,unknown-directive", bad).exit_code == 0


def test_inline_suppression(tmp_path):
    text = (".:53 {\n"
            "    cache 0  # corefile: disable=invalid-value\n"
            "    # corefile: disable=unknown-directive, plugin-once\n"
            "    logs\n"
            "    # corefile: disable=all\n"
            "    whoamii\n"
            "    cache 5 # corefile: disable=unknown-directive\n"
            "}\n")
    found = corefile_tool.lint(text)
    assert [(d.line, d.code) for d in found] == [(7, "plugin-once")]


def test_sarif_shape(tmp_path):
    bad = write(tmp_path, "bad", BAD)
    warn = write(tmp_path, "warn", WARN)
    result = run("--format", "sarif", bad, warn)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SARIF_SUBSET)
    run0 = doc["runs"][0]
    ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert "shadowed-plugin" in ids and len(ids) == len(set(ids))
    for res in run0["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
    assert [(r["ruleId"], r["level"]) for r in run0["results"]] == [
        ("invalid-value", "error"), ("unknown-directive", "error"), ("shadowed-plugin", "warning")]
    uri = run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == Path(bad).as_uri()


def test_github_annotations(tmp_path):
    bad = write(tmp_path, "bad, with comma", BAD)
    lines = run("--format", "github", bad).stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::error file=") and ",line=3,col=11,title=invalid-value::" in lines[0]
    assert "%2C with comma" in lines[0]


def test_api_returns_diagnostics_for_text_and_paths(tmp_path):
    from corefile_tool import Diagnostic

    found = corefile_tool.lint(BAD)
    assert all(isinstance(d, Diagnostic) for d in found)
    assert [d.code for d in found] == ["invalid-value", "unknown-directive"]
    path = Path(write(tmp_path, "bad.Corefile", BAD))
    assert [d.path for d in corefile_tool.lint(path)] == [str(path)] * 2
    assert corefile_tool.lint(WARN, version="1.9.3")[0].code == "plugin-once"
    with pytest.raises(ValueError):
        corefile_tool.lint(GOOD, version="2.0.0")


def test_rules_command_lists_every_rule():
    from corefile_tool.linter.rules import all_rules

    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == [r.CODE for r in all_rules()]
    detail = CliRunner().invoke(main, ["rules", "forward-loop"])
    assert "Bad:" in detail.stdout and "Good:" in detail.stdout
    assert CliRunner().invoke(main, ["rules", "nope"]).exit_code == 2


def test_lint_does_not_load_heavy_modules(tmp_path):
    path = write(tmp_path, "Corefile", GOOD)
    code = ("import sys\nfrom corefile_tool.cli import main\n"
            f"sys.argv = ['corefile', 'lint', {path!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'jinja2', 'dns', 'yaml'))\n"
            "print(code, heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "0 []"


def test_pre_commit_hook_definition():
    import yaml

    hooks = yaml.safe_load((Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text())
    [hook] = [h for h in hooks if h["id"] == "corefile-lint"]
    assert hook["entry"] == "corefile lint"
    import re

    files = re.compile(hook["files"])
    for name in ("Corefile", "dns/Corefile", "zones/a.Corefile", "conf.d/b.server"):
        assert files.search(name), name
    for name in ("Corefile.bak", "README.md", "server.py"):
        assert not files.search(name), name


SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "$schema", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"],
                    "properties": {"rules": {"type": "array", "items": {
                        "type": "object", "required": ["id", "shortDescription", "defaultConfiguration"],
                        "properties": {
                            "shortDescription": {"type": "object", "required": ["text"]},
                            "defaultConfiguration": {"type": "object", "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]}}},
                        }}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ruleId", "level", "message", "locations"],
                    "properties": {
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "ruleIndex": {"type": "integer", "minimum": 0},
                        "message": {"type": "object", "required": ["text"]},
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"],
                            "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation", "region"],
                                "properties": {
                                    "artifactLocation": {"type": "object", "required": ["uri"]},
                                    "region": {"type": "object", "required": ["startLine"], "properties": {
                                        "startLine": {"type": "integer", "minimum": 1},
                                        "startColumn": {"type": "integer", "minimum": 1}}},
                                }}}}},
                    }}},
            }}},
    },
}
