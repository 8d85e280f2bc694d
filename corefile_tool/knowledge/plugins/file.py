"""file: serves zones from RFC 1035 zone files (coredns plugin/file/setup.go)."""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop, fallthrough
from ._setup_helpers import ignored_zones, locate, missing_file


def _check(directive, ctx):
    args = directive.args
    if not args:
        return
    yield from ignored_zones(args[1:])
    # A zone file that cannot be opened is only logged (and retried) unless `reload 0` turns reloading off.
    if locate(ctx, args[0], args[0].text) is None:
        yield missing_file(args[0], args[0].text, "zone file")


PLUGIN = Plugin(
    name="file",
    summary="Serves authoritative answers for its zones from zone files, reloading them when they change.",
    args="file:path zones:zone(lenient)*",
    block=True,
    zones=True,
    fallthrough=True,
    # file.go ServeDNS: a name in one of its zones gets the zone's answer (or SERVFAIL/REFUSED); only
    # `fallthrough` (1.12.2) hands NXDOMAIN on.
    answers=ANSWERS_ALL,
    props=(
        fallthrough(since="1.12.2"),
        Prop("reload", "interval:duration rest:str*", since="1.2.3"),
        # no_reload (reads no word) turned reloading off until 1.5.0; 1.2.3 made it a deprecated `reload 0`
        # (those releases are in migrations.CHANGES, which migrate rewrites it by).
        Prop("no_reload", "", replacement="reload 0", reads=READS_FIXED),
        # setup.go reads no word after reload_by_mtime: the next one on its line is read as the next property
        # (a `}` there closes the block).
        Prop("reload_by_mtime", "", since="1.14.4", reads=READS_FIXED),
        Prop("upstream", free_args=True,
             replacement="nothing: it is ignored, CNAME targets are resolved through CoreDNS itself"),
        Prop("transfer", free_args=True, removed="1.8.0", replacement="the transfer plugin"),
    ),
    external_files=("file",),
    checks=(_check,),
)
