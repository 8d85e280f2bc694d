"""Metadata labels as a query carries them (coredns plugin/metadata).

The server calls the block's metadata collector before the view filters (core/dnsserver/server.go ServeDNS:
`ctx = h.metaCollector.Collect(ctx, ...)` for each configuration of the zone, so a block without `metadata` sees
what the last collector put in the context). Collect (plugin/metadata/metadata.go) starts a fresh label map and,
for a name in its zones, asks every plugin of the block that implements metadata.Provider. At 4b26cced those are
`view` (view/name), `kubernetes` (plugin/kubernetes/metadata.go) and `geoip` (plugin/geoip). A label no plugin set
reads as "" (plugin/pkg/expression DefaultEnv `metadata`, metadata.ValueFunc returning nil).

`Labels` holds the values known here and, in `unknown`, the labels (or label prefixes, written with a final "*")
a provider sets from what cannot be known offline, with the reason. Reading such a label raises `UnknownLabel`.
"""
from __future__ import annotations

from ..expr import Unsupported
from ..knowledge.spec import version_tuple

# plugin/geoip/geoip.go Metadata: the labels come from the MaxMind database for the client's address.
GEOIP_WHY = ("the geoip plugin sets it from its MaxMind database for the client's address, which is not read "
             "here")
# plugin/trace/trace.go: the trace id of a new span (random), set before the next plugin runs (since 1.8.5).
TRACE_LABEL = "trace/traceid"
TRACE_SINCE = (1, 8, 5)


class UnknownLabel(Unsupported):
    """A metadata label whose value cannot be known offline."""

    def __init__(self, label: str, why: str):
        super().__init__(f"the metadata label {label}, unknown: {why}")
        self.label, self.why = label, why


class Labels(dict):
    """label -> value as collected; `unknown`: label or "prefix*" -> why its value cannot be known offline."""

    unknown: dict = {}          # shared empty default; an instance with unknown labels gets its own

    def copy(self) -> "Labels":
        new = Labels(self)
        if self.unknown:
            new.unknown = dict(self.unknown)
        return new

    def mark_unknown(self, label: str, why: str) -> None:
        if not self.unknown:
            self.unknown = {}
        self.unknown[label] = why

    def why_unknown(self, label: str) -> str:
        """Why `label` cannot be known ("" when it can): a known value wins over an unknown prefix."""
        if not self.unknown or label in self:
            return ""
        why = self.unknown.get(label)
        if why is None:
            why = next((w for p, w in self.unknown.items() if p.endswith("*") and label.startswith(p[:-1])), "")
        return why

    def value(self, label: str) -> str:
        """metadata.ValueFunc(ctx, label)(), or "" when no plugin set it; UnknownLabel when it cannot be known."""
        found = dict.get(self, label)
        if found is not None:
            return str(found)
        why = self.why_unknown(label)
        if why:
            raise UnknownLabel(label, why)
        return ""

    def describe(self) -> str:
        known = ", ".join(f"{k}={v}" for k, v in sorted(self.items()))
        unknown = ", ".join(f"{k} unknown" for k in sorted(self.unknown))
        return "; ".join(p for p in (known, unknown) if p)


class Reading:
    """What expr's `metadata(label)` reads (corefile_tool/expr.py calls `.get(label, "")`)."""
    __slots__ = ("labels",)

    def __init__(self, labels):
        self.labels = labels

    def get(self, label, default=""):
        labels = self.labels
        if isinstance(labels, Labels):
            return labels.value(label)
        return labels.get(label, default)


def collect(info, q) -> Labels:
    """metadata.Collect for the block `info` (engine.BlockInfo) and the query."""
    labels = Labels()
    if not info.metadata.collects(q.name):
        return labels
    if info.view is not None:
        labels["view/name"] = info.view.name        # plugin/view/metadata.go
    chain = info.chain
    k8s = chain.by_name.get("kubernetes")
    if k8s is not None and hasattr(k8s, "provide_metadata"):
        k8s.provide_metadata(q, labels)
    if "geoip" in chain.by_name:
        labels.mark_unknown("geoip/*", GEOIP_WHY)
    return labels


def in_chain(info, labels: Labels, version: str) -> Labels:
    """The labels plugins of the chain set before later plugins read them: `trace` (ahead of rewrite and
    template in plugin.cfg) sets the new span's trace id, a random value. SetValueFunc is a no-op without a
    label map in the context (no collector ran), so this applies only to collected labels."""
    if info.chain is not None and "trace" in info.chain.by_name and version_tuple(version) >= TRACE_SINCE:
        labels = labels.copy()
        labels.mark_unknown(TRACE_LABEL, "the trace plugin sets it to the random id of the query's span")
    return labels
