"""Plugin knowledge, group B: arguments, block properties and versioned facts of cache, dnstap, grpc, timeouts,
trace, quic, azure, proxyproto, route53, auto, grpc_server, dns64, erratic, multisocket, pprof, secondary,
clouddns, etcd, header, https, https3, dnssec, prometheus, tsig, bufsize, nsid, nomad, shed, geoip, tls, on,
sign and federation, checked through `lint` on hand-written Corefiles: valid ones must pass, invalid ones must
fail the way the plugin's setup does, in the CoreDNS release given."""
from __future__ import annotations

import json

import pytest

from corefile_tool import lint
from corefile_tool.knowledge import registry, versions
from lint_helpers import assert_invalid, assert_valid, by_severity, findings

GROUP_B = ("cache dnstap grpc timeouts trace quic azure proxyproto route53 auto grpc_server dns64 erratic "
           "multisocket pprof secondary clouddns etcd header https https3 dnssec prometheus tsig bufsize nsid "
           "nomad shed geoip tls on sign federation").split()


def has(body, code, severity, version=None, keys="."):
    return any(d.code == code and d.severity == severity for d in findings(body, version, keys))


def test_every_group_b_plugin_is_described():
    known = registry.plugins()
    for name in GROUP_B:
        plugin = known[name]
        assert plugin.name == name and plugin.summary
        plugin.slots
        for prop in plugin.props:
            prop.slots
    # the releases this knowledge covers: 1.6.0 .. 1.14.7
    covered = [v for v in versions.VERSIONS if versions.version_tuple(v) >= (1, 6, 0)]
    every_directive = {d for v in covered for d in versions.directives(v)}
    assert every_directive <= set(known), sorted(every_directive - set(known))


VALID = [
    # cache
    "cache",
    "cache 30 example.org",
    "cache example.org {\n success 10000 60 5\n denial 5000 30\n prefetch 2 10m 20%\n}",
    "cache {\n serve_stale 1h verify 2s 30s 1m\n serve_stale_policy prefer_positive\n}",
    "cache {\n serve_stale 30m IMMEDIATE 10s\n servfail 5m\n disable denial example.org\n keepttl\n}",
    # dnstap
    "dnstap /var/run/dnstap.sock full",
    "dnstap tcp://192.0.2.1:6000 full 4 8 {\n identity ns1\n version 1\n extra x\n skipverify\n}",
    "dnstap listen tls://[::1]:6000 {\n tls /etc/ssl/cert.pem /etc/ssl/key.pem\n}",
    # grpc
    "grpc . 192.0.2.1 [2001:db8::1]:443 {\n except example.org\n policy round_robin\n tls_servername dns.example\n"
    " fallthrough\n}",
    # timeouts
    "timeouts {\n read 10\n write 1m\n idle 24h\n maxtcpqueries -1\n}",
    # trace
    "trace datadog localhost:8126 {\n every 10\n service dns\n client_server false\n datadog_analytics_rate 0.5\n}",
    "trace {\n zipkin_max_batch_interval 5s\n}",
    # listener limits
    "quic {\n max_streams 100\n worker_pool_size 8\n}",
    "grpc_server {\n max_streams 0\n max_connections 10\n}",
    "https {\n max_connections 0\n}",
    "https3 {\n max_streams 10\n max_connections 10\n}",
    # cloud and API backed
    "azure rg:example.org rg2:example.net {\n tenant t\n client c\n secret s\n subscription x\n"
    " environment AzureUSGovernment\n access private\n fallthrough\n}",
    "route53 example.org.:Z1 example.org.:Z2 {\n credentials default /etc/aws/credentials\n refresh 90\n"
    " aws_endpoint https://route53.local\n}",
    "clouddns example.org.:project:zone {\n fallthrough example.org\n}",
    "nomad service.nomad {\n ADDRESS http://127.0.0.1:4646\n token t\n ttl 3600\n filter \"Tags contains x\"\n}",
    "etcd skydns.local {\n path /skydns\n endpoint http://127.0.0.1:2379 http://127.0.0.2:2379\n"
    " min-lease-ttl 30\n max-lease-ttl 2h\n fallthrough\n}",
    # zones served from files
    "auto example.org {\n directory /tmp db\\.(.*) {1}\n reload 30s\n}",
    "secondary example.org {\n transfer from 192.0.2.1 [2001:db8::1]:5300\n catalog example.org\n fallthrough\n}",
    # answers and headers
    "dns64 64:ff9b::/96",
    "dns64 {\n prefix 2001:db8::/32\n translate_all\n allow_ipv4\n}",
    "erratic {\n drop 3\n delay 2 10ms\n truncate\n large\n}",
    "header {\n query set rd\n RESPONSE CLEAR aa ra\n}",
    # small ones
    "multisocket 8",
    "pprof localhost:6060 {\n block 2\n}",
    "prometheus :9153 {\n runtime_metrics\n}",
    "bufsize 1232",
    "nsid this is ns1",
    "geoip /tmp {\n edns-subnet\n}",
    "on startup echo 'CoreDNS is up'",
    "tsig example.org {\n secret key.example. c2VjcmV0\n require A AAAA\n require_opcode UPDATE\n}",
    "tsig {\n require all\n}",
    "dnssec example.org {\n cache_capacity 1000\n}",
    "sign /tmp/db.example.org example.org {\n directory /tmp\n}",
    "tls /tmp/cert.pem /tmp/key.pem /tmp/ca.pem {\n client_auth require_and_verify\n keylog /tmp/keys\n}",
    "tls {\n acme dns.example.org *.example.net\n email ops@example.org\n ca https://acme.example/dir\n"
    " resolver 192.0.2.53:53\n}",
]


@pytest.mark.parametrize("body", VALID)
def test_valid(body):
    assert_valid(body)


INVALID = [
    # cache: CoreDNS reads a leading number as the TTL, then range-checks it
    ("cache 0 example.org", "cache TTL can not be zero or negative: 0"),
    ("cache {\n success\n}", "Wrong argument count"),
    ("cache {\n denial 10 0\n}", "cache TTL can not be zero or negative"),
    ("cache {\n prefetch 1 1m 5%\n}", "range [10, 90]"),
    ("cache {\n prefetch 1 1m 20\n}", "last character of percentage"),
    ("cache {\n serve_stale 1h immediate 1500ms\n}", "whole number of seconds"),
    ("cache {\n serve_stale 1h verify 1s 10s 6m\n}", "cannot exceed 5 minutes"),
    ("cache {\n serve_stale 1h sometimes\n}", "refresh mode"),
    ("cache {\n serve_stale_policy prefer_positive\n}", "requires serve_stale"),
    ("cache {\n serve_stale\n serve_stale_policy prefer_positive\n serve_stale_policy prefer_positive\n}",
     "only be specified once"),
    ("cache {\n servfail 6m\n}", "caching SERVFAIL responses over 5 minutes is not permitted"),
    ("cache {\n disable everything\n}", 'cache type for disable must be "success" or "denial"'),
    ("cache\ncache 10", "only be used once"),
    # dnstap
    ("dnstap", "Wrong argument count"),
    ("dnstap listen", "requires an endpoint"),
    ("dnstap tcp://[::1:6000", "Wrong argument count"),
    ("dnstap sock full 0 10", "MultipleTcpWriteBuf"),
    ("dnstap sock {\n tls a b\n}", "only valid for listeners"),
    ("dnstap listen tcp://127.0.0.1:1 {\n tls cert.pem\n}", "cert and key"),
    ("dnstap sock {\n identitiy x\n}", "unknown property"),
    # grpc
    ("grpc .", "Wrong argument count"),
    ("grpc . example.net", "not an IP address or file"),
    ("grpc . 192.0.2.1 {\n policy fastest\n}", "unknown policy 'fastest'"),
    ("grpc . " + " ".join(f"192.0.2.{i}" for i in range(1, 17)), "more than 15 TOs"),
    ("grpc . 192.0.2.1\ngrpc example.org 192.0.2.2", "only be used once"),
    # timeouts
    ("timeouts", "no timeouts specified"),
    ("timeouts {\n read 0\n}", "needs to be between 1 second and 24 hours"),
    ("timeouts {\n idle 25h\n}", "needs to be between 1 second and 24 hours"),
    ("timeouts {\n maxtcpqueries 0\n}", "-1 (unlimited)"),
    # trace
    ("trace jaeger localhost:1", "not supported"),
    ("trace a b c", "Wrong argument count"),
    ("trace {\n client_server maybe\n}", "ParseBool"),
    ("trace {\n every -1\n}", "ParseUint"),
    # listener limits
    ("quic {\n max_streams 0\n}", "must be a positive integer"),
    ("quic extra", "Wrong argument count"),
    ("grpc_server {\n max_connections 1\n max_connections 2\n}", "already defined"),
    ("https {\n max_streams 1\n}", "unknown property"),
    # cloud and API backed
    ("azure example.org", "invalid resource group/zone"),
    ("azure rg:example.org rg:example.org", "conflicting zone"),
    ("azure rg:zone\nazure rg:zone", "conflicting zone"),
    ("azure rg:zone {\n environment MARSCLOUD\n}", "no cloud environment"),
    ("azure rg:zone {\n access shared\n}", "unknown value"),
    ("route53 example.org.:", "invalid zone"),
    ("route53 example.org.:Z1 {\n refresh 0\n}", "greater than 0"),
    ("route53 example.org.:Z1 {\n aws_access_key onlyid\n}", "invalid access key"),
    ("clouddns example.org:project", "invalid zone"),
    ("nomad {\n ttl 3601\n}", "[0, 3600]"),
    ("nomad {\n address\n}", "at least one address"),
    ("nomad {\n region eu\n}", "unknown property"),
    ("etcd {\n credentials user\n}", "username and password"),
    ("etcd {\n min-lease-ttl 1 2\n}", "unknown property '2'"),
    # zones served from files
    ("auto {\n directory /tmp db\\.(.*)\n}", "Wrong argument count"),
    ("auto {\n directory /tmp db\\..* {1}\n}", "sub expression"),
    ("auto {\n directory /tmp\n reload -1s\n}", "invalid duration"),
    ("auto {\n directory /tmp\n reload\n}", "reload duration value is expected"),
    ("secondary example.org", "require a transfer from"),
    ("secondary example.org {\n transfer to 192.0.2.1\n}", "unknown property to"),
    ("secondary example.org {\n transfer from *\n}", "can't use '*'"),
    ("secondary example.org {\n transfer from ns1.example.org\n}", "must specify an IP address"),
    ("secondary example.org {\n transfer from 192.0.2.1\n catalog :\n}", "invalid catalog member zone"),
    # answers and headers
    ("dns64 10.0.0.0/8", "invalid netmask"),
    ("dns64 64:ff9b::/100", "invalid prefix length"),
    ("dns64 {\n prefix\n}", "Wrong argument count"),
    ("erratic {\n delay 1 2ms 3\n}", "Wrong argument count"),
    ("erratic {\n truncate -2\n}", "below the minimum"),
    ("header", "Wrong argument count"),
    ("header {\n query\n}", "no flag action"),
    ("header {\n response set cd\n}", "unknown/unsupported flag"),
    ("header {\n set aa\n}", "invalid selector"),
    # small ones
    ("multisocket 1025", "exceeds maximum"),
    ("multisocket\nmultisocket", "only one multisocket"),
    ("pprof localhost", "missing port"),
    ("pprof {\n block slow\n}", "Atoi"),
    ("pprof\npprof :6061", "only be used once"),
    ("prometheus a:1 b:2", "Wrong argument count"),
    ("prometheus {\n tls a.yml\n tls b.yml\n}", "tls block already specified"),
    ("bufsize 511", "below the minimum"),
    ("nsid a\nnsid b", "only be used once"),
    ("shed {\n rate 10\n}", "no options"),
    ("geoip", "Wrong argument count"),
    ("geoip /tmp {\n city\n}", "unknown property"),
    ("geoip /tmp\ngeoip /var", "multiple databases"),
    ("on reboot echo hi", "unknown value"),
    ("on startup echo 'unclosed", "error parsing command"),
    ("tsig {\n require a\n}", "unknown query type"),
    ("tsig {\n require_opcode query\n}", "unknown opcode"),
    ("tsig {\n secret k. s1\n secret K s2\n}", "redefined"),
    ("dnssec {\n key file\n}", "Wrong argument count"),
    ("dnssec {\n cache_capacity big\n}", "Atoi"),
    ("sign", "Wrong argument count"),
    ("sign /tmp/db {\n key directory /tmp\n}", "not implemented"),
    ("sign /tmp/db {\n directory\n}", 'after "directory"'),
    ("tls /tmp/cert.pem", "Wrong argument count"),
    ("tls /tmp/cert.pem /tmp/key.pem {\n client_auth always\n}", "unknown authentication type"),
    ("tls /tmp/cert.pem /tmp/key.pem {\n acme dns.example.org\n}", "ACME options need"),
    ("tls {\n email ops@example.org\n}", "at least one domain"),
    ("tls {\n acme 192.0.2.1\n}", "invalid ACME domain"),
    ("tls {\n acme dns.example\n acme other.example\n}", "only be specified once"),
    ("tls {\n acme dns.example\n ca ftp://ca.example\n}", "invalid ACME CA URL"),
    ("tls {\n acme dns.example\n resolver 1.1.1.1:0\n}", "resolver port"),
]


@pytest.mark.parametrize("body,contains", INVALID)
def test_invalid(body, contains):
    assert_invalid(body, contains=contains)


# ---------------------------------------------------------------- versions

VERSIONED = [
    # (body, last version that refuses it, first version that accepts it)
    ("cache {\n keepttl\n}", "1.10.0", "1.10.1"),
    ("cache {\n servfail 10s\n}", "1.9.3", "1.9.4"),
    ("cache {\n disable success\n}", "1.9.3", "1.9.4"),
    ("cache {\n serve_stale\n}", "1.6.5", "1.6.6"),
    ("cache {\n serve_stale 1h verify\n}", "1.9.1", "1.9.2"),
    ("cache {\n serve_stale 1h verify 5s\n}", "1.14.3", "1.14.4"),
    ("cache {\n serve_stale 1h immediate 30s\n}", "1.14.6", "1.14.7"),
    ("cache {\n serve_stale\n serve_stale_policy prefer_positive\n}", "1.14.6", "1.14.7"),
    ("timeouts {\n maxtcpqueries 10\n}", "1.14.6", "1.14.7"),
    ("https3 {\n max_connections 10\n}", "1.14.6", "1.14.7"),
    ("secondary example.org {\n transfer from 192.0.2.1\n fallthrough\n}", "1.14.3", "1.14.4"),
    ("secondary example.org {\n transfer from 192.0.2.1\n catalog\n}", "1.14.4", "1.14.5"),
    ("secondary example.org {\n transfer from 192.0.2.1\n catalog example.org\n}", "1.14.6", "1.14.7"),
    ("secondary example.org", "1.12.2", "1.12.1"),           # transfer became mandatory in 1.12.2
    ("prometheus {\n runtime_metrics\n}", "1.14.2", "1.14.3"),
    ("prometheus :9153 {\n}", "1.14.2", "1.14.3"),
    ("tls {\n acme dns.example.org\n}", "1.14.6", "1.14.7"),
    ("tls /tmp/c /tmp/k {\n keylog /tmp/keys\n}", "1.14.2", "1.14.3"),
    ("tsig {\n require_opcode UPDATE\n}", "1.14.2", "1.14.3"),
    ("dns64 {\n allow_ipv4\n}", "1.8.6", "1.8.7"),
    ("geoip /tmp {\n edns-subnet\n}", "1.9.1", "1.9.2"),
    ("grpc . 192.0.2.1 {\n fallthrough\n}", "1.12.2", "1.12.3"),
    ("route53 example.org.:Z1 {\n aws_endpoint https://r53.local\n}", "1.8.6", "1.8.7"),
    ("azure rg:zone {\n access private\n}", "1.6.7", "1.6.8"),
    ("etcd {\n max-lease-ttl 1h\n}", "1.12.3", "1.12.4"),
    ("nomad {\n filter x\n}", "1.13.1", "1.13.2"),
    ("header {\n response set aa\n}", "1.9.3", "1.9.4"),
    ("header {\n set aa\n}", "1.12.4", "1.12.3"),              # the bare form left in 1.12.4
    ("auto {\n directory /tmp\n transfer to *\n}", "1.8.0", "1.7.1"),
    ("secondary example.org {\n transfer to 192.0.2.1\n transfer from 192.0.2.2\n}", "1.8.0", "1.7.1"),
    ("sign /tmp/db\ufffd", "1.13.1", "1.13.0"),
]


@pytest.mark.parametrize("body,refused,accepted", VERSIONED)
def test_version_boundaries(body, refused, accepted):
    assert_invalid(body, version=refused)
    assert_valid(body, version=accepted)


def test_lenient_releases_warn_instead_of_failing():
    # trace and dnstap skipped unknown properties silently until 1.14.4.
    body = "trace {\n colour blue\n}"
    assert_valid(body, version="1.14.3")
    assert has(body, "unknown-property", "warning", version="1.14.3")
    assert_invalid(body, version="1.14.4", contains="unknown property")
    # dnstap read no block at all before 1.9.4.
    body = "dnstap sock {\n identity ns1\n}"
    assert_valid(body, version="1.9.3")
    assert has(body, "unknown-property", "warning", version="1.9.3")
    # before 1.10.1 only the first dnstap of a block counted.
    assert has("dnstap a.sock\ndnstap b.sock", "wrong-arguments", "warning", version="1.10.0")
    assert not by_severity("dnstap a.sock\ndnstap b.sock", "warning", version="1.10.1")


def test_deprecated_options_warn():
    assert has("route53 example.org.:Z1 {\n aws_access_key id secret\n}", "deprecated", "warning")
    assert not has("route53 example.org.:Z1 {\n aws_access_key id secret\n}", "deprecated", "warning",
                   version="1.9.1")
    assert has("etcd {\n stubzones\n}", "deprecated", "warning")
    assert has("auto {\n directory /tmp\n upstream\n}", "deprecated", "warning")
    assert has("header {\n clear rd\n}", "deprecated", "warning", version="1.11.0")


def test_silently_ignored_input_is_a_warning():
    assert has("cache 30 bad..zone", "invalid-value", "warning")
    assert has("erratic loud", "wrong-arguments", "warning")
    assert has("dnssec {\n key vault\n}", "wrong-arguments", "warning")
    # keyParse reads one word for an unknown key source; the next is read as a property.
    assert has("dnssec {\n key vault k1\n}", "invalid-value", "error")
    assert has("quic {\n max_streams 10\n}", "wrong-arguments", "warning", keys="dns://.:53")
    assert not has("quic {\n max_streams 10\n}", "wrong-arguments", "warning", keys="quic://.:853")
    assert has("bufsize 1232\nbufsize 4096", "plugin-once", "warning")


def test_shed_needs_plain_dns_keys():
    assert_valid("shed", keys="example.org:53 dns://.:53")
    assert_invalid("shed", keys="tls://.:853", contains="only plain DNS")


# ---------------------------------------------------------------- the environment and files

def test_cloud_plugins_report_the_environment_not_a_verdict():
    for body in ("route53 example.org.:Z1", "azure rg:zone", "clouddns example.org.:p:z",
                 "nomad", "etcd {\n credentials u p\n}", "dnssec {\n key aws_secretsmanager arn:x\n}"):
        assert_valid(body)
        assert has(body, "environment", "info"), body
    assert not has("etcd", "environment", "info")


def test_missing_start_up_files_are_info(tmp_path):
    for body in ("tls /nonexistent/cert.pem /nonexistent/key.pem",
                 "dnssec example.org {\n key file /nonexistent/Kexample.org.+013+1\n}",
                 "geoip /nonexistent/GeoLite2-City.mmdb",
                 "tsig {\n secrets /nonexistent/keys.conf\n}",
                 "grpc . /nonexistent/resolv.conf"):
        assert_valid(body)
        assert has(body, "external-file", "info"), body


def test_files_that_are_here_are_read(tmp_path):
    key = tmp_path / "Kexample.org.+013+12345"
    key.with_suffix(key.suffix + ".key").write_text(
        "; zone-signing key\nexample.org. 3600 IN DNSKEY 256 3 13 AAAA\n")
    key.with_suffix(key.suffix + ".private").write_text("Private-key-format: v1.3\n")
    corefile = tmp_path / "Corefile"
    corefile.write_text(f"example.org {{\n    dnssec {{\n        key file {key}\n    }}\n}}\n")
    assert not [d for d in lint(corefile) if d.severity != "warning" or d.code == "external-file"]
    corefile.write_text(f"example.net {{\n    dnssec {{\n        key file {key}\n    }}\n}}\n")
    assert any("can not sign" in d.message for d in lint(corefile) if d.severity == "error")

    secrets = tmp_path / "tsig.conf"
    secrets.write_text('key "k1." {\n  algorithm hmac-sha256;\n  secret "c2VjcmV0";\n};\n')
    corefile.write_text(f". {{\n    tsig {{\n        secrets {secrets}\n        secret k1. other\n    }}\n}}\n")
    assert any("redefined" in d.message for d in lint(corefile) if d.severity == "error")
    secrets.write_text('key "k1." {\n  algorithm hmac-sha256;\n};\n')
    corefile.write_text(f". {{\n    tsig {{\n        secrets {secrets}\n    }}\n}}\n")
    assert any("expected secret" in d.message for d in lint(corefile) if d.severity == "error")

    credentials = tmp_path / "gcp.json"
    credentials.write_text(json.dumps({"type": "service_account"}))
    corefile.write_text(f"example.org {{\n    clouddns example.org.:p:z {{\n        credentials {credentials}\n"
                        "    }\n}\n")
    assert not [d for d in lint(corefile) if d.severity == "error"]
    credentials.write_text(json.dumps({"type": "api_key"}))
    assert any("unknown credential type" in d.message for d in lint(corefile) if d.severity == "error")
    assert not [d for d in lint(corefile, version="1.13.2") if d.severity == "error"]


def test_transfer_in_addresses():
    # plugin/pkg/parse TransferIn, reached through secondary's `transfer from`.
    assert_valid("secondary example.org {\n transfer from 127.0.0.1 127.0.0.2:5300\n}")
    for bad in ("!@#$%^&*()", "*", ""):
        assert_invalid(f"secondary example.org {{\n transfer from {bad}\n}}")


def test_federation_only_before_1_7_0():
    body = "federation cluster.local {\n prod prod.example.com\n}"
    assert_valid(body, version="1.6.9")
    assert_invalid(body, version="1.7.0", contains="Unknown directive")
    assert_invalid("federation cluster.local {\n prod\n}", version="1.6.9", contains="need two arguments")
    assert_invalid("federation", version="1.6.9", contains="at least one name")
