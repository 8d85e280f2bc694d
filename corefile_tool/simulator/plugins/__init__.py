"""Behaviour models, one module per plugin (or per family of plugins that act alike).

Each module lists its models in BEHAVIOURS; a model's NAME is the directive it stands for. `behaviour_for(name)`
dispatches by that name; a directive without a model gets `Unmodelled`, which says so instead of guessing.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

from ..behaviour import Behaviour

_REGISTRY: Optional[dict] = None


def registry() -> dict:
    global _REGISTRY
    if _REGISTRY is None:
        found = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for cls in getattr(module, "BEHAVIOURS", ()):
                found[cls.NAME] = cls
        _REGISTRY = found
    return _REGISTRY


class Unmodelled(Behaviour):
    """A plugin the simulator has no model for (an external plugin, or one not covered yet)."""

    def serve(self, q, nxt):
        return self.unknown(q, f"unknown: the simulator has no model of the {self.NAME} plugin")


def behaviour_for(name: str):
    cls = registry().get(name)
    if cls is not None:
        return cls
    return type(f"Unmodelled_{name}", (Unmodelled,), {"NAME": name})


__all__ = ["registry", "behaviour_for", "Unmodelled"]
