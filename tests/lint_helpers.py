"""Linting a fragment of one server block, for the plugin and setup-audit tests (a plain module, not a test file:
the tests import it as they import k8s_fake_api).

`body` is what goes inside `KEYS { ... }`, written indented or not; `path`, when given, is a file the Corefile is
written to and linted from, so that relative file names resolve next to it; other keyword arguments go to `lint`.
"""
from __future__ import annotations

import textwrap

from corefile_tool import lint


def corefile(body: str, keys: str = ".") -> str:
    return f"{keys} {{\n{textwrap.indent(textwrap.dedent(body).strip(), '    ')}\n}}\n"


def findings(body: str, version=None, keys: str = ".", path=None, **options):
    text = corefile(body, keys)
    if path is not None:
        path.write_text(text)
        return lint(path, version=version, **options)
    return lint(text, version=version, **options)


def by_severity(body: str, severity: str, version=None, keys: str = ".", code=None, **options):
    return [d for d in findings(body, version, keys, **options)
            if d.severity == severity and code in (None, d.code)]


def errors(body: str, version=None, keys: str = ".", **options):
    return by_severity(body, "error", version, keys, **options)


def assert_valid(body: str, version=None, keys: str = ".", **options):
    found = errors(body, version, keys, **options)
    assert not found, [f"{d.line}:{d.column} {d.code} {d.message}" for d in found]


def assert_invalid(body: str, contains=None, version=None, keys: str = ".", code=None, **options):
    """CoreDNS refuses `body`: some error, one with `code` and one whose message holds `contains` when given.
    Returns the errors, for tests that look further."""
    found = errors(body, version, keys, **options)
    assert found, f"expected an error for:\n{body}"
    if code:
        assert code in {d.code for d in found}, [d.code for d in found]
    if contains:
        assert any(contains in d.message for d in found), [d.message for d in found]
    return found
