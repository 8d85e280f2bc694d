#!/usr/bin/env python3
"""Fuzz the Corefile front end for a given time (issue #8): hypothesis draws inputs, batch after batch, until
the time is up, and every one must hold:

- parse: random text, random bytes, structural soup, mutated real Corefiles and imports between generated files
  never raise; every diagnostic has a position and a one-line message; the JSON contract encodes;
- oracle: the grammar-driven parser agrees with the independent cursor parser of tests/test_parse_oracle.py
  (keys, every directive's words, the first error);
- lint and fmt (when present): never raise on what the parser accepts or rejects.

Run: .venv/bin/python benchmarks/fuzz.py [--minutes 10] [--targets parse,oracle,lint,fmt] [--seed N]
Prints the number of inputs per target and the first failure (with the input that caused it); exits 1 on one.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_parse_oracle as oracle  # noqa: E402
import test_parse_properties as props  # noqa: E402
from corefile_tool.lexer import decode  # noqa: E402

BATCH = 200


def inputs():
    return st.one_of(
        st.text(max_size=400),
        st.binary(max_size=400).map(decode),
        st.lists(st.sampled_from(props.PIECES + ["log", "forward", ".", "a.example", "import a.conf"]),
                 max_size=80).map("".join),
        props.mutated(),
        oracle.corefile,
    )


def check_parse(text: str, base: Path):
    props.check(text, base)


def check_oracle(text: str, base: Path):
    empty = base / "empty"  # the cursor parser knows snippets, not files: no file may match an import here
    empty.mkdir(exist_ok=True)
    oracle.both(text, empty)


def check_lint(text: str, base: Path):
    from corefile_tool.linter import lint_tree
    from corefile_tool.parser import parse

    tree = parse(text, path=str(base / "Corefile"), env=props.ENV)
    for d in lint_tree(tree):
        assert "\n" not in d.message, f"a diagnostic message spans lines: {d!r}"


def check_fmt(text: str, base: Path):
    from corefile_tool.diagnostics import CorefileError
    from corefile_tool.printer import UnprintableError, format_text

    try:
        format_text(text, path=str(base / "Corefile"))
    except (CorefileError, UnprintableError):
        pass


CHECKS = {"parse": check_parse, "oracle": check_oracle, "lint": check_lint, "fmt": check_fmt}


def oracle_inputs():
    """The cursor parser models snippets, not the file system: no glob characters, so no import can match."""
    return inputs().filter(lambda text: not any(c in text for c in "*?[]\\"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--targets", default="parse,oracle,lint,fmt")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    targets = [t for t in a.targets.split(",") if t]
    unknown = set(targets) - set(CHECKS)
    if unknown:
        ap.error(f"unknown targets: {', '.join(sorted(unknown))}")
    rng = random.Random(a.seed)
    deadline = time.monotonic() + a.minutes * 60
    counts = {t: 0 for t in targets}
    failures = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "a.conf").write_text("import a.conf\n")  # a cycle for `import a.conf` to find
        while time.monotonic() < deadline and len(failures) < len(targets):
            for target in targets:
                if target in failures:
                    continue
                check = CHECKS[target]

                @settings(max_examples=BATCH, deadline=None, database=None, derandomize=False,
                          suppress_health_check=list(HealthCheck))
                @given(text=oracle_inputs() if target == "oracle" else inputs())
                def batch(text):
                    counts[target] += 1
                    check(text, base)

                try:
                    seed(rng.randrange(2 ** 32))(batch)()
                except Exception as e:  # hypothesis has shrunk it: keep the smallest failing input's report
                    failures[target] = "".join(traceback.format_exception_only(type(e), e)).strip()
                if time.monotonic() >= deadline:
                    break
    total = sum(counts.values())
    print(f"fuzzed {a.minutes:g} min: {total} inputs (" + ", ".join(f"{t} {n}" for t, n in counts.items()) + ")")
    for target, report in failures.items():
        print(f"FAILED {target}: {report[:2000]}")
    if not failures:
        print("no failure")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
