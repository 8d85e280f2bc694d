"""The subset of Go's text/template that `template` answers use, rendered with the plugin's data.

The data (coredns plugin/template/template.go templateData) has Zone, Name, Regex, Match (the regex's
submatches), Group (submatches by index and by name), Class, Type, Remote (client IP), Var and the Meta method.
Supported actions: a field path (`.Name`, `.Group.host`), `index X KEY...`, `.Meta "label"`, `len`, `print`,
`printf` with %s/%d/%v, `parseInt S BASE BITS` and `{{-`/`-}}` trimming. Control structures raise
`Unsupported` (the simulator then says it cannot render the answer) rather than being approximated.
"""
from __future__ import annotations

import inspect
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
    pos = 0
    for m in _ACTION.finditer(text):
        literal = text[pos:m.start()]
        if m.group(1):
            literal = literal.rstrip()
        out.append(literal)
        body = m.group(2).strip()
        pos = m.end()
        if m.group(3):
            rest = text[pos:]
            pos += len(rest) - len(rest.lstrip())
        if body.startswith("/*"):
            continue
        out.append(_to_text(_eval_pipeline(body, data)))
    out.append(text[pos:])
    return "".join(out)


def _to_text(v) -> str:
    if v is None:
        return "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
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
    if words[0] in ("if", "range", "with", "define", "template", "block", "else", "end") or ":=" in words:
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


_FUNCS = {
    "index": _index,
    "len": lambda x: len(x),
    "print": lambda *a: "".join(_to_text(x) for x in a),
    "printf": _printf,
    "println": lambda *a: " ".join(_to_text(x) for x in a) + "\n",
    "parseInt": _parse_int,
    "eq": lambda a, *b: any(a == x for x in b),
    "ne": lambda a, b: a != b,
    "not": lambda a: not a,
}
