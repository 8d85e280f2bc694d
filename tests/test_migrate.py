"""corefile migrate: release-by-release rewrites, notices, refusals, and the result linting clean."""
import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corefile_tool.diagnostics import CorefileError
from corefile_tool.knowledge import migrations, registry, versions
from corefile_tool.knowledge.spec import version_tuple
from corefile_tool.linter import lint
from corefile_tool.migrate import _Migration, check_versions, migrate

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT.parent / "shared" / "conformance" / "data" / "migration_vectors.jsonl"
CLUSTER = (ROOT / "samples" / "cluster.Corefile").read_text()
CLI = [sys.executable, "-m", "corefile_tool.cli", "migrate"]


def _vectors(*kinds):
    if not VECTORS.is_file():
        return []
    rows = [json.loads(line) for line in VECTORS.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["kind"] in kinds]


def needs_vectors():
    if not VECTORS.is_file():
        pytest.skip("../shared/conformance/data/migration_vectors.jsonl is absent")


def errors(text, version):
    return [str(d) for d in lint(text, version=version) if d.severity == "error"]


def notices(result):
    return [str(n) for n in result.notices]


# ------------------------------------------------------------------ corefile-migration's own cases

# Where the reference output is a Corefile CoreDNS refuses, this tool differs from it, by exactly these lines.
# corefile-migration keeps a bare `except` in forward, which plugin/forward/setup.go refuses (ArgErr); its input
# was no valid proxy either (plugin/proxy/upstream.go v1.3.1 refuses bare except, fail_timeout, max_fails,
# health_check). migrate drops the bare `except` with a notice.
REFUSED_BY_COREDNS = {"TestMigrate#replace/remove proxy options": ["        except\n"]}


@pytest.mark.parametrize("case", _vectors("migrate", "migrate_down"), ids=lambda c: c["id"])
def test_reference_migrations_give_the_same_corefile(case):
    result = migrate(case["input"], case["from"], case["to"], deprecations=bool(case.get("deprecations")))
    expected = case["expected"]
    for line in REFUSED_BY_COREDNS.get(case["id"], []):
        assert expected.count(line) == 1
        expected = expected.replace(line, "")
    if result.text != expected:
        # The one kind of difference allowed for a reference case this file does not list: the reference output
        # is a Corefile CoreDNS refuses, ours only leaves lines out of it, and CoreDNS accepts ours.
        ours, theirs = result.text.splitlines(), case["expected"].splitlines()
        added = [line for line in difflib.ndiff(theirs, ours) if line.startswith("+ ")]
        assert not added and errors(case["expected"], case["to"]) and not errors(result.text, case["to"]), (
            "\n".join(difflib.unified_diff(theirs, ours, "reference", "corefile", lineterm="")))
    if case["id"] in REFUSED_BY_COREDNS:
        assert errors(case["expected"], case["to"]) != [] and errors(result.text, case["to"]) == []


@pytest.mark.parametrize("case", _vectors("migrate", "migrate_down"), ids=lambda c: c["id"])
def test_reference_migrations_lint_clean_when_the_input_did(case):
    from corefile_tool.parser import parse

    unknown = {d.name for b in parse(case["input"]).server_blocks for d in b.directives} - set(registry.plugins())
    if unknown:
        pytest.skip(f"lint cannot judge the input: no knowledge of {sorted(unknown)}")
    if errors(case["input"], case["from"]):
        pytest.skip("the reference input itself does not lint clean for its version")
    result = migrate(case["input"], case["from"], case["to"], deprecations=bool(case.get("deprecations")))
    assert errors(result.text, case["to"]) == []


def test_reference_cases_cover_their_version_steps():
    needs_vectors()
    steps = set()
    for case in _vectors("migrate", "migrate_down"):
        low, high = sorted((case["from"], case["to"]), key=version_tuple)
        steps |= {v for v in versions.VERSIONS if version_tuple(low) < version_tuple(v) <= version_tuple(high)}
    # Every release from 1.1.4 to 1.8.0 is crossed by at least one case above.
    assert {v for v in versions.VERSIONS if (1, 1, 4) <= version_tuple(v) <= (1, 8, 0)} <= steps


_NOTICE = re.compile(r'^(?:Option "(?P<option>[^"]+)" in plugin |Plugin )"(?P<plugin>[^"]+)" is '
                     r'(?P<status>deprecated|ignored|removed|added as a default) in (?P<version>[\d.]+)\.'
                     r'(?: It is replaced by "(?P<by>[^"]+)"\.)?$')


def _status_changes(report):
    """The reference lists a status again at every release; keep where each status starts."""
    seen, out = set(), []
    for line in report:
        g = _NOTICE.match(line).groupdict()
        key = (g["plugin"], g["option"] or "", g["status"])
        if key not in seen:
            seen.add(key)
            out.append((g["version"], g["plugin"], g["option"] or "",
                        migrations.NEW_DEFAULT if g["status"] == "added as a default" else g["status"], g["by"] or ""))
    return out


@pytest.mark.parametrize("case", _vectors("deprecated"), ids=lambda c: c["id"])
def test_reference_deprecation_facts_are_in_the_rules(case):
    table = {(c.version, c.plugin, c.option, c.status, c.replaced_by) for c in migrations.CHANGES}
    for fact in _status_changes(case["expected"]):
        assert fact in table


def test_deprecation_timeline_notices_one_per_change():
    needs_vectors()
    case = next(c for c in _vectors("deprecated") if c["from"] != c["to"])
    result = migrate(case["input"], case["from"], case["to"])
    kept = "Kept as it is: --deprecations rewrites it now."
    assert notices(result) == [
        f'Option "upstream" in plugin "kubernetes" is deprecated in 1.4.0. {kept}',
        f'Plugin "proxy" is deprecated in 1.4.0. It is replaced by "forward". {kept}',
        'Option "upstream" in plugin "kubernetes" is ignored in 1.5.0.',
        f'Option "resyncperiod" in plugin "kubernetes" is deprecated in 1.5.0. {kept}',
        'Plugin "proxy" is removed in 1.5.0. It is replaced by "forward".',
        'Plugin "ready" is added as a default in 1.5.0.',
        'Option "resyncperiod" in plugin "kubernetes" is ignored in 1.6.0.',
        'Option "lameduck" in plugin "health" is added as a default in 1.6.5.',
        'Option "max_concurrent" in plugin "forward" is added as a default in 1.7.0.',
    ]
    same = next(c for c in _vectors("deprecated") if c["from"] == c["to"])
    assert migrate(same["input"], same["from"], same["to"]).notices == []


@pytest.mark.parametrize("case", _vectors("unsupported"), ids=lambda c: c["id"])
def test_reference_unsupported_notices(case):
    result = migrate(case["input"], case["from"], case["to"])
    mine = [str(n) for n in result.notices if n.status == "unsupported"]
    assert set(mine) <= set(case["expected"])
    subjects = {re.sub(r" in [\d.]+\.$", "", e) for e in case["expected"]}
    reported = {re.sub(r" in [\d.]+\.$", "", n) for n in mine}
    # corefile-migration calls "unsupported" whatever its own tables lack; this tool knows more plugins (from
    # CoreDNS's sources), so a subject it does not report must be one CoreDNS really has in both releases.
    for subject in subjects - reported:
        found = re.fullmatch(r'(?:Option "(?P<option>[^"]+)" in plugin|Plugin) "(?P<plugin>[^"]+)"', subject)
        assert found, subject
        option, plugin = found.group("option"), found.group("plugin")
        for version in (case["from"], case["to"]):
            if option:
                assert _Migration.option_exists(plugin, option, version), (subject, version)
            else:
                assert plugin in versions.directives(version), (subject, version)


@pytest.mark.parametrize("case", _vectors("valid_versions"), ids=lambda c: c["id"])
def test_reference_version_names(case):
    # Both directions migrate here; only release names can be wrong.
    known = all(v in versions.VERSIONS for v in (case["from"], case["to"]))
    if known:
        assert check_versions(case["from"], case["to"]) == (case["from"], case["to"])
    else:
        with pytest.raises(ValueError, match="unknown CoreDNS version"):
            check_versions(case["from"], case["to"])


# ------------------------------------------------------------------ the rules as data

def test_rules_use_the_shared_version_table_and_agree_with_the_plugin_knowledge():
    ever = {n for _, names in versions.ORDERS for n in names} | set(versions.GONE)
    for c in migrations.CHANGES:
        assert c.version in versions.VERSIONS, c
        assert c.plugin in ever, c
        if c.status == migrations.REMOVED and not c.option:
            assert c.plugin in versions.directives(versions.VERSIONS[versions.VERSIONS.index(c.version) - 1])
            assert c.plugin not in versions.directives(c.version), c
        plugin = registry.get(c.plugin)
        # (a conditional removal, such as `transfer to` but not `transfer from`, is not the property's end)
        if c.status == migrations.REMOVED and c.option and not c.only_if and plugin is not None \
                and plugin.prop(c.option):
            assert plugin.prop(c.option).removed == c.version, c


# ------------------------------------------------------------------ after 1.14.2: each release up to 1.14.7

STEPS = ["1.14.2", "1.14.3", "1.14.4", "1.14.5", "1.14.6", "1.14.7"]


@pytest.mark.parametrize("old, new", list(zip(STEPS, STEPS[1:])))
def test_each_release_after_1_14_2_keeps_the_cluster_corefile_clean(old, new):
    up = migrate(CLUSTER, old, new)
    assert errors(up.text, new) == []
    down = migrate(up.text, new, old)
    assert errors(down.text, old) == []
    assert down.text == CLUSTER


def test_forward_connect_attempts_default_change_is_reported_in_1_14_7():
    result = migrate(CLUSTER, "1.14.2", "1.14.7")
    assert result.text == CLUSTER and not result.changed
    assert notices(result) == [
        'Option "max_connect_attempts" in plugin "forward" changes behaviour in 1.14.7. Its default is now twice '
        "the number of upstreams (before: no cap); max_connect_attempts 0 restores the old behaviour."]
    pinned = CLUSTER.replace("policy sequential", "policy sequential\n        max_connect_attempts 0").replace(
        "max_concurrent 1000", "max_concurrent 1000\n        max_connect_attempts 0")
    assert migrate(pinned, "1.14.2", "1.14.7").notices == []


HOSTS = ". {\n    hosts {\n        10.0.0.1 a.example\n        fallthrough\n    }\n    forward . 10.0.0.53 {\n" \
        "        max_connect_attempts 0\n    }\n}\n"


def test_hosts_fallthrough_across_1_14_5_and_1_14_7():
    crossing = migrate(HOSTS, "1.14.4", "1.14.5")
    assert crossing.text == HOSTS
    assert [n.option for n in crossing.notices] == ["fallthrough"]
    # From 1.14.5/1.14.6, 1.14.7 needs fallthrough_unsupported to keep answering as before.
    kept = migrate(HOSTS, "1.14.5", "1.14.7")
    assert "        fallthrough\n        fallthrough_unsupported\n" in kept.text
    assert errors(kept.text, "1.14.7") == []
    assert migrate(HOSTS, "1.14.4", "1.14.7").text == HOSTS
    # And back: 1.14.5 does that by default; 1.14.4 cannot do it at all.
    back = migrate(kept.text, "1.14.7", "1.14.5")
    assert back.text == HOSTS
    with pytest.raises(CorefileError, match='"fallthrough_unsupported" of plugin "hosts" is not in CoreDNS 1.14.4'):
        migrate(kept.text, "1.14.7", "1.14.4")


def test_plugin_order_changes_are_reported():
    text = ". {\n    acl {\n        allow\n    }\n    cache 30\n    whoami\n}\n"
    assert [str(n) for n in migrate(text, "1.14.1", "1.14.2").notices] == [
        'Plugin "acl" runs after "cache" in 1.14.2.']
    assert [str(n) for n in migrate(text, "1.14.6", "1.14.7").notices] == [
        'Plugin "cache" runs after "acl" in 1.14.7.']
    assert migrate(text, "1.14.2", "1.14.6").notices == []


def test_properties_a_plugin_used_to_ignore_are_dropped_when_it_starts_refusing_them():
    plugin = registry.get("trace")
    if plugin is None or plugin.ignores_unknown_until != "1.14.4":
        pytest.skip("trace's knowledge does not record when it began refusing unknown properties")
    text = ". {\n    trace {\n        every 10\n        bogus yes\n    }\n    whoami\n}\n"
    result = migrate(text, "1.14.3", "1.14.4")
    assert result.text == ". {\n    trace {\n        every 10\n    }\n    whoami\n}\n"
    assert errors(result.text, "1.14.4") == []


@pytest.mark.parametrize("text, old, new, message", [
    (". {\n    forward . 1.1.1.1 {\n        max_age 30s\n    }\n}\n", "1.14.7", "1.14.2",
     'property "max_age" of plugin "forward" is not in CoreDNS 1.14.2 (added in 1.14.3)'),
    (". {\n    proxyproto\n    whoami\n}\n", "1.14.3", "1.14.2", 'plugin "proxyproto" is not in CoreDNS 1.14.2'),
    (". {\n    shed\n    whoami\n}\n", "1.14.7", "1.14.6", 'plugin "shed" is not in CoreDNS 1.14.6'),
])
def test_migrating_down_refuses_what_the_older_release_lacks(text, old, new, message):
    with pytest.raises(CorefileError) as e:
        migrate(text, old, new, path="Corefile")
    d = e.value.diagnostic
    assert message in d.message and d.line in (2, 3) and d.column > 0


# ------------------------------------------------------------------ rewrites

def test_deprecated_proxy_is_kept_without_the_flag_and_converted_with_it():
    text = ". {\n    proxy . 10.0.0.1 10.0.0.2 {\n        policy first\n        protocol dns force_tcp\n" \
           "        except internal.example\n    }\n    loop\n}\n"
    assert migrate(text, "1.3.1", "1.4.0").text == text
    converted = migrate(text, "1.3.1", "1.4.0", deprecations=True)
    assert converted.text == (". {\n    forward . 10.0.0.1 10.0.0.2 {\n        policy sequential\n        force_tcp\n"
                              "        except internal.example\n    }\n    loop\n}\n")
    assert errors(converted.text, "1.4.0") == []


def test_a_bare_except_is_dropped_with_a_notice():
    # forward refuses `except` without domains (plugin/forward/setup.go), and it excepted nothing.
    path = ROOT.parent / "shared" / "conformance" / "data" / "realworld" / "migration-proxy-options.Corefile"
    if not path.is_file():
        pytest.skip("the realworld Corefile is absent")
    text = path.read_text()
    assert "       except\n" in text
    result = migrate(text, "1.3.1", "1.14.7")
    assert "except" not in result.text
    assert errors(result.text, "1.14.7") == []
    assert 'Option "except" in plugin "proxy" is removed in 1.5.0. With no domains it excepts nothing, and ' \
           '"forward" refuses an except without domains; it is dropped.' in notices(result)
    # With domains it is kept as it is.
    kept = migrate(". {\n    proxy . 10.0.0.1 {\n        except a.example b.example\n    }\n}\n", "1.4.0", "1.5.0")
    assert kept.text == ". {\n    forward . 10.0.0.1 {\n        except a.example b.example\n    }\n}\n"
    assert [n.option for n in kept.notices] == [""]


@pytest.mark.parametrize("line, becomes, says", [
    ("policy least_conn", "force_tcp", '"forward" has no least_conn policy: "policy least_conn" becomes "force_tcp"'),
    ("policy first", "policy sequential", '"policy first" becomes "policy sequential"'),
    ("protocol dns force_tcp", "force_tcp", '"protocol dns force_tcp" becomes "force_tcp"'),
    ("protocol dns", None, '"protocol dns" is what "forward" does without it; it is dropped.'),
])
def test_every_converted_proxy_property_gets_a_notice(line, becomes, says):
    text = f". {{\n    proxy . 10.0.0.1 {{\n        {line}\n    }}\n}}\n"
    result = migrate(text, "1.4.0", "1.5.0")
    if becomes:
        assert result.text == f". {{\n    forward . 10.0.0.1 {{\n        {becomes}\n    }}\n}}\n"
    else:
        assert result.text == ". {\n    forward . 10.0.0.1\n}\n"
    option = [str(n) for n in result.notices if n.option]
    assert len(option) == 1
    assert option[0].startswith(f'Option "{line.split()[0]}" in plugin "proxy" is removed in 1.5.0. {says}')
    assert errors(result.text, "1.5.0") == []


def test_a_proxy_policy_forward_shares_is_kept_without_a_notice():
    text = ". {\n    proxy . 10.0.0.1 {\n        policy round_robin\n    }\n}\n"
    result = migrate(text, "1.4.0", "1.5.0")
    assert result.text == ". {\n    forward . 10.0.0.1 {\n        policy round_robin\n    }\n}\n"
    assert [n.option for n in result.notices] == [""]


@pytest.mark.parametrize("line", ["protocol grpc insecure", "policy least_busy", "upstream 8.8.8.8"])
def test_proxy_properties_without_a_forward_equivalent_are_refused(line):
    text = f". {{\n    proxy . 10.0.0.1 {{\n        {line}\n    }}\n}}\n"
    with pytest.raises(CorefileError) as e:
        migrate(text, "1.4.0", "1.5.0")
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (3, 9)
    assert "no equivalent in forward" in e.value.diagnostic.message


def test_stub_proxies_keep_the_port_of_their_block():
    text = ".:5353 {\n    proxy . 10.0.0.1\n    proxy corp.example 10.1.0.1\n}\n"
    result = migrate(text, "1.4.0", "1.5.0")
    assert result.text == (".:5353 {\n    forward . 10.0.0.1\n}\n\ncorp.example:5353 {\n"
                           "    forward . 10.1.0.1\n    loop\n    errors\n    cache 30\n}\n")
    assert errors(result.text, "1.5.0") == []


def test_stub_proxies_in_a_block_for_several_zones_are_refused():
    text = ". example.org {\n    proxy . 10.0.0.1\n    proxy corp.example 10.1.0.1\n}\n"
    with pytest.raises(CorefileError, match="split the block by hand"):
        migrate(text, "1.4.0", "1.5.0")


def test_zone_transfers_move_to_the_transfer_plugin_and_back():
    text = "example.org {\n    file db.example.org {\n        transfer to *\n        transfer to 10.240.1.1\n" \
           "    }\n}\n"
    up = migrate(text, "1.7.1", "1.8.0")
    # The release notes' own example (notes/coredns-1.8.0.md).
    assert up.text == "example.org {\n    file db.example.org\n    transfer {\n        to * 10.240.1.1\n    }\n}\n"
    assert errors(up.text, "1.8.0") == []
    down = migrate(up.text, "1.8.0", "1.7.1")
    assert down.text == "example.org {\n    file db.example.org {\n        transfer to * 10.240.1.1\n    }\n}\n"


def test_removed_plugin_without_replacement_is_refused():
    text = ".:53 {\n    kubernetes cluster.local\n    federation cluster.local {\n        prod prod.example\n" \
           "    }\n}\n"
    with pytest.raises(CorefileError) as e:
        migrate(text, "1.6.9", "1.7.0")
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (3, 5)


def test_comments_snippets_and_imports_survive(tmp_path):
    text = ("# cluster DNS\n"
            "(upstream) {\n"
            "    proxy . 10.0.0.1   # the resolver\n"
            "}\n"
            "import extra/*.conf\n"
            "\n"
            ".:53 {\n"
            "    # names of the cluster\n"
            "    kubernetes cluster.local {\n"
            "        upstream\n"
            "        pods insecure\n"
            "    }\n"
            "    import upstream\n"
            "}\n")
    result = migrate(text, "1.4.0", "1.5.0")
    assert result.text == ("# cluster DNS\n"
                           "(upstream) {\n"
                           "    forward . 10.0.0.1 # the resolver\n"
                           "}\n"
                           "\n"
                           "import extra/*.conf\n"
                           "\n"
                           ".:53 {\n"
                           "    # names of the cluster\n"
                           "    kubernetes cluster.local {\n"
                           "        pods insecure\n"
                           "    }\n"
                           "    import upstream\n"
                           "    ready\n"
                           "}\n")
    assert 'Import "extra/*.conf" is not migrated: migrate the files it reads on their own.' in notices(result)


def test_nothing_to_change_leaves_the_text_as_it_was():
    text = ".:53 {\n  whoami   # as written\n}\n"
    for old, new in (("1.14.7", "1.14.7"), ("1.8.0", "1.14.7"), ("1.14.7", "1.8.0")):
        result = migrate(text, old, new)
        assert (result.text, result.changed) == (text, False)


@pytest.mark.parametrize("old, new", [("1.1.3", "1.14.7"), ("1.3.1", "1.8.0"), ("1.6.2", "1.14.7"),
                                      ("1.14.7", "1.8.0")])
def test_kubeadm_defaults_lint_clean_after_migrating(old, new):
    defaults = {
        "1.1.3": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
                 "        pods insecure\n        upstream\n        fallthrough in-addr.arpa ip6.arpa\n    }\n"
                 "    prometheus :9153\n    proxy . /etc/resolv.conf\n    cache 30\n    reload\n}\n",
        "1.3.1": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
                 "        pods insecure\n        upstream\n        fallthrough in-addr.arpa ip6.arpa\n"
                 "        ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n"
                 "    loop\n    reload\n    loadbalance\n}\n",
        "1.6.2": ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
                 "        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }\n"
                 "    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n"
                 "    loadbalance\n}\n",
        "1.14.7": CLUSTER,
    }
    result = migrate(defaults[old], old, new)
    assert errors(result.text, new) == []


# ------------------------------------------------------------------ CLI

def run(*args, stdin=None):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, input=stdin)


def test_cli_prints_the_corefile_and_notices(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    health\n    forward . 1.1.1.1\n}\n")
    r = run(str(f), "--from", "1.6.2", "--to", "v1.7.0")
    assert r.returncode == 0
    assert r.stdout == ". {\n    health {\n        lameduck 5s\n    }\n    forward . 1.1.1.1 {\n" \
                       "        max_concurrent 1000\n    }\n}\n"
    assert r.stderr.splitlines() == ['Option "lameduck" in plugin "health" is added as a default in 1.6.5.',
                                     'Option "max_concurrent" in plugin "forward" is added as a default in 1.7.0.']
    as_json = json.loads(run(str(f), "--from", "1.6.2", "--to", "1.7.0", "--format", "json").stdout)
    assert as_json["to"] == "1.7.0" and as_json["changed"] is True
    assert [n["option"] for n in as_json["notices"]] == ["lameduck", "max_concurrent"]
    assert as_json["corefile"] == r.stdout


def test_cli_write_is_atomic_and_refusals_change_nothing(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    proxy . 1.1.1.1\n}\n")
    os.chmod(f, 0o644)
    r = run(str(f), "--from", "1.4.0", "--to", "1.5.0", "--write")
    assert (r.returncode, r.stdout) == (0, "")
    assert f.read_text() == ". {\n    forward . 1.1.1.1\n}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Corefile"]
    f.write_text(". {\n    forward . 1.1.1.1 {\n        max_age 5s\n    }\n}\n")
    r = run(str(f), "--from", "1.14.7", "--to", "1.14.2", "--write")
    assert r.returncode == 2
    assert r.stderr == (f"corefile: {f}:3:9: cannot migrate: property \"max_age\" of plugin \"forward\" is not in "
                        "CoreDNS 1.14.2 (added in 1.14.3); migrate has no safe equivalent for it\n")
    assert "max_age" in f.read_text()


@pytest.mark.parametrize("args, message", [
    (["--from", "1.0.0", "--to", "1.5.0"], "--from: unknown CoreDNS version '1.0.0'"),
    (["--from", "1.5.0", "--to", "banana"], "--to: unknown CoreDNS version 'banana'"),
    (["--from", "1.5.0", "--to", "1.6.0", "--write"], "--write needs a file path"),
])
def test_cli_usage_errors_are_one_line(args, message):
    r = run("-", *args, stdin=". {\n}\n")
    assert r.returncode == 2
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_cli_unparsable_file(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    whoami }\n")
    r = run(str(f), "--from", "1.6.0", "--to", "1.7.0")
    assert r.returncode == 2
    assert r.stderr == f"corefile: {f}:2:12: cannot migrate: Unexpected '}}' because no matching opening brace\n"


def test_lint_reads_property_deprecations_and_removals_from_the_same_table():
    # one version table: every unconditional property Change is what the plugin knowledge (and so lint) says
    for c in migrations.CHANGES:
        if not c.option or c.only_if or c.from_range or c.status not in (
                migrations.DEPRECATED, migrations.IGNORED, migrations.REMOVED):
            continue
        prop = registry.get(c.plugin).prop(c.option)
        key = "removed" if c.status == migrations.REMOVED else "deprecated"
        first = min((x.version for x in migrations.CHANGES if (x.plugin, x.option) == (c.plugin, c.option)
                     and not x.only_if and (x.status == migrations.REMOVED) == (key == "removed")
                     and x.status != migrations.BEHAVIOUR), key=version_tuple)
        assert getattr(prop, key) == first, c


@pytest.mark.parametrize("option, since", [("upstream", "1.4.0"), ("resyncperiod", "1.5.0")])
def test_kubernetes_deprecations_as_the_release_notes_date_them(option, since):
    # notes/coredns-1.3.1.md announces upstream's change for 1.4.0; notes/coredns-1.5.0.md deprecates resyncperiod
    text = f". {{\n    kubernetes cluster.local {{\n        {option}\n    }}\n}}\n"
    [d] = [d for d in lint(text, version="1.6.0") if d.code == "deprecated"]
    assert f"deprecated since CoreDNS {since}" in d.message
    [c] = [c for c in migrations.CHANGES if (c.plugin, c.option, c.status) == ("kubernetes", option, "deprecated")]
    assert c.version == since


def test_file_and_template_upstream_is_a_no_op_from_1_5_2():
    # notes/coredns-1.5.2.md: "still accepted but is a noop" for every plugin with `upstream`
    for body in ("file db.example.org {\n        upstream\n    }", "template IN A {\n        upstream\n    }"):
        text = f"example.org {{\n    {body}\n}}\n"
        [d] = [d for d in lint(text, version="1.6.0") if d.code == "deprecated"]
        assert "deprecated since CoreDNS 1.5.2" in d.message
        assert not [d for d in lint(text, version="1.5.1") if d.code == "deprecated"]
