"""kubernetes and k8s_external against a cluster state file (samples/simulate/cluster-state.yaml)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator
from corefile_tool.simulator.cluster_state import ClusterStateError, cluster_state_from_data, load_cluster_state

STATE = Path(__file__).resolve().parent.parent / "samples" / "simulate" / "cluster-state.yaml"

COREFILE = """
.:53 {
    kubernetes cluster.local in-addr.arpa {
        pods %s
        fallthrough in-addr.arpa
        ttl 30
    }
    k8s_external example.com
    forward . 192.0.2.53
}
"""


def sim_for(pods="insecure", state=STATE):
    return Simulator(parse(COREFILE % pods), cluster_state=load_cluster_state(str(state)) if state else None)


@pytest.fixture(scope="module")
def sim():
    return sim_for()


def answers(r):
    return [(x.name, x.type, x.data) for x in r.answers]


def test_cluster_ip_service(sim):
    r = sim.simulate("my-svc.my-ns.svc.cluster.local")
    assert answers(r) == [("my-svc.my-ns.svc.cluster.local.", "A", "10.96.0.20")]
    assert r.answers[0].ttl == 30 and r.answered_by["plugin"] == "kubernetes"


def test_headless_service_answers_its_endpoints(sim):
    r = sim.simulate("web.my-ns.svc.cluster.local")
    assert sorted(x.data for x in r.answers) == ["10.244.1.5", "10.244.2.7"]
    one = sim.simulate("web-0.web.my-ns.svc.cluster.local")
    assert [x.data for x in one.answers] == ["10.244.1.5"]
    dashed = sim.simulate("10-244-2-7.web.my-ns.svc.cluster.local")     # no hostname: the dashed IP
    assert [x.data for x in dashed.answers] == ["10.244.2.7"]


def test_srv_records(sim):
    r = sim.simulate("_http._tcp.my-svc.my-ns.svc.cluster.local", "SRV")
    assert answers(r) == [("_http._tcp.my-svc.my-ns.svc.cluster.local.", "SRV", "0 100 80 my-svc.my-ns.svc.cluster.local.")]
    assert [(x.name, x.data) for x in r.additional] == [("my-svc.my-ns.svc.cluster.local.", "10.96.0.20")]
    headless = sim.simulate("_http._tcp.web.my-ns.svc.cluster.local", "SRV")
    assert sorted(x.data for x in headless.answers) == ["0 50 8080 10-244-2-7.web.my-ns.svc.cluster.local.",
                                                        "0 50 8080 web-0.web.my-ns.svc.cluster.local."]
    assert sim.simulate("_dns._udp.my-svc.my-ns.svc.cluster.local", "SRV").rcode == "NXDOMAIN"


def test_external_name_is_a_cname_followed_through_the_server(sim):
    r = sim.simulate("db.my-ns.svc.cluster.local")
    assert answers(r)[0] == ("db.my-ns.svc.cluster.local.", "CNAME", "db.example.org.")
    assert any("[lookup db.example.org. A]" in s.reason for s in r.trace)


def test_unknown_names_are_nxdomain_and_structural_names_nodata(sim):
    assert sim.simulate("nope.my-ns.svc.cluster.local").rcode == "NXDOMAIN"
    assert sim.simulate("my-svc.nope.svc.cluster.local").rcode == "NXDOMAIN"      # namespace does not exist
    assert sim.simulate("a.b.c.d.my-svc.my-ns.svc.cluster.local").rcode == "NXDOMAIN"   # too long
    assert sim.simulate("www.cluster.local").rcode == "NXDOMAIN"                  # neither svc nor pod
    for name in ("cluster.local", "svc.cluster.local", "my-ns.svc.cluster.local"):
        r = sim.simulate(name)
        assert (r.rcode, r.answers) == ("NOERROR", []), name
    assert sim.simulate("my-svc.my-ns.svc.cluster.local", "MX").rcode == "NOERROR"
    assert sim.simulate("cluster.local", "AXFR").rcode == "REFUSED"


def test_dns_version_and_apex(sim):
    assert answers(sim.simulate("dns-version.cluster.local", "TXT")) == [
        ("dns-version.cluster.local.", "TXT", '"1.1.0"')]
    assert sim.simulate("cluster.local", "SOA").answers[0].type == "SOA"


@pytest.mark.parametrize("mode,name,rcode,data", [
    ("disabled", "10-244-1-5.my-ns.pod.cluster.local", "NXDOMAIN", []),
    ("insecure", "1-2-3-4.my-ns.pod.cluster.local", "NOERROR", ["1.2.3.4"]),     # trusted from the name
    ("verified", "10-244-1-5.my-ns.pod.cluster.local", "NOERROR", ["10.244.1.5"]),
    ("verified", "1-2-3-4.my-ns.pod.cluster.local", "NXDOMAIN", []),
])
def test_pods_modes(mode, name, rcode, data):
    r = sim_for(mode).simulate(name)
    assert (r.rcode, [x.data for x in r.answers]) == (rcode, data)


def test_ptr_for_service_and_endpoint_addresses_and_fallthrough(sim):
    svc = sim.simulate("20.0.96.10.in-addr.arpa", "PTR")
    assert answers(svc) == [("20.0.96.10.in-addr.arpa.", "PTR", "my-svc.my-ns.svc.cluster.local.")]
    ep = sim.simulate("5.1.244.10.in-addr.arpa", "PTR")
    assert [x.data for x in ep.answers] == ["web-0.web.my-ns.svc.cluster.local."]
    other = sim.simulate("1.2.0.192.in-addr.arpa", "PTR")
    assert other.forwarded_to == ["192.0.2.53:53"]                  # fallthrough in-addr.arpa
    assert "fallthrough for in-addr.arpa." in [s for s in other.trace if s.plugin == "kubernetes"][0].reason


def test_without_cluster_state_only_name_decided_outcomes_are_known():
    sim = sim_for(state=None)
    r = sim.simulate("my-svc.my-ns.svc.cluster.local")
    assert r.rcode is None and r.answered_by["plugin"] == "kubernetes"
    assert r.unknown == ("unknown: needs the cluster's services, endpoints and pods (pass --cluster-state FILE)")
    assert sim.simulate("www.cluster.local").rcode == "NXDOMAIN"                # neither svc nor pod
    assert sim.simulate("svc.cluster.local").rcode == "NOERROR"
    assert sim.simulate("20.0.96.10.in-addr.arpa", "PTR").rcode is None
    assert sim_for("disabled", state=None).simulate("1-2-3-4.ns.pod.cluster.local").rcode == "NXDOMAIN"
    assert sim.simulate("ns.dns.cluster.local").rcode is None     # CoreDNS's own address: never known here
    assert sim.simulate("kube-dns.kube-system.example.com").rcode is None     # k8s_external


def test_k8s_external(sim):
    r = sim.simulate("kube-dns.kube-system.example.com")
    assert answers(r) == [("kube-dns.kube-system.example.com.", "A", "203.0.113.10")]
    assert sim.simulate("my-svc.my-ns.example.com").rcode == "NXDOMAIN"        # no external IP
    assert sim.simulate("example.com", "SOA").answers[0].type == "SOA"
    assert sim.simulate("dns.example.com").rcode == "NOERROR"


def test_kubernetes_objects_shape_is_accepted(tmp_path):
    objects = {"apiVersion": "v1", "kind": "List", "items": [
        {"kind": "Namespace", "metadata": {"name": "shop"}},
        {"kind": "Service", "metadata": {"name": "cart", "namespace": "shop"},
         "spec": {"clusterIP": "10.96.5.5", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}},
        {"kind": "EndpointSlice", "metadata": {"name": "cart-abc", "namespace": "shop",
                                                "labels": {"kubernetes.io/service-name": "cart"}},
         "endpoints": [{"addresses": ["10.244.9.9"], "conditions": {"ready": True}}],
         "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
        {"kind": "Pod", "metadata": {"name": "cart-1", "namespace": "shop"}, "status": {"podIP": "10.244.9.9"}},
    ]}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(objects), encoding="utf-8")
    sim = Simulator(parse(COREFILE % "verified"), cluster_state=load_cluster_state(str(path)))
    assert [x.data for x in sim.simulate("cart.shop.svc.cluster.local").answers] == ["10.96.5.5"]
    assert [x.data for x in sim.simulate("10-244-9-9.shop.pod.cluster.local").answers] == ["10.244.9.9"]
    assert [x.data for x in sim.simulate("9.9.244.10.in-addr.arpa", "PTR").answers] == [
        "10-244-9-9.cart.shop.svc.cluster.local."]


@pytest.mark.parametrize("data,message", [
    ({"services": [{"name": "a", "namespace": "n", "clusterIP": "300.1.1.1"}]},
     "services[0].clusterIPs[0]: '300.1.1.1' is not an IP address"),
    ({"services": [{"namespace": "n", "clusterIP": "10.0.0.1"}]}, "services[0].name: missing"),
    ({"pods": "x"}, "pods: expected a list"),
    ({"service": []}, "unknown field 'service'"),
    ({"endpoints": [{"name": "a", "ports": [{"port": "http"}]}]}, "endpoints[0].ports[0].port: expected a port"),
])
def test_cluster_state_errors_name_the_field(data, message):
    with pytest.raises(ClusterStateError, match=message.replace("[", r"\[").replace("]", r"\]")):
        cluster_state_from_data(data)


def test_cluster_state_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("services: [\n", encoding="utf-8")
    with pytest.raises(ClusterStateError, match=r"bad.yaml:\d+:\d+: not valid JSON or YAML"):
        load_cluster_state(str(bad))
    with pytest.raises(ClusterStateError, match="no such file"):
        load_cluster_state(str(tmp_path / "missing.yaml"))
