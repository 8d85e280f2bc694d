"""Differential test: the grammar-driven parser against a second, independent implementation that walks the
token list with a cursor the way coredns/caddy caddyfile/parse.go does (written from its behaviour, in this
project's own words). Hypothesis writes the Corefiles from the words where the two could disagree: braces,
commas, empty words, `import`, snippets, environment references, multi-line quoted words."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corefile_tool.lexer import lex
from corefile_tool.parser import MAX_SNIPPET_EXPANSIONS, Parser, shown, substitute_env


class OracleError(Exception):
    pass


class _Tok:
    __slots__ = ("text", "line", "file", "raw")

    def __init__(self, text, line, file):
        self.text, self.line, self.file, self.raw = text, line, file, text


class CursorParser:
    """Keys per block and, per directive occurrence in order, its name and the words CoreDNS keeps for it."""

    def __init__(self, text: str, env: dict):
        self.toks = [_Tok(t.text, t.line, t.file) for t in lex(text)]
        self.i = -1
        self.env = env
        self.snippets: dict = {}
        self.expansions = 0
        self.at_eof = False

    # -- cursor
    def advance(self) -> bool:
        if self.i < len(self.toks) - 1:
            self.i += 1
            return True
        return False

    def val(self) -> str:
        return self.toks[self.i].text if 0 <= self.i < len(self.toks) else ""

    def written(self) -> str:
        """Messages show a word as written, never an environment value (this project's rule for secrets),
        on one line."""
        return shown(self.toks[self.i].raw) if 0 <= self.i < len(self.toks) else ""

    @staticmethod
    def _ends(t) -> int:
        return t.line + t.text.count("\n")

    def on_new_line(self) -> bool:
        if self.i < 1:
            return True
        if self.i > len(self.toks) - 1:
            return False
        a, b = self.toks[self.i - 1], self.toks[self.i]
        return a.file != b.file or self._ends(a) < b.line

    def same_line_arg(self) -> bool:
        if self.i < 0:
            self.i += 1
            return True
        if self.i >= len(self.toks) - 1:
            return False
        a, b = self.toks[self.i], self.toks[self.i + 1]
        if a.file == b.file and self._ends(a) == b.line:
            self.i += 1
            return True
        return False

    def sub(self, s: str) -> str:
        return substitute_env(s, self.env)

    # -- grammar
    def run(self):
        blocks = []
        while self.advance():
            keys, dirs = self.server_block()
            if keys:
                blocks.append((keys, dirs))
        return blocks

    def server_block(self):
        keys, dirs = [], []
        if not self.toks:
            return keys, dirs
        self.key_list(keys)
        if self.at_eof:
            return keys, dirs
        if len(keys) == 1 and keys[0].startswith("(") and keys[0].endswith(")"):
            name = keys[0][1:]
            if name.endswith(")"):
                name = name[:-1]
            if name in self.snippets:
                raise OracleError(f"redeclaration of previously declared snippet {name}")
            body = self.snippet_body()
            for k in range(len(body) - 1):
                if body[k].text == "import":
                    first = k == 0 or body[k - 1].file != body[k].file or body[k - 1].line != body[k].line
                    if first and self.sub(body[k + 1].text) == name:
                        raise OracleError(f"maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded")
            self.snippets[name] = body
            return [], []
        braced = self.val() == "{"
        if not braced:
            self.i -= 1
        while self.advance():
            if self.val() == "}":
                break
            if self.val() == "import":
                self.splice()
                self.i -= 1
                continue
            dirs.append(self.directive())
        if braced and self.val() != "}":
            raise OracleError(f"Syntax error: Unexpected token '{self.written()}', expecting '}}'")
        return keys, dirs

    def key_list(self, keys):
        more = False
        while True:
            word = self.sub(self.val())
            if word == "import" and self.on_new_line():
                self.splice()
                continue
            if word == "{":
                if more:
                    raise OracleError("Expected another address but had '{' - check for extra comma")
                break
            if word != "":
                more = word.endswith(",")
                keys.append(word[:-1] if more else word)
            has_next = self.advance()
            if more and not has_next:
                raise OracleError("Unexpected EOF")
            if not has_next:
                self.at_eof = True
                break
            if not more and self.on_new_line():
                break

    def snippet_body(self):
        if self.val() != "{":
            raise OracleError(f"Syntax error: Unexpected token '{self.written()}', expecting '{{'")
        depth, body = 1, []
        while self.advance():
            if self.val() == "}":
                depth -= 1
                if depth == 0:
                    break
            if self.val() == "{":
                depth += 1
            body.append(self.toks[self.i])
        if depth != 0:
            raise OracleError(f"Syntax error: Unexpected token '{self.written()}', expecting '}}'")
        return body

    def directive(self):
        name = self.sub(self.val())
        kept, depth = [], 0
        while self.advance():
            v = self.val()
            if v == "{":
                depth += 1
            elif self.on_new_line() and depth == 0:
                self.i -= 1
                break
            elif v == "}" and depth > 0:
                depth -= 1
            elif v == "}":
                raise OracleError("Unexpected '}' because no matching opening brace")
            elif v == "import" and self.on_new_line():
                self.splice()
                self.i -= 1
                continue
            self.toks[self.i].text = self.sub(v)
            kept.append(self.toks[self.i].text)
        if depth > 0:
            raise OracleError("Unexpected EOF")
        return name, kept

    def splice(self):
        if not self.same_line_arg():
            raise OracleError(f"Wrong argument count or unexpected line ending after '{self.written()}'")
        pattern = self.sub(self.val())
        if pattern == "":
            raise OracleError("Import requires a non-empty filepath")
        if self.same_line_arg():
            raise OracleError("Import takes only one argument (glob pattern or file)")
        if pattern not in self.snippets:
            named = self.written() if pattern != self.val() else shown(pattern, 200)
            raise OracleError(f"File to import not found: {named}")
        if self.expansions >= MAX_SNIPPET_EXPANSIONS:
            raise OracleError(f"maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded")
        self.expansions += 1
        copies = []
        for t in self.snippets[pattern]:
            copies.append(_Tok(t.text, t.line, t.file))
            copies[-1].raw = t.raw
        self.toks = self.toks[:self.i - 1] + copies + self.toks[self.i + 1:]
        self.i -= 1


ENV = {"E": "", "B": "{", "C": "c,", "I": "import", "S": "s"}


def both(text: str, tmp_path):
    oracle_error = None
    try:
        expected = CursorParser(text, ENV).run()
    except OracleError as e:
        oracle_error, expected = str(e), None
    tree = Parser(text, str(tmp_path / "Corefile"), env=ENV).parse()
    errors = [d.message for d in tree.diagnostics if d.severity == "error"]
    if oracle_error is not None:
        assert errors and errors[0].startswith(oracle_error), (text, oracle_error, errors)
        return
    assert not errors, (text, errors)
    got = [([k.text for k in b.keys], [(d.name, [t.text for t in list(d.tokens())[1:]]) for d in b.directives])
           for b in tree.server_blocks]
    assert got == expected, text


WORDS = ["a", "b", "b,", ",", "{", "}", "log", "import", "s", "t", "(s)", "(t)", '""', "{$E}", "{$B}", "{$C}",
         "{$I}", "{$S}", '"q\nr"', '"}"', "x{", "#c"]
line = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join)
corefile = st.lists(line, min_size=1, max_size=12).map("\n".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=corefile)
@example(text="(s) {\nlog\n}\n. {\nimport s\n}")
@example(text="(s) {\nt {\n}\n}\n. {\nlog {\nimport s\n}\n}")
@example(text="(i) {\nlog\n}\n(o) {\nimport i\n}\n. {\nlog {\nimport o\n}\n}")  # `import` above the line: an argument
@example(text="(s) {\nlog\n}\n. {\nlog\nimport s\n}")
@example(text="(s) {\n}\na,\nimport s\nb {\n}")
@example(text='"" {$S}\n{\n}')
@example(text=". {\nlog\n}\n}\nb")
def test_grammar_parser_agrees_with_cursor_parser(text, tmp_path):
    both(text, tmp_path)


@pytest.mark.parametrize("text", [
    ". {\n    whoami\n}\n",
    "a.com b.com\nlog\n",
    "a, \n\n b {\n log\n}\n",
    ". {\n forward . 1.1.1.1 {\n  force_tcp\n } log\n}\n",
    ". {\n forward . 1.1.1.1\n {\n  force_tcp\n }\n}\n",
    "(s) {\n errors\n}\n. {\n import s\n log\n}\nexample.org {\n import s\n}\n",
    "{$S} {\n log\n}\n",
])
def test_cursor_parser_sanity(text, tmp_path):
    both(text, tmp_path)
