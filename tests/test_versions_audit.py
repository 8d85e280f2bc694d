"""Plugin properties and arguments in the releases before 1.6.0: what each release's setup code accepts.

Every fact here was read from CoreDNS's own source at the two tags named (plugin/<name>/setup.go and the helpers
it calls): the release before a property came refuses it and the release that added it accepts it, in lint;
migrating a Corefile down across the release refuses what the older release lacks.
"""
import pytest

from corefile_tool.diagnostics import CorefileError
from corefile_tool.knowledge import registry, versions
from corefile_tool.knowledge.spec import Plugin, Prop
from corefile_tool.linter import lint
from corefile_tool.migrate import migrate


def found(text, version, severity="error"):
    return [d for d in lint(text, version=version) if d.severity == severity]


def messages(text, version, severity="error"):
    return [d.message for d in found(text, version, severity)]


def block(directive, *lines, keys="."):
    body = "".join(f"        {line}\n" for line in lines)
    return f"{keys} {{\n    {directive} {{\n{body}    }}\n    whoami\n}}\n"


# (plugin, Corefile, the last release without the property, the release that added it, the property)
ADDED = [
    # plugin/errors/setup.go v1.2.5 reads no block; v1.2.6 parseBlock knows consolidate
    ("errors", block("errors", 'consolidate 5m ".* timeout$"'), "1.2.5", "1.2.6", "consolidate"),
    # plugin/erratic/setup.go v1.2.5: case "large"
    ("erratic", block("erratic", "large"), "1.2.4", "1.2.5", "large"),
    # plugin/etcd/setup.go v1.4.0: case "credentials"
    ("etcd", block("etcd skydns.local", "credentials user secret", keys="skydns.local"), "1.3.1", "1.4.0",
     "credentials"),
    # plugin/forward/setup.go v1.2.0: case "prefer_udp"
    ("forward", block("forward . 192.0.2.53", "prefer_udp"), "1.1.4", "1.2.0", "prefer_udp"),
    # plugin/pprof/setup.go v1.4.0 refuses any block line (ArgErr); v1.5.0 reads `block [RATE]`
    ("pprof", block("pprof", "block 2"), "1.4.0", "1.5.0", "block"),
    # plugin/kubernetes/setup.go v1.2.3 and v1.5.0
    ("kubernetes", block("kubernetes cluster.local", "kubeconfig /etc/kube.conf ci", keys="cluster.local"),
     "1.2.2", "1.2.3", "kubeconfig"),
    ("kubernetes", block("kubernetes cluster.local", "namespace_labels team=dns", keys="cluster.local"),
     "1.4.0", "1.5.0", "namespace_labels"),
    # plugin/route53/setup.go v1.2.2 knows aws_access_key only; v1.2.3 adds upstream, credentials, fallthrough
    ("route53", block("route53 example.org.:Z1D633PJN98FT9", "credentials default", keys="example.org"),
     "1.2.2", "1.2.3", "credentials"),
    ("route53", block("route53 example.org.:Z1D633PJN98FT9", "upstream", keys="example.org"),
     "1.2.2", "1.2.3", "upstream"),
    ("route53", block("route53 example.org.:Z1D633PJN98FT9", "fallthrough", keys="example.org"),
     "1.2.2", "1.2.3", "fallthrough"),
    # plugin/file/setup.go and plugin/auto/setup.go v1.2.3: case "reload"
    ("file", block("file db.example.org", "reload 30s", keys="example.org"), "1.2.2", "1.2.3", "reload"),
    # plugin/hosts/setup.go v1.4.0 (before it, after `fallthrough`, any other line is an unknown property)
    ("hosts", block("hosts", "fallthrough", "ttl 60"), "1.3.1", "1.4.0", "ttl"),
    ("hosts", block("hosts", "fallthrough", "reload 10s"), "1.3.1", "1.4.0", "reload"),
    ("hosts", block("hosts", "fallthrough", "no_reverse"), "1.3.1", "1.4.0", "no_reverse"),
    # plugin/tls/tls.go v1.5.1 reads a block (client_auth); v1.5.0 none
    ("tls", block("tls cert.pem key.pem", "client_auth require_and_verify", keys="tls://.:853"),
     "1.5.0", "1.5.1", "client_auth"),
]


@pytest.mark.parametrize("plugin, text, before, since, prop", ADDED,
                         ids=[f"{a[0]}-{a[4]}" for a in ADDED])
def test_a_property_is_refused_before_the_release_that_added_it(plugin, text, before, since, prop):
    assert messages(text, since) == []
    refused = messages(text, before)
    assert len(refused) == 1, refused
    # the unknown-property message of the plugin, saying when the property came
    assert f"{prop}'" in refused[0] or f'{prop}"' in refused[0]
    assert f"added in CoreDNS {since}" in refused[0]


def test_lint_names_the_release_that_added_a_property_with_two_forms():
    # kubernetes' kubeconfig has a form for 1.2.3 .. 1.8.2 (context required) and one from 1.8.2: before both,
    # the first to come is the one to name, though it has a removed release of its own.
    text = block("kubernetes cluster.local", "kubeconfig /etc/kube.conf ci", keys="cluster.local")
    assert messages(text, "1.2.2") == [
        "plugin/kubernetes: unknown property 'kubeconfig' (added in CoreDNS 1.2.3)"]
    # within each form's releases, the form of the release: the context is required only before 1.8.2
    alone = block("kubernetes cluster.local", "kubeconfig /etc/kube.conf", keys="cluster.local")
    assert messages(alone, "1.8.1") != [] and messages(alone, "1.8.2") == []


def test_plugin_prop_answers_with_the_form_that_says_why_it_is_missing():
    # Forms listed newest first, with a gap (1.5.0 .. 1.7.0) in which the property does not exist at all.
    plugin = Plugin("demo", "a plugin of this test", block=True, props=(
        Prop("p", "a:str b:str?", since="1.8.2"),
        Prop("p", "a:str b:str", since="1.2.3", removed="1.8.2"),
        Prop("q", "a:str", since="1.7.0"),
        Prop("q", "", removed="1.5.0"),
    ))
    # before every form: the earliest to come, not the first listed
    assert plugin.prop("p", "1.2.2").since == "1.2.3"
    assert plugin.prop("p", "1.8.1").args == "a:str b:str" and plugin.prop("p", "1.8.2").args == "a:str b:str?"
    # in the gap: the form that is gone ("removed in 1.5.0"), not the one still to come
    assert plugin.prop("q", "1.6.0").removed == "1.5.0"
    assert plugin.prop("q", "1.4.0").args == "" and plugin.prop("q", "1.7.0").args == "a:str"


@pytest.mark.parametrize("plugin, text, before, since, prop", ADDED,
                         ids=[f"{a[0]}-{a[4]}" for a in ADDED])
def test_migrating_down_across_the_release_refuses_the_property(plugin, text, before, since, prop):
    with pytest.raises(CorefileError) as e:
        migrate(text, since, before, path="Corefile")
    assert f'property "{prop}" of plugin "{plugin}" is not in CoreDNS {before} (added in {since})' \
        in e.value.diagnostic.message


def test_migrating_down_refuses_a_fallthrough_the_older_release_lacks():
    # file reads `fallthrough` from 1.12.2 (plugin/file/setup.go v1.12.2; v1.12.1: unknown property); route53's
    # (1.2.3) is in ADDED above. Between releases that both have it, it stays.
    text = block("file db.example.org", "fallthrough", keys="example.org")
    with pytest.raises(CorefileError) as e:
        migrate(text, "1.12.2", "1.12.1", path="Corefile")
    assert e.value.diagnostic.message.startswith(
        'property "fallthrough" of plugin "file" is not in CoreDNS 1.12.1 (added in 1.12.2)')
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (3, 9)
    assert migrate(text, "1.14.7", "1.12.2").text == text
    route53 = block("route53 example.org.:Z1D633PJN98FT9", "fallthrough", keys="example.org")
    assert migrate(route53, "1.14.7", "1.2.3").text == route53


def test_before_1_4_0_a_hosts_line_ahead_of_fallthrough_is_an_inline_entry():
    # v1.3.1 hostsParse: with no fallthrough read yet, an unknown line joins the inline entries (and an entry
    # whose first word is not an address is skipped); only after fallthrough is it an unknown property.
    assert messages(block("hosts", "ttl 60", "fallthrough"), "1.3.1") == []
    assert messages(block("hosts", "fallthrough", "no_reverse"), "1.3.1") == [
        "plugin/hosts: unknown property 'no_reverse' (added in CoreDNS 1.4.0)"]


def test_kubernetes_ttl_range_was_5_to_3600_before_1_3_0():
    def text(ttl):
        return block("kubernetes cluster.local", f"ttl {ttl}", keys="cluster.local")
    assert messages(text(0), "1.2.6") == ["plugin/kubernetes: ttl must be in range [5, 3600]: 0"]
    assert messages(text(5), "1.2.6") == []
    assert messages(text(0), "1.3.0") == []
    assert messages(text(3601), "1.3.0") == ["plugin/kubernetes: ttl must be in range [0, 3600]: 3601"]


def test_kubernetes_resyncperiod_took_a_duration_until_1_6_0():
    def text(words):
        return block("kubernetes cluster.local", f"resyncperiod{words}", keys="cluster.local")
    # v1.5.2: RemainingArgs, at least one word, the first parsed as a duration
    assert messages(text(" 30s"), "1.5.2") == []
    assert messages(text(""), "1.5.2") == [
        "plugin/kubernetes: Wrong argument count or unexpected line ending after 'resyncperiod'"]
    assert messages(text(" 30"), "1.5.2") == [
        "plugin/kubernetes: unable to parse resync duration value: '30': time: missing unit in duration \"30\""]
    # v1.6.0: `continue` without reading, so the next word is read as a property
    assert messages(text(" 30s"), "1.6.0") == ["plugin/kubernetes: unknown property '30s'"]
    assert messages(text(""), "1.6.0") == []


@pytest.mark.parametrize("plugin, directive, keys", [
    ("file", "file db.example.org", "example.org"),
    ("auto", "auto {\n        directory /zones", "example.org"),
])
def test_no_reload_until_1_5_0_deprecated_from_1_2_3(plugin, directive, keys):
    # plugin/file and plugin/auto setup.go: `no_reload` from the oldest release to 1.4.0; README of 1.2.3 calls it
    # deprecated (reload 0); notes/coredns-1.5.0.md: removed.
    if plugin == "auto":
        text = f"{keys} {{\n    {directive}\n        no_reload\n    }}\n}}\n"
    else:
        text = block(directive, "no_reload", keys=keys)
    assert messages(text, "1.2.2") == [] and messages(text, "1.2.2", "warning") == []
    assert messages(text, "1.4.0") == []
    assert [d.code for d in found(text, "1.4.0", "warning")] == ["deprecated"]
    assert messages(text, "1.5.0") == [f"plugin/{plugin}: unknown property 'no_reload' (removed in CoreDNS 1.5.0; "
                                       "use reload 0)"]


def test_auto_ignored_unknown_properties_before_1_5_0():
    # v1.4.0 autoParse: `default:` hands the line to parse.Transfer, which only acts on `to` and `from`
    text = "example.org {\n    auto {\n        directory /zones\n        reloadd 30s\n    }\n}\n"
    assert messages(text, "1.4.0") == []
    assert [d.code for d in found(text, "1.4.0", "warning")] == ["unknown-property"]
    assert messages(text, "1.5.0") == ["plugin/auto: unknown property 'reloadd'"]


@pytest.mark.parametrize("words, accepted", [
    # v1.4.0: DIR [REGEXP [TEMPLATE [TIMEOUT]]]; v1.5.0: DIR [REGEXP [TEMPLATE]]; v1.5.1 (c1d7c2e69) on:
    # REGEXP and TEMPLATE together
    ("/zones db\\.(.*) {1} 10", ("1.4.0",)),
    ("/zones db\\.(.*)", ("1.4.0", "1.5.0")),
    ("/zones db\\.(.*) {1}", ("1.4.0", "1.5.0", "1.5.1", "1.6.0")),
])
def test_auto_directory_words_by_release(words, accepted):
    text = f"example.org {{\n    auto {{\n        directory {words}\n    }}\n}}\n"
    for version in ("1.4.0", "1.5.0", "1.5.1", "1.6.0"):
        assert (messages(text, version) == []) == (version in accepted), version


def test_auto_directory_timeout_is_whole_seconds():
    text = "example.org {\n    auto {\n        directory /zones db\\.(.*) {1} 10s\n    }\n}\n"
    assert messages(text, "1.4.0") == ['plugin/auto: strconv.Atoi: parsing "10s": invalid syntax']


def test_rewrite_rules_before_1_6_0():
    # plugin/rewrite/rewrite.go newRule: name, class, type and edns0 from the oldest release, ttl from 1.2.3
    name = ". {\n    rewrite name a.example.org b.example.org\n    whoami\n}\n"
    ttl = ". {\n    rewrite ttl a.example.org 30\n    whoami\n}\n"
    assert messages(name, "1.1.3") == []
    assert messages(ttl, "1.2.2") == ['plugin/rewrite: invalid rule type "ttl"']
    assert messages(ttl, "1.2.3") == []


def test_a_template_had_to_answer_until_1_5_1():
    # v1.5.0 templateParse: no answer, no authority and rcode NOERROR is "no answer section for template found"
    text = ". {{\n    template IN A example.org {{\n{}    }}\n    whoami\n}}\n"
    bare = text.format("")
    assert messages(bare, "1.5.0") == ["plugin/template: no answer section for template found"]
    assert messages(bare, "1.5.1") == []
    assert messages(text.format("        rcode NXDOMAIN\n"), "1.5.0") == []
    assert messages(text.format('        answer "{{ .Name }} 60 IN A 192.0.2.1"\n'), "1.5.0") == []


def test_cache_min_ttl_came_with_1_2_3():
    # b42eae7a0 (1.2.3): success|denial CAPACITY [TTL [MINTTL]]; before it the third word was not read
    text = block("cache", "success 9984 30 -5")
    assert messages(text, "1.2.2") == []
    assert messages(text, "1.2.2", "warning") == [
        "plugin/cache: 'success' reads at most two values; '-5' is ignored"]
    assert messages(text, "1.2.3") == ["plugin/cache: cache min TTL can not be negative: -5"]


def test_loadbalance_read_no_argument_before_1_2_0():
    text = ". {\n    loadbalance weighted\n    whoami\n}\n"
    assert messages(text, "1.1.4") == []
    assert len(messages(text, "1.1.4", "warning")) == 1
    assert messages(text, "1.2.0") == ["plugin/loadbalance: unknown policy: weighted"]


def test_plugin_since_is_the_first_release_whose_plugin_cfg_lists_it():
    for name, plugin in registry.plugins().items():
        first = versions.first_version_with(name)
        assert plugin.since == (None if first == versions.VERSIONS[0] else first), name
