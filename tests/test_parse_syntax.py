"""The parser on real Corefiles: every rule of ../shared/spec/corefile-syntax.md §3-§6 and §10, each error
CoreDNS's parser can raise (same meaning, with the column), and the public Corefiles in
../shared/conformance/data/realworld/ (skipped when ../shared is absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

from k8s_fake_api import kubeadm_corefile

from corefile_tool import parser as parser_module
from corefile_tool.parser import parse

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REALWORLD = SHARED / "conformance" / "data" / "realworld"

KUBEADM_STYLE = kubeadm_corefile()     # kubeadm's default Corefile, as the fake clusters serve it

K3S_STYLE = """\
.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    hosts /etc/coredns/NodeHosts {
      ttl 60
      reload 15s
      fallthrough
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import custom/*.override
}
import custom/*.server
"""


def tree(text: str, env=None, **kw):
    return parse(text, env=env or {}, **kw)


def shape(text: str, env=None, **kw):
    """Keys and (name, words) per block; every token of a directive, braces included, as CoreDNS keeps them."""
    cf = tree(text, env, **kw)
    assert cf.ok, cf.diagnostics
    return [([k.text for k in b.keys], [(d.name, [t.text for t in list(d.tokens())[1:]]) for d in b.directives])
            for b in cf.server_blocks]


def error(text: str, env=None, **kw):
    cf = tree(text, env, **kw)
    errors = [d for d in cf.diagnostics if d.severity == "error"]
    assert errors, f"no error for {text!r}"
    assert cf.server_blocks == []  # CoreDNS stops at the first error: nothing is loaded
    d = errors[0]
    return d.message, d.line, d.column


# ------------------------------------------------------------------ real Corefiles

def test_kubeadm_style_default():
    cf = tree(KUBEADM_STYLE)
    assert cf.ok and cf.diagnostics == []
    (block,) = cf.server_blocks
    (key,) = block.keys
    assert (key.text, key.line, key.column) == (".:53", 1, 1)
    assert (key.address.transport, key.address.zones, key.address.port) == ("dns", (".",), "53")
    assert [d.name for d in block.directives] == ["errors", "health", "ready", "kubernetes", "prometheus",
                                                  "forward", "cache", "loop", "reload", "loadbalance"]
    k8s = block.directives[3]
    assert (k8s.line, k8s.column) == (7, 5)
    assert k8s.arg_texts == ["cluster.local", "in-addr.arpa", "ip6.arpa"]
    assert [(p.name, p.arg_texts, p.line, p.column) for p in k8s.children] == [
        ("pods", ["insecure"], 8, 8), ("fallthrough", ["in-addr.arpa", "ip6.arpa"], 9, 8), ("ttl", ["30"], 10, 8)]
    assert block.directives[5].children[0].arg_texts == ["1000"]
    assert (block.close.line, block.close.column) == (20, 1)


def test_k3s_style_default_with_its_imports(tmp_path):
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "log.override").write_text("log\n")
    (tmp_path / "custom" / "stub.server").write_text("example.com:53 {\n    forward . 10.0.0.1\n}\n")
    (tmp_path / "Corefile").write_text(K3S_STYLE)
    cf = parse(tmp_path / "Corefile", env={})
    assert cf.ok, cf.diagnostics
    main, stub = cf.server_blocks
    assert [d.name for d in main.directives][-1] == "log"
    log = main.directives[-1]
    assert log.file == str(tmp_path / "custom" / "log.override") and log.line == 1
    assert log.name_token.origin == ((str(tmp_path / "Corefile"), 20, 12),)
    assert [k.text for k in stub.keys] == ["example.com:53"]
    assert stub.directives[0].arg_texts == [".", "10.0.0.1"]
    assert [Path(f).name for imp in cf.imports for f in imp.files] == ["log.override", "stub.server"]


def test_k3s_imports_from_etc_are_refused_unless_allowed(tmp_path):
    text = K3S_STYLE.replace("custom/", "/etc/coredns/custom/")
    (tmp_path / "Corefile").write_text(text)
    message, line, column = error(text, path=str(tmp_path / "Corefile"))
    assert "reaches outside the Corefile's directory" in message and (line, column) == (20, 12)
    allowed = tree(text, path=str(tmp_path / "Corefile"), allow_import_outside=True)
    assert allowed.ok  # the globs match nothing here: CoreDNS only logs a warning
    assert [d.code for d in allowed.diagnostics] == ["import-glob-empty", "import-glob-empty"]


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/conformance is absent")
@pytest.mark.parametrize("path", sorted(REALWORLD.glob("*.Corefile")) if REALWORLD.is_dir() else [],
                         ids=lambda p: p.name)
def test_public_corefiles_parse(path):
    cf = parse(path, env={})
    assert cf.ok, cf.diagnostics
    assert cf.server_blocks
    for block in cf.server_blocks:
        for d in block.directives:
            for t in d.tokens():
                assert t.line >= 1 and t.column >= 1


# ------------------------------------------------------------------ keys

@pytest.mark.parametrize("text, keys", [
    ("a, b {\n}", ["a", "b"]),
    ("a b {\n}", ["a", "b"]),
    ("a,\n\n# more\nb,\n  c {\n}", ["a", "b", "c"]),
    ("a,b {\n}", ["a,b"]),            # a comma counts only as a word's last character
    ("a ,b {\n}", ["a", ",b"]),
    ("a , b {\n}", ["a", "", "b"]),   # the lone "," leaves an empty key (CoreDNS rejects it later)
    ('"" a {\n}', ["a"]),             # an empty word is not a key
    (". {whoami}", [".", "{whoami}"]),
    (".\n{\nwhoami\n}", ["."]),       # the server block's "{" may stand on the next line
])
def test_key_lists(text, keys):
    assert [k.text for k in tree(text).server_blocks[0].keys] == keys


def test_key_list_without_comma_ends_at_the_line():
    assert shape("a.com b.com\nc.com {\n}\n") == [(["a.com", "b.com"], [("c.com", ["{", "}"])])]


def test_keys_are_normalised_like_coredns():
    cf = tree("Example.ORG:1053 tls://a.example:853 grpc://b. 10.0.0.0/8 [::1]:53 . {\n}")
    got = [(k.address.transport, k.address.zones, k.address.port) for k in cf.server_blocks[0].keys]
    assert got[0] == ("dns", ("example.org.",), "1053")
    assert got[1] == ("tls", ("a.example.",), "853")
    assert got[2] == ("grpc", ("b.",), "443")
    assert got[3] == ("dns", ("10.in-addr.arpa.",), "53")
    assert got[5] == ("dns", (".",), "53")
    zones = tree("10.9.3.0/18 {\n}").server_blocks[0].keys[0].address.zones
    assert len(zones) == 64 and zones[:2] == ("0.9.10.in-addr.arpa.", "1.9.10.in-addr.arpa.")


def test_a_key_that_cannot_be_normalised_has_no_zones():
    key = tree("a , b {\n}").server_blocks[0].keys[1]
    assert key.address.zones is None and "expecting data after last colon" in key.address.error
    assert key.to_json()["zones"] is None and key.to_json()["port"] is None


# ------------------------------------------------------------------ blocks

def test_braceless_single_block():
    assert shape(".\nwhoami\nlog\n") == [(["."], [("whoami", []), ("log", [])])]


def test_braceless_block_ends_at_a_closing_brace_and_another_may_follow():
    assert shape("a\nlog\n}\nb {\n whoami\n}\n") == [(["a"], [("log", [])]), (["b"], [("whoami", [])])]


def test_a_second_block_after_a_braceless_one_is_read_as_directives():
    assert shape(".\nwhoami\nexample.org {\n log\n}\n") == [
        (["."], [("whoami", []), ("example.org", ["{", "log", "}"])])]


def test_tokens_after_a_closing_brace_start_the_next_block():
    assert shape("a {\n} example.org {\n log\n}\n") == [(["a"], []), (["example.org"], [("log", [])])]


def test_a_stray_closing_brace_becomes_a_server_block_key():
    assert shape(". {\n}\n}\n") == [(["."], []), (["}"], [])]
    assert shape(". {\n}\n}\n. {\n}\n") == [(["."], []), (["}"], [(".", ["{", "}"])])]


def test_directive_blocks_nest_and_words_after_a_block_stay_with_the_directive():
    assert shape(". {\n forward . 1.1.1.1 {\n  force_tcp\n } log\n}\n") == [
        (["."], [("forward", [".", "1.1.1.1", "{", "force_tcp", "}", "log"])])]
    d = tree(". {\n forward . 1.1.1.1 {\n  force_tcp\n } log\n}\n").server_blocks[0].directives[0]
    assert d.arg_texts == [".", "1.1.1.1"] and [t.text for t in d.tail] == ["log"]
    assert d.to_json()["args"] == [".", "1.1.1.1", "log"]


def test_a_directive_block_may_open_on_the_next_line_for_the_parser():
    d = tree(". {\n forward . 1.1.1.1\n {\n  force_tcp\n }\n}\n").server_blocks[0].directives[0]
    assert d.block is not None and [c.name for c in d.children] == ["force_tcp"]


def test_quoting_does_not_escape_structure():
    d = tree('. {\n log . "{"\n  x\n }\n}\n').server_blocks[0].directives[0]
    assert d.block is not None and d.children[0].name == "x"
    assert tree('. {\n log . "{ hi }"\n}\n').server_blocks[0].directives[0].arg_texts == [".", "{ hi }"]


def test_import_is_a_word_except_where_a_directive_or_line_starts():
    assert shape(". {\n log import x\n}\n") == [(["."], [("log", ["import", "x"])])]


def test_empty_and_comment_only_files_have_no_blocks():
    for text in ("", "\n\n", "# only a comment\n", "   \t\n# a\n"):
        cf = tree(text)
        assert cf.ok and cf.server_blocks == []


def test_comments_are_kept_with_positions():
    cf = tree("# head\n. { # open\n    log # trailing\n}\n")
    assert [(c.text, c.line, c.column) for c in cf.comments] == [("# head", 1, 1), ("# open", 2, 5),
                                                                 ("# trailing", 3, 9)]


def test_file_ending_after_a_plugin_blocks_brace_is_accepted_with_a_warning():
    cf = tree(". {\n    forward . 1.1.1.1 {\n        force_tcp\n    }\n")
    assert cf.ok
    assert [(d.code, d.severity, d.line, d.column) for d in cf.diagnostics] == [("unclosed-block", "warning", 4, 5)]
    assert cf.server_blocks[0].close is None


# ------------------------------------------------------------------ snippets

def test_snippet_is_spliced_where_imported_with_its_own_positions():
    cf = tree("(common) {\n    errors\n    cache 30\n}\n\nexample.org {\n    import common\n    log\n}\n")
    (block,) = cf.server_blocks
    assert [(d.name, d.line, d.column) for d in block.directives] == [("errors", 2, 5), ("cache", 3, 5),
                                                                      ("log", 8, 5)]
    assert block.directives[0].name_token.origin == (("Corefile", 7, 12),)
    assert [s.name for s in cf.snippets] == ["common"]


def test_snippet_brace_may_stand_on_the_next_line_and_empty_words_are_no_keys():
    assert shape("(s)\n{\n log\n}\n. {\n import s\n}\n") == [(["."], [("log", [])])]
    assert shape('(s) "" {\n log\n}\n. {\n import s\n}\n') == [(["."], [("log", [])])]


def test_what_is_not_a_snippet():
    assert shape("(a) (b) {\n}\n") == [(["(a)", "(b)"], [])]
    assert shape("(s)") == [(["(s)"], [])]
    assert shape(". {\n (s) {\n }\n}\n") == [(["."], [("(s)", ["{", "}"])])]


def test_snippet_may_hold_whole_server_blocks_and_nested_imports():
    text = "(zone) {\n a.example {\n  log\n }\n}\n(inner) {\n whoami\n}\n(outer) {\n import inner\n}\n" \
           "import zone\nb.example {\n import outer\n}\n"
    assert shape(text) == [(["a.example"], [("log", [])]), (["b.example"], [("whoami", [])])]


def test_snippet_imported_inside_a_plugin_block_above_the_line_stays_words():
    # The spliced `import inner` has an earlier line number than the `{` before it, so for CoreDNS it is not
    # on a new line: inside a plugin block it is kept as two words.
    text = "(inner) {\n log\n}\n(outer) {\n import inner\n}\n. {\n forward . 1.1.1.1 {\n  import outer\n }\n}\n"
    assert shape(text) == [(["."], [("forward", [".", "1.1.1.1", "{", "import", "inner", "}"])])]


# ------------------------------------------------------------------ environment

def test_env_references_are_substituted_in_keys_names_and_words():
    env = {"PORT": "8080", "ADDR": "servername.com", "UP": "1.1.1.1 8.8.8.8", "P": "lo"}
    cf = tree(".:{%PORT%} {\n {$P}g {%ADDR%}/{$UNSET}x\n forward . {$UP}\n}\n", env)
    (block,) = cf.server_blocks
    assert block.keys[0].text == ".:8080" and block.keys[0].address.port == "8080"
    assert block.directives[0].name == "log"
    assert block.directives[0].arg_texts == ["servername.com/x"]
    assert block.directives[1].arg_texts == [".", "1.1.1.1 8.8.8.8"]  # never re-tokenised
    assert block.directives[1].args[1].raw == "{$UP}"


@pytest.mark.parametrize("word, expected", [
    ("{$A:-x}", ""),            # no default values: the variable is literally named "A:-x"
    ("{$}{$A}", "{$}{$A}"),     # an empty name stops the syntax for the rest of the word
    ("{%A}", "{%A}"),
    ("{$A}{$A}", "aa"),
    ("{%A%}{$B}", "ab"),
])
def test_env_reference_rules(word, expected):
    cf = tree(f". {{\n log {word}\n}}\n", {"A": "a", "B": "b"})
    assert cf.server_blocks[0].directives[0].arg_texts == [expected]


def test_a_key_that_expands_to_nothing_drops_its_block():
    assert tree("{$UNSET} {\n whoami\n}\n").server_blocks == []


def test_a_self_referencing_variable_is_stopped():
    message, line, column = error(". {\n log {$LOOP}\n}\n", {"LOOP": "x{$LOOP}"})
    assert "expands without end" in message and "{$LOOP}" in message


# ------------------------------------------------------------------ every parser error

@pytest.mark.parametrize("text, message, line, column", [
    (". { whoami }", "Unexpected '}' because no matching opening brace", 1, 12),
    (". {\n    whoami\n", "Syntax error: Unexpected token 'whoami', expecting '}'", 2, 5),
    (". {", "Syntax error: Unexpected token '{', expecting '}'", 1, 3),
    ("a, {\n}", "Expected another address but had '{' - check for extra comma", 1, 4),
    ("a,", "Unexpected EOF", 1, 1),
    ('a, ""', "Unexpected EOF", 1, 4),
    (". {\n log {\n", "Unexpected EOF", 2, 6),
    ("(s)\nlog\n", "Syntax error: Unexpected token 'log', expecting '{'", 2, 1),
    ("(s) {\n log\n", "Syntax error: Unexpected token 'log', expecting '}'", 2, 2),
    ("(s) {\n}\n(s) {\n}\n", "redeclaration of previously declared snippet s", 3, 1),
    ("(a) {\n import a\n}\n", "maximum snippet import depth (10000) exceeded", 2, 2),
    (". {\n import\n}\n", "Wrong argument count or unexpected line ending after 'import'", 2, 2),
    (". {\n import a b\n}\n", "Import takes only one argument (glob pattern or file)", 2, 11),
    (". {\n import {$UNSET}\n}\n", "Import requires a non-empty filepath", 2, 9),
    (". {\n import snip\n}\n(snip) {\n}\n", "File to import not found: snip", 2, 9),
    (". {\n import a/*/*.conf\n}\n", "Glob pattern may only contain one wildcard (*), but has others: ", 2, 9),
    (". {\n import a?b?\n}\n", "Glob pattern may only contain one wildcard (*), but has others: ", 2, 9),
    (". {\n import [ab]\n}\n", "Glob pattern may only contain one wildcard (*), but has others: ", 2, 9),
    (". {\n import a[\n}\n", "Failed to use import pattern a[: syntax error in pattern", 2, 9),
])
def test_parser_errors_keep_coredns_meaning_and_give_the_column(tmp_path, text, message, line, column):
    got = error(text, path=str(tmp_path / "Corefile"))
    assert got[0].startswith(message), got
    assert got[1:] == (line, column)


def test_snippet_cycle_message_says_this_tool_always_stops():
    message, _, _ = error("(a) {\n import a\n}\n")
    assert "1.13.0" in message and "always" in message


def test_snippets_importing_each_other_are_a_cycle():
    message, _, _ = error("(a) {\n import b\n}\n(b) {\n import a\n}\n. {\n import a\n}\n")
    assert message.startswith("maximum snippet import depth (10000) exceeded: an import cycle")


def test_snippet_expansions_are_capped_like_coredns(monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_SNIPPET_EXPANSIONS", 3)
    assert tree("(s) {\n}\n. {\n" + " import s\n" * 3 + "}\n").ok
    message, line, _ = error("(s) {\n}\n. {\n" + " import s\n" * 4 + "}\n")
    assert message == "maximum snippet import depth (3) exceeded" and line == 7


def test_blocks_nested_too_deep_are_refused_not_recursed():
    depth = parser_module.MAX_NESTING + 1
    text = ". {\n" + "a {\n" * depth + "}\n" * depth + "}\n"
    message, _, _ = error(text)
    assert message.startswith(f"blocks nested more than {parser_module.MAX_NESTING} deep")
    ok = ". {\n" + "a {\n" * (depth - 1) + "}\n" * (depth - 1) + "}\n"
    assert tree(ok).ok


def test_messages_show_words_as_written_on_one_line():
    message, _, _ = error('. {\n log "a\nb"\n', {"X": "secret-value"})
    assert message == "Syntax error: Unexpected token 'a\\nb', expecting '}'"
    message, _, _ = error(". {\n log {$X}\n", {"X": "secret-value"})
    assert "secret-value" not in message and "{$X}" in message


@pytest.mark.parametrize("text", ["log\n" * 50, "# c\n" * 50, "a " * 50, '"a"' * 50, "x\r\n" * 50])
def test_too_many_words_stop_lexing_with_a_diagnostic(monkeypatch, text):
    monkeypatch.setattr(parser_module, "MAX_TOKENS", 20)
    cf = tree(text)
    (d,) = cf.diagnostics
    assert (d.code, d.severity) == ("syntax", "error") and d.message.startswith("more than 20 words and comments")
    assert cf.server_blocks == [] and d.line >= 1
