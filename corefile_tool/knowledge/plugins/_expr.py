"""What `expr.Compile` (github.com/expr-lang/expr) refuses in the expressions of view's and template's `expr`
and template's `var`: syntax errors, unknown names, wrong argument counts and mismatched operand types.

A compact reading of the expr language: a Pratt parser that computes each node's type (int, float, bool,
string, array, map, or unknown "any") and refuses what expr's checker refuses for those types. Where this
reading does not know a construct's type it says "any", which expr accepts everywhere: the check errs on the
side of accepting.
"""
from __future__ import annotations

import re
from typing import Optional

ANY, INT, FLOAT, BOOL, STRING, ARRAY, MAP, NIL = "any", "int", "float", "bool", "string", "array", "map", "nil"
NUMBERS = (INT, FLOAT)

# expression.DefaultEnv (coredns plugin/pkg/expression): name -> (parameter types, result type)
DEFAULT_ENV = {
    "incidr": ((STRING, STRING), BOOL),
    "metadata": ((STRING,), STRING),
    "type": ((), STRING), "name": ((), STRING), "class": ((), STRING), "proto": ((), STRING),
    "size": ((), INT), "client_ip": ((), STRING), "port": ((), STRING), "id": ((), INT), "opcode": ((), INT),
    "do": ((), BOOL), "bufsize": ((), INT), "server_ip": ((), STRING), "server_port": ((), STRING),
}

# expr's built-in functions (builtin.Index) -> result type; `type` is disabled by CoreDNS but still reserved.
BUILTINS = {
    "all": BOOL, "none": BOOL, "any": BOOL, "one": BOOL, "filter": ARRAY, "map": ARRAY, "find": ANY,
    "findIndex": INT, "findLast": ANY, "findLastIndex": INT, "count": INT, "sum": ANY, "groupBy": MAP,
    "sortBy": ARRAY, "reduce": ANY, "len": INT, "type": STRING, "abs": ANY, "ceil": FLOAT, "floor": FLOAT,
    "round": FLOAT, "int": INT, "float": FLOAT, "string": STRING, "trim": STRING, "trimPrefix": STRING,
    "trimSuffix": STRING, "upper": STRING, "lower": STRING, "split": ARRAY, "splitAfter": ARRAY,
    "replace": STRING, "repeat": STRING, "join": STRING, "indexOf": INT, "lastIndexOf": INT,
    "hasPrefix": BOOL, "hasSuffix": BOOL, "max": ANY, "min": ANY, "mean": FLOAT, "median": FLOAT,
    "toJSON": STRING, "fromJSON": ANY, "toBase64": STRING, "fromBase64": STRING, "now": ANY,
    "duration": ANY, "date": ANY, "timezone": ANY, "first": ANY, "last": ANY, "get": ANY, "keys": ARRAY,
    "values": ARRAY, "toPairs": ARRAY, "fromPairs": MAP, "sort": ARRAY, "concat": ARRAY, "flatten": ARRAY,
    "uniq": ARRAY, "bitand": INT, "bitor": INT, "bitxor": INT, "bitnand": INT, "bitnot": INT, "bitshl": INT,
    "bitshr": INT, "bitushr": INT,
}
DISABLED_BUILTINS = {"type"}
KEYWORDS = {"true", "false", "nil", "let", "in", "not", "and", "or", "matches", "contains", "startsWith",
            "endsWith", "if", "else"}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_]*)
  | (?P<op>\?\.|\?\?|\.\.|==|!=|<=|>=|&&|\|\||\*\*|[-+*/%<>!?:.,()\[\]{}|^\#;=])
""", re.X)


class ExprError(Exception):
    pass


def _tokens(text: str) -> list:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ExprError(f"unexpected token {text[pos]!r}")
        if m.lastgroup != "space":
            out.append((m.lastgroup, m.group()))
        pos = m.end()
    out.append(("eof", ""))
    return out


# binary operator -> binding power
_BINARY = {"??": 1, "||": 2, "or": 2, "&&": 3, "and": 3, "==": 4, "!=": 4, "<": 4, ">": 4, "<=": 4, ">=": 4,
           "in": 4, "matches": 4, "contains": 4, "startsWith": 4, "endsWith": 4, "..": 5, "+": 6, "-": 6,
           "*": 7, "/": 7, "%": 7, "**": 8, "^": 8, "|": 0}


class _Checker:
    def __init__(self, text: str, env: dict):
        self.toks = _tokens(text)
        self.i = 0
        self.env = env

    def peek(self, ahead=0):
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self):
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def expect(self, text):
        kind, value = self.take()
        if value != text or kind == "string":
            raise ExprError(f"unexpected token {_describe(kind, value)}, expected {text!r}")

    def run(self) -> str:
        if self.peek()[0] == "eof":
            raise ExprError("unexpected token EOF")
        t = self.sequence()
        kind, value = self.peek()
        if kind != "eof":
            raise ExprError(f"unexpected token {_describe(kind, value)}")
        return t

    def sequence(self) -> str:
        t = self.expression(0)
        while self.peek() == ("op", ";"):
            self.take()
            if self.peek()[0] == "eof":
                break
            t = self.expression(0)
        return t

    def expression(self, power: int) -> str:
        left = self.unary()
        while True:
            kind, value = self.peek()
            if kind == "op" and value == "?" and power == 0:
                self.take()
                self.expression(0)
                self.expect(":")
                self.expression(0)
                left = ANY
                continue
            op = value
            if kind == "name" and value == "not" and self.peek(1) == ("name", "in"):
                op = "not in"
            if kind not in ("op", "name") or (op not in _BINARY and op != "not in"):
                return left
            bp = _BINARY.get(op, 4)
            if bp < power:
                return left
            self.take()
            if op == "not in":
                self.take()
            if op == "|":
                left = self.pipe(left)
                continue
            right = self.expression(bp + (0 if op in ("**", "^") else 1))
            left = _binary(op, left, right)

    def pipe(self, left: str) -> str:
        kind, name = self.take()
        if kind != "name":
            raise ExprError(f"unexpected token {_describe(kind, name)}")
        if self.peek() != ("op", "("):
            raise ExprError("pipe must be followed by a function call")
        self.take()
        args = [left] + self.arguments()
        return self.call(name, args)

    def unary(self) -> str:
        kind, value = self.peek()
        if (kind == "op" and value in ("!", "-", "+")) or (kind == "name" and value == "not"):
            self.take()
            t = self.expression(9 if value in ("-", "+") else 4)
            if value in ("!", "not"):
                if t not in (BOOL, ANY):
                    raise ExprError(f"invalid operation: {value} (mismatched type {t})")
                return BOOL
            if t not in NUMBERS + (ANY,):
                raise ExprError(f"invalid operation: {value} (mismatched type {t})")
            return t
        return self.postfix(self.primary())

    def primary(self) -> str:
        kind, value = self.take()
        if kind == "number":
            return FLOAT if re.search(r"[.eE]", value) and not value.lower().startswith("0x") else INT
        if kind == "string":
            return STRING
        if kind == "op" and value == "(":
            t = self.sequence()
            self.expect(")")
            return t
        if kind == "op" and value == "[":
            while self.peek() != ("op", "]"):
                self.expression(0)
                if self.peek() == ("op", ","):
                    self.take()
                elif self.peek() != ("op", "]"):
                    raise ExprError(f"unexpected token {_describe(*self.peek())}")
            self.take()
            return ARRAY
        if kind == "op" and value == "{":
            while self.peek() != ("op", "}"):
                self.primary_key()
                self.expect(":")
                self.expression(0)
                if self.peek() == ("op", ","):
                    self.take()
                elif self.peek() != ("op", "}"):
                    raise ExprError(f"unexpected token {_describe(*self.peek())}")
            self.take()
            return MAP
        if kind == "op" and value == "#":
            if self.peek()[0] == "name":
                self.take()
            return ANY
        if kind == "op" and value == ".":     # `.field` inside a predicate
            if self.take()[0] != "name":
                raise ExprError("unexpected token after '.'")
            return ANY
        if kind == "name":
            if value in ("true", "false"):
                return BOOL
            if value == "nil":
                return NIL
            if value == "let":
                name_kind, _ = self.take()
                if name_kind != "name":
                    raise ExprError("expected variable name after let")
                self.expect("=")
                self.expression(0)
                self.expect(";")
                return self.sequence()
            if value == "if":
                self.expression(0)
                self.expect("{")
                self.sequence()
                self.expect("}")
                self.expect("else")
                self.expect("{")
                self.sequence()
                self.expect("}")
                return ANY
            if value in KEYWORDS:
                raise ExprError(f"unexpected token Operator({value!r})")
            if self.peek() == ("op", "("):
                self.take()
                if value in BUILTINS and value not in self.env and _takes_predicate(value):
                    return self.predicate_call(value)
                return self.call(value, self.arguments())
            if value in self.env:
                t = self.env[value]
                return ANY if isinstance(t, tuple) else t
            if value in BUILTINS and value not in DISABLED_BUILTINS:
                return ANY
            if value == "$env":
                return MAP
            raise ExprError(f"unknown name {value}")
        raise ExprError(f"unexpected token {_describe(kind, value)}")

    def primary_key(self):
        kind, value = self.take()
        if kind == "op" and value == "(":
            self.expression(0)
            self.expect(")")
        elif kind not in ("name", "string", "number"):
            raise ExprError(f"unexpected token {_describe(kind, value)}")

    def arguments(self) -> list:
        args = []
        while self.peek() != ("op", ")"):
            if self.peek()[0] == "eof":
                raise ExprError("unexpected token EOF")
            args.append(self.expression(0))
            if self.peek() == ("op", ","):
                self.take()
            elif self.peek() != ("op", ")"):
                raise ExprError(f"unexpected token {_describe(*self.peek())}")
        self.take()
        return args

    def predicate_call(self, name: str) -> str:
        self.expression(0)
        if self.peek() == ("op", ","):
            self.take()
            if self.peek() == ("op", "{"):
                self.take()
                self.sequence()
                self.expect("}")
            else:
                self.expression(0)
            if self.peek() == ("op", ","):
                self.take()
                self.expression(0)
        self.expect(")")
        return BUILTINS[name]

    def call(self, name: str, args: list) -> str:
        if name in self.env:
            sig = self.env[name]
            if not isinstance(sig, tuple):
                raise ExprError(f"{name} is not callable")
            params, result = sig
            if params is None:
                return result
            if len(args) != len(params):
                more = "many" if len(args) > len(params) else "few"
                raise ExprError(f"too {more} arguments to call {name}")
            for given, want in zip(args, params):
                if given not in (ANY, want) and not (want == ANY):
                    raise ExprError(f"cannot use {given} as argument (type {want}) to call {name}")
            return result
        if name in BUILTINS and name not in DISABLED_BUILTINS:
            return BUILTINS[name]
        raise ExprError(f"unknown name {name}")

    def postfix(self, t: str) -> str:
        while True:
            kind, value = self.peek()
            if kind == "op" and value in (".", "?."):
                self.take()
                k, _ = self.take()
                if k != "name":
                    raise ExprError("expected name after '.'")
                if self.peek() == ("op", "("):
                    self.take()
                    self.arguments()
                if t not in (ANY, MAP):
                    raise ExprError(f"type {t} has no field")
                t = ANY
            elif kind == "op" and value == "[":
                self.take()
                if self.peek() == ("op", ":"):
                    self.take()
                    if self.peek() != ("op", "]"):
                        self.expression(0)
                else:
                    self.expression(0)
                    if self.peek() == ("op", ":"):
                        self.take()
                        if self.peek() != ("op", "]"):
                            self.expression(0)
                self.expect("]")
                t = STRING if t == STRING else ANY
            else:
                return t


def _takes_predicate(name: str) -> bool:
    return name in ("all", "none", "any", "one", "filter", "map", "find", "findIndex", "findLast",
                    "findLastIndex", "count", "sum", "groupBy", "sortBy", "reduce")


def _describe(kind: str, value: str) -> str:
    if kind == "eof":
        return "EOF"
    label = {"name": "Identifier", "number": "Number", "string": "String", "op": "Operator"}[kind]
    return f"{label}({value!r})"


def _binary(op: str, left: str, right: str) -> str:
    if ANY in (left, right):
        return BOOL if op in ("==", "!=", "<", ">", "<=", ">=", "&&", "||", "and", "or", "in", "not in",
                              "matches", "contains", "startsWith", "endsWith") else ANY
    mismatch = ExprError(f"invalid operation: {op} (mismatched types {left} and {right})")
    if op in ("==", "!="):
        if left == right or (left in NUMBERS and right in NUMBERS) or NIL in (left, right):
            return BOOL
        raise mismatch
    if op in ("<", ">", "<=", ">="):
        if (left in NUMBERS and right in NUMBERS) or (left == right == STRING):
            return BOOL
        raise mismatch
    if op in ("&&", "||", "and", "or"):
        if left == right == BOOL:
            return BOOL
        raise mismatch
    if op == "+":
        if left == right == STRING:
            return STRING
        if left in NUMBERS and right in NUMBERS:
            return INT if left == right == INT else FLOAT
        if left == right == ARRAY:
            return ARRAY
        raise mismatch
    if op in ("-", "*"):
        if left in NUMBERS and right in NUMBERS:
            return INT if left == right == INT else FLOAT
        raise mismatch
    if op in ("/", "**", "^"):
        if left in NUMBERS and right in NUMBERS:
            return FLOAT
        raise mismatch
    if op == "%":
        if left == right == INT:
            return INT
        raise mismatch
    if op in ("matches", "contains", "startsWith", "endsWith"):
        if left == right == STRING:
            return BOOL
        raise mismatch
    if op in ("in", "not in"):
        if right in (ARRAY, MAP) or (right == STRING and left == STRING):
            return BOOL
        raise mismatch
    if op == "..":
        if left == right == INT:
            return ARRAY
        raise mismatch
    if op == "??":
        return left if left == right else ANY
    raise mismatch


def view_env() -> dict:
    return dict(DEFAULT_ENV)


def template_env() -> dict:
    env = dict(DEFAULT_ENV)
    env["group"] = ((ANY,), STRING)
    return env


def check(text: str, env: dict) -> tuple:
    """(error or None, result type) of compiling `text` in env."""
    try:
        return None, _Checker(text, env).run()
    except ExprError as e:
        return str(e), ANY


def compile_error(tokens, env: dict) -> Optional[str]:
    """The arguments of an `expr` line, joined by spaces as CoreDNS joins them, compiled in env."""
    return check(" ".join(t.text for t in tokens), env)[0]


def is_reserved(name: str, env: dict) -> bool:
    """A template `var` may not shadow the environment, a built-in function or a keyword."""
    return name in env or name in BUILTINS or name in KEYWORDS
