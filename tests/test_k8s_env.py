"""`lint --k8s` and `simulate --k8s` expand `{$VAR}` from the environment CoreDNS's container gets from its
Deployment: literal `env` values are checked; values the spec only points at (Secrets, ConfigMaps, pod fields,
envFrom) are not read, and the "cannot check" info says where they come from. Values are never printed."""
import json

from k8s_fake_api import kubeadm_corefile

from corefile_tool.k8s.live import _container_env

UPSTREAM = "10.77.0.53"      # a literal env value: used for checking, never printed
WITH_VAR = kubeadm_corefile().replace("forward . /etc/resolv.conf", "forward . {$UPSTREAM}")


def lint(fleet, *args):
    r = fleet.run("lint", "--k8s", "--kubeconfig", fleet.kubeconfig, "--format", "json", *args)
    return r, json.loads(r.stdout)["diagnostics"]


def test_literal_env_value_is_checked_and_needs_no_info(fleet):
    fleet.add("a", corefile=WITH_VAR, env=[{"name": "UPSTREAM", "value": UPSTREAM}])
    r, diagnostics = lint(fleet)
    assert r.exit_code == 0 and diagnostics == []


def test_without_the_env_entry_the_variable_cannot_be_checked(fleet):
    # The same Corefile against a Deployment that does not set it: the info names the container that lacks it.
    fleet.add("a", corefile=WITH_VAR)
    r, diagnostics = lint(fleet)
    assert [(d["severity"], d["code"]) for d in diagnostics] == [("info", "invalid-value")]
    assert diagnostics[0]["message"].startswith(
        "cannot check: {$UPSTREAM} is not set here (container coredns of deployment kube-system/coredns does not "
        "set it): plugin/forward: ")


def test_literal_value_that_coredns_refuses_is_an_error_named_by_reference(fleet):
    bad = "upstream-nowhere"
    fleet.add("a", corefile=WITH_VAR, env=[{"name": "UPSTREAM", "value": bad}])
    r = fleet.run("lint", "--k8s", "--kubeconfig", fleet.kubeconfig)
    assert r.exit_code == 1
    assert 'invalid-value error plugin/forward: not an IP address or file: "{$UPSTREAM}"' in r.stdout
    assert bad not in r.stdout + r.stderr


def test_value_from_a_secret_is_not_read_and_the_info_names_it(fleet):
    cluster = fleet.add("a", corefile=WITH_VAR, env=[
        {"name": "UPSTREAM", "valueFrom": {"secretKeyRef": {"name": "dns-creds", "key": "upstream"}}}])
    r, diagnostics = lint(fleet)
    assert r.exit_code == 0
    assert [(d["severity"], d["line"]) for d in diagnostics] == [("info", 13)]
    assert diagnostics[0]["message"].startswith(
        "cannot check: {$UPSTREAM} is not set here (container coredns of deployment kube-system/coredns sets it "
        "from key upstream of Secret dns-creds, which is not read): plugin/forward: ")
    assert not any("secrets" in path for _, path, _, _ in cluster.requests)


def test_an_unreadable_deployment_leaves_the_environment_unknown_with_the_reason(fleet):
    cluster = fleet.add("a", corefile=WITH_VAR, env=[{"name": "UPSTREAM", "value": UPSTREAM}])
    cluster.forbidden.add(("list", "deployments"))
    r, diagnostics = lint(fleet)
    assert r.exit_code == 0
    assert [d["message"].split("): ")[0] for d in diagnostics] == [
        "cannot check: {$UPSTREAM} is not set here (the CoreDNS Deployment's environment is not known: "
        "deployments in kube-system are not readable (403 Forbidden)"]


def test_the_environment_is_that_of_the_container_mounting_the_configmap(fleet):
    # With --configmap, the CoreDNS that reads that ConfigMap is the one whose environment counts, not the
    # kube-system `coredns` Deployment (whose env here would make the Corefile an error).
    cluster = fleet.add("a", env=[{"name": "UPSTREAM", "value": "upstream-nowhere"}])
    cluster.put({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dns-b", "namespace": "kube-system"},
                 "data": {"Corefile": WITH_VAR}})
    cluster.put({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "dns-b", "namespace": "kube-system"},
                 "spec": {"template": {"spec": {
                     "containers": [
                         {"name": "metrics-proxy", "image": "example/proxy:1",
                          "env": [{"name": "UPSTREAM", "value": "proxy-only"}]},
                         {"name": "dns", "image": "example/dns:2", "env": [{"name": "UPSTREAM", "value": UPSTREAM}],
                          "volumeMounts": [{"name": "config", "mountPath": "/etc/coredns"}]}],
                     "volumes": [{"name": "config", "configMap": {"name": "dns-b"}}]}}}})
    r, diagnostics = lint(fleet, "--configmap", "dns-b")
    assert r.exit_code == 0 and diagnostics == []
    cluster.put({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "dns-b", "namespace": "kube-system"},
                 "spec": {"template": {"spec": {"containers": [
                     {"name": "dns", "image": "example/dns:2",
                      "env": [{"name": "UPSTREAM", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}}],
                      "volumeMounts": [{"name": "config", "mountPath": "/etc/coredns"}]}],
                     "volumes": [{"name": "config", "projected": {"sources": [{"configMap": {"name": "dns-b"}}]}}]}}}})
    r, diagnostics = lint(fleet, "--configmap", "dns-b")
    assert "(container dns of deployment kube-system/dns-b sets it from the pod's field status.hostIP, which is " \
           "not read)" in diagnostics[0]["message"]


def test_simulate_forwards_to_the_deployment_value(fleet):
    fleet.add("a", corefile=WITH_VAR, env=[{"name": "UPSTREAM", "value": UPSTREAM}])
    r = fleet.run("simulate", "--k8s", "--kubeconfig", fleet.kubeconfig, "--format", "json", "example.com")
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["corefile"]["starts"]
    # the Deployment's value is what forward uses (unset, forward would refuse the empty address); like every
    # output, simulate shows the reference, never the value
    assert out["results"][0]["forwarded_to"] == ["{$UPSTREAM}:53"]
    assert UPSTREAM not in r.stdout


def test_kubelet_order_overrides_and_references():
    env = _container_env({
        "envFrom": [{"configMapRef": {"name": "dns-settings"}}, {"secretRef": {"name": "dns-keys"}, "prefix": "K_"}],
        "env": [
            {"name": "HOST", "value": "10.0.0.1"},
            {"name": "ADDR", "value": "$(HOST):53"},            # an entry before it: expanded
            {"name": "ESCAPED", "value": "$$(HOST)"},           # `$$` is a literal `$`
            {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "BIND", "value": "$(POD)"},                # refers to a value not known here
            {"name": "LATER", "value": "$(ZONE)"},              # not defined before it (may be envFrom's)
            {"name": "ZONE", "value": "example.org"},
            {"name": "HOST", "valueFrom": {"configMapKeyRef": {"name": "dns", "key": "host"}}},  # replaces
            {"name": "EMPTY"},
        ]}, "container c of deployment ns/d")
    assert env.values == {"ADDR": "10.0.0.1:53", "ESCAPED": "$(HOST)", "ZONE": "example.org", "EMPTY": ""}
    assert env.unread == {"POD": "the pod's field status.podIP", "BIND": "a value that refers to $(POD)",
                          "LATER": "a value that refers to $(ZONE)", "HOST": "key host of ConfigMap dns"}
    assert env.note("HOST") == "container c of deployment ns/d sets it from key host of ConfigMap dns, which is " \
                               "not read"
    assert env.note("OTHER") == ("container c of deployment ns/d has no env entry for it; its envFrom (ConfigMap "
                                 "dns-settings, Secret dns-keys with prefix K_) may set it and is not read")
