"""--live against a real DNS server: dnsmasq, started here on 127.0.0.1 on a free high port.

The Corefile forwards to that dnsmasq, so the test also checks the forwarding path end to end: the upstream the
simulation names is asked the same question and answers it."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from click.testing import CliRunner

from corefile_tool.cli import main


def _dnsmasq():
    return shutil.which("dnsmasq") or next((p for p in ("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq")
                                            if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return udp.getsockname()[1]


@pytest.fixture(scope="module")
def dnsmasq_port():
    binary = _dnsmasq()
    if binary is None:
        pytest.skip("dnsmasq is not installed (apt-get install dnsmasq-base; .ci/run does it)")
    import dns.exception
    import dns.message
    import dns.query

    for _ in range(5):
        port = _free_port()
        args = [binary, "--keep-in-foreground", "--conf-file=/dev/null", f"--port={port}",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--pid-file=",
                "--address=/forwarded.test/192.0.2.10",
                "--host-record=www.example.test,192.0.2.20",
                "--host-record=drift.example.test,192.0.2.31"]
        if os.geteuid() == 0:
            args.append("--user=root")      # stay as we are instead of switching to a `nobody` user
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                dns.query.udp(dns.message.make_query("www.example.test", "A"), "127.0.0.1", port=port, timeout=0.2)
                break
            except (dns.exception.Timeout, OSError):
                time.sleep(0.05)
        if proc.poll() is None:
            break
        error = proc.stderr.read().decode(errors="replace").strip()
    else:
        pytest.skip(f"dnsmasq did not start: {error}")
    yield port
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stderr.close()


@pytest.fixture
def corefile(tmp_path, dnsmasq_port):
    path = tmp_path / "Corefile"
    path.write_text(f""". {{
    hosts {{
        192.0.2.20 www.example.test
        192.0.2.30 drift.example.test
        fallthrough
    }}
    forward . 127.0.0.1:{dnsmasq_port}
}}
""", encoding="utf-8")
    return str(path)


def simulate(*args):
    return CliRunner().invoke(main, ["simulate", *args])


def test_live_matches_and_differences_are_marked(corefile, dnsmasq_port):
    live = f"127.0.0.1:{dnsmasq_port}"
    r = simulate(corefile, "www.example.test", "drift.example.test", "--live", live)
    assert r.exit_code == 1, r.stderr                 # a difference was found
    www, drift = r.stdout.split("\n\n")
    assert "live      = matches the prediction" in www
    assert "≠ DIFFERS predicted but not answered: drift.example.test. A 192.0.2.30" in drift
    assert "≠ DIFFERS answered but not predicted: drift.example.test. A 192.0.2.31" in drift


def test_live_checks_the_forwarding_path(corefile, dnsmasq_port):
    live = f"127.0.0.1:{dnsmasq_port}"
    r = simulate(corefile, "forwarded.test", "www.example.test", "--live", live, "--format", "json")
    assert r.exit_code == 0, r.stderr
    forwarded, answered = json.loads(r.stdout)["results"]
    assert forwarded["forwarded_to"] == [live] and forwarded["rcode"] is None
    assert forwarded["live"]["rcode"] == "NOERROR"
    assert [a["data"] for a in forwarded["live"]["answers"]] == ["192.0.2.10"]
    assert forwarded["live"]["matches"] is True                       # nothing predicted to contradict
    assert answered["live"]["matches"] is True and answered["live"]["differences"] == []


def test_live_server_that_does_not_answer(corefile):
    port = _free_port()                       # nothing listens there
    r = simulate(corefile, "www.example.test", "--live", f"127.0.0.1:{port}")
    assert r.exit_code == 1
    assert "no reply from 127.0.0.1" in r.stdout and "≠ DIFFERS predicted NOERROR" in r.stdout
