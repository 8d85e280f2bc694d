"""`corefile simulate` on the command line: text and JSON output, batches, and one-line errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corefile_tool.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "simulate"
COREFILE = str(SAMPLES / "Corefile")
STATE = str(SAMPLES / "cluster-state.yaml")


def invoke(*args):
    result = CliRunner().invoke(main, ["simulate", *args])
    return result


def as_json(*args):
    r = invoke(*args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_json_contract():
    out = as_json(COREFILE, "www.example.org", "shop.example.org", "--type", "A")
    assert [r["qname"] for r in out["results"]] == ["www.example.org.", "shop.example.org."]
    first = out["results"][0]
    for key, kind in [("qname", str), ("qtype", str), ("server_block", dict), ("answered_by", dict),
                      ("rcode", str), ("answers", list), ("trace", list)]:
        assert isinstance(first[key], kind), key
    assert "forwarded_to" in first and first["forwarded_to"] is None
    assert first["server_block"] == {"index": 1, "line": 14, "keys": ["example.org:53"], "zone": "example.org."}
    assert first["answered_by"] == {"plugin": "file", "line": 15}
    assert first["answers"] == [{"name": "www.example.org.", "type": "A", "ttl": 3600, "data": "192.0.2.80"}]
    assert set(first["trace"][0]) == {"plugin", "line", "decision", "reason"}
    assert out["corefile"]["starts"] is True


def test_forwarded_result_has_null_rcode_and_upstreams():
    r = as_json(COREFILE, "example.com")["results"][0]
    assert r["rcode"] is None
    assert r["forwarded_to"] == ["192.0.2.53:53", "192.0.2.54:53"]
    assert r["answered_by"]["plugin"] == "forward"
    assert "policy sequential" in r["trace"][-1]["reason"]


def test_client_ip_picks_the_view_and_cluster_state_answers():
    office = as_json(COREFILE, "intranet.example.org", "--client-ip", "10.10.3.4")["results"][0]
    assert office["answered_by"]["plugin"] == "hosts" and office["routing"]["candidates"][0]["view"] == "office"
    svc = as_json(COREFILE, "my-svc.my-ns.svc.cluster.local", "--cluster-state", STATE)["results"][0]
    assert [a["data"] for a in svc["answers"]] == ["10.96.0.20"]


def test_text_trace_shows_routing_chain_and_result():
    r = invoke(COREFILE, "www.example.org", "--type", "AAAA")
    assert r.exit_code == 0
    assert "listener  dns://:53" in r.stdout
    assert "skipped: view office" in r.stdout
    assert "chain (plugin.cfg order):" in r.stdout
    assert "result    NOERROR, 1 answer (by file, line 15)" in r.stdout
    assert "2001:db8::80" in r.stdout


def test_names_file(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("# queries\nwww.example.org\nexample.org MX\n\nmail.example.org aaaa  # comment\n",
                     encoding="utf-8")
    out = as_json(COREFILE, "--names-file", str(names))
    assert [(r["qname"], r["qtype"]) for r in out["results"]] == [
        ("www.example.org.", "A"), ("example.org.", "MX"), ("mail.example.org.", "AAAA")]


def test_corefile_that_would_not_start_is_still_simulated(tmp_path):
    path = tmp_path / "Corefile"
    path.write_text(". {\n forward example.org\n whoami\n}\n", encoding="utf-8")
    r = invoke(str(path), "www.example.org", "--format", "json")
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["corefile"]["starts"] is False and out["corefile"]["errors"]
    assert out["results"][0]["rcode"] is None                  # the invalid forward covers the name
    text = invoke(str(path), "www.example.org")
    assert "would not start" in text.stderr and text.exit_code == 1


@pytest.mark.parametrize("args,message", [
    (["--type", "BOGUS", "x.test"], "--type: 'BOGUS' is not a DNS record type"),
    (["--class", "XX", "x.test"], "--class: 'XX' is not a DNS class"),
    (["--client-ip", "1.2.3", "x.test"], "--client-ip: '1.2.3' is not an IP address"),
    (["..bad"], "'..bad': not a valid domain name"),
    ([], "no NAME given"),
    (["--cluster-state", "/nonexistent/state.yaml", "x.test"], "/nonexistent/state.yaml: no such file"),
    (["--coredns-version", "0.1", "x.test"], "unknown CoreDNS version"),
    (["--live", "[::1", "x.test"], "missing ']'"),
    (["--names-file", "/nonexistent/names"], "/nonexistent/names: no such file"),
])
def test_user_errors_are_one_line(args, message):
    r = invoke(COREFILE, *args)
    assert r.exit_code == 2
    assert r.stderr.startswith("corefile: ") and message in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_names_file_errors_name_the_line(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("ok.test\nbad.test A extra\n", encoding="utf-8")
    r = invoke(COREFILE, "--names-file", str(names))
    assert r.exit_code == 2 and f"{names}:2: expected `NAME [TYPE]`" in r.stderr
    names.write_text("ok.test NOTATYPE\n", encoding="utf-8")
    assert f"{names}:1: 'NOTATYPE' is not a DNS record type" in invoke(COREFILE, "--names-file", str(names)).stderr


def test_missing_corefile():
    r = invoke("/nonexistent/Corefile", "x.test")
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_output_is_deterministic():
    a = invoke(COREFILE, "www.example.org", "example.com", "--format", "json").stdout
    b = invoke(COREFILE, "www.example.org", "example.com", "--format", "json").stdout
    assert a == b
