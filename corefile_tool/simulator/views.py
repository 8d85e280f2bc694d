"""Block filters: a block with `view` is chosen only when all its `expr` lines evaluate to true for the query
(coredns plugin/view, core/dnsserver/server.go passAllFilterFuncs). An error or a non-boolean counts as false."""
from __future__ import annotations

from ..expr import ExprError, Unsupported, compile_expression, query_env, view_env
from .labels import Reading, UnknownLabel


class ViewFilter:
    def __init__(self, directive):
        args = [t.text for t in directive.args]
        self.name = args[0] if args else ""
        self.line = directive.line
        self.exprs = []
        self.errors = []
        for child in directive.children:
            if child.name != "expr":
                continue
            source = " ".join(t.text for t in child.args + child.tail)
            try:
                self.exprs.append((compile_expression(source, view_env()), child.line))
            except ExprError as e:
                self.errors.append(f"line {child.line}: {e}")

    def evaluate(self, query, metadata):
        """(passes: bool | None, why). None = cannot be evaluated here."""
        if self.errors:
            return False, f"view {self.name}: the expression does not compile ({self.errors[0]}); CoreDNS would " \
                          f"not start"
        # metadata(label) reads the labels the block's collector put in the context (labels.py): one a provider
        # sets from what cannot be known offline makes the expression unknown.
        env = query_env(query, Reading(metadata))
        for compiled, line in self.exprs:
            try:
                value = compiled.evaluate(env)
            except ExprError as e:
                return False, f"view {self.name}: `{compiled.source}` fails ({e}), which counts as false"
            except UnknownLabel as e:
                return None, f"view {self.name}: `{compiled.source}` reads {e}"
            except Unsupported as e:
                return None, f"view {self.name}: `{compiled.source}` uses {e}, which the simulator does not evaluate"
            if value is not True:
                shown = "false" if value is False else f"{value!r} (not a boolean: false)"
                return False, f"view {self.name}: `{compiled.source}` is {shown}"
        shown = " and ".join(f"`{c.source}`" for c, _ in self.exprs) or "(no expression)"
        return True, f"view {self.name}: {shown} {'is' if len(self.exprs) < 2 else 'are'} true"
