"""`corefile k8s apply`: diff, server-side dry run, guarded writes, backups, refusals; and the whole path from
three kubeconfig contexts through discover and generate to apply."""
import yaml

from k8s_fake_api import kubeadm_corefile, write_inventory

BEGIN, END = "# BEGIN corefile-tool managed", "# END corefile-tool managed"


def two_clusters(fleet, **a_kwargs):
    a = fleet.add("a", service_type="LoadBalancer", lb_ingress=[{"ip": "203.0.113.1"}], **a_kwargs)
    b = fleet.add("b", service_type="LoadBalancer", lb_ingress=[{"ip": "203.0.113.2"}])
    return a, b


def apply(fleet, inventory, *args):
    return fleet.run("k8s", "apply", inventory, "--kubeconfig", fleet.kubeconfig, *args)


def live_corefile(cluster):
    return cluster.configmap("kube-system", "coredns")["data"]["Corefile"]


def test_dry_run_by_default_shows_the_diff_and_writes_nothing(fleet):
    a, b = two_clusters(fleet)
    before = a.configmap("kube-system", "coredns")
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 0, r.stderr
    assert "--- configmap/kube-system/coredns:Corefile (live, context a)" in r.stdout
    assert "+++ configmap/kube-system/coredns:Corefile (generated for a)" in r.stdout
    assert "-    kubernetes cluster.local in-addr.arpa ip6.arpa {" in r.stdout
    assert "+    kubernetes cluster.local a.mesh.example in-addr.arpa ip6.arpa {" in r.stdout
    assert "+b.mesh.example:53 {" in r.stdout and "+    forward . 203.0.113.2:53" in r.stdout
    assert "context 'a': configmap kube-system/coredns: dry run accepted by the API server (nothing written); " \
           "pass --yes to write" in r.stderr
    assert "skipped" not in r.stderr   # without --context every inventory cluster is applied to
    for cluster in (a, b):
        writes = cluster.writes()
        assert len(writes) == 1 and writes[0][2] == {"dryRun": "All"}
    assert a.configmap("kube-system", "coredns") == before


def test_yes_writes_with_the_resource_version_read_and_keeps_a_backup(fleet):
    a, b = two_clusters(fleet)
    old_text, old_version = live_corefile(a), a.configmap("kube-system", "coredns")["metadata"]["resourceVersion"]
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 0, r.stderr
    assert "context 'a': configmap kube-system/coredns: updated; the previous Corefile is kept under key " \
           "Corefile.backup" in r.stderr
    method, path, query, body = a.writes()[-1]
    assert (method, path, query) == ("PUT", "/api/v1/namespaces/kube-system/configmaps/coredns", {})
    assert body["metadata"]["resourceVersion"] == old_version
    data = a.configmap("kube-system", "coredns")["data"]
    assert data["Corefile.backup"] == old_text
    assert "kubernetes cluster.local a.mesh.example in-addr.arpa ip6.arpa {" in data["Corefile"]
    assert data["Corefile"].startswith(old_text.split("    kubernetes")[0])   # the live text is the base
    # A second run finds nothing to do and writes nothing.
    count = len(a.writes())
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 0 and r.stdout == ""
    assert "context 'a': configmap kube-system/coredns: up to date" in r.stderr
    assert len(a.writes()) == count


def test_concurrent_change_before_the_dry_run_is_a_conflict(fleet):
    a, _ = two_clusters(fleet)

    def someone_else_edits(method, path, query):
        a.before_write = None
        edited = a.configmap("kube-system", "coredns")
        edited["data"]["Corefile"] += "# edited by someone else\n"
        a.put(edited)

    a.before_write = someone_else_edits
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'a': conflict: configmap kube-system/coredns changed since it was read; nothing was "
        "overwritten, run the command again to see the new difference")
    assert live_corefile(a).endswith("# edited by someone else\n")
    assert [w for w in a.writes() if not w[2]] == []


def test_concurrent_change_before_the_write_is_a_conflict_and_names_what_was_written(fleet):
    a, b = two_clusters(fleet)

    def edit_before_real_write(method, path, query):
        if query.get("dryRun"):
            return
        b.before_write = None
        edited = b.configmap("kube-system", "coredns")
        edited["data"]["Corefile"] += "# edited by someone else\n"
        b.put(edited)

    b.before_write = edit_before_real_write
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("corefile: context 'b': conflict: configmap kube-system/coredns changed since it was read")
    assert last.endswith("(already written: a)")
    assert live_corefile(b).endswith("# edited by someone else\n") and "Corefile.backup" not in \
        b.configmap("kube-system", "coredns")["data"]
    assert "a.mesh.example" in live_corefile(a)


def test_refuses_a_corefile_that_lints_with_errors(fleet):
    a, b = two_clusters(fleet, corefile=kubeadm_corefile().replace("ttl 30", "ttl 9000"))
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("configmap/kube-system/coredns:Corefile:10:")
    assert lines[-1] == ("corefile: context 'a': refusing to apply: the generated Corefile for a has 1 lint "
                         "error(s); nothing was written to any cluster")
    assert a.writes() == [] and b.writes() == []


def test_lints_for_the_release_the_cluster_runs(fleet):
    # The live base uses a plugin newer than the running CoreDNS: the inventory's version would accept it.
    a, b = two_clusters(fleet, image="coredns/coredns:1.11.3",
                        corefile=kubeadm_corefile().replace("    ready\n", "    ready\n    multisocket\n"))
    r = apply(fleet, write_inventory(fleet, a={"coredns_version": "1.12.0"}))
    assert r.exit_code == 1 and "added in CoreDNS 1.12.0; target version is 1.11.3" in r.stderr


def test_warns_when_the_running_corefile_has_no_reload(fleet):
    two_clusters(fleet, corefile=kubeadm_corefile(reload=False))
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 0
    assert ("corefile: warning: context 'a': the running Corefile has no reload plugin, so CoreDNS will not pick "
            "the change up; restart it: kubectl --context a -n kube-system rollout restart deployment coredns") \
        in r.stderr.splitlines()
    assert "context 'b'" not in "".join(ln for ln in r.stderr.splitlines() if "warning" in ln)


def test_forbidden_update_names_the_verb_and_resource(fleet):
    a, _ = two_clusters(fleet)
    a.forbidden.add(("update", "configmaps"))
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'a': not allowed to update configmap kube-system/coredns (403 Forbidden): configmaps "
        "\"coredns\" is forbidden: User \"system:serviceaccount:default:a-admin\" cannot update resource "
        "\"configmaps\" in API group \"\" in the namespace \"kube-system\"")


def test_admission_denial_shows_up_in_the_dry_run(fleet):
    a, b = two_clusters(fleet)
    b.admission = lambda obj: "ConfigMaps in kube-system are frozen"
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "corefile: context 'b': cannot update configmap kube-system/coredns: 400 BadRequest: admission webhook "
        "\"policy.example.com\" denied the request: ConfigMaps in kube-system are frozen")
    assert [w for w in a.writes() + b.writes() if not w[2]] == []


def test_missing_configmap(fleet):
    a, _ = two_clusters(fleet)
    del a.objects[("api/v1", "configmaps", "kube-system", "coredns")]
    r = apply(fleet, write_inventory(fleet))
    assert r.exit_code == 1 and r.stderr.strip().startswith(
        "corefile: context 'a': configmap kube-system/coredns not found")


def test_context_mapping(fleet):
    a, b = two_clusters(fleet)
    inventory = write_inventory(fleet, [{"name": "east", "mesh_domain": "east.mesh.example", "dns": ["203.0.113.1"]},
                                        {"name": "west", "mesh_domain": "west.mesh.example", "dns": ["203.0.113.2"]}])
    r = apply(fleet, inventory)
    assert r.exit_code == 2 and r.stderr.strip() == (
        "corefile: no kubeconfig context for cluster(s) east, west; pass --context CLUSTER=CONTEXT for each cluster "
        "to apply")
    r = apply(fleet, inventory, "--context", "west=b")
    assert r.exit_code == 0, r.stderr
    assert a.writes() == [] and "west.mesh.example" in r.stdout
    # --context selects the clusters applied to: each inventory cluster left out is named, once.
    assert [ln for ln in r.stderr.splitlines() if "skipped" in ln] == [
        "corefile: cluster 'east': skipped, no --context selects it"]
    r = apply(fleet, inventory, "--context", "north=b")
    assert r.exit_code == 2 and "the inventory has no cluster 'north' (clusters: east, west)" in r.stderr
    r = apply(fleet, inventory, "--context", "a")
    assert r.exit_code == 2 and "--context a: no inventory cluster is named after it" in r.stderr
    r = apply(fleet, inventory, "--context", "east=c")
    assert r.exit_code == 2 and "kubeconfig has no context 'c' (contexts: a, b)" in r.stderr


def test_invalid_inventory_lists_its_problems(fleet):
    two_clusters(fleet)
    r = apply(fleet, write_inventory(fleet, b={"mesh_domain": "a.mesh.example"}))
    assert r.exit_code == 2
    assert "mesh_domain" in r.stderr
    assert r.stderr.strip().splitlines()[-1].endswith("; nothing applied")
    r = apply(fleet, fleet.directory / "missing.yaml")
    assert r.exit_code == 2 and r.stderr.strip().endswith("missing.yaml: no such file")


def test_inventory_base_corefile_is_the_base_when_given(fleet):
    a, b = two_clusters(fleet)
    base = fleet.directory / "a.Corefile"
    base.write_text(".:53 {\n    errors\n    kubernetes cluster.local\n    forward . 192.0.2.53\n    reload\n}\n")
    r = apply(fleet, write_inventory(fleet, a={"base_corefile": "a.Corefile"}), "--yes", "--context", "a")
    assert r.exit_code == 0, r.stderr
    assert "corefile: cluster 'b': skipped, no --context selects it\n" in r.stderr and b.writes() == []
    assert live_corefile(a).startswith(".:53 {\n    errors\n    kubernetes cluster.local a.mesh.example\n")


def test_three_contexts_discover_generate_apply(fleet, tmp_path):
    clusters = {
        "kind-a": fleet.add("kind-a", service_type="LoadBalancer", lb_ingress=[{"ip": "203.0.113.10"}],
                            service_cidr="10.96.0.0/16"),
        "kind-b": fleet.add("kind-b", service_type="NodePort", node_ports=(30053, 30053, 30153),
                            nodes=[("b-1", "192.168.2.11"), ("b-2", "192.168.2.12")], service_cidr="10.97.0.0/16",
                            service_cidr_source="kubeadm-config", pod_cidr="10.245.0.0/16"),
        "kind-c": fleet.add("kind-c", domain="c.internal", external_ips=["198.51.100.30"],
                            service_cidr="10.98.0.0/16", service_cidr_source="apiserver-pod",
                            image="registry.k8s.io/coredns/coredns:v1.12.0"),
    }
    inventory = tmp_path / "inventory.yaml"
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--all-contexts", "-o", inventory)
    assert r.exit_code == 0 and r.stderr == "", r.stderr

    out = tmp_path / "generated"
    r = fleet.run("generate", inventory, "--out", out)
    assert r.exit_code == 0, r.stderr
    generated = {name: (out / f"{name}.Corefile").read_text() for name in clusters}

    r = fleet.run("k8s", "apply", inventory, "--kubeconfig", fleet.kubeconfig)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.count("\n--- configmap/kube-system/coredns:Corefile (live, context ") == 2  # 3 diffs
    assert all(c.writes() and all(w[2] == {"dryRun": "All"} for w in c.writes()) for c in clusters.values())

    r = fleet.run("k8s", "apply", inventory, "--kubeconfig", fleet.kubeconfig, "--yes")
    assert r.exit_code == 0, r.stderr
    for name, cluster in clusters.items():
        live = live_corefile(cluster)
        managed = live[live.index(BEGIN):live.index(END)]
        assert managed == generated[name][generated[name].index(BEGIN):generated[name].index(END)]
        assert f"{name}.mesh.internal" in live.split(BEGIN)[0]     # its own mesh domain in its kubernetes zones
        assert cluster.configmap("kube-system", "coredns")["data"]["Corefile.backup"] == kubeadm_corefile(
            "c.internal" if name == "kind-c" else "cluster.local")
        r = fleet.run("lint", "--k8s", "--kubeconfig", fleet.kubeconfig, "--context", name, "--strict")
        assert r.exit_code == 0, r.stdout + r.stderr
    assert "forward . 192.168.2.11:30053 192.168.2.12:30053" in live_corefile(clusters["kind-a"])
    assert "97.10.in-addr.arpa:53 245.10.in-addr.arpa:53 {" in live_corefile(clusters["kind-c"])

    # Discovering again reads the mesh domains back from the live Corefiles: no longer guesses.
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--all-contexts")
    assert "guessed: set the unique name" not in r.stdout
    assert [c["mesh_domain"] for c in yaml.safe_load(r.stdout)["clusters"]] == [
        "kind-a.mesh.internal", "kind-b.mesh.internal", "kind-c.mesh.internal"]
    r = fleet.run("k8s", "apply", inventory, "--kubeconfig", fleet.kubeconfig, "--yes")
    assert r.exit_code == 0 and r.stdout == "" and r.stderr.count("up to date") == 3


def test_live_corefile_that_does_not_parse_stops_before_any_write(fleet):
    a, b = two_clusters(fleet, corefile=kubeadm_corefile() + "import\n")
    r = apply(fleet, write_inventory(fleet), "--yes")
    assert r.exit_code == 1
    line = r.stderr.strip()
    assert line.startswith("corefile: context 'a': cannot generate the Corefile of a on the live Corefile: "
                           "configmap/kube-system/coredns:Corefile:")
    assert len(line.splitlines()) == 1 and "/tmp" not in line
    assert a.writes() == [] and b.writes() == []
