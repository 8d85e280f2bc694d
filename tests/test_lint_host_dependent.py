"""Findings that depend on the CoreDNS host rather than on the Corefile are `info` that names the cause.

CoreDNS substitutes {$VAR} from its own host's environment (coredns/caddy caddyfile/parse.go replaceEnvVars)
and reads an absolute `import` path on its own host (doImport): where lint runs, neither need exist. What lint
cannot see it says as info, never as a guessed error.
"""
from __future__ import annotations

import json

from click.testing import CliRunner

from corefile_tool import lint
from corefile_tool.cli import main

PREFIX = "cannot check: {$%s} is not set here (CoreDNS reads it on its own host; set it to check): "


def by_code(found, code):
    return [d for d in found if d.code == code]


def errors(found):
    return [d for d in found if d.severity in ("error", "warning")]


# ---------------------------------------------------------------------------------------------- unset {$VAR}

def test_unset_port_in_a_key_is_info_naming_the_variable():
    text = ".:{$DNS_PORT} {\n    whoami\n}\n"
    found = lint(text, env={})
    assert errors(found) == []
    [d] = by_code(found, "invalid-key")
    assert d.severity == "info" and (d.line, d.column) == (1, 1)
    assert d.message.startswith(PREFIX % "DNS_PORT")
    # the original verdict follows, so the reader still sees what CoreDNS says on a host without it
    assert d.message.endswith('expecting data after last colon: ".:"')


def test_a_set_variable_is_still_checked_by_its_value():
    text = ".:{$DNS_PORT} {\n    whoami\n}\n"
    assert lint(text, env={"DNS_PORT": "53"}) == []
    # set, but to nothing: that is this environment's real value, and CoreDNS would refuse the key
    [d] = by_code(lint(text, env={"DNS_PORT": ""}), "invalid-key")
    assert d.severity == "error" and "cannot check" not in d.message


def test_unset_upstream_is_info_and_a_bad_set_one_an_error_showing_the_name():
    text = ". {\n    forward . {$UPSTREAM}\n}\n"
    [d] = lint(text, env={})
    assert (d.code, d.severity, d.line, d.column) == ("invalid-value", "info", 2, 15)
    assert d.message == (PREFIX % "UPSTREAM") + 'plugin/forward: invalid address: ""'
    [d] = [d for d in lint(text, env={"UPSTREAM": "tls://"}) if d.severity == "error"]
    assert "cannot check" not in d.message
    assert "{$UPSTREAM}" in d.message and "tls://" not in d.message   # the secrets rule is unchanged


def test_two_unset_variables_in_one_word_are_both_named():
    [d] = lint("{$ZONE}:{$PORT} {\n    whoami\n}\n", env={})
    assert d.severity == "info"
    assert d.message.startswith("cannot check: {$PORT} and {$ZONE} are not set here (CoreDNS reads them on "
                                "its own host; set them to check): ")


def test_windows_style_reference_is_treated_the_same():
    [d] = lint(".:{%DNS_PORT%} {\n    whoami\n}\n", env={})
    assert d.severity == "info" and d.message.startswith("cannot check: {%DNS_PORT%} is not set here")


def test_a_check_of_the_whole_directive_at_its_name_is_info():
    # kubernetes setup.go: with the zone empty only reverse zones remain, reported at the directive's name
    text = ". {\n    kubernetes {$CLUSTER_DOMAIN} in-addr.arpa ip6.arpa\n}\n"
    found = lint(text, env={})
    assert errors(found) == []
    assert any((d.line, d.column) == (2, 5) and "non-reverse zone name must be used" in d.message
               and d.message.startswith(PREFIX % "CLUSTER_DOMAIN") for d in found), found
    assert errors(lint(text, env={"CLUSTER_DOMAIN": "cluster.local"})) == []


def test_an_unrelated_error_next_to_an_unset_variable_stays_an_error():
    text = ". {\n    forward . {$UPSTREAM}\n    bogus\n}\n"
    found = lint(text, env={})
    [d] = by_code(found, "unknown-directive")
    assert d.severity == "error" and d.message == "Unknown directive 'bogus'"
    # the variable is in another directive's word, and a key without a variable is judged as before
    [d] = by_code(lint(".:{$P} {\n}\nexample.org: {\n}\n", env={}), "invalid-key")[1:]
    assert d.severity == "error" and d.line == 3


def test_a_parse_stopped_by_an_unset_variable_says_the_rest_is_unchecked():
    found = lint(". {\n    import {$EXTRA}\n    bogus\n}\n", env={})
    [d] = found
    assert (d.code, d.severity) == ("import", "info")
    assert d.message == (PREFIX % "EXTRA") + "Import requires a non-empty filepath (nothing after it is checked)"


def test_unset_variable_in_an_imported_file(tmp_path):
    (tmp_path / "extra.conf").write_text("log {\n    class {$CLASS}\n}\n")
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    import extra.conf\n}\n")
    [d] = lint(corefile, env={})
    assert (d.path, d.line, d.column, d.severity) == (str(tmp_path / "extra.conf"), 2, 11, "info")
    assert d.message.startswith(PREFIX % "CLASS")
    [d] = lint(corefile, env={"CLASS": "bogus"})
    assert d.severity == "error" and d.message == "plugin/log: invalid Class: {$CLASS}"


def test_byte_order_mark_does_not_shift_the_word_looked_at():
    [d] = lint("\ufeff.:{$P} {\n    whoami\n}\n", env={})
    assert d.severity == "info" and "{$P}" in d.message


def test_cli_exit_status_follows(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(".:{$DNS_PORT} {\n    forward . {$UPSTREAM}\n}\n")
    unset = CliRunner().invoke(main, ["lint", "--format", "json", str(corefile)],
                               env={"DNS_PORT": None, "UPSTREAM": None})
    assert unset.exit_code == 0, unset.output
    report = json.loads(unset.output)
    assert report["summary"]["errors"] == 0 and report["summary"]["infos"] == 2
    set_bad = CliRunner().invoke(main, ["lint", str(corefile)], env={"DNS_PORT": "53", "UPSTREAM": "tls://"})
    assert set_bad.exit_code == 1


# ---------------------------------------------------------------------------------------------- imports

def test_absolute_import_missing_here_is_info_and_the_rest_is_linted(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    import /nonexistent-corefile-test/extra.conf\n    bogus\n}\n")
    found = lint(corefile, allow_import_outside=True)
    [imp] = by_code(found, "import")
    assert (imp.severity, imp.line, imp.column) == ("info", 2, 12)
    assert imp.message == ("cannot check: import /nonexistent-corefile-test/extra.conf not found here; CoreDNS "
                           "reads it on its own host; its contents are not checked")
    # parsing went on past the import: the directive after it is checked
    assert [d.severity for d in by_code(found, "unknown-directive")] == ["error"]


def test_absolute_import_inside_the_corefile_directory_needs_no_flag(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(f". {{\n    import {tmp_path}/gone.conf\n    whoami\n}}\n")
    [d] = lint(corefile)
    assert (d.code, d.severity) == ("import", "info")


def test_relative_import_missing_stays_an_error(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    import gone.conf\n}\n")
    [d] = lint(corefile, allow_import_outside=True)
    assert (d.code, d.severity, d.message) == ("import", "error", "File to import not found: gone.conf")


def test_absolute_glob_matching_nothing_stays_a_warning(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    import /nonexistent-corefile-test/*.server\n    whoami\n}\n")
    [d] = lint(corefile, allow_import_outside=True)
    assert (d.code, d.severity) == ("import-glob-empty", "warning")


def test_confinement_refusal_stays_an_error_and_says_contents_are_unchecked(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    import /nonexistent-corefile-test/extra.conf\n}\n")
    [d] = lint(corefile)
    assert (d.code, d.severity) == ("import-outside", "error")
    assert "its contents are not checked" in d.message
    # a refusal is this tool's decision, not a verdict on an unset variable's value: it stays an error
    corefile.write_text(". {\n    import {$DIR}/extra.conf\n}\n")
    [d] = lint(corefile, env={})
    assert (d.code, d.severity) == ("import-outside", "error")


def test_parse_exit_status_follows(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    import /nonexistent-corefile-test/extra.conf\n    whoami\n}\n")
    ok = CliRunner().invoke(main, ["parse", "--format", "json", "--allow-import-outside", str(corefile)])
    assert ok.exit_code == 0, ok.output
    tree = json.loads(ok.output)
    assert [d["severity"] for d in tree["diagnostics"]] == ["info"]
    assert [d["name"] for d in tree["server_blocks"][0]["directives"]] == ["whoami"]
    corefile.write_text(". {\n    import gone.conf\n}\n")
    assert CliRunner().invoke(main, ["parse", str(corefile)]).exit_code == 1
