"""The part of the expr-lang language (github.com/expr-lang/expr) that `view` and `template` expressions use.

CoreDNS compiles each `expr` line with the functions of plugin/pkg/expression `DefaultEnv` (incidr, metadata,
type, name, class, proto, size, client_ip, port, id, opcode, do, bufsize, server_ip, server_port) and the
language's built-in `type` disabled. Evaluation here follows the language: literals, arrays and maps, member and
index access, calls, unary `! not - +`, the binary operators with expr-lang's precedence (`?? ` > `**` >
`* / %` > `+ -` > `..` > comparisons, `in`, `matches`, `contains`, `startsWith`, `endsWith` > `and &&` >
`or ||`), and the ternary `?:`.

A runtime error makes the expression false, as in the view plugin (plugin/view/view.go Filter). Syntax this
module does not cover (closures, pipes, `let`) raises `Unsupported`, so the simulator says it cannot tell
instead of guessing.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable

__all__ = ["compile_expression", "ExprError", "Unsupported", "evaluate"]


class ExprError(Exception):
    """A syntax or runtime error of the expression (CoreDNS: compile failure or false)."""


class Unsupported(Exception):
    """Valid expr-lang this module does not evaluate."""


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>0[xX][0-9a-fA-F_]+|(?:\d[\d_]*)?\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>\?\?|\?\.|\.\.|==|!=|<=|>=|&&|\|\||\*\*|[-+*/%^<>!?:.,()\[\]{}|#])
""", re.VERBOSE)

_WORD_OPERATORS = {"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"}

# expr-lang parser/operator tables: binary precedence (higher binds tighter); `**` and `^` are right-associative.
_BINARY = {
    "or": 10, "||": 10,
    "and": 15, "&&": 15,
    "==": 20, "!=": 20, "<": 20, ">": 20, ">=": 20, "<=": 20,
    "in": 20, "matches": 20, "contains": 20, "startsWith": 20, "endsWith": 20, "not in": 20,
    "not matches": 20, "not contains": 20, "not startsWith": 20, "not endsWith": 20,
    "..": 25,
    "+": 30, "-": 30,
    "*": 60, "/": 60, "%": 60,
    "**": 100, "^": 100,
    "??": 500,
}
_RIGHT = {"**", "^"}
_UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}


def _tokens(text: str):
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ExprError(f"unexpected character {text[pos]!r} at {pos}")
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        value = m.group()
        if kind == "name" and value in _WORD_OPERATORS:
            kind = "op"
        elif kind == "name" and value in ("true", "false", "nil"):
            kind = "const"
        out.append((kind, value))
    out.append(("end", ""))
    return out


def _unquote(s: str) -> str:
    if s[0] == "`":
        return s[1:-1]
    body = s[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b",
               "f": "\f", "v": "\v", "0": "\0"}
    return re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "ux" and len(m.group(1)) > 1
                  else escapes.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, ahead=0):
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self, value=None):
        kind, v = self.toks[self.i]
        if value is not None and v != value:
            raise ExprError(f"expected {value!r}, found {v or 'end of expression'!r}")
        self.i += 1
        return kind, v

    def parse(self):
        node = self.expression(0)
        if self.peek()[0] != "end":
            raise ExprError(f"unexpected token {self.peek()[1]!r}")
        return node

    def binary_op(self):
        kind, v = self.peek()
        if kind != "op":
            return None
        if v == "not" and self.peek(1)[0] == "op" and self.peek(1)[1] in (
                "in", "matches", "contains", "startsWith", "endsWith"):
            return "not " + self.peek(1)[1]
        return v if v in _BINARY else None

    def expression(self, min_prec):
        left = self.unary()
        while True:
            op = self.binary_op()
            if op is None:
                break
            prec = _BINARY[op]
            if prec < min_prec:
                break
            self.take()
            if op.startswith("not "):
                self.take()
            right = self.expression(prec if op in _RIGHT else prec + 1)
            left = ("binary", op, left, right)
        if min_prec == 0 and self.peek() == ("op", "?"):
            self.take()
            then = self.expression(0)
            self.take(":")
            other = self.expression(0)
            left = ("ternary", left, then, other)
        if self.peek() == ("op", "|"):
            raise Unsupported("pipe operator")
        return left

    def unary(self):
        kind, v = self.peek()
        if kind == "op" and v in ("!", "not", "-", "+"):
            self.take()
            operand = self.expression(_UNARY[v])
            return ("unary", v, operand)
        return self.postfix(self.primary())

    def primary(self):
        kind, v = self.take()
        if kind == "num":
            text = v.replace("_", "")
            if text.lower().startswith("0x"):
                return ("const", int(text, 16))
            return ("const", float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "str":
            return ("const", _unquote(v))
        if kind == "const":
            return ("const", {"true": True, "false": False, "nil": None}[v])
        if kind == "name":
            if v == "let":
                raise Unsupported("let")
            if self.peek() == ("op", "("):
                self.take()
                args = []
                while self.peek() != ("op", ")"):
                    if self.peek() == ("op", "{") or self.peek() == ("op", "#"):
                        raise Unsupported("predicate closures")
                    args.append(self.expression(0))
                    if self.peek() == ("op", ","):
                        self.take()
                    elif self.peek() != ("op", ")"):
                        raise ExprError(f"unexpected token {self.peek()[1]!r} in call of {v}")
                self.take(")")
                return ("call", v, args)
            return ("var", v)
        if kind == "op" and v == "(":
            node = self.expression(0)
            self.take(")")
            return node
        if kind == "op" and v == "[":
            items = []
            while self.peek() != ("op", "]"):
                items.append(self.expression(0))
                if self.peek() == ("op", ","):
                    self.take()
                elif self.peek() != ("op", "]"):
                    raise ExprError(f"unexpected token {self.peek()[1]!r} in array")
            self.take("]")
            return ("array", items)
        if kind == "op" and v == "{":
            pairs = []
            while self.peek() != ("op", "}"):
                k_kind, k = self.take()
                key = _unquote(k) if k_kind == "str" else k
                self.take(":")
                pairs.append((key, self.expression(0)))
                if self.peek() == ("op", ","):
                    self.take()
            self.take("}")
            return ("map", pairs)
        if kind == "op" and v == "#":
            raise Unsupported("predicate closures")
        raise ExprError(f"unexpected token {v or 'end of expression'!r}")

    def postfix(self, node):
        while True:
            kind, v = self.peek()
            if kind == "op" and v in (".", "?."):
                self.take()
                _, name = self.take()
                node = ("member", node, ("const", name), v == "?.")
            elif kind == "op" and v == "[":
                self.take()
                if self.peek() == ("op", ":"):
                    self.take()
                    hi = self.expression(0) if self.peek() != ("op", "]") else None
                    self.take("]")
                    node = ("slice", node, None, hi)
                    continue
                index = self.expression(0)
                if self.peek() == ("op", ":"):
                    self.take()
                    hi = self.expression(0) if self.peek() != ("op", "]") else None
                    self.take("]")
                    node = ("slice", node, index, hi)
                    continue
                self.take("]")
                node = ("member", node, index, False)
            else:
                return node


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _go_regex(pattern: str):
    try:
        return re.compile(pattern)
    except re.error as e:
        raise ExprError(f"invalid regex {pattern!r}: {e}") from None


def _str_args(op, a, b):
    if not isinstance(a, str) or not isinstance(b, str):
        raise ExprError(f"invalid operation: {op} needs strings")


def _binary(op, a, b):
    if op in ("==", "!="):
        equal = (a == b) if (_num(a) and _num(b)) or type(a) is type(b) or a is None or b is None else False
        return equal if op == "==" else not equal
    if op in ("<", ">", "<=", ">="):
        if not ((_num(a) and _num(b)) or (isinstance(a, str) and isinstance(b, str))):
            raise ExprError(f"invalid operation: {op} on mismatched types")
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op in ("in", "not in"):
        if isinstance(b, list):
            found = any(_binary("==", a, x) for x in b)
        elif isinstance(b, dict):
            found = a in b
        else:
            raise ExprError("invalid operation: in needs an array or a map")
        return found if op == "in" else not found
    if op in ("matches", "not matches"):
        _str_args(op, a, b)
        found = _go_regex(b).search(a) is not None
        return found if op == "matches" else not found
    if op.endswith("contains") or op.endswith("startsWith") or op.endswith("endsWith"):
        _str_args(op, a, b)
        base = op.split()[-1]
        found = {"contains": b in a, "startsWith": a.startswith(b), "endsWith": a.endswith(b)}[base]
        return not found if op.startswith("not ") else found
    if op == "+":
        if _num(a) and _num(b):
            return a + b
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        if isinstance(a, list) and isinstance(b, list):
            return a + b
        raise ExprError("invalid operation: + on mismatched types")
    if op in ("-", "*", "/", "%", "**", "^"):
        if not (_num(a) and _num(b)):
            raise ExprError(f"invalid operation: {op} needs numbers")
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                return float("inf") if a > 0 else float("-inf") if a < 0 else float("nan")
            return a / b
        if op == "%":
            if not (isinstance(a, int) and isinstance(b, int)):
                raise ExprError("invalid operation: % needs integers")
            if b == 0:
                raise ExprError("integer divide by zero")
            r = abs(a) % abs(b)
            return -r if a < 0 else r
        return float(a) ** float(b)
    if op == "..":
        if not (isinstance(a, int) and isinstance(b, int)):
            raise ExprError("invalid operation: .. needs integers")
        return list(range(a, b + 1))
    raise Unsupported(f"operator {op}")


def _builtin(name):
    def need_str(x):
        if not isinstance(x, str):
            raise ExprError(f"{name}: expected a string")
        return x

    table = {
        "len": lambda x: len(x) if isinstance(x, (str, list, dict)) else _raise(f"invalid argument for len"),
        "upper": lambda s: need_str(s).upper(),
        "lower": lambda s: need_str(s).lower(),
        "trim": lambda s, chars=None: need_str(s).strip(chars) if chars is not None else need_str(s).strip(),
        "trimPrefix": lambda s, p=" ": need_str(s)[len(p):] if need_str(s).startswith(p) else s,
        "trimSuffix": lambda s, p=" ": need_str(s)[:-len(p)] if p and need_str(s).endswith(p) else s,
        "hasPrefix": lambda s, p: need_str(s).startswith(need_str(p)),
        "hasSuffix": lambda s, p: need_str(s).endswith(need_str(p)),
        "split": lambda s, sep, n=-1: need_str(s).split(sep) if n < 0 else need_str(s).split(sep, n - 1),
        "join": lambda items, sep="": sep.join(items),
        "indexOf": lambda s, sub: need_str(s).find(sub),
        "lastIndexOf": lambda s, sub: need_str(s).rfind(sub),
        "replace": lambda s, old, new: need_str(s).replace(old, new),
        "repeat": lambda s, n: need_str(s) * n,
        "abs": lambda x: abs(x),
        "int": lambda x: int(x),
        "float": lambda x: float(x),
        "string": lambda x: _to_string(x),
        "first": lambda xs: xs[0] if xs else None,
        "last": lambda xs: xs[-1] if xs else None,
        "max": lambda *xs: max(xs[0]) if len(xs) == 1 else max(xs),
        "min": lambda *xs: min(xs[0]) if len(xs) == 1 else min(xs),
    }
    return table.get(name)


def _raise(message):
    raise ExprError(message)


def _to_string(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if x is None:
        return "<nil>"
    return str(x)


class Compiled:
    """A compiled expression: `evaluate(env)` returns its value (raises ExprError/Unsupported)."""

    def __init__(self, source: str, tree):
        self.source = source
        self.tree = tree

    def evaluate(self, env: dict) -> Any:
        return _eval(self.tree, env)

    def unknown_names(self, env_names) -> list[str]:
        """Functions and variables neither in the environment nor built in (expr.Compile rejects them)."""
        found = []

        def walk(node):
            if not isinstance(node, tuple):
                return
            if node[0] in ("var", "call") and node[1] not in env_names and _builtin(node[1]) is None:
                found.append(node[1])
            for child in node[1:]:
                if isinstance(child, tuple):
                    walk(child)
                elif isinstance(child, list):
                    for c in child:
                        walk(c[1] if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str)
                             and not isinstance(c[1], str) else c)

        walk(self.tree)
        return found


def compile_expression(source: str) -> Compiled:
    return Compiled(source, _Parser(source).parse())


def evaluate(source: str, env: dict) -> Any:
    return compile_expression(source).evaluate(env)


def _eval(node, env):
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "var":
        if node[1] in env:
            value = env[node[1]]
            return value
        raise ExprError(f"unknown name {node[1]}")
    if kind == "call":
        name, args = node[1], node[2]
        fn: Callable = env.get(name) if name in env else _builtin(name)
        if fn is None:
            raise ExprError(f"unknown func {name}")
        values = [_eval(a, env) for a in args]
        try:
            return fn(*values)
        except (ExprError, Unsupported):
            raise
        except (TypeError, ValueError, IndexError, KeyError) as e:
            raise ExprError(f"{name}: {e}") from None
    if kind == "unary":
        op, value = node[1], _eval(node[2], env)
        if op in ("!", "not"):
            if not isinstance(value, bool):
                raise ExprError(f"invalid operation: {op} needs a bool")
            return not value
        if not _num(value):
            raise ExprError(f"invalid operation: unary {op} needs a number")
        return -value if op == "-" else value
    if kind == "binary":
        op = node[1]
        if op in ("and", "&&", "or", "||"):
            left = _eval(node[2], env)
            if not isinstance(left, bool):
                raise ExprError(f"invalid operation: {op} needs bools")
            if op in ("and", "&&") and not left:
                return False
            if op in ("or", "||") and left:
                return True
            right = _eval(node[3], env)
            if not isinstance(right, bool):
                raise ExprError(f"invalid operation: {op} needs bools")
            return right
        if op == "??":
            left = _eval(node[2], env)
            return left if left is not None else _eval(node[3], env)
        return _binary(op, _eval(node[2], env), _eval(node[3], env))
    if kind == "ternary":
        cond = _eval(node[1], env)
        if not isinstance(cond, bool):
            raise ExprError("non-bool condition in ternary")
        return _eval(node[2] if cond else node[3], env)
    if kind == "array":
        return [_eval(x, env) for x in node[1]]
    if kind == "map":
        return {k: _eval(v, env) for k, v in node[1]}
    if kind == "member":
        base = _eval(node[1], env)
        key = _eval(node[2], env)
        if base is None and node[3]:
            return None
        if isinstance(base, dict):
            return base.get(key)
        if isinstance(base, (list, str)) and isinstance(key, int) and not isinstance(key, bool):
            n = len(base)
            i = key + n if key < 0 else key
            if not 0 <= i < n:
                raise ExprError(f"index out of range: {key} (array length is {n})")
            return base[i]
        raise ExprError("invalid member access")
    if kind == "slice":
        base = _eval(node[1], env)
        lo = _eval(node[2], env) if node[2] is not None else 0
        hi = _eval(node[3], env) if node[3] is not None else len(base)
        return base[lo:hi]
    raise Unsupported(kind)


DNS_FUNCTIONS = ("incidr", "metadata", "type", "name", "class", "proto", "size", "client_ip", "port", "id", "opcode",
                 "do", "bufsize", "server_ip", "server_port")


def dns_env(query, metadata: dict | None = None) -> dict:
    """plugin/pkg/expression DefaultEnv for one query (values as `request.Request` gives them)."""
    md = metadata if metadata is not None else query.metadata

    def incidr(ip, cidr):
        try:
            addr = ipaddress.ip_address(str(ip).split("%")[0])
        except ValueError:
            raise ExprError("first argument is not an IP address") from None
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError as e:
            raise ExprError(f"invalid CIDR address: {cidr}") from e
        if addr.version != net.version:
            if addr.version == 6 and addr.ipv4_mapped is not None:
                addr = addr.ipv4_mapped
            else:
                return False
        return addr in net

    return {
        "incidr": incidr,
        "metadata": lambda label: str(md.get(label, "")),
        "type": lambda: query.type,
        "name": lambda: query.name,
        "class": lambda: query.cls,
        "proto": lambda: query.proto,
        "size": lambda: 0,
        "client_ip": lambda: query.client_ip,
        "port": lambda: str(query.client_port),
        "id": lambda: 0,
        "opcode": lambda: 0,
        "do": lambda: query.do,
        "bufsize": lambda: query.bufsize,
        "server_ip": lambda: query.server_ip,
        "server_port": lambda: str(query.server_port),
    }
