"""etcd: serves SkyDNS-style records stored in etcd v3 (coredns plugin/etcd/setup.go).

Only the first etcd of a server block is read. `stubzones` has been ignored since 1.4.0 and `debug` since
0.9.9, `upstream` since 1.5.2; min-lease-ttl and max-lease-ttl arrived in 1.12.4. The etcd client connects
lazily, except that with `credentials` it authenticates at once (etcd client/v3 newClient -> getToken), which
needs a reachable etcd: `environment` info.
"""
from ..spec import ANSWERS_ALL, Plugin, Prop
from ._dispenser import arg_error, environment, lines, property_files, words
from ._setup_helpers import ignored_zones

LEASE_TTL = "ttl:seconds_or_duration(0..4294967295)"


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


def _credentials(directive, ctx):
    for line in lines(directive, "credentials"):
        args = words(line, directive)
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        if len(args) != 2:
            yield args[-1], "credentials requires 2 arguments, username and password"
            return
        yield environment(line.name_token, "with credentials the etcd client authenticates while CoreDNS starts, "
                                           "so start-up needs a reachable etcd; that cannot be checked here")


PLUGIN = Plugin(
    name="etcd",
    summary="Answers from SkyDNS-style service records kept in etcd (default http://localhost:2379).",
    args="zones:str*",
    block=True,
    zones=True,
    fallthrough=True,
    reads_first_only=True,
    # handler.go ServeDNS: inside its zones the answer or an error rcode; only a name error goes on, and only
    # with `fallthrough`.
    answers=ANSWERS_ALL,
    props=(
        Prop("path", "path:str"),
        Prop("endpoint", "urls:str+"),
        Prop("credentials", free_args=True),
        Prop("tls", "cert:str? key:str? ca:str?"),
        Prop("min-lease-ttl", LEASE_TTL, since="1.12.4"),
        Prop("max-lease-ttl", LEASE_TTL, since="1.12.4"),
        Prop("stubzones", ""),
        Prop("debug", ""),
        Prop("upstream", free_args=True),
    ),
    checks=(_zones, _credentials, property_files("tls", "TLS file", 3)),
)
