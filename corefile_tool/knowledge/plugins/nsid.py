"""nsid: adds an NSID (RFC 5001) to responses (coredns plugin/nsid/setup.go)."""
from ..spec import Plugin

PLUGIN = Plugin(
    name="nsid",
    summary="Answers NSID requests with DATA (its words joined by spaces; default the host name).",
    args="data:str*",
    once=True,
)
