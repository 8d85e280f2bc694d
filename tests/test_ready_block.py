"""ready's block across releases: none before 1.12.2 (setup reads the `{` as a second `ready`: plugin.ErrOnce),
unknown properties skipped from 1.12.2 and refused from 1.14.4 (plugin/ready/setup.go at each tag)."""
import pytest

from lint_helpers import findings


def said(body, version):
    return [(d.line, d.code, d.severity) for d in findings(body, version)]


@pytest.mark.parametrize("line", ["monitor until-ready", "monitor 404", "bogus 1"])
def test_before_the_block_existed_only_the_once_error(line):
    # The "CoreDNS ignores it" warning belongs to 1.12.2 .. 1.14.3, when setup read the block and skipped what it
    # did not know; before 1.12.2 nothing in the block was read, so whatever it holds gets the one error alone.
    assert said(f"ready {{\n{line}\n}}", "1.12.1") == [(3, "unknown-property", "error")]


def test_empty_block_before_1_12_2_is_the_once_error():
    assert said("ready {\n}", "1.12.1") == [(2, "plugin-once", "error")]


@pytest.mark.parametrize("version, severity", [("1.12.2", "warning"), ("1.14.3", "warning"), ("1.14.4", "error")])
def test_unknown_property_once_the_block_exists(version, severity):
    assert said("ready {\nbogus 1\n}", version) == [(3, "unknown-property", severity)]


def test_monitor_is_read_from_1_12_2():
    assert said("ready {\nmonitor continuously\n}", "1.12.2") == []
    assert said("ready {\nmonitor 404\n}", "1.12.2") == [(3, "invalid-value", "error")]
