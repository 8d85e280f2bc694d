"""The lexer: every rule of ../shared/spec/corefile-syntax.md §2, and the lexer vectors taken from CoreDNS's
parser tests (skipped when ../shared is absent)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corefile_tool.lexer import decode, lex, scan

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VECTORS = SHARED / "conformance" / "data" / "parse_vectors.jsonl"


def words(text: str) -> list[str]:
    return [t.text for t in lex(text)]


def where(text: str) -> list[tuple]:
    return [(t.text, t.line, t.column) for t in lex(text)]


# ------------------------------------------------------------------ whitespace and lines

def test_go_whitespace_separates_words_but_not_python_only_whitespace():
    # U+0085, U+00A0 and U+3000 are spaces to Go; U+001C..U+001F are word characters to Go (not to str.split)
    assert words("a\x85b\xa0c\u3000d") == ["a", "b", "c", "d"]
    assert words("a\x1cb c\x1fd") == ["a\x1cb", "c\x1fd"]


def test_cr_is_dropped_without_ending_the_word():
    assert words("a\rb") == ["ab"]
    assert where("skip those\r\nCR characters") == [("skip", 1, 1), ("those", 1, 6), ("CR", 2, 1),
                                                     ("characters", 2, 4)]


def test_lines_and_columns_count_from_one_in_characters():
    assert where("host:123\n\n\t\t\tdirective") == [("host:123", 1, 1), ("directive", 3, 4)]
    assert where("é {\n  ü") == [("é", 1, 1), ("{", 1, 3), ("ü", 2, 3)]


# ------------------------------------------------------------------ words, braces, comments

def test_braces_are_words_unless_alone():
    assert words("example.org{ {whoami} { }") == ["example.org{", "{whoami}", "{", "}"]


def test_comment_at_a_word_start_runs_to_the_end_of_the_line():
    comments = []
    assert words("a # b c\nd", ) == ["a", "d"]
    lex("a # b c\nd", comments=comments)
    assert [(c.text, c.line, c.column) for c in comments] == [("# b c", 1, 3)]


def test_comment_inside_a_word_drops_only_the_rest_of_that_word():
    # lexer.go resets its comment flag whenever it hands out a word
    assert words("forward . 1.1.1.1#53") == ["forward", ".", "1.1.1.1"]
    assert words("forward . 1.1.1.1#53 8.8.8.8") == ["forward", ".", "1.1.1.1", "8.8.8.8"]
    assert words("a#b\nc") == ["a", "c"]
    comments = []
    lex("x a#53 b", comments=comments)
    assert [(c.text, c.column) for c in comments] == [("#53", 4)]


# ------------------------------------------------------------------ quotes

def test_a_quote_opens_only_at_a_word_start_and_closing_ends_the_word():
    assert words('a"b" "ab"cd') == ['a"b"', "ab", "cd"]


def test_only_backslash_quote_is_an_escape():
    assert words(r'"a\"b\nc\\d"') == ['a"b\\nc\\\\d']
    assert words('"don\'t\\escape"') == ["don't\\escape"]


def test_quoted_word_keeps_spaces_hash_braces_and_newlines_and_counts_lines():
    assert where('A "quoted value with line\n\tbreak inside" {\n\tfoobar\n}') == [
        ("A", 1, 1), ("quoted value with line\n\tbreak inside", 1, 3), ("{", 2, 16), ("foobar", 3, 2), ("}", 4, 1)]
    assert words('"a # b" "{ hi }" "}"') == ["a # b", "{ hi }", "}"]


def test_empty_quotes_give_an_empty_word():
    assert words('empty "" string') == ["empty", "", "string"]


def test_unterminated_quote_is_not_an_error():
    assert words('a "b c') == ["a", "b c"]
    assert words('a "') == ["a"]
    assert words('a "b\\') == ["a", "b"]


def test_cr_inside_quotes_is_kept():
    assert words('"a\r\nb"') == ["a\r\nb"]


# ------------------------------------------------------------------ bytes

def test_bom_is_dropped_only_at_the_very_start():
    assert where("\ufeff:8080") == [(":8080", 1, 1)]
    assert words("a \ufeffb") == ["a", "\ufeffb"]


def test_each_invalid_byte_becomes_one_replacement_character_like_go():
    assert decode(b"a\xe2\x82b") == "a\ufffd\ufffdb"
    assert decode(b"\xed\xa0\x80") == "\ufffd" * 3
    assert words(decode(b"ok \xff\xfe")) == ["ok", "\ufffd\ufffd"]


# ------------------------------------------------------------------ the fast path agrees with the scanner

@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list('ab{},#" \t\n\r\x1c\x85\xa0\u3000\ufeff\\(')), max_size=40).map("".join))
def test_line_splitting_fast_path_agrees_with_the_scanner(text):
    fast_comments, scanned_comments = [], []
    fast = [(t.text, t.line, t.column, t.quoted) for t in lex(text, "f", fast_comments)]
    slow = [(t.text, t.line, t.column, t.quoted) for t in scan(text, "f", scanned_comments)]
    assert fast == slow
    assert [(c.text, c.line, c.column) for c in fast_comments] == \
        [(c.text, c.line, c.column) for c in scanned_comments]


# ------------------------------------------------------------------ CoreDNS's own lexer vectors

def _vectors(kinds):
    if not VECTORS.is_file():
        return []
    with open(VECTORS, encoding="utf-8") as fh:
        return [v for v in map(json.loads, fh) if v["kind"] in kinds]


@pytest.mark.skipif(not VECTORS.is_file(), reason="../shared/conformance is absent")
@pytest.mark.parametrize("vector", _vectors({"lex", "tokens"}), ids=lambda v: v["id"])
def test_lexer_vectors_from_coredns(vector):
    got = [{"line": t.line, "text": t.text} for t in lex(vector["input"])]
    expected = vector["expected"]
    if vector["kind"] == "tokens":
        expected = [{"line": e["line"], "text": e["text"]} for e in expected]
    assert got == expected
