"""corefile generate: each cluster's Corefile (or ConfigMap) from a multi-cluster inventory.

    inventory.load(path)            -> Inventory     (YAML + JSON Schema + meaning; InventoryError lists problems)
    model.build_all(inventory, ..)  -> [ClusterConfig] (syntax trees per cluster)
    render.render(config, format)   -> text          (Jinja templates with the printer as filters)
    mesh.check(configs, inventory)  -> MeshReport    (lint every Corefile, simulate every pair)
"""
from __future__ import annotations

from typing import Optional


def generate(inventory, clusters: Optional[list[str]] = None, output_format: str = "corefile",
             template_dir: Optional[str] = None) -> dict[str, str]:
    """Cluster name -> rendered text, for an inventory path or a loaded Inventory."""
    from . import inventory as inv
    from .model import build_all
    from .render import flavour_of, render

    if not isinstance(inventory, inv.Inventory):
        inventory = inv.load(inventory)
    configs = build_all(inventory, clusters, flavour_of(output_format))
    return {c.cluster.name: render(c, output_format, template_dir) for c in configs}
