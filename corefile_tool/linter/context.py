"""What a lint rule gets besides the tree: the target CoreDNS version, external plugins, profile, knowledge,
and the facts several rules share (zone configurations, listeners, a directive's zones), computed once."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..addresses import zones_from_args
from ..diagnostics import Diagnostic
from ..lexer import Token
from ..tree import Corefile, Directive, ServerBlock


_NONE: list = []


def is_subdomain(child: str, parent: str) -> bool:
    """miekg/dns IsSubDomain on normalised (FQDN) names: equal, or below; `.` is above everything."""
    child, parent = child.lower(), parent.lower()
    return parent == "." or child == parent or child.endswith("." + parent)


def ancestors(zone: str):
    """The zone itself, then each parent up to `.` (lower-case), for set look-ups instead of pairwise tests."""
    zone = zone.lower()
    yield zone
    while zone != ".":
        _, _, zone = zone.partition(".")
        zone = zone or "."
        yield zone


def overlaps(a: str, b: str) -> bool:
    """Two zones share names when one is at or below the other."""
    return is_subdomain(a, b) or is_subdomain(b, a)


@dataclass
class Context:
    corefile: Corefile
    version: str
    external_plugins: dict = field(default_factory=dict)   # name -> plugin it runs after ("" = last)
    profile: Optional[str] = None                           # "kubernetes" for a cluster's CoreDNS
    env: Optional[dict] = None
    block: Optional[ServerBlock] = None                     # the block the directive checker is in (plugin checks)
    _cache: dict = field(default_factory=dict, repr=False)
    _by_name: dict = field(default_factory=dict, repr=False)     # id(block) -> directive name -> directives
    host_interfaces: Optional[tuple] = None                 # network interface names of the host CoreDNS runs on
                                                            # (lint --host-interfaces); None: this machine's

    def diagnostic(self, code: str, severity: str, message: str, token: Optional[Token]) -> Diagnostic:
        if token is None:
            return Diagnostic(code, severity, message, self.corefile.path, 1, 1)
        return Diagnostic(code, severity, message, self.corefile.display_path(token.file), token.line,
                          token.column)

    def plugin_names(self) -> set:
        from ..knowledge import versions

        return self._memo("plugin-names",
                          lambda: set(versions.directives(self.version)) | set(self.external_plugins))

    def has_plugin(self, name: str) -> bool:
        """Whether the target version (or the declared custom build) has this plugin."""
        return name in self.plugin_names()

    def plugin(self, name: str):
        """The knowledge base's entry for a directive that exists in the target version, else None."""
        plugins = self._cache.get("plugins")
        if plugins is None:
            plugins = self._cache["plugins"] = {}
        try:
            return plugins[name]      # asked several times for every directive by several rules
        except KeyError:
            pass
        from ..knowledge import registry, versions

        known = name in versions.order_index(self.version)
        found = plugins[name] = registry.get(name) if known else None
        return found

    def find(self, block: ServerBlock, name: str) -> list:
        """block.find(name) from an index built once: rules ask each block for several directives. The list
        returned is shared: do not change it."""
        by_name = self._by_name.get(id(block))
        if by_name is None:     # (a lookup, not a caught KeyError: every block misses once)
            by_name = self._by_name[id(block)] = {}
            for d in block.directives:
                same = by_name.get(d.name_token.text)
                if same is None:
                    by_name[d.name_token.text] = [d]
                else:
                    same.append(d)
        return by_name.get(name, _NONE)

    # ------------------------------------------------------------------ shared facts, computed once
    def _memo(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def zone_configs(self) -> list:
        from ..listeners import zone_configs

        return self._memo("configs", lambda: zone_configs(self.corefile, self.version))

    def listeners(self) -> dict:
        from ..listeners import group_listeners

        return self._memo("listeners", lambda: group_listeners(self.zone_configs()))

    def block_configs(self, block: ServerBlock) -> list:
        # Asked for every block by several rules: the index is looked up without a closure or _memo call.
        by_block = self._cache.get("by_block")
        if by_block is None:
            by_block = self._cache["by_block"] = {}
            for conf in self.zone_configs():
                by_block.setdefault(id(conf.block), []).append(conf)
        return by_block.get(id(block), [])

    def block_zones(self, block: ServerBlock) -> list:
        zones = self._cache.get("block_zones")
        if zones is None:
            zones = self._cache["block_zones"] = {}
        found = zones.get(id(block))
        if found is None:
            found = zones[id(block)] = tuple([c.zone for c in self.block_configs(block)])
        return list(found)

    def directive_failed(self, d: Directive) -> bool:
        """Whether the directive checker found an error in this directive (CoreDNS would not start, so what
        it would do at run time is moot)."""
        def build():
            from . import directives

            return {(x.path, x.line, x.column) for x in directives.findings(self) if x.severity == "error"}
        errors = self._memo("directive-errors", build)
        return any((self.corefile.display_path(t.file), t.line, t.column) in errors for t in d.tokens())

    def directive_zones(self, d: Directive, block: ServerBlock) -> Optional[list]:
        """The zones a zone-scoped plugin serves: its zone arguments (normalised, CIDRs expanded), or the block's
        zones when it has none. None when the knowledge base cannot say which arguments are zones."""
        plugin = self.plugin(d.name)
        if plugin is None or not plugin.zones or plugin.free_args:
            return None
        # The zones a directive's own words name are a pure function of its argument spec and the words that
        # decide its zone words (`forward . ADDR...`: the first): several rules ask for each directive, and a
        # large Corefile repeats the same few.
        slots = _slots(plugin.args)
        texts = [t.text for t in d.args]
        deciding = _deciding(slots)
        key = (plugin.args, tuple(texts if deciding is None else texts[:deciding]))
        zones = _DIRECTIVE_ZONES.get(key, _UNKNOWN)
        if zones is _UNKNOWN:
            words = zone_words(slots, texts)
            zones = tuple(zones_from_args(words, [])) if words else None   # None: the block's zones
            if len(_DIRECTIVE_ZONES) >= _MEMO_MAX:
                _DIRECTIVE_ZONES.clear()
            _DIRECTIVE_ZONES[key] = zones
        return list(zones) if zones is not None else zones_from_args([], self.block_zones(block))


# Memos of pure functions of words (bounded like knowledge/spec._CHECKED): (argument spec, deciding words) ->
# zones, and (slots, deciding words) -> zone words (see _deciding). Callers get fresh lists.
_MEMO_MAX = 100_000
_UNKNOWN = object()
_DIRECTIVE_ZONES: dict = {}
_ZONE_WORDS: dict = {}


@lru_cache(maxsize=None)
def _slots(spec: str) -> tuple:
    from ..knowledge.spec import slots

    return slots(spec)


ZONE_SLOT_NAMES = ("zones", "zone", "from")


def _is_zone_slot(slot) -> bool:
    return slot.type == "zone" or slot.name in ZONE_SLOT_NAMES


def _fits(slot, word: str) -> bool:
    """Whether an optional slot takes the word: the directive checker's rule (a range never decides)."""
    fits = getattr(slot, "fits", None)
    return fits(word) if fits else slot.check(word) is None


@lru_cache(maxsize=None)
def _deciding(slots: tuple) -> Optional[int]:
    """How many leading words decide zone_words for these slots: those of the leading one-word slots when no zone
    slot comes after them (the later slots only take words), else None (all of them)."""
    for n, slot in enumerate(slots):
        if slot.count != "":
            return None if any(_is_zone_slot(later) for later in slots[n:]) else n
    return len(slots)


def zone_words(slots: tuple, words) -> list:
    """The words a plugin's argument spec assigns to its zone slots (typed `zone`, or named zones/from), fitting
    words to slots as the directive checker does: an optional slot takes a word only when it fits."""
    words = tuple(words)
    deciding = _deciding(slots)
    key = (slots, words if deciding is None else words[:deciding])
    found = _ZONE_WORDS.get(key)
    if found is None:
        found = tuple(_zone_words(slots, words))
        if len(_ZONE_WORDS) >= _MEMO_MAX:
            _ZONE_WORDS.clear()
        _ZONE_WORDS[key] = found
    return list(found)


def _zone_words(slots: tuple, words: tuple) -> list:
    out = []
    i = 0
    for slot in slots:
        if slot.count == "":
            if i >= len(words):
                break
            if _is_zone_slot(slot):
                out.append(words[i])
            i += 1
        elif slot.count == "?":
            if i < len(words) and _fits(slot, words[i]):
                if _is_zone_slot(slot):
                    out.append(words[i])
                i += 1
        else:
            while i < len(words) and _fits(slot, words[i]):
                if _is_zone_slot(slot):
                    out.append(words[i])
                i += 1
    return out
