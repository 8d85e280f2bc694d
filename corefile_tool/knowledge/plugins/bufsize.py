"""bufsize: caps the EDNS0 buffer size of queries (coredns plugin/bufsize/setup.go).

Versions: the plugin arrived in 1.6.6; the default went from 512 to 1232 in 1.11.0.
Setup returns after the first bufsize of a server block, and after its arguments: a block is never read.
"""
from ..spec import Plugin, says
from ._dispenser import ignored, lines


def _ignored_block(directive, ctx):
    found = lines(directive)
    if found:
        yield ignored(found[0].name_token, "bufsize reads no block: its lines are ignored")


PLUGIN = Plugin(
    name="bufsize",
    summary="Limits the EDNS0 UDP buffer size advertised in queries to SIZE (512..4096, default 1232).",
    args="size:int(512..4096)?",
    # Every refusal is caddy's ArgErr; the type checker's reason follows in brackets.
    says=says(invalid="Wrong argument count or unexpected line ending after '{value}' ({error})",
              range="Wrong argument count or unexpected line ending after '{value}' ({error})"),
    block=True,
    other_lines=True,
    reads_first_only=True,
    since="1.6.6",
    checks=(_ignored_block,),
)
