"""Kubeconfig handling and API failures: each ends in one clear line, and credentials never show."""
import logging
import subprocess
import sys
import time

from k8s_fake_api import closed_port_url, silent_port_url, write_kubeconfig


def one_line_error(result, code=None):
    """The command failed with exactly one `corefile: ...` line on stderr and no traceback."""
    assert result.exit_code != 0
    if code is not None:
        assert result.exit_code == code
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("corefile: ") and "warning" not in ln]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_kubeconfig_file(fleet, tmp_path):
    r = fleet.run("k8s", "discover", "--kubeconfig", tmp_path / "nope.yaml")
    assert one_line_error(r, 2) == f"corefile: kubeconfig {tmp_path / 'nope.yaml'}: no such file"


def test_invalid_kubeconfig_yaml_names_the_line(fleet, tmp_path):
    bad = tmp_path / "kc.yaml"
    bad.write_text("apiVersion: v1\ncontexts: [\n  - name: a\n")
    line = one_line_error(fleet.run("k8s", "discover", "--kubeconfig", bad), 2)
    assert line.startswith(f"corefile: kubeconfig {bad}:3:3: invalid YAML: ")


def test_unknown_context_lists_the_known_ones(fleet):
    fleet.add("alpha")
    fleet.add("beta")
    line = one_line_error(fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--context", "gamma"), 2)
    assert line == "corefile: kubeconfig has no context 'gamma' (contexts: alpha, beta)"


def test_current_context_is_the_default(fleet):
    fleet.add("alpha", domain="alpha.local")
    fleet.add("beta", domain="beta.local")
    fleet.current = "beta"
    r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig)
    assert r.exit_code == 0, r.stderr
    assert "name: beta" in r.stdout and "alpha" not in r.stdout.split("\n", 2)[2]


def test_kubeconfig_env_path_list_is_merged(fleet, tmp_path, monkeypatch):
    a = fleet.add("alpha", domain="alpha.local")
    b = fleet.add("beta", domain="beta.local")
    first = write_kubeconfig(tmp_path / "one.yaml", {"alpha": a})
    second = write_kubeconfig(tmp_path / "two.yaml", {"beta": b})
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    r = fleet.run("k8s", "discover", "--all-contexts")
    assert r.exit_code == 0, r.stderr
    assert "domain: alpha.local" in r.stdout and "domain: beta.local" in r.stdout


def test_refused_connection(fleet):
    fleet.add_url("dead", closed_port_url())
    line = one_line_error(fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig))
    assert line == f"corefile: context 'dead': cannot reach the API server {fleet.urls['dead']}: connection refused"


def test_hung_api_server_times_out_once(fleet):
    url, sock = silent_port_url()
    try:
        fleet.add_url("hung", url)
        started = time.monotonic()
        r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--request-timeout", "0.5")
        elapsed = time.monotonic() - started
    finally:
        sock.close()
    line = one_line_error(r, 1)
    assert line == f"corefile: context 'hung': cannot reach the API server {url}: no answer within 0.5s " \
                   "(--request-timeout)"
    assert elapsed < 2.5  # one attempt, no retries


def test_tls_failure_is_one_line(fleet):
    cluster = fleet.add("plain")
    fleet.add_url("tls", cluster.url.replace("http://", "https://"))
    line = one_line_error(fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "--context", "tls"))
    assert line.startswith("corefile: context 'tls': cannot reach the API server https://127.0.0.1:")
    assert line.endswith(": TLS failed: [SSL: WRONG_VERSION_NUMBER] wrong version number")


def test_401_names_the_request(fleet):
    cluster = fleet.add("alpha")
    kubeconfig = fleet.kubeconfig
    cluster.token = "rotated-token-the-kubeconfig-does-not-know"
    line = one_line_error(fleet.run("k8s", "discover", "--kubeconfig", kubeconfig))
    assert line == ("corefile: context 'alpha': the API server rejected the credentials (401 Unauthorized) when asked "
                    "to get service kube-system/kube-dns; check the kubeconfig user or log in again")


def test_403_names_verb_and_resource(fleet):
    cluster = fleet.add("alpha")
    cluster.forbidden.add(("list", "nodes"))
    cluster_svc = cluster.get("api/v1", "services", "kube-system", "kube-dns")
    cluster_svc["spec"]["type"] = "NodePort"
    cluster_svc["spec"]["ports"][0]["nodePort"] = 30053
    cluster.put(cluster_svc)
    line = one_line_error(fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig))
    assert line.startswith("corefile: context 'alpha': not allowed to list nodes (403 Forbidden): ")
    assert 'cannot list resource "nodes"' in line


def test_credentials_never_appear_in_output_or_logs(fleet, caplog):
    cluster = fleet.add("alpha")
    token = cluster.token
    # An admission webhook that echoes what it was sent, token included: the message still shows no token.
    cluster.admission = lambda obj: f"request carried {token}"
    inventory = fleet.directory / "inventory.yaml"
    with caplog.at_level(logging.DEBUG):
        outputs = []
        r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig, "-o", inventory)
        outputs.append(r.stdout + r.stderr)
        assert r.exit_code == 0, r.stderr
        r = fleet.run("k8s", "apply", inventory, "--kubeconfig", fleet.kubeconfig)
        outputs.append(r.stdout + r.stderr)
        assert r.exit_code == 1 and "<redacted>" in r.stderr
        cluster.forbidden.add(("get", "services"))
        r = fleet.run("k8s", "discover", "--kubeconfig", fleet.kubeconfig)
        outputs.append(r.stdout + r.stderr)
        cluster.token = "another"
        r = fleet.run("lint", "--k8s", "--kubeconfig", fleet.kubeconfig)
        outputs.append(r.stdout + r.stderr)
    for text in outputs + [caplog.text, inventory.read_text()]:
        assert token not in text


def test_kubernetes_client_is_imported_only_by_k8s_commands(tmp_path):
    corefile = tmp_path / "Corefile"
    corefile.write_text(". {\n    whoami\n}\n")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from corefile_tool.cli import main\n"
        f"for args in (['--help'], ['lint', {str(corefile)!r}], ['lint', '--help'], ['k8s', '--help']):\n"
        "    CliRunner().invoke(main, args)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
