"""bufsize: caps the EDNS0 buffer size of queries (coredns plugin/bufsize/setup.go).

Versions: the plugin arrived in 1.6.6; the default went from 512 to 1232 in 1.11.0.
Setup returns after the first bufsize of a server block.
"""
from ..spec import Plugin

PLUGIN = Plugin(
    name="bufsize",
    summary="Limits the EDNS0 UDP buffer size advertised in queries to SIZE (512..4096, default 1232).",
    args="size:int(512..4096)?",
    reads_first_only=True,
    since="1.6.6",
)
