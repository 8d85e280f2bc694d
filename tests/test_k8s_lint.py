"""`corefile lint --k8s`: the live ConfigMaps linted, every diagnostic at its ConfigMap key and line."""
import json

import pytest

from k8s_fake_api import custom_configmap, kubeadm_corefile

from corefile_tool.knowledge.versions import first_version_with


def lint(fleet, *args):
    return fleet.run("lint", "--k8s", "--kubeconfig", fleet.kubeconfig, *args)


def test_clean_live_corefile(fleet):
    fleet.add("a")
    r = lint(fleet)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.stdout == "" and "1 file(s): 0 error(s), 0 warning(s)" in r.stderr


def test_diagnostic_points_at_the_configmap_key_and_line(fleet):
    fleet.add("a", corefile=kubeadm_corefile().replace("ttl 30", "ttl 9000"))
    r = lint(fleet)
    assert r.exit_code == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith("configmap/kube-system/coredns:Corefile:10:")
    assert "9000" in first and r.stdout.splitlines()[1].strip() == "ttl 9000"


def test_json_output_names_the_configmap_key(fleet):
    fleet.add("a", corefile=kubeadm_corefile().replace("    loop\n", "    loop\n    loop\n"))
    r = lint(fleet, "--format", "json")
    report = json.loads(r.stdout)
    paths = {(d["path"], d["line"]) for d in report["diagnostics"]}
    assert ("configmap/kube-system/coredns:Corefile", 18) in paths
    assert report["summary"]["files"] == 1


def test_coredns_custom_server_keys_are_imported_from_the_configmap(fleet, tmp_path, monkeypatch):
    corefile = kubeadm_corefile() + "import custom/*.server\n"
    cluster = fleet.add("a", corefile=corefile)
    cluster.put(custom_configmap({
        "mesh.server": "mesh.example.com:53 {\n    errors\n    forward . 10.2.0.10 {\n        bogus_option\n    }\n}\n",
        "zzz.override": "log\n",
    }))
    # A file of the same name on the local disk must not be read: imports resolve against the ConfigMap only.
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "local.server").write_text("local.example:53 {\n    nonsense_plugin\n}\n")
    monkeypatch.chdir(tmp_path)
    r = lint(fleet)
    assert r.exit_code == 1
    assert "configmap/kube-system/coredns-custom:mesh.server:4:9:" in r.stdout
    assert "bogus_option" in r.stdout and "nonsense_plugin" not in r.stdout
    assert "1 file(s)" in r.stderr  # imported by the Corefile: linted as part of it, not twice


def test_server_keys_not_imported_are_linted_on_their_own(fleet):
    cluster = fleet.add("a")
    cluster.put(custom_configmap({"a.server": "a.example:53 {\n    forward . 10.0.0.1\n    forward . 10.0.0.2\n"
                                              "    cache 30s\n}\n",
                                  "b.override": "not even a corefile {{{\n"}))
    r = lint(fleet, "--format", "json")
    report = json.loads(r.stdout)
    assert report["summary"]["files"] == 2
    paths = {d["path"] for d in report["diagnostics"]}
    assert paths == {"configmap/kube-system/coredns-custom:a.server"}


def test_version_comes_from_the_running_deployment(fleet):
    newer = "multisocket"
    assert first_version_with(newer) == "1.12.0"
    fleet.add("a", image="registry.k8s.io/coredns/coredns:v1.11.3",
              corefile=kubeadm_corefile().replace("    ready\n", f"    ready\n    {newer}\n"))
    r = lint(fleet)
    assert r.exit_code == 1 and "added in CoreDNS 1.12.0; target version is 1.11.3" in r.stdout
    assert lint(fleet, "--coredns-version", "1.12.0").exit_code == 0


def test_kubernetes_profile_is_the_default(fleet):
    fleet.add("a", corefile=kubeadm_corefile(reload=False))
    r = lint(fleet, "--format", "json")
    assert any("reload" in d["message"] for d in json.loads(r.stdout)["diagnostics"])


def test_other_namespace_configmap_and_key(fleet):
    cluster = fleet.add("a")
    cluster.put({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dns-config", "namespace": "dns"},
                 "data": {"main": ".:53 {\n    forward . 10.0.0.1 10.0.0.1:53\n}\n"}})
    r = lint(fleet, "--namespace", "dns", "--configmap", "dns-config", "--key", "main", "--format", "json")
    diagnostics = json.loads(r.stdout)["diagnostics"]
    assert diagnostics and {d["path"] for d in diagnostics} == {"configmap/dns/dns-config:main"}


def test_missing_configmap(fleet):
    fleet.add("a")
    r = lint(fleet, "--configmap", "nothere")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("corefile: context 'a': configmap kube-system/nothere not found (is CoreDNS "
                                "configured elsewhere? see --namespace and --configmap)")


def test_missing_key_lists_the_keys(fleet):
    fleet.add("a")
    r = lint(fleet, "--key", "corefile")
    assert r.stderr.strip() == ("corefile: context 'a': configmap kube-system/coredns has no key 'corefile' "
                                "(keys: Corefile; see --key)")


def test_context_option(fleet):
    fleet.add("a")
    fleet.add("b", corefile=kubeadm_corefile().replace("ttl 30", "ttl 9000"))
    assert lint(fleet).exit_code == 0
    assert lint(fleet, "--context", "b").exit_code == 1
    r = lint(fleet, "--context", "c")
    assert r.exit_code == 2 and r.stderr.strip() == "corefile: kubeconfig has no context 'c' (contexts: a, b)"


@pytest.mark.parametrize("args, message", [
    (("--k8s", "Corefile"), "corefile: --k8s lints the Corefile of the cluster's ConfigMap: give no PATH"),
    (("--context", "a"), "corefile: --kubeconfig, --context, --namespace, --configmap, --key and "
                         "--request-timeout need --k8s"),
])
def test_usage_errors(fleet, args, message):
    r = fleet.run("lint", *args)
    assert r.exit_code == 2 and r.stderr.strip() == message


def test_imports_never_reach_the_local_disk(fleet):
    fleet.add("a", corefile=kubeadm_corefile() + "import ../../../../../../etc/hostname\n")
    r = lint(fleet, "--format", "json")
    diagnostics = json.loads(r.stdout)["diagnostics"]
    assert [(d["code"], d["path"], d["line"]) for d in diagnostics] == [
        ("import-outside", "configmap/kube-system/coredns:Corefile", 21)]
    assert "/etc/coredns" in diagnostics[0]["message"]
