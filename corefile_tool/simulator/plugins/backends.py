"""Plugins whose answers live in a system the simulator cannot see: they say what they would need.

Each owns the zones of its arguments (or the block's): names outside go to the next plugin; names inside get
"unknown: needs ..." because the answer, and even whether the plugin falls through, depends on that system.
"""
from __future__ import annotations

from ...addresses import zones_from_args
from ..behaviour import Behaviour, all_args
from ..names import ZoneSet

NEEDS = {
    "etcd": "etcd",
    "route53": "AWS Route 53",
    "azure": "Azure DNS",
    "clouddns": "Google Cloud DNS",
    "nomad": "the Nomad API",
    "secondary": "a zone transfer from its primary",
    "federation": "the Kubernetes federation API",
}


def _zone_words(name: str, args: list[str]) -> list[str]:
    if name in ("route53", "azure", "clouddns"):
        # ZONE:ID words (route53 `example.org.:Z123`, azure `example.org:RG/ZONE`, clouddns `zone:project/zone`)
        return [a.split(":", 1)[0] for a in args if ":" in a]
    return args


def _backend(name: str, needs: str):
    def __init__(self, directives, setup):
        Behaviour.__init__(self, directives, setup)
        zones = []
        for d in directives:
            zones += zones_from_args(_zone_words(name, all_args(d)), setup.zones)
        self.zones = ZoneSet(zones or setup.zones)

    def serve(self, q, nxt):
        zone = self.zones.match(q.name)
        if not zone:
            return self.passes(q, nxt, f"{q.name} is outside its zones ({', '.join(self.zones.zones)})")
        return self.unknown(q, f"unknown: needs {needs} (zone {zone})")

    return type(f"Backend_{name}", (Behaviour,), {"NAME": name, "__init__": __init__, "serve": serve,
                                                  "__doc__": f"{name}: answers from {needs}."})


BEHAVIOURS = [_backend(n, w) for n, w in NEEDS.items()]
