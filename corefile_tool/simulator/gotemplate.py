"""The subset of Go's text/template that `template` answers use, rendered with the plugin's data.

The data (coredns plugin/template/template.go templateData) has Zone, Name, Regex, Match (the regex's
submatches), Group (submatches by index and by name), Class, Type, Question, Remote (client IP), Var and the
Meta method. Supported actions: a field path (`.Name`, `.Group.host`), `index X KEY...`, `.Meta "label"`, `len`,
`print`, `printf` with %s/%d/%v, `parseInt S BASE BITS`, the comparisons (`eq`, `ne`, `lt`, `le`, `gt`, `ge`),
`and`, `or`, `not`, `{{ if }}`/`{{ else if }}`/`{{ else }}`/`{{ end }}` and `{{-`/`-}}` trimming. `range`,
`with`, variables and pipelines raise `Unsupported` (the simulator then says it cannot render the answer) rather
than being approximated.
"""
from __future__ import annotations

import decimal
import inspect
import math
import re
from functools import lru_cache

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_ARG = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|\(|\)|[^\s()]+')


class Unsupported(Exception):
    pass


class TemplateError(Exception):
    pass


def render(text: str, data: dict) -> str:
    out = []
    _execute(_parse(text), data, out)
    return "".join(out)


@lru_cache(maxsize=1024)
def _parse(text: str) -> tuple:
    """The template as nodes: ("text", s), ("action", body), ("if", ((cond, nodes), ...), else_nodes)."""
    items = []
    pos = 0
    for m in _ACTION.finditer(text):
        literal = text[pos:m.start()]
        if m.group(1):
            literal = literal.rstrip()
        items.append(("text", literal))
        body = m.group(2).strip()
        pos = m.end()
        if m.group(3):
            rest = text[pos:]
            pos += len(rest) - len(rest.lstrip())
        if not body.startswith("/*"):
            items.append(("action", body))
    items.append(("text", text[pos:]))
    nodes, i, closer = _block(items, 0)
    if closer is not None:
        raise TemplateError(f"unexpected {{{{{closer}}}}}")
    return nodes


def _keyword(body: str) -> str:
    word = body.split(None, 1)[0] if body.split() else ""
    return word


def _block(items, i):
    """Nodes up to an `else`/`end` (returned as the closer, with its index) or the end of the items."""
    nodes = []
    while i < len(items):
        kind, body = items[i]
        if kind == "text":
            if body:
                nodes.append(("text", body))
            i += 1
            continue
        word = _keyword(body)
        if word in ("else", "end"):
            return tuple(nodes), i, body
        if word in ("range", "with", "define", "template", "block", "break", "continue"):
            raise Unsupported(f"template {word!r} action")
        if word == "if":
            branches = []
            cond = body[2:].strip()
            while True:
                inner, i, closer = _block(items, i + 1)
                if closer is None:
                    raise TemplateError("unexpected EOF")
                branches.append((cond, inner))
                if closer == "end":
                    nodes.append(("if", tuple(branches), ()))
                    break
                rest = closer[4:].strip()
                if rest.startswith("if ") or rest == "if":
                    cond = rest[2:].strip()
                    continue
                if rest:
                    raise Unsupported(f"template {{{{else {rest}}}}}")
                otherwise, i, closer = _block(items, i + 1)
                if closer != "end":
                    raise TemplateError("expected end")
                nodes.append(("if", tuple(branches), otherwise))
                break
            i += 1
            continue
        nodes.append(("action", body))
        i += 1
    return tuple(nodes), i, None


def _execute(nodes, data, out):
    for node in nodes:
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "action":
            out.append(_to_text(_eval_pipeline(node[1], data)))
        else:
            for cond, inner in node[1]:
                if _truth(_eval_pipeline(cond, data)):
                    _execute(inner, data, out)
                    break
            else:
                _execute(node[2], data, out)


def _truth(v) -> bool:
    """text/template's truth: false, 0, nil, and empty strings and collections are false."""
    if v is None:
        return False
    if isinstance(v, (bool, int, float, str, list, dict, tuple)):
        return bool(v)
    return True


def _to_text(v) -> str:
    if v is None:
        return "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _go_float(v)
    if isinstance(v, list):
        return "[" + " ".join(_to_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_to_text(v[k])}" for k in sorted(v)) + "]"
    return str(v)


def _eval_pipeline(body: str, data: dict):
    if "|" in body.replace('"|"', ""):
        raise Unsupported("template pipelines")
    words = _ARG.findall(body)
    if not words:
        raise TemplateError("empty action")
    if words[0] in ("if", "range", "with", "define", "template", "block", "else", "end") or ":=" in words or \
            words[0].startswith("$"):
        raise Unsupported(f"template {words[0]!r} action")
    value, rest = _command(words, data)
    if rest:
        raise TemplateError(f"unexpected {' '.join(rest)!r}")
    return value


def _command(words, data):
    head = words[0]
    args_words = words[1:]
    if head == "(":
        depth, i = 1, 1
        while i < len(words) and depth:
            depth += {"(": 1, ")": -1}.get(words[i], 0)
            i += 1
        value, rest = _command(words[1:i - 1], data)
        return value, words[i:]
    if head.startswith("."):
        base = _field(data, head)
        if callable(base):
            args = [_operand(w, data) for w in args_words]
            return base(*args), []
        if args_words:
            raise TemplateError(f"{head} is not a method but has arguments")
        return base, []
    fn = _FUNCS.get(head)
    if fn is None:
        raise Unsupported(f"template function {head!r}")
    args = []
    i = 0
    while i < len(args_words):
        w = args_words[i]
        if w == "(":
            depth, j = 1, i + 1
            while j < len(args_words) and depth:
                depth += {"(": 1, ")": -1}.get(args_words[j], 0)
                j += 1
            args.append(_command(args_words[i + 1:j - 1], data)[0])
            i = j
            continue
        args.append(_operand(w, data))
        i += 1
    try:
        bound = _signature(fn).bind(*args)
    except TypeError:
        # text/template checks the count when it executes the action: the template renders nothing.
        raise TemplateError(f"wrong number of args for {head}: got {len(args)}") from None
    return fn(*bound.args), []


@lru_cache(maxsize=None)
def _signature(fn) -> inspect.Signature:
    return inspect.signature(fn)


def _operand(w: str, data: dict):
    if w.startswith('"'):
        return bytes(w[1:-1], "utf-8").decode("unicode_escape")
    if w.startswith("`"):
        return w[1:-1]
    if w.startswith("."):
        return _field(data, w)
    if re.fullmatch(r"-?\d+", w):
        return int(w)
    if w in ("true", "false"):
        return w == "true"
    raise Unsupported(f"template operand {w!r}")


def _field(data: dict, path: str):
    value = data
    if path == ".":
        return data
    for part in path.split(".")[1:]:
        if isinstance(value, dict):
            if part not in value:
                if value is data:
                    raise TemplateError(f"can't evaluate field {part}")
                return None
            value = value[part]
        else:
            raise TemplateError(f"can't evaluate field {part}")
    return value


def _index(container, *keys):
    for k in keys:
        if isinstance(container, dict):
            container = container.get(k)
        elif isinstance(container, list):
            if not isinstance(k, int) or not 0 <= k < len(container):
                raise TemplateError(f"index out of range: {k}")
            container = container[k]
        else:
            raise TemplateError("can't index item")
    return container


def _printf(fmt, *args):
    it = iter(args)

    def sub(m):
        if m.group() == "%%":
            return "%"
        return _to_text(next(it, None))

    return re.sub(r"%%|%[-+# 0]*\d*(?:\.\d+)?[svdqx]", sub, fmt)


def _parse_int(s, base=10, bits=64):
    try:
        v = int(str(s), int(base) or 0)
    except ValueError:
        raise TemplateError(f"parseInt: invalid syntax {s!r}") from None
    if v < 0 or v >= 2 ** int(bits):
        raise TemplateError(f"parseInt: value out of range {s!r}")
    return v


def _go_float(v: float) -> str:
    """fmt's %v for a float64 (strconv 'g', shortest): %e form when the exponent is below -4 or at least 6."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    digits, exponent = decimal.Decimal(repr(v)).normalize().as_tuple()[1:]
    text = "".join(map(str, digits))
    point = len(text) + exponent          # digits before the decimal point
    exp = point - 1
    sign = "-" if v < 0 else ""
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{text}"
    if point >= len(text):
        return sign + text + "0" * (point - len(text))
    return f"{sign}{text[:point]}.{text[point:]}"


def _basic(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if v is None:
        raise Unsupported("comparing a missing value")
    raise TemplateError("invalid type for comparison")


def _eq(a, *others):
    if not others:
        raise TemplateError("missing argument for comparison")
    for b in others:
        if _basic(a) != _basic(b):
            raise TemplateError("incompatible types for comparison")
        if a == b:
            return True
    return False


def _ordered(op):
    def compare(a, b):
        ka, kb = _basic(a), _basic(b)
        if ka != kb or ka == "bool":
            raise TemplateError("incompatible types for comparison" if ka != kb else "invalid type for comparison")
        return op(a, b)
    return compare


def _and(*args):
    for a in args:
        if not _truth(a):
            return a
    return args[-1]


def _or(*args):
    for a in args:
        if _truth(a):
            return a
    return args[-1]


_FUNCS = {
    "index": _index,
    "len": lambda x: len(x),
    "print": lambda *a: "".join(_to_text(x) for x in a),
    "printf": _printf,
    "println": lambda *a: " ".join(_to_text(x) for x in a) + "\n",
    "parseInt": _parse_int,
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _ordered(lambda a, b: a < b),
    "le": _ordered(lambda a, b: a <= b),
    "gt": _ordered(lambda a, b: a > b),
    "ge": _ordered(lambda a, b: a >= b),
    "and": _and,
    "or": _or,
    "not": lambda a: not _truth(a),
}
