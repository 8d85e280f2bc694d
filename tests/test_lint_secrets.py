"""Lint output shows `{$VAR}` references, never their values (issue #8), and a message quoting a multi-line
token stays on one line, in every output format."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corefile_tool import lint
from corefile_tool.cli import main

SECRET = "s3cr3t-upstream-name"

# (Corefile, environment): each makes lint quote the substituted word in a message.
CASES = [
    # forward/setup.go: a host name that is not an address is resolved at start-up (external-file info)
    (". {\n    forward . {$UP}\n}\n", {"UP": SECRET}),
    # log/setup.go -> response.ClassFromString: "invalid Class: <value>"
    (". {\n    log {\n        class {$CLASS}\n    }\n}\n", {"CLASS": SECRET}),
    # a directive named by a variable: "Unknown directive '<value>'"
    (". {\n    {$PLUGIN}\n}\n", {"PLUGIN": SECRET}),
    # a property named by a variable
    (". {\n    forward . 1.1.1.1 {\n        {$PROP} 1\n    }\n}\n", {"PROP": SECRET}),
]


@pytest.mark.parametrize("text,env", CASES)
def test_library_messages_show_the_reference_not_the_value(text, env):
    found = lint(text, env=env)
    assert found, text
    (ref,) = [f"{{${name}}}" for name in env]
    assert any(ref in d.message for d in found), [d.message for d in found]
    for d in found:
        assert SECRET not in d.message


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize("text,env", CASES)
def test_cli_output_never_prints_the_value(tmp_path, text, env, fmt):
    corefile = tmp_path / "Corefile"
    corefile.write_text(text)
    result = CliRunner().invoke(main, ["lint", "--format", fmt, str(corefile)], env=env)
    assert result.exit_code in (0, 1), result.output
    out = result.output + result.stderr
    assert SECRET not in out
    assert "{$" in out


def test_the_value_is_still_checked():
    # substituted for checking: an invalid value is an error, a valid one is not
    bad = ". {\n    log {\n        class {$CLASS}\n    }\n}\n"
    [d] = [d for d in lint(bad, env={"CLASS": "bogus-class"}) if d.severity == "error"]
    assert d.message == "plugin/log: invalid Class: {$CLASS}"
    assert not [d for d in lint(bad, env={"CLASS": "denial"}) if d.severity == "error"]


MULTILINE = [
    # a quoted word holding a newline, as a directive, a property and a word after a block's `}`
    ('. {\n    "\n"\n}\n', "unknown-directive", "Unknown directive '\\n'"),
    ('. {\n    forward . 1.1.1.1 {\n        "a\nb" 1\n    }\n}\n', "unknown-property", "unknown property 'a\\nb'"),
    ('. {\n    log {\n        class "den\nial"\n    }\n}\n', "invalid-value", "invalid Class: den\\nial"),
]


@pytest.mark.parametrize("text,code,part", MULTILINE)
def test_a_multiline_token_keeps_the_message_on_one_line(text, code, part):
    found = [d for d in lint(text) if d.code == code]
    assert found, lint(text)
    for d in found:
        assert "\n" not in d.message and "\r" not in d.message
    assert any(part in d.message for d in found), [d.message for d in found]


def test_cli_text_output_has_one_line_per_message(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text('. {\n    "x\ny"\n}\n')
    result = CliRunner().invoke(main, ["lint", "--format", "json", str(corefile)])
    [d] = json.loads(result.output)["diagnostics"] if isinstance(json.loads(result.output), dict) \
        else json.loads(result.output)
    assert d["message"] == "Unknown directive 'x\\ny'"


def test_a_long_token_is_cut_in_the_message():
    name = "x" * 5000
    [d] = [d for d in lint(f". {{\n    {name}\n}}\n") if d.code == "unknown-directive"]
    assert len(d.message) < 200 and d.message.startswith("Unknown directive 'xxx")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_simulate_output_never_prints_the_value(tmp_path, fmt):
    corefile = tmp_path / "Corefile"
    corefile.write_text("corp.test {\n    forward . {$UPSTREAM}\n}\n. {\n    forward . {$RESOLVER}\n}\n",
                        encoding="utf-8")
    env = {"UPSTREAM": "192.0.2.77", "RESOLVER": "198.51.100.99"}
    for name in ("www.corp.test", "example.com"):
        result = CliRunner().invoke(main, ["simulate", str(corefile), name, "--format", fmt], env=env)
        assert result.exit_code == 0, result.output
        assert "192.0.2.77" not in result.output and "198.51.100.99" not in result.output
        # the value was used: each name is forwarded to its own block's upstream, shown by reference
        want = "{$UPSTREAM}" if name.endswith("corp.test") else "{$RESOLVER}"
        assert want in result.output
        if fmt == "json":
            json.loads(result.output)
