"""corefile fmt: canonical layout, comments and blank lines kept, meaning never changed, idempotent."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corefile_tool.diagnostics import CorefileError
from corefile_tool.lexer import Token
from corefile_tool.parser import parse
from corefile_tool.printer import (UnprintableError, format_corefile, format_directive, format_server_block,
                                   format_text, quote_word)
from corefile_tool.tree import Block, Corefile, Directive, Key, ServerBlock

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "conformance" / "data" / "realworld"
CLI = [sys.executable, "-m", "corefile_tool.cli"]


def shape(corefile):
    """The parse tree without positions: keys, directive names, arguments, blocks (key normalisation is
    derived from the key's text, so it is left out)."""
    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items()
                    if k not in ("line", "column", "transport", "zones", "port")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node
    return strip(corefile.to_json())["server_blocks"]


def same_meaning(original: str, formatted: str, path="Corefile"):
    before = parse(original, path=path, env={})
    after = parse(formatted, path=path, env={})
    assert before.ok and after.ok
    assert shape(after) == shape(before)


# ------------------------------------------------------------------ layout

def test_canonical_layout():
    messy = (".:53   {\n"
             "\terrors\n"
             "  forward . 1.1.1.1 8.8.8.8   {\n"
             "     max_concurrent 1000\n"
             "}\n"
             "        cache 30\n"
             "}\n"
             "\n\n\n"
             "example.org\n"
             "{\n"
             "file db.example.org\n"
             "}\n")
    assert format_text(messy) == (
        ".:53 {\n"
        "    errors\n"
        "    forward . 1.1.1.1 8.8.8.8 {\n"
        "        max_concurrent 1000\n"
        "    }\n"
        "    cache 30\n"
        "}\n"
        "\n"
        "example.org {\n"
        "    file db.example.org\n"
        "}\n")


def test_blocks_on_one_line_are_opened_up():
    # A nested block closed on its own line is legal for the parser; fmt spreads it over lines.
    out = format_text("a.org { \n forward . 1.1.1.1 { force_tcp\n }\n} b.org {\nwhoami\n}\n")
    assert out == ("a.org {\n    forward . 1.1.1.1 {\n        force_tcp\n    }\n}\n\n"
                   "b.org {\n    whoami\n}\n")


def test_blank_line_groups_inside_blocks_are_kept_as_one():
    out = format_text(". {\n\n\n    errors\n    log\n\n\n\n    cache\n    whoami\n\n}\n")
    assert out == ". {\n    errors\n    log\n\n    cache\n    whoami\n}\n"


def test_brace_less_block_and_keys_only_get_braces():
    assert format_text(".\nwhoami\nlog\n") == ". {\n    whoami\n    log\n}\n"
    assert format_text("example.org") == "example.org {\n}\n"
    # but `(name)` alone at the end of the file stays alone: `(name) {` + `}` would define a snippet
    assert format_text(". {\n}\n(s)") == ". {\n}\n\n(s)\n"
    assert format_text("(s)") == "(s)\n"
    same_meaning("(s)", "(s)\n")


def test_keys_on_several_lines_join_one_line():
    out = format_text("a.org,\n  b.org, c.org:1053\n{\n  whoami\n}\n")
    assert out == "a.org b.org c.org:1053 {\n    whoami\n}\n"
    same_meaning("a.org,\n  b.org, c.org:1053\n{\n  whoami\n}\n", out)


def test_a_key_that_keeps_a_comma_keeps_it():
    # `a,,` is the key `a,` (the parser strips one comma): printing must give the comma back.
    text = "a,, b {\n    whoami\n}\n"
    assert parse(text).server_blocks[0].keys[0].text == "a,"
    assert format_text(text) == text


def test_a_line_that_starts_with_a_nested_block_keeps_its_words():
    # No plugin reads such a line, but the parser keeps its words, and so does fmt (on one line).
    text = ". {\n    forward . 1.1.1.1 {\n        {\n            force_tcp\n        } x\n    }\n}\n"
    out = format_text(text)
    assert out == ". {\n    forward . 1.1.1.1 {\n        { force_tcp } x\n    }\n}\n"
    same_meaning(text, out)


def test_words_after_a_closing_brace_stay_after_it():
    text = ". {\n    forward . 1.1.1.1 {\n        force_tcp\n    } extra\n}\n"
    assert format_text(text) == text


# ------------------------------------------------------------------ quoting

@pytest.mark.parametrize("word, written", [
    ("plain", "plain"),
    ("", '""'),
    ("two words", '"two words"'),
    ("tab\there", '"tab\there"'),
    ("a#b", '"a#b"'),
    ('"lead', '"\\"lead"'),
    ('mid"quote', '"mid\\"quote"'),
    ("{{ .Name }}", '"{{ .Name }}"'),
    ("{whoami}", "{whoami}"),
    ("a\\.b", "a\\.b"),
    ("line\nbreak", '"line\nbreak"'),
    ("back\\", "back\\"),                   # a trailing backslash would escape the closing quote
    ('x\\"y', 'x\\"y'),                    # so would one before a quote: left bare, which reads back the same
    ("sp \\\\", '"sp \\\\"'),               # an even run of backslashes is safe inside quotes
])
def test_quote_word_reads_back_as_the_same_word(word, written):
    assert quote_word(word) == written
    tokens = parse(f". {{\n    log {written}\n}}\n").server_blocks[0].directives[0].args
    assert [t.text for t in tokens] == [word]


@pytest.mark.parametrize("word", ["{", "}", "sp \\", 'a "\\"'])
def test_words_no_corefile_can_carry_are_refused(word):
    with pytest.raises(UnprintableError):
        quote_word(word)


def test_quoted_braces_are_still_braces():
    # "{" quoted is a brace to CoreDNS: the parser gives the directive a block, and fmt prints it as one.
    out = format_text('. {\n    forward . 1.1.1.1 "{"\n        force_tcp\n    "}"\n}\n')
    assert out == ". {\n    forward . 1.1.1.1 {\n        force_tcp\n    }\n}\n"


# ------------------------------------------------------------------ comments

def test_every_comment_stays_in_place():
    text = ("# file header\n"
            "\n"
            ". { # opening\n"
            "    # about errors\n"
            "    errors   # trailing\n"
            "\n"
            "    # a group\n"
            "    forward . 1.1.1.1 {\n"
            "        force_tcp # inner\n"
            "        # last inside forward\n"
            "    } # after close\n"
            "    # last in block\n"
            "}\n"
            "# end of file\n")
    assert format_text(text) == text.replace("errors   #", "errors #")


def test_comment_between_multi_line_keys_moves_above_the_key_line():
    out = format_text("a.org, # first\n# between\nb.org {\n    whoami\n}\n")
    assert out == "# between\na.org b.org { # first\n    whoami\n}\n"


def test_comment_before_a_closing_brace_is_indented_inside_the_block():
    out = format_text(". {\nwhoami\n# closing remark\n}\n")
    assert out == ". {\n    whoami\n    # closing remark\n}\n"


def test_hash_inside_quotes_is_not_a_comment():
    text = '. {\n    template IN A {\n        answer "{{ .Name }} 60 IN TXT \\"#1\\""\n    }\n}\n'
    assert format_text(text) == text


# ------------------------------------------------------------------ as written: snippets, imports, env

def test_snippets_imports_and_env_are_formatted_as_written():
    text = ("(common) {\n"
            "  errors\n"
            "     log\n"
            "}\n"
            "import   conf.d/*.conf\n"
            "import \"with space.conf\"\n"
            "example.org:{$PORT} {\n"
            "  import common\n"
            "  forward . {$UPSTREAM} {\n"
            "      import tls-options\n"
            "  }\n"
            "}\n")
    assert format_text(text) == (
        "(common) {\n"
        "    errors\n"
        "    log\n"
        "}\n"
        "\n"
        "import conf.d/*.conf\n"
        "import \"with space.conf\"\n"
        "example.org:{$PORT} {\n"
        "    import common\n"
        "    forward . {$UPSTREAM} {\n"
        "        import tls-options\n"
        "    }\n"
        "}\n")


def test_imports_resolve_to_the_same_tree_after_formatting(tmp_path):
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.conf").write_text("a.example {\n whoami\n}\n")
    (tmp_path / "tls.conf").write_text("tls_servername dns.example\n")
    text = ("(common) {\n errors\n log\n}\nimport conf.d/*.conf\n"
            ". {\n import common\n forward . 1.1.1.1 {\n  import tls.conf\n }\n}\n")
    main = tmp_path / "Corefile"
    main.write_text(text)
    formatted = format_text(text, str(main))
    assert formatted != text
    same_meaning(text, formatted, path=str(main))
    assert len(parse(formatted, path=str(main)).server_blocks) == 2


def test_snippet_definition_is_not_expanded_in_place():
    # The snippet stays one definition and one import, whatever it holds.
    out = format_text("(zones) {\n a.org {\n whoami\n }\n}\nimport zones\n")
    assert out == "(zones) {\n    a.org {\n        whoami\n    }\n}\n\nimport zones\n"
    same_meaning("(zones) {\n a.org {\n whoami\n }\n}\nimport zones\n", out)


def test_unparsable_file_is_refused_with_its_position():
    with pytest.raises(CorefileError) as e:
        format_text(". {\n    whoami }\n", "bad.Corefile")
    d = e.value.diagnostic
    assert (d.path, d.line, d.column) == ("bad.Corefile", 2, 12)


# ------------------------------------------------------------------ trees built in code (the generator)

def _tok(text):
    return Token(text, 0, 0)


def test_trees_built_in_code_print_canonically():
    forward = Directive(_tok("forward"), [_tok("."), _tok("10.0.0.1:53")],
                        Block(_tok("{"), [Directive(_tok("policy"), [_tok("sequential")])], _tok("}")))
    block = ServerBlock([Key(_tok("example.org:53"), "example.org:53"), Key(_tok("b.org"), "b.org")],
                        [Directive(_tok("errors")), Directive(_tok("log"), [_tok("two words")]), forward])
    expected = ("example.org:53 b.org {\n    errors\n    log \"two words\"\n    forward . 10.0.0.1:53 {\n"
                "        policy sequential\n    }\n}\n")
    assert format_server_block(block) == expected
    assert format_directive(forward, 1) == "    forward . 10.0.0.1:53 {\n        policy sequential\n    }\n"
    two = Corefile(path="x", text="", server_blocks=[block, block])
    assert format_corefile(two) == expected + "\n" + expected
    same_meaning(format_corefile(two), format_text(format_corefile(two)))


def test_tree_with_a_brace_argument_is_refused():
    with pytest.raises(UnprintableError):
        format_directive(Directive(_tok("log"), [_tok("{")]))


# ------------------------------------------------------------------ meaning kept, idempotent: real files

def _corpus():
    files = sorted((ROOT / "samples").glob("*Corefile*"))
    if REALWORLD.is_dir():
        files += sorted(REALWORLD.glob("*.Corefile"))
    return files


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_formatting_keeps_meaning_and_is_idempotent(path):
    text = path.read_text(encoding="utf-8")
    if not parse(text, path=str(path), as_written=True).ok:
        with pytest.raises(CorefileError):
            format_text(text, str(path))
        return
    once = format_text(text, str(path))
    same_meaning(text, once, str(path))
    assert format_text(once, str(path)) == once
    n_comments = len(parse(text, as_written=True).comments)
    assert len(parse(once, as_written=True).comments) <= n_comments  # trailing ones may merge, none lost
    assert once.count("#") == text.count("#") or "\"" in text


def test_realworld_corpus_present_or_skipped():
    if not REALWORLD.is_dir():
        pytest.skip("../shared/conformance/data/realworld is absent")
    assert len(list(REALWORLD.glob("*.Corefile"))) >= 10


# ------------------------------------------------------------------ meaning kept, idempotent: any file

NAMES = st.sampled_from(["errors", "log", "forward", "cache", "whoami", "hosts", "template", "x-plugin"])
BARE = st.text(alphabet="abcxyz019.:/_-{}*\\'(),", min_size=1, max_size=8).filter(
    lambda w: w not in ("{", "}", "import") and not w.startswith("#"))
ODD = st.text(alphabet=' ab#"\\{}\t', min_size=0, max_size=6)
WORDS = st.one_of(BARE, BARE, ODD)
SPACE = st.sampled_from([" ", "  ", "\t", " \t "])
COMMENT = st.sampled_from(["", "", "", " # note", "  #x#y", " #"])


def _spell(word, draw):
    """One way of writing `word` that the lexer reads back as it (quoted when needed, or by choice)."""
    try:
        spelled = quote_word(word)
    except UnprintableError:
        assume(False)
    if not spelled.startswith('"') and draw(st.booleans()) and "\\" not in word and '"' not in word:
        spelled = '"' + word + '"'
    return spelled


@st.composite
def messy_directive(draw, depth):
    parts = [draw(NAMES)]
    for w in draw(st.lists(WORDS, max_size=3)):
        parts.append(_spell(w, draw))
    line = draw(SPACE).join(parts)
    if depth < 2 and draw(st.integers(0, 3)) == 0:
        opener = draw(st.sampled_from([" {", "{" if parts[-1][-1:] == '"' else " {", "\n{"]))
        children = draw(st.lists(messy_directive(depth + 1), max_size=3))
        gap = draw(st.sampled_from(["\n", "\n\n", "\n\n\n"]))
        line += opener + draw(COMMENT) + "\n" + gap.join(children) + "\n}" + draw(COMMENT)
    else:
        line += draw(COMMENT)
    if draw(st.integers(0, 5)) == 0:
        line = "# standalone\n" + line
    return draw(SPACE) + line


@st.composite
def messy_corefile(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        keys = draw(st.lists(st.sampled_from([".", "example.org", "b.org:1053", "10.0.0.0/8", "dns://.:53"]),
                             min_size=1, max_size=3))
        sep = draw(st.sampled_from([" ", ", ", ",\n"]))
        head = sep.join(keys) + draw(st.sampled_from([" {", "\n{"])) + draw(COMMENT)
        body = draw(st.sampled_from(["\n", "\n\n"])).join(draw(st.lists(messy_directive(0), max_size=4)))
        blocks.append(head + "\n" + body + "\n}")
    return draw(st.sampled_from(["\n", "\n\n", "\n# between\n"])).join(blocks) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(messy_corefile())
def test_property_formatting_keeps_the_tree_and_is_idempotent(text):
    tree = parse(text, env={})
    assume(tree.ok)
    once = format_text(text)
    same_meaning(text, once)
    assert format_text(once) == once


SOUP = st.lists(st.sampled_from(["a", "b.org", ".", "{", "}", "\n", "\n", " ", "\t", "# c", '"q x"', '""',
                                  '"m\nl"', "x,", ",", "import", "(s)", "\r\n", 'a"b', "\\", "k{", "}x"]),
                min_size=1, max_size=30).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(SOUP)
def test_property_any_text_that_parses_formats_to_the_same_meaning_or_is_refused(text):
    assume(parse(text, as_written=True).ok)
    try:
        once = format_text(text)
    except CorefileError:
        return  # refused with a message, file left alone
    assert format_text(once) == once
    before, after = parse(text, env={}), parse(once, env={})
    assert before.ok == after.ok
    if before.ok:
        assert shape(after) == shape(before)


@st.composite
def built_tree(draw):
    def directive(depth):
        name = draw(NAMES)
        args = [_tok(w) for w in draw(st.lists(WORDS.filter(lambda w: w not in ("{", "}")), max_size=3))]
        block = None
        if depth < 2 and draw(st.booleans()):
            block = Block(_tok("{"), [directive(depth + 1) for _ in range(draw(st.integers(0, 2)))], _tok("}"))
        return Directive(_tok(name), args, block)

    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        keys = [Key(_tok(k), k) for k in draw(st.lists(st.sampled_from([".", "a.org", "b.org:53"]),
                                                        min_size=1, max_size=2))]
        blocks.append(ServerBlock(keys, [directive(0) for _ in range(draw(st.integers(0, 3)))]))
    return Corefile(path="Corefile", text="", server_blocks=blocks)


@settings(max_examples=150, deadline=None)
@given(built_tree())
def test_property_printed_tree_parses_back_to_itself(tree):
    try:
        text = format_corefile(tree)
    except UnprintableError:
        assume(False)
    back = parse(text, env={})
    assert back.ok
    assert shape(back) == shape(tree)
    assert format_text(text) == text


# ------------------------------------------------------------------ CLI

def run(*args, cwd=None, stdin=None):
    return subprocess.run(CLI + ["fmt", *args], capture_output=True, text=True, cwd=cwd, input=stdin)


def test_cli_prints_formatted_text_from_stdin():
    r = run("-", stdin=".{\n}\n. {\nwhoami\n}")
    assert r.returncode == 0
    assert r.stdout == ".{ {\n}\n\n. {\n    whoami\n}\n"


def test_cli_check_lists_files_that_would_change_and_exits_1(tmp_path):
    good = tmp_path / "good"
    bad = tmp_path / "bad"
    good.write_text(". {\n    whoami\n}\n")
    bad.write_text(". {\nwhoami\n}\n")
    r = run("--check", str(good), str(bad))
    assert (r.returncode, r.stdout) == (1, f"{bad}\n")
    assert bad.read_text() == ". {\nwhoami\n}\n"
    assert run("--check", str(good)).returncode == 0


def test_cli_diff(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\nwhoami\n}\n")
    r = run("--diff", str(f))
    assert r.returncode == 0
    assert "-whoami\n+    whoami\n" in r.stdout
    assert r.stdout.startswith(f"--- {f}\n+++ {f} (formatted)\n")


def test_cli_write_replaces_atomically_and_keeps_the_mode(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\nwhoami\n}\n")
    os.chmod(f, 0o640)
    r = run("--write", str(f))
    assert (r.returncode, r.stdout) == (0, f"{f}\n")
    assert f.read_text() == ". {\n    whoami\n}\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Corefile"]
    assert run("--write", str(f)).stdout == ""     # already formatted: not rewritten, not listed


def test_cli_errors_are_one_line_and_leave_files_alone(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    whoami }\n")
    r = run("--write", str(f))
    assert r.returncode == 2
    assert r.stderr == f"corefile: {f}:2:12: cannot format: Unexpected '}}' because no matching opening brace\n"
    assert f.read_text() == ". {\n    whoami }\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Corefile"]
    r = run(str(tmp_path / "missing"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1
    assert run("--check", "--write", str(f)).returncode == 2
    assert run("--write", "-", stdin="").returncode == 2


def test_corefile_migration_printer_layout_is_already_canonical():
    """corefile-migration's printer test: its canonical text (quoted keys and words, escaped quotes, regexes)
    is a fixed point of fmt as well."""
    vectors = ROOT.parent / "shared" / "conformance" / "data" / "migration_vectors.jsonl"
    if not vectors.is_file():
        pytest.skip("../shared/conformance/data/migration_vectors.jsonl is absent")
    import json

    cases = [json.loads(line) for line in vectors.read_text().splitlines() if line.strip()]
    cases = [c for c in cases if c["kind"] == "corefile_roundtrip"]
    assert cases
    for case in cases:
        assert format_text(case["input"]) == case["expected"] == case["input"]
