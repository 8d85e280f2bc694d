"""The expr-lang subset of view expressions: operators, precedence, the DNS functions, errors."""
from __future__ import annotations

import pytest

from corefile_tool.simulator.expr import ExprError, Unsupported, compile_expression, dns_env
from corefile_tool.simulator.model import Query


@pytest.fixture
def env():
    return dns_env(Query("www.example.org.", "AAAA", client_ip="10.1.2.3", client_port=5353, proto="tcp"),
                   {"view/name": "office"})


@pytest.mark.parametrize("source,value", [
    ("type() == 'AAAA'", True),
    ("type() in ['A', 'AAAA']", True),
    ("type() not in ['A', 'AAAA']", False),
    (r"name() matches '^www\\..*\\.org\\.$'", True),
    ("name() endsWith 'example.org.' and proto() == 'tcp'", True),
    ("incidr(client_ip(), '10.0.0.0/8')", True),
    ("incidr(client_ip(), '2001:db8::/32')", False),
    ("metadata('view/name') == 'office'", True),
    ("metadata('missing') == ''", True),
    ("port() == '5353' || false", True),
    ("not true == false", True),           # `not` binds tighter than `==`: (not true) == false
    ("1 + 2 * 3 == 7", True),
    ("2 ** 3 ** 2", 512.0),                # right-associative
    ("10 % 3", 1),
    ("len([1, 2, 3]) > 2 ? 'many' : 'few'", "many"),
    ("lower('ABC') + upper('d')", "abcD"),
    ("{'a': 1}.a", 1),
    ("[1, 2, 3][-1]", 3),
    ("nil ?? 'default'", "default"),
    ("1..3", [1, 2, 3]),
    ('"double" == \'double\'', True),
])
def test_expressions(env, source, value):
    assert compile_expression(source).evaluate(env) == value


@pytest.mark.parametrize("source", [
    "type() ==",                 # syntax
    "unknown_function()",
    "incidr('nope', '10.0.0.0/8')",
    "type() && true",            # not a bool
    "[1][5]",
])
def test_errors(env, source):
    with pytest.raises(ExprError):
        compile_expression(source).evaluate(env)


def test_unsupported_syntax_is_not_guessed(env):
    with pytest.raises(Unsupported):
        compile_expression("all([1, 2], {# > 0})").evaluate(env)
