"""Loads the plugin modules in plugins/ (each defines PLUGIN = Plugin(...)) once, on first use."""
from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

from .spec import Plugin

_PLUGINS: Optional[dict] = None


def plugins() -> dict[str, Plugin]:
    global _PLUGINS
    if _PLUGINS is None:
        from . import plugins as pkg

        found = {}
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            plugin = getattr(module, "PLUGIN", None)
            if plugin is not None:
                found[plugin.name] = plugin
        _PLUGINS = found
    return _PLUGINS


def get(name: str) -> Optional[Plugin]:
    return plugins().get(name)
