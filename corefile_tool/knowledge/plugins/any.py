"""any: answers ANY queries with a short HINFO (RFC 8482) (coredns plugin/any/setup.go)."""
from ..spec import Plugin

# setup calls c.Next() once: a second `any` in the block is never read.
PLUGIN = Plugin(
    name="any",
    summary="Answers ANY queries with a minimal HINFO record (RFC 8482).",
    args="",
    reads_first_only=True,
)
