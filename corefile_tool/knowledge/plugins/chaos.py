"""chaos: answers CH TXT version.bind and friends (coredns plugin/chaos/setup.go).

Only the first `chaos` of a block is parsed (`if c.Next()`). Its block may be empty but takes no property
(`unknown property`) since 1.14.4 (17142359e); before, setup never looked at the block.
"""
from ..spec import Plugin

PLUGIN = Plugin(
    name="chaos",
    summary="Answers CH class TXT queries for version.bind, version.server, authors.bind, hostname.bind and id.server.",
    args="version:str? authors:str*",
    block=True,
    reads_first_only=True,
    ignores_unknown_until="1.14.4",
)
