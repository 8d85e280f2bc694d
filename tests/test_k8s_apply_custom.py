"""`corefile k8s apply --output-format coredns-custom`: the generated `*.server` keys into the coredns-custom
ConfigMap of managed clusters (created when absent), the provider's Corefile only read and linted together with
them, foreign keys kept, backups, dry run first, guarded writes."""
import yaml

import k8s_fake_api
from k8s_fake_api import custom_configmap, kubeadm_corefile, managed_corefile

CONFIGMAPS = "/api/v1/namespaces/kube-system/configmaps"


def managed(fleet, context, **kwargs):
    """A managed cluster: the provider's Corefile imports custom/*.server, its Deployment mounts coredns-custom."""
    kwargs.setdefault("corefile", managed_corefile())
    return fleet.add(context, custom_volume=True, **kwargs)


def write_inventory(fleet, **per_cluster):
    """The two-cluster inventory, b with a Service CIDR (so its reverse zone is generated too)."""
    b = {"service_cidr": "10.97.0.0/16", **per_cluster.pop("b", {})}
    return k8s_fake_api.write_inventory(fleet, b=b, **per_cluster)


def apply(fleet, inventory, *args):
    return fleet.run("k8s", "apply", inventory, "--kubeconfig", fleet.kubeconfig, "--output-format",
                     "coredns-custom", *args)


def generated_keys(fleet, inventory, name):
    """What `corefile generate --output-format coredns-custom` puts into the cluster's ConfigMap."""
    r = fleet.run("generate", inventory, "--output-format", "coredns-custom", "--cluster", name)
    assert r.exit_code == 0, r.stderr
    return yaml.safe_load(r.stdout)["data"]


def custom_data(cluster):
    found = cluster.configmap("kube-system", "coredns-custom")
    return None if found is None else found["data"]


OLD_PEER_B = "b.mesh.example:53 {\n    errors\n    forward . 198.51.100.9:53\n}\n"
FOREIGN = {"log.override": "log\n",
           "corp.server": "corp.example:53 {\n    errors\n    forward . 192.0.2.53\n}\n",
           "peer-gone.server": "gone.mesh.example:53 {\n    errors\n    forward . 192.0.2.99\n}\n"}


def test_dry_run_shows_that_the_configmap_will_be_created_and_writes_nothing(fleet):
    a, b = managed(fleet, "a"), managed(fleet, "b")
    coredns_before = a.configmap("kube-system", "coredns")
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 0, r.stderr
    assert "--- configmap/kube-system/coredns-custom:peer-b.server (new configmap, context a)\n" \
           "+++ configmap/kube-system/coredns-custom:peer-b.server (generated for a)\n" in r.stdout
    assert "+b.mesh.example:53 {" in r.stdout and "+    forward . 203.0.113.2:53" in r.stdout
    assert "+++ configmap/kube-system/coredns-custom:mesh-a.server (generated for a)" in r.stdout
    assert ("context 'a': configmap kube-system/coredns-custom: does not exist and will be created; dry run "
            "accepted by the API server (nothing written); pass --yes to create it") in r.stderr.splitlines()
    assert "warning" not in r.stderr
    # The creation went to the API server as a dry run, with exactly the keys generate prints.
    [(method, path, query, body)] = a.writes()
    assert (method, path, query) == ("POST", CONFIGMAPS, {"dryRun": "All"})
    assert body["metadata"] == {"name": "coredns-custom", "namespace": "kube-system"}
    assert body["data"] == generated_keys(fleet, write_inventory(fleet), "a")
    assert custom_data(a) is None and custom_data(b) is None
    assert a.configmap("kube-system", "coredns") == coredns_before


def test_yes_creates_it_and_the_provider_corefile_is_never_written(fleet):
    a, b = managed(fleet, "a"), managed(fleet, "b")
    inventory = write_inventory(fleet)
    coredns_before = a.configmap("kube-system", "coredns")
    r = apply(fleet, inventory, "--yes")
    assert r.exit_code == 0, r.stderr
    lines = r.stderr.splitlines()
    assert "context 'a': configmap kube-system/coredns-custom: created with key(s) mesh-a.server, " \
           "peer-b.server, reverse-b.server" in lines
    assert ("context 'a': the reload plugin of the running Corefile loads the change once the kubelet has "
            "refreshed the mounted ConfigMap (usually within a minute or two)") in lines
    method, path, query, body = a.writes()[-1]
    assert (method, path, query) == ("POST", CONFIGMAPS, {})
    assert "resourceVersion" not in body["metadata"]
    for name, cluster in (("a", a), ("b", b)):
        assert custom_data(cluster) == generated_keys(fleet, inventory, name)
        assert not any(w[1].endswith("/configmaps/coredns") for w in cluster.writes())
        # What CoreDNS now loads (the provider's Corefile importing the new keys) lints clean; the provider's
        # `import custom/*.override` matches nothing here, which CoreDNS only logs.
        r = fleet.run("lint", "--k8s", "--kubeconfig", fleet.kubeconfig, "--context", name, "--strict",
                      "--ignore", "import-glob-empty")
        assert r.exit_code == 0, r.stdout + r.stderr
    assert a.configmap("kube-system", "coredns") == coredns_before
    # Nothing left to do: nothing is sent.
    count = len(a.writes())
    r = apply(fleet, inventory, "--yes")
    assert r.exit_code == 0 and r.stdout == ""
    assert "context 'a': configmap kube-system/coredns-custom: up to date" in r.stderr.splitlines()
    assert len(a.writes()) == count


def test_update_keeps_foreign_keys_and_backs_up_changed_ones(fleet):
    a = managed(fleet, "a")
    managed(fleet, "b")
    a.put(custom_configmap({**FOREIGN, "peer-b.server": OLD_PEER_B}))
    version = a.configmap("kube-system", "coredns-custom")["metadata"]["resourceVersion"]
    inventory = write_inventory(fleet)
    r = apply(fleet, inventory, "--yes", "--context", "a")
    assert r.exit_code == 0, r.stderr
    assert "--- configmap/kube-system/coredns-custom:peer-b.server (live, context a)\n" in r.stdout
    assert "-    forward . 198.51.100.9:53\n+    cache 30\n+    forward . 203.0.113.2:53\n" in r.stdout
    assert "--- configmap/kube-system/coredns-custom:mesh-a.server (new key, context a)\n" in r.stdout
    lines = r.stderr.splitlines()
    assert ("corefile: context 'a': configmap kube-system/coredns-custom: key(s) not generated for a, left as they "
            "are: corp.server, log.override, peer-gone.server") in lines
    assert ("corefile: warning: context 'a': configmap kube-system/coredns-custom: key peer-gone.server is named "
            "like a generated block but is not generated for a any more (a peer or stub domain left the "
            "inventory?); it is left as it is: delete it by hand if it is stale") in lines
    assert ("context 'a': configmap kube-system/coredns-custom: updated: added key(s) mesh-a.server, "
            "reverse-b.server; changed key(s) peer-b.server, the previous content of each kept under "
            "KEY.backup") in lines

    method, path, query, body = a.writes()[-1]
    assert (method, path, query) == ("PUT", CONFIGMAPS + "/coredns-custom", {})
    assert body["metadata"]["resourceVersion"] == version
    data = custom_data(a)
    generated = generated_keys(fleet, inventory, "a")
    assert {k: data[k] for k in generated} == generated
    assert {k: data[k] for k in FOREIGN} == FOREIGN                       # byte for byte, none deleted
    assert data["peer-b.server.backup"] == OLD_PEER_B
    assert set(data) == set(FOREIGN) | set(generated) | {"peer-b.server.backup"}  # new keys have no backup

    # The next change backs up the text this run wrote; its own backups are not listed as someone else's.
    r = apply(fleet, write_inventory(fleet, b={"dns": ["203.0.113.22"]}), "--yes", "--context", "a")
    assert r.exit_code == 0, r.stderr
    data = custom_data(a)
    assert data["peer-b.server.backup"] == generated["peer-b.server"]
    assert "forward . 203.0.113.22:53" in data["peer-b.server"]
    assert "reverse-b.server.backup" in data and {k: data[k] for k in FOREIGN} == FOREIGN
    assert "left as they are: corp.server, log.override, peer-gone.server\n" in r.stderr


def test_concurrent_change_is_a_conflict_and_nothing_is_overwritten(fleet):
    a = managed(fleet, "a")
    managed(fleet, "b")
    a.put(custom_configmap({"peer-b.server": OLD_PEER_B}))

    def someone_else_edits(method, path, query):
        if query.get("dryRun"):
            return
        a.before_write = None
        edited = a.configmap("kube-system", "coredns-custom")
        edited["data"]["theirs.override"] = "log\n"
        a.put(edited)

    a.before_write = someone_else_edits
    r = apply(fleet, write_inventory(fleet), "--yes", "--context", "a")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'a': conflict: configmap kube-system/coredns-custom changed since it was read; nothing "
        "was overwritten, run the command again to see the new difference")
    assert custom_data(a) == {"peer-b.server": OLD_PEER_B, "theirs.override": "log\n"}


def test_configmap_created_by_someone_else_meanwhile_is_a_conflict(fleet):
    a = managed(fleet, "a")
    managed(fleet, "b")

    def someone_else_creates(method, path, query):
        if query.get("dryRun"):
            return
        a.before_write = None
        a.put(custom_configmap({"theirs.server": "theirs.example:53 {\n    whoami\n}\n"}))

    a.before_write = someone_else_creates
    r = apply(fleet, write_inventory(fleet), "--yes", "--context", "a")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'a': conflict: configmap kube-system/coredns-custom was created since it was read; "
        "nothing was overwritten, run the command again to see the new difference")
    assert custom_data(a) == {"theirs.server": "theirs.example:53 {\n    whoami\n}\n"}


def test_refuses_when_what_coredns_would_load_has_errors(fleet):
    a = managed(fleet, "a")
    b = managed(fleet, "b")
    # Someone else's key already serves the peer's mesh domain: with ours imported too, CoreDNS would refuse to
    # start (a zone defined twice), and their broken override is loaded into the provider's block.
    a.put(custom_configmap({"corp.server": "b.mesh.example:53 {\n    forward . 192.0.2.1\n}\n",
                            "bad.override": "ttl 5\n"}))
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0] == "configmap/kube-system/coredns-custom:bad.override:1:1: unknown-directive error Unknown " \
                       "directive 'ttl'"
    assert any(ln.startswith("configmap/kube-system/coredns-custom:peer-b.server:1:1: duplicate-zone error")
               for ln in lines)
    assert "    b.mesh.example:53 {" in lines
    assert lines[-1] == ("corefile: context 'a': refusing to apply: the Corefile CoreDNS would load "
                         "(configmap/kube-system/coredns:Corefile with the generated coredns-custom keys for a) has "
                         "2 lint error(s); nothing was written to any cluster")
    assert a.writes() == [] and b.writes() == []


def test_refuses_when_the_provider_corefile_has_errors(fleet):
    a = managed(fleet, "a", corefile=managed_corefile().replace("ttl 30", "ttl 9000"))
    managed(fleet, "b")
    r = apply(fleet, write_inventory(fleet), "--context", "a")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert lines[1].startswith("configmap/kube-system/coredns:Corefile:10:") and lines[2].strip() == "ttl 9000"
    assert "refusing to apply" in lines[-1] and a.writes() == []


def test_says_how_the_change_is_picked_up_without_reload(fleet):
    managed(fleet, "a", corefile=managed_corefile(reload=False))
    managed(fleet, "b")
    r = apply(fleet, write_inventory(fleet), "--yes", "--context", "a")
    assert r.exit_code == 0, r.stderr
    assert ("corefile: warning: context 'a': the running Corefile has no reload plugin, so CoreDNS will not load the "
            "new coredns-custom keys; restart it: kubectl --context a -n kube-system rollout restart deployment "
            "coredns") in r.stderr.splitlines()
    assert "reload plugin of the running Corefile loads" not in r.stderr


def test_warns_when_coredns_would_not_see_the_keys(fleet):
    # A kubeadm cluster: its Corefile imports nothing and its Deployment mounts no coredns-custom volume.
    fleet.add("a", corefile=kubeadm_corefile())
    managed(fleet, "b")
    r = apply(fleet, write_inventory(fleet), "--context", "a")
    assert r.exit_code == 0, r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if ln.startswith("corefile: warning:")]
    assert warnings == [
        "corefile: warning: context 'a': configmap/kube-system/coredns:Corefile imports no custom/*.server file, so "
        "CoreDNS will not load the generated keys (a Corefile made for coredns-custom has `import custom/*.server` "
        "at its top level); is this cluster's flavour coredns-custom?",
        "corefile: warning: context 'a': deployment kube-system/coredns mounts no volume from configmap "
        "coredns-custom: its pods will not see the generated keys"]


def test_forbidden_create_names_the_verb_and_resource(fleet):
    a = managed(fleet, "a")
    managed(fleet, "b")
    a.forbidden.add(("create", "configmaps"))
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'a': not allowed to create configmaps in namespace kube-system (403 Forbidden): "
        "configmaps is forbidden: User \"system:serviceaccount:default:a-admin\" cannot create resource "
        "\"configmaps\" in API group \"\" in the namespace \"kube-system\"")
    assert custom_data(a) is None


def test_output_format_is_checked_like_generate(fleet):
    managed(fleet, "a")
    r = fleet.run("k8s", "apply", write_inventory(fleet), "--kubeconfig", fleet.kubeconfig, "--output-format", "yaml")
    assert r.exit_code == 2 and "'yaml' is not one of 'corefile', 'configmap', 'coredns-custom'" in r.stderr


def test_configmap_deleted_by_someone_else_meanwhile_is_a_conflict(fleet):
    a = managed(fleet, "a")
    managed(fleet, "b")
    a.put(custom_configmap({"peer-b.server": OLD_PEER_B}))

    def someone_else_deletes(method, path, query):
        if query.get("dryRun"):
            return
        a.before_write = None
        del a.objects[("api/v1", "configmaps", "kube-system", "coredns-custom")]

    a.before_write = someone_else_deletes
    r = apply(fleet, write_inventory(fleet), "--yes", "--context", "a")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'a': conflict: configmap kube-system/coredns-custom was deleted since it was read; "
        "nothing was written, run the command again to see the new difference")
    assert custom_data(a) is None
