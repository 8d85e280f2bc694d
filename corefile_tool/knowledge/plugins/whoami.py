"""whoami: answers with the client's address and port (coredns plugin/whoami/setup.go)."""
from ..spec import Plugin

PLUGIN = Plugin(
    name="whoami",
    summary="Answers every query with the client's IP address, port and transport.",
    args="",
    reads_first_only=True,
)
