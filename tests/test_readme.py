"""README.md is the users' contract: its option lists and its JSON contracts must match the command.

(a) Every option of every command (the click params, found by walking `corefile_tool.cli.main`) must be named in
    the README, in a synopsis (a code line or inline code starting with `corefile CMD`, or `CMD --option`) or in
    the command's `| Option | Meaning |` table, and every option the README names must exist.
(b) Every "JSON contract" block is parsed (`{"key": TYPE, ...}`, `[TYPE]`, `A | B`, `"literal"`, `...`,
    `NAME = ...` definitions shared by all blocks, `# only with ...` marks the next field or the field on that
    line as optional) and the command's real `--format json` output on the bundled samples must match it
    exactly: every documented field present with its type, and no undocumented field at any level.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from corefile_tool.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SAMPLES = ROOT / "samples"
HELP_OPTS = {"-h", "--help"}
OPT_RE = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


# ---------------------------------------------------------------- the README as headings, paragraphs and code blocks

def _items():
    """[(kind, heading, text)] in order: kind "text" (a paragraph, heading lines included) or "code"."""
    items, heading, para, code, fence = [], "", [], [], False
    for line in README.splitlines():
        if line.startswith("```"):
            if fence:
                items.append(("code", heading, "\n".join(code)))
                code, fence = [], False
            else:
                if para:
                    items.append(("text", heading, "\n".join(para)))
                    para = []
                fence = True
            continue
        if fence:
            code.append(line)
        elif not line.strip():
            if para:
                items.append(("text", heading, "\n".join(para)))
                para = []
        else:
            if line.startswith("#"):
                heading = line
            para.append(line)
    if para:
        items.append(("text", heading, "\n".join(para)))
    return items


ITEMS = _items()


def _is_contract(index: int) -> bool:
    kind, _, _ = ITEMS[index]
    return kind == "code" and index > 0 and ITEMS[index - 1][0] == "text" and "JSON contract" in ITEMS[index - 1][2]


# ---------------------------------------------------------------- (a) options

def _commands() -> dict:
    """{(word, ...): click command} for the root group, its groups and every command under them."""
    ctx = click.Context(main)
    out = {(): main}

    def walk(group, path):
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            out[path + (name,)] = cmd
            if isinstance(cmd, click.Group):
                walk(cmd, path + (name,))

    walk(main, ())
    return out


COMMANDS = _commands()
TOP = {path[0] for path in COMMANDS if path}


def _resolve(words: list) -> tuple:
    """The longest command path the words start with."""
    path = ()
    for word in words:
        if path + (word,) in COMMANDS:
            path += (word,)
        else:
            break
    return path


def _synopses():
    """[(command path, text)] for every use of a command the README shows."""
    out = []
    for i, (kind, heading, text) in enumerate(ITEMS):
        if kind == "code":
            if _is_contract(i):
                continue
            lines = text.splitlines()
            for j, line in enumerate(lines):
                words = line.strip().removeprefix("$ ").split()
                if not words or words[0] != "corefile":
                    continue
                use, k = [line], j + 1
                while k < len(lines) and lines[k].startswith(" ") and lines[k].strip().startswith("["):
                    use.append(lines[k])
                    k += 1
                joined = " ".join(use).split()[1:]
                out.append((_resolve(joined), " ".join(joined)))
        else:
            for span in re.findall(r"`([^`]+)`", " ".join(text.split())):
                words = span.split()
                if words and words[0] == "corefile":
                    out.append((_resolve(words[1:]), " ".join(words[1:])))
                elif words and words[0] in TOP and any(w.startswith("-") for w in words[1:]):
                    out.append((_resolve(words), span))
    return out


def _tables():
    """[(command path, option cell)] for each row of an `| Option | Meaning |` table, by the section's command."""
    out = []
    for kind, heading, text in ITEMS:
        if kind != "text" or not re.search(r"^\| Option \|", text, re.M):
            continue
        spans = [s.split()[1:] for s in re.findall(r"`([^`]+)`", heading) if s.startswith("corefile ")]
        paths = {_resolve(words) for words in spans}
        assert len(paths) == 1, f"an options table under {heading!r}, which names no single command"
        (path,) = paths
        for row in text.splitlines():
            if row.startswith("| `-"):
                out.append((path, row.split("|")[1]))
    return out


SYNOPSES = _synopses()
TABLES = _tables()


def _documented() -> dict:
    found: dict = {}
    for path, text in SYNOPSES + TABLES:
        found.setdefault(path, set()).update(OPT_RE.findall(text))
    return found


DOCUMENTED = _documented()


def _name(path) -> str:
    return " ".join(("corefile",) + path)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=_name)
def test_readme_names_every_option(path):
    cmd = COMMANDS[path]
    documented = DOCUMENTED.get(path, set())
    params = [p for p in cmd.params if isinstance(p, click.Option)]
    undocumented = [" / ".join(p.opts + p.secondary_opts) for p in params
                    if not set(p.opts + p.secondary_opts) & documented]
    assert not undocumented, f"`{_name(path)}` options missing from README.md: {undocumented}"
    real = {o for p in params for o in p.opts + p.secondary_opts} | HELP_OPTS
    unknown = sorted(documented - real)
    assert not unknown, f"README.md shows `{_name(path)}` options it does not have: {unknown}"


@pytest.mark.parametrize("path", sorted(p for p, c in COMMANDS.items() if p and not isinstance(c, click.Group)),
                         ids=_name)
def test_readme_shows_every_command(path):
    assert any(p == path for p, _ in SYNOPSES), f"README.md never shows how to run `{_name(path)}`"


def test_option_tables_are_found():
    assert {path for path, _ in TABLES} >= {("lint",), ("simulate",)}


# ---------------------------------------------------------------- (b) JSON contracts

class Obj:
    def __init__(self, fields: dict, wildcard=None):
        self.fields = fields            # name -> (schema, optional)
        self.wildcard = wildcard        # {NAME: schema}: any key, every value of this schema


TOKEN_RE = re.compile(r'\s*(?:(?P<str>"[^"]*")|(?P<dots>\.\.\.)|(?P<id>[A-Za-z_]\w*)|(?P<p>[{}\[\]:,|]))')
DEFS: dict = {}


def _parse_contract(text: str):
    """The block's main schema; `NAME = ...` lines define shared names (`= as in ...` refers to another block)."""
    main_lines, defs, current = [], {}, None
    for line in text.splitlines():
        m = re.match(r"([A-Z][A-Z_]*) = (.*)", line)
        if m:
            current = m.group(1)
            defs[current] = [m.group(2)]
        elif current:
            defs[current].append(line)
        else:
            main_lines.append(line)
    for name, lines in defs.items():
        if not lines[0].startswith("as in"):
            DEFS[name] = _parse_value_text(lines)
    return _parse_value_text(main_lines)


def _parse_value_text(lines: list):
    tokens, optional_next = [], False
    for line in lines:
        code, _, comment = line.partition("#")
        line_tokens = []
        pos = 0
        while code[pos:].strip():
            m = TOKEN_RE.match(code, pos)
            assert m, f"cannot read the contract at {code[pos:]!r}"
            kind = m.lastgroup
            line_tokens.append([kind, m.group(kind), False])
            pos = m.end()
        keys = [t for i, t in enumerate(line_tokens) if i + 1 < len(line_tokens) and line_tokens[i + 1][1] == ":"]
        if optional_next and keys:
            keys[0][2], optional_next = True, False
        if comment.strip().startswith("only with"):
            if keys and code.strip():
                keys[0][2] = True
            else:
                optional_next = True
        tokens += line_tokens
    schema, end = _value(tokens, 0)
    assert end == len(tokens), f"unread contract text: {tokens[end:]}"
    return schema


def _value(tokens, i):
    alts = []
    while True:
        alt, i = _alt(tokens, i)
        alts.append(alt)
        if i < len(tokens) and tokens[i][1] == "|":
            i += 1
            continue
        return (alts[0] if len(alts) == 1 else ("union", alts)), i


def _alt(tokens, i):
    kind, text, _ = tokens[i]
    if text == "{":
        fields, wildcard, i = {}, None, i + 1
        while tokens[i][1] != "}":
            key_kind, key, optional = tokens[i]
            assert tokens[i + 1][1] == ":", f"expected ':' after {key}"
            value, i = _value(tokens, i + 2)
            if key_kind == "str":
                fields[key.strip('"')] = (value, optional)
            else:
                wildcard = value
            if tokens[i][1] == ",":
                i += 1
        return Obj(fields, wildcard), i + 1
    if text == "[":
        item, i = _value(tokens, i + 1)
        assert tokens[i][1] == "]"
        return ("list", item), i + 1
    if kind == "str":
        return ("lit", text.strip('"')), i + 1
    if kind == "dots":
        return ("type", "str"), i + 1
    if text in ("str", "int", "bool", "null"):
        return ("type", text), i + 1
    assert kind == "id", f"unexpected {text!r} in a contract"
    return ("ref", text), i + 1


def _contracts():
    """[(label, schema)] of every JSON contract block, labelled by its section's command and its rank there."""
    out, ranks = [], {}
    for i, (_, heading, text) in enumerate(ITEMS):
        if _is_contract(i):
            section = re.findall(r"`corefile (\w+)", heading)
            rank = ranks[heading] = ranks.get(heading, -1) + 1
            out.append((f"{'/'.join(section)}#{rank}", _parse_contract(text)))
    return out


CONTRACTS = dict(_contracts())


def _s(name: str) -> str:
    return str(SAMPLES / name)


INVENTORY = _s("inventory.yaml")
# label -> [(argv, stdin, expected exit status)]: the commands whose output each contract describes
RUNS = {
    "parse#0": [(["parse", _s("cluster.Corefile"), "--format", "json", "--tokens"], None, 0),
                (["parse", "-", "--format", "json", "--tokens"], ".:53 {\n    log\n", 1)],
    "lint#0": [(["lint", _s("tutorial-multicluster.Corefile"), _s("cluster.Corefile"), "--format", "json"], None, 1)],
    "rules#0": [(["rules", "--format", "json"], None, 0)],
    "simulate#0": [(["simulate", _s("simulate/Corefile"), "shop.example.org", "web.my-ns.svc.cluster.local",
                     "www.example.net", "--cluster-state", _s("simulate/cluster-state.yaml"), "--format", "json"],
                    None, 0),
                   (["simulate", _s("tutorial-multicluster.Corefile"), "x.cluster-b.example.com", "--format", "json"],
                    None, 1)],
    "generate/mesh#0": [(["mesh", "check", INVENTORY, "--format", "json"], None, 0)],
    "generate/mesh#1": [(["simulate", "--inventory", INVENTORY, "--from", "cluster-a",
                          "kubernetes.default.svc.cluster-b.example.com", "corp.example", "--format", "json"],
                         None, 0)],
    "fmt/migrate#0": [(["migrate", _s("cluster.Corefile"), "--from", "1.5.0", "--to", "1.14.7", "--format", "json"],
                       None, 0)],
}


def test_every_contract_has_a_run():
    assert set(CONTRACTS) == set(RUNS), (
        "README.md's JSON contracts and this test's runs differ: "
        f"contracts without a run {sorted(set(CONTRACTS) - set(RUNS))}, runs without a contract "
        f"{sorted(set(RUNS) - set(CONTRACTS))}")


@lru_cache(maxsize=None)
def _output(label: str, n: int):
    argv, stdin, status = RUNS[label][n]
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:           # click 8.2+: stdout and stderr are always apart
        runner = CliRunner()
    result = runner.invoke(main, argv, input=stdin, catch_exceptions=False)
    assert result.exit_code == status, f"corefile {' '.join(argv)}: exit {result.exit_code}\n{result.stderr}"
    return json.loads(result.stdout)


def _check(value, schema, where: str, errors: list, covered: set) -> None:
    if isinstance(schema, Obj):
        if not isinstance(value, dict):
            errors.append(f"{where}: {type(value).__name__}, documented as an object")
            return
        covered.add(id(schema))
        if schema.wildcard is not None:
            for key, item in value.items():
                _check(item, schema.wildcard, f"{where}.{key}", errors, covered)
            return
        missing = [k for k, (_, optional) in schema.fields.items() if k not in value and not optional]
        extra = [k for k in value if k not in schema.fields]
        if missing:
            errors.append(f"{where}: documented field(s) missing: {missing}")
        if extra:
            errors.append(f"{where}: undocumented field(s): {extra}")
        for key, (sub, _) in schema.fields.items():
            if key in value:
                _check(value[key], sub, f"{where}.{key}", errors, covered)
        return
    tag, arg = schema
    if tag == "ref":
        assert arg in DEFS, f"{where}: {arg} is used but defined in no JSON contract of README.md"
        _check(value, DEFS[arg], where, errors, covered)
    elif tag == "union":
        tries = []
        for alt in arg:
            alt_errors, alt_covered = [], set()
            _check(value, alt, where, alt_errors, alt_covered)
            if not alt_errors:
                covered |= alt_covered
                return
            tries.append(alt_errors[0])
        errors.append(f"{where}: matches no documented alternative ({'; '.join(tries)})")
    elif tag == "list":
        if not isinstance(value, list):
            errors.append(f"{where}: {type(value).__name__}, documented as a list")
            return
        for n, item in enumerate(value):
            _check(item, arg, f"{where}[{n}]", errors, covered)
    elif tag == "lit":
        if value != arg:
            errors.append(f"{where}: {value!r}, documented as {arg!r}")
    else:
        ok = {"str": lambda v: isinstance(v, str), "null": lambda v: v is None, "bool": lambda v: isinstance(v, bool),
              "int": lambda v: isinstance(v, int) and not isinstance(v, bool)}[arg](value)
        if not ok:
            errors.append(f"{where}: {value!r}, documented as {arg}")


@pytest.mark.parametrize("label", sorted(RUNS))
def test_json_output_matches_its_contract(label):
    errors: list = []
    for n, (argv, _, _) in enumerate(RUNS[label]):
        command = " ".join(Path(a).name if "/" in a else a for a in argv)
        _check(_output(label, n), CONTRACTS[label], f"`corefile {command}` output $", errors, set())
    assert not errors, "\n".join(errors[:20])


def _objects(schema, where: str, out: dict, seen: set) -> None:
    """Every object schema reachable without crossing an optional field: {id: where it first appears}."""
    if isinstance(schema, Obj):
        if id(schema) in seen:
            return
        seen.add(id(schema))
        out.setdefault(id(schema), where)
        if schema.wildcard is not None:
            _objects(schema.wildcard, f"{where}.NAME", out, seen)
        for key, (sub, optional) in schema.fields.items():
            if not optional:
                _objects(sub, f"{where}.{key}", out, seen)
        return
    tag, arg = schema
    if tag == "ref" and arg in DEFS:
        _objects(DEFS[arg], arg, out, seen)
    elif tag == "union":
        for alt in arg:
            _objects(alt, where, out, seen)
    elif tag == "list":
        _objects(arg, f"{where}[]", out, seen)


def test_samples_exercise_every_documented_object():
    """So that the field checks above are not vacuous: every documented object appears in some output."""
    covered: set = set()
    for label, runs in RUNS.items():
        for n in range(len(runs)):
            _check(_output(label, n), CONTRACTS[label], label, [], covered)
    wanted: dict = {}
    for label, schema in CONTRACTS.items():
        _objects(schema, label, wanted, set())
    unseen = [where for key, where in wanted.items() if key not in covered]
    assert not unseen, f"no sample output contains these documented objects: {unseen}"
