"""The three verdicts of issue #3 on the multi-cluster tutorial's Corefile (samples/tutorial-multicluster.Corefile):
as published CoreDNS refuses it (forward without a TO); with a TO added it refuses `to` as an unknown property;
with `to` dropped it starts, but the second forward never sees a query."""
from __future__ import annotations

from pathlib import Path

import pytest

from corefile_tool import lint

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "tutorial-multicluster.Corefile"
SECOND_FORWARD = "    forward cluster-b.example.com {\n       to <cluster-b-coredns-service-ip>:53\n    }\n"


@pytest.fixture(scope="module")
def tutorial() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    assert SECOND_FORWARD in text, "the sample must hold the tutorial verbatim"
    return text


def by_severity(found, severity):
    return [d for d in found if d.severity == severity]


def test_as_published_coredns_refuses_the_second_forward(tutorial):
    found = lint(SAMPLE)
    errors = by_severity(found, "error")
    assert [(d.code, d.line) for d in errors] == [("wrong-arguments", 17)]
    assert errors[0].message == ("plugin/forward: Wrong argument count or unexpected line ending after "
                                 "'cluster-b.example.com'")
    assert errors[0].path == str(SAMPLE)
    # a broken directive is not also reported as shadowed: CoreDNS never gets that far
    assert not [d for d in found if d.code == "shadowed-plugin"]


def test_with_a_to_address_added_to_is_an_unknown_property(tutorial):
    text = tutorial.replace(SECOND_FORWARD, "    forward cluster-b.example.com 10.2.0.10:53 {\n"
                                            "       to 10.2.0.10:53\n    }\n")
    errors = by_severity(lint(text), "error")
    assert [(d.code, d.line, d.column) for d in errors] == [("unknown-property", 18, 8)]
    assert errors[0].message == "plugin/forward: unknown property 'to'"


def test_with_to_removed_it_starts_but_the_second_forward_is_shadowed(tutorial):
    text = tutorial.replace(SECOND_FORWARD, "    forward cluster-b.example.com 10.2.0.10:53\n")
    found = lint(text)
    assert by_severity(found, "error") == []
    warnings = by_severity(found, "warning")
    assert [(d.code, d.line) for d in warnings] == [("shadowed-plugin", 17)]
    assert "the forward at line 13" in warnings[0].message


def test_the_fix_the_rule_suggests_is_clean(tutorial):
    fixed = tutorial.replace(SECOND_FORWARD, "").replace(
        "    forward . /etc/resolv.conf {",
        "    forward cluster-b.example.com 10.2.0.10:53\n    forward . /etc/resolv.conf {")
    found = lint(fixed)
    assert by_severity(found, "error") == [] and by_severity(found, "warning") == []


def test_before_1_9_4_a_second_forward_is_refused_outright(tutorial):
    text = tutorial.replace(SECOND_FORWARD, "    forward cluster-b.example.com 10.2.0.10:53\n")
    errors = by_severity(lint(text, version="1.9.3"), "error")
    assert [(d.code, d.line) for d in errors] == [("plugin-once", 17)]
