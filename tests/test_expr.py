"""The expression language as `expr.Compile` sees it when CoreDNS starts (view, template): what it refuses, with the
message lint shows, and the result types template's `var` lines carry forward."""
from __future__ import annotations

import pytest

from corefile_tool import expr


def view_error(source):
    return expr.check(source, expr.view_env())[0]


@pytest.mark.parametrize("source", [
    "name() == 'example.com.' && incidr(client_ip(), '10.0.0.0/24')",
    "type() in ['A', 'AAAA'] or class() == 'CH'",
    "name() not contains 'internal' and name() not endsWith '.corp.'",
    "bufsize() >= 1232 ? do() : false",
    "size() + id() + opcode() > 0",
    "server_ip() != '' && server_port() == '53' && port() != ''",
    "metadata('kubernetes/client-namespace') startsWith 'team-'",
    "1 < bufsize() <= 4096",
    "true ?: false",
    "{'a': 1, b: 2, 3: 'c', ('d' + 'e'): 4}.a == 1",
    "all(['a', 'b'], {# != ''}) && any(['x'], # == 'x') && count([1, 2]) == 2",
    "filter(split(name(), '.'), len(#) > 0) | len() > 1",
    "let zone = 'example.'; name() endsWith zone",
    "if proto() == 'udp' { bufsize() > 512 } else { true }",
    "$env.name() == 'x.' || $env?.missing == nil",
    "name() // a trailing comment",
    "'\\x41\\u0042\\u{43}\\101\\t' == 'ABCA\\t'",
    "[1, 2, 3][1:][0] == 2",
    "nil ?? 'x'",
])
def test_valid(source):
    assert view_error(source) is None


@pytest.mark.parametrize("source,message", [
    # syntax (parser/parser.go)
    ("name() ==", "unexpected token EOF"),
    ("invalid expression", "unexpected token Identifier('expression')"),
    ("(name() == 'a.'", "unexpected token EOF, expected ')'"),
    ("[1 2]", "unexpected token Number('2')"),
    ("{'a' 1}", "unexpected token Number('1'), expected ':'"),
    ("type() == 'A' )", "unexpected token Operator(')')"),
    ("name() @ 1", "unexpected token '@'"),
    ("'open", "unexpected token \"'\""),
    ("'\\.'", "invalid char escape"),
    ("1abc", "bad number syntax"),
    ("1 /* open", "unclosed comment"),
    ("true not false", "unexpected token Identifier('false')"),
    ("name() | upper", "pipe must be followed by a function call"),
    ("let = 1; 2", "expected variable name after let"),
    ("if true { 1 }", "unexpected token EOF, expected 'else'"),
    ("# > 0", "unexpected token Operator('#')"),          # `#` only inside a predicate
    ("all([1])", "expected at least 2 arguments"),
    ("nil ?? 'a' + 'b'", "cannot be mixed"),
    ("true.x", "unexpected token Operator('.')"),          # no postfix after a literal
    # names (checker.go ident, callNode)
    ("unknown_function()", "unknown name unknown_function"),
    ("client_ip == x", "unknown name x"),
    ("$env.nope", "unknown name nope"),
    ("group(1) == ''", "unknown name group"),              # template's function, not view's
    ("let name = 1; name", "cannot redeclare name"),
    ("let len = 1; len", "cannot redeclare builtin len"),
    ("let a = 1; let a = 2; a", "cannot redeclare variable a"),
    ("let a = 1; a()", "a is not callable"),
    # calls (checkArguments)
    ("incidr(client_ip())", "too few arguments to call incidr"),
    ("metadata('a', 'b')", "too many arguments to call metadata"),
    ("incidr(size(), '10.0.0.0/8')", "cannot use int as argument (type string) to call incidr"),
    ("metadata(nil)", "cannot use nil as argument (type string) to call metadata"),
    ("incidr(1 + 'a')", "invalid operation: + (mismatched types int and string)"),   # the argument first
    # operand types (checker.go unaryNode, binaryNode)
    ("not size()", "invalid operation: not (mismatched type int)"),
    ("not 1 == 2", "invalid operation: not (mismatched type int)"),   # (not 1) == 2
    ("-name()", "invalid operation: - (mismatched type string)"),
    ("port() == 53", "invalid operation: == (mismatched types string and int)"),
    ("name() && true", "invalid operation: && (mismatched types string and bool)"),
    ("size() + 'b'", "invalid operation: + (mismatched types int and string)"),
    ("[1] + [2]", "invalid operation: + (mismatched types array and array)"),
    ("1.5 % 2", "invalid operation: % (mismatched types float and int)"),
    ("true < false", "invalid operation: < (mismatched types bool and bool)"),
    ("'b' in 'abc'", "invalid operation: in (mismatched types string and string)"),
    ("1 in {'a': 1}", "cannot use int as type string in map key"),
    ("1.5..3", "invalid operation: .. (mismatched types float and int)"),
    ("name() matches 1", "invalid operation: matches (mismatched types string and int)"),
    ("name() matches '(' ", "error parsing regexp"),
    ("first([1]) && 1", "invalid operation: && (mismatched types any and int)"),
    ("size() ? 1 : 2", "non-bool expression (type int) used as condition"),
    # member access (memberNode, sliceNode)
    ("name().x", "type string has no field"),
    ("name()[0]", "type string[int] is undefined"),
    ("[1]['a']", "array elements can only be selected using an integer (got string)"),
    ("{'a': 1}[1]", "cannot use int to get an element from map"),
    ("size()[1:]", "cannot slice int"),
    ("name()['a':]", "non-integer slice index string"),
])
def test_refused(source, message):
    error = view_error(source)
    assert error is not None and message in error, error


@pytest.mark.parametrize("source,type_", [
    ("1", expr.INT),
    ("size() + 1.5", expr.FLOAT),
    ("7 / 7", expr.FLOAT),
    ("name() + '.'", expr.STRING),
    ("name() == 'a.'", expr.BOOL),
    ("[1, 2][1:]", expr.ARRAY),
    ("1..3", expr.ARRAY),
    ("true ? 1 : 2", expr.INT),
    ("true ? 1 : 'x'", expr.ANY),
    ("nil ?? 'x'", expr.STRING),
    ("first([1])", expr.ANY),
    ("group('n')", expr.STRING),
    ("let x = 2; x * 3", expr.INT),
])
def test_result_types_for_template_var(source, type_):
    assert expr.check(source, expr.template_env()) == (None, type_)


def test_template_var_types_flow_into_later_lines():
    env = expr.template_env()
    error, env["count"] = expr.check("size() + 1", env)
    assert error is None
    assert expr.check("count + 'x'", env)[0] == "invalid operation: + (mismatched types int and string)"
    assert expr.check("count > 2", env) == (None, expr.BOOL)


@pytest.mark.parametrize("name,reserved", [
    ("name", True), ("incidr", True), ("group", True),          # the environment
    ("len", True), ("take", True), ("reverse", True), ("type", True),   # built-ins, disabled ones too
    ("in", True), ("not", True), ("let", True), ("if", True), ("matches", True),   # operators
    ("true", True), ("nil", True),                               # literals, not identifiers
    ("zone", False), ("my_var", False), ("_x1", False),
])
def test_reserved_variable_names(name, reserved):
    assert expr.is_reserved(name, expr.template_env()) is reserved
