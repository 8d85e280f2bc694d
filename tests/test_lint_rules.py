"""Every lint rule fails on its documented bad example and passes on its good one (the examples `corefile rules`
prints are run, so they cannot drift from the behaviour), plus the cases each rule's documentation cannot show."""
from __future__ import annotations

import re
import textwrap

import pytest

from corefile_tool import lint
from corefile_tool.linter.rules import all_rules, by_code

EXAMPLE_HEADER = re.compile(r"^(Bad|Good)(?: \(with ([^)]*)\))?[^:\n]*:$", re.M)
# Files the good examples name, created next to the example so that `import` finds them.
FILES = {"import": ["common.conf"], "import-glob-empty": ["conf.d/a.conf"]}
# Rules whose examples are about this machine's files or credentials, tested where they are written.
NOT_SELF_CONTAINED = {"external-file", "environment", "import-outside"}


def examples(rule):
    """(kind, options, Corefile text) for each `Bad:`/`Good:` example of a rule's DOC."""
    out = []
    doc = rule.DOC
    headers = list(EXAMPLE_HEADER.finditer(doc))
    for i, m in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(doc)
        body = [line for line in doc[m.end():end].split("\n")]
        lines = []
        for line in body:
            if line.strip() and not line.startswith("    "):
                break
            lines.append(line)
        text = textwrap.dedent("\n".join(lines)).strip("\n") + "\n"
        out.append((m.group(1), m.group(2) or "", text))
    return out


def options(spec: str) -> dict:
    kwargs = {}
    words = spec.split()
    for flag, value in zip(words[::2], words[1::2]):
        if flag == "--coredns-version":
            kwargs["version"] = value
        elif flag == "--profile":
            kwargs["profile"] = value
        elif flag == "--plugin":
            kwargs["external_plugins"] = {value: ""}
        else:
            raise AssertionError(f"unknown option in an example header: {flag}")
    return kwargs


RULES = [r for r in all_rules() if r.CODE not in NOT_SELF_CONTAINED]


def test_every_rule_is_documented():
    for rule in all_rules():
        assert rule.SEVERITY in ("error", "warning", "info"), rule.CODE
        assert rule.SUMMARY and rule.DOC.strip(), rule.CODE
        if rule.CODE not in NOT_SELF_CONTAINED:
            kinds = [kind for kind, _, _ in examples(rule)]
            assert "Bad" in kinds and "Good" in kinds, rule.CODE


@pytest.mark.parametrize("code", [r.CODE for r in RULES])
def test_documented_examples(code, tmp_path):
    rule = by_code()[code]
    for name in FILES.get(code, []):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    for kind, spec, text in examples(rule):
        path = tmp_path / "Corefile"
        path.write_text(text, encoding="utf-8")
        found = lint(path, **options(spec))
        codes = [d.code for d in found]
        if kind == "Bad":
            assert code in codes, f"{code}: bad example not flagged:\n{text}\n{[str(d) for d in found]}"
            assert {d.severity for d in found if d.code == code} <= {rule.SEVERITY, "error"}
        else:
            assert code not in codes, f"{code}: good example flagged:\n{text}\n{[str(d) for d in found]}"
            assert not [d for d in found if d.severity == "error"], [str(d) for d in found]


# ---------------------------------------------------------------------------------------------- beyond the docs

def codes(text, **kwargs):
    return [d.code for d in lint(text, **kwargs)]


def diagnostics(text, code, **kwargs):
    return [d for d in lint(text, **kwargs) if d.code == code]


def test_invalid_key_positions_and_messages():
    found = diagnostics("a.example {\n    whoami\n}\nb.example c..example {\n    whoami\n}\n", "invalid-key")
    assert [(d.line, d.column, d.message) for d in found] == [
        (4, 11, "error inspecting server blocks: zone is not a valid domain name: c..example")]
    found = diagnostics("example.org:70000 {\n    whoami\n}\n", "invalid-key")
    assert [d.message for d in found] == ["address 70000: invalid port"]
    assert diagnostics("::/0 {\n    whoami\n}\n", "invalid-key")[0].message == \
        "error inspecting server blocks: invalid CIDR ::/0"


def test_unsupported_transports():
    [unix] = diagnostics("unix://coredns.sock:1 {\n    whoami\n}\n", "unsupported-transport")
    assert "no server" in unix.message
    [upper] = diagnostics("DNS://example.org {\n    whoami\n}\n", "unsupported-transport")
    assert "'dns://example.org.'" in upper.message    # the whole key, lower-cased like every zone
    [old] = diagnostics("quic://example.org {\n    tls a b\n    whoami\n}\n", "unsupported-transport",
                        version="1.10.1")
    assert "only from CoreDNS 1.11.0" in old.message
    assert codes("quic://example.org {\n    whoami\n}\n").count("unsupported-transport") == 0


def test_missing_tls_variants():
    [doh3] = diagnostics("https3://. {\n    whoami\n}\n", "missing-tls")
    assert (doh3.severity, doh3.message.split(" (")[0]) == ("error", "DoH3 requires TLS, no TLS config found")
    mixed = "tls://a.example {\n    tls c.pem k.pem\n    whoami\n}\ntls://b.example {\n    whoami\n}\n"
    [d] = diagnostics(mixed, "missing-tls")
    assert d.line == 5 and "chosen at random" in d.message
    assert not diagnostics(".:53 {\n    whoami\n}\n", "missing-tls")


def test_duplicate_zone_points_at_the_second_key_and_the_first():
    [d] = diagnostics("example.org {\n    whoami\n}\n\nexample.org {\n    whoami\n}\n", "duplicate-zone")
    assert (d.line, d.column) == (5, 1)
    assert d.message == "cannot serve dns://example.org.:53 - it is already defined (first at line 1)"


def test_listener_overlap_is_checked_per_version():
    text = "a b {\n    bind 127.0.0.1\n    whoami\n}\nb {\n    whoami\n}\n"
    assert codes(text).count("listener-overlap") == 1
    assert codes(text, version="1.9.4").count("duplicate-zone") == 1


def test_unreachable_block_when_except_removes_everything():
    text = ". {\n    bind 127.0.0.1 {\n        except 127.0.0.1\n    }\n    whoami\n}\n"
    [d] = diagnostics(text, "unreachable-block")
    assert d.line == 2
    assert not diagnostics(". {\n    bind 127.0.0.1 ::1 {\n        except ::1\n    }\n    whoami\n}\n",
                           "unreachable-block")


def test_bind_shadow_only_when_zones_are_missing_on_the_bound_address():
    both_bound = ". {\n    bind 127.0.0.1\n    whoami\n}\nexample.org {\n    whoami\n}\n"
    assert not diagnostics(both_bound, "bind-shadow")    # '.' bound there covers example.org
    bound_child = "example.org {\n    bind 127.0.0.1\n    whoami\n}\n. {\n    whoami\n}\n"
    [d] = diagnostics(bound_child, "bind-shadow")
    assert d.line == 2 and "'.'" in d.message
    [spread] = diagnostics(bound_child.replace("127.0.0.1", "0.0.0.0"), "bind-shadow")
    assert "the kernel spreads queries" in spread.message


def test_shadowed_forward_respects_except_and_next():
    base = ". {{\n    forward . 10.0.0.1 {{\n{props}    }}\n    forward sub.example.org 10.0.0.2\n}}\n"
    assert diagnostics(base.format(props="        max_fails 3\n"), "shadowed-plugin")
    assert not diagnostics(base.format(props="        except sub.example.org\n"), "shadowed-plugin")
    assert not diagnostics(base.format(props="        except example.org\n"), "shadowed-plugin")
    assert diagnostics(base.format(props="        except other.org\n"), "shadowed-plugin")
    assert not diagnostics(base.format(props="        next NXDOMAIN\n"), "shadowed-plugin")
    same = ". {\n    forward example.org 10.0.0.1\n    forward example.org 10.0.0.2\n}\n"
    assert [d.line for d in diagnostics(same, "shadowed-plugin")] == [3]
    disjoint = ". {\n    forward example.org 10.0.0.1\n    forward example.net 10.0.0.2\n}\n"
    assert not diagnostics(disjoint, "shadowed-plugin")


def test_shadowed_by_an_earlier_plugin_in_plugin_cfg_order_not_corefile_order():
    # kubernetes runs before forward whatever the Corefile's order; without fallthrough it answers every name
    # of its zones (plugin/kubernetes/handler.go), so `forward .` after a `kubernetes .` never runs.
    text = ". {{\n    forward . 10.0.0.1\n    kubernetes .{props}\n}}\n"
    [d] = diagnostics(text.format(props=""), "shadowed-plugin")
    assert d.line == 2 and "kubernetes (line 3, zone '.')" in d.message and "'fallthrough'" in d.message
    assert not diagnostics(text.format(props=" {\n        fallthrough\n    }"), "shadowed-plugin")
    # a fallthrough limited to zones the forward covers still lets those names through
    assert not diagnostics(text.format(props=" {\n        fallthrough in-addr.arpa\n    }"), "shadowed-plugin")
    # kubernetes on its own zones leaves the rest of the names to forward: the everyday kubeadm Corefile
    assert not diagnostics(". {\n    kubernetes cluster.local\n    forward . 10.0.0.1\n}\n", "shadowed-plugin")


def test_a_block_receives_only_its_own_names():
    # `forward .` in an example.org block sees only example.org names, all of which file answers
    text = "example.org {{\n    file db.example.org{props}\n    forward . 10.0.0.1\n}}\n"
    [d] = diagnostics(text.format(props=""), "shadowed-plugin")
    assert d.line == 3 and "under 'example.org.'" in d.message
    assert not diagnostics(text.format(props=" {\n        fallthrough\n    }"), "shadowed-plugin")
    # file's fallthrough arrived in 1.12.2: before it the property is refused, and a refused Corefile has no
    # run-time verdict
    assert not diagnostics(text.format(props=" {\n        fallthrough\n    }"), "shadowed-plugin", version="1.12.1")
    # a rewrite can hand forward names outside the block's zones
    renamed = "example.org {\n    rewrite name a.example.org b.example.net\n    file db.example.org\n" \
              "    forward . 10.0.0.1\n}\n"
    assert not diagnostics(renamed, "shadowed-plugin")
    # file serves every key of its block unless given zones; a second key whose names it does not serve
    two_keys = text.format(props="").replace("example.org {", "example.org example.net {")
    assert diagnostics(two_keys, "shadowed-plugin")
    assert not diagnostics(two_keys.replace("file db.example.org", "file db.example.org example.org"),
                           "shadowed-plugin")


def test_hosts_never_hides_what_runs_after_it():
    # plugin/hosts/hosts.go: without fallthrough a name in its zones gets SERVFAIL, but a PTR query for an address
    # without an entry always goes on, so the forward after it still sees queries.
    text = ". {\n    hosts {\n        10.0.0.5 db.example.org\n    }\n    forward . 10.0.0.1\n}\n"
    assert not diagnostics(text, "shadowed-plugin")


def test_next_hands_queries_only_to_a_following_forward():
    # plugin/forward/forward.go: `next` goes on only when f.Next is a *Forward
    text = ". {\n    forward . 10.0.0.1 {\n        next NXDOMAIN\n    }\n    grpc . 10.0.0.2\n}\n"
    [d] = diagnostics(text, "shadowed-plugin")
    assert d.line == 5 and "forward (line 2" in d.message
    chain = text.replace("    grpc", "    forward . 10.0.0.3\n    grpc")
    assert [(d.line, "line 5" in d.message) for d in diagnostics(chain, "shadowed-plugin")] == [(6, True)]
    excepted = ". {\n    forward . 10.0.0.1 {\n        except internal.example\n    }\n" \
               "    grpc internal.example 10.0.0.2\n}\n"
    assert not diagnostics(excepted, "shadowed-plugin")


def test_k8s_external_answers_everything_only_from_1_11_0():
    # before 1.11.0 k8s_external handed every query on while no kubernetes plugin had registered
    text = "example.org {\n    k8s_external example.org\n    kubernetes example.org\n}\n"
    [d] = diagnostics(text, "shadowed-plugin")
    assert d.line == 3
    assert not diagnostics(text, "shadowed-plugin", version="1.10.1")


def test_fallthrough_outside_uses_the_block_keys_by_default():
    text = "example.org {\n    file db.example.org {\n        fallthrough example.net\n    }\n}\n"
    [d] = diagnostics(text, "fallthrough-outside")
    assert (d.line, d.column) == (3, 21) and "example.org." in d.message
    inside = "example.org {\n    file db.example.org {\n        fallthrough sub.example.org\n    }\n}\n"
    assert not diagnostics(inside, "fallthrough-outside")
    bare = ". {\n    kubernetes cluster.local {\n        fallthrough\n    }\n}\n"
    assert not diagnostics(bare, "fallthrough-outside")


def test_forward_loop_only_when_the_listener_routes_back_to_the_same_block():
    assert diagnostics(".:53 {\n    forward . 127.0.0.1\n}\n", "forward-loop")
    assert diagnostics(".:53 {\n    forward . [::1]:53\n}\n", "forward-loop")
    bound = ".:53 {\n    bind 10.1.2.3\n    forward . 10.1.2.3:53\n}\n"
    assert diagnostics(bound, "forward-loop")
    other_block = "example.org {\n    forward . 127.0.0.1\n}\n. {\n    forward . 9.9.9.9\n}\n"
    assert not diagnostics(other_block, "forward-loop")
    remote = ".:53 {\n    forward . 10.9.9.9:53\n}\n"     # may be this host, but nothing says so: no guess
    assert not diagnostics(remote, "forward-loop")


def test_loop_missing_is_info_and_silenced_by_loop():
    [d] = diagnostics(". {\n    forward . /etc/resolv.conf\n}\n", "loop-missing")
    assert d.severity == "info"
    assert diagnostics(".:1053 {\n    forward . 127.0.0.53\n}\n", "loop-missing")
    # on port 53 the same address is this server's own listener: that is forward-loop's business
    assert codes(".:53 {\n    forward . 127.0.0.53\n}\n").count("forward-loop") == 1
    assert not diagnostics(". {\n    forward . /etc/resolv.conf\n    loop\n}\n", "loop-missing")
    assert not diagnostics(". {\n    forward . 9.9.9.9\n}\n", "loop-missing")


def test_profile_rules_are_off_without_the_profile_and_one_block_is_enough():
    text = ".:53 {\n    whoami\n}\n"
    assert not {"reload-missing", "health-missing", "ready-missing"} & set(codes(text))
    assert {"reload-missing", "health-missing", "ready-missing"} <= set(codes(text, profile="kubernetes"))
    split = ".:53 {\n    health\n    ready\n    whoami\n}\n.:5353 {\n    reload\n    whoami\n}\n"
    assert not {"reload-missing", "health-missing", "ready-missing"} & set(codes(split, profile="kubernetes"))


def test_removed_later_names_the_release():
    text = ". {\n    federation cluster.local {\n        prod prod.example.org\n    }\n}\n"
    found = diagnostics(text, "removed-later", version="1.6.9")
    assert [d.message for d in found] == ["'federation' is removed in CoreDNS 1.7.0; use kubernetes multicluster or "
                                          "k8s_external"]


def test_port_conflict_between_transports():
    [d] = diagnostics(".:443 {\n    whoami\n}\ngrpc://.:443 {\n    tls c k\n    whoami\n}\n", "port-conflict")
    assert "TCP port 443" in d.message
    # quic (UDP) and tls (TCP) on 853 use different protocols
    assert not diagnostics("tls://. {\n    tls c k\n    whoami\n}\nquic://. {\n    tls c k\n    whoami\n}\n",
                           "port-conflict")


def test_rules_do_not_run_after_a_syntax_error():
    found = lint("example.org {\n    whoami\n}\nexample.org {\n    whoami }\n")
    assert [d.code for d in found] == ["syntax"]
