"""Each plugin's behaviour model on real Corefiles: handle, pass on or change the query, and why."""
from __future__ import annotations


import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator


def run(text, name, qtype="A", path=None, **kw):
    version = kw.pop("version", None)
    return Simulator(parse(text, path=path), version).simulate(name, qtype, **kw)


def step(result, plugin):
    return next(s for s in result.trace if s.plugin == plugin)


def data(result):
    return [(r.type, r.data) for r in result.answers]


# ------------------------------------------------------------------------------------------------ forward

FORWARDS = """
. {
    forward example.org 192.0.2.1 {
        except internal.example.org
    }
    forward example.org 192.0.2.2
    forward . tls://192.0.2.3 [2001:db8::53]:5353 192.0.2.4:53 192.0.2.4 {
        policy round_robin
    }
}
"""


@pytest.mark.parametrize("name,upstreams,line", [
    ("www.example.org", ["192.0.2.1:53"], 3),
    ("example.org", ["192.0.2.1:53"], 3),
    ("a.internal.example.org", ["192.0.2.2:53"], 6),   # excepted by the first, taken by the second
    ("example.com", ["tls://192.0.2.3:853", "[2001:db8::53]:5353", "192.0.2.4:53"], 7),
])
def test_forward_stanzas_are_tried_in_corefile_order(name, upstreams, line):
    r = run(FORWARDS, name)
    assert r.forwarded_to == upstreams
    assert r.answered_by == {"plugin": "forward", "line": line}
    assert r.rcode is None and "upstream" in r.unknown


def test_forward_names_the_policy_and_the_shadowed_stanza():
    r = run(FORWARDS, "www.example.org")
    reason = step(r, "forward").reason
    assert "policy random" in reason
    assert "forward example.org. (line 6) also covers it but is never reached" in reason
    assert "policy round_robin" in step(run(FORWARDS, "example.com"), "forward").reason


def test_a_name_equal_to_from_is_never_excepted():
    text = ". {\n forward example.org 192.0.2.1 {\n except example.org\n }\n}\n"
    assert run(text, "example.org").forwarded_to == ["192.0.2.1:53"]
    assert run(text, "www.example.org").rcode == "SERVFAIL"       # excepted, nothing after forward


def test_forward_from_a_resolv_conf_file(tmp_path):
    (tmp_path / "resolv.conf").write_text("search example\nnameserver 192.0.2.10\nnameserver fe80::1%eth0\n",
                                          encoding="utf-8")
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n forward . resolv.conf\n}\n", encoding="utf-8")
    sim = Simulator(parse(corefile))
    r = sim.simulate("example.com")
    assert r.forwarded_to == ["resolv.conf"]
    assert "lists 192.0.2.10:53, [fe80::1]:53" in step(r, "forward").reason


def test_forward_file_not_readable_here():
    r = run(". {\n forward . /nonexistent/resolv.conf\n}\n", "example.com")
    assert r.forwarded_to == ["/nonexistent/resolv.conf"]
    assert "not readable here" in step(r, "forward").reason


def test_grpc_matches_like_forward():
    r = run(". {\n grpc example.org 192.0.2.9:443\n whoami\n}\n", "www.example.org")
    assert r.answered_by["plugin"] == "grpc" and r.forwarded_to == ["192.0.2.9:443"]
    assert run(". {\n grpc example.org 192.0.2.9:443\n whoami\n}\n", "example.com").answered_by["plugin"] == "whoami"


# ------------------------------------------------------------------------------------------------ hosts

HOSTS = """
example.org {
    hosts %s example.org {
        10.0.0.1 www.example.org
        fd00::2 v6only.example.org
        ttl 60
        fallthrough sub.example.org
    }
    whoami
}
"""


@pytest.fixture
def hosts_file(tmp_path):
    path = tmp_path / "hosts"
    path.write_text("# comment\n10.0.0.9 filed.example.org alias.example.org\n192.0.2.1 other.test\n",
                    encoding="utf-8")
    return str(path)


def test_hosts_inline_and_file_entries(hosts_file):
    text = HOSTS % hosts_file
    www = run(text, "www.example.org")
    assert data(www) == [("A", "10.0.0.1")] and www.answers[0].ttl == 60
    assert data(run(text, "alias.example.org")) == [("A", "10.0.0.9")]
    ptr = run(text, "9.0.0.10.in-addr.arpa", "PTR")
    assert ptr.rcode == "REFUSED"           # the reverse zone is not served by this block


def test_hosts_nodata_servfail_and_fallthrough(hosts_file):
    text = HOSTS % hosts_file
    nodata = run(text, "v6only.example.org", "A")
    assert nodata.rcode == "NOERROR" and nodata.answers == []
    missing = run(text, "missing.example.org")
    assert missing.rcode == "SERVFAIL" and missing.answered_by["plugin"] == "hosts"
    assert "no SOA" in step(missing, "hosts").reason
    through = run(text, "x.sub.example.org")
    assert through.answered_by["plugin"] == "whoami"
    assert "fallthrough for sub.example.org." in step(through, "hosts").reason
    assert run(text, "www.example.org", "MX").answers == []


def test_hosts_ptr_is_answered_from_the_addresses():
    text = ". {\n hosts {\n 10.0.0.1 www.example.org\n }\n}\n"
    r = run(text, "1.0.0.10.in-addr.arpa", "PTR")
    assert data(r) == [("PTR", "www.example.org.")]
    unknown_addr = run(text, "2.0.0.10.in-addr.arpa", "PTR")
    assert unknown_addr.rcode == "SERVFAIL" and unknown_addr.answered_by is None   # passed on to the end


def test_hosts_file_not_readable_leaves_misses_unknown():
    text = ". {\n hosts /nonexistent/hosts {\n 10.0.0.1 www.example.org\n }\n}\n"
    assert data(run(text, "www.example.org")) == [("A", "10.0.0.1")]
    r = run(text, "other.example.org")
    assert r.rcode is None and "not readable here" in r.unknown


def test_hosts_wildcards_exist_from_1_14_5(tmp_path):
    (tmp_path / "hosts").write_text("", encoding="utf-8")
    text = ". {\n hosts %s {\n 10.0.0.7 *.apps.test\n fallthrough\n }\n whoami\n}\n" % (tmp_path / "hosts")
    assert data(run(text, "x.apps.test")) == [("A", "10.0.0.7")]
    assert run(text, "x.apps.test", version="1.14.4").answered_by["plugin"] != "hosts"


# ------------------------------------------------------------------------------------------------ template

TEMPLATES = r"""
. {
    template IN A example.org {
        match "^(?P<label>[a-z]+)-(?P<n>\d+)\.example\.org\.$"
        answer "{{ .Name }} 60 IN A 10.0.{{ .Group.n }}.1"
        additional "extra.example.org. 60 IN TXT \"{{ index .Match 1 }}\""
        fallthrough
    }
    template IN A example.org {
        match ^blocked\.
        rcode NXDOMAIN
    }
    template IN ANY example.net {
        match ^never$
    }
    template IN MX example.com {
        rcode SERVFAIL
    }
    whoami
}
"""


def test_template_renders_the_answer_from_the_regex():
    r = run(TEMPLATES, "web-42.example.org")
    assert data(r) == [("A", "10.0.42.1")]
    assert [(x.name, x.data) for x in r.additional] == [("extra.example.org.", '"web"')]
    assert r.answers[0].ttl == 60


def test_template_rcode_and_fallthrough_between_templates():
    blocked = run(TEMPLATES, "blocked.example.org")
    assert blocked.rcode == "NXDOMAIN" and blocked.answered_by["line"] == 9
    assert "no regex matches, its fallthrough covers the name" in step(blocked, "template").reason


def test_template_without_a_matching_regex_is_servfail():
    r = run(TEMPLATES, "www.example.net", "TXT")
    assert r.rcode == "SERVFAIL"
    assert "no regex matches" in step(r, "template").reason


def test_template_type_mismatch_passes_on_and_servfail_rcode():
    assert run(TEMPLATES, "www.example.org", "AAAA").answered_by["plugin"] == "whoami"
    assert run(TEMPLATES, "example.com", "MX").rcode == "SERVFAIL"
    assert run(TEMPLATES, "other.test").answered_by["plugin"] == "whoami"


def test_template_function_called_with_too_few_arguments_fails_to_render():
    # CoreDNS's own setup test (plugin/template/setup_test.go) accepts `{{ parseInt }}`: text/template only
    # counts a function's arguments when it executes the action, so every query gets SERVFAIL.
    text = '. {\n    template ANY ANY {\n        answer "{{ parseInt }}"\n    }\n}\n'
    r = run(text, "example.org")
    assert r.rcode == "SERVFAIL" and r.answers == []
    assert "wrong number of args for parseInt: got 0" in step(r, "template").reason
    ok = run('. {\n    template IN A {\n        answer "{{ .Name }} 60 IN A 10.0.0.{{ parseInt `7` 10 64 }}"\n'
             '    }\n}\n', "example.org")
    assert data(ok) == [("A", "10.0.0.7")]


# ------------------------------------------------------------------------------------------------ rewrite

def test_rewrite_name_flows_to_later_plugins_and_answers_are_mapped_back():
    text = """
    . {
        rewrite name suffix .corp.test. .example.org. answer auto
        hosts {
            10.0.0.5 db.example.org
        }
    }
    """
    r = run(text, "db.corp.test")
    assert [(x.name, x.data) for x in r.answers] == [("db.corp.test.", "10.0.0.5")]
    assert "name db.corp.test. → db.example.org." in step(r, "rewrite").reason
    assert step(r, "rewrite").decision == "change"
    assert "mapped the answer back" in " ".join(r.notes)


def test_rewrite_regex_without_answer_rule_leaves_the_new_name():
    text = r"""
    . {
        rewrite name regex (.*)\.corp\.test\. {1}.example.org.
        hosts {
            10.0.0.5 db.example.org
        }
    }
    """
    r = run(text, "db.corp.test")
    assert [(x.name, x.data) for x in r.answers] == [("db.example.org.", "10.0.0.5")]


def test_rewrite_type_and_stop_mode():
    text = """
    . {
        rewrite type AAAA A
        rewrite name exact www.test. other.test.
        hosts {
            10.0.0.1 www.test
            10.0.0.2 other.test
        }
    }
    """
    r = run(text, "www.test", "AAAA")
    assert data(r) == [("A", "10.0.0.1")]        # stop: the name rule was not applied
    cont = run(text.replace("rewrite type", "rewrite continue type"), "www.test", "AAAA")
    assert [(x.name, x.data) for x in cont.answers] == [("www.test.", "10.0.0.2")]


def test_rewrite_rcode_and_ttl_rules():
    text = """
    . {
        rewrite continue ttl example.org 30
        rewrite rcode example.org SERVFAIL NXDOMAIN
        hosts {
            10.0.0.1 example.org
        }
    }
    """
    assert [x.ttl for x in run(text, "example.org").answers] == [30]
    assert run(text, "example.org", "MX").rcode == "NOERROR"


# ------------------------------------------------------------------------------------------------ small plugins

def test_whoami_reports_the_client():
    r = run(". {\n whoami\n}\n", "example.org", client_ip="2001:db8::7", client_port=40000)
    assert [(x.type, x.data) for x in r.additional] == [("AAAA", "2001:db8::7"), ("SRV", "0 0 40000 .")]
    assert r.additional[1].name == "_udp.example.org."


def test_chaos_answers_version_and_passes_other_names():
    text = ". {\n chaos MyDNS-1 alice bob\n whoami\n}\n"
    assert data(run(text, "version.server", "TXT", qclass="CH")) == [("TXT", '"MyDNS-1"')]
    assert sorted(x.data for x in run(text, "authors.bind", "TXT", qclass="CH").answers) == ['"alice"', '"bob"']
    assert run(text, "version.bind", "TXT").answered_by["plugin"] == "whoami"      # IN class


@pytest.mark.parametrize("client,qtype,rcode,by", [
    ("192.0.2.9", "A", "REFUSED", "acl"),          # block net
    ("10.1.1.1", "A", "NOERROR", "whoami"),        # allowed before the block-all
    ("10.1.1.1", "MX", "NOERROR", "acl"),          # filter type MX
    ("198.51.100.1", "A", "REFUSED", "acl"),       # block *
])
def test_acl_policies(client, qtype, rcode, by):
    text = """
    . {
        acl {
            block net 192.0.2.0/24
            filter type MX
            allow net 10.0.0.0/8
            block
        }
        whoami
    }
    """
    r = run(text, "example.org", qtype, client_ip=client)
    assert (r.rcode, r.answered_by["plugin"]) == (rcode, by)


def test_acl_drop_sends_no_reply():
    r = run(". {\n acl {\n drop type AAAA\n }\n whoami\n}\n", "example.org", "AAAA")
    assert r.dropped and r.rcode is None


def test_any_answers_hinfo():
    r = run(". {\n any\n whoami\n}\n", "example.org", "ANY")
    assert data(r) == [("HINFO", '"ANY obsoleted" "See RFC 8482"')]
    assert run(". {\n any\n whoami\n}\n", "example.org").answered_by["plugin"] == "whoami"


def test_cache_caps_ttls_and_passes_outside_its_zones():
    text = ". {\n cache 30 example.org\n hosts {\n 10.0.0.1 www.example.org\n 10.0.0.2 www.example.net\n }\n}\n"
    assert [x.ttl for x in run(text, "www.example.org").answers] == [30]
    outside = run(text, "www.example.net")
    assert [x.ttl for x in outside.answers] == [3600]
    assert "outside its zones" in step(outside, "cache").reason


def test_loadbalance_prefer_orders_addresses():
    text = ". {\n loadbalance round_robin {\n prefer 10.0.0.0/8\n }\n hosts {\n 192.0.2.1 a.test\n 10.0.0.1 a.test\n }\n}\n"
    r = run(text, "a.test")
    assert [x.data for x in r.answers] == ["10.0.0.1", "192.0.2.1"]
    assert "order" in " ".join(r.notes)


def test_minimal_strips_authority_and_additional():
    text = ". {\n minimal\n template IN A test {\n answer \"a.test. 60 IN A 10.0.0.1\"\n additional \"b.test. 60 IN A 10.0.0.2\"\n }\n}\n"
    r = run(text, "a.test")
    assert data(r) == [("A", "10.0.0.1")] and r.additional == []


def test_passive_plugins_pass_and_log_scopes():
    text = ". {\n errors\n log example.org\n loop\n metadata\n prometheus\n whoami\n}\n"
    r = run(text, "www.example.org")
    assert [s.plugin for s in r.trace] == ["metadata", "prometheus", "errors", "log", "loop", "whoami"]
    assert "logs the query" in step(r, "log").reason
    assert "without logging" in step(run(text, "example.com"), "log").reason


def test_backends_that_cannot_be_known_offline_say_so():
    text = ". {\n etcd skydns.local\n route53 example.org.:Z123\n whoami\n}\n"
    r = run(text, "a.skydns.local")
    assert r.rcode is None and r.unknown == "unknown: needs etcd (zone skydns.local.)"
    assert run(text, "www.example.org").unknown.startswith("unknown: needs AWS Route 53")
    assert run(text, "example.com").answered_by["plugin"] == "whoami"


def test_an_invalid_directive_is_reported_not_guessed():
    r = run(". {\n rewrite name\n whoami\n}\n", "example.org")
    assert r.rcode is None and "CoreDNS would not start" in r.unknown
