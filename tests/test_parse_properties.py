"""Property tests: random text, random bytes and mutated real Corefiles never make the parser raise; what comes
back is a tree or diagnostics with a position and a one-line message, and the JSON contract always encodes."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corefile_tool.lexer import decode
from corefile_tool.parser import parse
from test_parse_syntax import K3S_STYLE, KUBEADM_STYLE

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "data" / "realworld"
SAMPLES = [KUBEADM_STYLE, K3S_STYLE] + ([p.read_text(encoding="utf-8") for p in sorted(REALWORLD.glob("*.Corefile"))]
                                        if REALWORLD.is_dir() else [])
ENV = {"A": "a", "EMPTY": "", "BRACE": "{", "LOOP": "{$LOOP}x", "IMPORT": "import"}
PIECES = ["{", "}", "import", "import s", '"', "#", ",", "\n", "\r", " ", "(s)", "{$A}", "{$EMPTY}", "{$BRACE}",
          "{$LOOP}", "{%A%}", '""', "\ufeff", "\x00", "\ufffd", "\\", "a, ", "}}", "{{"]


def check(text: str, tmp_path: Path):
    cf = parse(text, path=str(tmp_path / "Corefile"), env=ENV)
    for d in cf.diagnostics:
        assert d.severity in ("error", "warning", "info")
        assert "\n" not in d.message and d.message
        assert isinstance(d.path, str) and d.line >= 0 and d.column >= 0
        if d.severity == "error":
            assert d.line >= 1 and d.column >= 1
    json.dumps(cf.to_json(with_tokens=True))
    if cf.ok:
        for block in cf.server_blocks:
            for directive in block.directives:
                for t in directive.tokens():
                    assert t.line >= 1 and t.column >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_random_text_never_raises(text, tmp_path):
    check(text, tmp_path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data, tmp_path):
    check(decode(data), tmp_path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(PIECES + ["log", "forward", ".", "a.example"]), max_size=60).map("".join))
def test_structural_soup_never_raises(text, tmp_path):
    check(text, tmp_path)


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        else:
            text = text[:at] + text[at:at + draw(st.integers(1, 40))] + text[at:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_real_corefiles_never_raise(text, tmp_path):
    check(text, tmp_path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(main=st.lists(st.sampled_from(["import a.conf", "import b.conf", "import *.conf", "import nothing/*",
                                      "import missing.conf", "import .", "import s", "(s) {\n import s\n}",
                                      ". {", "}", "log"]), max_size=8).map("\n".join),
       a=st.sampled_from(["", "log\n", "import b.conf\n", "import a.conf\n", ". {\n import *.conf\n}\n"]),
       b=st.sampled_from(["", "}\n", "import a.conf\n", "(s) {\n log\n}\n"]))
def test_imports_always_end_in_a_tree_or_a_clear_diagnostic(main, a, b, tmp_path):
    (tmp_path / "a.conf").write_text(a)
    (tmp_path / "b.conf").write_text(b)
    check(main, tmp_path)
