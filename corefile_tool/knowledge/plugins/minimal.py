"""minimal: strips authority and additional sections from answers (coredns plugin/minimal/setup.go)."""
from ..spec import Plugin

PLUGIN = Plugin(
    name="minimal",
    summary="Minimises responses: drops the authority and additional sections where the answer does not need them.",
    args="",
    reads_first_only=True,
    since="1.8.4",
)
