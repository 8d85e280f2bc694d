"""The shape of a plugin's knowledge: its arguments, block properties, once-per-block rule and versions.

Arguments and property values are written in a small spec language, read once:

    "from:zone to:upstream+"        two slots; `to` takes one or more
    "ttl:int(1..)? zones:zone*"     an optional slot is taken only when the word fits its type
    "policy:enum(random|round_robin|sequential)"
    ""                              no arguments at all

Types are the checkers in values.py. Whatever the language cannot say lives in a plugin's `checks`: functions
`check(directive, ctx) -> iterable of (token, message)` kept in the plugin's own module.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Optional

from . import values

class _Facts:
    """Immutable facts with defaults: a subclass's annotated class attributes are its fields (positional in that
    order), their values the defaults; an instance keeps only what it sets. Cheaper to define and to build than
    a frozen dataclass, whose generated code was a tenth of `corefile lint`'s start-up (sixty plugin modules
    build hundreds of these)."""
    _fields: tuple = ()
    _required: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(cls.__dict__.get("__annotations__", {}))
        cls._required = tuple(f for f in cls._fields if f not in cls.__dict__)

    def __init__(self, *args, **kwargs):
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes at most {len(fields)} positional arguments")
        own = self.__dict__
        own.update(zip(fields, args))
        for name, value in kwargs.items():
            if name not in fields or name in own:
                raise TypeError(f"{type(self).__name__}() got an unexpected or repeated argument {name!r}")
            own[name] = value
        for name in self._required:
            if name not in own:
                raise TypeError(f"{type(self).__name__}() missing required argument {name!r}")

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if k in self._fields)
        return f"{type(self).__name__}({shown})"


# Verdicts of the value checkers (pure functions of type, parameter and word) by (type, param, word): a large
# Corefile repeats its words (`.`, `30`, `round_robin`) thousands of times.
_CHECKED: dict = {}
_CHECKED_MAX = 100_000

_ITEM = re.compile(r"(?P<name>[A-Za-z_][\w-]*):(?P<type>[a-z_]+)(?:\((?P<param>[^)]*)\))?(?P<count>[?*+]?)$")


class Slot(_Facts):
    name: str
    type: str
    param: str = ""
    count: str = ""        # "" exactly one, "?" optional, "*" any number, "+" at least one

    def check(self, text: str) -> Optional[str]:
        key = (self.type, self.param, text)
        try:
            return _CHECKED[key]
        except KeyError:
            pass
        found = values.CHECKERS[self.type](text, self.param)
        if len(_CHECKED) < _CHECKED_MAX:
            _CHECKED[key] = found
        return found

    def fits(self, text: str) -> bool:
        """Whether an optional slot takes this word. Setup code parses first and range-checks after
        (`cache 0` is a TTL that is too small, not a zone), so a range never decides."""
        param = "" if self.type in values.RANGED else self.param
        return values.CHECKERS[self.type](text, param) is None

    def range_side(self, text: str) -> Optional[str]:
        """"below" or "above" when the word has the slot's type but lies outside its range, else None."""
        if self.type not in values.RANGED or not self.param or not self.fits(text) or self.check(text) is None:
            return None
        low = self.param.partition("..")[0] + ".."
        return "below" if values.CHECKERS[self.type](text, low) is not None else "above"


@lru_cache(maxsize=None)
def slots(spec: str) -> tuple:
    out = []
    for item in spec.split():
        m = _ITEM.match(item)
        if not m:
            raise ValueError(f"bad argument spec item {item!r} in {spec!r}")
        if m.group("type") not in values.CHECKERS:
            raise ValueError(f"unknown value type {m.group('type')!r} in {spec!r}")
        out.append(Slot(m.group("name"), m.group("type"), m.group("param") or "", m.group("count")))
    return tuple(out)


# How setup reads the words after a directive's or a property's name (caddy's Dispenser), which decides what
# CoreDNS says about a word too many (Plugin.reads, Prop.reads).
READS_ALL = "all"        # RemainingArgs, then a count check before any value: "Wrong argument count or unexpected
                         # line ending after '<the line's last word>'"
READS_EACH = "each"      # NextArg word by word, each checked as read, then `if c.NextArg() { c.ArgErr() }`:
                         # "... after '<the first word too many>'"
READS_FIXED = "fixed"    # NextArg for each slot and no check after: the next word on the line is read as the next
                         # property (properties only: forward's `policy random extra` is "unknown property 'extra'")

# CoreDNS's own words for a refusal, where the plugin's setup has its own (Plugin.says, Prop.says), by kind:
SAYS_KINDS = (
    "missing",   # fewer words than the slots need (else caddy's ArgErr)
    "extra",     # more words than the slots take (else caddy's ArgErr)
    "invalid",   # a word that is not of its slot's type (else the type checker's words)
    "below",     # a word under its slot's range
    "above",     # a word over its slot's range
    "unknown",   # (Plugin only) a property the plugin does not have (else "unknown property '{name}'")
)


def says(range: str = "", **kinds) -> tuple:
    """CoreDNS's words by kind (SAYS_KINDS; `range` sets both below and above; `invalid_type` is `invalid` for the
    slot named type only), as Plugin/Prop keep them. Placeholders: {value} the offending word, {name} the
    property, {error} the type checker's message."""
    if range:
        kinds.setdefault("below", range)
        kinds.setdefault("above", range)
    unknown = {k for k in kinds if k.partition("_")[0] not in SAYS_KINDS}
    if unknown:
        raise ValueError(f"unknown message kinds {sorted(unknown)}")
    return tuple(sorted(kinds.items()))


def said(pairs: tuple, kind: str, default: str, slot: str = "", **fields) -> str:
    """The message of `kind` (for the slot named `slot`, else for any) from a says() tuple, filled in, else
    `default`."""
    if pairs:
        found = dict(pairs)
        text = found.get(f"{kind}_{slot}") if slot else None
        text = text or found.get(kind)
        if text:
            return text.format(error=default, **fields)
    return default


# How a plugin's handler treats the queries that reach it inside its zones (its ServeDNS). Rules and the simulator
# read these from Plugin.answers; a plugin without a value is not modelled (it may pass queries on or not).
ANSWERS_ALL = "all"      # answers every one itself: none goes on to the next plugin, except as a property with
                         # `passes` lets it (kubernetes, file, forward, ...)
ANSWERS_SOME = "some"    # answers some and hands the others on (hosts: PTR queries it has no entry for)

# What a property does to that when it is given (Prop.passes).
PASSES_ZONES = "zones"   # queries for names under the zones in its arguments (every name, when it has none) may
                         # go on to the next plugin: `fallthrough [ZONES...]`, forward's `except ZONES...`
PASSES_CHAIN = "chain"   # some queries (chosen by reply code) go on, but only when the next handler is another
                         # occurrence of the same chained plugin (forward's `next`, `next_on_nodata`)


class Prop(_Facts):
    """A property line inside the plugin's block."""
    name: str
    args: str = ""                 # spec language; "" = takes no arguments
    since: Optional[str] = None    # CoreDNS version that added it
    deprecated: Optional[str] = None
    removed: Optional[str] = None
    replacement: str = ""          # what to use instead, for deprecation notices
    free_args: bool = False        # arguments not checked here (a `checks` function does)
    once: bool = False             # a second line of this property in the block is an error
    once_message: str = ""         # CoreDNS's words for that error
    passes: str = ""               # PASSES_ZONES / PASSES_CHAIN: given, it lets queries on (see above)
    reads: str = READS_ALL         # how setup reads its words (see READS_ALL)
    says: tuple = ()               # CoreDNS's own words for its refusals (see says())

    @cached_property
    def slots(self) -> tuple:
        return slots(self.args)


def fallthrough(since: Optional[str] = None) -> Prop:
    """`fallthrough [ZONES...]` (plugin/pkg/fall): what the plugin would answer NXDOMAIN for names under ZONES
    (any name, without ZONES) goes to the next plugin instead. fall.SetZonesFromArgs validates none of them."""
    return Prop("fallthrough", "zones:str*", since=since, passes=PASSES_ZONES)


# The `fallthrough` of a plugin whose Plugin.fallthrough is set and that does not list its own (with a release).
FALLTHROUGH = fallthrough()


class Plugin(_Facts):
    name: str
    summary: str
    args: str = ""                          # spec language for the directive's own arguments
    props: tuple = ()                       # Prop entries; () with block=False means no block at all
    block: bool = False                     # whether a `{ }` block is accepted
    once: bool = False                      # "this plugin can only be used once per Server Block"
    once_until: Optional[str] = None        # once per block only before this CoreDNS version (forward: 1.9.4)
    reads_first_only: bool = False          # setup reads only the first occurrence; later ones are ignored
    other_lines: bool = False               # block lines that are not properties are data (hosts entries,
                                            # rewrite rules, acl policies): `checks` judge them
    zones: bool = False                     # leading arguments are the zones it serves (else the block's keys)
    fallthrough: bool = False               # accepts `fallthrough [ZONES...]`
    since: Optional[str] = None
    removed: Optional[str] = None
    replacement: str = ""
    free_args: bool = False                 # arguments checked only by `checks`
    checks: tuple = ()                      # extra check functions (see module docstring)
    external_files: tuple = ()              # argument/property names that name files CoreDNS reads at start-up
    once_message: str = ""                  # CoreDNS's words when `once` is broken, if not plugin.ErrOnce's
    ignores_unknown_until: Optional[str] = None  # before this release setup skipped unknown properties silently
    reads: str = READS_ALL                  # how setup reads the directive's words (see READS_ALL)
    says: tuple = ()                        # CoreDNS's own words for its refusals (see says())
    # Query handling, for the rules that reason about which plugin answers (shadowed-plugin) and the simulator:
    chained: bool = False                   # several occurrences in one block each become a handler, run in
                                            # Corefile order, each handing what it does not take to the next
                                            # (forward, from once_until on)
    answers: str = ""                       # ANSWERS_ALL / ANSWERS_SOME / "" (not modelled), see above
    answers_since: Optional[str] = None     # `answers` holds from this release on; before it, not modelled
    renames: bool = False                   # later plugins may see a name other than the one the server block
                                            # was chosen for (rewrite; autopath's search-path names)
    handles_queries: bool = True            # setup adds a query handler (AddPlugin); False when its zones are
                                            # only what it works on at start-up (sign writes signed files)
    # The HTTP server a plugin starts at start-up, its ADDRESS being the directive's first argument:
    http_server: str = ""                   # the default ADDRESS ("" = the plugin starts none)
    http_server_shared: bool = False        # setups naming the same ADDRESS string share one server (plugin/pkg/uniq)
    block_since: Optional[str] = None       # the first release whose setup reads the block; before it the
                                            # lines are no properties: `checks` say how setup fails

    @cached_property
    def slots(self) -> tuple:
        return slots(self.args)

    def once_in(self, version: str) -> bool:
        return self.once or bool(self.once_until and version_tuple(version) < version_tuple(self.once_until))

    def answers_in(self, version: str) -> str:
        """`answers` as of the release (`""` before answers_since)."""
        return self.answers if present_in(self.answers_since, None, version) else ""

    def prop(self, name: str, version: Optional[str] = None) -> Optional[Prop]:
        """The property called `name`. A property whose arguments changed between releases is listed once
        per form (each with its since/removed), in any order; given a version, the form of that version is
        returned. When no form is present in it, the one that says why: if some form had already come, they
        are all gone, and the form removed last answers ("removed in"); else none has come yet, and the form
        with the earliest since answers ("added in"). A plugin with `fallthrough` set that lists no
        `fallthrough` of its own has FALLTHROUGH."""
        forms = self._forms().get(name)
        if not forms:
            return FALLTHROUGH if self.fallthrough and name == "fallthrough" else None
        if version is None:
            return forms[0]
        for p in forms:
            if present_in(p.since, p.removed, version):
                return p
        v = version_tuple(version)
        # A form that had come by `version` and is not present in it has a removed release <= version.
        gone = [p for p in forms if not p.since or version_tuple(p.since) <= v]
        if gone:
            return max(gone, key=lambda p: version_tuple(p.removed))
        return min(forms, key=lambda p: version_tuple(p.since))

    def _forms(self) -> dict:
        """name -> the Prop entries of that name, built on first use (a lint asks for every property line)."""
        forms = self.__dict__.get("_forms_by_name")
        if forms is None:
            forms = self.__dict__["_forms_by_name"] = {}
            for p in self.props:
                forms.setdefault(p.name, []).append(p)
        return forms


@lru_cache(maxsize=None)
def version_tuple(v: str) -> tuple:
    return tuple(int(x) for x in v.split("."))


def present_in(since: Optional[str], removed: Optional[str], version: str) -> bool:
    v = version_tuple(version)
    if since and v < version_tuple(since):
        return False
    if removed and v >= version_tuple(removed):
        return False
    return True
