"""One module per lint rule (as yamllint's rules/): CODE, SEVERITY, SUMMARY, DOC (with a bad and a good
example) and check(corefile, ctx) yielding Diagnostics. The list is read from the modules themselves."""
from __future__ import annotations

import importlib
import pkgutil

_RULES = None


def all_rules() -> list:
    global _RULES
    if _RULES is None:
        mods = []
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            m = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(m, "CODE"):
                mods.append(m)
        _RULES = sorted(mods, key=lambda m: m.CODE)
    return _RULES


def by_code() -> dict:
    return {m.CODE: m for m in all_rules()}
