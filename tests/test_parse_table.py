"""The LALR table: the packaged one is the grammar's, a changed grammar is rebuilt into the user's cache, and
the small driver in parser.py accepts exactly what Lark's own LALR parser accepts for the same terminals."""
from __future__ import annotations

import json
import shutil

import pytest

from corefile_tool import parser as parser_module
from corefile_tool.parser import ROLE_ARG, ROLE_KEY, ROLE_NAME, Parser, build_table, grammar_path, table_json

SAMPLES = [
    ".:53 {\n    errors\n    forward . 1.1.1.1 {\n        force_tcp\n    } tail\n    cache 30\n}\n",
    "a, b,\n  c {\n}\nd\nlog\n}\ne {\n}\n",
    ".\nwhoami\nlog {\n x {\n  y\n }\n}\n",
    "(s) {\n log\n}\n. {\n import s\n}\nk\n",
    ". {\n forward . 1.1.1.1\n {\n  { nested }\n }\n}\n",
    "x {\n    a { } b { } c\n}\n",
    '"" {$B}\nlog\n',
    ". {\n    forward . 1.1.1.1 {\n        force_tcp\n    }\n",
]


def test_packaged_table_is_built_from_the_current_grammar():
    packaged = grammar_path().with_name("corefile.lalr.json").read_text(encoding="utf-8")
    fresh = table_json(build_table(grammar_path().read_text(encoding="utf-8")))
    assert packaged == fresh, "grammar changed: run `python -m corefile_tool.parser` to refresh the table"


def test_every_state_a_word_can_meet_asks_for_one_kind_of_word():
    # A word arrives either at the start or right after a terminal was shifted (gotos on rules happen only in
    # the middle of handing one terminal over), so those are the states that must say what they want.
    tab = parser_module.table()
    met = {tab.start} | {target for actions in tab.states for symbol, target in actions.items()
                         if symbol.isupper() and target >= 0}
    for state in met:
        assert tab.roles[state] in (ROLE_KEY, ROLE_NAME, ROLE_ARG), (state, tab.states[state])


def test_a_changed_grammar_is_rebuilt_into_the_cache(tmp_path, monkeypatch):
    grammar_dir = tmp_path / "grammar"
    grammar_dir.mkdir()
    shutil.copy(grammar_path(), grammar_dir / "corefile.lark")
    with open(grammar_dir / "corefile.lark", "a") as fh:
        fh.write("// a comment changes the digest\n")
    monkeypatch.setattr(parser_module, "_grammar_file", lambda: str(grammar_dir / "corefile.lark"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = parser_module.load_table_data()
    cached = list((tmp_path / "cache" / "corefile").glob("*.lalr.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text())["grammar_digest"] == data["grammar_digest"]
    assert parser_module.load_table_data() == data  # read back from the cache


@pytest.mark.parametrize("text", SAMPLES)
def test_driver_agrees_with_larks_own_parser(text):
    from lark import Lark, Token
    from lark.lexer import Lexer

    class FedByHand(Lexer):
        def __init__(self, conf):
            pass

        def lex(self, *args):
            raise NotImplementedError

    p = Parser(text, "Corefile", env={"B": "{"})
    p.trace = []
    cf = p.parse()
    assert cf.ok, cf.diagnostics
    lark = Lark(grammar_path().read_text(), parser="lalr", lexer=FedByHand, maybe_placeholders=False)
    interactive = lark.parse_interactive()
    for term in p.trace[:-1]:
        interactive.feed_token(Token(term, term))
    assert p.trace[-1] == "$END"
    tree = interactive.feed_eof()
    assert tree.data == "start"
    assert sum(1 for t in tree.iter_subtrees() if t.data in ("braced_block", "bare_block", "unclosed_bare_block",
                                                             "keys_only")) >= len(cf.server_blocks)
