"""corefile: parse, lint, simulate and generate CoreDNS Corefiles.

The public API is four functions, imported lazily so `import corefile_tool` stays cheap:

    corefile_tool.parse(text_or_path)            -> Corefile (syntax tree with positions)
    corefile_tool.lint(text_or_path, version=..) -> list[Diagnostic]
    corefile_tool.simulate(corefile, qname, ..)  -> Result
    corefile_tool.generate(inventory, ..)        -> dict of cluster name -> Corefile text
"""

__version__ = "0.1.0"

_API = {
    "parse": ("corefile_tool.parser", "parse"),
    "lint": ("corefile_tool.linter", "lint"),
    "simulate": ("corefile_tool.simulator", "simulate"),
    "generate": ("corefile_tool.generator", "generate"),
    "Diagnostic": ("corefile_tool.diagnostics", "Diagnostic"),
}

__all__ = list(_API)


def __getattr__(name):
    if name in _API:
        import importlib

        module, attr = _API[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'corefile_tool' has no attribute {name!r}")
