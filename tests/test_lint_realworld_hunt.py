"""Shapes met while linting a corpus of ~450 Corefiles people run (Docker Compose setups, Kubernetes ConfigMaps of
kubeadm, k3s, kubespray and Talos, NixOS modules, plugin READMEs). Every Corefile here is written for this test;
each reproduces one shape of that corpus and pins the verdict CoreDNS's own setup code gives it, so that a false
error (CoreDNS starts, lint says it would not) or a wrong warning cannot come back unnoticed."""
import pytest

from corefile_tool import lint


def found(text, version=None, **kw):
    return lint(text, version, env={}, **kw)


def only(text, code, version=None, **kw):
    return [d for d in found(text, version, **kw) if d.code == code]


def errors(text, version=None, **kw):
    return [d for d in found(text, version, **kw) if d.severity == "error"]


# ------------------------------------------------------------------ forward to Docker's embedded DNS

DOCKER_COMPOSE_DNS = """\
. {
    hosts {
        10.5.0.7 app.lab.internal
        fallthrough
    }
    forward . 127.0.0.11
    log
}
"""


def test_forward_to_docker_embedded_dns_is_info_not_a_loop_warning():
    # In a container on a user-defined network Docker's NAT rules send 127.0.0.11:53 to dockerd's resolver, so
    # the Compose setups that forward there do not loop; only outside Docker would it reach CoreDNS itself.
    [d] = only(DOCKER_COMPOSE_DNS, "forward-loop")
    assert d.severity == "info" and (d.line, d.column) == (6, 15)
    assert "Docker's embedded DNS" in d.message and "dns://:53" in d.message
    assert not [x for x in found(DOCKER_COMPOSE_DNS) if x.severity in ("error", "warning")]


def test_forward_to_other_loopback_addresses_still_warns():
    for upstream in ("127.0.0.1", "127.0.0.12", "127.0.0.11:53"):
        [d] = only(DOCKER_COMPOSE_DNS.replace("127.0.0.11", upstream), "forward-loop")
        assert d.severity == ("info" if upstream == "127.0.0.11:53" else "warning"), upstream
        assert "queries loop" in d.message


def test_docker_embedded_dns_on_a_port_nothing_listens_on_says_nothing():
    assert not only(DOCKER_COMPOSE_DNS.replace("127.0.0.11", "127.0.0.11:5353"), "forward-loop")
    # the server itself on another port: 127.0.0.11:53 is not one of its listeners
    assert not only(DOCKER_COMPOSE_DNS.replace(". {", ".:1053 {"), "forward-loop")


# ------------------------------------------------------------------ platform defaults lint clean at their release

K3S_STYLE = """\
.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    hosts /etc/coredns/NodeHosts {
      ttl 60
      reload 15s
      fallthrough
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
"""

NODELOCAL_STYLE = """\
cluster.local:53 {
    errors
    cache {
        success 9984 30
        denial 9984 5
    }
    reload
    loop
    bind 169.254.25.10
    forward . 10.233.0.3 {
        force_tcp
    }
    prometheus :9253
    health 169.254.25.10:9254
}
in-addr.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.25.10
    forward . 10.233.0.3 {
        force_tcp
    }
    prometheus :9253
}
.:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.25.10
    forward . /etc/resolv.conf
    prometheus :9253
}
"""


@pytest.mark.parametrize("version", ["1.8.3", "1.11.3", None])
def test_k3s_style_configmap_has_no_error(version):
    assert errors(K3S_STYLE, version) == []


def test_before_1_5_0_only_ready_is_refused():
    # `ready` came with 1.5.0. hosts' `ttl 60` and `reload 15s` are no properties before 1.4.0, yet not refused:
    # hosts/setup.go of v1.3.1 takes a line ahead of `fallthrough` as an inline hosts entry
    for version in ("1.3.1", "1.4.0"):
        [d] = errors(K3S_STYLE, version)
        assert d.code == "unknown-directive" and "'ready'" in d.message and d.line == 4, version
    assert errors(K3S_STYLE.replace("    ready\n", ""), "1.3.1") == []


@pytest.mark.parametrize("version", ["1.8.6", "1.11.1", None])
def test_node_local_dns_style_blocks_share_metrics_and_bind_a_link_local_address(version):
    # one prometheus address in every block is one shared listener; binding an address this machine lacks is
    # CoreDNS's business at listen time, not a setup error
    assert [d for d in found(NODELOCAL_STYLE, version) if d.severity in ("error", "warning")] == []


def test_cache_disable_of_newer_kubeadm_configmaps_needs_1_9_4():
    text = K3S_STYLE.replace("    cache 30\n", "    cache 30 {\n       disable success cluster.local\n"
                                                 "       disable denial cluster.local\n    }\n")
    assert errors(text, "1.9.4") == []
    [d] = errors(text, "1.9.3")
    assert d.code == "unknown-property" and "1.9.4" in d.message


# ------------------------------------------------------------------ shapes that look wrong but CoreDNS takes

def test_rewrite_rule_written_as_a_block_is_one_rule():
    # rewrite/setup.go: with fewer than two words on the line, every token of the block joins the rule
    text = """\
cluster.local {
    rewrite stop {
        name regex (.*)\\.legacy\\.cluster\\.local {1}.current.cluster.local
        answer name (.*)\\.current\\.cluster\\.local {1}.legacy.cluster.local
    }
    kubernetes cluster.local
}
"""
    assert [d for d in found(text) if d.severity in ("error", "warning")] == []


def test_template_answers_with_go_template_and_quoted_regex():
    text = """\
lab.example {
    template IN A lab.example {
        match "^(.*\\.)?lab\\.example\\.$"
        answer "{{ .Name }} 60 IN A 198.51.100.20"
        fallthrough
    }
    template IN AAAA {
        rcode NOERROR
    }
}
"""
    assert [d for d in found(text) if d.severity in ("error", "warning")] == []


# ------------------------------------------------------------------ right verdicts that surprise

def test_rewrite_name_with_stop_after_the_field_is_refused():
    # newRule takes `stop`/`continue` only before the field; after `name` it is read as the match type
    [d] = errors("example.com {\n    rewrite name stop www.example.com web.default.svc.cluster.local\n"
                 "    forward . 192.0.2.53\n}\n")
    assert d.code == "invalid-value" and d.message.endswith("received: stop")
    assert errors("example.com {\n    rewrite stop name www.example.com web.default.svc.cluster.local\n"
                  "    forward . 192.0.2.53\n}\n") == []


def test_cache_of_zero_seconds_is_refused():
    # cache/setup.go reserves 0: "cache TTL can not be zero or negative"
    [d] = errors("internal.example {\n    forward . 192.0.2.53\n    cache 0\n}\n")
    assert "can not be zero or negative: 0" in d.message and (d.line, d.column) == (3, 11)


def test_sign_key_directory_is_not_implemented():
    text = ("example.net {\n    file /var/lib/coredns/db.example.net.signed\n"
            "    sign /var/lib/coredns/db.example.net {\n        key directory /etc/coredns/keys\n    }\n}\n")
    [d] = errors(text)
    assert d.message == "plugin/sign: directory: not implemented" and d.line == 4


def test_grpc_fallthrough_to_forward_is_shadowed_by_plugin_order():
    # forward comes before grpc in plugin.cfg: forward . answers every name before grpc is asked
    text = "example.net {\n    grpc . 192.0.2.9:9005 {\n        fallthrough\n    }\n    forward . 192.0.2.53\n}\n"
    [d] = only(text, "shadowed-plugin")
    assert d.severity == "warning" and d.line == 2 and "forward (line 5" in d.message


def test_second_forward_is_no_fallback_for_the_first():
    # the first `forward .` answers (SERVFAIL when its upstreams fail) and passes nothing on without `next`
    text = ". {\n    forward . 10.20.20.1\n    forward . 192.0.2.53 {\n        policy sequential\n    }\n}\n"
    [d] = only(text, "shadowed-plugin")
    assert d.line == 3 and "forward at line 2" in d.message
    with_next = ". {\n    forward . 10.20.20.1 {\n        next SERVFAIL\n    }\n    forward . 192.0.2.53\n}\n"
    assert not only(with_next, "shadowed-plugin")
    # before 1.9.4 a second forward in a block is refused outright
    assert [d.code for d in errors(text, "1.9.3")] == ["plugin-once"]


def test_kubernetes_with_only_reverse_zones_is_refused():
    # an empty cluster domain leaves `kubernetes in-addr.arpa ip6.arpa`: setup needs one forward zone
    [d] = errors(K3S_STYLE.replace("cluster.local in-addr.arpa", "in-addr.arpa"))
    assert d.message == "plugin/kubernetes: non-reverse zone name must be used" and d.line == 5


def test_a_port_written_apart_from_the_zone_is_a_key_of_its_own():
    # `. :1053` is two keys; `:1053` has an empty zone, which plugin.SplitHostPort refuses
    [d] = errors(". :1053 {\n    forward . 192.0.2.53\n}\n")
    assert d.code == "invalid-key" and d.message.endswith("zone is not a valid domain name: ")
    assert errors(".:1053 {\n    forward . 192.0.2.53\n}\n") == []
