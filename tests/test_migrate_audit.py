"""corefile migrate, rule by rule, against what CoreDNS does and what corefile-migration does.

Each test pins one rule that the reference tests (migration/migrate_test.go of coredns/corefile-migration) leave
open or that this tool had wrong, with Corefiles written for this file. Where this tool and corefile-migration
differ on purpose, the comment says which CoreDNS source decides.
"""
import subprocess
import sys

import pytest

from corefile_tool.diagnostics import CorefileError
from corefile_tool.linter import lint
from corefile_tool.migrate import migrate
from corefile_tool.parser import parse


def errors(text, version):
    return [str(d) for d in lint(text, version=version) if d.severity == "error"]


def notices(result):
    return [str(n) for n in result.notices]


# ------------------------------------------------------------------ proxy becomes forward

@pytest.mark.parametrize("line", ["protocol force_tcp tls", "protocol force_tcp"])
def test_a_proxy_protocol_named_force_tcp_becomes_force_tcp(line):
    # proxy refused it (plugin/proxy/upstream.go v1.4.0: invalid protocol), but the intent is plain, and
    # corefile-migration's own test turns `protocol force_tcp ...` into force_tcp.
    text = f"corp.internal:5353 {{\n    proxy . 192.0.2.10 192.0.2.11 {{\n        {line}\n" \
           "        policy round_robin\n    }\n    cache 60\n}\n"
    result = migrate(text, "1.4.0", "1.5.0")
    assert result.text == ("corp.internal:5353 {\n    forward . 192.0.2.10 192.0.2.11 {\n        force_tcp\n"
                           "        policy round_robin\n    }\n    cache 60\n}\n")
    [said] = [n for n in notices(result) if n.startswith('Option "protocol"')]
    assert said.startswith('Option "protocol" in plugin "proxy" is removed in 1.5.0. "protocol force_tcp')
    assert errors(result.text, "1.5.0") == []


def test_https_google_still_in_a_proxy_at_the_forward_conversion_is_dropped():
    # It did nothing from 1.1.4 and was refused from 1.2.0; forward never had it.
    text = ".:1053 {\n    proxy . 192.0.2.10 {\n        protocol https_google bootstrap 192.0.2.53\n    }\n}\n"
    result = migrate(text, "1.4.0", "1.5.0")
    assert result.text == ".:1053 {\n    forward . 192.0.2.10\n}\n"
    assert errors(result.text, "1.5.0") == []
    # From an old release the 1.1.4 rule drops it first, as a no-op, before proxy is converted.
    old = migrate(text, "1.1.3", "1.5.0")
    assert old.text == ".:1053 {\n    forward . 192.0.2.10\n    loop\n}\n"
    assert 'Option "protocol" in plugin "proxy" is ignored in 1.1.4.' in notices(old)


def test_every_stub_proxy_gets_its_own_block_in_order():
    # forward stands once per server block before 1.9.4, so each stub must move; corefile-migration's loop
    # skips the stub right after one it moved (it deletes from the slice it ranges over).
    text = (".:53 {\n    proxy a.corp.internal 192.0.2.1\n    proxy b.corp.internal 192.0.2.2\n"
            "    proxy c.corp.internal 192.0.2.3\n    proxy . 192.0.2.53\n    cache 30\n}\n")
    result = migrate(text, "1.4.0", "1.5.0")
    blocks = parse(result.text).server_blocks
    assert [b.keys[0].text for b in blocks] == [".:53", "a.corp.internal", "b.corp.internal", "c.corp.internal"]
    assert [[d.name for d in b.directives] for b in blocks[1:]] == [["forward", "loop", "errors", "cache"]] * 3
    assert [d.name for d in blocks[0].directives] == ["forward", "cache"]
    assert errors(result.text, "1.5.0") == []


# ------------------------------------------------------------------ transfer to (1.8.0)

def test_kubernetes_transfer_keeps_only_the_line_that_was_in_effect():
    # plugin/kubernetes/setup.go (1.1.3 .. 1.7.1): k8s.TransferTo = tos, so each `transfer` line replaced the
    # one before. Merging them would let a peer transfer the zone that could not before.
    text = "cluster.example {\n    kubernetes cluster.example {\n        transfer to 192.0.2.1\n" \
           "        transfer to 192.0.2.7 192.0.2.8\n    }\n}\n"
    up = migrate(text, "1.7.1", "1.8.0")
    assert up.text == ("cluster.example {\n    kubernetes cluster.example\n    transfer cluster.example {\n"
                       "        to 192.0.2.7 192.0.2.8\n    }\n}\n")
    assert any("Only the last \"transfer to\" line was in effect" in n for n in notices(up))
    assert errors(up.text, "1.8.0") == []
    down = migrate(up.text, "1.8.0", "1.7.1")
    assert down.text == "cluster.example {\n    kubernetes cluster.example {\n        transfer to 192.0.2.7 192.0.2.8\n" \
                        "    }\n}\n"


def test_secondary_transfer_lines_add_up_and_an_address_counts_once():
    # plugin/secondary/setup.go v1.7.1 appends each line's addresses; `transfer from` stays with secondary.
    text = "zone.example {\n    secondary {\n        transfer from 192.0.2.1\n        transfer to 192.0.2.7\n" \
           "        transfer to 192.0.2.7 192.0.2.9\n    }\n}\n"
    up = migrate(text, "1.7.1", "1.8.0")
    assert up.text == ("zone.example {\n    secondary {\n        transfer from 192.0.2.1\n    }\n    transfer {\n"
                       "        to 192.0.2.7 192.0.2.9\n    }\n}\n")
    assert errors(up.text, "1.8.0") == []


# ------------------------------------------------------------------ defaults going down

LAMEDUCK = ".:1053 {\n    health {\n        lameduck 12s\n    }\n    whoami\n}\n"


@pytest.mark.parametrize("target", ["1.6.4", "1.2.0", "1.1.3"])
def test_lameduck_is_kept_going_down(target):
    # health parses lameduck in every release (plugin/health/setup.go v1.1.3 has it); the 1.6.5 default only
    # wrote it into kubeadm's Corefile. corefile-migration's MigrateDown keeps it too.
    for value in ("5s", "12s"):
        text = LAMEDUCK.replace("12s", value)
        result = migrate(text, "1.14.7", target)
        assert f"lameduck {value}" in result.text
        assert not [n for n in result.notices if n.option == "lameduck"]
        assert errors(result.text, target) == []


def test_max_concurrent_default_goes_only_where_forward_lacks_it():
    # forward has max_concurrent from 1.6.8 (plugin/forward/setup.go); the 1.7.0 default value is taken out
    # below that, another value cannot be, and at 1.6.8 or later it stays.
    text = ".:1053 {\n    forward . 192.0.2.53 {\n        max_concurrent 1000\n    }\n}\n"
    assert migrate(text, "1.7.0", "1.6.8").text == text
    down = migrate(text, "1.7.0", "1.6.7")
    assert down.text == ".:1053 {\n    forward . 192.0.2.53\n}\n"
    assert notices(down) == ['Option "max_concurrent" in plugin "forward" is added as a default in 1.7.0. '
                             "It is removed for 1.6.7."]
    with pytest.raises(CorefileError) as e:
        migrate(text.replace("1000", "300"), "1.7.0", "1.6.7")
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (3, 9)


def test_a_default_plugin_goes_only_below_the_release_that_added_it():
    # The target release decides (its plugin.cfg); corefile-migration also runs the target's own down rules,
    # which would take `loop` out of a 1.2.1 Corefile and `ready` out of a 1.5.0 one.
    text = ".:1053 {\n    ready :8282\n    kubernetes svc.example\n    forward . 192.0.2.53\n    loop\n}\n"
    assert migrate(text, "1.6.4", "1.5.0").text == text
    down = migrate(text, "1.6.4", "1.4.0")
    # `ready` with an address of its own goes too: 1.4.0 has no ready plugin at all.
    assert down.text == ".:1053 {\n    kubernetes svc.example\n    forward . 192.0.2.53\n    loop\n}\n"
    assert notices(down) == ['Plugin "ready" is added as a default in 1.5.0. It is removed for 1.4.0.']
    assert errors(down.text, "1.4.0") == []
    assert migrate(down.text, "1.4.0", "1.2.1").text == down.text
    older = migrate(down.text, "1.4.0", "1.2.0")
    assert older.text == ".:1053 {\n    kubernetes svc.example\n    forward . 192.0.2.53\n}\n"
    assert errors(older.text, "1.2.0") == []


def test_cli_reports_the_default_plugin_it_takes_out(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(".:1053 {\n    ready :8282\n    kubernetes svc.example\n}\n")
    r = subprocess.run([sys.executable, "-m", "corefile_tool.cli", "migrate", str(f), "--from", "v1.5.0",
                        "--to", "1.4.0"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, ".:1053 {\n    kubernetes svc.example\n}\n")
    assert r.stderr == 'Plugin "ready" is added as a default in 1.5.0. It is removed for 1.4.0.\n'


# ------------------------------------------------------------------ defaults going up

def test_new_default_plugins_go_only_to_the_blocks_that_need_them():
    # loop joins blocks that forward or proxy (1.2.1), ready blocks that serve kubernetes (1.5.0); a block that
    # does neither gets nothing, and a migration that starts after a release does not add its default.
    text = ("svc.example {\n    kubernetes svc.example\n}\n\n"
            "corp.internal {\n    forward . 192.0.2.53\n}\n\n"
            "zone.example {\n    file db.zone.example\n}\n")
    up = migrate(text, "1.1.3", "1.5.0")
    assert up.text == ("svc.example {\n    kubernetes svc.example\n    ready\n}\n\n"
                       "corp.internal {\n    forward . 192.0.2.53\n    loop\n}\n\n"
                       "zone.example {\n    file db.zone.example\n}\n")
    assert errors(up.text, "1.5.0") == []
    assert migrate(text, "1.5.0", "1.6.9").text == text


def test_cluster_corefile_of_1_3_1_reaches_the_1_7_0_layout():
    # A cluster Corefile as kubeadm wrote it for 1.3.1 (own zone), and what kubeadm wrote for 1.7.0: the
    # migration drops `upstream` and adds ready, lameduck and max_concurrent, and nothing else.
    old = (".:53 {\n    errors\n    health\n    kubernetes corp.cluster in-addr.arpa ip6.arpa {\n"
           "        pods insecure\n        upstream\n        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n"
           "    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n"
           "    loadbalance\n}\n")
    new = (".:53 {\n    errors\n    health {\n        lameduck 5s\n    }\n"
           "    kubernetes corp.cluster in-addr.arpa ip6.arpa {\n        pods insecure\n"
           "        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }\n    prometheus :9153\n"
           "    forward . /etc/resolv.conf {\n        max_concurrent 1000\n    }\n    cache 30\n    loop\n"
           "    reload\n    loadbalance\n    ready\n}\n")
    for deprecations in (False, True):
        assert migrate(old, "1.3.1", "1.7.0", deprecations=deprecations).text == new
    assert errors(new, "1.7.0") == []


# ------------------------------------------------------------------ one release at a time

STEPPED = (".:53 {\n    health\n    kubernetes corp.cluster {\n        endpoint https://192.0.2.1:6443 "
           "https://192.0.2.2:6443\n        upstream\n        resyncperiod 10m\n        transfer to 192.0.2.9\n"
           "    }\n    proxy . 192.0.2.53 {\n        policy first\n        max_fails 2\n    }\n"
           "    proxy corp.internal 192.0.2.54\n    cache 30\n}\n")


@pytest.mark.parametrize("deprecations", [False, True])
@pytest.mark.parametrize("middle", ["1.2.1", "1.3.1", "1.4.0", "1.5.0", "1.6.5", "1.7.0"])
def test_migrating_in_two_goes_gives_what_one_go_gives(middle, deprecations):
    # Each release's rules apply once, in order, whatever the start: stopping on the way changes nothing.
    whole = migrate(STEPPED, "1.1.3", "1.8.0", deprecations=deprecations).text
    half = migrate(STEPPED, "1.1.3", middle, deprecations=deprecations).text
    assert migrate(half, middle, "1.8.0", deprecations=deprecations).text == whole
    assert errors(whole, "1.8.0") == []


def test_kubernetes_endpoint_is_trimmed_when_deprecated_only_on_request():
    text = ".:53 {\n    kubernetes corp.cluster {\n        endpoint https://192.0.2.1:6443 https://192.0.2.2:6443\n" \
           "    }\n}\n"
    kept = migrate(text, "1.3.0", "1.3.1")
    assert kept.text == text
    assert notices(kept) == ['Option "endpoint" in plugin "kubernetes" is deprecated in 1.3.1. '
                             "Kept as it is: --deprecations rewrites it now."]
    trimmed = text.replace(" https://192.0.2.2:6443", "")
    assert migrate(text, "1.3.0", "1.3.1", deprecations=True).text == trimmed
    # From 1.4.0 kubernetes reads the first endpoint only (ignored): trimmed without being asked.
    assert migrate(text, "1.3.1", "1.4.0").text == trimmed


# ------------------------------------------------------------------ unsupported

def test_unsupported_means_unknown_to_this_tool():
    # corefile-migration calls route53 unsupported because its own tables lack it; this tool knows route53's
    # properties in every release (plugin/route53/setup.go), so only what it does not know is reported.
    text = (".:53 {\n    route53 corp.internal.:Z0123456789 {\n        credentials default\n    }\n"
            "    kubernetes corp.cluster {\n        shoesize 44\n    }\n    forward . 192.0.2.53\n}\n")
    result = migrate(text, "1.3.1", "1.5.0")
    assert [str(n) for n in result.notices if n.status == "unsupported"] == [
        'Option "shoesize" in plugin "kubernetes" is unsupported by this migration tool in 1.5.0.']


# ------------------------------------------------------------------ no_reload becomes reload 0 (1.2.3, 1.5.0)

def zone(head, *lines):
    body = "".join(f"        {line}\n" for line in lines)
    return f"example.org {{\n    {head} {{\n{body}    }}\n}}\n"


NO_RELOAD = [("file", "file db.example.org", ()), ("auto", "auto", ("directory /zones",))]


@pytest.mark.parametrize("plugin, head, first", NO_RELOAD, ids=[p[0] for p in NO_RELOAD])
def test_no_reload_becomes_reload_0_when_1_5_0_removes_it(plugin, head, first):
    # setup.go v1.2.3 .. v1.4.0: `case "no_reload": reload = 0` (auto: ReloadInterval = 0), and each of no_reload
    # and reload sets the interval, the last one winning; v1.5.0 has no case for it (notes/coredns-1.5.0.md):
    # file refuses it and so does auto. Dropping it would turn zone reloading back on.
    text = zone(head, *first, "no_reload", "reload 30s")
    up = migrate(text, "1.4.0", "1.5.0")
    assert up.text == zone(head, *first, "reload 0", "reload 30s")
    assert notices(up) == [f'Option "no_reload" in plugin "{plugin}" is removed in 1.5.0. It is replaced by '
                           '"reload 0". Both turn zone reloading off.']
    assert errors(up.text, "1.5.0") == []


@pytest.mark.parametrize("plugin, head, first", NO_RELOAD, ids=[p[0] for p in NO_RELOAD])
def test_no_reload_is_only_reported_while_it_is_deprecated(plugin, head, first):
    text = zone(head, *first, "no_reload")
    kept = migrate(text, "1.2.2", "1.4.0")
    assert kept.text == text
    assert notices(kept) == [f'Option "no_reload" in plugin "{plugin}" is deprecated in 1.2.3. It is replaced by '
                             '"reload 0". Kept as it is: --deprecations rewrites it now.']
    assert migrate(text, "1.2.2", "1.4.0", deprecations=True).text == zone(head, *first, "reload 0")
    # the migration that starts at 1.2.2 ends where the one that starts at 1.4.0 does
    assert migrate(text, "1.2.2", "1.5.0").text == migrate(text, "1.4.0", "1.5.0").text


@pytest.mark.parametrize("plugin, head, first", NO_RELOAD, ids=[p[0] for p in NO_RELOAD])
def test_reload_0_becomes_no_reload_below_1_2_3(plugin, head, first):
    # `reload` came in 1.2.3 (plugin/file and plugin/auto setup.go v1.2.2 know no_reload only); from 1.2.3 to
    # 1.4.0 both forms are read, so `reload 0` stays.
    for zero in ("0", "0s"):
        text = zone(head, *first, f"reload {zero}")
        assert migrate(text, "1.5.0", "1.2.3").text == text
        down = migrate(text, "1.5.0", "1.2.2")
        assert down.text == zone(head, *first, "no_reload")
        assert notices(down) == [f'Option "no_reload" in plugin "{plugin}" is deprecated in 1.2.3. It is replaced '
                                 'by "reload 0". "reload 0" is turned back into it for 1.2.2.']
        assert errors(down.text, "1.2.2") == []
    # any other interval has no form before 1.2.3
    with pytest.raises(CorefileError) as e:
        migrate(zone(head, *first, "reload 30s"), "1.5.0", "1.2.2")
    assert e.value.diagnostic.message.startswith(f'property "reload" of plugin "{plugin}" is not in CoreDNS 1.2.2 '
                                                 "(added in 1.2.3)")


# ------------------------------------------------------------------ the result is linted at the target

KUBERNETES_TTL = "cluster.local {\n    kubernetes cluster.local {\n        ttl 0\n    }\n}\n"


def test_a_value_the_target_refuses_stops_the_migration():
    # plugin/kubernetes/setup.go: ttl in [5, 3600] until 1.2.6, [0, 3600] from 1.3.0. No rule of
    # knowledge/migrations.py is about it: the lint of the result at 1.2.6 is what catches it.
    with pytest.raises(CorefileError) as e:
        migrate(KUBERNETES_TTL, "1.3.0", "1.2.6")
    d = e.value.diagnostic
    assert (d.line, d.column) == (3, 13)
    assert d.message == ('property "ttl 0" of plugin "kubernetes" is kept as it is, and CoreDNS 1.2.6 refuses it '
                         "(plugin/kubernetes: ttl must be in range [5, 3600]: 0); migrate has no safe equivalent "
                         "for it")
    five = KUBERNETES_TTL.replace("ttl 0", "ttl 5")
    assert migrate(five, "1.3.0", "1.2.6").text == five


def test_a_rule_the_target_lacks_stops_the_migration():
    # plugin/rewrite/rewrite.go newRule: the ttl rule came with 1.2.3
    text = ". {\n    rewrite ttl a.example.org 30\n    whoami\n}\n"
    with pytest.raises(CorefileError) as e:
        migrate(text, "1.2.3", "1.2.2")
    d = e.value.diagnostic
    assert (d.line, d.column) == (2, 13)
    assert d.message.startswith('plugin line "rewrite ttl a.example.org 30" is kept as it is, and CoreDNS 1.2.2 '
                                'refuses it (plugin/rewrite: invalid rule type "ttl")')


def test_what_the_source_release_refuses_too_is_not_the_migrations_doing():
    # ttl 0 is refused at 1.2.6 and at 1.2.5: nothing changes, and the file goes through as it was.
    assert errors(KUBERNETES_TTL, "1.2.6") != []
    assert migrate(KUBERNETES_TTL, "1.2.6", "1.2.5").text == KUBERNETES_TTL


def test_an_error_elsewhere_in_the_source_does_not_hide_the_one_migrate_makes():
    # `shoesize` is no plugin of any release (refused at both ends); the ttl is refused only at the target.
    text = KUBERNETES_TTL.replace("    }\n}", "    }\n    shoesize 44\n}")
    assert [e for e in errors(text, "1.3.0") if "shoesize" not in e] == []
    with pytest.raises(CorefileError) as e:
        migrate(text, "1.3.0", "1.2.6")
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (3, 13)


def test_a_line_of_a_snippet_is_checked_where_it_is_written():
    text = "(k8s) {\n    kubernetes cluster.local {\n        ttl 0\n    }\n}\ncluster.local {\n    import k8s\n}\n"
    with pytest.raises(CorefileError) as e:
        migrate(text, "1.3.0", "1.2.6")
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (3, 13)


def test_lines_of_imported_files_are_left_to_their_own_migration(tmp_path):
    # Files read through `import` are not migrated (a notice says so), so their lint is not migrate's to judge.
    (tmp_path / "k8s.conf").write_text("kubernetes cluster.local {\n    ttl 0\n}\n")
    text = "cluster.local {\n    import k8s.conf\n}\n"
    result = migrate(text, "1.3.0", "1.2.6", path=str(tmp_path / "Corefile"))
    assert result.text == text
    assert notices(result) == ['Import "k8s.conf" is not migrated: migrate the files it reads on their own.']


def test_cli_refuses_and_writes_nothing(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(KUBERNETES_TTL)
    r = subprocess.run([sys.executable, "-m", "corefile_tool.cli", "migrate", str(f), "--from", "1.3.0",
                        "--to", "1.2.6", "--write"], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith(f'corefile: {f}:3:13: cannot migrate: property "ttl 0" of plugin "kubernetes" is '
                               "kept as it is, and CoreDNS 1.2.6 refuses it")
    assert f.read_text() == KUBERNETES_TTL
