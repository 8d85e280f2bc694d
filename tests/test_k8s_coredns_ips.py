"""`--cluster-state-from-k8s` knows CoreDNS's own addresses (`corednsIPs`), so the apex NS and `ns.dns.ZONE`
answer as in the cluster: the services whose endpoints hold the CoreDNS pod's IPs (plugin/kubernetes/ns.go)."""
import json

from k8s_fake_api import add_coredns_pods, add_service

from corefile_tool.k8s.cluster_state import read_cluster_state
from corefile_tool.k8s.client import Kubeconfig


def state_of(fleet, context="a", **kwargs):
    return read_cluster_state(Kubeconfig(fleet.kubeconfig).connect(context), **kwargs)


def simulate(fleet, *args):
    r = fleet.run("simulate", "--kubeconfig", fleet.kubeconfig, "--format", "json", "--k8s",
                  "--cluster-state-from-k8s", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["results"]


def rrs(section):
    return [(a["name"], a["type"], a["data"]) for a in section]


def test_state_has_the_coredns_pod_ips_and_ns_dns_answers_with_the_kube_dns_service(fleet):
    cluster = fleet.add("a")
    add_coredns_pods(cluster)
    add_service(cluster, "default", "web", "10.96.5.5", endpoints=[("10.244.1.5", None, True)])
    # One replica's addresses: each CoreDNS knows only its own, and every replica behind kube-dns answers alike.
    assert state_of(fleet).coredns_ips == ["10.244.0.2"]
    # Found among the four lists the state reads anyway: no other request, so no other permission.
    assert {p for _, p, _, _ in cluster.requests} == {
        "/api/v1/namespaces", "/api/v1/services", "/apis/discovery.k8s.io/v1/endpointslices", "/api/v1/pods"}

    a = simulate(fleet, "ns.dns.cluster.local")[0]
    assert (a["rcode"], a["unknown"]) == ("NOERROR", None)
    assert rrs(a["answers"]) == [("ns.dns.cluster.local.", "A", "10.96.0.10")]
    apex = simulate(fleet, "cluster.local", "--type", "NS")[0]
    assert rrs(apex["answers"]) == [("cluster.local.", "NS", "kube-dns.kube-system.svc.cluster.local.")]
    # Once, not once per replica: the replicas' union would repeat the Service's address.
    assert rrs(apex["additional"]) == [("kube-dns.kube-system.svc.cluster.local.", "A", "10.96.0.10")]
    aaaa = simulate(fleet, "ns.dns.cluster.local", "--type", "AAAA")[0]
    assert (aaaa["rcode"], aaaa["answers"]) == ("NOERROR", [])   # a single-stack Service has no AAAA
    assert cluster.writes() == []


def test_without_coredns_pods_the_answers_stay_unknown(fleet):
    fleet.add("a")  # the Service and the Deployment, but no pod: CoreDNS's addresses are not known
    assert state_of(fleet).coredns_ips is None
    result = simulate(fleet, "ns.dns.cluster.local")[0]
    assert result["rcode"] is None and "corednsIPs" in result["unknown"]


def test_a_ready_endpoint_of_the_service_is_preferred(fleet):
    cluster = fleet.add("a")
    # The first by name is not ready, so kube-dns does not send it queries; the one it does is what clients see.
    add_coredns_pods(cluster, pods=[("coredns-a", ("10.244.0.2",), False), ("coredns-b", ("10.244.1.3",), True),
                                    ("coredns-0", ("10.244.2.4",), True)], terminating=("coredns-0",))
    assert state_of(fleet).coredns_ips == ["10.244.1.3"]


def test_a_pod_outside_the_service_answers_with_its_own_address(fleet):
    cluster = fleet.add("a")
    add_coredns_pods(cluster, pods=[("coredns-a", ("10.244.0.2",), False)])
    assert state_of(fleet).coredns_ips == ["10.244.0.2"]
    # ns.go: no endpoint holds its address, so it names itself ns.dns.ZONE with that address.
    apex = simulate(fleet, "cluster.local", "--type", "NS")[0]
    assert rrs(apex["answers"]) == [("cluster.local.", "NS", "ns.dns.cluster.local.")]
    assert rrs(apex["additional"]) == [("ns.dns.cluster.local.", "A", "10.244.0.2")]


def test_dual_stack_pod_answers_both_families(fleet):
    cluster = fleet.add("a")
    svc = cluster.get("api/v1", "services", "kube-system", "kube-dns")
    svc["spec"]["clusterIPs"] = ["10.96.0.10", "fd00:10:96::a"]
    svc["spec"]["ipFamilies"] = ["IPv4", "IPv6"]
    cluster.put(svc)
    add_coredns_pods(cluster, pods=[("coredns-a", ("10.244.0.2", "fd00:10:244::2"), True)])
    assert state_of(fleet).coredns_ips == ["10.244.0.2", "fd00:10:244::2"]
    a = simulate(fleet, "ns.dns.cluster.local")[0]
    aaaa = simulate(fleet, "ns.dns.cluster.local", "--type", "AAAA")[0]
    assert rrs(a["answers"]) == [("ns.dns.cluster.local.", "A", "10.96.0.10")]
    assert rrs(aaaa["answers"]) == [("ns.dns.cluster.local.", "AAAA", "fd00:10:96::a")]


def test_pods_are_those_the_service_selects_in_its_namespace(fleet):
    cluster = fleet.add("a")
    add_coredns_pods(cluster, pods=[("coredns-a", ("10.244.0.2",), True)], labels={"app": "something-else"})
    assert state_of(fleet).coredns_ips is None
    svc = cluster.get("api/v1", "services", "kube-system", "kube-dns")
    svc["spec"]["selector"] = {"app": "something-else"}
    cluster.put(svc)
    assert state_of(fleet).coredns_ips == ["10.244.0.2"]
    assert state_of(fleet, namespace="dns").coredns_ips is None  # no kube-dns there
