"""A server block's plugin chain: its directives' behaviour models in plugin.cfg order, never in written order.

All occurrences of a directive in the block make one model (CoreDNS concatenates their tokens for the one
setup call), so repeated `forward`, `template`, `rewrite`, `file`, `acl` and `log` keep their Corefile order
inside the model. Directives that add no handler are left out; a block with no handler at all has no chain.
"""
from __future__ import annotations

from functools import lru_cache
from operator import attrgetter
from typing import Optional

from ..knowledge import versions
from .behaviour import Behaviour, BlockSetup, ConfigError, InvalidBehaviour
from .model import Query, Reply
from .plugins import behaviour_for


class _Link:
    """Calls one handler with the link to the next (built once per chain: walking it allocates nothing)."""
    __slots__ = ("handler", "next")

    def __init__(self, handler, nxt):
        self.handler, self.next = handler, nxt

    def __call__(self, q: Query) -> Reply:
        return self.handler.serve(q, self.next)


class _End:
    __slots__ = ("handlers",)

    def __init__(self, handlers):
        self.handlers = handlers

    def __call__(self, q: Query) -> Reply:
        return _end_of_chain(q, self.handlers)


class Chain:
    def __init__(self, handlers: list[Behaviour], skipped: list[str]):
        self.handlers = handlers
        self.skipped = skipped           # notes about directives that are not in the chain
        link = _End(handlers)
        for h in reversed(handlers):
            link = _Link(h, link)
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


# Chains of blocks made only of SHARED models, by (directives, version, zones): the same block (a mesh's peer
# block, a generated stub block) recurs in many Corefiles and in many Simulators of one Corefile.
_SHARED_LIMIT = 20_000
_SHARED: dict = {}
_NONE = object()


def shared_chain(block, grouped: dict, zones: list, version: str, setup) -> Optional[Chain]:
    """The block's chain, from the process-wide memo when every model in it is SHARED. `setup()` gives the
    block's setup when the chain has to be built."""
    if not _unshared(version).isdisjoint(grouped):
        return build_chain(block, setup(), grouped)
    key = (signature(block.directives), version, tuple(zones))
    chain = _SHARED.get(key, _NONE)
    if chain is not _NONE:
        return chain
    # A SHARED model reads neither the cluster state nor lookups through the Simulator: left out, a chain kept
    # here holds on to no Simulator and no tree.
    detached = setup()
    detached.cluster_state = detached.lookup = None
    chain = build_chain(block, detached, grouped)
    if chain is None or all(h.shareable() for h in chain.handlers):
        if len(_SHARED) >= _SHARED_LIMIT:
            _SHARED.clear()
        _SHARED[key] = chain
    return chain


@lru_cache(maxsize=None)
def _unshared(version: str) -> frozenset:
    """The directives of `version` whose models are not SHARED."""
    return frozenset(name for name in versions.order_index(version) if not behaviour_for(name).SHARED)


def signature(directives) -> tuple:
    """Everything a model can read of directives: names, lines, words, and the same of the lines in their blocks."""
    return tuple([(d.name_token.text, d.name_token.line, tuple(map(_text, d.args)),
                   tuple(map(_text, d.tail)) if d.tail else (),
                   signature(d.block.directives) if d.block is not None else None) for d in directives])


_text = attrgetter("text")


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
