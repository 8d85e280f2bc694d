"""`corefile simulate --k8s` and `--cluster-state-from-k8s`: the live Corefile and the live cluster's objects."""
import json

from k8s_fake_api import add_service, kubeadm_corefile

from corefile_tool.k8s.cluster_state import cluster_objects
from corefile_tool.k8s.client import Kubeconfig


def with_services(cluster):
    add_service(cluster, "default", "web", "10.96.5.5",
                endpoints=[("10.244.1.5", None, True), ("10.244.1.6", None, False)])
    add_service(cluster, "shop", "db", None, headless=True,
                endpoints=[("10.244.2.7", "db-0", True), ("10.244.2.8", "db-1", False)])
    add_service(cluster, "default", "ext", None, external_name="db.example.com")
    return cluster


def simulate(fleet, *args):
    r = fleet.run("simulate", "--kubeconfig", fleet.kubeconfig, "--format", "json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def answers(result):
    return [(a["type"], a["data"]) for a in result["answers"]]


def test_live_corefile_and_live_cluster_state(fleet):
    cluster = with_services(fleet.add("a"))
    out = simulate(fleet, "--k8s", "--cluster-state-from-k8s", "web.default.svc.cluster.local",
                   "db.shop.svc.cluster.local", "db-0.db.shop.svc.cluster.local", "ext.default.svc.cluster.local",
                   "nope.default.svc.cluster.local")
    assert out["corefile"]["path"] == "configmap/kube-system/coredns:Corefile"
    assert out["corefile"]["coredns_version"] == "1.11.3"   # the running Deployment's release
    web, db, db0, ext, nope = out["results"]
    assert answers(web) == [("A", "10.96.5.5")] and web["answered_by"] == {"plugin": "kubernetes", "line": 7}
    assert answers(db) == [("A", "10.244.2.7")]              # a headless service: its ready endpoints
    assert answers(db0) == [("A", "10.244.2.7")]
    assert answers(ext) == [("CNAME", "db.example.com.")]
    assert nope["rcode"] == "NXDOMAIN"
    assert cluster.writes() == []                            # read-only


def test_without_cluster_state_the_kubernetes_answer_is_unknown(fleet):
    with_services(fleet.add("a"))
    result = simulate(fleet, "--k8s", "web.default.svc.cluster.local")["results"][0]
    assert result["rcode"] is None and result["answered_by"]["plugin"] == "kubernetes"


def test_live_corefile_with_custom_domain_and_imports(fleet):
    cluster = with_services(fleet.add("a", corefile=kubeadm_corefile("corp.internal") + "import custom/*.server\n"))
    cluster.put({"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "coredns-custom", "namespace": "kube-system"},
                 "data": {"peer.server": "peer.example.com:53 {\n    forward . 10.2.0.10\n}\n"}})
    out = simulate(fleet, "--k8s", "--cluster-state-from-k8s", "web.default.svc.corp.internal",
                   "web.default.svc.peer.example.com")
    local, peer = out["results"]
    assert answers(local) == [("A", "10.96.5.5")]
    assert peer["server_block"]["keys"] == ["peer.example.com:53"] and peer["forwarded_to"]


def test_cluster_state_for_a_local_corefile(fleet, tmp_path):
    with_services(fleet.add("a"))
    fleet.add("b")
    corefile = tmp_path / "Corefile"
    corefile.write_text(".:53 {\n    kubernetes cluster.local\n}\n")
    out = simulate(fleet, corefile, "web.default.svc.cluster.local", "--cluster-state-from-k8s", "--context", "a")
    assert out["corefile"]["path"] == str(corefile) and answers(out["results"][0]) == [("A", "10.96.5.5")]
    out = simulate(fleet, corefile, "web.default.svc.cluster.local", "--cluster-state-from-k8s", "--context", "b")
    assert out["results"][0]["rcode"] == "NXDOMAIN"


def test_lists_are_read_page_by_page(fleet):
    cluster = fleet.add("a")
    for i in range(1100):
        cluster.put({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i:04d}", "namespace": "batch"},
                     "status": {"podIP": f"10.244.{i // 250}.{i % 250 + 1}"}})
    connection = Kubeconfig(fleet.kubeconfig).connect("a")
    objects = cluster_objects(connection)["items"]
    assert sum(1 for o in objects if o["kind"] == "Pod") == 1100
    pod_lists = [q for m, p, q, _ in cluster.requests if p == "/api/v1/pods"]
    assert [q.get("continue") for q in pod_lists] == [None, "500", "1000"]
    assert all(q["limit"] == "500" for q in pod_lists)


def test_forbidden_namespaces_list_is_not_needed(fleet):
    cluster = with_services(fleet.add("a"))
    cluster.forbidden.add(("list", "namespaces"))
    out = simulate(fleet, "--k8s", "--cluster-state-from-k8s", "web.default.svc.cluster.local")
    assert answers(out["results"][0]) == [("A", "10.96.5.5")]


def test_forbidden_endpointslices_is_one_line(fleet):
    cluster = with_services(fleet.add("a"))
    cluster.forbidden.add(("list", "endpointslices"))
    r = fleet.run("simulate", "--kubeconfig", fleet.kubeconfig, "--k8s", "--cluster-state-from-k8s", "x.y")
    assert r.exit_code == 1
    assert r.stderr.startswith("corefile: context 'a': not allowed to list endpointslices in all namespaces "
                               "(403 Forbidden): ")
    assert len(r.stderr.strip().splitlines()) == 1


def test_cluster_state_options_exclude_each_other(fleet, tmp_path):
    fleet.add("a")
    state = tmp_path / "state.yaml"
    state.write_text("services: []\n")
    r = fleet.run("simulate", "--kubeconfig", fleet.kubeconfig, "--k8s", "--cluster-state-from-k8s",
                  "--cluster-state", state, "x.y")
    assert r.exit_code == 2
    assert r.stderr.strip() == "corefile: --cluster-state and --cluster-state-from-k8s exclude each other"


def test_context_needs_a_k8s_option(fleet, tmp_path):
    r = fleet.run("simulate", tmp_path / "Corefile", "x.y", "--context", "a")
    assert r.exit_code == 2 and r.stderr.strip() == (
        "corefile: --kubeconfig, --context, --namespace, --configmap, --key and --request-timeout need --k8s or "
        "--cluster-state-from-k8s")
