"""federation: Kubernetes cluster federation names (github.com/coredns/federation setup.go, built into CoreDNS
1.6.0 .. 1.6.9; gone from 1.7.0).

Each block line is `NAME DOMAIN`; `upstream` is a no-op.
"""
from ..spec import Plugin
from ._dispenser import lines, words


def _federations(directive, ctx):
    mappings = 0
    for line in lines(directive):
        if line.name == "upstream":
            continue
        args = words(line, directive)
        if len(args) != 1:
            yield line.name_token, f"need two arguments for federation, got {len(args)}"
            return
        mappings += 1
    if not mappings:
        yield directive.name_token, "at least one name to zone federation expected"


PLUGIN = Plugin(
    name="federation",
    summary="Answers Kubernetes federation queries (NAME.NAMESPACE.FEDERATION.svc.DOMAIN); needs kubernetes.",
    args="zones:str*",
    block=True,
    other_lines=True,
    zones=True,
    removed="1.7.0",
    replacement="kubernetes multicluster or k8s_external",
    checks=(_federations,),
)
