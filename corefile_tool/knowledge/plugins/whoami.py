"""whoami: answers with the client's address and port (coredns plugin/whoami/setup.go)."""
from ..spec import ANSWERS_ALL, Plugin

PLUGIN = Plugin(
    name="whoami",
    summary="Answers every query with the client's IP address, port and transport.",
    args="",
    reads_first_only=True,
    answers=ANSWERS_ALL,     # whoami.go ServeDNS answers every query that reaches it
)
