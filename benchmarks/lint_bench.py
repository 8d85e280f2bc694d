#!/usr/bin/env python3
"""Lint performance targets (issue #3):

- lint of a 10,000-server-block Corefile (the shape a 10,000-cluster mesh makes: one kubeadm-style `.:53` block
  plus one block per peer domain with errors/cache/forward) in under 2 s;
- `corefile lint` of a typical 30-line Corefile as a fresh process (cold start) in under 200 ms.

Run: .venv/bin/python benchmarks/lint_bench.py [--blocks N] [--runs N]. Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIG_TARGET_S = 2.0
COLD_TARGET_S = 0.200

KUBEADM_BLOCK = """.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
        max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
"""


def mesh_corefile(peers: int) -> str:
    parts = [KUBEADM_BLOCK]
    for i in range(peers):
        a, b = divmod(i, 250)
        parts.append(
            f"cluster-{i:05d}.mesh.example.com:53 {{\n"
            f"    errors\n"
            f"    cache 30\n"
            f"    forward . 10.{a % 250}.{b}.10:53 10.{a % 250}.{b}.11:53 {{\n"
            f"        policy round_robin\n"
            f"    }}\n"
            f"}}\n")
    return "\n".join(parts)


def typical_corefile() -> str:
    return KUBEADM_BLOCK + """
example.org:53 {
    errors
    file /dev/null example.org
    cache 300
}
"""


def time_big(blocks: int, runs: int) -> float:
    from corefile_tool import lint

    text = mesh_corefile(blocks - 1)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        found = lint(text, path="mesh.Corefile")
        best = min(best, time.perf_counter() - start)
    errors = [d for d in found if d.severity == "error"]
    if errors:
        print(f"  (the generated Corefile has {len(errors)} errors, first: {errors[0]})")
    return best


def time_cold(runs: int) -> float:
    exe = ROOT / ".venv" / "bin" / "corefile"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "corefile_tool.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Corefile"
        path.write_text(typical_corefile(), encoding="utf-8")
        lines = len(path.read_text().splitlines())
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.run(cmd + ["lint", str(path)], capture_output=True, text=True,
                                  env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"})
            times.append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"corefile lint failed ({proc.returncode}): {proc.stderr.strip()}")
    print(f"  typical Corefile: {lines} lines")
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    big = time_big(a.blocks, max(1, a.runs // 2))
    print(f"lint of a {a.blocks}-block Corefile: {big:.3f} s (target < {BIG_TARGET_S} s)")
    cold = time_cold(a.runs)
    print(f"cold `corefile lint` of a typical Corefile: {cold * 1000:.0f} ms median (target < {COLD_TARGET_S * 1000:.0f} ms)")
    ok = big < BIG_TARGET_S and cold < COLD_TARGET_S
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
