"""Gaps the simulate audits left: the class of lookups the server makes for itself, metadata labels a view or a
template cannot know offline, the reason of the innermost lookup through the server kept on the way back up, and
forward upstreams named on every such lookup path. Each test runs simulate on a Corefile of its own."""
from __future__ import annotations

import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator
from corefile_tool.simulator.cluster_state import cluster_state_from_data

UPSTREAM = "192.0.2.53:53"


def run(text, name, qtype="A", **kw):
    version = kw.pop("version", None)
    state = kw.pop("cluster_state", None)
    return Simulator(parse(text), version, cluster_state=state).simulate(name, qtype, **kw)


def rrs(records):
    return [(r.name, r.type, r.data) for r in records]


def own_steps(result, plugin):
    """The plugin's steps for the query itself, not those of lookups it made ([lookup ...] / [autopath ...])."""
    return [s for s in result.trace if s.plugin == plugin and not s.reason.startswith("[")]


# ------------------------------------------------------------------ 1. lookups through the server are class IN

CH_TEMPLATE = """
. {
    chaos
    template CH A alias.test {
        answer "alias.test. 60 CH CNAME target.test."
    }
    template CH A target.test {
        answer "target.test. 60 CH A 192.0.2.99"
    }
    template IN A target.test {
        answer "target.test. 60 IN A 192.0.2.1"
    }
}
"""


def test_template_cname_target_of_a_chaos_query_is_looked_up_in_class_in():
    # template.go upstream.Lookup -> request.NewWithQuestion, which sets Qclass dns.ClassINET: the CH template
    # for the target is not the one that answers the lookup.
    r = run(CH_TEMPLATE, "alias.test", qclass="CH")
    assert r.rcode == "NOERROR" and r.qclass == "CH"
    assert rrs(r.answers) == [("alias.test.", "CNAME", "target.test."), ("target.test.", "A", "192.0.2.1")]
    assert any(s.reason.startswith("[lookup target.test. A] ") and "template IN A (line 10) matches" in s.reason
               for s in r.trace)


FILE_ZONE = """$ORIGIN example.org.
@   3600 IN SOA ns1.example.org. admin.example.org. 1 7200 3600 1209600 3600
@   3600 IN NS  ns1.example.org.
ns1 3600 IN A   192.0.2.1
out 3600 IN CNAME www.elsewhere.test.
"""


@pytest.fixture
def zone_dir(tmp_path):
    (tmp_path / "db.example.org").write_text(FILE_ZONE)
    return tmp_path


def test_file_chases_a_cname_of_a_chaos_query_in_class_in(zone_dir):
    # plugin/file answers whatever the class; its externalLookup goes through upstream.Lookup (class IN). The
    # `forward` block makes the listener take non-IN classes at all (server.go classChaos).
    text = f"""
    example.org {{
        file {zone_dir / 'db.example.org'}
    }}
    elsewhere.test {{
        template CH A www.elsewhere.test {{
            answer "www.elsewhere.test. 60 CH A 192.0.2.99"
        }}
        template IN A www.elsewhere.test {{
            answer "www.elsewhere.test. 60 IN A 192.0.2.7"
        }}
    }}
    . {{
        forward . 192.0.2.53
    }}
    """
    r = run(text, "out.example.org", qclass="CH")
    assert r.rcode == "NOERROR" and r.answered_by["plugin"] == "file"
    assert rrs(r.answers)[-1] == ("www.elsewhere.test.", "A", "192.0.2.7")


def test_autopath_keeps_the_query_class(tmp_path):
    # autopath.go tries each element with r.Copy() and only the name changed: the class stays CH (it is no
    # lookup through the server, so NewWithQuestion plays no part).
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("search a.test b.test\n")
    text = f"""
    . {{
        chaos
        autopath {resolv}
        template CH A a.test {{
            rcode NXDOMAIN
        }}
        template CH A b.test {{
            answer "{{{{ .Name }}}} 60 CH A 192.0.2.2"
        }}
        template IN A b.test {{
            answer "{{{{ .Name }}}} 60 IN A 192.0.2.3"
        }}
    }}
    """
    r = run(text, "x.a.test", qclass="CH")
    assert r.rcode == "NOERROR" and r.answered_by["plugin"] == "autopath"
    assert rrs(r.answers) == [("x.a.test.", "CNAME", "x.b.test."), ("x.b.test.", "A", "192.0.2.2")]


# ------------------------------------------------------------------ 2. metadata labels views and templates read

TEAMS = """
cluster.local {
    metadata
    view teams {
        expr metadata('kubernetes/client-namespace') == 'team-a'
    }
    kubernetes cluster.local {
        pods PODS
    }
    template IN TXT cluster.local {
        answer "{{ .Name }} 5 IN TXT \\"{{ .Meta \\"kubernetes/namespace\\" }}/{{ .Meta \\"kubernetes/kind\\" }}/{{ .Meta \\"kubernetes/client-label/tier\\" }}/{{ .Meta \\"view/name\\" }}\\""
    }
}
cluster.local {
    whoami
}
"""
STATE = {"pods": [{"name": "web-0", "namespace": "team-a", "ip": "10.244.1.5", "labels": {"tier": "front"}}],
         "services": [{"name": "web", "namespace": "team-a", "clusterIP": "10.96.0.20"}]}
NAME = "web.team-a.svc.cluster.local"


def test_view_reading_the_clients_pod_without_a_cluster_state_is_unknown():
    # kubernetes/metadata.go: client-namespace comes from podWithIP, the pod cache (`pods verified`).
    r = run(TEAMS.replace("PODS", "verified"), NAME, "TXT", client_ip="10.244.1.5")
    assert r.rcode is None and r.server_block is None
    assert "kubernetes/client-namespace" in r.unknown and "--cluster-state" in r.unknown
    assert r.routing.candidates[0][4].startswith("unknown: view teams:")


def test_view_reading_the_clients_pod_from_the_cluster_state():
    state = cluster_state_from_data(STATE)
    r = run(TEAMS.replace("PODS", "verified"), NAME, "TXT", client_ip="10.244.1.5", cluster_state=state)
    assert r.server_block.index == 0
    # parse.go: kind is the name's own label ("svc"); client-label/ since 1.11.3; view/name from plugin/view.
    assert [a.data for a in r.answers] == ['"team-a/svc/front/teams"']
    other = run(TEAMS.replace("PODS", "verified"), NAME, "TXT", client_ip="10.244.9.9", cluster_state=state)
    assert other.server_block.index == 1 and other.answered_by["plugin"] == "whoami"


def test_client_labels_are_empty_without_pods_verified():
    # podWithIP returns nil unless podMode is verified: the label is "" (known), the view is false.
    r = run(TEAMS.replace("PODS", "disabled"), NAME, "TXT", client_ip="10.244.1.5")
    assert r.server_block.index == 1
    assert "is false" in r.routing.candidates[0][4]


def test_kubernetes_request_labels_are_known_from_the_name():
    # metadata.go parseRequest(state.Name(), zone, ...): no cluster state needed.
    text = """
    cluster.local {
        metadata
        view svc {
            expr metadata('kubernetes/service') == 'web' && metadata('kubernetes/kind') == 'svc'
        }
        kubernetes cluster.local
        template IN TXT cluster.local {
            answer "{{ .Name }} 5 IN TXT \\"{{ .Meta \\"kubernetes/port-name\\" }}.{{ .Meta \\"kubernetes/protocol\\" }}.{{ .Meta \\"kubernetes/parse-error\\" }}\\""
        }
    }
    cluster.local {
        whoami
    }
    """
    assert run(text, NAME, "TXT").server_block.index == 0
    srv = run(text, "_http._tcp.web.team-a.svc.cluster.local", "TXT")
    assert [a.data for a in srv.answers] == ['"http.tcp."']
    # A name that is neither svc nor pod: only kubernetes/parse-error (errInvalidRequest) is set.
    bad = run(text, "web.team-a.nope.cluster.local", "TXT")
    assert bad.server_block.index == 1


def test_geoip_labels_are_unknown_and_labels_of_absent_plugins_are_empty():
    text = """
    . {
        metadata
        geoip /etc/GeoLite2-City.mmdb
        view eu {
            expr metadata('geoip/continent/code') == 'EU'
        }
        whoami
    }
    . {
        erratic
    }
    """
    r = run(text, "x.test")
    assert r.rcode is None and "geoip/continent/code" in r.unknown and "MaxMind" in r.unknown
    # Without geoip in the block no plugin sets the label: "" (metadata.ValueFunc returns nil), the view is false.
    r = run(text.replace("        geoip /etc/GeoLite2-City.mmdb\n", ""), "x.test")
    assert r.answered_by["plugin"] == "erratic"


def test_trace_id_is_unknown_in_the_chain_but_not_set_when_views_run():
    # trace.go sets trace/traceid (a random span id) in ServeDNS, before rewrite and template run; the view
    # filters run before the chain, when no plugin has set it.
    text = """
    . {
        metadata
        trace
        view all {
            expr metadata('trace/traceid') == ''
        }
        template IN TXT id.test {
            answer "id.test. 5 IN TXT \\"{{ .Meta \\"trace/traceid\\" }}\\""
        }
    }
    """
    r = run(text, "id.test", "TXT")
    assert r.server_block.index == 0
    assert r.rcode is None and "trace/traceid" in r.unknown
    no_trace = run(text.replace("        trace\n", ""), "id.test", "TXT")
    assert no_trace.rcode == "NOERROR" and [a.data for a in no_trace.answers] == ['""']


def test_a_lookup_through_the_server_keeps_the_context_labels():
    # upstream.Lookup passes the query's ctx to ServeDNS: a block without a collector reads the labels the
    # first block's collector set (here view/name).
    text = """
    a.test {
        metadata
        view first {
            expr name() != ''
        }
        template IN A a.test {
            answer "a.test. 60 IN CNAME b.test."
        }
    }
    b.test {
        template IN A b.test {
            answer "b.test. 60 IN A 192.0.2.{{ if eq (.Meta \\"view/name\\") \\"first\\" }}1{{ else }}2{{ end }}"
        }
    }
    """
    r = run(text, "a.test")
    assert rrs(r.answers) == [("a.test.", "CNAME", "b.test."), ("b.test.", "A", "192.0.2.1")]
    assert rrs(run(text, "b.test").answers) == [("b.test.", "A", "192.0.2.2")]


def test_kubernetes_metadata_before_1_9_0_is_unknown():
    text = """
    cluster.local {
        metadata
        kubernetes cluster.local
        template IN TXT cluster.local {
            answer "{{ .Name }} 5 IN TXT \\"{{ .Meta \\"kubernetes/namespace\\" }}\\""
        }
    }
    """
    old = run(text, NAME, "TXT", version="1.8.0")
    assert old.rcode is None and "1.9.0" in old.unknown
    assert [a.data for a in run(text, NAME, "TXT", version="1.9.0").answers] == ['"team-a"']
    # Not a metadata provider before 1.5.1: nothing sets the label.
    assert [a.data for a in run(text, NAME, "TXT", version="1.5.0").answers] == ['""']


# ------------------------------------------------------------------ 3. the innermost reason is kept

LOOP = """
. {
    template IN A loop.test {
        answer "loop.test. 60 IN CNAME loop.test."
    }
}
"""


def test_template_cname_loop_is_unknown_with_the_innermost_reason():
    # template.go has no loop guard (only plugin/file counts nesting, dnsserver.LoopKey): the simulator stops at
    # 8 nested lookups and the whole outcome is unknown, saying so.
    r = run(LOOP, "loop.test")
    assert r.rcode is None and r.answers == [] and r.answered_by is None
    assert "nest deeper than 8" in r.unknown
    # Depths 1 to 8 each run the template once (their steps prefixed), plus the query's own step.
    assert sum(s.reason.startswith("[lookup loop.test. A] ") for s in r.trace) == 8
    assert any("nest deeper than 8" in n for n in r.notes)
    assert sum(1 for s in r.trace if s.plugin == "template") == 9


def test_the_innermost_reason_survives_two_levels_of_lookups():
    text = """
    . {
        template IN A one.test {
            answer "one.test. 60 IN CNAME two.test."
        }
        template IN A two.test {
            answer "two.test. 60 IN CNAME up.test."
        }
        forward up.test 192.0.2.53
    }
    """
    r = run(text, "one.test")
    # The template's own rcode is known; the record the upstream adds is not.
    assert r.rcode == "NOERROR"
    assert rrs(r.answers) == [("one.test.", "CNAME", "two.test."), ("two.test.", "CNAME", "up.test.")]
    assert any(UPSTREAM in n and "forward (line 9)" in n for n in r.notes)
    top = own_steps(r, "template")[-1]
    assert "two.test." in top.reason and UPSTREAM in top.reason


# ------------------------------------------------------------------ 4. forward upstreams on every lookup path

def _paths(zone_dir, resolv):
    state = cluster_state_from_data({"services": [
        {"name": "db", "namespace": "ns", "type": "ExternalName", "externalName": "db.up.test"},
        {"name": "lb", "namespace": "ns", "clusterIP": "10.96.0.9",
         "loadBalancerIngress": [{"hostname": "lb.up.test"}]}]})
    k8s = ". {\n kubernetes cluster.local\n k8s_external ext.test\n forward . 192.0.2.53\n}\n"
    return {
        "template": (". {\n template IN A a.test {\n  answer \"a.test. 60 IN CNAME x.up.test.\"\n }\n"
                     " forward . 192.0.2.53\n}\n", "a.test", "A", {}),
        "rewrite": (". {\n rewrite cname exact old.test. x.up.test.\n template IN A a.test {\n"
                    "  answer \"a.test. 60 IN CNAME old.test.\"\n }\n forward x.up.test 192.0.2.53\n}\n",
                    "a.test", "A", {}),
        "dns64": (". {\n dns64\n template IN AAAA v4.test {\n  rcode NOERROR\n }\n forward . 192.0.2.53\n}\n",
                  "v4.test", "AAAA", {"client_ip": "2001:db8::1"}),
        "file": (f"example.org {{\n file {zone_dir / 'db.example.org'}\n}}\n"
                 f"elsewhere.test {{\n forward . 192.0.2.53\n}}\n", "out.example.org", "A", {}),
        "kubernetes": (k8s, "db.ns.svc.cluster.local", "A", {"cluster_state": state}),
        "k8s_external": (k8s, "lb.ns.ext.test", "A", {"cluster_state": state}),
        "autopath": (f". {{\n autopath {resolv}\n forward . 192.0.2.53\n}}\n", "x.a.test", "A", {}),
    }


@pytest.mark.parametrize("plugin", ["template", "rewrite", "dns64", "file", "kubernetes", "k8s_external",
                                    "autopath"])
def test_every_lookup_path_names_the_upstream_and_why(plugin, zone_dir, tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("search a.test b.test\n")
    text, name, qtype, kw = _paths(zone_dir, resolv)[plugin]
    r = run(text, name, qtype, **kw)
    # The forward step of the lookup says where it goes ...
    assert any(s.plugin == "forward" and s.reason.startswith("[") and UPSTREAM in s.reason for s in r.trace)
    # ... and the plugin's own step says which upstream answers and that this cannot be known offline.
    steps = own_steps(r, plugin)
    assert steps and UPSTREAM in steps[-1].reason and "cannot be known offline" in steps[-1].reason, steps
    assert r.rcode is None or r.cause or any(UPSTREAM in n for n in r.notes)


def test_file_cname_target_that_gets_no_reply_is_the_cname_alone(zone_dir):
    # lookup.go doLookup: upstream.Lookup gives no message (nothing written) -> Success with what it has.
    text = f"""
    example.org {{
        file {zone_dir / 'db.example.org'}
    }}
    elsewhere.test {{
        erratic {{
            drop 1
        }}
    }}
    """
    r = run(text, "out.example.org")
    assert r.rcode == "NOERROR" and rrs(r.answers) == [("out.example.org.", "CNAME", "www.elsewhere.test.")]
    assert rrs(r.authority) == [("example.org.", "NS", "ns1.example.org.")]
