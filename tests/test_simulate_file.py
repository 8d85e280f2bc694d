"""file: answers from a zone file (samples/simulate/db.example.org), as plugin/file/lookup.go finds them."""
from __future__ import annotations

from pathlib import Path

import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "simulate"


@pytest.fixture(scope="module")
def sim():
    text = f"""
    example.org {{
        file {SAMPLES / 'db.example.org'}
    }}
    example.net {{
        file {SAMPLES / 'db.example.org'} example.org {{
            fallthrough
        }}
        whoami
    }}
    alone.test {{
        file {SAMPLES / 'db.example.org'} example.org
    }}
    . {{
        template IN A example.com {{
            answer "{{{{ .Name }}}} 60 IN A 198.51.100.1"
        }}
    }}
    """
    return Simulator(parse(text))


def answers(r):
    return [(x.name, x.type, x.data) for x in r.answers]


def test_positive_answer_with_additional_processing(sim):
    r = sim.simulate("www.example.org", "A")
    assert (r.rcode, answers(r)) == ("NOERROR", [("www.example.org.", "A", "192.0.2.80")])
    mx = sim.simulate("example.org", "MX")
    assert answers(mx) == [("example.org.", "MX", "10 mail.example.org.")]
    assert [(x.name, x.data) for x in mx.additional] == [("mail.example.org.", "192.0.2.25")]


def test_apex_soa_and_ns(sim):
    assert sim.simulate("example.org", "SOA").answers[0].data.startswith("ns1.example.org. hostmaster")
    assert answers(sim.simulate("example.org", "NS")) == [("example.org.", "NS", "ns1.example.org.")]


def test_nxdomain_and_nodata_carry_the_soa(sim):
    nx = sim.simulate("nope.example.org")
    assert nx.rcode == "NXDOMAIN" and [x.type for x in nx.authority] == ["SOA"]
    nodata = sim.simulate("mail.example.org", "AAAA")
    assert nodata.rcode == "NOERROR" and nodata.answers == [] and nodata.authority[0].type == "SOA"


def test_empty_non_terminal_is_noerror_without_answers(sim):
    r = sim.simulate("b.c.example.org", "A")
    assert r.rcode == "NOERROR" and r.answers == []
    assert "empty non-terminal" in r.trace[-1].reason


def test_cname_inside_the_zone_is_followed(sim):
    r = sim.simulate("shop.example.org", "A")
    assert answers(r) == [("shop.example.org.", "CNAME", "www.example.org."), ("www.example.org.", "A", "192.0.2.80")]


def test_cname_out_of_the_zone_is_looked_up_through_the_server(sim):
    r = sim.simulate("alias.example.org", "A")
    # www.example.net is served by this server's example.net block (the same zone file loaded as example.org:
    # no such name there, fallthrough → whoami answers NOERROR without records).
    assert answers(r)[0] == ("alias.example.org.", "CNAME", "www.example.net.")
    assert any("[lookup www.example.net. A]" in s.reason for s in r.trace)


def test_wildcard_synthesis(sim):
    r = sim.simulate("anything.apps.example.org", "A")
    assert answers(r) == [("anything.apps.example.org.", "A", "192.0.2.90")]
    assert "wildcard *.apps.example.org." in r.trace[-1].reason


def test_delegation_is_a_referral(sim):
    r = sim.simulate("host.sub.example.org", "A")
    assert r.rcode == "NOERROR" and r.answers == []
    assert [(x.type, x.data) for x in r.authority] == [("NS", "ns.sub.example.org.")]
    assert [(x.name, x.data) for x in r.additional] == [("ns.sub.example.org.", "192.0.2.53")]
    assert "referral" in r.trace[-1].reason


def test_ds_at_the_delegation_point_is_answered_by_the_parent(sim):
    r = sim.simulate("sub.example.org", "DS")
    assert r.rcode == "NOERROR" and r.authority[0].type == "SOA"      # NODATA from the parent zone


def test_fallthrough_passes_nxdomain_and_empty_answers_on(tmp_path):
    zone = tmp_path / "db.fall.example"
    zone.write_text("$ORIGIN fall.example.\n@ 300 IN SOA ns hostmaster 1 2 3 4 5\nwww 300 IN A 192.0.2.1\n"
                    "a.b 300 IN A 192.0.2.2\n", encoding="utf-8")
    text = f"fall.example {{\n file {zone} {{\n fallthrough\n }}\n whoami\n}}\n"
    sim = Simulator(parse(text))
    assert sim.simulate("www.fall.example").answered_by["plugin"] == "file"
    nx = sim.simulate("nope.fall.example")
    assert nx.answered_by["plugin"] == "whoami"
    assert "fallthrough for every name" in nx.trace[0].reason
    assert sim.simulate("b.fall.example").answered_by["plugin"] == "whoami"       # empty non-terminal
    nodata = sim.simulate("www.fall.example", "TXT")
    assert nodata.answered_by["plugin"] == "file" and nodata.rcode == "NOERROR"   # NODATA does not fall


def test_name_outside_its_zones_when_file_is_last_is_refused(sim):
    r = sim.simulate("www.alone.test", "A")
    assert r.rcode == "REFUSED" and r.answered_by["plugin"] == "file"
    assert "last plugin" in r.trace[-1].reason


def test_unreadable_or_broken_zone_files(tmp_path):
    broken = tmp_path / "db.broken"
    broken.write_text("$ORIGIN example.org.\n@ IN SOA ns1 host 1 2 3 4 5\nwww IN A not-an-address\n",
                      encoding="utf-8")
    text = f"example.org {{\n file {broken}\n}}\nexample.net {{\n file /nonexistent/db.example.net\n}}\n"
    sim = Simulator(parse(text))
    r = sim.simulate("www.example.org")
    assert r.rcode is None and "does not parse" in r.unknown
    missing = sim.simulate("www.example.net")
    assert missing.rcode is None and "not readable here" in missing.unknown


def test_relative_zone_file_is_read_next_to_the_corefile():
    r = Simulator(parse(SAMPLES / "Corefile")).simulate("www.example.org")
    assert answers(r) == [("www.example.org.", "A", "192.0.2.80")]
