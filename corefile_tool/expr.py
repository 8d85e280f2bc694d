"""The expression language of `view` (`expr`) and `template` (`expr`, `var`): github.com/expr-lang/expr v1.17.8
(the version coredns 4b26cced's go.mod pins) with the functions CoreDNS puts in its environment.

One module owns the language, for lint and simulate alike:

- `_tokens` and `_Parser` turn text into one syntax tree of `Node`s, following expr-lang's parser/lexer and
  parser/parser.go: precedence and associativity from parser/operator/operator.go, the negated operators
  (`not in`, `not matches`, ...), chained comparisons (`a < b < c` is `a < b && b < c`), `?:`, `??`, pipes,
  predicates (`all(xs, {# > 0})`), `let` and `if`.
- `_Checker` gives each node a type the way checker/checker.go does and refuses what it refuses: that is what
  `expr.Compile` reports when CoreDNS starts (plugin/view/setup.go, plugin/template/setup.go). Types are
  coarse (int, float, bool, string, array, map, nil, or "any" where this module does not know): "any" is
  accepted wherever expr-lang accepts an unknown type, so the check errs on the side of accepting.
- `Program.evaluate` runs the tree for one query as `expr.Run` does (plugin/view/view.go Filter). What it does
  not evaluate (predicates, most of the built-in library) raises `Unsupported`, so the simulator says it cannot
  tell instead of guessing.

The environment (`DEFAULT_ENV`) is plugin/pkg/expression DefaultEnv; template adds `group`
(plugin/template/template.go exprEnv). Both plugins compile with `expr.DisableBuiltin("type")`.
"""
from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Optional

from .knowledge import values

__all__ = ["ExprError", "Unsupported", "Function", "DEFAULT_ENV", "view_env", "template_env", "query_env",
           "compile_expression", "check", "compile_error", "is_reserved", "Program"]

ANY, INT, FLOAT, BOOL, STRING, ARRAY, MAP, NIL = "any", "int", "float", "bool", "string", "array", "map", "nil"
NUMBERS = (INT, FLOAT)


class ExprError(Exception):
    """A compile error (CoreDNS does not start) or a runtime error (the expression counts as false)."""


class Unsupported(Exception):
    """Valid expr-lang that this module does not evaluate."""


# --- The environment ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Function:
    """An environment function: its Go signature as types, and `run(query, metadata, *args)` for the simulator
    (None: not simulated)."""
    params: tuple
    result: str
    run: Optional[Callable] = None


def _incidr(ip, cidr):
    try:
        # net.ParseIP takes no zone: client_ip() of a link-local client with one ("fe80::1%eth0") is an error.
        if "%" in str(ip):
            raise ValueError(ip)
        addr = ipaddress.ip_address(str(ip))
    except ValueError:
        raise ExprError("first argument is not an IP address") from None
    try:
        # net.ParseCIDR wants ADDRESS/PREFIX-LENGTH: no bare address, netmask or zone.
        address, slash, bits = str(cidr).partition("/")
        if not slash or not bits.isdigit() or "%" in address:
            raise ValueError(cidr)
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError as e:
        raise ExprError(f"invalid CIDR address: {cidr}") from e
    if addr.version != net.version:
        # net.IPNet.Contains compares an IPv4-mapped IPv6 address as IPv4, and nothing else across families.
        if addr.version == 6 and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        else:
            return False
    return addr in net


# plugin/pkg/expression DefaultEnv, with the types of the request.Request methods it binds. The simulator has
# no wire message: size (state.Len), id and opcode are 0.
DEFAULT_ENV = {
    "incidr": Function((STRING, STRING), BOOL, lambda q, md, ip, cidr: _incidr(ip, cidr)),
    "metadata": Function((STRING,), STRING, lambda q, md, label: str(md.get(label, ""))),
    "type": Function((), STRING, lambda q, md: q.type),
    "name": Function((), STRING, lambda q, md: q.name),
    "class": Function((), STRING, lambda q, md: q.cls),
    "proto": Function((), STRING, lambda q, md: q.proto),
    "size": Function((), INT, lambda q, md: 0),
    "client_ip": Function((), STRING, lambda q, md: q.client_ip),
    "port": Function((), STRING, lambda q, md: str(q.client_port)),
    "id": Function((), INT, lambda q, md: 0),
    "opcode": Function((), INT, lambda q, md: 0),
    "do": Function((), BOOL, lambda q, md: q.do),
    # request.Size: edns.Size gives TCP the largest message (65535) whatever the OPT record says.
    "bufsize": Function((), INT, lambda q, md: 65535 if q.proto == "tcp" else max(q.bufsize, 512)),
    "server_ip": Function((), STRING, lambda q, md: q.server_ip),
    "server_port": Function((), STRING, lambda q, md: str(q.server_port)),
}


def view_env() -> dict:
    return dict(DEFAULT_ENV)


def template_env() -> dict:
    """A fresh environment: template's `var` lines add their names to it (name -> result type)."""
    env = dict(DEFAULT_ENV)
    env["group"] = Function((ANY,), STRING)
    return env


def query_env(query, metadata: Optional[dict] = None) -> dict:
    """The runtime environment for one query: name -> Python callable."""
    md = metadata if metadata is not None else query.metadata
    return {name: partial(fn.run, query, md) for name, fn in DEFAULT_ENV.items() if fn.run is not None}


# expr's built-in functions (builtin/builtin.go Builtins) -> result type.
BUILTINS = {
    "all": BOOL, "none": BOOL, "any": BOOL, "one": BOOL, "filter": ARRAY, "map": ARRAY, "find": ANY,
    "findIndex": INT, "findLast": ANY, "findLastIndex": INT, "count": INT, "sum": ANY, "groupBy": MAP,
    "sortBy": ARRAY, "reduce": ANY, "len": INT, "type": STRING, "abs": ANY, "ceil": FLOAT, "floor": FLOAT,
    "round": FLOAT, "int": INT, "float": FLOAT, "string": STRING, "trim": STRING, "trimPrefix": STRING,
    "trimSuffix": STRING, "upper": STRING, "lower": STRING, "split": ARRAY, "splitAfter": ARRAY,
    "replace": STRING, "repeat": STRING, "join": STRING, "indexOf": INT, "lastIndexOf": INT,
    "hasPrefix": BOOL, "hasSuffix": BOOL, "max": ANY, "min": ANY, "mean": FLOAT, "median": FLOAT,
    "toJSON": STRING, "fromJSON": ANY, "toBase64": STRING, "fromBase64": STRING, "now": ANY,
    "duration": ANY, "date": ANY, "timezone": ANY, "first": ANY, "last": ANY, "get": ANY, "take": ARRAY,
    "keys": ARRAY, "values": ARRAY, "toPairs": ARRAY, "fromPairs": MAP, "reverse": ARRAY, "uniq": ARRAY,
    "concat": ARRAY, "flatten": ARRAY, "sort": ARRAY, "bitand": INT, "bitor": INT, "bitxor": INT,
    "bitnand": INT, "bitnot": INT, "bitshl": INT, "bitshr": INT, "bitushr": INT,
}
DISABLED_BUILTINS = {"type"}

# parser/parser.go `predicates`: the built-ins whose arguments are an expression then a predicate (closure);
# True marks an optional argument.
_EXPR, _PREDICATE = "expr", "predicate"
PREDICATES = {
    **{name: ((_EXPR, False), (_PREDICATE, False)) for name in (
        "all", "none", "any", "one", "filter", "map", "find", "findIndex", "findLast", "findLastIndex",
        "groupBy")},
    "count": ((_EXPR, False), (_PREDICATE, True)),
    "sum": ((_EXPR, False), (_PREDICATE, True)),
    "sortBy": ((_EXPR, False), (_PREDICATE, False), (_EXPR, True)),
    "reduce": ((_EXPR, False), (_PREDICATE, False), (_EXPR, True)),
}


# --- Tokens ---------------------------------------------------------------------------------------------------

# parser/lexer/state.go: these words are operators, not identifiers.
_WORD_OPERATORS = {"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"}
_NEGATABLE = {"in", "matches", "contains", "startsWith", "endsWith"}


@dataclass(frozen=True)
class Token:
    kind: str        # Identifier, Number, String, Operator, Bracket, EOF, or Error (a lexing error to report)
    value: Any       # a string's unescaped text, a number's value, an error's message
    text: str        # as written

    def describe(self) -> str:
        if self.kind == "EOF":
            return "EOF"
        return f"{'Operator' if self.kind == 'Bracket' else self.kind}({self.text!r})"

    def is_(self, kind: str, *texts: str) -> bool:
        return self.kind == kind and (not texts or self.text in texts)


_SPACE = re.compile(r"\s+")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_IDENT = re.compile(r"(?:[^\W\d]|\$)(?:\w|\$)*")
# scanNumber: an optional 0x/0o/0b prefix, digits with `_`, a fraction unless `..` follows, an exponent.
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*|[0-9][0-9_]*)(?:\.(?!\.)[0-9_]*)?"
                     r"(?:[eE][+-]?[0-9_]*)?|\.[0-9][0-9_]*(?:[eE][+-]?[0-9_]*)?")
_ESCAPE = (r"\\(?:[abfnrtv\\]|[0-3][0-7]{2}|x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}"
           r"|U[0-9a-fA-F]{8}|QUOTE)")
# scanString/scanEscape: a quoted string ends on its line and takes only these escapes (`\'` only inside '...').
_STRINGS = {q: re.compile(f"{q}(?:[^{q}\\\\\\n]|{_ESCAPE.replace('QUOTE', q)})*{q}") for q in ("'", '"')}
_LOOSE_STRINGS = {q: re.compile(f"{q}(?:[^{q}\\\\\\n]|\\\\.)*{q}") for q in ("'", '"')}
_POINTER_NAME = re.compile(r"(?:\w|\$)+")
_RAW_STRING = re.compile(r"`(?:[^`]|``)*`")
_OPERATOR = re.compile(r"\?[.?]?|\|\|?|::?|[,;%+\-^/#]|[&!=*<>][&=*]?|\.\.?")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
                   "'": "'", '"': '"'}


def _unescape(body: str) -> str:
    def one(m):
        e = m.group(1)
        if e in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[e]
        if e[0] in "0123":
            return chr(int(e, 8))
        return chr(int(e[1:].strip("{}"), 16))
    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|[0-3][0-7]{2}|x..|u....|U.{8}|.)", one, body)


def _number(text: str):
    """parseSecondary: a prefixed literal is an int, one with `.` or an exponent a float, anything else an int."""
    digits = text.replace("_", "")
    lower = digits.lower()
    prefix = {"0x": "hex", "0o": "octal", "0b": "binary"}.get(lower[:2])
    kind = prefix or ("float" if "." in lower or "e" in lower else "integer")
    try:
        return int(digits, 0) if prefix else float(digits) if kind == "float" else int(digits)
    except ValueError:
        raise ExprError(f"invalid {kind} literal: {text}") from None


def _tokens(text: str) -> list:
    """parser/lexer: the tokens of `text`, ending with EOF, or with an Error token where lexing fails (the parser
    reports it only when it gets there, as expr-lang's lexer runs token by token)."""
    out = []
    pos = 0
    while True:
        m = _SPACE.match(text, pos) or _COMMENT.match(text, pos)
        if m:
            pos = m.end()
            continue
        if pos >= len(text):
            out.append(Token("EOF", "", ""))
            return out
        tok, end = _token(text, pos)
        out.append(tok)
        if tok.kind == "Error":
            return out
        pos = end
        if tok.text == "#":      # `#index`, `#acc`: the word right after `#` is a name, even a keyword
            m = _POINTER_NAME.match(text, pos)
            if m:
                out.append(Token("Identifier", m.group(), m.group()))
                pos = m.end()


def _token(text: str, pos: int) -> tuple:
    """(the token at pos, where it ends)."""
    c = text[pos]
    if c in "'\"":
        m = _STRINGS[c].match(text, pos)
        if not m:
            bad_escape = _LOOSE_STRINGS[c].match(text, pos)
            return Token("Error", "invalid char escape" if bad_escape else f"unexpected token {c!r}", c), pos
        return Token("String", _unescape(m.group()[1:-1]), m.group()), m.end()
    if c == "`":
        m = _RAW_STRING.match(text, pos)
        if not m:
            return Token("Error", f"unexpected token {c!r}", c), pos
        return Token("String", m.group()[1:-1].replace("``", "`"), m.group()), m.end()
    m = _NUMBER.match(text, pos)
    if m:
        after = text[m.end():m.end() + 1]
        if after and (after.isalnum() or after in "_$"):     # `1abc`: a number must not run into a name
            return Token("Error", f"bad number syntax: {text[pos:m.end() + 1]!r}", m.group()), pos
        try:
            return Token("Number", _number(m.group()), m.group()), m.end()
        except ExprError as e:
            return Token("Error", str(e), m.group()), pos
    m = _IDENT.match(text, pos)
    if m:
        word = m.group()
        return Token("Operator" if word in _WORD_OPERATORS else "Identifier", word, word), m.end()
    if c in "([{)]}":
        return Token("Bracket", c, c), pos + 1
    if text.startswith("/*", pos):
        return Token("Error", "unclosed comment", "/*"), pos
    m = _OPERATOR.match(text, pos)
    if m:
        return Token("Operator", m.group(), m.group()), m.end()
    return Token("Error", f"unexpected token {c!r}", c), pos


# --- The syntax tree ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    """kind, a value that depends on the kind, and the child nodes (None for an absent optional child):

    const (value: the Python value)           ident (name)             pointer (`#`/`#name` in a predicate)
    unary (op; operand)                       binary (op; left, right) conditional (; cond, then, else)
    array (; items)                           map (; key, value, ...)  member (optional?; base, property)
    method (name; base, args...)              slice (; base, from, to) call (name; args...)
    builtin (name; args...)                   predicate (; body)       let (name; value, body)
    sequence (; expressions)                  env (`$env`)              too_deep (nesting past Python's stack)
    """
    kind: str
    value: Any = None
    children: tuple = field(default=())


# parser/operator/operator.go: binary precedence (higher binds tighter); `**` and `^` are right-associative.
_BINARY = {"|": 0, "or": 10, "||": 10, "and": 15, "&&": 15, "==": 20, "!=": 20, "<": 20, ">": 20, ">=": 20,
           "<=": 20, "in": 20, "matches": 20, "contains": 20, "startsWith": 20, "endsWith": 20, "..": 25,
           "+": 30, "-": 30, "*": 60, "/": 60, "%": 60, "**": 100, "^": 100, "??": 500}
_RIGHT = {"**", "^"}
_UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}
_COMPARISONS = {"<", ">", ">=", "<="}


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0          # predicate nesting: `#` and `.name` mean the current element only inside one

    @property
    def cur(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind == "Error":
            raise ExprError(tok.value)
        return tok

    def peek(self) -> Token:
        return self.toks[min(self.i + 1, len(self.toks) - 1)]

    def next(self) -> Token:
        tok = self.cur
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def fail(self, tok: Optional[Token] = None):
        tok = tok or self.cur
        raise ExprError(tok.value if tok.kind == "Error" else f"unexpected token {tok.describe()}")

    def expect(self, kind: str, text: str, say: bool = True) -> None:
        if not self.cur.is_(kind, text):
            raise ExprError(f"unexpected token {self.cur.describe()}" + (f", expected {text!r}" if say else ""))
        self.next()

    def parse(self) -> Node:
        node = self.sequence()
        if self.cur.kind != "EOF":
            self.fail()
        return node

    def sequence(self) -> Node:
        nodes = [self.expression(0)]
        while self.cur.is_("Operator", ";"):
            self.next()
            if self.cur.kind == "EOF":
                break
            nodes.append(self.expression(0))
        return nodes[0] if len(nodes) == 1 else Node("sequence", None, tuple(nodes))

    def expression(self, precedence: int) -> Node:
        if precedence == 0 and self.cur.is_("Operator", "let"):
            return self.let()
        if precedence == 0 and self.cur.is_("Operator", "if"):
            return self.if_else()
        left = self.primary()
        previous = ""
        while self.cur.kind == "Operator":
            op = self.cur.text
            negate = op == "not"
            if negate:
                after = self.peek()
                if not (after.kind == "Operator" and after.text in _NEGATABLE):
                    self.fail(after)
                if _BINARY[after.text] < precedence:
                    break
                self.next()
                op = after.text
            if op not in _BINARY or _BINARY[op] < precedence:
                break
            self.next()
            if op == "|":
                left = self.pipe(left)
            elif previous == "??" and op != "??":
                raise ExprError(f"Operator ({op}) and coalesce expressions (??) cannot be mixed. Wrap either "
                                f"by parentheses.")
            elif op in _COMPARISONS:
                left = self.comparison(left, op, _BINARY[op])
            else:
                right = self.expression(_BINARY[op] if op in _RIGHT else _BINARY[op] + 1)
                left = Node("binary", op, (left, right))
            if negate:
                left = Node("unary", "not", (left,))
            previous = op
        if precedence == 0:
            left = self.conditional(left)
        return left

    def comparison(self, left: Node, op: str, precedence: int) -> Node:
        """`a < b <= c` is `a < b && b <= c` (parseComparison)."""
        root = None
        while True:
            right = self.expression(precedence + 1)
            node = Node("binary", op, (left, right))
            root = node if root is None else Node("binary", "&&", (root, node))
            left = right
            if not (self.cur.kind == "Operator" and self.cur.text in _COMPARISONS):
                return root
            op = self.next().text

    def conditional(self, node: Node) -> Node:
        while self.cur.is_("Operator", "?"):
            self.next()
            if self.cur.is_("Operator", ":"):         # `a ?: b` is `a ? a : b`
                self.next()
                then = node
            else:
                then = self.expression(0)
                self.expect("Operator", ":")
            node = Node("conditional", None, (node, then, self.expression(0)))
        return node

    def let(self) -> Node:
        self.next()
        name = self.cur
        if name.kind != "Identifier":
            raise ExprError("expected variable name after let")
        self.next()
        self.expect("Operator", "=")
        value = self.expression(0)
        self.expect("Operator", ";")
        return Node("let", name.text, (value, self.sequence()))

    def if_else(self) -> Node:
        self.next()
        cond = self.expression(0)
        self.expect("Bracket", "{")
        then = self.sequence()
        self.expect("Bracket", "}")
        self.expect("Operator", "else")
        if self.cur.is_("Operator", "if"):
            other = self.if_else()
        else:
            self.expect("Bracket", "{")
            other = self.sequence()
            self.expect("Bracket", "}")
        return Node("conditional", None, (cond, then, other))

    def pipe(self, left: Node) -> Node:
        name = self.cur
        if name.kind != "Identifier":
            self.fail()
        self.next()
        if not self.cur.is_("Bracket", "("):
            raise ExprError("pipe must be followed by a function call")
        return self.call(name.text, [left])

    def primary(self) -> Node:
        tok = self.cur
        if tok.kind == "Operator" and tok.text in _UNARY:
            self.next()
            return self.postfix(Node("unary", tok.text, (self.expression(_UNARY[tok.text]),)))
        if tok.is_("Bracket", "("):
            self.next()
            node = self.sequence()
            self.expect("Bracket", ")")
            return self.postfix(node)
        if self.depth > 0 and tok.is_("Operator", "#", "."):
            name = ""
            if tok.text == "#":                     # `.name` stays for postfix: a member of the element
                self.next()
                if self.cur.kind == "Identifier":
                    name = self.next().text
            return self.postfix(Node("pointer", name))
        if tok.is_("Operator", "::"):               # `::name()` calls the built-in even when the env has one
            self.next()
            name = self.cur
            if name.kind != "Identifier":
                self.fail()
            self.next()
            return self.postfix(self.call(name.text, []))
        return self.secondary()

    def secondary(self) -> Node:
        tok = self.cur
        if tok.kind == "Identifier":
            self.next()
            if tok.text in ("true", "false", "nil"):    # no postfix after a literal (parseSecondary)
                return Node("const", {"true": True, "false": False, "nil": None}[tok.text])
            if tok.text == "$env":
                node = Node("env")
            elif self.cur.is_("Bracket", "("):
                node = self.call(tok.text, [])
            else:
                node = Node("ident", tok.text)
            return self.postfix(node)
        if tok.kind == "Number":
            self.next()
            return Node("const", tok.value)
        if tok.kind == "String":
            self.next()
            return self.postfix(Node("const", tok.value))
        if tok.is_("Bracket", "["):
            return self.postfix(self.array())
        if tok.is_("Bracket", "{"):
            return self.postfix(self.map())
        self.fail()

    def call(self, name: str, args: list) -> Node:
        if name in PREDICATES:
            return Node("builtin", name, tuple(self.predicate_arguments(name, args)))
        if name in BUILTINS and name not in DISABLED_BUILTINS:
            return Node("builtin", name, tuple(self.arguments(args)))
        return Node("call", name, tuple(self.arguments(args)))

    def arguments(self, args: list) -> list:
        """The arguments in parentheses, after `args` (a pipe's left side is the first argument)."""
        self.expect("Bracket", "(")
        return args + self.listed(")", lambda: self.expression(0))

    def listed(self, close: str, item: Callable) -> list:
        """Items separated by commas up to the `close` bracket, which may follow a last comma."""
        items = []
        while not self.cur.is_("Bracket", close):
            if items:
                self.expect("Operator", ",", say=False)
                if self.cur.is_("Bracket", close):
                    break
            items.append(item())
        self.next()
        return items

    def predicate_arguments(self, name: str, args: list) -> list:
        self.expect("Bracket", "(")
        wanted = PREDICATES[name][len(args):]
        for i, (kind, optional) in enumerate(wanted):
            if self.cur.is_("Bracket", ")"):
                if optional:
                    break
                raise ExprError(f"expected at least {len(wanted)} arguments")
            if i > 0:
                self.expect("Operator", ",", say=False)
            args.append(self.expression(0) if kind == _EXPR else self.predicate())
        if self.cur.is_("Operator", ","):
            self.next()
        self.expect("Bracket", ")")
        return args

    def predicate(self) -> Node:
        braces = self.cur.is_("Bracket", "{")
        if braces:
            self.next()
        self.depth += 1
        body = self.sequence() if braces else self.expression(0)
        if not braces and self.cur.is_("Operator", ";"):
            raise ExprError("wrap predicate with brackets { and }")
        self.depth -= 1
        if braces:
            self.expect("Bracket", "}")
        return Node("predicate", None, (body,))

    def array(self) -> Node:
        self.next()
        return Node("array", None, tuple(self.listed("]", lambda: self.expression(0))))

    def map(self) -> Node:
        self.next()
        pairs = self.listed("}", self.pair)
        return Node("map", None, tuple(node for pair in pairs for node in pair))

    def pair(self) -> tuple:
        tok = self.cur
        if tok.kind in ("Number", "Identifier"):        # a bare key is its text (`{a: 1}`, `{1: 'x'}`)
            self.next()
            key = Node("const", tok.text)
        elif tok.kind == "String":
            self.next()
            key = Node("const", tok.value)
        elif tok.is_("Bracket", "("):
            key = self.expression(0)
        else:
            self.fail()
        self.expect("Operator", ":")
        return key, self.expression(0)

    def postfix(self, node: Node) -> Node:
        chain = False       # after `?.` the rest of the chain is nil when the base is (ast.ChainNode)
        while True:
            tok = self.cur
            if tok.is_("Operator", ".", "?."):
                self.next()
                chain = chain or tok.text == "?."
                if tok.text == "?." and self.cur.is_("Bracket", "["):
                    node = self.index(node, chain)
                    continue
                prop = self.next()
                # A keyword such as `not` or `matches` is a valid property name too.
                if prop.kind != "Identifier" and not (prop.kind == "Operator" and _IDENT.fullmatch(prop.text)):
                    raise ExprError("expected name after '.'")
                if self.cur.is_("Bracket", "("):
                    node = Node("method", prop.text, (node, *self.arguments([])))
                else:
                    node = Node("member", chain, (node, Node("const", prop.text)))
            elif tok.is_("Bracket", "["):
                node = self.index(node, chain)
            else:
                return node

    def index(self, node: Node, optional: bool) -> Node:
        self.next()
        start = None
        if not self.cur.is_("Operator", ":"):
            start = self.expression(0)
            if not self.cur.is_("Operator", ":"):
                self.expect("Bracket", "]")
                return Node("member", optional, (node, start))
        self.next()
        end = None if self.cur.is_("Bracket", "]") else self.expression(0)
        self.expect("Bracket", "]")
        return Node("slice", None, (node, start, end))


# --- Types: what expr.Compile refuses -------------------------------------------------------------------------

# The kinds each binary operator takes when one side's type is unknown (Nature.MaybeCompatible in
# checker/checker.go binaryNode); the result type when both are known is computed in _Checker.binary.
_ACCEPTS = {
    "or": (BOOL,), "||": (BOOL,), "and": (BOOL,), "&&": (BOOL,),
    "<": (INT, FLOAT, STRING), ">": (INT, FLOAT, STRING), "<=": (INT, FLOAT, STRING), ">=": (INT, FLOAT, STRING),
    "+": (INT, FLOAT, STRING), "-": NUMBERS, "*": NUMBERS, "/": NUMBERS, "**": NUMBERS, "^": NUMBERS,
    "%": (INT,), "..": (INT,),
    "matches": (STRING,), "contains": (STRING,), "startsWith": (STRING,), "endsWith": (STRING,),
}
_UNKNOWN_RESULT = {"or": BOOL, "||": BOOL, "and": BOOL, "&&": BOOL, "<": BOOL, ">": BOOL, "<=": BOOL, ">=": BOOL,
                   "/": FLOAT, "**": FLOAT, "^": FLOAT, "%": INT, "..": ARRAY, "matches": BOOL, "contains": BOOL,
                   "startsWith": BOOL, "endsWith": BOOL}


class _Walk:
    """A walk over the tree (the checker's and the evaluator's): dispatch on the node kind, `let` scopes."""

    def __init__(self, env: dict):
        self.env = env
        self.scopes = []        # `let` variables, innermost last: (name, type or value)

    def visit(self, node: Node):
        return getattr(self, "visit_" + node.kind)(node)

    def variable(self, name: str) -> tuple:
        """(found, its type or value)."""
        for scoped, value in reversed(self.scopes):
            if scoped == name:
                return True, value
        return False, None

    def with_variable(self, name: str, value, body: Node):
        self.scopes.append((name, value))
        try:
            return self.visit(body)
        finally:
            self.scopes.pop()

    def visit_sequence(self, node):
        for c in node.children[:-1]:
            self.visit(c)
        return self.visit(node.children[-1])


class _Checker(_Walk):
    """Each node's type (checker/checker.go), or ExprError."""

    def visit_const(self, node):
        v = node.value
        if v is None:
            return NIL
        if isinstance(v, bool):
            return BOOL
        return {int: INT, float: FLOAT, str: STRING}[type(v)]

    def visit_env(self, node):
        return ANY

    def visit_pointer(self, node):
        return ANY

    def visit_ident(self, node):
        found, t = self.variable(node.value)
        if found:
            return t
        if node.value in self.env:
            t = self.env[node.value]
            return ANY if isinstance(t, Function) else t
        if node.value in BUILTINS and node.value not in DISABLED_BUILTINS:
            return ANY
        raise ExprError(f"unknown name {node.value}")

    def visit_unary(self, node):
        op, t = node.value, self.visit(node.children[0])
        if op in ("!", "not") and t in (BOOL, ANY):
            return BOOL
        if op in ("-", "+") and t in NUMBERS + (ANY,):
            return t
        raise ExprError(f"invalid operation: {op} (mismatched type {t})")

    def visit_binary(self, node):
        op = node.value
        left, right = (self.visit(c) for c in node.children)
        if op == "matches" and node.children[1].kind == "const" and isinstance(node.children[1].value, str):
            # expr-lang compiles a literal pattern at check time (checker.go binaryNode): a bad one stops CoreDNS.
            err = values.check("regex", "", node.children[1].value)
            if err:
                raise ExprError(err)
        result = self.binary(op, left, right)
        if result is None:
            raise ExprError(f"invalid operation: {op} (mismatched types {left} and {right})")
        return result

    @staticmethod
    def binary(op: str, left: str, right: str) -> Optional[str]:
        """The result type, or None where expr-lang refuses the operand types."""
        if op in ("==", "!="):
            # Nature.ComparableTo
            ok = ANY in (left, right) or NIL in (left, right) or left == right or (left in NUMBERS and
                                                                                 right in NUMBERS)
            return BOOL if ok else None
        if op == "in":
            if right == MAP:
                if left not in (ANY, STRING):
                    raise ExprError(f"cannot use {left} as type string in map key")
                return BOOL
            if right == ARRAY or right == ANY or (left == ANY and right == STRING):
                return BOOL
            return None
        if op == "??":
            if left == NIL:
                return right
            return left if right in (NIL, left) else ANY
        if ANY in (left, right):
            other = right if left == ANY else left
            if other == ANY or other in _ACCEPTS[op]:
                return _UNKNOWN_RESULT.get(op, ANY)
            return None
        if op in ("or", "||", "and", "&&"):
            return BOOL if left == right == BOOL else None
        if op in _COMPARISONS:
            return BOOL if (left in NUMBERS and right in NUMBERS) or left == right == STRING else None
        if op == "+" and left == right == STRING:
            return STRING
        if op in ("+", "-", "*"):
            if left in NUMBERS and right in NUMBERS:
                return INT if left == right == INT else FLOAT
            return None
        if op in ("/", "**", "^"):
            return FLOAT if left in NUMBERS and right in NUMBERS else None
        if op == "%":
            return INT if left == right == INT else None
        if op in ("matches", "contains", "startsWith", "endsWith"):
            return BOOL if left == right == STRING else None
        if op == "..":
            return ARRAY if left == right == INT else None
        return None

    def visit_conditional(self, node):
        cond = self.visit(node.children[0])
        if cond not in (BOOL, ANY):
            raise ExprError(f"non-bool expression (type {cond}) used as condition")
        then, other = (self.visit(c) for c in node.children[1:])
        if then == NIL:
            return other
        return then if other in (NIL, then) else ANY

    def visit_array(self, node):
        for c in node.children:
            self.visit(c)
        return ARRAY

    def visit_map(self, node):
        for c in node.children:
            self.visit(c)
        return MAP

    def visit_member(self, node):
        base_node, prop_node = node.children
        if base_node.kind == "env" and prop_node.kind == "const" and isinstance(prop_node.value, str):
            # `$env.name` looks the name up in the environment only; `$env?.name` may miss.
            if prop_node.value in self.env:
                t = self.env[prop_node.value]
                return ANY if isinstance(t, Function) else t
            if node.value:
                return ANY
            raise ExprError(f"unknown name {prop_node.value}")
        base, prop = self.visit(base_node), self.visit(prop_node)
        named = prop_node.kind == "const" and isinstance(prop_node.value, str)
        if base == ANY:
            return ANY
        if base == MAP:
            if prop not in (STRING, ANY):
                raise ExprError(f"cannot use {prop} to get an element from map")
            return ANY
        if base == ARRAY:
            if prop not in (INT, ANY):
                raise ExprError(f"array elements can only be selected using an integer (got {prop})")
            return ANY
        if named:
            raise ExprError(f"type {base} has no field")
        raise ExprError(f"type {base}[{prop}] is undefined")

    def visit_method(self, node):
        base = self.visit(node.children[0])
        for c in node.children[1:]:
            self.visit(c)
        if base != ANY:
            raise ExprError(f"type {base} has no field")
        return ANY

    def visit_slice(self, node):
        base = self.visit(node.children[0])
        if base == ANY:
            return ANY
        if base not in (STRING, ARRAY):
            raise ExprError(f"cannot slice {base}")
        for c in node.children[1:]:
            if c is not None:
                t = self.visit(c)
                if t not in (INT, ANY):
                    raise ExprError(f"non-integer slice index {t}")
        return base

    def visit_call(self, node):
        name, args = node.value, node.children
        if self.variable(name)[0]:
            raise ExprError(f"{name} is not callable")
        if name not in self.env:
            raise ExprError(f"unknown name {name}")
        sig = self.env[name]
        if not isinstance(sig, Function):
            raise ExprError(f"{name} is not callable")
        if len(args) != len(sig.params):
            for a in args:          # an error inside an argument comes first (checkArguments)
                self.visit(a)
            more = "many" if len(args) > len(sig.params) else "few"
            raise ExprError(f"too {more} arguments to call {name}")
        for arg, want in zip(args, sig.params):
            given = self.visit(arg)
            if given not in (ANY, want) and want != ANY:
                raise ExprError(f"cannot use {given} as argument (type {want}) to call {name}")
        return sig.result

    def visit_builtin(self, node):
        for c in node.children:
            self.visit(c)
        return BUILTINS[node.value]

    def visit_predicate(self, node):
        self.visit(node.children[0])
        return ANY

    def visit_let(self, node):
        name = node.value
        if name in self.env:
            raise ExprError(f"cannot redeclare {name}")
        if name in BUILTINS:
            raise ExprError(f"cannot redeclare builtin {name}")
        if self.variable(name)[0]:
            raise ExprError(f"cannot redeclare variable {name}")
        return self.with_variable(name, self.visit(node.children[0]), node.children[1])


# --- Evaluation -----------------------------------------------------------------------------------------------

def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _need_str(name, x):
    if not isinstance(x, str):
        raise ExprError(f"{name}: expected a string")
    return x


def _to_string(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if x is None:
        return "<nil>"
    return str(x)


def _len(x):
    if not isinstance(x, (str, list, dict)):
        raise ExprError("invalid argument for len")
    return len(x)


# The built-ins the simulator evaluates (builtin/builtin.go); any other raises Unsupported.
_LIBRARY = {
    "len": _len,
    "upper": lambda s: _need_str("upper", s).upper(),
    "lower": lambda s: _need_str("lower", s).lower(),
    "trim": lambda s, chars=None: _need_str("trim", s).strip(chars) if chars is not None else s.strip(),
    "trimPrefix": lambda s, p=" ": _need_str("trimPrefix", s)[len(p):] if s.startswith(p) else s,
    "trimSuffix": lambda s, p=" ": _need_str("trimSuffix", s)[:-len(p)] if p and s.endswith(p) else s,
    "hasPrefix": lambda s, p: _need_str("hasPrefix", s).startswith(_need_str("hasPrefix", p)),
    "hasSuffix": lambda s, p: _need_str("hasSuffix", s).endswith(_need_str("hasSuffix", p)),
    "split": lambda s, sep, n=-1: _need_str("split", s).split(sep) if n < 0 else s.split(sep, n - 1),
    "join": lambda items, sep="": sep.join(items),
    "indexOf": lambda s, sub: _need_str("indexOf", s).find(sub),
    "lastIndexOf": lambda s, sub: _need_str("lastIndexOf", s).rfind(sub),
    "replace": lambda s, old, new: _need_str("replace", s).replace(old, new),
    "repeat": lambda s, n: _need_str("repeat", s) * n,
    "abs": abs,
    "int": int,
    "float": float,
    "string": _to_string,
    "first": lambda xs: xs[0] if xs else None,
    "last": lambda xs: xs[-1] if xs else None,
    "max": lambda *xs: max(xs[0]) if len(xs) == 1 else max(xs),
    "min": lambda *xs: min(xs[0]) if len(xs) == 1 else min(xs),
}


def _go_regex(pattern: str):
    try:
        return re.compile(pattern.replace(r"\z", r"\Z"))    # RE2's end of text is Python's \Z
    except re.error as e:
        raise ExprError(f"invalid regex {pattern!r}: {e}") from None


def _str_args(op, a, b):
    if not isinstance(a, str) or not isinstance(b, str):
        raise ExprError(f"invalid operation: {op} needs strings")


def _binary(op, a, b):
    if op in ("==", "!="):
        equal = (a == b) if (_num(a) and _num(b)) or type(a) is type(b) or a is None or b is None else False
        return equal if op == "==" else not equal
    if op in _COMPARISONS:
        if not ((_num(a) and _num(b)) or (isinstance(a, str) and isinstance(b, str))):
            raise ExprError(f"invalid operation: {op} on mismatched types")
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op == "in":
        if isinstance(b, list):
            return any(_binary("==", a, x) for x in b)
        if isinstance(b, dict):
            return a in b
        if b is None:
            return False
        raise ExprError("invalid operation: in needs an array or a map")
    if op == "matches":
        _str_args(op, a, b)
        return _go_regex(b).search(a) is not None
    if op in ("contains", "startsWith", "endsWith"):
        _str_args(op, a, b)
        return {"contains": b in a, "startsWith": a.startswith(b), "endsWith": a.endswith(b)}[op]
    if op == "+":
        if (_num(a) and _num(b)) or (isinstance(a, str) and isinstance(b, str)):
            return a + b
        raise ExprError("invalid operation: + on mismatched types")
    if op in ("-", "*", "/", "%", "**", "^"):
        if not (_num(a) and _num(b)):
            raise ExprError(f"invalid operation: {op} needs numbers")
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":       # always float division: 1/0 is +Inf, 0/0 NaN
            if b == 0:
                return math.inf if a > 0 else -math.inf if a < 0 else math.nan
            return a / b
        if op == "%":
            if not (isinstance(a, int) and isinstance(b, int)):
                raise ExprError("invalid operation: % needs integers")
            if b == 0:
                raise ExprError("integer divide by zero")
            r = abs(a) % abs(b)         # Go truncates: the remainder has the sign of the dividend
            return -r if a < 0 else r
        return float(a) ** float(b)
    if op == "..":
        if not (isinstance(a, int) and isinstance(b, int)):
            raise ExprError("invalid operation: .. needs integers")
        return list(range(a, b + 1))
    raise Unsupported(f"operator {op}")


class _Evaluator(_Walk):
    """Each node's value for one query (`expr.Run`), or ExprError at run time, or Unsupported."""

    def visit_const(self, node):
        return node.value

    def visit_env(self, node):
        raise Unsupported("$env")

    def visit_too_deep(self, node):
        raise Unsupported("nesting too deep to follow")

    def visit_pointer(self, node):
        raise Unsupported("predicate closures")

    visit_predicate = visit_pointer

    def visit_ident(self, node):
        found, value = self.variable(node.value)
        if found:
            return value
        if node.value in self.env:
            return self.env[node.value]
        raise Unsupported(f"{node.value} as a value")

    def visit_unary(self, node):
        op, value = node.value, self.visit(node.children[0])
        if op in ("!", "not"):
            if not isinstance(value, bool):
                raise ExprError(f"invalid operation: {op} needs a bool")
            return not value
        if not _num(value):
            raise ExprError(f"invalid operation: unary {op} needs a number")
        return -value if op == "-" else value

    def visit_binary(self, node):
        op, (left_node, right_node) = node.value, node.children
        if op in ("and", "&&", "or", "||"):
            left = self.visit(left_node)
            if not isinstance(left, bool):
                raise ExprError(f"invalid operation: {op} needs bools")
            if left == (op in ("or", "||")):        # short-circuit, as expr-lang's VM jumps
                return left
            right = self.visit(right_node)
            if not isinstance(right, bool):
                raise ExprError(f"invalid operation: {op} needs bools")
            return right
        if op == "??":
            left = self.visit(left_node)
            return left if left is not None else self.visit(right_node)
        return _binary(op, self.visit(left_node), self.visit(right_node))

    def visit_conditional(self, node):
        cond = self.visit(node.children[0])
        if not isinstance(cond, bool):
            raise ExprError("non-bool condition in ternary")
        return self.visit(node.children[1] if cond else node.children[2])

    def visit_array(self, node):
        return [self.visit(c) for c in node.children]

    def visit_map(self, node):
        c = node.children
        return {self.visit(c[i]): self.visit(c[i + 1]) for i in range(0, len(c), 2)}

    def visit_member(self, node):
        base = self.visit(node.children[0])
        if base is None and node.value:
            return None
        key = self.visit(node.children[1])
        if isinstance(base, dict):
            return base.get(key)
        if isinstance(base, (list, str)) and isinstance(key, int) and not isinstance(key, bool):
            n = len(base)
            i = key + n if key < 0 else key
            if not 0 <= i < n:
                raise ExprError(f"index out of range: {key} (array length is {n})")
            return base[i]
        raise ExprError("invalid member access")

    def visit_method(self, node):
        raise Unsupported(f"method {node.value}")

    def visit_slice(self, node):
        base = self.visit(node.children[0])
        lo = self.visit(node.children[1]) if node.children[1] is not None else 0
        hi = self.visit(node.children[2]) if node.children[2] is not None else len(base)
        return base[lo:hi]

    def visit_call(self, node):
        fn = self.env.get(node.value)
        if fn is None:
            raise Unsupported(f"the function {node.value}")
        return self.apply(node.value, fn, node.children)

    def visit_builtin(self, node):
        fn = _LIBRARY.get(node.value)
        if fn is None or any(c.kind == "predicate" for c in node.children):
            raise Unsupported("predicate closures" if node.value in PREDICATES else f"the built-in {node.value}")
        return self.apply(node.value, fn, node.children)

    def apply(self, name, fn, arg_nodes):
        args = [self.visit(a) for a in arg_nodes]
        try:
            return fn(*args)
        except (ExprError, Unsupported):
            raise
        except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
            raise ExprError(f"{name}: {e}") from None

    def visit_let(self, node):
        return self.with_variable(node.value, self.visit(node.children[0]), node.children[1])


# --- Entry points ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Program:
    """A compiled expression: its source, tree and result type."""
    source: str
    tree: Node
    type: str

    def evaluate(self, env: dict) -> Any:
        """The value for a runtime env (`query_env`); raises ExprError (a runtime error) or Unsupported."""
        return _Evaluator(env).visit(self.tree)


def compile_expression(source: str, env: dict) -> Program:
    """`expr.Compile(source, expr.Env(env), expr.DisableBuiltin("type"))`; raises ExprError."""
    try:
        tree = _Parser(source).parse()
        return Program(source, tree, _Checker(env).visit(tree))
    except RecursionError:
        # Nesting deeper than Python's stack: expr-lang has no depth limit (only MaxNodes, 10000), so accept it
        # unchecked and decline to evaluate it.
        return Program(source, Node("too_deep"), ANY)


def check(text: str, env: dict) -> tuple:
    """(error or None, result type) of compiling `text` in env."""
    try:
        return None, compile_expression(text, env).type
    except ExprError as e:
        return str(e), ANY


def compile_error(tokens, env: dict) -> Optional[str]:
    """The arguments of an `expr` line, joined by spaces as CoreDNS joins them, compiled in env."""
    return check(" ".join(t.text for t in tokens), env)[0]


def is_reserved(name: str, env: dict) -> bool:
    """template setup.go: a `var` may not shadow the environment or a built-in, and must parse as an identifier
    (isExprIdentifier: not a keyword, `true`, `false` or `nil`)."""
    if name in env or name in BUILTINS:
        return True
    try:
        tree = _Parser(name).parse()
    except ExprError:
        return True
    return not (tree.kind == "ident" and tree.value == name)
