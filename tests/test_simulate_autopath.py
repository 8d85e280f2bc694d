"""autopath: server-side search path completion (coredns plugin/autopath), from a resolv.conf file, from the
kubernetes plugin (the client's pod in a cluster state) and from erratic."""
from __future__ import annotations

import json

import dns.message
import dns.rrset
import pytest
from click.testing import CliRunner

from corefile_tool.cli import main
from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator
from corefile_tool.simulator.cluster_state import cluster_state_from_data

CORP_ZONE = """$ORIGIN corp.example.
@        300 IN SOA ns1.corp.example. admin.corp.example. 1 7200 1800 86400 120
@        300 IN NS  ns1.corp.example.
ns1      300 IN A   192.0.2.1
intranet 900 IN A   192.0.2.20
alias    900 IN CNAME intranet.corp.example.
"""
EXAMPLE_ZONE = """$ORIGIN example.
@    300 IN SOA ns1.example. admin.example. 1 7200 1800 86400 60
@    300 IN NS  ns1.example.
ns1  300 IN A   192.0.2.2
web  1200 IN A  192.0.2.30
"""


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "db.corp").write_text(CORP_ZONE)
    (tmp_path / "db.example").write_text(EXAMPLE_ZONE)
    (tmp_path / "resolv.conf").write_text("nameserver 192.0.2.53\nsearch Corp.Example example\n")

    def make(body: str, version=None, **kw):
        path = tmp_path / "Corefile"
        path.write_text(body)
        return Simulator(parse(path), version, **kw)
    make.dir = tmp_path
    return make


FILE_BLOCK = """.:53 {
    autopath %s
    file db.corp corp.example
    file db.example example
%s}
"""


def answers(r):
    return [(x.name, x.type, x.data) for x in r.answers]


def tries(r):
    return [s.reason.split(": ", 1)[1] for s in r.trace if s.plugin == "autopath" and s.reason.startswith("try ")]


def test_second_search_domain_answers_behind_a_cname(files):
    r = files(FILE_BLOCK % ("resolv.conf", "")).simulate("web.corp.example")
    assert tries(r) == ["web.corp.example.", "web.example."]
    assert answers(r) == [("web.corp.example.", "CNAME", "web.example."), ("web.example.", "A", "192.0.2.30")]
    assert r.answers[0].ttl == 1200                      # the CNAME takes the TTL of the record it points at
    assert r.rcode == "NOERROR" and r.answered_by == {"plugin": "autopath", "line": 2}
    # Each tried name's steps are in the trace, marked with the name.
    assert any(s.plugin == "file" and s.reason.startswith("[autopath web.corp.example.]") and "NXDOMAIN" in s.reason
               for s in r.trace)
    # The reply is a valid DNS message (dnspython builds and parses it back).
    msg = dns.message.make_response(dns.message.make_query(r.qname, "A"))
    for x in r.answers:
        msg.answer.append(dns.rrset.from_text(x.name, x.ttl, "IN", x.type, x.data))
    assert len(dns.message.from_wire(msg.to_wire()).answer) == 2


def test_first_search_domain_answers_without_cname(files):
    r = files(FILE_BLOCK % ("resolv.conf", "")).simulate("intranet.corp.example")
    assert tries(r) == ["intranet.corp.example."]
    assert answers(r) == [("intranet.corp.example.", "A", "192.0.2.20")]


def test_cnamer_points_at_the_first_other_owner(files):
    # cname.go cnamer skips answers owned by the name asked and puts a CNAME to the next owner in front, even
    # when the zone's own CNAME already says so.
    r = files(FILE_BLOCK % ("resolv.conf", "")).simulate("alias.corp.example")
    assert answers(r) == [("alias.corp.example.", "CNAME", "intranet.corp.example."),
                          ("alias.corp.example.", "CNAME", "intranet.corp.example."),
                          ("intranet.corp.example.", "A", "192.0.2.20")]


def test_every_element_failing_returns_the_first_reply(files):
    r = files(FILE_BLOCK % ("resolv.conf", "")).simulate("nothing.corp.example")
    # The last element "" gives the bare name, which file refuses as the last plugin (file.go): not written.
    assert tries(r) == ["nothing.corp.example.", "nothing.example.", "nothing."]
    assert r.rcode == "NXDOMAIN" and r.answered_by["plugin"] == "file"
    assert [x.name for x in r.authority] == ["corp.example."]


def test_a_forwarded_element_is_unknown(files):
    r = files(FILE_BLOCK % ("resolv.conf", "    forward . 192.0.2.53\n")).simulate("nothing.corp.example")
    assert tries(r) == ["nothing.corp.example.", "nothing.example.", "nothing."]
    assert r.rcode is None and r.forwarded_to == ["192.0.2.53:53"]
    assert "nothing. (autopath try 3)" in r.unknown


def test_names_outside_the_first_element_or_the_zones_pass(files):
    s = files(FILE_BLOCK % ("resolv.conf", ""))
    r = s.simulate("web.example")
    assert tries(r) == [] and r.answered_by["plugin"] == "file"
    assert "is not in its first element corp.example." in r.trace[0].reason
    zoned = files(FILE_BLOCK % ("other.test resolv.conf", "")).simulate("web.corp.example")
    assert zoned.rcode == "NXDOMAIN" and "outside its zones (other.test.)" in zoned.trace[0].reason


def test_the_first_element_itself_is_servfail(files):
    r = files(FILE_BLOCK % ("resolv.conf", "")).simulate("corp.example")
    assert r.rcode == "SERVFAIL" and "overshot" in r.trace[-1].reason


def test_last_domain_line_wins(files):
    (files.dir / "resolv.conf").write_text("search corp.example example\ndomain example\n")
    s = files(FILE_BLOCK % ("resolv.conf", ""))
    r = s.simulate("ns1.corp.example.example")
    assert 'search path example., ""' in r.trace[0].reason
    assert tries(r) == ["ns1.corp.example.example.", "ns1.corp.example."]
    assert answers(r) == [("ns1.corp.example.example.", "CNAME", "ns1.corp.example."),
                          ("ns1.corp.example.", "A", "192.0.2.1")]


def test_unreadable_resolv_conf_is_unknown(files):
    r = files(FILE_BLOCK % ("missing-resolv.conf", "")).simulate("web.corp.example")
    assert r.rcode is None and "missing-resolv.conf" in r.unknown and "not readable here" in r.unknown


STATE = {
    "services": [
        {"name": "api", "namespace": "shop", "clusterIP": "10.96.0.30", "ports": [{"name": "http", "port": 80}]},
        {"name": "db", "namespace": "data", "clusterIP": "10.96.0.40"},
    ],
    "pods": [
        {"name": "client-0", "namespace": "shop", "ip": "10.244.0.7"},
        {"name": "batch-0", "namespace": "data", "ips": ["10.244.0.8", "10.244.9.8"]},
    ],
}
K8S = """cluster.local:53 {
    autopath @kubernetes
    kubernetes cluster.local {
        pods %s
    }
}
"""


def k8s(pods="verified", state=STATE):
    return Simulator(parse(K8S % pods), cluster_state=cluster_state_from_data(state) if state else None)


def test_kubernetes_search_path_of_the_clients_namespace():
    s = k8s()
    r = s.simulate("db.data.shop.svc.cluster.local", client_ip="10.244.0.7")
    assert tries(r) == ["db.data.shop.svc.cluster.local.", "db.data.svc.cluster.local."]
    assert answers(r) == [("db.data.shop.svc.cluster.local.", "CNAME", "db.data.svc.cluster.local."),
                          ("db.data.svc.cluster.local.", "A", "10.96.0.40")]
    assert "pod shop/client-0" in r.trace[0].reason
    own = s.simulate("api.shop.svc.cluster.local", client_ip="10.244.0.7")
    assert tries(own) == ["api.shop.svc.cluster.local."] and answers(own)[0][2] == "10.96.0.30"


def test_kubernetes_misses_reach_the_unknown_host_search_domains():
    r = k8s().simulate("nope.shop.svc.cluster.local", client_ip="10.244.0.7")
    assert tries(r)[:3] == ["nope.shop.svc.cluster.local.", "nope.svc.cluster.local.", "nope.cluster.local."]
    assert r.rcode is None and "searchFromResolvConf" in r.unknown
    # With no search domains there, the bare name leaves the kubernetes zone and ends the chain: SERVFAIL.
    assert tries(r)[3] == "nope." and r.unknown.endswith("SERVFAIL, 0 answers (by autopath, line 2)")


def test_kubernetes_pod_index_uses_the_primary_ip():
    s = k8s()
    assert "pod data/batch-0" in s.simulate("api.data.svc.cluster.local", client_ip="10.244.0.8").trace[0].reason
    second = s.simulate("api.data.svc.cluster.local", client_ip="10.244.9.8")
    assert second.trace[0].decision == "pass" and "no pod" in second.trace[0].reason


@pytest.mark.parametrize("pods, state, client, expect", [
    ("insecure", STATE, "10.244.0.7", "pods verified"),
    ("verified", STATE, "192.0.2.99", "no pod in the cluster state has the address 192.0.2.99"),
])
def test_kubernetes_without_a_search_path_passes(pods, state, client, expect):
    r = k8s(pods, state).simulate("api.shop.svc.cluster.local", client_ip=client)
    assert r.trace[0].decision == "pass" and expect in r.trace[0].reason
    assert r.answered_by["plugin"] == "kubernetes" and tries(r) == []


def test_kubernetes_without_cluster_state_says_what_is_missing():
    r = k8s(state=None).simulate("api.shop.svc.cluster.local", client_ip="10.244.0.7")
    assert r.rcode is None and "--cluster-state" in r.unknown and "10.244.0.7" in r.unknown


def test_plugin_choices():
    erratic = Simulator(parse(".:53 {\n    autopath @erratic\n    erratic\n}\n")).simulate("x.a.example.org")
    assert tries(erratic) == ["x.a.example.org."] and erratic.answered_by["plugin"] == "autopath"
    absent = Simulator(parse(".:53 {\n    autopath @kubernetes\n    whoami\n}\n")).simulate("x.example.org")
    assert absent.answered_by["plugin"] == "whoami" and "Handler(kubernetes) is nil" in absent.trace[0].reason
    wrong = Simulator(parse(".:53 {\n    autopath @whoami\n    whoami\n}\n")).simulate("x.example.org")
    assert wrong.rcode is None and "does not implement the AutoPather interface" in wrong.unknown


def test_cli_json(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(STATE))
    corefile = tmp_path / "Corefile"
    corefile.write_text(K8S % "verified")
    out = CliRunner().invoke(main, ["simulate", str(corefile), "db.data.shop.svc.cluster.local", "--client-ip",
                                    "10.244.0.7", "--cluster-state", str(state), "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)["results"][0]
    assert result["answered_by"] == {"plugin": "autopath", "line": 2}
    assert result["answers"][0] == {"name": "db.data.shop.svc.cluster.local.", "type": "CNAME", "ttl": 5,
                                    "data": "db.data.svc.cluster.local."}
    tried = [s["reason"] for s in result["trace"] if s["plugin"] == "autopath" and s["decision"] == "change"]
    assert "try 2/5: db.data.svc.cluster.local." in tried
