"""../shared/conformance/run against the installed `corefile` command (skipped when ../shared is absent):
the setup vectors (CoreDNS's own plugin setup tests) must agree at least 95% of the time; and every listener
overlap and server-block key vector of the parse suite, which that suite checks through `corefile lint`, must
agree."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from corefile_tool.cli import main

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT.parent / "shared" / "conformance" / "run"
COREFILE = Path(sys.executable).parent / "corefile"


def conformance(suite: str) -> str:
    if not RUN.exists():
        pytest.skip("../shared/conformance is absent")
    if not COREFILE.exists():
        pytest.skip(f"{COREFILE} is not installed")
    done = subprocess.run([sys.executable, str(RUN), suite, "--cmd", str(COREFILE), "--show", "1000"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_setup_vectors_agree_at_least_95_percent():
    out = conformance("setup")
    score = float(re.search(r"conformance setup=([0-9.]+)%", out).group(1))
    assert score >= 95.0, out[-4000:]


def _parse_vectors(kinds):
    path = RUN.parent / "data" / "parse_vectors.jsonl"
    if not path.exists():
        pytest.skip("../shared/conformance is absent")
    return [v for v in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if v["kind"] in kinds]


def _lint_errors(tmp_path, text) -> int:
    """What `run parse` checks for these kinds: the number of errors `corefile lint --format json` reports
    (in-process: the suite's one subprocess per vector is too slow for the test run)."""
    path = tmp_path / "v.Corefile"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--format", "json", str(path)])
    return json.loads(result.stdout)["summary"]["errors"]


def test_parse_overlap_vectors_agree(tmp_path):
    for v in _parse_vectors({"overlap"}):
        text = ""
        for e in v["input"]:
            text += f"{e['transport']}://{e['zone']}:{e['port']} {{\n"
            text += (f"    bind {e['address']}\n" if e.get("address") else "") + "    whoami\n}\n"
        want = any(r.get("same") or r.get("overlap") for r in v["expected"])
        assert (_lint_errors(tmp_path, text) > 0) == want, v["id"]


def test_parse_key_vectors_agree(tmp_path):
    for v in _parse_vectors({"key"}):
        text = "".join(" ".join(keys) + " {\n}\n" for keys in v["input"])
        assert (_lint_errors(tmp_path, text) > 0) == v["expected"]["error"], v["id"]
