"""What Go's text/template Parse refuses, for the template plugin's answer/additional/authority records:
unclosed actions and strings, unknown functions, undefined variables and unbalanced control structures.

It follows the structure of text/template/parse (actions between `{{` and `}}`, `-` trim markers, comments,
pipelines of commands); errors are reported with Go's wording where it is short.
"""
from __future__ import annotations

import re
from typing import Optional

# text/template's predefined functions
BUILTIN_FUNCS = {"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
                 "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne"}
OPENERS = {"if", "range", "with", "define", "block"}

_ACTION_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)+')
  | (?P<declare>:=|=)
  | (?P<var>\$[A-Za-z0-9_]*)
  | (?P<field>(?:\.[A-Za-z0-9_]+)+|\.)
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)i?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
  | (?P<punct>[|(),])
""", re.X)


def parse_error(text: str, funcs=frozenset({"parseInt"})) -> Optional[str]:
    """None when text/template parses `text`, else the reason it does not."""
    known_funcs = BUILTIN_FUNCS | set(funcs)
    stack = []                 # open control keywords
    scopes = [{"$"}]           # declared variables per control level
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start == -1:
            break
        inner_start = start + 2
        if text.startswith("- ", inner_start) or text.startswith("-\t", inner_start) or \
                text.startswith("-\n", inner_start):
            inner_start += 2
        comment = text.startswith("/*", inner_start)
        if comment:
            close = text.find("*/", inner_start + 2)
            if close == -1:
                return "unclosed comment"
            end = text.find("}}", close + 2)
            between = text[close + 2:end]     # lex.go lexComment: `*/` must touch `}}` or a ` -}}` trim marker
            if end == -1 or not (between == "" or (len(between) == 2 and between[0] in " \t\r\n" and between[1] == "-")):
                return "comment ends before closing delimiter"
            pos = end + 2
            continue
        tokens, end, err = _lex_action(text, inner_start)
        if err:
            return err
        pos = end
        err = _action(tokens, stack, scopes, known_funcs)
        if err:
            return err
    if stack:
        return f"unexpected EOF in {stack[-1]}"
    return None


# Kinds of token after which parse.go's command() has read a whole operand: what follows must be a space, `|`,
# `)` or the closing delimiter (or, after some, a `.Field` chain).
_OPERAND_ENDS = {"string", "number", "field", "var", "ident"}


def _adjacent_error(prev, kind: str, word: str) -> Optional[str]:
    """text/template/parse command()/operand() on a token written right after an operand, with no space."""
    pkind, pword = prev
    if kind == "punct" and word in "|)":
        return None
    if pkind == "var" and (kind == "declare" or (kind, word) == ("punct", ",")):
        return None                     # `$x:=`, `$i,$v` in declarations
    if kind == "field" and word != ".":
        if pkind in ("string", "number") or pword in (".", "nil", "true", "false"):
            return f"unexpected . after term {pword!r}"
        return None                     # a chain: .A.B, $x.A, fn.A, (pipe).A
    return f"unexpected {word!r} in operand"


def _lex_action(text: str, i: int):
    tokens = []
    prev = None                         # the token just before, when no space separates it from the next one
    while True:
        if i >= len(text):
            return tokens, i, "unclosed action"
        if text.startswith("}}", i):
            return tokens, i + 2, None
        if text.startswith(" -}}", i) or text.startswith("\t-}}", i) or text.startswith("\n-}}", i):
            return tokens, i + 4, None
        if text.startswith("-}}", i) and text[i - 1] in " \t\r\n":
            return tokens, i + 3, None      # a trim marker after several spaces
        m = _ACTION_TOKEN.match(text, i)
        if not m:
            ch = text[i]
            if ch in "\"'`":
                return tokens, i, "unterminated quoted string"
            return tokens, i, f"unexpected {ch!r} in command"
        if m.lastgroup != "space":
            if prev is not None:
                err = _adjacent_error(prev, m.lastgroup, m.group())
                if err:
                    return tokens, i, err
            tokens.append((m.lastgroup, m.group()))
            closes = m.lastgroup == "punct" and m.group() == ")"
            # a template/define/block name is read with nextNonSpace: what follows it may touch it
            named = len(tokens) == 2 and tokens[0][1] in ("template", "define", "block") and m.lastgroup == "string"
            prev = (m.lastgroup, m.group()) if (m.lastgroup in _OPERAND_ENDS or closes) and not named else None
        else:
            prev = None
        i = m.end()


def _action(tokens, stack, scopes, funcs) -> Optional[str]:
    if not tokens:
        return "missing value for command"
    kind, word = tokens[0]
    if kind == "ident" and word == "end":
        if len(tokens) > 1:
            return "unexpected token in end"
        if not stack:
            return "unexpected {{end}}"
        stack.pop()
        scopes.pop()
        return None
    if kind == "ident" and word == "else":
        if not stack or stack[-1] not in ("if", "range", "with"):
            return "unexpected {{else}}"
        if len(tokens) > 1:
            if tokens[1] != ("ident", stack[-1]) and not (tokens[1][1] in ("if", "with")):
                return "unexpected token in else"
            return _pipeline(tokens[2:], scopes, funcs, control=True)
        return None
    if kind == "ident" and word in ("break", "continue"):
        if "range" not in stack:
            return f"{{{{{word}}}}} outside {{{{range}}}}"
        return None if len(tokens) == 1 else f"unexpected token in {word}"
    if kind == "ident" and word in ("template", "define", "block"):
        if len(tokens) < 2 or tokens[1][0] != "string":
            return f"unexpected token in {word} clause"
        if word in ("define", "block"):
            stack.append(word)
            scopes.append(set(scopes[-1]))
        rest = tokens[2:]
        return _pipeline(rest, scopes, funcs, control=True) if rest else None
    if kind == "ident" and word in OPENERS:
        if len(tokens) == 1:
            return f"missing value for {word}"
        stack.append(word)
        scopes.append(set(scopes[-1]))
        return _pipeline(tokens[1:], scopes, funcs, control=True, context=word)
    return _pipeline(tokens, scopes, funcs, control=False)


def _pipeline(tokens, scopes, funcs, control: bool, context: str = "command") -> Optional[str]:
    # Declarations: `$x := pipeline`, `$i, $v := pipeline` (range), `$x = pipeline`.
    declared = []
    i = 0
    while i + 1 < len(tokens) and tokens[i][0] == "var" and tokens[i + 1] in (("punct", ","), ("declare", ":="),
                                                                          ("declare", "=")):
        declared.append(tokens[i])
        if tokens[i + 1] == ("punct", ","):
            # parse.go pipeline: only range declares two variables, and the second must be one
            if context != "range" or len(declared) > 1:
                return f"too many declarations in {context}"
            if i + 2 < len(tokens) and tokens[i + 2][0] != "var":
                return "range can only initialize variables"
            i += 2
            continue
        # parse.go pipeline records `$x = ...` like `$x := ...`: an undeclared $x fails only when executed
        i += 2
        break
    rest = tokens[i:]
    if declared and not rest:
        return "missing value for command"
    err = _commands(rest, scopes, funcs)
    if err:
        return err
    for _, name in declared:
        scopes[-1].add(name)
    return None


def _not_executable(tok) -> bool:
    """checkPipeline: a pipeline stage after the first may not start with a constant or `.`."""
    kind, word = tok
    return kind in ("string", "number") or word in (".", "nil", "true", "false")


def _commands(tokens, scopes, funcs) -> Optional[str]:
    depth = 0
    command = []
    piped = False               # the last word was a `|`: a pipeline may end right after one (parse.go pipeline)
    stage = 1
    for n, tok in enumerate(tokens + [("end", "")]):
        kind, word = tok
        if kind == "end" or (kind == "punct" and word == ")" and depth == 0):
            if not command and not (piped and n):
                return "missing value for command"
            if kind == "end":
                break
        if kind == "punct" and word == "(":
            depth += 1
        elif kind == "punct" and word == ")":
            if n and tokens[n - 1] == ("punct", "("):
                return "missing value for parenthesized pipeline"
            depth -= 1
            if depth < 0:
                return "unexpected right paren"
        if kind == "punct" and word == "," :
            return 'unexpected "," in operand' if command else 'unexpected "," in command'
        if kind == "punct" and word == "|" and depth == 0:
            if not command:
                return 'unexpected "|" in command'
            command = []
            piped = True
            stage += 1
            continue
        if not command and stage > 1 and depth == 0 and _not_executable(tok):
            return f"non executable command in pipeline stage {stage}"
        piped = False
        command.append(tok)
        if kind == "var":
            name = word.split(".", 1)[0]
            if name not in set().union(*scopes):
                return f"undefined variable \"{name}\""
        elif kind == "ident":
            name = word.split(".", 1)[0]
            if name in ("nil", "true", "false"):
                if "." in word:
                    return f'unexpected . after term "{name}"'
                continue
            if name not in funcs:
                return f'function "{name}" not defined'
        elif kind == "declare":
            return "unexpected declaration in command"
    if depth:
        return "unclosed left paren"
    return None
