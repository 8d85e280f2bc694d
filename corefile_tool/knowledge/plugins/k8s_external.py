"""k8s_external: answers for Kubernetes services' external IPs (coredns plugin/k8s_external/setup.go)."""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop, fallthrough, says
from ._setup_helpers import ignored_zones


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


# It needs the kubernetes plugin in the same server block, but only fails at start-up without it.
PLUGIN = Plugin(
    name="k8s_external",
    since="1.3.0",   # first in plugin.cfg at v1.3.0
    summary="Resolves the external IPs of Kubernetes services (and LoadBalancer ingress) under its zones.",
    args="zones:zone(lenient)*",
    block=True,
    zones=True,
    fallthrough=True,
    # external.go ServeDNS answers every name in its zones (only `fallthrough` hands NXDOMAIN on). Before 1.11.0
    # it handed everything on when no kubernetes plugin had registered (externalFunc == nil).
    answers=ANSWERS_ALL,
    answers_since="1.11.0",
    props=(
        Prop("ttl", "seconds:int(0..3600) rest:str*", says=says(range="ttl must be in range [0, 3600]: {value}")),
        Prop("apex", "name:str rest:str*"),
        # setup.go reads no word after `headless`: the next one on its line is taken as the next property (and
        # a `}` there closes the block).
        Prop("headless", "", since="1.9.4", reads=READS_FIXED),
        fallthrough(since="1.11.0"),
    ),
    checks=(_zones,),
)
