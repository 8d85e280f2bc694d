"""The plugin knowledge base: plugins/<name>.py defines PLUGIN = Plugin(name=<name>, ...).

A module is imported the first time its plugin is asked for, so that linting a 30-line Corefile loads the dozen
plugins it uses rather than all sixty (a third of `corefile lint`'s start-up time otherwise).
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

from .spec import Plugin

_PACKAGE = __name__.rpartition(".")[0] + ".plugins"
_LOADED: dict = {}          # name -> Plugin, or None for a name without a module
_ALL: Optional[dict] = None


def get(name: str) -> Optional[Plugin]:
    try:
        return _LOADED[name]
    except KeyError:
        pass
    plugin = None
    if name.isidentifier() and not name.startswith("_"):   # helper modules start with "_"
        module_name = f"{_PACKAGE}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
        else:
            plugin = getattr(module, "PLUGIN", None)
            if plugin is not None:
                _with_lifecycle(plugin)
    _LOADED[name] = plugin
    return plugin


def plugins() -> dict[str, Plugin]:
    """Every plugin the knowledge base describes, by name (imports all the modules)."""
    global _ALL
    if _ALL is None:
        from . import plugins as pkg

        found = {}
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            plugin = get(info.name)
            if plugin is not None:
                found[plugin.name] = plugin
        _ALL = found
    return _ALL


def _with_lifecycle(plugin: Plugin) -> None:
    """Fill each property's deprecated/removed releases from migrations.CHANGES, the one table lint and migrate
    share (a Prop does not declare them for a property that table lists). Done once, when the module loads."""
    from .migrations import property_lifecycle

    for prop in plugin.props:
        dates = property_lifecycle(plugin.name, prop.name)
        for key, version in dates.items():
            declared = prop.__dict__.get(key)
            if declared is not None and declared != version:
                raise ValueError(f"{plugin.name} {prop.name}: {key}={declared} in plugins/ but {version} in "
                                 "migrations.CHANGES: declare it in CHANGES only")
            prop.__dict__[key] = version   # Prop is immutable to its users; this is its construction
