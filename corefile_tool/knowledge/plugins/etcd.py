"""etcd: serves SkyDNS-style records stored in etcd v3 (coredns plugin/etcd/setup.go).

Only the first etcd of a server block is read. `stubzones` has been ignored since 1.4.0 and `debug` since
0.9.9, `upstream` since 1.5.2; min-lease-ttl and max-lease-ttl arrived in 1.12.4. The etcd client connects
lazily, except that with `credentials` it authenticates at once (etcd client/v3 newClient -> getToken), which
needs a reachable etcd: `environment` info.
"""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop
from .. import values
from ._dispenser import arg_error, environment, lines, property_files, words
from ._setup_helpers import ignored_zones

# setup.go reads min-lease-ttl and max-lease-ttl with one NextArg: a further word on the line is read as the next
# property. The value is judged by _lease_ttls (parseTTL).
LEASE_TTL = "ttl:str"
_UINT32_MAX = 4294967295


def _zones(directive, ctx):
    yield from ignored_zones(directive.args)


def lease_ttl_error(text):
    """setup.go parseTTL: blank is 0, digits only are seconds, else a Go duration; 0 to 4294967295 seconds."""
    s = text.strip(" \t\n\r\v\f")
    if not s:
        return None
    if s.isascii() and s.isdigit() and int(s) < 2 ** 64:
        s += "s"
    seconds = values.parse_go_duration(s)
    if seconds is None or abs(seconds) >= 2 ** 63 / 1e9:
        return "invalid TTL format, use format like '30', '30s', '5m', '1h', or '2h30m'"
    if seconds < 0:
        return "TTL must be non-negative"
    if seconds > _UINT32_MAX:
        return "TTL too large, maximum is 4294967295 seconds"
    return None


def _lease_ttls(directive, ctx):
    for line in lines(directive, "min-lease-ttl", "max-lease-ttl"):
        args = words(line, directive)
        err = lease_ttl_error(args[0].text) if args else None
        if err:
            yield args[0], f"invalid {line.name} value: {err}"
            return


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
        # path, min-lease-ttl and max-lease-ttl are read with one NextArg, stubzones and debug with none: a word
        # after them is read as the next property (a `}` there closes the block).
        Prop("path", "path:str", reads=READS_FIXED),
        Prop("endpoint", "urls:str+"),
        Prop("credentials", free_args=True, since="1.4.0"),
        Prop("tls", "cert:str? key:str? ca:str?"),
        Prop("min-lease-ttl", LEASE_TTL, since="1.12.4", reads=READS_FIXED),
        Prop("max-lease-ttl", LEASE_TTL, since="1.12.4", reads=READS_FIXED),
        Prop("stubzones", "", reads=READS_FIXED),
        Prop("debug", "", reads=READS_FIXED),
        Prop("upstream", free_args=True),
    ),
    checks=(_zones, _credentials, _lease_ttls, property_files("tls", "TLS file", 3)),
)
