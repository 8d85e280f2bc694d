"""The conformance `parse` suite (vectors from CoreDNS's and its parser's own tests) through the installed
command; skipped when ../shared is absent. Issue #2 asks for at least 97%. The one known disagreement is
`10.9.3.0/18`, whose vector lists only the first 3 of the 64 reverse zones CoreDNS really produces."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT.parent / "shared" / "conformance" / "run"


@pytest.mark.skipif(not RUN.is_file(), reason="../shared/conformance is absent")
def test_conformance_parse_suite_agrees_on_at_least_97_percent():
    installed = Path(sys.executable).with_name("corefile")
    cmd = str(installed) if installed.is_file() else f"{shlex.quote(sys.executable)} -m corefile_tool.cli"
    p = subprocess.run([sys.executable, str(RUN), "parse", "--cmd", cmd, "--show", "10"], capture_output=True,
                       text=True, cwd=ROOT, timeout=600)
    score = re.search(r"conformance parse=([\d.]+)%", p.stdout)
    assert score, p.stdout + p.stderr
    assert float(score.group(1)) >= 97.0, p.stdout
