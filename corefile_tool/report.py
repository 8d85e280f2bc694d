"""Diagnostic formatters for the CLI: text (compiler style), json (stable contract), sarif 2.1.0, github."""
from __future__ import annotations

import json


def summary(diagnostics, files: int) -> dict:
    count = {"error": 0, "warning": 0, "info": 0}
    for d in diagnostics:
        count[d.severity] += 1
    return {"files": files, "errors": count["error"], "warnings": count["warning"], "infos": count["info"]}


def as_json(diagnostics, files: int) -> str:
    return json.dumps({"diagnostics": [d.as_dict() for d in diagnostics], "summary": summary(diagnostics, files)},
                      indent=2, ensure_ascii=False)


def as_text(diagnostics, source_line, color: bool = False) -> str:
    from .cli import format_text_diagnostic

    return "\n".join(format_text_diagnostic(d, source_line(d), color) for d in diagnostics)


def _github_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def as_github(diagnostics) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    return "\n".join(
        f"::{level[d.severity]} file={_github_escape(d.path, True)},line={d.line},col={d.column},"
        f"title={_github_escape(d.code, True)}::{_github_escape(d.message)}"
        for d in diagnostics)


def _uri(path: str) -> str:
    """SARIF wants URI references: a relative path stays relative (code scanning resolves it against the
    repository root), an absolute one becomes a file: URI; both percent-encoded."""
    import os
    from pathlib import PurePath
    from urllib.parse import quote

    if os.path.isabs(path):
        return PurePath(path).as_uri()
    return quote(path.replace(os.sep, "/"))


def as_sarif(diagnostics, rules) -> str:
    from . import __version__

    level = {"error": "error", "warning": "warning", "info": "note"}
    rule_ids = sorted({d.code for d in diagnostics} | {r.CODE for r in rules})
    rule_index = {code: i for i, code in enumerate(rule_ids)}
    by_code = {r.CODE: r for r in rules}
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "corefile",
                "version": __version__,
                "rules": [{
                    "id": code,
                    "shortDescription": {"text": by_code[code].SUMMARY if code in by_code else code},
                    "fullDescription": {"text": by_code[code].DOC.strip() if code in by_code else code},
                    "defaultConfiguration": {"level": level[by_code[code].SEVERITY] if code in by_code else "error"},
                } for code in rule_ids],
            }},
            "results": [{
                "ruleId": d.code,
                "ruleIndex": rule_index[d.code],
                "level": level[d.severity],
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": _uri(d.path)},
                    "region": {"startLine": max(1, d.line), "startColumn": max(1, d.column)},
                }}],
            } for d in diagnostics],
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
