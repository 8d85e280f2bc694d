"""file, auto and hosts answers, rule by rule, as CoreDNS gives them (plugin/file/lookup.go and zone.go,
plugin/auto/walk.go, plugin/hosts/hosts.go), on zone data written for these tests."""
from __future__ import annotations

import ipaddress
import json
import os

import dns.message
import dns.rrset
import pytest
from click.testing import CliRunner

from corefile_tool.cli import main
from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator

ZONE = """$ORIGIN lab.test.
@          600 IN SOA ns1 hostmaster 41 3600 600 86400 300
@          600 IN NS  ns1
ns1            IN A   192.0.2.1
pair        60 IN A   192.0.2.10
pair       900 IN A   192.0.2.11
pair           IN A   192.0.2.11
$TTL 600
alias          IN CNAME pair
alias          IN TXT "kept beside the CNAME"
_Ldap._TCP     IN SRV 0 5 389 Pair.lab.test.
mail           IN MX  10 PAIR.lab.test.
svc            IN SVCB 1 Pair.Lab.Test. alpn=h2
kids           IN NS  ns.kids
kids           IN NS  ns1.lab.test.
ns.kids        IN A   192.0.2.20
outward        IN CNAME far.example.net.
far.example.net. IN A 198.51.100.9
moved          IN DNAME current.lab.test.
www.current    IN A   192.0.2.30
moved          IN TXT "the DNAME owner's own data"
mirror         IN DNAME mirror.lab.test.
*.spin         IN CNAME round.spin.lab.test.
hop0           IN CNAME hop1
hop1           IN CNAME hop2
hop2           IN CNAME hop3
hop3           IN CNAME hop4
hop4           IN CNAME hop5
hop5           IN CNAME hop6
hop6           IN CNAME hop7
hop7           IN CNAME hop8
hop8           IN CNAME hop9
hop9           IN CNAME hop10
hop10          IN A   192.0.2.99
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    d = tmp_path_factory.mktemp("lab")
    (d / "db.lab").write_text(ZONE, encoding="utf-8")
    return Simulator(parse(f"lab.test {{\n    file {d / 'db.lab'}\n}}\n"))


def rrs(records):
    return [(r.name, r.type, r.ttl, r.data) for r in records]


def test_each_record_keeps_its_own_ttl_and_duplicates_stay(lab):
    # zone.go inserts record by record: no RRset merging, so no common TTL and no de-duplication.
    r = lab.simulate("pair.lab.test", "A")
    assert rrs(r.answers) == [("pair.lab.test.", "A", 60, "192.0.2.10"), ("pair.lab.test.", "A", 900, "192.0.2.11"),
                              ("pair.lab.test.", "A", 900, "192.0.2.11")]


def test_a_record_without_ttl_takes_the_last_one_stated_not_the_soa_minimum(lab):
    r = lab.simulate("ns1.lab.test", "A")
    assert rrs(r.answers) == [("ns1.lab.test.", "A", 600, "192.0.2.1")]


def test_a_cname_beside_other_data_is_followed_for_every_other_type(lab):
    txt = lab.simulate("alias.lab.test", "TXT")
    assert [(x.type, x.data) for x in txt.answers] == [("CNAME", "pair.lab.test.")]
    a = lab.simulate("alias.lab.test", "A")
    assert [x.type for x in a.answers] == ["CNAME", "A", "A", "A"]
    assert [x.data for x in lab.simulate("alias.lab.test", "CNAME").answers] == ["pair.lab.test."]


def test_srv_owner_keeps_its_case_and_is_found_case_insensitively(lab):
    r = lab.simulate("_ldap._tcp.lab.test", "SRV")
    assert rrs(r.answers) == [("_Ldap._TCP.lab.test.", "SRV", 600, "0 5 389 Pair.lab.test.")]
    # additionalProcessing looks the target up canonically and adds each address once per target
    assert [(x.name, x.data) for x in r.additional] == [("pair.lab.test.", "192.0.2.10"),
                                                        ("pair.lab.test.", "192.0.2.11"),
                                                        ("pair.lab.test.", "192.0.2.11")]


def test_mx_and_svcb_targets_are_lower_cased_on_insert(lab):
    assert [x.data for x in lab.simulate("mail.lab.test", "MX").answers] == ["10 pair.lab.test."]
    svcb = lab.simulate("svc.lab.test", "SVCB")
    assert svcb.answers[0].data.split()[1] == "pair.lab.test."
    assert len(svcb.additional) == 3


def test_referral_glue_is_only_for_targets_inside_the_delegation(lab):
    r = lab.simulate("host.kids.lab.test", "A")
    assert r.rcode == "NOERROR" and r.answers == []
    assert [x.data for x in r.authority] == ["ns.kids.lab.test.", "ns1.lab.test."]
    # ns1.lab.test. is in the zone but not below kids.lab.test.: tree.Glue leaves it out
    assert [(x.name, x.data) for x in r.additional] == [("ns.kids.lab.test.", "192.0.2.20")]


def test_records_outside_the_origin_answer_a_cname_target_from_the_zone(lab):
    r = lab.simulate("outward.lab.test", "A")
    assert rrs(r.answers) == [("outward.lab.test.", "CNAME", 600, "far.example.net."),
                              ("far.example.net.", "A", 600, "198.51.100.9")]
    assert not any("[lookup" in s.reason for s in r.trace)


def test_dname_substitution_gives_the_dname_a_cname_and_the_target(lab):
    r = lab.simulate("www.moved.lab.test", "A")
    assert r.rcode == "NOERROR" and r.answered_by["plugin"] == "file"
    assert rrs(r.answers) == [("moved.lab.test.", "DNAME", 600, "current.lab.test."),
                              ("www.moved.lab.test.", "CNAME", 600, "www.current.lab.test."),
                              ("www.current.lab.test.", "A", 600, "192.0.2.30")]
    only = lab.simulate("www.moved.lab.test", "CNAME")
    assert [x.type for x in only.answers] == ["DNAME", "CNAME"]
    # the synthesised target does not exist: NXDOMAIN with the SOA, the DNAME and CNAME kept
    gone = lab.simulate("nothing.moved.lab.test", "A")
    assert gone.rcode == "NXDOMAIN" and [x.type for x in gone.answers] == ["DNAME", "CNAME"]
    assert [x.type for x in gone.authority] == ["SOA"]


def test_the_dname_owner_itself_answers_its_own_data(lab):
    r = lab.simulate("moved.lab.test", "TXT")
    assert rrs(r.answers) == [("moved.lab.test.", "TXT", 600, '"the DNAME owner\'s own data"')]


def test_a_dname_that_maps_a_name_onto_itself_is_servfail(lab):
    r = lab.simulate("x.mirror.lab.test", "A")
    assert r.rcode == "SERVFAIL" and r.answers == [] and r.answered_by["plugin"] == "file"


def test_a_wildcard_cname_to_itself_stops_at_the_loop_guard(lab):
    r = lab.simulate("anything.spin.lab.test", "A")
    assert r.rcode == "SERVFAIL" and r.unknown == ""
    # the question's CNAME, then one per nested lookup until the 9th chase fails (loop > 8)
    assert [x.type for x in r.answers] == ["CNAME"] * 9
    assert sum("[lookup round.spin.lab.test. A]" in s.reason for s in r.trace) > 0


def test_a_cname_chain_in_the_zone_is_cut_after_nine_links(lab):
    r = lab.simulate("hop0.lab.test", "A")
    assert r.rcode == "NOERROR"
    assert [x.name for x in r.answers] == [f"hop{i}.lab.test." for i in range(10)]
    assert "cut short" in r.trace[-1].reason


def test_a_cname_loop_across_two_zones_is_servfail(tmp_path):
    (tmp_path / "db.one").write_text("@ 60 IN SOA ns host 1 2 3 4 5\n@ 60 IN NS ns.one.test.\n"
                                     "ping 60 IN CNAME pong.two.test.\n", encoding="utf-8")
    (tmp_path / "db.two").write_text("@ 60 IN SOA ns host 1 2 3 4 5\n@ 60 IN NS ns.two.test.\n"
                                     "pong 60 IN CNAME ping.one.test.\n", encoding="utf-8")
    sim = Simulator(parse(f"one.test {{\n file {tmp_path / 'db.one'}\n}}\n"
                          f"two.test {{\n file {tmp_path / 'db.two'}\n}}\n"))
    r = sim.simulate("ping.one.test", "A")
    assert r.rcode == "SERVFAIL" and r.unknown == ""
    assert [x.name for x in r.answers[:2]] == ["ping.one.test.", "pong.two.test."]


def test_an_nsec3_zone_does_not_load(tmp_path):
    (tmp_path / "db.n3").write_text("@ 60 IN SOA ns host 1 2 3 4 5\n"
                                    "@ 60 IN NSEC3PARAM 1 0 0 -\n", encoding="utf-8")
    r = Simulator(parse(f"n3.test {{\n file {tmp_path / 'db.n3'}\n}}\n")).simulate("n3.test", "SOA")
    assert r.rcode is None and "NSEC3" in r.unknown


def test_the_dname_answer_survives_a_dns_message(lab):
    r = lab.simulate("www.moved.lab.test", "A")
    response = dns.message.make_response(dns.message.make_query(r.qname, r.qtype))
    for x in r.answers:
        response.answer.append(dns.rrset.from_text(x.name, x.ttl, "IN", x.type, x.data))
    back = dns.message.from_wire(response.to_wire())
    assert [(s.name.to_text(), s[0].to_text()) for s in back.answer] == [
        ("moved.lab.test.", "current.lab.test."), ("www.moved.lab.test.", "www.current.lab.test."),
        ("www.current.lab.test.", "192.0.2.30")]


# ------------------------------------------------------------------------------------------------- hosts

def test_hosts_answers_with_the_lower_cased_question_name():
    sim = Simulator(parse(". {\n    hosts {\n        192.0.2.77 Printer.Office.test\n    }\n}\n"))
    r = sim.simulate("PRINTER.office.TEST", "A")
    assert rrs(r.answers) == [("printer.office.test.", "A", 3600, "192.0.2.77")]


def test_hosts_ptr_of_an_ip6_arpa_name_finds_an_ipv4_mapped_entry():
    sim = Simulator(parse(". {\n    hosts {\n        ::ffff:192.0.2.78 mapped.office.test\n    }\n}\n"))
    v6 = ipaddress.ip_address("::ffff:192.0.2.78").reverse_pointer + "."
    assert [x.data for x in sim.simulate(v6, "PTR").answers] == ["mapped.office.test."]
    assert [x.data for x in sim.simulate("78.2.0.192.in-addr.arpa", "PTR").answers] == ["mapped.office.test."]


# -------------------------------------------------------------------------------------------------- auto

AUTO_ZONE = "@ 300 IN SOA ns1 admin {serial} 3600 600 86400 300\n@ 300 IN NS ns1\nwww 300 IN A {addr}\n"


@pytest.fixture()
def zones(tmp_path):
    z = tmp_path / "zones"
    (z / "nested").mkdir(parents=True)
    (z / "db.alpha.test").write_text(AUTO_ZONE.format(serial=1, addr="192.0.2.101"), encoding="utf-8")
    (z / "nested" / "db.beta.test").write_text(AUTO_ZONE.format(serial=1, addr="192.0.2.102"), encoding="utf-8")
    (z / "notes.txt").write_text("not a zone\n", encoding="utf-8")
    return tmp_path


def auto_sim(base, body, keys="alpha.test beta.test gamma.test", rest=""):
    (base / "Corefile").write_text(f"{keys} {{\n    auto {{\n{body}\n    }}\n{rest}}}\n", encoding="utf-8")
    return Simulator(parse(base / "Corefile"))


def test_auto_serves_every_matching_file_below_its_directory(zones):
    sim = auto_sim(zones, "        directory zones")
    a = sim.simulate("www.alpha.test")
    assert a.answered_by["plugin"] == "auto" and [x.data for x in a.answers] == ["192.0.2.101"]
    assert [x.data for x in sim.simulate("www.beta.test").answers] == ["192.0.2.102"]
    nx = sim.simulate("nope.alpha.test")
    assert nx.rcode == "NXDOMAIN" and [x.type for x in nx.authority] == ["SOA"]


def test_auto_without_a_zone_for_the_name_refuses_when_last_and_passes_otherwise(zones):
    last = auto_sim(zones, "        directory zones").simulate("www.gamma.test")
    assert last.rcode == "REFUSED" and last.answered_by["plugin"] == "auto"
    passed = auto_sim(zones, "        directory zones", rest="    whoami\n").simulate("www.gamma.test")
    assert passed.answered_by["plugin"] == "whoami"


def test_auto_regexp_and_origin_template(zones):
    (zones / "zones" / "gamma.test.zone").write_text(AUTO_ZONE.format(serial=1, addr="192.0.2.103"),
                                                     encoding="utf-8")
    sim = auto_sim(zones, r"        directory zones (.*)\.zone {1}")
    assert [x.data for x in sim.simulate("www.gamma.test").answers] == ["192.0.2.103"]
    assert sim.simulate("www.alpha.test").rcode == "REFUSED"      # db.alpha.test does not match this regexp


def test_auto_keeps_the_first_file_of_an_origin_even_when_it_does_not_parse(zones):
    z = zones / "zones"
    (z / "gamma.test.a").write_text("this is not a zone\n", encoding="utf-8")
    (z / "gamma.test.b").write_text(AUTO_ZONE.format(serial=2, addr="192.0.2.104"), encoding="utf-8")
    r = auto_sim(zones, r"        directory zones (gamma\.test)\.[ab] {1}").simulate("www.gamma.test")
    assert r.rcode == "REFUSED" and "gamma.test.a" in r.trace[-1].reason
    (z / "gamma.test.a").write_text(AUTO_ZONE.format(serial=3, addr="192.0.2.105"), encoding="utf-8")
    r = auto_sim(zones, r"        directory zones (gamma\.test)\.[ab] {1}").simulate("www.gamma.test")
    assert [x.data for x in r.answers] == ["192.0.2.105"]


def test_auto_refuses_transfers_and_names_of_its_zones_with_no_file(zones):
    sim = auto_sim(zones, "        directory zones", keys="alpha.test example.org")
    missing = sim.simulate("www.example.org")
    assert missing.rcode == "REFUSED" and "no zone file" in missing.trace[-1].reason
    axfr = sim.simulate("alpha.test", "AXFR")
    assert axfr.rcode == "REFUSED" and "transfer" in axfr.trace[-1].reason


def test_auto_zones_argument_narrows_the_block_zones(zones):
    sim = Simulator(parse(f"test {{\n    auto alpha.test {{\n        directory {zones / 'zones'}\n    }}\n}}\n"))
    assert [x.data for x in sim.simulate("www.alpha.test").answers] == ["192.0.2.101"]
    outside = sim.simulate("www.beta.test")      # beta.test is loaded but outside auto's zones: next plugin
    assert outside.rcode == "SERVFAIL" and outside.answered_by is None


def test_auto_says_unknown_when_its_directory_is_not_here(tmp_path):
    sim = Simulator(parse(". {\n    auto {\n        directory /nonexistent/zones\n    }\n}\n"))
    r = sim.simulate("www.example.org")
    assert r.rcode is None and "not readable here" in r.unknown


def test_auto_says_unknown_for_regexp_syntax_only_re2_reads(zones):
    r = auto_sim(zones, r"        directory zones db\.([[:alpha:].]+) {1}").simulate("www.alpha.test")
    assert r.rcode is None and "RE2" in r.unknown


def test_auto_in_the_json_output(zones):
    path = zones / "Corefile"
    path.write_text("beta.test {\n    auto {\n        directory zones\n    }\n}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", os.fspath(path), "www.beta.test", "--format", "json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.output)["results"][0]
    assert r["answered_by"]["plugin"] == "auto" and r["rcode"] == "NOERROR"
    assert r["answers"] == [{"name": "www.beta.test.", "type": "A", "ttl": 300, "data": "192.0.2.102"}]


def test_auto_keeps_the_case_of_the_file_name_in_the_origin(tmp_path):
    # walk.go makes the origin with dns.Fqdn (case kept) while zone.go lower-cases owner names: the apex NS no
    # longer equals the origin, lands in the tree, and lookup.go finds it as a zone cut at the apex.
    (tmp_path / "zones").mkdir()
    (tmp_path / "zones" / "db.Mixed.TEST").write_text(AUTO_ZONE.format(serial=1, addr="192.0.2.106"),
                                                      encoding="utf-8")
    r = auto_sim(tmp_path, "        directory zones", keys="mixed.test").simulate("www.mixed.test")
    assert r.rcode == "NOERROR" and r.answers == []
    assert [(x.name, x.type) for x in r.authority] == [("mixed.test.", "NS")]
    assert "delegated" in r.trace[-1].reason


def test_a_relative_include_is_read_next_to_the_including_zone_file(tmp_path, monkeypatch):
    (tmp_path / "zones" / "parts").mkdir(parents=True)
    (tmp_path / "zones" / "db.inc").write_text("$ORIGIN inc.test.\n@ 60 IN SOA ns host 1 2 3 4 5\n@ 60 IN NS ns\n"
                                               "$INCLUDE parts/hosts.db\nlater IN A 192.0.2.42\n", encoding="utf-8")
    (tmp_path / "zones" / "parts" / "hosts.db").write_text("inner 30 IN A 192.0.2.41\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)       # not the zone file's directory: miekg/dns (scan.go) does not use it either
    sim = Simulator(parse(f"inc.test {{\n    file {tmp_path / 'zones' / 'db.inc'}\n}}\n"))
    assert rrs(sim.simulate("inner.inc.test").answers) == [("inner.inc.test.", "A", 30, "192.0.2.41")]
    # the included file's TTLs stay inside it: the next record takes the last TTL of the including file
    assert rrs(sim.simulate("later.inc.test").answers) == [("later.inc.test.", "A", 60, "192.0.2.42")]


def test_text_output_calls_a_delegation_a_referral_not_nodata(tmp_path):
    (tmp_path / "db.parent.test").write_text(
        "$ORIGIN parent.test.\n@ 300 IN SOA ns hostmaster 1 3600 600 86400 300\n@ 300 IN NS ns\n"
        "ns 300 IN A 192.0.2.53\nchild 300 IN NS ns.child\nns.child 300 IN A 192.0.2.54\n", encoding="utf-8")
    (tmp_path / "Corefile").write_text("parent.test {\n    file db.parent.test\n}\n", encoding="utf-8")
    corefile = str(tmp_path / "Corefile")
    referral = CliRunner().invoke(main, ["simulate", corefile, "host.child.parent.test"])
    empty = CliRunner().invoke(main, ["simulate", corefile, "ns.parent.test", "--type", "MX"])
    assert "referral to the delegated zone's name servers" in referral.output, referral.output
    assert "NODATA" not in referral.output
    assert "no answer (NODATA)" in empty.output, empty.output
