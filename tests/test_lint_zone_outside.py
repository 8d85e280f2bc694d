"""zone-outside: a zone-scoped plugin whose zone arguments all lie outside its server block's zones never sees a
query for them (the block only receives its keys' names). The documented examples run in test_lint_rules."""
from __future__ import annotations

import pytest

from corefile_tool import lint


def found(text: str, **kw):
    return [d for d in lint(text, **kw) if d.code == "zone-outside"]


def test_cache_reads_a_duration_as_a_zone():
    # cache/setup.go: strconv.Atoi("30s") fails, so `30s` is a zone (30s.), outside foo.org.
    [d] = found("foo.org {\n    cache 30s\n}\n")
    assert d.severity == "warning" and (d.line, d.column) == (2, 11)
    assert d.message == ("plugin/cache: zone '30s.' is outside the server block's zones (foo.org.): "
                         "it never sees a query for them")
    assert not found("foo.org {\n    cache 30\n}\n")


def test_forward_from_another_zone():
    [d] = found("foo.org {\n    forward example.com 1.1.1.1\n}\n")
    assert "'example.com.'" in d.message and (d.line, d.column) == (2, 13)


@pytest.mark.parametrize("directive", [
    "forward . 1.1.1.1",              # above the block's zone: covers its names
    "forward foo.org 1.1.1.1",        # equal
    "forward sub.foo.org 1.1.1.1",    # below
    "forward FOO.ORG. 1.1.1.1",       # equal once normalised
    "cache 30",                       # no zone: the block's keys
    "cache 30 example.com foo.org",   # one zone inside is enough
    "hosts /etc/hosts {\n        fallthrough\n    }",
    "sign db.example example.com",    # sign serves no queries (sign/setup.go does not AddPlugin)
])
def test_zones_that_cover_block_names_are_fine(directive):
    assert not found(f"foo.org {{\n    {directive}\n}}\n"), directive


def test_every_zone_outside_is_named():
    [d] = found("foo.org bar.org:1053 {\n    kubernetes a.example b.example\n}\n")
    assert "zones 'a.example.', 'b.example.' are outside" in d.message
    assert "(foo.org., bar.org.)" in d.message


def test_reverse_zones_from_keys_and_arguments():
    # a CIDR key serves its in-addr.arpa zones; a CIDR argument is expanded the same way
    assert not found("10.0.0.0/24 {\n    kubernetes cluster.local 10.0.0.0/16\n}\n")
    assert not found("10.0.0.0/24 {\n    template IN PTR 1.0.0.10.in-addr.arpa\n}\n")
    [d] = found("10.0.0.0/24 {\n    template IN PTR 1.0.0.11.in-addr.arpa\n}\n")
    assert "'1.0.0.11.in-addr.arpa.'" in d.message and "(0.0.10.in-addr.arpa.)" in d.message


def test_blocks_that_rename_queries_are_not_judged():
    # rewrite changes the name later plugins see: forward may receive qux.org names in a baz.org block
    assert not found("baz.org {\n    rewrite name baz.org qux.org\n    forward qux.org 1.1.1.1\n}\n")


def test_a_refused_directive_is_reported_by_its_error_only():
    text = "foo.org {\n    forward example.com\n}\n"
    assert any(d.severity == "error" for d in lint(text))
    assert not found(text)


def test_zone_from_the_environment_is_shown_as_the_reference():
    [d] = found("foo.org {\n    forward {$FROM} 1.1.1.1\n}\n", env={"FROM": "secret-zone.example"})
    assert "secret-zone" not in d.message and "{$FROM}" in d.message
