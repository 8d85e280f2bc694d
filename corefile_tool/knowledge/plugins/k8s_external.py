"""k8s_external: answers for Kubernetes services' external IPs (coredns plugin/k8s_external/setup.go)."""
from ..spec import ANSWERS_ALL, Plugin, Prop, fallthrough
from ._setup_helpers import ignored_zones


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


# It needs the kubernetes plugin in the same server block, but only fails at start-up without it.
PLUGIN = Plugin(
    name="k8s_external",
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
        Prop("ttl", "seconds:int(0..3600) rest:str*"),
        Prop("apex", "name:str rest:str*"),
        Prop("headless", "", since="1.9.4"),
        fallthrough(since="1.11.0"),
    ),
    checks=(_zones,),
)
