"""Setup fidelity of kubernetes, k8s_external, etcd, nomad, autopath, hosts, file, auto, secondary, transfer, root,
sign, dnssec, tsig and dns64: hand-written Corefiles whose verdict follows each plugin's setup code at CoreDNS
4b26cced (the rules are cited next to each test), checked through `lint`."""
from __future__ import annotations

from pathlib import Path

import pytest

from corefile_tool import lint
from lint_helpers import assert_invalid, assert_valid, findings


def lint_files(tmp_path: Path, corefile: str, files: dict):
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    path = tmp_path / "Corefile"
    path.write_text(corefile)
    return lint(path)


# ---------------------------------------------------------------- kubernetes (setup.go, k8s apimachinery labels)

@pytest.mark.parametrize("selector", [
    "tier in (web,cache),!legacy",
    "app=dns, team==infra",
    "zone notin ()",
    'kind in (a,,b)',
    '""',                        # an empty selector parses (no requirement)
])
def test_kubernetes_label_selectors_accepted(selector):
    assert_valid(f"kubernetes cluster.local {{\n labels {selector}\n}}")


@pytest.mark.parametrize("selector, reason", [
    ("app!=dns", '"!=" is not a valid label selector operator'),     # ParseToLabelSelector has no NotEquals
    ("tier in (web cache)", "expected: ',' or ')'"),
    ("replicas>2", "isn't supported in label selectors"),
    ("app=dns,", "identifier after ','"),
    ("Bad.Prefix/x=y", "invalid label key prefix"),
])
def test_kubernetes_label_selectors_refused(selector, reason):
    assert_invalid(f"kubernetes cluster.local {{\n namespace_labels {selector}\n}}", reason)


def test_kubernetes_apiserver_qps_is_a_go_float32():
    # strconv.ParseFloat(arg, 32): hex floats and inf parse, underscores and float32 overflow do not
    assert_valid("kubernetes cluster.local {\n apiserver_qps 0x1p4\n}")
    assert_valid("kubernetes cluster.local {\n apiserver_qps inf\n}")
    assert_invalid("kubernetes cluster.local {\n apiserver_qps 2_0\n}", "invalid syntax")
    assert_invalid("kubernetes cluster.local {\n apiserver_qps 5e40\n}", "value out of range")
    assert_invalid("kubernetes cluster.local {\n apiserver_qps -0.5\n}", "apiserver_qps must be >= 0")


def test_kubernetes_apiserver_limits_speak_coredns_words():
    assert_invalid("kubernetes cluster.local {\n apiserver_burst -1\n}", "apiserver_burst must be >= 0")
    assert_invalid("kubernetes cluster.local {\n apiserver_max_inflight many\n}",
                   'invalid apiserver_max_inflight "many"')


# ---------------------------------------------------------------- k8s_external (setup.go: headless reads no word)

def test_k8s_external_headless_reads_no_word():
    assert_valid("k8s_external svc.example {\n headless }")
    assert_invalid("k8s_external svc.example {\n headless yes\n}", "unknown property 'yes'")
    assert_invalid("k8s_external svc.example {\n ttl 4000\n}", "ttl must be in range [0, 3600]: 4000")


# ---------------------------------------------------------------- etcd (setup.go: NextArg properties, parseTTL)

def test_etcd_single_word_properties_leave_the_rest_to_the_next_property():
    assert_valid("etcd {\n path /dns }")
    assert_valid("etcd {\n stubzones }")
    assert_valid("etcd {\n max-lease-ttl 10m }")
    assert_invalid("etcd {\n path /dns /other\n}", "unknown property '/other'")
    assert_invalid("etcd {\n debug on\n}", "unknown property 'on'")


@pytest.mark.parametrize("value, ok", [
    ('""', True),                 # blank is 0
    ("45", True), ("90m", True), ("4294967295", True),
    ("+45", False),               # digits only count as seconds; "+45" is a duration without a unit
    ("4294967296", False), ("-1m", False), ("2d", False),
])
def test_etcd_lease_ttls(value, ok):
    body = f"etcd {{\n min-lease-ttl {value}\n}}"
    if ok:
        assert_valid(body)
    else:
        assert_invalid(body, "invalid min-lease-ttl value")


# ---------------------------------------------------------------- nomad (setup.go: nomad/api NewClient url.Parse)

def test_nomad_addresses_must_parse_as_urls():
    assert_valid("nomad {\n address https://nomad.internal:4646 http://[2001:db8::7]:4646\n}")
    assert_valid("nomad {\n address nomad.internal:4646\n}")      # scheme "nomad.internal", opaque rest
    assert_invalid("nomad {\n address 192.0.2.7:4646\n}", "first path segment in URL cannot contain colon")
    assert_invalid("nomad {\n address http://nomad:api\n}", 'invalid port ":api" after host')
    assert_invalid("nomad {\n address http://[2001:db8::7:4646\n}", "missing ']' in host")


# ---------------------------------------------------------------- autopath (setup.go: @plugin, resolv.conf)

def test_autopath_plugin_must_implement_autopather():
    assert_invalid("autopath @hosts\nhosts", "hosts does not implement the AutoPather interface")
    assert_valid("autopath @kubernetes\nkubernetes cluster.local")
    found = findings("autopath @kubernetes")
    assert not [d for d in found if d.severity == "error"]
    assert any(d.severity == "warning" and "no 'kubernetes' plugin" in d.message for d in found)


def test_autopath_bare_resolv_conf_name(tmp_path):
    found = lint_files(tmp_path, ". {\n autopath kubernetes\n}\n", {})
    assert any(d.severity == "error" and "@kubernetes names the plugin" in d.message for d in found)
    found = lint_files(tmp_path, ". {\n autopath search.conf\n}\n", {"search.conf": "search a.example\n"})
    assert not [d for d in found if d.severity == "error"]


# ---------------------------------------------------------------- hosts, file, secondary, transfer

def test_hosts_no_reverse_hands_its_next_word_to_the_inline_entries():
    # setup.go: no_reverse reads nothing; the next word is a new line, an inline entry until fallthrough is set
    assert_valid("hosts {\n no_reverse 192.0.2.1\n}")
    assert_invalid("hosts {\n fallthrough\n no_reverse 192.0.2.1\n}", "unknown property '192.0.2.1'")


def test_file_reload_by_mtime_reads_no_word():
    assert_valid("file db.example example.org {\n reload_by_mtime }")
    assert_invalid("file db.example example.org {\n reload_by_mtime yes\n}", "unknown property 'yes'")


def test_secondary_transfer_from_checks_only_the_host():
    # parse.HostPort: the port is not validated, the host must be an IP address
    assert_valid("secondary example.org {\n transfer from 192.0.2.1:domain\n}")
    assert_invalid("secondary example.org {\n transfer from ns1.example.net\n}", "must specify an IP address")
    assert_valid("secondary example.org {\n transfer from 192.0.2.1\n catalog x:y\n}")


def test_transfer_to_reads_a_closing_brace_as_an_address():
    assert_invalid("transfer example.org {\n to 192.0.2.1 }", "must specify an IP address: `}'")
    assert_invalid("transfer example.org {\n to * }", "must specify an IP address: `}'")
    assert_valid("transfer example.org {\n to *\n}")


# ---------------------------------------------------------------- auto (setup.go: Go regexp)

@pytest.mark.parametrize("pattern", [r"db\.(\pL+)", r"(?<zone>.*)\.zone", r"(?P<zone>.*)", r"^*(x)"])
def test_auto_accepts_go_regexps(pattern):
    assert_valid(f"auto {{\n directory /var/zones {pattern} {{1}}\n}}")


@pytest.mark.parametrize("pattern, reason", [
    (r"db\.(.+)\Z", "invalid escape sequence: `\\Z`"),
    (r"(a++)", "invalid nested repetition operator: `++`"),
    (r"(x){1001}", "invalid repeat count"),
    (r"((x){40}){30}", "invalid repeat count"),
    (r"(?=x)(y)", "invalid or unsupported Perl syntax"),
    (r"(?:db)\.x", "Need at least one sub expression"),
    (r"([[:word:][:alfa:]])", "invalid character class range: `[:alfa:]`"),
])
def test_auto_refuses_what_go_refuses(pattern, reason):
    assert_invalid(f"auto {{\n directory /var/zones {pattern} {{1}}\n}}", reason)


# ---------------------------------------------------------------- root (root.go: Next + NextArg pairs)

def test_root_reads_its_words_two_at_a_time():
    assert_valid("root /srv/dns /ignored /srv/zones")
    assert_valid('root ""')
    assert_invalid("root /srv/dns /ignored", "unexpected line ending after '/ignored'")
    assert_invalid("root /srv/dns {\n}", "Unexpected token '{', expecting argument")


# ---------------------------------------------------------------- sign, dnssec (keyParse reads one word)

def test_sign_and_dnssec_key_with_unknown_source():
    assert_invalid("sign db.example example.org {\n key hsm slot1\n}", "unknown property 'slot1'")
    found = findings("sign db.example example.org {\n key hsm\n}")
    assert not [d for d in found if d.severity == "error"]
    assert any(d.severity == "warning" and "unknown key source 'hsm'" in d.message for d in found)
    assert_invalid("dnssec example.org {\n key hsm slot1\n}", "unknown property 'slot1'")
    assert_valid("dnssec example.org {\n key hsm }")


def test_sign_dbfile_with_replacement_character():
    assert_invalid('sign "db.\ufffd" example.org', 'dbfile "db.\ufffd" contains invalid characters')


def test_dnssec_cache_capacity_reads_one_word():
    assert_valid("dnssec example.org {\n cache_capacity 5000 }")
    assert_invalid("dnssec example.org {\n cache_capacity 5000 10000\n}", "unknown property '10000'")


# ---------------------------------------------------------------- tsig (setup.go: os.Open, no root)

def test_tsig_secrets_file_is_not_joined_to_root(tmp_path):
    good = 'key "xfr.example." {\n\tsecret "c2VjcmV0";\n};\n'
    found = lint_files(tmp_path, ". {\n root keys\n tsig {\n  secrets tsig.conf\n }\n}\n",
                       {"tsig.conf": good, "keys/tsig.conf": "not a key file\n"})
    assert not [d for d in found if d.severity == "error"], [d.message for d in found]
    found = lint_files(tmp_path, ". {\n tsig {\n  secrets keys/tsig.conf\n }\n}\n", {})
    assert any(d.severity == "error" and "unexpected token" in d.message for d in found)


# ---------------------------------------------------------------- dns64 (setup.go: PREFIX argument skips the block)

def test_dns64_properties_read_the_way_next_block_does():
    assert_valid("dns64 {\n translate_all }")
    assert_valid("dns64 {\n prefix 64:ff9b::/96 }")
    assert_invalid("dns64 {\n translate_all yes\n}", "unknown property 'yes'")
    assert_invalid("dns64 {\n prefix\n 64:ff9b::/96\n}", "Wrong argument count")
    assert_invalid("dns64 {\n prefix 2001:db8::/44\n}", "invalid prefix length")
    assert_invalid("dns64 {\n allow_ipv4\n}", "unknown property 'allow_ipv4' (added in CoreDNS 1.8.7)",
                   version="1.8.6")


def test_dns64_with_a_prefix_argument_reads_block_lines_as_dns64_lines():
    found = findings("dns64 64:ff9b::/96 {\n anything\n}")
    assert not [d for d in found if d.severity == "error"]
    assert any(d.severity == "warning" and "does not read this block" in d.message for d in found)
    assert_invalid("dns64 64:ff9b::/96 {\n prefix 192.0.2.0/24\n}", "invalid netmask")
    assert_invalid("dns64 64:ff9b::/96 {\n prefix 64:ff9b::/96 extra\n}", "Wrong argument count")
    assert_invalid("dns64 64:ff9b::/96 2001:db8::/96", "Wrong argument count")


def test_kubernetes_kubeconfig_context_optional_from_1_8_2():
    # setup.go before 1.8.2 accepted only `kubeconfig FILE CONTEXT`
    assert_invalid("kubernetes cluster.local {\n kubeconfig /etc/kube.conf\n}", "Wrong argument count",
                   version="1.8.1")
    assert_valid("kubernetes cluster.local {\n kubeconfig /etc/kube.conf\n}", version="1.8.2")
    assert_valid("kubernetes cluster.local {\n kubeconfig /etc/kube.conf admin@prod\n}", version="1.8.1")
