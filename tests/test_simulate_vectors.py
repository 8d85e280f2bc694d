"""CoreDNS's own integration tests (../shared/conformance/data/resolve_vectors.jsonl), each turned into a
simulation with the answer that test asserts. The vectors are read from ../shared and skipped when absent; the
expected outcomes below are written from each vector's `expected` text."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corefile_tool import listeners
from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator

VECTORS = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "data" / "resolve_vectors.jsonl"

WHOAMI = {"rcode": "NOERROR", "by": "whoami", "answers": [], "additional": 2}
REFUSED = {"rcode": "REFUSED", "by": None, "answers": [], "additional": 0}


def a(name, data, rtype="A"):
    return (name, rtype, data)


# id -> what the CoreDNS test asserts: rcode, the answering plugin, the answer section (name, type, data) in
# order (TTLs are not compared: the tests use "303" for "any TTL"), the number of additional records.
EXPECTED = {
    "chaos_test.go#1": {"rcode": "NOERROR", "by": "chaos",
                        "answers": [("version.bind.", "TXT", '"CoreDNS-1.14.7"')]},
    "corefile_test.go#1": WHOAMI,
    "edns0_test.go#1": WHOAMI,
    "hosts_file_test.go#1": {"rcode": "NOERROR", "by": "hosts", "answers": [a("example.org.", "10.0.0.1")]},
    "no_plugins_test.go#1": REFUSED,
    "server_reverse_test.go#1": WHOAMI,
    "server_reverse_test.go#2": WHOAMI,
    "server_reverse_test.go#3": WHOAMI,
    "server_reverse_test.go#4": REFUSED,
    "server_reverse_test.go#7": REFUSED,
    "server_reverse_test.go#8": WHOAMI,
    "server_reverse_test.go#9": WHOAMI,
    "server_reverse_test.go#11": WHOAMI,
    "server_reverse_test.go#12": WHOAMI,
    "server_reverse_test.go#13": REFUSED,
    "server_reverse_test.go#14": WHOAMI,
    "server_reverse_test.go#15": WHOAMI,
    "server_reverse_test.go#17": WHOAMI,
    "server_reverse_test.go#18": WHOAMI,
    "server_reverse_test.go#19": REFUSED,
    "server_test.go#1": WHOAMI,
    "server_test.go#2": WHOAMI,
    "server_test.go#3": REFUSED,
    "rewrite_test.go#2": {"rcode": "NOERROR", "by": "erratic", "answers": [a("example.com.", "192.0.2.53")],
                          "trace": ("rewrite", "type MX → A")},
    "rewrite_test.go#3": {"rcode": "NOERROR", "by": "erratic", "answers": [a("example.com.", "192.0.2.53")],
                          "trace": ("rewrite", "EDNS0 local option set")},
    "shed_test.go#1": WHOAMI,
    "template_upstream_test.go#1": {"rcode": "NOERROR", "by": "template",
                                    "answers": [("cname.example.net.", "CNAME", "target.example.net."),
                                                a("target.example.net.", "1.2.3.4")]},
    "template_upstream_test.go#2": {"rcode": "NOERROR", "by": "template",
                                    "answers": [("cname.example.net.", "CNAME", "target.example.net.")]},
    "view_test.go#3": {"rcode": "NOERROR", "by": "hosts",
                       "answers": [a("one.test.test.test.split-name.", "1.1.1.1")]},
    "view_test.go#4": {"rcode": "NOERROR", "by": "hosts", "answers": [a("one.test.split-name.", "1.1.1.1")]},
    "view_test.go#5": {"rcode": "NOERROR", "by": "hosts",
                       "answers": [a("two.test.test.test.split-name.", "2.2.2.2")]},
    "view_test.go#7": {"rcode": "NOERROR", "by": "hosts", "answers": [a("default.test.split-name.", "3.3.3.3")]},
    "view_test.go#8": {"rcode": "NOERROR", "by": "hosts", "answers": [a("test.metadata.", "2.2.2.2")]},
    "view_test.go#9": {"rcode": "NOERROR", "by": "hosts", "answers": [a("test.order-test.", "1.2.3.4")]},
    "view_test.go#10": {"rcode": "NOERROR", "by": "hosts",
                        "answers": [a("test.order-test.", "1:2:3::4", "AAAA")]},
    "view_test.go#11": {"rcode": "NOERROR", "by": "hosts", "answers": []},
    "view_test.go#12": {"rcode": "NOERROR", "by": "hosts", "answers": [a("test.order-test2.", "5.6.7.8")]},
    "view_test.go#14": {"rcode": "NOERROR", "by": "hosts", "answers": []},
    "view_test.go#15": {"rcode": "NOERROR", "by": "hosts", "answers": [a("test.order-test4.", "1.2.3.4")]},
    "view_test.go#16": REFUSED,
}


def _vectors():
    if not VECTORS.is_file():
        return []
    with open(VECTORS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


pytestmark = pytest.mark.skipif(not VECTORS.is_file(), reason="../shared/conformance is absent")


def test_every_expectation_has_its_vector():
    ids = {v["id"] for v in _vectors()}
    assert set(EXPECTED) <= ids, "a resolve vector was removed or renamed: update EXPECTED"


@pytest.mark.parametrize("vector", _vectors(), ids=lambda v: v["id"])
def test_resolve_vector(vector):
    corefile = parse(vector["corefile"])
    configs = listeners.zone_configs(corefile)
    port = configs[0].port if configs else "53"     # the test sends its query to the blocks' (shared) port
    result = Simulator(corefile).simulate(vector["qname"], vector["qtype"], vector.get("qclass", "IN"), port=port)
    if vector["id"] not in EXPECTED:
        # A vector added to ../shared after these expectations were written: its answer is free text, so all
        # that can be asserted without reading it is that the simulation completes with a verdict.
        assert result.rcode is not None or result.unknown or result.forwarded_to is not None or result.dropped
        pytest.skip(f"{vector['id']}: no written expectation yet")
    want = EXPECTED[vector["id"]]
    assert result.rcode == want["rcode"], result.routing.reason
    assert (result.answered_by or {}).get("plugin") == want["by"]
    assert [(r.name, r.type, r.data) for r in result.answers] == want["answers"]
    if "additional" in want:
        assert len(result.additional) == want["additional"]
    if "trace" in want:
        plugin, text = want["trace"]
        assert any(s.plugin == plugin and text in s.reason for s in result.trace), [s.reason for s in result.trace]
