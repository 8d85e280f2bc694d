"""chaos: answers CH TXT version.bind and friends (coredns plugin/chaos/setup.go)."""
from ..spec import Plugin

# Only the first `chaos` of a block is parsed; its block may be empty but takes no property.
PLUGIN = Plugin(
    name="chaos",
    summary="Answers CH class TXT queries for version.bind, version.server, authors.bind, hostname.bind and id.server.",
    args="version:str? authors:str*",
    block=True,
    reads_first_only=True,
)
