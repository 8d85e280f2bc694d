"""A server block's plugin chain: its directives' behaviour models in plugin.cfg order, never in written order.

All occurrences of a directive in the block make one model (CoreDNS concatenates their tokens for the one
setup call), so repeated `forward`, `template`, `rewrite`, `file`, `acl` and `log` keep their Corefile order
inside the model. Directives that add no handler are left out; a block with no handler at all has no chain.
"""
from __future__ import annotations

from typing import Optional

from ..knowledge import versions
from .behaviour import Behaviour, BlockSetup, ConfigError, InvalidBehaviour
from .model import Query, Reply
from .plugins import behaviour_for


def _link(serve, nxt):
    """Calls one handler with the link to the next (built once per chain: walking it allocates nothing)."""
    def link(q: Query) -> Reply:
        return serve(q, nxt)
    return link


def _end(handlers):
    def end(q: Query) -> Reply:
        return _end_of_chain(q, handlers)
    return end


class Chain:
    def __init__(self, handlers: list[Behaviour], skipped: list[str]):
        self.handlers = handlers
        self.skipped = skipped           # notes about directives that are not in the chain
        link = _end(handlers)
        for h in reversed(handlers):
            link = _link(h.serve, link)
        self.first = link
        self.by_name = {h.NAME: h for h in handlers}

    def run(self, q: Query) -> Reply:
        return self.first(q)

    @property
    def names(self) -> list[str]:
        return [h.NAME for h in self.handlers]

    def get(self, name: str) -> Optional[Behaviour]:
        return self.by_name.get(name)


def _end_of_chain(q: Query, handlers) -> Reply:
    last = handlers[-1].NAME if handlers else "server"
    q.step("(end of chain)", 0, "handle", f"every plugin passed the query on; {last} finds no next plugin "
                                          f"(plugin/{last}: no next plugin found): the server answers SERVFAIL")
    return Reply("SERVFAIL", written=False)


def group_directives(block) -> dict:
    """Directive name -> its occurrences in the block, in Corefile order (the names in order of first use)."""
    grouped: dict[str, list] = {}
    for d in block.directives:
        name = d.name_token.text
        same = grouped.get(name)
        if same is None:
            grouped[name] = [d]
        else:
            same.append(d)
    return grouped


def build_chain(block, setup: BlockSetup, grouped: Optional[dict] = None) -> Optional[Chain]:
    order = versions.order_index(setup.version)
    if grouped is None:
        grouped = group_directives(block)
    handlers, skipped = [], []
    known = [n for n in grouped if n in order]
    if len(known) > 1:
        known.sort(key=order.__getitem__)
    for name in known:
        cls = behaviour_for(name)
        try:
            model = cls(grouped[name], setup)
        except ConfigError as e:
            model = InvalidBehaviour(name, grouped[name], setup, e)
        except (ValueError, IndexError, KeyError, TypeError) as e:
            model = InvalidBehaviour(name, grouped[name], setup, ConfigError(str(e) or type(e).__name__))
        if model.HANDLER:
            handlers.append(model)
    if len(known) < len(grouped):
        for name in grouped:
            if name not in order:
                skipped.append(f"`{name}` (line {grouped[name][0].line}) is not a directive of CoreDNS "
                               f"{setup.version}: CoreDNS would not start")
    if not handlers:
        return None
    handlers[-1].is_last = True
    return Chain(handlers, skipped)
