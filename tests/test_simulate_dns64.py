"""dns64: AAAA synthesis from A answers (coredns plugin/dns64/dns64.go), on Corefiles with hosts, template, file
and kubernetes answers."""
from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from click.testing import CliRunner

from corefile_tool.cli import main
from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator
from corefile_tool.simulator.cluster_state import cluster_state_from_data
from corefile_tool.simulator.plugins.dns64 import synthesize

V6_CLIENT = "2001:db8:ffff::7"

HOSTS = """
lab.test {
    dns64%s
    hosts {
        203.0.113.5 only4.lab.test
        203.0.113.6 both.lab.test
        2001:db8:6::6 both.lab.test
        198.51.100.200 two.lab.test
        198.51.100.201 two.lab.test
    }
}
"""


def sim(text, **kw):
    return Simulator(parse(text), **kw)


def aaaa(result):
    return [(r.name, r.type, r.ttl, r.data) for r in result.answers]


def wire_round_trip(result):
    """The answers as a DNS response built with dnspython: every record must be valid and survive the wire."""
    query = dns.message.make_query(result.qname, result.qtype)
    response = dns.message.make_response(query)
    for r in result.answers:
        response.answer.append(dns.rrset.from_text(r.name, r.ttl, "IN", r.type, r.data))
    back = dns.message.from_wire(response.to_wire())
    return [(rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rrset.ttl, rd.to_text())
            for rrset in back.answer for rd in rrset]


# RFC 6052 section 2.4, Table 1: 192.0.2.33 embedded in each allowed prefix length.
@pytest.mark.parametrize("prefix, expected", [
    ("2001:db8::/32", "2001:db8:c000:221::"),
    ("2001:db8:100::/40", "2001:db8:1c0:2:21::"),
    ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::"),
    ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"),
    ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"),
    ("2001:db8:122:344::/96", "2001:db8:122:344::c000:221"),
])
def test_address_layout_follows_rfc6052(prefix, expected):
    assert ipaddress.IPv6Address(synthesize(ipaddress.IPv6Network(prefix), "192.0.2.33")) == \
        ipaddress.IPv6Address(expected)


def test_ipv4_only_name_gets_synthesised_aaaa_with_the_well_known_prefix():
    r = sim(HOSTS % "").simulate("only4.lab.test", "AAAA", client_ip=V6_CLIENT)
    # hosts answers NODATA without an SOA, so the TTL is min(3600, 600).
    assert aaaa(r) == [("only4.lab.test.", "AAAA", 600, "64:ff9b::cb00:7105")]
    assert r.rcode == "NOERROR" and r.answered_by["plugin"] == "dns64"
    assert wire_round_trip(r) == aaaa(r)
    reasons = [s.reason for s in r.trace]
    assert any(x.startswith("[lookup only4.lab.test. A]") for x in reasons)
    assert "203.0.113.5 → 64:ff9b::cb00:7105" in reasons[-1]


def test_every_a_record_is_translated():
    r = sim(HOSTS % "").simulate("two.lab.test", "AAAA", client_ip=V6_CLIENT)
    got = sorted(ipaddress.IPv6Address(x[3]).packed[12:] for x in aaaa(r))
    assert got == sorted(ipaddress.IPv4Address(a).packed for a in ("198.51.100.200", "198.51.100.201"))


def test_ipv4_clients_are_not_translated_unless_allow_ipv4():
    plain = sim(HOSTS % "")
    for client in ("127.0.0.1", "::ffff:192.0.2.9"):      # an IPv4-mapped address is IPv4 too (request.Family)
        r = plain.simulate("only4.lab.test", "AAAA", client_ip=client)
        assert (r.rcode, r.answers, r.answered_by["plugin"]) == ("NOERROR", [], "hosts")
        assert "over IPv4" in r.trace[0].reason
    allowed = sim(HOSTS % " {\n        allow_ipv4\n    }").simulate("only4.lab.test", "AAAA")
    assert [x[3] for x in aaaa(allowed)] == ["64:ff9b::cb00:7105"]


def test_allow_ipv4_is_unknown_before_1_8_7():
    r = Simulator(parse(HOSTS % " {\n        allow_ipv4\n    }"), "1.8.6").simulate("only4.lab.test", "AAAA")
    assert r.rcode is None and "unknown property 'allow_ipv4'" in r.unknown


def test_existing_aaaa_is_kept_unless_translate_all():
    kept = sim(HOSTS % "").simulate("both.lab.test", "AAAA", client_ip=V6_CLIENT)
    assert [x[3] for x in aaaa(kept)] == ["2001:db8:6::6"] and kept.answered_by["plugin"] == "hosts"
    translated = sim(HOSTS % " {\n        translate_all\n    }").simulate("both.lab.test", "AAAA", client_ip=V6_CLIENT)
    assert [x[3] for x in aaaa(translated)] == ["64:ff9b::cb00:7106"]


def test_other_types_pass_untouched():
    r = sim(HOSTS % "").simulate("only4.lab.test", "A", client_ip=V6_CLIENT)
    assert [x.data for x in r.answers] == ["203.0.113.5"] and r.answered_by["plugin"] == "hosts"
    assert r.trace[0].decision == "pass" and "only AAAA" in r.trace[0].reason


def test_custom_prefix_and_the_block_after_a_prefix_argument():
    short = sim(HOSTS % " 2001:db8:64::/48").simulate("only4.lab.test", "AAAA", client_ip=V6_CLIENT)
    assert [x[3] for x in aaaa(short)] == ["2001:db8:64:cb00:71:500::"]
    in_block = sim(HOSTS % " {\n        prefix 2001:db8:aa::/96\n    }").simulate("only4.lab.test", "AAAA",
                                                                              client_ip=V6_CLIENT)
    assert [x[3] for x in aaaa(in_block)] == ["2001:db8:aa::cb00:7105"]
    # With a PREFIX argument setup.go `continue`s past NextBlock: translate_all below is never read.
    ignored = sim(HOSTS % " 2001:db8:64::/48 {\n        translate_all\n    }")
    r = ignored.simulate("both.lab.test", "AAAA", client_ip=V6_CLIENT)
    assert [x[3] for x in aaaa(r)] == ["2001:db8:6::6"]
    assert "translate_all (line 4)" in r.trace[0].reason


@pytest.mark.parametrize("words, message", [
    (" 198.51.100.0/24", "invalid netmask"),
    (" 2001:db8::/100", "invalid prefix length"),
    (" {\n        prefix\n    }", "Wrong argument count"),
    (" {\n        colour blue\n    }", "unknown property 'colour'"),
])
def test_invalid_configuration_is_reported_not_simulated(words, message):
    r = sim(HOSTS % words).simulate("only4.lab.test", "AAAA", client_ip=V6_CLIENT)
    assert r.rcode is None and message in r.unknown and "would not start" in r.unknown


ZONE = """$ORIGIN v4.test.
@     300 IN SOA ns.v4.test. admin.v4.test. 7 3600 600 86400 30
@     300 IN NS  ns.v4.test.
ns    300 IN A   192.0.2.53
www   7200 IN A  192.0.2.80
alias 7200 IN CNAME www.v4.test.
dangling 60 IN CNAME gone.v4.test.
"""


@pytest.fixture()
def zone_sim(tmp_path):
    (tmp_path / "db.v4").write_text(ZONE)
    corefile = tmp_path / "Corefile"
    corefile.write_text("v4.test {\n    dns64\n    file db.v4\n}\n")
    return lambda version=None: Simulator(parse(corefile), version)


def test_soa_ttl_of_the_nodata_reply_caps_the_ttl(zone_sim):
    s = zone_sim()
    nodata = s.simulate("www.v4.test", "AAAA")              # IPv4 client: the zone's own NODATA
    soa_ttl = [x.ttl for x in nodata.authority if x.type == "SOA"][0]
    r = s.simulate("www.v4.test", "AAAA", client_ip=V6_CLIENT)
    assert aaaa(r) == [("www.v4.test.", "AAAA", min(7200, soa_ttl), "64:ff9b::c000:250")]
    assert [x.type for x in r.authority] == [x.type for x in s.simulate("www.v4.test", "A").authority]


def test_cname_is_kept_and_its_target_translated(zone_sim):
    r = zone_sim().simulate("alias.v4.test", "AAAA", client_ip=V6_CLIENT)
    assert [(x.name, x.type) for x in r.answers] == [("alias.v4.test.", "CNAME"), ("www.v4.test.", "AAAA")]
    assert r.answers[1].data == "64:ff9b::c000:250"
    assert wire_round_trip(r) == aaaa(r)


def test_nxdomain_is_returned_as_is(zone_sim):
    r = zone_sim().simulate("nothing.v4.test", "AAAA", client_ip=V6_CLIENT)
    assert r.rcode == "NXDOMAIN" and r.answered_by["plugin"] == "file"
    assert "NXDOMAIN: returned as is" in r.trace[-1].reason


def test_nxdomain_with_an_answer_depends_on_the_version(zone_sim):
    # A CNAME into nothing: NXDOMAIN with the CNAME in the answer. typify.go (1.14.5, #8199) calls that
    # OtherError, so dns64 translates it (NOERROR, the CNAME kept); before, NXDOMAIN with an SOA was NameError.
    new = zone_sim().simulate("dangling.v4.test", "AAAA", client_ip=V6_CLIENT)
    assert (new.rcode, [x.type for x in new.answers], new.answered_by["plugin"]) == ("NOERROR", ["CNAME"], "dns64")
    old = zone_sim("1.14.4").simulate("dangling.v4.test", "AAAA", client_ip=V6_CLIENT)
    assert (old.rcode, old.answered_by["plugin"]) == ("NXDOMAIN", "file")


def test_template_nxdomain_without_soa_depends_on_the_version():
    text = """
    t.test {
        dns64
        template IN AAAA t.test {
            rcode NXDOMAIN
        }
        template IN A t.test {
            answer "{{ .Name }} 30 IN A 192.0.2.99"
        }
    }
    """
    new = Simulator(parse(text)).simulate("x.t.test", "AAAA", client_ip=V6_CLIENT)
    assert new.rcode == "NXDOMAIN" and new.answered_by["plugin"] == "template"
    old = Simulator(parse(text), "1.14.4").simulate("x.t.test", "AAAA", client_ip=V6_CLIENT)
    assert aaaa(old) == [("x.t.test.", "AAAA", 30, "64:ff9b::c000:263")] and old.rcode == "NOERROR"


def test_kubernetes_service_from_the_cluster_state():
    state = cluster_state_from_data({"services": [
        {"name": "api", "namespace": "shop", "clusterIP": "10.96.3.4", "ports": [{"name": "http", "port": 80}]}]})
    text = """
    cluster.local {
        dns64 {
            prefix 2001:db8:46::/96
        }
        kubernetes
    }
    """
    r = Simulator(parse(text), cluster_state=state).simulate("api.shop.svc.cluster.local", "AAAA",
                                                             client_ip=V6_CLIENT)
    # The kubernetes NODATA carries its SOA with the plugin's TTL (5 s), the A record too.
    assert aaaa(r) == [("api.shop.svc.cluster.local.", "AAAA", 5, "2001:db8:46::a60:304")]


def test_forwarded_names_stay_unknown():
    text = ". {\n    dns64 {\n        translate_all\n    }\n    forward . 192.0.2.53\n}\n"
    r = sim(text).simulate("example.com", "AAAA", client_ip=V6_CLIENT)
    assert r.rcode is None and r.forwarded_to == ["192.0.2.53:53"]
    assert any("dns64" in n and "translate_all" in n for n in r.notes)


def test_dns64_alone_answers_servfail():
    r = sim("alone.test {\n    dns64\n}\n").simulate("x.alone.test", "AAAA", client_ip=V6_CLIENT)
    assert r.rcode == "SERVFAIL" and "panics" in r.trace[-1].reason


def test_cli_json(tmp_path):
    path = tmp_path / "Corefile"
    path.write_text(HOSTS % "")
    out = CliRunner().invoke(main, ["simulate", str(path), "only4.lab.test", "both.lab.test", "--type", "AAAA",
                                    "--client-ip", V6_CLIENT, "--format", "json"])
    assert out.exit_code == 0, out.output
    first, second = json.loads(out.stdout)["results"]
    assert first["answered_by"] == {"plugin": "dns64", "line": 3}
    assert first["answers"] == [{"name": "only4.lab.test.", "type": "AAAA", "ttl": 600, "data": "64:ff9b::cb00:7105"}]
    assert [s["decision"] for s in first["trace"] if s["plugin"] == "dns64"] == ["pass", "pass", "handle"]
    assert second["answered_by"]["plugin"] == "hosts" and second["answers"][0]["data"] == "2001:db8:6::6"
