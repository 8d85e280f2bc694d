"""Lint says what CoreDNS says: for invalid forms of the most used plugins, the message (and the word it names)
is the one the plugin's setup.go returns, read through caddy's Dispenser the way setup reads the line.

Each expectation cites the setup code path it comes from (coredns v1.14.7 unless noted)."""
from __future__ import annotations

import textwrap

import pytest

from corefile_tool import lint


def first_error(body: str, version=None):
    text = ". {\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n}\n"
    errors = [d for d in lint(text, version=version) if d.severity == "error"]
    assert errors, f"CoreDNS refuses this, lint found no error:\n{text}"
    return errors[0]


CASES = [
    # autopath/setup.go: the `{` is read as the start of another autopath, whose RemainingArgs are empty
    ("autopath {\n}", "plugin/autopath: no resolv-conf specified"),
    ("autopath @kubernetes {\n}", "plugin/autopath: no resolv-conf specified"),
    ("autopath @kubernetes { }", 'plugin/autopath: failed to parse "}": open }: no such file or directory'),
    # loop/setup.go: `if c.NextArg() { return c.ArgErr() }`; caddy's ArgErr on a `{`
    ("loop extra", "plugin/loop: Wrong argument count or unexpected line ending after 'extra'"),
    ("loop {\n}", "plugin/loop: Unexpected token '{', expecting argument"),
    # errors/setup.go: `switch len(args)` before the value; ArgErr after RemainingArgs names the last word
    ("errors foo", "plugin/errors: invalid log file: foo"),
    ("errors a b", "plugin/errors: Wrong argument count or unexpected line ending after 'b'"),
    # health/setup.go
    ("health :8080 :8081", "plugin/health: Wrong argument count or unexpected line ending after ':8081'"),
    ("health {\n    lameduck 5\n}",
     "plugin/health: unable to parse lameduck duration value: '5' : time: missing unit in duration \"5\""),
    # ready/setup.go parseMonitorType
    ("ready {\n    monitor bogus\n}", "plugin/ready: monitor type 'bogus' not supported"),
    # log/setup.go -> response.ClassFromString
    ("log {\n    class bogus\n}", "plugin/log: invalid Class: bogus"),
    # cache/setup.go: TTL, servfail, disable; an unknown property falls to `default: return c.ArgErr()`
    ("cache 0", "plugin/cache: cache TTL can not be zero or negative: 0"),
    ("cache {\n    servfail 10m\n}", "plugin/cache: caching SERVFAIL responses over 5 minutes is not permitted"),
    ("cache {\n    servfail -1s\n}", "plugin/cache: invalid negative ttl for servfail"),
    ("cache {\n    bogus\n}", "plugin/cache: Wrong argument count or unexpected line ending after 'bogus'"),
    ("cache {\n    keepttl extra\n}", "plugin/cache: Wrong argument count or unexpected line ending after 'extra'"),
    # kubernetes/setup.go
    ("kubernetes {\n    ttl 4000\n}", "plugin/kubernetes: ttl must be in range [0, 3600]: 4000"),
    # hosts/setup.go: its own words for ttl and reload
    ("hosts {\n    ttl\n}", "plugin/hosts: ttl needs a time in second"),
    ("hosts {\n    ttl x\n}", "plugin/hosts: ttl needs a number of second"),
    ("hosts {\n    ttl 0\n}", "plugin/hosts: ttl provided is invalid"),
    ("hosts {\n    reload 1s 2s\n}", "plugin/hosts: reload needs a duration (zero seconds to disable)"),
    ("hosts {\n    reload -1s\n}", "plugin/hosts: invalid negative duration for reload '-1s'"),
    # forward/setup.go parseBlock: one NextArg and no check after it, so the next word is the next property
    ("forward . 10.0.0.1 {\n    policy random extra\n}", "plugin/forward: unknown property 'extra'"),
    ("forward . 10.0.0.1 {\n    max_fails 3 4\n}", "plugin/forward: unknown property '4'"),
    ("forward . 10.0.0.1 {\n    policy bogus\n}", "plugin/forward: unknown policy 'bogus'"),
    ("forward . 10.0.0.1 {\n    force_tcp extra\n}",
     "plugin/forward: Wrong argument count or unexpected line ending after 'extra'"),
    ("forward . 10.0.0.1 {\n    expire -1s\n}", "plugin/forward: expire can't be negative: -1s"),
    ("forward . 10.0.0.1 {\n    max_concurrent -5\n}", "plugin/forward: max_concurrent can't be negative: -5"),
    ("forward . 10.0.0.1 {\n    next BOGUS\n}", "plugin/forward: BOGUS is not a valid rcode"),
    ("forward . 10.0.0.1 {\n    doh_method PUT\n}", "plugin/forward: doh_method must be either POST or GET"),
    ("forward . 10.0.0.1 {\n    source_address x\n}", "plugin/forward: invalid IP address: x"),
    # template/setup.go (an invalid TYPE is "invalid RR class" there as well); unknown property is ArgErr
    ("template BOGUS A", "plugin/template: invalid query class BOGUS"),
    ("template IN BOGUS", "plugin/template: invalid RR class BOGUS"),
    ("template IN A {\n    rcode BOGUS\n}", "plugin/template: unknown rcode BOGUS"),
    ("template IN A {\n    bogus\n}",
     "plugin/template: Wrong argument count or unexpected line ending after 'bogus'"),
    # rewrite/setup.go: a rule complete on its line leaves the `{` to start an empty rule
    ("rewrite name a.example b.example {\n}", "plugin/rewrite: no rule type specified for rewrite"),
]


@pytest.mark.parametrize("body,message", CASES, ids=[c[0].split("\n")[0] for c in CASES])
def test_message_is_coredns_s(body, message):
    assert first_error(body).message.startswith(message)


# What CoreDNS accepts because of the way setup reads the line must stay accepted.
ACCEPTED = [
    "forward . 10.0.0.1 {\n    policy random force_tcp\n}",   # `force_tcp` read as the next property
    "forward . 10.0.0.1 {\n    policy random }",              # `}` read as the end of the block
    "hosts {\n    no_reverse 10.0.0.1 db.example.org\n}",     # the words after no_reverse are a hosts line
    "reload 30s {\n    anything\n}",                           # reload never reads a block
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_accepted_as_coredns_reads_it(body):
    text = ". {\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n}\n"
    assert [d for d in lint(text) if d.severity == "error"] == []


def test_go_duration_messages():
    # time.ParseDuration's three wordings
    assert first_error("cache {\n    serve_stale 5\n}").message.endswith('time: missing unit in duration "5"')
    assert first_error("cache {\n    serve_stale 5x\n}").message.endswith('time: unknown unit "x" in duration "5x"')
    assert first_error("cache {\n    serve_stale x\n}").message.endswith('time: invalid duration "x"')


def test_the_word_named_follows_the_dispenser():
    # RemainingArgs then a count check: the last word of the line; NextArg then a check: the first extra word
    d = first_error("ready :1 :2 :3")
    assert d.message.endswith("after ':3'") and d.column == 14   # the caret on the first word too many (:2)
