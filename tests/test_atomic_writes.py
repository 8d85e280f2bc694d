"""A write that is killed, or fails, never leaves a half-written file (issue #8 "Nothing lost")."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corefile_tool.files import write_atomically

CLI = [sys.executable, "-m", "corefile_tool.cli"]


def _badly_indented_corefile(blocks: int) -> str:
    parts = []
    for i in range(blocks):
        parts.append(f"peer-{i}.example.com:53 {{\n errors\n  cache 30\n forward . 10.{i // 250 % 250}.{i % 250}.10 {{\n"
                     f"   policy sequential\n  }}\n}}\n")
    return "".join(parts)


def test_killing_fmt_mid_write_leaves_the_old_file_or_the_new_one(tmp_path):
    target = tmp_path / "big.Corefile"
    original = _badly_indented_corefile(20_000)
    target.write_text(original)
    formatted = subprocess.run(CLI + ["fmt", str(target)], capture_output=True, text=True, check=True).stdout
    assert formatted != original
    outcomes = set()
    for delay in (0.2, 0.5, 0.9, 1.4, 2.0, 3.0):
        target.write_text(original)
        proc = subprocess.Popen(CLI + ["fmt", "--write", str(target)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        content = target.read_text()
        assert content in (original, formatted), f"half-written file after a kill at {delay}s"
        outcomes.add("old" if content == original else "new")
    assert "old" in outcomes  # at least one kill landed before the rename


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "Corefile"
    target.write_text(". {\n    whoami\n}\n")

    with pytest.raises(TypeError):
        write_atomically(target, None)  # the write itself fails after the temporary file was made
    assert target.read_text() == ". {\n    whoami\n}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Corefile"]


def test_replacing_keeps_the_file_mode(tmp_path):
    target = tmp_path / "Corefile"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert (target.stat().st_mode & 0o777) == 0o640
