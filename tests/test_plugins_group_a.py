"""Plugin knowledge, group A: each plugin's arguments, block properties and versioned facts, checked through
`lint` on hand-written Corefiles (valid ones must pass, invalid ones must fail the way CoreDNS's setup does)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from corefile_tool import lint
from corefile_tool.knowledge import registry
from lint_helpers import assert_invalid, assert_valid, errors, findings


def codes(body: str, version=None, keys: str = ".", severity=None):
    return sorted({d.code for d in findings(body, version, keys) if severity in (None, d.severity)})


GROUP_A = ("forward template kubernetes acl errors log hosts rewrite file health ready reload loop bind view "
           "k8s_external autopath transfer metadata whoami any chaos minimal loadbalance root debug local "
           "cancel").split()


def test_every_group_a_plugin_is_described():
    known = registry.plugins()
    missing = [name for name in GROUP_A if name not in known]
    assert not missing
    for name in GROUP_A:
        plugin = known[name]
        assert plugin.summary and plugin.name == name
        plugin.slots   # the argument spec parses
        for prop in plugin.props:
            prop.slots


# ---------------------------------------------------------------- small plugins

@pytest.mark.parametrize("name", ["any", "whoami", "minimal", "debug", "loop"])
def test_plugins_without_arguments(name):
    assert_valid(name)
    assert_invalid(f"{name} extra", code="wrong-arguments")
    assert_invalid(f"{name} {{\n}}")


def test_plugins_reading_only_their_first_occurrence_ignore_the_rest():
    # `any`, `whoami`, `minimal`, `chaos` and `reload` call c.Next() once: a second one is never parsed.
    found = findings("any\nany stray-argument")
    assert not [d for d in found if d.severity == "error"]
    assert any(d.code == "plugin-once" and d.severity == "warning" for d in found)
    assert_valid("reload 10s\nreload 1s")


def test_loop_once_per_block():
    assert_invalid("loop\nloop", code="plugin-once")


def test_root_and_debug():
    assert_valid("root /etc/coredns")
    assert_invalid("root", code="wrong-arguments")
    assert_invalid("root /a /b")
    assert_valid("debug\ndebug")


def test_cancel():
    assert_valid("cancel")
    assert_valid("cancel 2s")
    assert_invalid("cancel 5")            # no unit
    assert_invalid("cancel 0s", contains="negative")
    assert_invalid("cancel -1s")
    assert_invalid("cancel 1s 2s")


def test_chaos():
    assert_valid("chaos")
    assert_valid("chaos CoreDNS-001 info@coredns.io miek@miek.nl")
    assert_valid("chaos CoreDNS-001 {\n}")
    assert_invalid("chaos CoreDNS-001 {\n    authors me\n}", code="unknown-property")


def test_local():
    assert_valid("local")
    assert_valid("local {\n    localhost_prefix off\n}")
    assert_invalid("local {\n    localhost_prefix maybe\n}", code="invalid-value")
    assert_invalid("local {\n    localhost_prefix off\n}", version="1.14.4", code="unknown-property")
    assert_invalid("local", version="1.8.0", code="unknown-directive")


def test_metadata():
    assert_valid("metadata")
    assert_valid("metadata example.com. net.")
    assert_invalid("metadata example.com {\n    some_param\n}")
    assert_invalid("metadata\nmetadata")


# ---------------------------------------------------------------- health, ready, reload, errors, log

def test_health_and_ready_addresses():
    assert_valid("health")
    assert_valid("health localhost:1234 {\n    lameduck 4s\n}")
    assert_valid("health :8080\nhealth :8081")             # health may repeat; the last one wins
    assert_invalid("health bla")                              # net.SplitHostPort: missing port
    assert_invalid("health :8080 :8081", code="wrong-arguments")
    assert_invalid("health {\n    lameduck 5\n}", code="invalid-value")
    assert_valid("ready localhost:8181")
    assert_invalid("ready\nready :8182", code="plugin-once")
    assert_invalid("ready bla")


def test_ready_monitor_since_1_12_2():
    assert_valid("ready {\n    monitor continuously\n}")
    assert_invalid("ready {\n    monitor 404\n}", code="invalid-value")
    assert_invalid("ready {\n    monitor continuously\n}", version="1.12.1", code="unknown-property")


def test_reload_limits():
    assert_valid("reload")
    assert_valid("reload 10s 2s")
    assert_invalid("reload 1s", contains="2s")
    assert_invalid("reload 3s 0.5s", contains="jitter")
    assert_invalid("reload foo")
    assert_invalid("reload 10s 2s 1s", code="wrong-arguments")


def test_reload_zero_jitter_since_1_14_2():
    assert_valid("reload 2s 0s")
    assert_invalid("reload 2s 0s", version="1.14.1", contains="jitter")


def test_errors():
    assert_valid("errors")
    assert_valid("errors stdout")
    assert_invalid("errors errors.txt")
    assert_invalid("errors\nerrors", code="plugin-once")
    assert_invalid("errors {\n    log visible\n}", code="unknown-property")
    assert_valid("errors {\n    stacktrace\n    consolidate 5m \".* i/o timeout$\" warning\n}")
    assert_invalid("errors {\n    consolidate 1m\n}")
    assert_invalid("errors {\n    consolidate abc .*\n}")
    assert_invalid("errors {\n    consolidate 1m ())\n}")
    assert_invalid("errors {\n    consolidate 1m error show_first warning\n}", contains="before show_first")
    assert_invalid("errors {\n    consolidate 1m error info debug\n}", contains="multiple log levels")


def test_errors_versions():
    body = "errors {\n    consolidate 1m error warning show_first\n}"
    assert_valid(body, version="1.14.0")
    assert_invalid(body, version="1.13.2")                # show_first came in 1.14.0
    assert_invalid("errors {\n    consolidate 1m error warning\n}", version="1.8.4")   # levels: 1.8.5
    assert_invalid("errors {\n    stacktrace\n}", version="1.9.2", code="unknown-property")


def test_log():
    assert_valid("log")
    assert_valid('log example.org "{common} {/forward/upstream}"')
    assert_valid("log example.org example.net {\n    class denial error\n}")
    assert_invalid("log {\n    class\n}", code="wrong-arguments")
    assert_invalid("log {\n    class sometimes\n}", code="invalid-value")
    assert_invalid("log {\n    unknown\n}", code="unknown-property")


# ---------------------------------------------------------------- forward

def test_forward_valid_forms():
    assert_valid("forward . 127.0.0.1:53 [2003::1]:53 tls://9.9.9.9 {\n    tls_servername dns.quad9.net\n}")
    assert_valid("forward . 127.0.0.1 {\n    health_check 0.5s no_rec domain example.org\n    policy sequential\n"
                 "    max_fails 3\n    expire 20s\n    max_concurrent 1000\n    next NXDOMAIN SERVFAIL\n}")
    assert_valid("forward 10.9.3.0/18 127.0.0.1")
    assert_valid("forward . https://dns.example.net")


def test_forward_refusals():
    assert_invalid("forward .", code="wrong-arguments")
    assert_invalid("forward . 127.0.0.1 {\n    blaatl\n}", code="unknown-property")
    assert_invalid("forward . 127.0.0.1 {\n    policy random2\n}", code="invalid-value")
    assert_invalid("forward . 127.0.0.1 {\n    health_check 0.5s domain\n}")
    assert_invalid("forward . 127.0.0.1 {\n    health_check 0.5s domain example..org\n}")
    assert_invalid("forward . 127.0.0.1 {\n    health_check 1s sometimes\n}", contains="unknown option")
    assert_invalid("forward . 127.0.0.1 {\n    max_concurrent -4\n}")
    assert_invalid("forward . 127.0.0.1 {\n    failover NOERROR\n}", contains="NoError")
    assert_invalid("forward . 127.0.0.1 {\n    resolver dns.example.com\n}", contains="resolver")
    assert_invalid("forward . 127.0.0.1 {\n    expire 30s\n    max_age 10s\n}", contains="max_age")
    assert_invalid("forward . 127.0.0.1 {\n    read_timeout 0s\n}", contains="positive")
    assert_invalid("forward . https://1.1.1.1/dns-query", contains="paths are not allowed")
    assert_invalid("forward . grpc://1.1.1.1", contains="not supported")
    assert_invalid("forward . a27.0.0.1")                  # no top-level domain is numeric
    assert_invalid("forward . tls://127.0.0.1%example.net {\n    tls_servername foo\n}", contains="both")


def test_forward_at_most_15_upstreams():
    ups = " ".join(f"10.0.0.{i}" for i in range(1, 16))
    assert_valid(f"forward . {ups}")
    assert_invalid(f"forward . {ups} 10.0.0.16", contains="more than 15")


def test_forward_second_in_block_allowed_since_1_9_4():
    body = "forward example.org 10.0.0.1\nforward . 10.0.0.2"
    assert_valid(body, version="1.9.4")
    assert_invalid(body, version="1.9.3", code="plugin-once")


def test_forward_version_dependent_properties_and_addresses():
    assert_invalid("forward . 127.0.0.1 {\n    next NXDOMAIN\n}", version="1.11.3", code="unknown-property")
    assert_valid("forward . 127.0.0.1 {\n    next NXDOMAIN\n}", version="1.11.4")
    assert_invalid("forward . 127.0.0.1 {\n    source_address 192.0.2.1\n}", version="1.14.5")
    assert_invalid("forward . 127.0.0.1 {\n    health_check 1s domain example.org\n}", version="1.9.1")
    assert_invalid("forward . 127.0.0.1 {\n    health_check 1s no_rec\n}", version="1.6.7")
    assert_invalid("forward . https://1.1.1.1", version="1.14.4", contains="not supported")
    assert_invalid("forward . dns.example.net", version="1.14.3")    # host names are resolved since 1.14.4
    hostname = findings("forward . dns.example.net")
    assert any(d.code == "external-file" and d.severity == "info" for d in hostname)


def test_forward_resolv_conf(tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("search example.org\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n")
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    forward . resolv.conf\n}\n")
    assert not [d for d in lint(corefile) if d.severity == "error" or d.code == "external-file"]
    resolv.write_text("# no servers\n")
    assert any(d.severity == "error" and "no valid upstream" in d.message for d in lint(corefile))
    corefile.write_text(". {\n    forward . /nonexistent/resolv.conf\n}\n")
    missing = [d for d in lint(corefile) if d.code == "external-file"]
    assert missing and missing[0].severity == "info" and missing[0].line == 2


# ---------------------------------------------------------------- kubernetes, k8s_external

def test_kubernetes_valid():
    assert_valid("kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n"
                 "    fallthrough in-addr.arpa ip6.arpa\n    ttl 30\n}")
    assert_valid("kubernetes coredns.local {\n    labels environment in (production, staging, qa),app=nginx\n}")
    assert_valid("kubernetes coredns.local clusterset.local {\n    multicluster clusterset.local\n}")
    assert_valid("kubernetes coredns.local {\n    ignore empty_service\n    noendpoints\n}")


def test_kubernetes_refusals():
    assert_invalid("kubernetes coredns.local\nkubernetes cluster.local", code="plugin-once")
    assert_invalid("kubernetes coredns.local {\n    pods giant_seed\n}", contains="pods")
    assert_invalid("kubernetes coredns.local {\n    labels environment in (production, qa\n}",
                   contains="label selector")
    assert_invalid("kubernetes coredns.local {\n    namespaces foo\n    namespace_labels a=b\n}")
    assert_invalid("kubernetes coredns.local {\n    multicluster clusterset.local\n}",
                   contains="not authoritative")
    assert_invalid("kubernetes coredns.local {\n    zonal\n    noendpoints\n}")
    assert_invalid("kubernetes cluster.local {\n    ttl 3601\n}")
    assert_invalid("kubernetes cluster.local {\n    apiserver_qps -10\n}")
    assert_invalid("kubernetes in-addr.arpa", contains="non-reverse")
    assert_invalid("kubernetes", keys="10.in-addr.arpa", contains="non-reverse")


def test_kubernetes_versions():
    multicluster = "kubernetes a.local b.local {\n    multicluster b.local\n}"
    assert_valid(multicluster, version="1.12.2")
    assert_invalid(multicluster, version="1.12.1", code="unknown-property")
    assert_valid("kubernetes cluster.local {\n    resyncperiod\n}", version="1.6.9")
    assert "deprecated" in codes("kubernetes cluster.local {\n    resyncperiod\n}", version="1.6.9")
    found = errors("kubernetes cluster.local {\n    resyncperiod\n}", version="1.7.0")
    assert found and "removed in CoreDNS 1.7.0" in found[0].message
    assert_invalid("kubernetes cluster.local {\n    upstream\n}", version="1.7.0", code="unknown-property")
    assert_invalid("kubernetes cluster.local {\n    zonal\n}", version="1.14.6", code="unknown-property")


def test_k8s_external():
    assert_valid("k8s_external example.org {\n    apex testdns\n    ttl 10\n    headless\n    fallthrough\n}")
    assert_invalid("k8s_external example.org {\n    ttl 3601\n}")
    assert_invalid("k8s_external example.org {\n    apex\n}")
    assert_invalid("k8s_external example.org {\n    headless\n}", version="1.9.3", code="unknown-property")


# ---------------------------------------------------------------- hosts, file, autopath: files read at start-up

def test_hosts(tmp_path):
    assert_valid("hosts /etc/hosts example.org {\n    10.0.0.1 a.example.org\n    ttl 60\n    reload 0s\n"
                 "    fallthrough\n}")
    assert_invalid("hosts\nhosts", code="plugin-once")
    assert_invalid("hosts {\n    fallthrough\n    10.0.0.1 late.example.org\n}", code="invalid-value")
    assert_invalid("hosts {\n    fallthrough_unsupported\n}", contains="requires fallthrough")
    assert_invalid("hosts {\n    ttl 0\n}")
    # Before 1.14.7 `fallthrough_unsupported` is not a property: an inline line, refused only after fallthrough.
    assert_valid("hosts {\n    fallthrough_unsupported\n}", version="1.14.6")
    missing = [d for d in findings("hosts /does/not/exist/hosts") if d.code == "external-file"]
    assert missing and missing[0].severity == "info"
    present = tmp_path / "hosts"
    present.write_text("10.0.0.1 a.example.org\n")
    assert not [d for d in findings(f"hosts {present}") if d.code == "external-file"]


def test_file_plugin():
    assert_invalid("file", code="wrong-arguments")
    found = findings("file /does/not/exist/db.example.org example.org {\n    reload 30s\n}")
    assert not [d for d in found if d.severity == "error"]
    assert any(d.code == "external-file" for d in found)
    assert_invalid("file db.example.org {\n    reload_by_mtime\n}", version="1.14.3", code="unknown-property")
    assert_invalid("file db.example.org {\n    fallthrough\n}", version="1.12.1", code="unknown-property")
    assert_invalid("file db.example.org {\n    transfer to *\n}", version="1.8.0", code="unknown-property")


def test_autopath():
    assert_valid("autopath example.org @kubernetes")
    assert_invalid("autopath", contains="resolv-conf")
    assert_invalid('autopath ""')
    assert any(d.code == "external-file" for d in findings("autopath /does/not/exist/resolv.conf"))


# ---------------------------------------------------------------- acl, bind, transfer, view, loadbalance

def test_acl():
    assert_valid("acl example.org {\n    allow net 192.168.0.0/16\n    block type A AAAA net *\n    filter\n"
                 "    drop type * net 2001:db8::/32 10.0.0.1\n}")
    assert_invalid("acl {\n    block A net 192.168.0.0/16\n}", contains="type | net")
    assert_invalid("acl {\n    block type ABC\n}", contains="QTYPE")
    assert_invalid("acl {\n    block type A net 192.168.0.0/33\n}", contains="CIDR")
    assert_invalid("acl {\n    block net\n}", contains="no token")
    assert_invalid("acl {\n    deny net 10.0.0.0/8\n}", contains="unexpected token")


def test_acl_versions():
    assert_invalid("acl {\n    drop\n}", version="1.10.0")
    assert_valid("acl {\n    drop\n}", version="1.10.1")
    assert_invalid("acl {\n    filter\n}", version="1.8.1")
    assert_invalid("acl", version="1.6.3", code="unknown-directive")


def test_bind():
    assert_valid("bind ::1 1.2.3.4 127.9.9.0 {\n    except 127.0.0.1\n}")
    assert_valid("bind lo")                                # an interface of this machine
    assert_invalid("bind", code="wrong-arguments")
    assert_invalid("bind 127.0.0.1 {\n    except\n}")
    assert_invalid("bind 127.0.0.1 surely-no-such-interface0", contains="interface")
    assert_invalid("bind 127.0.0.1 {\n    except 127.0.0.2\n}", version="1.8.3", code="unknown-property")
    assert_invalid("bind lo", version="1.8.3", contains="not a valid IP address")


def test_transfer():
    assert_valid("transfer example.org {\n    to 1.2.3.4 5.6.7.8:1053 [1::2]:34 *\n    source 192.0.2.53\n}")
    assert_invalid("transfer example.org {\n}", contains="'to' is required")
    assert_invalid("transfer example.org {\n    to example.com\n}", contains="IP address")
    assert_invalid("transfer example.org {\n    to 1.2.3.4\n    source 192.0.2.1\n    source 192.0.2.2\n}")
    assert_invalid("transfer example.org {\n    to 1.2.3.4\n    source example.org\n}")
    assert_invalid("transfer example.org {\n    to 1.2.3.4\n    source 192.0.2.1\n}", version="1.14.4")


def test_view():
    assert_valid("view example {\n    expr name() == 'example.com.' && incidr(client_ip(), '10.0.0.0/24')\n}")
    assert_invalid("view example {\n    expr invalid expression\n}")
    assert_invalid("view example {\n    expr name() ==\n}")
    assert_invalid("view example {\n    expr incidr(client_ip())\n}", contains="arguments")
    assert_invalid("view x {\n    foo bar\n}", code="unknown-property")
    assert_invalid("view", code="wrong-arguments")
    assert_invalid("view a\nview b", code="plugin-once")
    assert_invalid("view x", version="1.9.4", code="unknown-directive")


def test_loadbalance():
    assert_valid("loadbalance")
    assert_valid("loadbalance round_robin {\n    prefer 10.0.0.0/8 192.168.0.0/16\n}")
    assert_invalid("loadbalance round_robin extra")
    assert_invalid("loadbalance sometimes", contains="unknown policy")
    assert_invalid("loadbalance weighted", contains="missing weight file")
    assert_invalid("loadbalance weighted wfile {\n    susu\n}")
    assert_invalid("loadbalance weighted wfile {\n    reload a\n}")
    assert_invalid("loadbalance weighted wfile {\n    reload 30s a\n}")
    assert_invalid("loadbalance {\n    prefer 10.0.0.1\n}")
    # 1.12.3's setup returns before reading a round_robin block: accepted, its lines ignored.
    assert any(d.severity == "warning" for d in findings("loadbalance round_robin {\n    prefer 10.0.0.0/8\n}",
                                                          version="1.12.3"))
    assert_invalid("loadbalance weighted", version="1.10.0", contains="unknown policy")
    assert_invalid("loadbalance weighted wfile", version="1.10.0", contains="Wrong argument count")
    assert any(d.code == "external-file" for d in findings("loadbalance weighted /no/such/weights"))


# ---------------------------------------------------------------- rewrite

def test_rewrite_rules():
    for rule in ("rewrite name a.com b.com",
                 "rewrite stop name regex (.*)\\.example\\.org {1}.example.net answer name (.*)\\.example\\.net "
                 "{1}.example.org",
                 "rewrite stop {\n    name regex foo bar\n    answer name bar foo\n}",
                 "rewrite continue class CH IN",
                 "rewrite type ANY HINFO",
                 "rewrite edns0 local set 0xffee {client_ip}",
                 "rewrite edns0 subnet set 24 56",
                 "rewrite edns0 nsid unset",
                 "rewrite ttl example.com. 30-300",
                 "rewrite rcode regex .*\\.example\\.org SERVFAIL NXDOMAIN",
                 "rewrite cname suffix .a.example .b.example"):
        assert_valid(rule)


def test_rewrite_refusals():
    assert_invalid("rewrite name", contains="too few")
    assert_invalid("rewrite stop", contains="rule type")
    assert_invalid("rewrite continue")
    assert_invalid("rewrite stop {\n    name regex foo bar\n    answer name bar foo\n    name baz\n}",
                   contains="2 arguments required")
    assert_invalid("rewrite answer name a b", contains="must begin with a name rule")
    assert_invalid("rewrite name regex foo {1}.example.", contains="subexpressions")
    assert_invalid("rewrite class CH", contains="exactly two")
    assert_invalid("rewrite type A BOGUS", contains="invalid type")
    assert_invalid("rewrite edns0 local set 0x10000 abc")
    assert_invalid("rewrite edns0 subnet set 33 56", contains="IPv4")
    assert_invalid("rewrite edns0 local set 0xffee {nosuch}", contains="unsupported variable")
    assert_invalid("rewrite ttl example.com. -", contains="invalid TTL")
    assert_invalid("rewrite rcode example.com. NOPE NXDOMAIN", contains="RCODE")
    assert_invalid("rewrite bogus a b", contains="invalid rule type")


def test_rewrite_rule_types_by_version():
    assert_invalid("rewrite rcode example.com. SERVFAIL NXDOMAIN", version="1.11.0")
    assert_valid("rewrite rcode example.com. SERVFAIL NXDOMAIN", version="1.11.3")
    assert_invalid("rewrite cname exact a.example. b.example.", version="1.10.1")


# ---------------------------------------------------------------- template

def test_template_valid():
    assert_valid('template IN A example.org {\n    match "^(?P<a>[0-9]+)[.]example[.]org[.]$"\n'
                 '    answer "{{ .Name }} 60 IN A 10.0.0.{{ .Group.a }}"\n'
                 '    additional "{{ if eq .Type \\"A\\" }}x. 60 IN A 1.2.3.4{{ else }}y. 60 IN A 1.2.3.5{{ end }}"\n'
                 '    rcode NOERROR\n    ederror 15 "blocked"\n    fallthrough\n}')
    assert_valid("template ANY ANY {\n    rcode NXDOMAIN\n}")


def test_template_refusals():
    assert_invalid("template", code="wrong-arguments")
    assert_invalid("template X ANY", code="invalid-value")
    assert_invalid("template IN X", code="invalid-value")
    assert_invalid("template in A")                        # classes and types are case-sensitive here
    assert_invalid("template ANY ANY {\n    rcode\n}", code="wrong-arguments")
    assert_invalid("template ANY ANY {\n    rcode nxdomain\n}", code="invalid-value")
    assert_invalid("template ANY ANY {\n    notavailable\n}", code="unknown-property")
    assert_invalid('template ANY ANY {\n    answer "{{"\n}', contains="unclosed action")
    assert_invalid('template ANY ANY {\n    answer "{{ notAFunction }}"\n}', contains="not defined")
    assert_invalid('template ANY ANY {\n    answer "{{ if .Name }}x"\n}', contains="EOF")
    assert_invalid('template ANY ANY {\n    answer "{{ $x }}"\n}', contains="undefined variable")
    assert_invalid('template ANY ANY {\n    match "(unclosed"\n}', contains="regex")
    assert_invalid("template ANY ANY {\n    ederror too many arguments\n}")
    assert_invalid("template ANY ANY {\n    ederror 70000\n}", code="invalid-value")
    assert_invalid("template ANY ANY {\n    ederror 15\n}", version="1.10.0", code="unknown-property")


def test_template_var_and_expr_are_newer_than_the_newest_release():
    body = "template ANY ANY example. {\n    var a 1\n    var b a + 1\n    expr b == 2\n}"
    found = findings(body)
    assert not [d for d in found if d.severity == "error"]
    assert [d.code for d in found if d.severity == "warning"] == ["unknown-property"] * 3
    assert_invalid(body, version="1.14.6", code="unknown-property")
    assert_invalid("template ANY ANY example. {\n    var a\n}", code="wrong-arguments")
    assert_invalid("template ANY ANY example. {\n    var a-b 1\n}", contains="invalid variable name")
    assert_invalid("template ANY ANY example. {\n    var name 1\n}", contains="reserved")
    assert_invalid("template ANY ANY example. {\n    var len 1\n}", contains="reserved")
    assert_invalid("template ANY ANY example. {\n    var a 1\n    var a 2\n}", contains="reserved")
    assert_invalid("template ANY ANY example. {\n    var a 1 +\n}", contains="compile")
    assert_invalid("template ANY ANY example. {\n    var a undefined\n}", contains="unknown name")
    assert_invalid("template ANY ANY example. {\n    var a 1\n    expr a + 'x'\n}", contains="mismatched")
    assert_valid("template ANY ANY example. {\n    var num int(group('n'))\n    var flag num > 1 && do()\n"
                 "    expr flag or name() matches '^a'\n}")


# ---------------------------------------------------------------- the command line

def test_cli_version_flag_changes_the_verdict(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    forward example.org 10.0.0.1\n    forward . 10.0.0.2\n}\n")
    run = [sys.executable, "-m", "corefile_tool.cli", "lint"]
    new = subprocess.run(run + [str(corefile)], capture_output=True, text=True)
    old = subprocess.run(run + ["--coredns-version", "1.9.3", str(corefile)], capture_output=True, text=True)
    assert "plugin-once" not in new.stdout
    assert old.returncode == 1 and "plugin-once" in old.stdout


# ---------------------------------------------------------------- the knowledge base itself

def test_modules_are_named_after_their_plugins():
    # registry.get imports plugins/<name>.py on demand, so a module must describe the plugin it is named after
    import pkgutil

    from corefile_tool.knowledge import plugins as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            assert registry.get(info.name) is not None and registry.get(info.name).name == info.name, info.name
    assert registry.get("no_such_plugin") is None and registry.get("_dispenser") is None


def test_linting_loads_only_the_plugins_the_corefile_uses():
    code = ("import sys; from corefile_tool import lint\n"
            "lint('. {\\n    errors\\n    forward . 10.0.0.1\\n}\\n')\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules\n"
            "             if m.startswith('corefile_tool.knowledge.plugins.') and not m.rsplit('.', 1)[1][0] == '_'))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['errors', 'forward']"


def test_query_handling_facts_are_well_formed():
    from corefile_tool.knowledge.spec import (ANSWERS_ALL, ANSWERS_SOME, PASSES_CHAIN, PASSES_ZONES, READS_ALL,
                                              READS_EACH, READS_FIXED)

    for name, plugin in registry.plugins().items():
        assert plugin.answers in ("", ANSWERS_ALL, ANSWERS_SOME), name
        assert plugin.reads in (READS_ALL, READS_EACH, READS_FIXED), name
        assert not (plugin.chained and plugin.once), name     # a chain needs more than one occurrence
        for prop in plugin.props:
            assert prop.passes in ("", PASSES_ZONES, PASSES_CHAIN), (name, prop.name)
            assert prop.reads in (READS_ALL, READS_EACH, READS_FIXED), (name, prop.name)
            # the words after a fixed-reading property are the next property: only fixed slots make sense
            assert prop.reads != READS_FIXED or all(s.count == "" for s in prop.slots), (name, prop.name)
            # a chain-passing property passes only within a chain
            assert prop.passes != PASSES_CHAIN or plugin.chained, (name, prop.name)
