"""Benchmark: a full mesh of N clusters generated (N Corefiles of N-1 peer blocks each) and checked (every
Corefile linted, every pair's service name walked through the simulator).

    .venv/bin/python benchmarks/generate_bench.py            # 200 clusters (target: under 10 s), then 1,000
    .venv/bin/python benchmarks/generate_bench.py 50 400     # other sizes
    .venv/bin/python benchmarks/generate_bench.py --generate-only 1000   # inventory, trees and text only

The first size is the target: the script exits 1 when it takes 10 s or more. Wall time is the target; the CPU
seconds (this process and the check's workers) show what the code costs on a machine busy with other work.
"""
from __future__ import annotations

import sys
import time

TARGET_CLUSTERS = 200
TARGET_SECONDS = 10.0


def inventory_text(n: int) -> str:
    lines = ['defaults:', '  coredns_version: "1.11.3"',
             '  forward: {policy: sequential, health_check: 5s, max_concurrent: 1000, expire: 10s}',
             'clusters:']
    for i in range(n):
        lines.append(f"  - {{name: c{i}, mesh_domain: c{i}.mesh.example, "
                     f"dns: [10.{i // 250}.{i % 250}.10, 10.{i // 250}.{i % 250}.11]}}")
    return "\n".join(lines) + "\n"


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the mesh check's worker processes)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(n: int, check: bool = True) -> dict:
    from corefile_tool.generator import inventory, mesh, model, render
    from corefile_tool.linter import gc_paused

    timings = {}
    cpu = _cpu()
    start = time.perf_counter()
    with gc_paused():
        inv = inventory.load("bench-inventory.yaml", text=inventory_text(n))
        timings["load"] = time.perf_counter() - start
        t = time.perf_counter()
        configs = model.build_all(inv)
        timings["build"] = time.perf_counter() - t
        t = time.perf_counter()
        texts = [render.render(c) for c in configs]
        timings["render"] = time.perf_counter() - t
        timings["generate"] = time.perf_counter() - start
        report = None
        if check:
            t = time.perf_counter()
            report = mesh.check(inv, configs)
            timings["check"] = time.perf_counter() - t
    if report is not None and not report.ok:
        raise SystemExit(f"mesh check failed: {report.failed_walks[:1] or report.lint_problems[:1]}")
    timings["total"] = time.perf_counter() - start
    timings["cpu"] = _cpu() - cpu
    timings["walks"] = len(report.walks) if report else 0
    timings["blocks"] = sum(len(c.added) for c in configs)
    timings["bytes"] = sum(len(t) for t in texts)
    return timings


def main(argv: list[str]) -> int:
    check = "--generate-only" not in argv
    sizes = [int(a) for a in argv if a != "--generate-only"] or [TARGET_CLUSTERS, 1000]
    failed = False
    for i, n in enumerate(sizes):
        r = run(n, check)
        line = (f"{n:5d} clusters: {r['blocks']:7d} peer blocks, {r['bytes'] / 1e6:6.1f} MB, {r['walks']:7d} walks; "
                f"generate {r['generate']:6.2f} s (load {r['load']:.2f}, build {r['build']:.2f}, "
                f"render {r['render']:.2f})" + (f", check {r['check']:6.2f} s" if check else "")
                + f", total {r['total']:6.2f} s ({r['cpu']:.2f} s CPU)")
        if i == 0 and n == TARGET_CLUSTERS and check:
            ok = r["total"] < TARGET_SECONDS
            failed = not ok
            line += f"  ({'ok' if ok else 'FAIL'}: target < {TARGET_SECONDS:.0f} s)"
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
