"""`corefile k8s discover`: the inventory read from fake clusters through the real kubernetes client."""
import pytest
import yaml

from k8s_fake_api import closed_port_url, kubeadm_corefile

from corefile_tool.k8s.discover import cluster_name, version_from_image
from corefile_tool.knowledge.versions import LATEST


def discover(fleet, *args):
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, *args)
    assert r.exit_code == 0, r.stderr
    return r


def clusters_of(text):
    return yaml.safe_load(text)["clusters"]


def line_of(text, prefix):
    return next(ln for ln in text.splitlines() if ln.strip().startswith(prefix))


# ---------------------------------------------------------------------------------------------- addresses
def test_load_balancer_ingress_comes_first(fleet):
    fleet.add("a", service_type="LoadBalancer", lb_ingress=[{"ip": "203.0.113.10"}, {"ip": "203.0.113.11"}],
              external_ips=["198.51.100.7"], node_ports=(30053, 30053, 30153))
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["dns"] == ["203.0.113.10", "203.0.113.11"]
    assert "load balancer ingress of service kube-system/kube-dns" in line_of(r.stdout, "dns:")
    assert r.stderr == ""


def test_load_balancer_host_name_is_skipped_with_a_warning(fleet):
    fleet.add("a", service_type="LoadBalancer", lb_ingress=[{"hostname": "abc.elb.example.com"}],
              external_ips=["198.51.100.7"])
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["dns"] == ["198.51.100.7"]
    assert "external IPs of service kube-system/kube-dns" in line_of(r.stdout, "dns:")
    assert "abc.elb.example.com has a host name, not an IP" in r.stderr


def test_node_port_on_ready_nodes_internal_ips(fleet):
    cluster = fleet.add("a", service_type="NodePort", node_ports=(30053, 30053, 30153),
                        nodes=[("node-d", "192.168.1.14"), ("node-b", "192.168.1.12"), ("node-a", "192.168.1.11"),
                               ("node-c", "192.168.1.13"), ("node-e", "192.168.1.15")])
    not_ready = cluster.get("api/v1", "nodes", "", "node-a")
    not_ready["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    cluster.put(not_ready)
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["dns"] == ["192.168.1.12:30053", "192.168.1.13:30053", "192.168.1.14:30053"]
    assert "NodePort 30053 of service kube-system/kube-dns on 3 of 4 Ready nodes' InternalIPs" in r.stdout


def test_node_ports_differing_between_udp_and_tcp_warn(fleet):
    fleet.add("a", service_type="NodePort", node_ports=(30053, 30054, 30153))
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["dns"] == ["192.168.1.11:30053"]
    assert "TCP NodePort 30054 differs from UDP NodePort 30053" in r.stderr


def test_cluster_ip_only_as_a_last_resort_with_a_warning(fleet):
    fleet.add("a")
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["dns"] == ["10.96.0.10"]
    assert "guessed: ClusterIP" in line_of(r.stdout, "dns:")
    assert "ClusterIPs are usually not routable from other clusters" in r.stderr


def test_ipv6_addresses_are_bracketed_with_a_port(fleet):
    fleet.add("a", service_type="NodePort", node_ports=(30053, 30053, 30153), nodes=[("n1", "fd00:1::11")])
    fleet.add("b", service_type="LoadBalancer", lb_ingress=[{"ip": "2001:db8::53"}])
    r = discover(fleet, "--all-contexts")
    a, b = clusters_of(r.stdout)
    assert a["dns"] == ["[fd00:1::11]:30053"] and b["dns"] == ["2001:db8::53"]


def test_missing_service_is_one_clear_error(fleet):
    fleet.add("a")
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--service", "dns/coredns")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("corefile: context 'a': service dns/coredns not found (name the CoreDNS Service "
                                "with --service NAMESPACE/NAME)")


# ---------------------------------------------------------------------------------------------- domains
def test_domain_and_existing_mesh_domain_from_the_live_corefile(fleet):
    fleet.add("a", corefile=kubeadm_corefile("corp.internal").replace(
        "corp.internal", "corp.internal a.mesh.example.org"))
    r = discover(fleet)
    c = clusters_of(r.stdout)[0]
    assert (c["domain"], c["mesh_domain"]) == ("corp.internal", "a.mesh.example.org")
    assert "first zone of the kubernetes plugin in configmap/kube-system/coredns:Corefile" in \
        line_of(r.stdout, "domain:")
    assert "guessed" not in line_of(r.stdout, "mesh_domain:")


def test_kubernetes_without_zones_takes_the_server_block_zones(fleet):
    fleet.add("a", corefile="cluster.example:53 {\n    kubernetes\n}\n. {\n    forward . 1.1.1.1\n}\n")
    assert clusters_of(discover(fleet).stdout)[0]["domain"] == "cluster.example"


def test_bare_arpa_zone_first_is_the_primary_zone(fleet):
    # plugin/kubernetes counts only names below in-addr.arpa. as reverse, so a bare in-addr.arpa comes first.
    fleet.add("a", corefile=".:53 {\n    kubernetes in-addr.arpa cluster.local\n}\n")
    c = clusters_of(discover(fleet).stdout)[0]
    assert c["domain"] == "in-addr.arpa"


def test_missing_configmap_guesses_the_domain(fleet):
    cluster = fleet.add("a")
    del cluster.objects[("api/v1", "configmaps", "kube-system", "coredns")]
    r = discover(fleet, "--mesh-suffix", "mesh.example.net")
    c = clusters_of(r.stdout)[0]
    assert (c["domain"], c["mesh_domain"]) == ("cluster.local", "a.mesh.example.net")
    assert "guessed: Kubernetes' default (no configmap kube-system/coredns)" in line_of(r.stdout, "domain:")
    assert "guessed" in line_of(r.stdout, "mesh_domain:")


def test_unreadable_configmap_is_a_guess_not_a_failure(fleet):
    cluster = fleet.add("a")
    cluster.forbidden.add(("get", "configmaps"))
    r = discover(fleet)
    assert "configmap kube-system/coredns is not readable (403)" in line_of(r.stdout, "domain:")


# ---------------------------------------------------------------------------------------------- versions
@pytest.mark.parametrize("image, version, guessed", [
    ("registry.k8s.io/coredns/coredns:v1.11.3", "1.11.3", False),
    ("coredns/coredns:1.12.0", "1.12.0", False),
    ("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4", "1.11.1", False),
    ("registry.local:5000/coredns:v1.11.3@sha256:" + "a" * 64, "1.11.3", False),
    ("coredns/coredns:1.11.2", "1.11.1", True),     # no such release: the nearest older one, said to be a guess
    ("coredns/coredns:v9.0.0", LATEST, True),
    ("coredns/coredns:latest", None, False),
    ("coredns/coredns@sha256:" + "b" * 64, None, False),
    ("coredns/coredns:0.9.0", None, False),
])
def test_version_from_image(image, version, guessed):
    found, note, was_guessed = version_from_image(image)
    assert (found, was_guessed) == (version, guessed)
    assert note


def test_version_from_the_deployment_the_service_selects(fleet):
    cluster = fleet.add("a", image="registry.k8s.io/coredns/coredns:v1.10.1")
    cluster.put({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "another", "namespace": "kube-system"},
                 "spec": {"template": {"metadata": {"labels": {"app": "other"}},
                                       "spec": {"containers": [{"name": "c", "image": "coredns/coredns:1.8.0"}]}}}})
    r = discover(fleet)
    assert yaml.safe_load(r.stdout)["defaults"]["coredns_version"] == "1.10.1"


def test_version_not_found(fleet):
    fleet.add("a", image="registry.k8s.io/dns/k8s-dns-kube-dns:1.22.28")
    r = discover(fleet)
    assert "coredns_version" not in clusters_of(r.stdout)[0]
    assert "# coredns_version: no deployment in kube-system runs a coredns image" in r.stdout


def test_versions_differing_between_clusters_go_per_cluster(fleet):
    fleet.add("a", image="coredns/coredns:1.11.3")
    fleet.add("b", image="coredns/coredns:1.12.1")
    data = yaml.safe_load(discover(fleet, "--all-contexts").stdout)
    assert "defaults" not in data
    assert [c["coredns_version"] for c in data["clusters"]] == ["1.11.3", "1.12.1"]


# ---------------------------------------------------------------------------------------------- CIDRs
@pytest.mark.parametrize("source, note", [
    ("servicecidr", "ServiceCIDR objects (networking.k8s.io/v1)"),
    ("kubeadm-config", "networking.serviceSubnet of kubeadm's ClusterConfiguration"),
    ("apiserver-pod", "--service-cluster-ip-range of the kube-apiserver pod"),
])
def test_service_cidr_sources(fleet, source, note):
    fleet.add("a", service_cidr="10.100.0.0/16", service_cidr_source=source)
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["service_cidr"] == "10.100.0.0/16"
    assert note in line_of(r.stdout, "service_cidr:")


def test_pod_cidr_from_kubeadm(fleet):
    fleet.add("a", service_cidr_source="kubeadm-config", pod_cidr="10.244.0.0/16")
    assert clusters_of(discover(fleet).stdout)[0]["pod_cidr"] == "10.244.0.0/16"


def test_service_cidr_not_readable(fleet):
    cluster = fleet.add("a", service_cidr_source=None)
    cluster.forbidden.add(("list", "pods"))
    r = discover(fleet)
    assert "service_cidr" not in clusters_of(r.stdout)[0]
    assert "# service_cidr: not readable (pods in kube-system: 403)" in r.stdout


def test_pod_cidr_not_readable_says_why(fleet):
    # Neither kubeadm's ClusterConfiguration nor a kube-controller-manager pod is there to read it from.
    fleet.add("a")
    r = discover(fleet)
    assert "pod_cidr" not in clusters_of(r.stdout)[0]
    assert ("    # pod_cidr: not readable from the API (no podSubnet in kubeadm's ClusterConfiguration, no "
            "--cluster-cidr on a kube-controller-manager pod)") in r.stdout.splitlines()
    assert "# service_cidr:" not in r.stdout


def test_pod_cidr_not_readable_names_what_was_refused(fleet):
    cluster = fleet.add("a", service_cidr_source="kubeadm-config", pod_cidr="10.244.0.0/16")
    cluster.forbidden.add(("get", "configmaps"))
    cluster.forbidden.add(("list", "pods"))
    r = discover(fleet)
    assert "pod_cidr" not in clusters_of(r.stdout)[0]
    assert "# pod_cidr: not readable (configmap kube-system/kubeadm-config, pods in kube-system: 403)" in r.stdout
    assert "# service_cidr: not readable (configmap kube-system/kubeadm-config, pods in kube-system: 403)" \
        in r.stdout


def test_pod_cidr_from_the_controller_manager(fleet):
    cluster = fleet.add("a")
    cluster.put({"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "kube-controller-manager-node-1", "namespace": "kube-system",
                              "labels": {"component": "kube-controller-manager", "tier": "control-plane"}},
                 "spec": {"containers": [{"name": "kube-controller-manager", "image": "registry.k8s.io/kcm",
                                          "command": ["kube-controller-manager", "--cluster-cidr=10.245.0.0/16"]}]}})
    r = discover(fleet)
    assert clusters_of(r.stdout)[0]["pod_cidr"] == "10.245.0.0/16"
    assert "# pod_cidr:" not in r.stdout


def test_dual_stack_service_cidrs_are_a_list(fleet):
    cluster = fleet.add("a")
    cidr = cluster.get("apis/networking.k8s.io/v1", "servicecidrs", "", "kubernetes")
    cidr["spec"]["cidrs"] = ["10.96.0.0/16", "fd00:10:96::/112"]
    cluster.put(cidr)
    assert clusters_of(discover(fleet).stdout)[0]["service_cidr"] == ["10.96.0.0/16", "fd00:10:96::/112"]


def test_overlapping_cidrs_between_clusters_are_left_out(fleet):
    fleet.add("a", service_cidr="10.96.0.0/12")
    fleet.add("b", service_cidr="10.97.0.0/16")
    fleet.add("c", service_cidr="10.200.0.0/16")
    r = discover(fleet, "--all-contexts")
    a, b, c = clusters_of(r.stdout)
    assert "service_cidr" not in a and "service_cidr" not in b and c["service_cidr"] == "10.200.0.0/16"
    assert "# service_cidr: 10.96.0.0/12 overlaps b's 10.97.0.0/16, so it is left out" in r.stdout


def test_address_inside_another_clusters_service_cidr_warns(fleet):
    fleet.add("a", service_cidr="10.96.0.0/16", cluster_ip="10.96.0.10")
    fleet.add("b", service_cidr="10.97.0.0/16", cluster_ip="10.96.0.10")
    r = discover(fleet, "--all-contexts")
    assert "context 'b': DNS address 10.96.0.10 lies inside a's service cidr" in r.stderr


# ---------------------------------------------------------------------------------------------- names and output
@pytest.mark.parametrize("context, name", [
    ("kind-cluster-a", "kind-cluster-a"),
    ("arn:aws:eks:us-west-2:123456789012:cluster/Prod", "arn-aws-eks-us-west-2-123456789012-cluster-prod"),
    ("gke_my-project_europe-west1_prod", "gke-my-project-europe-west1-prod"),
    ("admin@Cluster.Example", "admin-cluster-example"),
    ("x" * 80, "x" * 63),
    ("___", "cluster"),
])
def test_cluster_names_from_contexts(context, name):
    assert cluster_name(context) == name


def test_colliding_names_get_a_suffix(fleet):
    fleet.add("Prod")
    fleet.add("prod")
    names = [c["name"] for c in clusters_of(discover(fleet, "--all-contexts").stdout)]
    assert names == ["prod", "prod-2"]


def test_inventory_is_accepted_by_generate(fleet, tmp_path):
    from corefile_tool.generator.inventory import load

    fleet.add("kind-a", service_type="LoadBalancer", lb_ingress=[{"ip": "203.0.113.10"}])
    fleet.add("kind-b", service_type="NodePort", node_ports=(30053, 30053, 30153), service_cidr="10.97.0.0/16",
              nodes=[("n1", "192.168.2.11")])
    fleet.add("kind-c", domain="c.internal", external_ips=["198.51.100.30"], service_cidr="10.98.0.0/16")
    out = tmp_path / "inventory.yaml"
    r = discover(fleet, "--all-contexts", "-o", out)
    assert r.stdout == "" and r.stderr == ""
    inventory = load(out)
    assert [(c.name, c.domain, c.mesh_domain) for c in inventory.clusters] == [
        ("kind-a", "cluster.local", "kind-a.mesh.internal"), ("kind-b", "cluster.local", "kind-b.mesh.internal"),
        ("kind-c", "c.internal", "kind-c.mesh.internal")]
    assert all(c.coredns_version == "1.11.3" for c in inventory.clusters)
    text = out.read_text()
    for ln in text.splitlines():
        if ln.strip() and not ln.lstrip().startswith("#") and not ln.endswith(":"):
            assert "  # " in ln, f"field without a note: {ln}"
    assert discover(fleet, "--all-contexts").stdout == text   # deterministic


def test_failure_writes_no_output_file(fleet, tmp_path):
    fleet.add("good")
    fleet.add_url("dead", closed_port_url())
    out = tmp_path / "inventory.yaml"
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--all-contexts", "-o", out)
    assert r.exit_code == 1 and "context 'dead': cannot reach the API server" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "kubeconfig.yaml"]


@pytest.mark.parametrize("args, message", [
    (("--context", "a", "--all-contexts"), "corefile: --context and --all-contexts exclude each other"),
    (("--service", "kube-dns"), "corefile: --service 'kube-dns': expected NAMESPACE/NAME"),
    (("--mesh-suffix", "bad_suffix!"), "corefile: --mesh-suffix 'bad_suffix!': not a domain name"),
])
def test_usage_errors(fleet, args, message):
    fleet.add("a")
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, *args)
    assert r.exit_code == 2 and r.stderr.strip() == message
