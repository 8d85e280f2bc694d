"""Setup fidelity of errors, log, trace, prometheus, health, ready, pprof, reload, debug, erratic, route53, azure,
clouddns, geoip, bufsize, metadata, nsid, shed, cancel, local, chaos, whoami and on: hand-written Corefiles for
the rules their setup code (CoreDNS 4b26cced and the releases it changed in) applies, through `lint`."""
from __future__ import annotations

import pytest

from corefile_tool import lint
from lint_helpers import assert_invalid, assert_valid, by_severity


# ---------------------------------------------------------------- a `}` on a property's line, fixed reads

def test_errors_consolidate_reads_the_closing_brace_as_an_option():
    assert_invalid("errors {\n    consolidate 2m ^timeout }", contains="unknown option in consolidate: }")
    assert_invalid("errors {\n    consolidate 2m ^timeout info }", contains="unknown option in consolidate: }")
    assert_valid("errors {\n    consolidate 2m ^timeout info\n}")


def test_errors_stacktrace_reads_no_words():
    assert_valid("errors { stacktrace }")
    assert_valid("errors {\n    stacktrace consolidate 10s refused\n}")   # the next word is the next property
    assert_invalid("errors {\n    stacktrace always\n}", contains="Unknown field always")


def test_errors_consolidate_in_older_releases():
    long_pattern = "x" * 10001
    assert_valid(f"errors {{\n    consolidate 1m {long_pattern}\n}}", version="1.13.2")
    assert_invalid(f"errors {{\n    consolidate 1m {long_pattern}\n}}", version="1.14.0", contains="too long")
    assert_invalid("errors {\n    consolidate 1m x loud\n}", version="1.10.0",
                   contains="unknown log level argument in consolidate: loud")
    assert_valid("errors {\n    consolidate 1m x debug\n}", version="1.10.0")


def test_properties_that_read_a_fixed_number_of_words():
    # setup reads one word with NextArg; the next word on the line is read as the next property
    assert_valid("erratic { large }")
    assert_invalid("erratic {\n    large please\n}", code="unknown-property")
    assert_valid("geoip /data/city.mmdb { edns-subnet }")
    assert_invalid("geoip /data/city.mmdb {\n    edns-subnet on\n}", contains='unknown property "on"')
    assert_valid("route53 example.net.:Z9 {\n    refresh 2m fallthrough\n}")
    assert_invalid("route53 example.net.:Z9 {\n    aws_endpoint https://r53.internal twice\n}",
                   contains='unknown property "twice"')
    assert_valid("azure grp:example.net {\n    client c1 fallthrough\n}")
    assert_invalid("azure grp:example.net {\n    subscription s1 s2\n}", contains='unknown property: "s2"')
    assert_valid("azure grp:example.net { secret }")     # the `}` is read as the secret


# ---------------------------------------------------------------- messages in CoreDNS's words

def test_unknown_property_wording_per_plugin():
    assert_invalid("prometheus {\n    scrape_interval 5s\n}", contains="unknown option: scrape_interval")
    assert_invalid("route53 example.net.:Z9 {\n    region eu\n}", contains='unknown property "region"')
    assert_invalid("clouddns example.net.:proj:zn {\n    project p\n}", contains='unknown property "project"')
    assert_invalid("metadata {\n    verbose\n}", contains="Wrong argument count or unexpected line ending after 'verbose'")


def test_go_quoting_in_messages():
    assert_invalid("route53 example.net.:Z9 {\n    refresh 0\n}", contains='greater than 0: "0s"')
    assert_invalid("route53 only-a-name", contains='invalid zone "only-a-name"')
    assert_invalid("azure grp-without-zone", contains='invalid resource group/zone: "grp-without-zone"')
    assert_invalid("azure grp:z {\n    environment venus\n}",
                   contains='cannot set azure environment: "autorest/azure: There is no cloud environment '
                            'matching the name \\"VENUS\\""')
    assert_invalid("shed", keys="grpc://.:9443",
                   contains='only plain DNS server blocks are supported; "grpc://.:9443" uses transport "grpc"')


def test_trace_argument_count_names_the_last_word():
    assert_invalid("trace zipkin host:9411 extra more", contains="after 'more'")


def test_trace_analytics_rate():
    assert_valid("trace datadog {\n    datadog_analytics_rate NaN\n}")    # NaN passes `> 1 || < 0`
    assert_valid("trace datadog {\n    datadog_analytics_rate 0x1p-2\n}")
    assert_invalid("trace datadog {\n    datadog_analytics_rate 1.5\n}", contains="must be between 0 and 1")


def test_bufsize_wording_and_ignored_block():
    assert_invalid("bufsize 8192", contains="Wrong argument count or unexpected line ending after '8192'")
    # parse returns after the arguments: a block is never read
    assert_valid("bufsize 1400 {\n    anything here\n}")
    assert by_severity("bufsize {\n    tcp 512\n}", "warning", code="wrong-arguments")


# ---------------------------------------------------------------- azure and clouddns zones and files

def test_azure_conflict_key_joins_group_and_zone_since_1_6_8():
    # setup remembers RESOURCE_GROUP+ZONE: "ab:c" and "a:bc" are the same key from 1.6.8 on
    assert_invalid("azure ab:c a:bc", contains="conflicting zone")
    assert_invalid("azure ab:c a:bc", version="1.10.0", contains="conflicting zone")
    assert_valid("azure ab:c a:bc", version="1.6.7")
    assert_invalid("azure grp:one\nazure grp:one", version="1.6.7", contains="conflicting zone")


def test_clouddns_credentials_file(tmp_path):
    def body(content):
        path = tmp_path / f"c{abs(hash(content))}.json"
        path.write_text(content)
        return f"clouddns example.net.:proj:zn {{\n    credentials {path}\n}}"

    assert_valid(body('{"Type": "authorized_user"}'))          # encoding/json matches keys case-insensitively
    assert_invalid(body('{"type": "service_account", "n": Infinity}'))
    assert_invalid(body('["service_account"]'), contains="invalid credentials file")
    assert_invalid(body("null"), contains="missing `type` field")
    assert_invalid(body('{"type": "workload"}'), contains="unknown credential type: workload")
    assert_valid(body('{"type": "workload"}'), version="1.13.2")   # read by the client, not by setup, before 1.14
    path = tmp_path / "ok.json"
    path.write_text('{"type": "external_account"}')
    assert_invalid(f"clouddns example.net.:proj:zn {{\n    credentials {path} second\n}}",
                   contains='unknown property "second"')


# ---------------------------------------------------------------- cancel walks tokens, not properties

def test_cancel_block_is_read_word_by_word():
    assert_valid("cancel {\n}")
    assert_valid("cancel 3s {\n}")
    assert_valid("cancel {\n    timeout 3s\n}")        # the line's other word is one more TIMEOUT
    assert_invalid("cancel {\n    timeout soon\n}", contains='invalid duration: "soon"')
    assert_invalid("cancel {\n    timeout 0s\n}", contains="invalid negative duration")
    assert_invalid("cancel {\n    timeout 1s 2s\n}", code="wrong-arguments")
    assert_invalid("cancel 250", contains='invalid duration: "250"')


# ---------------------------------------------------------------- releases

def test_ready_block_across_releases():
    assert_invalid("ready {\n}", version="1.12.1", code="plugin-once")
    assert_invalid("ready {\n    monitor until-ready\n}", version="1.12.1")
    assert_valid("ready {\n    verbose\n}", version="1.14.3")       # skipped until 1.14.4
    assert by_severity("ready {\n    verbose\n}", "warning", version="1.14.3", code="unknown-property")
    assert_invalid("ready {\n    verbose\n}", code="unknown-property")


def test_chaos_block_across_releases():
    assert_valid("chaos CoreDNS-x {\n    hostname h\n}", version="1.14.3")
    assert_invalid("chaos CoreDNS-x {\n    hostname h\n}", version="1.14.4", contains="unknown property")


def test_local_across_releases():
    assert_valid("local example.net {\n    zones x\n}", version="1.14.3")
    assert by_severity("local example.net", "warning", version="1.14.3")
    assert_invalid("local {\n}", version="1.14.4", contains="Unexpected token '{'")
    assert_valid("local {\n}", version="1.14.5")
    assert_invalid("local example.net", version="1.14.5", code="wrong-arguments")


# ---------------------------------------------------------------- on: flynn/go-shlex

@pytest.mark.parametrize("body,ok", [
    ("on startup /usr/bin/logger started", True),
    ("on STARTUP logger up", True),                        # the event is lower-cased
    ("on startup logger 'quoted ünïcode'", True),           # any rune inside quotes
    ("on startup logger ünïcode", False),                   # outside quotes: Uknown rune
    ("on startup logger `hostname`", False),                # the backtick is no rune class of go-shlex
    ('on startup "#logger up"', False),                     # go-shlex reads a comment: no command left
    ('on startup logger "up#2"', True),                     # `#` inside a word is a character
    ("on startup #logger up", False),                       # the Corefile's own comment: no command at all
    ("on shutdown logger 'open", False),
    ("on shutdown logger trailing\\", False),
    ("on startup", False),
    ("on certrenew", False),
])
def test_on_command_splitting(body, ok):
    (assert_valid if ok else assert_invalid)(body)


def test_on_command_messages():
    assert_invalid('on startup "#x"', contains="no command contained in '#x'")
    assert_invalid("on startup x\\", contains="error parsing command: EOF found after escape character")


# ---------------------------------------------------------------- HTTP servers across server blocks

TWO_HEALTH = ".:53 {\n    health\n}\nexample.net:53 {\n    health\n}\n"


def test_two_health_servers_on_one_address():
    # before 1.6.6 every health bound with net.Listen: the second one failed
    found = [d for d in lint(TWO_HEALTH, version="1.6.5") if d.severity == "error"]
    assert len(found) == 1 and "address already in use" in found[0].message and found[0].line == 5
    # from 1.6.6 on both bind with SO_REUSEPORT and serve the same /health
    assert not [d for d in lint(TWO_HEALTH) if d.severity in ("error", "warning")]


def test_http_servers_of_different_plugins_on_one_port():
    text = ".:53 {\n    health :9100\n    prometheus 0.0.0.0:9100\n    ready 127.0.0.1:9101\n}\n"
    old = [d for d in lint(text, version="1.6.5") if d.severity == "error"]
    assert [d.line for d in old] == [3]
    new = [d for d in lint(text) if d.severity == "warning" and "9100" in d.message]
    assert [d.line for d in new] == [3] and "SO_REUSEPORT" in new[0].message


def test_shared_and_separate_http_servers():
    # prometheus and ready start one server per ADDRESS string (uniq); other hosts or ports do not collide
    text = (".:53 {\n    prometheus\n    ready\n    pprof 127.0.0.1:7000\n}\n"
            "example.net:53 {\n    prometheus\n    ready\n    pprof 127.0.0.2:7000\n    health 127.0.0.1:7001\n}\n")
    assert not [d for d in lint(text, version="1.6.5") if d.severity in ("error", "warning")]
    assert not [d for d in lint(text) if d.severity in ("error", "warning")]
