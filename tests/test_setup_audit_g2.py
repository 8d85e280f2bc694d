"""Setup fidelity of cache, template, rewrite, view, acl, header, any, minimal and loadbalance: each case is a
Corefile fragment written for this file, with the verdict CoreDNS's setup code gives it (the source file that
decides is named in each test), checked through `lint`."""
from __future__ import annotations

import pytest

from lint_helpers import assert_invalid, assert_valid, by_severity, errors


# ---------------------------------------------------------------- rewrite (rewrite.go, name.go, ttl.go, ...)

def test_rewrite_exact_rule_checks_the_source_against_the_target_pattern():
    # name.go: isValidRegexPattern(to, from) for exact rules, on the normalized names
    assert_invalid("rewrite name exact svc{1}.corp.test backend.corp.test", "uses more subexpressions")
    assert_invalid("rewrite name svc{1}.corp.test backend.corp.test", "uses more subexpressions")
    assert_valid("rewrite name exact svc{1}.corp.test (backend).corp.test")
    # `web\` becomes `web\.` (dns.Fqdn), which compiles
    assert_valid("rewrite name exact portal.corp.test web\\")
    assert_invalid("rewrite name exact portal.corp.test web(", "invalid regex matching pattern")


def test_rewrite_block_after_a_complete_rule_is_read_as_more_rules():
    # setup.go: the `{` starts the next pass of `for c.Next()`, which finds no word on its line
    assert_invalid("rewrite name one.corp.test two.corp.test {\n    name three.corp.test four.corp.test\n}",
            "no rule type specified for rewrite")
    assert_valid("rewrite continue {\n    name one.corp.test\n    two.corp.test\n}")
    assert_valid("rewrite name one.corp.test two.corp.test\nrewrite name three.corp.test four.corp.test")


def test_rewrite_unknown_rule_type_names_the_first_word():
    found = assert_invalid("rewrite continue bogus one.corp.test two.corp.test", "invalid rule type")
    assert any('"continue"' in d.message for d in found)


def test_rewrite_regexes_follow_go_syntax():
    assert_valid("rewrite name regex ^\\pL+\\.corp\\.test$ fixed.corp.test")
    assert_valid("rewrite name regex (?<host>[a-z]+)\\.corp\\.test {1}.lab.test")
    assert_invalid("rewrite name regex [a-z]+\\Z fixed.corp.test", "invalid regex matching pattern")
    assert_invalid("rewrite name regex x{1001} fixed.corp.test", "invalid regex matching pattern")
    assert_invalid("rewrite ttl regex (open 30", "invalid regex pattern in a ttl rule")
    assert_invalid("rewrite name regex (a)\\.test {1}.lab answer name (lab {1}.test",
            "name answer rule for regex rule: invalid regex matching pattern")


def test_rewrite_ttl_and_rcode_with_too_many_words():
    # ttl.go/rcode.go read the value from fixed positions: with more words they check an empty one
    assert_invalid("rewrite ttl exact host.corp.test 30 60", "invalid TTL ''")
    assert_invalid("rewrite rcode exact host.corp.test 2 0 3", "invalid matching RCODE ''")


def test_rewrite_edns0_numbers_and_unset():
    assert_valid("rewrite edns0 local set 6_5 payload")          # strconv.ParseUint base 0 allows `_` between digits
    assert_invalid("rewrite edns0 local set _65 payload", "invalid syntax")
    assert_invalid("rewrite edns0 local unset 0xfff0 payload", "local unset action requires exactly two arguments")
    assert_invalid("rewrite edns0 local set 0xfff0 0xabc", "odd length hex string")


@pytest.mark.parametrize("body, version, ok", [
    ("rewrite edns0 nsid set revert", "1.11.3", False),
    ("rewrite edns0 nsid set revert", "1.11.4", True),
    ("rewrite edns0 subnet unset", "1.12.2", False),
    ("rewrite edns0 subnet unset", "1.12.3", True),
    ("rewrite ttl host.corp.test 10-20", "1.9.3", False),
    ("rewrite ttl host.corp.test +20", "1.9.3", True),
    ("rewrite ttl host.corp.test 10-20", "1.9.4", True),
    ("rewrite cname regex (open lab.test", "1.13.1", True),
    ("rewrite cname regex (open lab.test", "1.13.2", False),
    ("rewrite name regex (a)\\.test {1}.lab answer value (lab) {1}.test", "1.8.1", False),
    ("rewrite name regex (a)\\.test {1}.lab answer value (lab) {1}.test", "1.8.3", True),
    ("rewrite name suffix .test .lab answer auto", "1.8.3", False),
    ("rewrite name suffix .test .lab answer auto", "1.8.4", True),
    ("rewrite name regex " + "b" * 10001 + " lab.test", "1.13.2", True),
    ("rewrite name regex " + "b" * 10001 + " lab.test", "1.14.0", False),
])
def test_rewrite_rules_by_release(body, version, ok):
    assert (not errors(body, version)) == ok, [d.message for d in errors(body, version)]


# ---------------------------------------------------------------- cache (setup.go)

def test_cache_refusals_in_setup_words():
    assert_invalid("cache {\n    success 500 0\n}", "cache TTL can not be zero or negative: 0")
    assert_invalid("cache {\n    denial 500 30 -2\n}", "cache min TTL can not be negative: -2")
    assert_invalid("cache {\n    prefetch -3\n}", "prefetch amount should be positive: -3")
    assert_valid("cache {\n    success -1\n}")          # the capacity is any integer


def test_cache_keepttl_before_1_11_1_checks_the_cache_line():
    # setup.go before commit 6c85814 tested the cache line's zones where keepttl's own words were meant
    assert_invalid("cache 30 corp.test {\n    keepttl\n}", "Wrong argument count", version="1.11.0")
    assert_valid("cache 30 {\n    keepttl\n}", version="1.11.0")
    assert_valid("cache 30 corp.test {\n    keepttl\n}", version="1.11.1")
    # nor did it read keepttl's words: the next one is the next property
    assert_valid("cache {\n    keepttl success 100\n}", version="1.10.1")
    assert_invalid("cache {\n    keepttl success 100\n}", "Wrong argument count", version="1.11.1")


# ---------------------------------------------------------------- template (setup.go, template.go)

def test_template_types_and_ederror():
    assert_valid("template IN None lab.test")          # dns.StringToType has "None" and "Reserved"
    assert_valid("template IN Reserved lab.test")
    assert_invalid("template IN A lab.test {\n    ederror 70000\n}", "error parsing extended DNS error code")


def test_template_words_and_regexes_as_setup_reads_them():
    assert_invalid("template IN A lab.test {\n    var n 1 }", "could not compile expression")
    assert_valid("template IN A lab.test {\n    match ^(?<h>[a-z]+)\\.lab\\.test\\.$\n}")
    assert_invalid("template IN A lab.test {\n    match ^www\\Z\n}", "could not parse regex")
    assert_valid("template IN A lab.test {\n    match " + "c" * 10001 + "\n}", version="1.13.2")
    assert_invalid("template IN A lab.test {\n    match " + "c" * 10001 + "\n}", "regex pattern too long")


def test_template_parse_int_arrived_in_1_10_0():
    body = 'template IN A lab.test {\n    answer "{{ .Name }} 60 IN A 10.0.0.{{ parseInt `7` 10 8 }}"\n}'
    assert_valid(body, version="1.10.0")
    assert_invalid(body, 'function "parseInt" not defined', version="1.9.4")


@pytest.mark.parametrize("answer, ok", [
    ("{{ .Name | }} 60 IN A 10.0.0.1", True),                      # parse.go: a pipeline may end after `|`
    ('{{ "lab".Name }} 60 IN A 10.0.0.1', False),                  # unexpected . after term
    ("{{ .Name }}{{ $a, $b := .Match }} 60 IN A 10.0.0.1", False),   # two declarations outside range
    ("{{ range $i, $m := .Match }}{{ $m }}{{ end }} 60 IN A 10.0.0.1", True),
    ("{{ printf `%s` .Name }} 60 IN A 10.0.0.1", True),
    ('{{ printf "%s".Name }} 60 IN A 10.0.0.1', False),            # operands must be separated
    ("{{ .Name | 7 }} 60 IN A 10.0.0.1", False),                   # non executable command in pipeline stage 2
    ("{{ $z = .Name }}{{ .Name }} 60 IN A 10.0.0.1", True),        # undeclared $z fails only when executed
])
def test_template_answers_parse_like_text_template(answer, ok):
    body = f'template IN A lab.test {{\n    answer "{answer}"\n}}'
    assert (not errors(body)) == ok, [d.message for d in errors(body)]


# ---------------------------------------------------------------- view (setup.go)

def test_view_expression_includes_a_closing_brace_on_its_line():
    assert_invalid("view blue {\n    expr name() == 'blue.lab.test.' }", "")
    assert_valid("view blue {\n    expr name() == 'blue.lab.test.'\n}")


# ---------------------------------------------------------------- acl (setup.go)

def test_acl_words_and_values():
    assert_invalid("acl {\n    block type AAAA }", "expect legal QTYPE")
    assert_valid("acl {\n    block type None\n}")
    assert_invalid("acl {\n    allow net 172.16.0.0/255.240.0.0\n}", "illegal CIDR notation")
    assert_invalid("acl {\n    allow net fd00::1%eth1\n}", "illegal CIDR notation")
    assert_valid("acl {\n    allow net 172.16.0.0/012\n}")


def test_acl_unknown_action_lists_the_release_actions():
    assert_invalid("acl {\n    reject\n}", "expect 'allow', 'block', 'filter' or 'drop'")
    assert_invalid("acl {\n    reject\n}", "expect 'allow', 'block', or 'filter'", version="1.8.2")
    assert_invalid("acl {\n    drop\n}", "expect 'allow' or 'block'", version="1.7.0")


# ---------------------------------------------------------------- header (setup.go)

def test_header_reads_only_until_the_first_occurrence_with_rules():
    assert_valid("header {\n}\nheader {\n    response set ra\n}")
    body = "header {\n    query clear rd\n}\nheader {\n    sideways set aa\n}"
    assert_valid(body)
    assert any("ignored" in d.message for d in by_severity(body, "warning"))
    assert_invalid("header {\n}\nheader {\n}", "Wrong argument count")


def test_header_rule_with_a_nested_block():
    assert_invalid("header {\n    response set aa {\n    }\n}", "invalid selector={")
    assert_invalid("header {\n    clear rd ra\n    bogus aa\n}", "seting up rule", version="1.9.3")


# ---------------------------------------------------------------- loadbalance (setup.go)

def test_loadbalance_prefer_and_reload_words():
    assert_invalid("loadbalance {\n    prefer 192.168.0.0/255.255.0.0\n}", 'invalid CIDR "192.168.0.0/255.255.0.0"')
    assert_invalid("loadbalance weighted /etc/coredns/w {\n    reload\n}", "reload duration value is missing")
    assert_invalid("loadbalance weighted /etc/coredns/w {\n    reload 1q\n}", "invalid reload duration")
    assert_invalid("loadbalance weighted /etc/coredns/w {\n    reload 1m 2m\n}", "unexpected argument")
    assert_valid("loadbalance weighted /etc/coredns/w {\n    reload -1m\n}")


def test_loadbalance_occurrences_by_release():
    # 1.10.1 .. 1.12.3: the first occurrence returns; a round_robin block is never read
    assert not errors("loadbalance {\n    anything goes\n}", version="1.12.3")
    assert by_severity("loadbalance {\n    anything goes\n}", "warning", version="1.12.3")
    assert_invalid("loadbalance {\n    anything goes\n}", "unknown property 'anything'")
    assert not errors("loadbalance\nloadbalance bogus", version="1.12.3")
    assert_invalid("loadbalance\nloadbalance bogus", "unknown policy: bogus")
    # before 1.10.1: an occurrence with two words is skipped; with none after it, ArgErr
    assert_invalid("loadbalance round_robin extra", "Wrong argument count", version="1.10.0")
    assert_valid("loadbalance round_robin extra\nloadbalance", version="1.10.0")


# ---------------------------------------------------------------- any, minimal (setup.go)

def test_any_reads_its_words_from_1_14_4():
    assert_invalid("any lab.test", "Wrong argument count")
    assert_invalid("any {\n    strict\n}", "Unexpected token '{'")
    assert_valid("any lab.test", version="1.14.3")
    assert by_severity("any lab.test", "warning", version="1.14.3")
    assert_valid("any\nany lab.test")            # setup reads only the first `any`


def test_minimal_takes_no_words():
    assert_invalid("minimal lab.test", "Wrong argument count")
    assert_valid("minimal\nminimal lab.test")
