"""kubernetes, k8s_external, cache, forward and log rules found by auditing `simulate` against CoreDNS's sources
(plugin/kubernetes, plugin/k8s_external, plugin/backend_lookup.go, plugin/cache, plugin/forward, plugin/log)."""
from __future__ import annotations

import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator
from corefile_tool.simulator.cluster_state import ClusterStateError, cluster_state_from_data

STATE = {
    "namespaces": [{"name": "shop", "labels": {"tier": "front"}}, {"name": "vault", "labels": {"tier": "back"}}],
    "services": [
        {"name": "cart", "namespace": "shop", "clusterIP": "10.96.7.7", "labels": {"app": "cart"},
         "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}]},
        {"name": "ledger", "namespace": "vault", "clusterIP": "None", "labels": {"app": "ledger"}},
        {"name": "alias", "namespace": "shop", "type": "ExternalName", "externalName": "gone.shop.svc.corp.test"},
        {"name": "resolver", "namespace": "infra", "clusterIP": "10.96.0.53",
         "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]},
        {"name": "resolver-direct", "namespace": "infra", "clusterIP": "None"},
    ],
    "endpoints": [
        {"name": "ledger", "namespace": "vault",
         "addresses": [{"ip": "10.244.3.3", "hostname": "ledger-0"}, {"ip": "10.244.3.4", "hostname": "ledger-1"}]},
        {"name": "cart", "namespace": "shop", "addresses": [{"ip": "10.244.5.5", "hostname": "cart-a"}],
         "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}]},
        {"name": "cart", "namespace": "shop", "addresses": [{"ip": "10.244.5.5", "hostname": "cart-a"}],
         "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}]},
        {"name": "resolver", "namespace": "infra", "addresses": [{"ip": "10.244.0.9"}]},
        {"name": "resolver-direct", "namespace": "infra", "addresses": [{"ip": "10.244.0.9"}]},
    ],
    "pods": [{"name": "twin", "namespace": "shop", "ips": ["10.244.9.1", "fd00::91"]}],
    "corednsIPs": ["10.244.0.9"],
}


def sim(text, state=STATE, version=None):
    return Simulator(parse(text), version, cluster_state=cluster_state_from_data(state) if state else None)


def rrs(section):
    return [(r.name, r.type, r.ttl, r.data) for r in section]


def k8s(options="", zone="corp.test", state=STATE, version=None):
    body = "{\n" + options + "\n    }" if options else ""
    return sim(f"{zone} {{\n    kubernetes {body}\n}}\n", state, version)


# ------------------------------------------------------------------------------------------------ kubernetes

def test_soa_keeps_the_zone_as_written_and_caps_its_ttl_at_300():
    r = k8s("ttl 1200").simulate("nothing.shop.svc.CoRp.TeSt")
    assert r.rcode == "NXDOMAIN"
    assert rrs(r.authority) == [
        ("CoRp.TeSt.", "SOA", 300, "ns.dns.CoRp.TeSt. hostmaster.CoRp.TeSt. 0 7200 1800 86400 1200")]
    srv = k8s().simulate("_web._tcp.CART.shop.svc.Corp.Test", "SRV")
    assert rrs(srv.answers) == [("_web._tcp.CART.shop.svc.Corp.Test.", "SRV", 5, "0 100 8080 cart.shop.svc.Corp.Test.")]
    assert rrs(srv.additional) == [("cart.shop.svc.Corp.Test.", "A", 5, "10.96.7.7")]


def test_version_dependent_rules_wildcards_and_soa_ttl():
    old = k8s(version="1.8.7").simulate("*.shop.svc.corp.test")
    assert old.rcode is None and "wildcards before CoreDNS 1.9.0" in old.unknown
    assert k8s().simulate("*.shop.svc.corp.test").rcode == "NXDOMAIN"       # a label like any other since 1.9.0
    assert [x.ttl for x in k8s(version="1.2.0").simulate("nothing.shop.svc.corp.test").authority] == [300]


def test_soa_below_the_apex_is_nodata_even_for_a_missing_name():
    r = k8s().simulate("nothing.shop.svc.corp.test", "SOA")
    assert (r.rcode, r.answers, [x.type for x in r.authority]) == ("NOERROR", [], ["SOA"])


def test_ptr_of_a_service_name_is_nodata_not_its_external_name():
    r = k8s().simulate("alias.shop.svc.corp.test", "PTR")
    assert (r.rcode, r.answers) == ("NOERROR", [])


def test_external_name_to_a_missing_service_in_the_zone_is_nodata():
    r = k8s().simulate("alias.shop.svc.corp.test")
    assert (r.rcode, r.answers) == ("NOERROR", [])


def test_endpoint_ptr_targets_are_not_repeated():
    r = sim("corp.test 244.10.in-addr.arpa {\n    kubernetes\n}\n").simulate("5.5.244.10.in-addr.arpa", "PTR")
    assert [x.data for x in r.answers] == ["cart-a.cart.shop.svc.corp.test."]


def test_apex_ns_names_the_services_coredns_is_an_endpoint_of():
    r = k8s().simulate("corp.test", "NS")
    assert sorted(x.data for x in r.answers) == ["10-244-0-9.resolver-direct.infra.svc.corp.test.",
                                                 "resolver.infra.svc.corp.test."]
    assert sorted((x.name, x.data) for x in r.additional) == [
        ("10-244-0-9.resolver-direct.infra.svc.corp.test.", "10.244.0.9"),
        ("resolver.infra.svc.corp.test.", "10.96.0.53")]
    a = k8s().simulate("ns.dns.corp.test")
    assert sorted(x.data for x in a.answers) == ["10.244.0.9", "10.96.0.53"]


def test_apex_ns_without_an_endpoint_is_ns_dns_and_without_addresses_unknown():
    alone = dict(STATE, corednsIPs=["10.250.0.1"])
    r = k8s(state=alone).simulate("corp.test", "NS")
    assert rrs(r.answers) == [("corp.test.", "NS", 5, "ns.dns.corp.test.")]
    assert rrs(r.additional) == [("ns.dns.corp.test.", "A", 5, "10.250.0.1")]
    unknown = k8s(state={k: v for k, v in STATE.items() if k != "corednsIPs"}).simulate("corp.test", "NS")
    assert unknown.rcode is None and "corednsIPs" in unknown.unknown


def test_with_bind_coredns_knows_no_address_of_its_own():
    s = sim("corp.test {\n    bind 192.0.2.44\n    kubernetes\n}\n")
    for name, qtype in (("corp.test", "NS"), ("ns.dns.corp.test", "A")):
        r = s.simulate(name, qtype)
        assert (r.rcode, r.answers) == ("NOERROR", []), name


def test_ns_dns_other_types_need_no_addresses():
    s = k8s(state={k: v for k, v in STATE.items() if k != "corednsIPs"})
    assert s.simulate("ns.dns.corp.test", "TXT").rcode == "NXDOMAIN"
    assert (s.simulate("ns.dns.corp.test", "SRV").rcode, s.simulate("ns.dns.corp.test", "MX").rcode) == (
        "NOERROR", "NOERROR")


def test_noendpoints_hides_every_endpoint():
    s = sim("corp.test 244.10.in-addr.arpa {\n    kubernetes {\n        noendpoints\n    }\n}\n")
    assert s.simulate("ledger.vault.svc.corp.test").rcode == "NXDOMAIN"
    assert s.simulate("3.3.244.10.in-addr.arpa", "PTR").rcode == "NXDOMAIN"
    assert [x.data for x in s.simulate("cart.shop.svc.corp.test").answers] == ["10.96.7.7"]


def test_label_selectors_filter_services_and_namespaces():
    by_label = k8s("labels app in (cart, basket)")
    assert by_label.simulate("cart.shop.svc.corp.test").rcode == "NOERROR"
    assert by_label.simulate("ledger.vault.svc.corp.test").rcode == "NXDOMAIN"
    by_ns = k8s("namespace_labels tier!=back")
    assert by_ns.simulate("cart.shop.svc.corp.test").rcode == "NOERROR"
    assert by_ns.simulate("ledger.vault.svc.corp.test").rcode == "NXDOMAIN"
    # infra is named only by its objects: its labels are not known
    assert by_ns.simulate("resolver.infra.svc.corp.test").rcode is None


def test_pods_verified_match_the_first_pod_ip_only():
    s = k8s("pods verified")
    assert [x.data for x in s.simulate("10-244-9-1.shop.pod.corp.test").answers] == ["10.244.9.1"]
    assert s.simulate("fd00--91.shop.pod.corp.test", "AAAA").rcode == "NXDOMAIN"


def test_multicluster_without_zones_changes_nothing():
    assert [x.data for x in k8s("multicluster").simulate("cart.shop.svc.corp.test").answers] == ["10.96.7.7"]
    assert k8s("multicluster corp.test").simulate("cart.shop.svc.corp.test").rcode is None


ZONAL = {
    "services": [{"name": "quorum", "namespace": "ops", "clusterIP": "None",
                  "ports": [{"name": "peer", "port": 2380, "protocol": "TCP"}]}],
    "endpoints": [{"name": "quorum", "namespace": "ops", "ports": [{"name": "peer", "port": 2380, "protocol": "TCP"}],
                   "addresses": [{"ip": "10.1.0.1", "zone": "north"}, {"ip": "10.1.0.2", "zone": "south"}]}],
}


def test_zonal_names_pin_and_prefer_a_topology_zone():
    s = k8s("zonal", state=ZONAL)
    assert [x.data for x in s.simulate("north.pin._zone.quorum.ops.svc.corp.test").answers] == ["10.1.0.1"]
    empty = s.simulate("east.pin._zone.quorum.ops.svc.corp.test")
    assert (empty.rcode, empty.answers) == ("NOERROR", [])
    assert s.simulate("east.pin._zone.quorum.ops.svc.corp.test", "TXT").rcode == "NOERROR"
    assert sorted(x.data for x in s.simulate("east.prefer._zone.quorum.ops.svc.corp.test").answers) == [
        "10.1.0.1", "10.1.0.2"]
    assert k8s("zonal", state=ZONAL, version="1.14.6").simulate(
        "north.pin._zone.quorum.ops.svc.corp.test").rcode == "NXDOMAIN"


def test_objects_shape_reads_labels_ingress_hosts_and_skips_terminating_pods():
    long_pod = "p" * 64
    objects = {"kind": "List", "items": [
        {"kind": "Namespace", "metadata": {"name": "web", "labels": {"env": "prod"}}},
        {"kind": "Service", "metadata": {"name": "front", "namespace": "web", "labels": {"app": "front"}},
         "spec": {"type": "LoadBalancer", "clusterIP": "10.96.1.1", "ports": [{"name": "h", "port": 80}]},
         "status": {"loadBalancer": {"ingress": [{"hostname": "front.lb.test"}]}}},
        {"kind": "Service", "metadata": {"name": "set", "namespace": "web"}, "spec": {"clusterIP": "None"}},
        {"kind": "EndpointSlice", "metadata": {"name": "set-x", "namespace": "web",
                                                "labels": {"kubernetes.io/service-name": "set"}},
         "endpoints": [{"addresses": ["10.2.0.1"], "targetRef": {"kind": "Pod", "name": long_pod}}]},
        {"kind": "Pod", "metadata": {"name": "old", "namespace": "web", "deletionTimestamp": "2026-01-01T00:00:00Z"},
         "status": {"podIP": "10.2.0.7"}},
    ]}
    state = cluster_state_from_data(objects)
    assert state.services[("web", "front")].labels == {"app": "front"}
    assert state.namespace_labels == {"web": {"env": "prod"}}
    assert state.pods == []
    s = Simulator(parse("corp.test ext.test {\n    kubernetes corp.test {\n        endpoint_pod_names\n    }\n"
                        "    k8s_external ext.test\n}\n"), cluster_state=state)
    cname = s.simulate("front.web.ext.test")
    assert rrs(cname.answers)[0] == ("front.web.ext.test.", "CNAME", 5, "front.lb.test.")
    # a pod name of 64 characters cannot be a label: the endpoint keeps its dashed address
    assert [x.data for x in s.simulate("10-2-0-1.set.web.svc.corp.test").answers] == ["10.2.0.1"]


def test_new_cluster_state_fields_are_checked():
    with pytest.raises(ClusterStateError, match=r"corednsIPs\[0\]: 'x' is not an IP address"):
        cluster_state_from_data({"corednsIPs": ["x"]})
    with pytest.raises(ClusterStateError, match=r"services\[0\]\.loadBalancerIngress\[0\]: expected a mapping"):
        cluster_state_from_data({"services": [{"name": "a", "namespace": "n", "clusterIP": "10.0.0.1",
                                               "loadBalancerIngress": ["lb"]}]})
    with pytest.raises(ClusterStateError, match=r"pods\[0\]\.labels: expected a mapping"):
        cluster_state_from_data({"pods": [{"name": "p", "ip": "10.0.0.2", "labels": ["a"]}]})


# ------------------------------------------------------------------------------------------------ k8s_external

EXT_STATE = {
    "namespaces": ["shop", "vault"],
    "services": [
        {"name": "gate", "namespace": "shop", "clusterIP": "10.96.8.8", "externalIPs": ["198.51.100.8"],
         "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]},
        {"name": "gate-v6", "namespace": "shop", "clusterIP": "10.96.8.9", "externalIPs": ["198.51.100.8"]},
        {"name": "lb", "namespace": "shop", "type": "LoadBalancer", "clusterIP": "10.96.8.10",
         "loadBalancerIngress": [{"hostname": "edge.cloud.test"}], "ports": [{"name": "https", "port": 443}]},
        {"name": "safe", "namespace": "vault", "clusterIP": "10.96.9.9", "externalIPs": ["198.51.100.9"]},
    ],
    "corednsIPs": ["10.244.0.10"],
    "endpoints": [{"name": "gate", "namespace": "shop", "addresses": [{"ip": "10.244.0.10"}]}],
}
EXT = """ext.test 100.51.198.in-addr.arpa {
    kubernetes corp.test {
        ttl 40
        namespaces shop
    }
    k8s_external ext.test 100.51.198.in-addr.arpa {
        ttl 9
    }
}
"""


def test_k8s_external_apex_soa_ns_and_sub_apex():
    s = sim(EXT, EXT_STATE)
    assert rrs(s.simulate("ext.test", "SOA").answers) == [
        ("ext.test.", "SOA", 9, "ns1.dns.ext.test. hostmaster.dns.ext.test. 0 7200 1800 86400 9")]
    ns = s.simulate("ext.test", "NS")
    assert rrs(ns.answers) == [("ext.test.", "NS", 9, "ns1.dns.ext.test.")]
    assert rrs(ns.additional) == [("ns1.dns.ext.test.", "A", 9, "198.51.100.8")]
    assert rrs(s.simulate("ns1.dns.ext.test").answers) == [("ns1.dns.ext.test.", "A", 9, "198.51.100.8")]
    dns = s.simulate("dns.ext.test")
    assert (dns.rcode, [x.type for x in dns.authority]) == ("NOERROR", ["SOA"])
    assert s.simulate("ns2.dns.ext.test").rcode == "NXDOMAIN"
    without = sim(EXT, {k: v for k, v in EXT_STATE.items() if k != "corednsIPs"}).simulate("ext.test", "NS")
    assert without.rcode == "NOERROR" and any("not known here" in n for n in without.notes)


def test_k8s_external_ptr_uses_the_first_zone_and_every_service():
    r = sim(EXT, EXT_STATE).simulate("8.100.51.198.in-addr.arpa", "PTR")
    assert sorted(x.data for x in r.answers) == ["gate-v6.shop.ext.test.", "gate.shop.ext.test."]


def test_k8s_external_follows_the_kubernetes_namespaces_and_ttl():
    s = sim(EXT, EXT_STATE)
    assert s.simulate("safe.vault.ext.test").rcode == "NXDOMAIN"       # vault is not in `namespaces`
    srv = s.simulate("_https._tcp.gate.shop.ext.test", "SRV")
    assert rrs(srv.answers) == [("_https._tcp.gate.shop.ext.test.", "SRV", 40, "0 100 443 gate.shop.ext.test.")]
    assert rrs(srv.additional) == [("gate.shop.ext.test.", "A", 9, "198.51.100.8")]
    lb = s.simulate("lb.shop.ext.test")
    assert rrs(lb.answers) == [("lb.shop.ext.test.", "CNAME", 40, "edge.cloud.test.")]
    # without `headless`, an endpoint label in front of a service is ignored
    assert [x.data for x in s.simulate("anything.gate.shop.ext.test").answers] == ["198.51.100.8"]


def test_k8s_external_needs_the_kubernetes_plugin():
    r = sim("ext.test {\n    k8s_external\n}\n", EXT_STATE).simulate("gate.shop.ext.test")
    assert r.rcode is None and "kubernetes plugin not loaded" in r.unknown


# ------------------------------------------------------------------------------------------------ cache

def cached(cache, answer, authority="", version=None, name="x.zone.test"):
    auth = f'\n        authority "{authority}"' if authority else ""
    text = (f"zone.test {{\n    cache {{\n        {cache}\n    }}\n    template IN A zone.test {{\n"
            f'        answer "{answer}"{auth}\n    }}\n}}\n')
    return sim(text, None, version).simulate(name)


def test_cache_disable_stops_storing_not_the_ttl_rewrite():
    r = cached("disable success", "{{ .Name }} 7200 IN A 192.0.2.7")
    assert [x.ttl for x in r.answers] == [3600]


def test_cache_cname_without_the_asked_type_and_an_soa_is_a_denial_from_1_14_7():
    soa = "zone.test. 300 IN SOA ns.zone.test. admin.zone.test. 1 7200 1800 86400 300"
    new = cached("denial 100 60", "{{ .Name }} 300 IN CNAME y.elsewhere.test.", soa)
    old = cached("denial 100 60", "{{ .Name }} 300 IN CNAME y.elsewhere.test.", soa, version="1.14.6")
    assert ([x.ttl for x in new.answers], [x.ttl for x in old.answers]) == ([60], [300])


def test_cache_nxdomain_with_answers_is_an_error_with_the_short_ttl():
    text = ("zone.test {\n    cache\n    template IN A zone.test {\n"
            '        rcode NXDOMAIN\n        answer "{{ .Name }} 900 IN A 192.0.2.9"\n    }\n}\n')
    assert [x.ttl for x in sim(text, None).simulate("x.zone.test").answers] == [5]


# ------------------------------------------------------------------------------------------------ forward, log

def test_forward_except_cidr_excludes_every_zone_it_spans():
    s = sim(".:53 {\n    forward . 192.0.2.53 {\n        except 10.4.0.0/15\n    }\n}\n", None)
    assert s.simulate("1.0.5.10.in-addr.arpa", "PTR").forwarded_to is None
    assert s.simulate("1.0.6.10.in-addr.arpa", "PTR").forwarded_to == ["192.0.2.53:53"]


def test_forward_next_hands_the_listed_rcodes_to_the_following_stanza():
    r = sim(".:53 {\n    forward . 192.0.2.1 {\n        next NXDOMAIN SERVFAIL\n    }\n"
            "    forward . 192.0.2.2\n}\n", None).simulate("a.example")
    reason = next(s.reason for s in r.trace if s.plugin == "forward")
    assert "never reached" not in reason
    assert "NXDOMAIN or SERVFAIL, the query goes on to forward . (line 5)" in reason
    assert r.forwarded_to == ["192.0.2.1:53"]


def test_log_class_decides_from_the_reply():
    text = ("zone.test {\n    log . {\n        class denial\n    }\n    hosts {\n        192.0.2.3 a.zone.test\n"
            "        fallthrough\n    }\n    template IN A zone.test {\n        match ^b[.]\n        rcode NXDOMAIN\n"
            '        authority "zone.test. 60 IN SOA ns.zone.test. admin.zone.test. 1 7200 1800 86400 60"\n    }\n}\n')
    s = sim(text, None)
    missing = next(x.reason for x in s.simulate("b.zone.test").trace if x.plugin == "log")
    found = next(x.reason for x in s.simulate("a.zone.test").trace if x.plugin == "log")
    assert "the reply is a denial, so it is logged" in missing
    assert "not denial: not logged" in found
