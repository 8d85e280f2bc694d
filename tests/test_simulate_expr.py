"""View expressions evaluated for one query: the DNS functions, operators and precedence, runtime errors (false in
CoreDNS) against compile errors (CoreDNS does not start), and what the simulator declines to evaluate."""
from __future__ import annotations

import pytest

from corefile_tool.expr import ExprError, Unsupported, compile_expression, query_env, view_env
from corefile_tool.simulator.model import Query


@pytest.fixture
def env():
    return query_env(Query("www.example.org.", "AAAA", client_ip="10.1.2.3", client_port=5353, proto="tcp",
                           do=True, bufsize=1232),
                     {"view/name": "office"})


def run(source, env):
    return compile_expression(source, view_env()).evaluate(env)


@pytest.mark.parametrize("source,value", [
    ("type() == 'AAAA'", True),
    ("type() in ['A', 'AAAA']", True),
    ("type() not in ['A', 'AAAA']", False),
    (r"name() matches '^www\\..*\\.org\\.$'", True),
    ("name() not matches '^mail'", True),
    ("name() endsWith 'example.org.' and proto() == 'tcp'", True),
    ("name() not startsWith 'www'", False),
    ("incidr(client_ip(), '10.0.0.0/8')", True),
    ("incidr(client_ip(), '2001:db8::/32')", False),
    ("metadata('view/name') == 'office'", True),
    ("metadata('missing') == ''", True),
    ("port() == '5353' || false", True),
    ("do() && bufsize() > 512", True),
    ("class() == 'IN' and server_port() == '53'", True),
    ("not true == false", True),           # `not` binds tighter than `==`: (not true) == false
    ("1 + 2 * 3 == 7", True),
    ("2 ** 3 ** 2", 512.0),                # right-associative
    ("-2 ** 2", -4.0),                     # unary minus (90) binds looser than ** (100)
    ("10 % 3", 1),
    ("-7 % 3", -1),                        # Go's remainder takes the dividend's sign
    ("7 / 2", 3.5),
    ("1 < 2 < 3", True),                   # chained: 1 < 2 && 2 < 3
    ("3 > 2 > 2", False),
    ("len([1, 2, 3]) > 2 ? 'many' : 'few'", "many"),
    ("name() == 'x' ?: type() == 'AAAA'", True),     # `a ?: b` is `a ? a : b`
    ("lower('ABC') + upper('d')", "abcD"),
    ("name() | upper()", "WWW.EXAMPLE.ORG."),
    ("{'a': 1}.a", 1),
    ("{('k' + 'ey'): 2}.key", 2),
    ("[1, 2, 3][-1]", 3),
    ("[1, 2, 3][1:]", [2, 3]),
    ("nil ?? 'default'", "default"),
    ("1..3", [1, 2, 3]),
    ("0b101 + 0o17 + 0x10 + 1_000", 1036),
    ("let n = name(); n endsWith 'org.'", True),
    ("if type() == 'A' { 4 } else { 6 }", 6),
    ("'a\\tb' == \"a\\u0009b\"", True),
    ("`raw ``quoted`` \\n` == 'raw `quoted` \\\\n'", True),
    ("1 /* inline */ + 1 // and the rest", 2),
])
def test_values(env, source, value):
    assert run(source, env) == value


@pytest.mark.parametrize("source,message", [
    ("incidr('nope', '10.0.0.0/8')", "first argument is not an IP address"),
    ("incidr(client_ip(), '10.0.0.0/33')", "invalid CIDR address"),
    ("[1][5]", "index out of range"),
    ("10 % 0", "integer divide by zero"),
    ("first([name()]) && true", "needs bools"),
])
def test_runtime_errors_count_as_false(env, source, message):
    program = compile_expression(source, view_env())
    with pytest.raises(ExprError, match=message):
        program.evaluate(env)


@pytest.mark.parametrize("source", [
    "type() ==",
    "unknown_function()",
    "type() && true",
    "port() == 5353",
    "metadata(1)",
    "name()[0]",
    "'' ?: 'empty'",                # the condition of `?:` must be a bool too
])
def test_compile_errors_stop_coredns(source):
    with pytest.raises(ExprError):
        compile_expression(source, view_env())


def test_unsupported_syntax_is_not_guessed(env):
    with pytest.raises(Unsupported):
        run("all([1, 2], {# > 0})", env)
    with pytest.raises(Unsupported):
        run("toJSON([1]) == '[1]'", env)


def test_short_circuit_never_reaches_what_is_not_evaluated(env):
    assert run("type() == 'A' && all([1, 2], {# > 0})", env) is False
    assert run("type() == 'AAAA' || now() == nil", env) is True


def test_nesting_past_the_stack_is_accepted_and_not_evaluated(env):
    # expr-lang has no depth limit (only 10000 nodes): no compile error, and the simulator does not guess.
    source = "(" * 3000 + "true" + ")" * 3000
    assert compile_expression(source, view_env()).type == "any"
    with pytest.raises(Unsupported):
        run(source, env)
