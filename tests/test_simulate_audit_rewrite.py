"""Rules found while auditing `simulate` against CoreDNS's own tests of rewrite, template, acl, view, metadata,
minimal, any, loadbalance, chaos, whoami and erratic: each test states the rule (and its CoreDNS source) on a
Corefile of its own."""
from __future__ import annotations

import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator


def run(text, name, qtype="A", **kw):
    version = kw.pop("version", None)
    return Simulator(parse(text), version).simulate(name, qtype, **kw)


def rrs(records):
    return [(r.name, r.type, r.ttl, r.data) for r in records]


def reason(result, plugin):
    return " | ".join(s.reason for s in result.trace if s.plugin == plugin)


def would_not_start(result, plugin):
    return any(s.plugin == plugin and s.decision == "unknown" and "would not start" in s.reason
               for s in result.trace)


# ------------------------------------------------------------------------------------------------ rewrite

CHAINED = """
. {
    rewrite continue name suffix .corp.test. .stage.test. answer auto
    rewrite stop name suffix .stage.test. .svc.internal. answer auto
    template IN SRV svc.internal {
        answer "{{ .Name }} 30 IN SRV 0 10 8080 host1.svc.internal."
        additional "host1.svc.internal. 30 IN A 10.1.2.3"
    }
}
"""


def test_reply_rules_of_chained_rules_run_last_rule_first():
    # reverter.go: the response rules run in reverse order, so .svc.internal maps back to .stage.test and that
    # to .corp.test; in Corefile order the second mapping would find nothing to map.
    r = run(CHAINED, "_web._tcp.corp.test", "SRV")
    assert rrs(r.answers) == [("_web._tcp.corp.test.", "SRV", 30, "0 10 8080 host1.corp.test.")]
    assert rrs(r.additional) == [("host1.corp.test.", "A", 30, "10.1.2.3")]


TTLS = """
. {
    rewrite continue ttl floor.example.net. 120-
    rewrite continue ttl cap.example.net. -45
    template IN A example.net {
        answer "{{ .Name }} 10 IN A 192.0.2.7"
        answer "{{ .Name }} 3000000 IN A 192.0.2.8"
    }
}
"""


def test_ttl_ranges_open_at_one_end():
    # ttl.go isValidTTL: "N-" raises TTLs below N and leaves larger ones (up to 2147483647); "-M" caps at M.
    assert [x.ttl for x in run(TTLS, "floor.example.net").answers] == [120, 3000000]
    assert [x.ttl for x in run(TTLS, "cap.example.net").answers] == [10, 45]
    assert [x.ttl for x in run(TTLS, "other.example.net").answers] == [10, 3000000]


def test_rcode_rules_take_numbers_and_apply_to_an_unwritten_error():
    # rcode.go isValidRCode takes 0..23; rewrite.go serveWithResponseReverter writes the SERVFAIL a later
    # plugin returned without a reply, so its rcode rule applies to it.
    text = """
    . {
        rewrite continue rcode gone.example.net. 3 0
        rewrite stop rcode broken.example.net. SERVFAIL REFUSED
        template IN A gone.example.net {
            rcode NXDOMAIN
        }
        template IN A broken.example.net {
            rcode SERVFAIL
        }
    }
    """
    assert run(text, "gone.example.net").rcode == "NOERROR"
    r = run(text, "broken.example.net")
    assert r.rcode == "REFUSED" and r.answers == []
    assert run(". {\n rewrite rcode lonely.test. SERVFAIL NOERROR\n}\n", "lonely.test").rcode == "NOERROR"


@pytest.mark.parametrize("rule", [
    "type AAAA QUAD",                                   # type.go: dns.StringToType
    "class IN LOCAL",                                   # class.go: dns.StringToClass
    "name suffix a.test. b.test. auto",                 # name.go parseAnswerRules: must begin with `answer`
    "name prefix a. b. answer auto answer name x y",    # auto cannot be combined with an explicit name rule
    "name regex ^(x)\\.test\\.$ {1}.{2}.test.",         # more groups used than the pattern has
    "ttl host.test. 50-20",                             # ttl.go: an empty range
    "ttl host.test. -",
    "rcode host.test. SERVFAIL MAYBE",
    "edns0 local set 0xffee 0xabc",                     # hex.DecodeString: an odd length
    "edns0 subnet set 33 64",                           # an IPv4 mask past 32 bits
    "edns0 nsid unset revert",                          # unset takes nothing more
    "cname only.test.",
])
def test_rules_coredns_refuses_make_the_block_unknown(rule):
    r = run(f". {{\n rewrite {rule}\n whoami\n}}\n", "host.test")
    assert r.rcode is None and would_not_start(r, "rewrite")


def test_rules_coredns_accepts_are_not_refused():
    for rule in ("ttl host.test. 16", "edns0 local set 0o17 plain",
                 "edns0 local set 1_000 x", "name regex ^(a)\\.(b)\\.$ {2}.{1}. answer name ^(b)\\.(a)\\.$ {2}.{1}.",
                 "rcode host.test. 23 NOERROR"):
        r = run(f". {{\n rewrite {rule}\n whoami\n}}\n", "host.test")
        assert not would_not_start(r, "rewrite"), rule


CNAME_RULE = """
app.example.net {
    rewrite cname suffix .old-cdn.test. .new-cdn.test.
    template IN A {
        answer "app.example.net. 300 IN CNAME edge.old-cdn.test."
        answer "edge.old-cdn.test. 20 IN A 198.51.100.1"
    }
}
new-cdn.test {
    template IN A {
        answer "{{ .Name }} 60 IN A 203.0.113.9"
    }
}
old-cdn.test {
    erratic {
        drop 1
    }
}
"""


def test_cname_rule_repoints_the_target_and_looks_it_up_through_the_server():
    # cname_target.go: the answer becomes the CNAMEs up to the rewritten one and what the server answers for
    # the new target, with the question's type.
    r = run(CNAME_RULE, "app.example.net")
    assert rrs(r.answers) == [("app.example.net.", "CNAME", 300, "edge.new-cdn.test."),
                              ("edge.new-cdn.test.", "A", 60, "203.0.113.9")]


def test_cname_rule_keeps_the_answer_when_the_lookup_gets_no_reply():
    # cname_target.go: upstream.Lookup returned no message (the query was dropped): the record stays as it was.
    text = """
    app.example.net {
        rewrite cname exact edge.old-cdn.test. edge.gone.test.
        template IN A {
            answer "app.example.net. 300 IN CNAME edge.old-cdn.test."
        }
    }
    old-cdn.test {
        template IN A {
            answer "{{ .Name }} 20 IN A 198.51.100.1"
        }
    }
    gone.test {
        erratic {
            drop 1
        }
    }
    """
    r = run(text, "app.example.net")
    assert rrs(r.answers) == [("app.example.net.", "CNAME", 300, "edge.old-cdn.test."),
                              ("edge.old-cdn.test.", "A", 20, "198.51.100.1")]
    assert any("got no reply" in n for n in r.notes)


def test_edns0_rules_apply_or_not_as_coredns_decides():
    base = ". {{\n rewrite {}\n whoami\n}}\n"
    # replace finds no option in the query: the rule does not apply (RewriteIgnored)
    assert "no rule applies" in reason(run(base.format("edns0 local replace 0xfe01 data"), "h.test"), "rewrite")
    # a `continue` set puts the option in, and the replace after it then applies
    two = ". {\n rewrite continue edns0 local set 0xfe01 one\n rewrite edns0 local replace 0xfe01 0x74776f\n whoami\n}\n"
    assert "EDNS0 local option set: code 0xfe01 74776f ('two')" in reason(run(two, "h.test"), "rewrite")
    # a variable is written as its wire form: the client's address masked for a subnet option
    r = run(base.format("edns0 subnet set 20 48"), "h.test", client_ip="172.20.31.9")
    assert "family 1, source netmask 20, address 172.20.16.0" in reason(r, "rewrite")
    r = run(base.format("edns0 local set 0xfe02 {client_port}"), "h.test", client_port=5300)
    assert "code 0xfe02 5300 (14b4)" in reason(r, "rewrite")
    # a metadata label no provider sets leaves the rule unapplied, so the stop rule after it still runs
    meta = (". {\n metadata\n rewrite edns0 local set 0xfe03 {nobody/sets-this}\n"
            " rewrite name exact h.test. i.test.\n whoami\n}\n")
    assert run(meta, "h.test").additional[0].name == "h.test."
    assert "name h.test. → i.test." in reason(run(meta, "h.test"), "rewrite")


def test_a_continue_rule_without_reply_rules_leaves_the_question_rewritten():
    # rewrite.go: no stop rule applied and no response rule: the reply is written as the plugin wrote it.
    r = run(". {\n rewrite continue type MX TXT\n whoami\n}\n", "mail.test", "MX")
    assert any("question section keeps the rewritten question" in n for n in r.notes)
    r = run(". {\n rewrite stop type MX TXT\n whoami\n}\n", "mail.test", "MX")
    assert not any("question section" in n for n in r.notes)


def test_exact_rule_maps_names_below_the_new_name_at_a_label_boundary():
    text = """
    . {
        rewrite name exact portal.test. portal.internal.
        template IN A portal.internal {
            answer "portal.internal. 60 IN A 10.0.0.1"
            answer "cdn.portal.internal. 60 IN A 10.0.0.2"
            answer "xportal.internal. 60 IN A 10.0.0.3"
        }
    }
    """
    assert [x.name for x in run(text, "portal.test").answers] == ["portal.test.", "cdn.portal.test.",
                                                                  "xportal.internal."]


# ------------------------------------------------------------------------------------------------ template

def test_template_var_and_expr_lines_are_evaluated():
    text = r"""
    . {
        template IN A lab.test {
            match ^node-(?P<n>[0-9]+)[.]lab[.]test[.]$
            var host int(group('n'))
            var half host / 2
            expr host < 200
            answer "{{ .Name }} 30 IN A 10.20.0.{{ .Var.host }}"
            additional "{{ .Name }} 30 IN TXT \"{{ .Var.half }} {{ if gt .Var.host 9 }}big{{ else }}small{{ end }}\""
            fallthrough
        }
        whoami
    }
    """
    r = run(text, "node-12.lab.test")
    assert rrs(r.answers) == [("node-12.lab.test.", "A", 30, "10.20.0.12")]
    assert rrs(r.additional) == [("node-12.lab.test.", "TXT", 30, '"6 big"')]
    assert run(text, "node-3.lab.test").additional[0].data == '"1.5 small"'
    # the expr is false: the template falls through to the next plugin
    assert run(text, "node-250.lab.test").answered_by["plugin"] == "whoami"


def test_template_expr_runtime_error_is_servfail_even_with_fallthrough():
    text = """
    . {
        template IN A lab.test {
            var where incidr(client_ip(), 'not-a-cidr')
            answer "{{ .Name }} 30 IN A 10.20.0.1"
            fallthrough
        }
        whoami
    }
    """
    assert run(text, "a.lab.test").rcode == "SERVFAIL"


def test_template_class_and_type_are_case_sensitive():
    # setup.go looks CLASS and TYPE up in dns.StringToClass/StringToType as written.
    r = run('. {\n template in A {\n  answer "{{ .Name }} 60 IN A 10.0.0.1"\n }\n}\n', "x.test")
    assert r.rcode is None and "would not start" in r.unknown


def test_template_meta_from_a_provider_the_simulator_does_not_model_is_unknown():
    # kubernetes/metadata.go sets the client-* labels only through podWithIP, which needs `pods verified`;
    # which pod has the client's address is then unknown without a cluster state.
    text = """
    cluster.local {
        metadata
        kubernetes {
            pods verified
        }
        template IN TXT cluster.local {
            answer "{{ .Name }} 5 IN TXT \\"{{ .Meta \\"kubernetes/client-namespace\\" }}\\""
        }
    }
    """
    r = run(text, "who.cluster.local", "TXT")
    assert r.rcode is None and "kubernetes/client-namespace" in r.unknown
    no_meta = text.replace("        metadata\n", "")
    assert run(no_meta, "who.cluster.local", "TXT").answers[0].data == '""'


def test_template_question_keeps_the_clients_case():
    text = '. {\n template IN TXT {\n  answer "{{ .Name }} 5 IN TXT \\"{{ .Question.Name }} {{ .Question.Qtype }}\\""\n }\n}\n'
    assert run(text, "MiXed.Test", "TXT").answers[0].data == '"MiXed.Test. 16"'


def test_template_cname_target_that_gets_no_reply_adds_nothing():
    text = """
    . {
        template IN A alias.test {
            answer "alias.test. 60 IN CNAME sink.test."
        }
        erratic sink.test {
            drop 1
        }
    }
    """
    r = run(text, "alias.test")
    assert r.rcode == "NOERROR" and rrs(r.answers) == [("alias.test.", "CNAME", 60, "sink.test.")]


# ------------------------------------------------------------------------------------------------ acl

@pytest.mark.parametrize("policy,qtype,blocked", [
    ("block type A type *", "MX", True),          # a `*` in a later section still covers every type
    ("block type * A", "MX", True),
    ("block net 10.9.0.0/16 net *", "A", True),
    ("block type A net 192.0.2.0/24", "A", False),
])
def test_acl_sections_combine_as_setup_reads_them(policy, qtype, blocked):
    r = run(f". {{\n acl {{\n  {policy}\n }}\n whoami\n}}\n", "h.test", qtype, client_ip="10.9.8.7")
    assert (r.rcode == "REFUSED") is blocked


def test_acl_matches_an_ipv4_mapped_client_against_ipv4_networks():
    text = ". {\n acl {\n  block net 10.9.0.0/16\n }\n whoami\n}\n"
    assert run(text, "h.test", client_ip="::ffff:10.9.8.7").rcode == "REFUSED"
    assert run(text, "h.test", client_ip="::ffff:10.10.8.7").rcode == "NOERROR"


def test_acl_type_names_are_case_sensitive():
    r = run(". {\n acl {\n  block type aaaa\n }\n whoami\n}\n", "h.test")
    assert r.rcode is None and "would not start" in r.unknown


# ------------------------------------------------------------------------------------------------ view / expr

def test_view_incidr_refuses_a_zone_or_a_bare_address():
    # net.ParseIP takes no zone and net.ParseCIDR needs a prefix length: both are errors, so the view is false.
    text = """
    lan.test {
        view zoned {
            expr incidr(client_ip(), 'fe80::/10')
        }
        whoami
    }
    lan.test {
        view bare {
            expr incidr(client_ip(), '192.0.2.10')
        }
        whoami
    }
    """
    assert run(text, "a.lan.test", client_ip="fe80::1").server_block.line == 2
    assert run(text, "a.lan.test", client_ip="fe80::1%eth0").rcode == "REFUSED"
    assert run(text, "a.lan.test", client_ip="192.0.2.10").rcode == "REFUSED"


def test_view_bufsize_of_a_tcp_query_is_the_largest_message():
    text = "big.test {\n view tcp {\n  expr bufsize() == 65535\n }\n whoami\n}\n"
    assert run(text, "x.big.test", proto="tcp").rcode == "NOERROR"
    assert run(text, "x.big.test", proto="udp").rcode == "REFUSED"


# ------------------------------------------------------------------------------------------------ minimal

def test_minimal_strips_a_reply_without_answers_unless_it_is_a_denial_or_delegation():
    # response.Typify: NOERROR without SOA or NS in the authority section is NoError, so whoami's additional
    # section goes; NODATA and delegations keep theirs.
    assert run(". {\n minimal\n whoami\n}\n", "me.test").additional == []
    nodata = ('. {\n minimal\n template IN A {\n  authority "test. 60 IN SOA ns.test. root.test. 1 2 3 4 5"\n'
              '  additional "ns.test. 60 IN A 192.0.2.1"\n }\n}\n')
    assert len(run(nodata, "x.test").additional) == 1
    referral = ('. {\n minimal\n template IN A {\n  authority "sub.test. 60 IN NS ns.sub.test."\n'
                '  additional "ns.sub.test. 60 IN A 192.0.2.2"\n }\n}\n')
    assert len(run(referral, "x.sub.test").additional) == 1


# ------------------------------------------------------------------------------------------------ loadbalance

MIXED = """
. {
    loadbalance %s
    template IN TXT shop.test {
        answer "shop.test. 60 IN A 192.0.2.1"
        answer "shop.test. 60 IN TXT \\"hello\\""
        answer "shop.test. 60 IN MX 5 mx.shop.test."
        answer "alias.shop.test. 60 IN CNAME shop.test."
        answer "shop.test. 60 IN AAAA 2001:db8::1"
    }
}
"""


def test_round_robin_regroups_a_mixed_section():
    # loadbalance.go roundRobin: CNAMEs, other records, addresses (shuffled), MX (shuffled).
    r = run(MIXED % "", "shop.test", "TXT")
    assert [x.type for x in r.answers] == ["CNAME", "TXT", "A", "AAAA", "MX"]
    assert any("2 A/AAAA records" in n for n in r.notes)


def test_prefer_orders_addresses_by_subnet_and_puts_other_records_last():
    r = run(MIXED % "round_robin {\n prefer 2001:db8::/32\n }", "shop.test", "TXT")
    assert [x.type for x in r.answers] == ["CNAME", "AAAA", "A", "MX", "TXT"]


def test_loadbalance_leaves_errors_alone():
    text = ". {\n loadbalance\n template IN TXT {\n  rcode NXDOMAIN\n  answer \"x.test. 60 IN TXT \\\"t\\\"\"\n" \
           "  answer \"x.test. 60 IN A 192.0.2.1\"\n  answer \"y.test. 60 IN CNAME x.test.\"\n }\n}\n"
    assert [x.type for x in run(text, "x.test", "TXT").answers] == ["TXT", "A", "CNAME"]
    assert [x.type for x in run(text.replace("rcode NXDOMAIN", ""), "x.test", "TXT").answers] == ["CNAME", "TXT", "A"]


# ------------------------------------------------------------------------------------------------ small plugins

def test_whoami_answers_an_ipv4_mapped_client_with_an_a_record():
    r = run(". {\n whoami\n}\n", "me.test", client_ip="::ffff:198.51.100.4")
    assert [(x.type, x.data) for x in r.additional][0] == ("A", "198.51.100.4")


def test_chaos_cuts_a_lone_version_to_255_characters():
    long = "v" * 300
    r = run(f". {{\n chaos {long}\n}}\n", "version.server", "TXT", qclass="CH")
    assert r.answers[0].data == '"' + "v" * 255 + '"'


def test_erratic_drop_1_sends_no_reply_and_large_repeats_the_answer():
    r = run(". {\n erratic {\n  drop 1\n }\n}\n", "x.test")
    assert r.rcode is None and r.dropped
    big = run(". {\n erratic {\n  drop 0\n  large\n }\n}\n", "x.test")
    assert len(big.answers) == 30 and {x.data for x in big.answers} == {"192.0.2.53"}
