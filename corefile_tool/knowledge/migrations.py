"""What changed in the Corefile language from one CoreDNS release to the next, as data for `corefile migrate`.

Each Change says: in release `version`, plugin `plugin` (or its block property `option`) became deprecated,
ignored, removed, a new default, or changed behaviour; what replaces it; and which rewrite (implemented in
corefile_tool/migrate.py, named here) carries a Corefile across. The releases themselves, their order and the
plugins each one has, come from versions.py, the table lint uses too; a property's first and last release
come from the plugin knowledge in plugins/ (Prop.since). Neither is repeated here.

This table is also the one source of when a property was deprecated or removed: the plugin knowledge takes
Prop.deprecated and Prop.removed from the unconditional Changes of the property (property_lifecycle(), applied
by registry.get), so lint and migrate cannot disagree. A plugin's Prop declares neither for a property listed
here; only a form of a property that another form of the same name replaced (secondary's `catalog`) keeps its
own since/removed.

Sources: CoreDNS release notes (notes/coredns-X.Y.Z.md) and plugin setup code at each tag, and the facts
recorded by coredns/corefile-migration (migration/versions.go, plugins.go) for 1.1.3 .. 1.14.2.
"""
from __future__ import annotations

from dataclasses import dataclass

# Statuses, in the words the notices use.
DEPRECATED = "deprecated"      # still works; rewritten only with --deprecations
IGNORED = "ignored"            # accepted and does nothing: dropping it changes nothing
REMOVED = "removed"            # CoreDNS refuses the Corefile while it is there
NEW_DEFAULT = "newdefault"     # part of the default (kubeadm) Corefile from this release on
BEHAVIOUR = "behaviour"        # same words, different behaviour

# Rewrites (see migrate.py).
DROP = "drop"                                # remove the plugin or property line
FIRST_ARGUMENT_ONLY = "first_argument_only"  # keep the property's first argument only
PROXY_TO_FORWARD = "proxy_to_forward"        # proxy becomes forward, its properties converted (below)
ADD_PLUGIN = "add_plugin"                    # add the plugin to server blocks that use one of `params`
ADD_OPTION = "add_option"                    # add the property line `option params...` to the plugin
TRANSFER_TO_PLUGIN = "transfer_to_plugin"    # `transfer to ADDR...` lines move into a transfer plugin
REPLACE_LINE = "replace_line"                # the property line becomes `params` (its words) where it stands;
                                             # going down, `params` becomes the property again in the release
                                             # that lacks params[0]


@dataclass(frozen=True)
class Change:
    version: str
    plugin: str
    option: str = ""              # a property line of the plugin's block; "" for the plugin itself
    status: str = DEPRECATED
    replaced_by: str = ""
    rewrite: str = ""             # "" = nothing to rewrite: the change is reported, or refused if REMOVED
    params: tuple = ()
    only_if: tuple = ()           # (condition, value): has_option, lacks_option, first_argument, more_arguments_than
    from_range: tuple = ()        # (first, last): applies only to migrations that start in this range
    note: str = ""                # one more sentence for the notice
    source: str = ""


CHANGES = (
    # 1.1.4: reverse became a no-op, and proxy's https_google protocol too (notes/coredns-1.1.4.md).
    Change("1.1.4", "reverse", status=IGNORED, rewrite=DROP, source="notes/coredns-1.1.4.md"),
    Change("1.1.4", "proxy", "protocol", IGNORED, rewrite=DROP, only_if=("first_argument", "https_google"),
           source="notes/coredns-1.1.4.md"),
    Change("1.2.0", "reverse", status=REMOVED, rewrite=DROP, source="plugin.cfg v1.2.0"),
    Change("1.2.0", "proxy", "protocol", REMOVED, rewrite=DROP, only_if=("first_argument", "https_google"),
           source="plugin/proxy v1.2.0"),
    # 1.2.1: loop was added and joined the default Corefile wherever queries are forwarded.
    Change("1.2.1", "loop", status=NEW_DEFAULT, rewrite=ADD_PLUGIN, params=("forward", "proxy"),
           source="notes/coredns-1.2.1.md; corefile-migration"),
    # 1.3.1 announced, 1.4.0 enacted: kubernetes reads only the first `endpoint` (plugin/kubernetes/setup.go).
    Change("1.3.1", "kubernetes", "endpoint", DEPRECATED, rewrite=FIRST_ARGUMENT_ONLY,
           only_if=("more_arguments_than", 1), source="notes/coredns-1.3.1.md"),
    Change("1.4.0", "kubernetes", "endpoint", IGNORED, rewrite=FIRST_ARGUMENT_ONLY,
           only_if=("more_arguments_than", 1), note="Only the first endpoint is used.",
           source="plugin/kubernetes/setup.go v1.4.0"),
    # upstream: its arguments ignored from 1.4.0, a no-op from 1.5.0, gone in 1.7.0.
    Change("1.4.0", "kubernetes", "upstream", DEPRECATED, rewrite=DROP, source="notes/coredns-1.3.1.md"),
    Change("1.5.0", "kubernetes", "upstream", IGNORED, rewrite=DROP, source="corefile-migration"),
    Change("1.7.0", "kubernetes", "upstream", REMOVED, rewrite=DROP, source="notes/coredns-1.7.0.md"),
    # resyncperiod: deprecated 1.5.0, no-op 1.6.0, removed 1.7.0 (notes/coredns-1.5.0.md).
    Change("1.5.0", "kubernetes", "resyncperiod", DEPRECATED, rewrite=DROP, source="notes/coredns-1.5.0.md"),
    Change("1.6.0", "kubernetes", "resyncperiod", IGNORED, rewrite=DROP, source="plugin/kubernetes v1.6.0"),
    Change("1.7.0", "kubernetes", "resyncperiod", REMOVED, rewrite=DROP, source="notes/coredns-1.7.0.md"),
    # 1.5.2: `upstream` left the documentation of every plugin that had it and became a no-op (still accepted)
    # (notes/coredns-1.5.2.md; plugin/*/setup.go v1.5.2: `case "upstream": // remove soon`).
    *(Change("1.5.2", name, "upstream", IGNORED, rewrite=DROP, source="notes/coredns-1.5.2.md")
      for name in ("auto", "etcd", "file", "route53", "secondary", "template")),
    Change("1.6.3", "clouddns", "upstream", IGNORED, rewrite=DROP, note="clouddns had it as a no-op from its start.",
           source="plugin/clouddns/setup.go v1.6.3"),
    Change("1.8.0", "secondary", "upstream", REMOVED, rewrite=DROP, source="plugin/secondary/setup.go v1.8.0"),
    # etcd: `stubzones` ignored from 1.4.0 as 1.3.1 announced; `debug` already a no-op in the oldest release
    # this table knows (plugin/etcd/setup.go v1.1.3 and v1.4.0).
    Change("1.4.0", "etcd", "stubzones", IGNORED, rewrite=DROP,
           source="notes/coredns-1.3.1.md; plugin/etcd/setup.go v1.4.0"),
    Change("1.1.3", "etcd", "debug", IGNORED, rewrite=DROP, source="plugin/etcd/setup.go v1.1.3"),
    # file and auto: `reload DURATION` came in 1.2.3 and `no_reload` became the same as `reload 0` (setup.go v1.2.3:
    # case "no_reload": reload = 0; README: "no_reload deprecated. Sets reload to 0."); 1.5.0 removed no_reload
    # (notes/coredns-1.5.0.md; setup.go v1.5.0 has no case for it: file refuses it, auto's default case too).
    # Before 1.2.3 there is no `reload`, so going down across 1.2.3 `reload 0` becomes `no_reload` again.
    *(Change(version, name, "no_reload", status, replaced_by="reload 0", rewrite=REPLACE_LINE,
             params=("reload", "0"), note="Both turn zone reloading off.",
             source=f"plugin/{name}/setup.go v{version}" + ("; notes/coredns-1.5.0.md" if status == REMOVED else ""))
      for name in ("file", "auto") for version, status in (("1.2.3", DEPRECATED), ("1.5.0", REMOVED))),
    # route53: plaintext credentials in the Corefile deprecated (notes/coredns-1.9.2.md); still read.
    Change("1.9.2", "route53", "aws_access_key", DEPRECATED,
           replaced_by="AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or `credentials`", source="notes/coredns-1.9.2.md"),
    # proxy: deprecated in 1.4.0 in favour of forward, left the default build in 1.5.0 (plugin.cfg).
    Change("1.4.0", "proxy", status=DEPRECATED, replaced_by="forward", rewrite=PROXY_TO_FORWARD,
           source="notes/coredns-1.4.0.md"),
    Change("1.5.0", "proxy", status=REMOVED, replaced_by="forward", rewrite=PROXY_TO_FORWARD,
           source="plugin.cfg v1.5.0"),
    # 1.5.0: ready was added and joined the default Corefile in blocks that serve kubernetes.
    Change("1.5.0", "ready", status=NEW_DEFAULT, rewrite=ADD_PLUGIN, params=("kubernetes",),
           source="notes/coredns-1.5.0.md; corefile-migration"),
    Change("1.6.5", "health", "lameduck", NEW_DEFAULT, rewrite=ADD_OPTION, params=("5s",),
           source="corefile-migration (kubeadm default for 1.6.5)"),
    Change("1.7.0", "forward", "max_concurrent", NEW_DEFAULT, rewrite=ADD_OPTION, params=("1000",),
           source="corefile-migration (kubeadm default for 1.7.0)"),
    Change("1.7.0", "federation", status=REMOVED,
           note="it left CoreDNS for github.com/coredns/federation, and no plugin of CoreDNS does its work.",
           source="notes/coredns-1.7.0.md"),
    # 1.8.0: outgoing zone transfers moved to the transfer plugin (notes/coredns-1.8.0.md).
    *(Change("1.8.0", name, "transfer", REMOVED, replaced_by="transfer", rewrite=TRANSFER_TO_PLUGIN,
             only_if=("first_argument", "to"), source="notes/coredns-1.8.0.md")
      for name in ("kubernetes", "file", "auto", "secondary")),
    # 1.14.5: with `fallthrough`, hosts passes on query types it does not serve (notes/coredns-1.14.5.md).
    Change("1.14.5", "hosts", "fallthrough", BEHAVIOUR,
           note="Queries for record types hosts does not serve (TXT, HTTPS, SVCB...) now go to the next plugin "
                "even for names it has, instead of an empty answer.",
           source="notes/coredns-1.14.5.md"),
    # 1.14.7 made that opt-in: `fallthrough_unsupported` keeps what 1.14.5 and 1.14.6 did.
    Change("1.14.7", "hosts", "fallthrough_unsupported", BEHAVIOUR, rewrite=ADD_OPTION,
           only_if=("has_option", "fallthrough"), from_range=("1.14.5", "1.14.6"),
           note="It keeps the 1.14.5 behaviour of fallthrough, which became opt-in.",
           source="notes/coredns-1.14.7.md; plugin/hosts/README.md v1.14.7"),
    Change("1.14.7", "forward", "max_connect_attempts", BEHAVIOUR, only_if=("lacks_option", "max_connect_attempts"),
           note="Its default is now twice the number of upstreams (before: no cap); "
                "max_connect_attempts 0 restores the old behaviour.",
           source="notes/coredns-1.14.7.md; plugin/forward/README.md v1.14.7"),
)

# proxy's properties in forward's words (plugin/proxy/README.md v1.4.0, plugin/forward/README.md and setup.go).
# A value is "keep", "drop", or a dict from the property's arguments to "keep" or to (the line that replaces it,
# "" = drop it; the notice's sentence saying why). A key is the arguments joined by spaces ("" = none), or
# "FIRST *" for any arguments that start with FIRST, or ANY_ARGUMENTS alone for any others; the most exact key
# that matches wins. A property or argument not listed has no equivalent: the migration is refused.
ANY_ARGUMENTS = "*"
PROXY_TO_FORWARD_OPTIONS = {
    "except": {
        # proxy and forward both refuse `except` without domains (plugin/forward/setup.go: ArgErr).
        "": ("", 'With no domains it excepts nothing, and "forward" refuses an except without domains; it is dropped.'),
        ANY_ARGUMENTS: "keep",
    },
    "policy": {
        "random": "keep",
        "round_robin": "keep",
        "sequential": "keep",
        # proxy's README calls "first" deprecated in favour of "sequential".
        "first": ("policy sequential", '"policy first" becomes "policy sequential", its name in "forward".'),
        # what corefile-migration writes (its migrate_test.go); forward's policies are random, round_robin and
        # sequential (random by default).
        "least_conn": ("force_tcp", '"forward" has no least_conn policy: "policy least_conn" becomes '
                                    '"force_tcp", as corefile-migration writes it, and forward picks upstreams '
                                    "with its default policy, random."),
    },
    # Health checking and failure accounting work differently in forward (its own defaults apply).
    "fail_timeout": "drop",
    "max_fails": "drop",
    "health_check": "drop",
    "spray": "drop",
    "protocol": {
        "dns": ("", '"protocol dns" is what "forward" does without it; it is dropped.'),
        "dns force_tcp": ("force_tcp", '"protocol dns force_tcp" becomes "force_tcp".'),
        # proxy itself refused a protocol named force_tcp (plugin/proxy/upstream.go v1.4.0: invalid protocol);
        # corefile-migration reads `protocol force_tcp ...` as force_tcp (its migrate_test.go), and so does this.
        "force_tcp": ("force_tcp", '"protocol force_tcp" becomes "force_tcp".'),
        f"force_tcp {ANY_ARGUMENTS}": ("force_tcp", '"protocol force_tcp ..." becomes "force_tcp"; the words after '
                                                    'it have no meaning in "forward".'),
        # https_google did nothing from 1.1.4 and was refused from 1.2.0 (the Changes above); forward never had it.
        "https_google": ("", '"protocol https_google" has done nothing since CoreDNS 1.1.4; it is dropped.'),
        f"https_google {ANY_ARGUMENTS}": ("", '"protocol https_google" has done nothing since CoreDNS 1.1.4; it is '
                                              "dropped."),
        # `protocol grpc` is not listed: forward cannot speak gRPC, and dropping it would send plain DNS to a gRPC
        # endpoint, so the migration is refused (corefile-migration drops it).
    },
}

# How a plugin read several `transfer to` lines before 1.8.0, which decides what the transfer plugin's one `to`
# list is: "last" = each line replaced the ones before (plugin/kubernetes/setup.go v1.7.1: k8s.TransferTo = tos),
# "all" = the lines add up (plugin/file, auto and secondary setup.go v1.7.1 append; notes/coredns-1.8.0.md shows
# two file lines becoming one `to` list).
TRANSFER_LINES = {"kubernetes": "last", "file": "all", "auto": "all", "secondary": "all"}

# A stub domain split off into its own server block (corefile-migration's layout) gets these plugins too.
STUB_BLOCK_PLUGINS = (("loop",), ("errors",), ("cache", "30"))


_BY_VERSION: dict = {}
for _c in CHANGES:
    _BY_VERSION.setdefault(_c.version, []).append(_c)


def changes_in(version: str) -> tuple:
    return tuple(_BY_VERSION.get(version, ()))


_LIFECYCLE: dict = {}
for _c in CHANGES:
    if _c.option and not _c.only_if and not _c.from_range and _c.status in (DEPRECATED, IGNORED, REMOVED):
        _dates = _LIFECYCLE.setdefault((_c.plugin, _c.option), {})
        _key = "removed" if _c.status == REMOVED else "deprecated"
        _known = _dates.get(_key)
        if _known is None or tuple(map(int, _c.version.split("."))) < tuple(map(int, _known.split("."))):
            _dates[_key] = _c.version


def property_lifecycle(plugin: str, option: str) -> dict:
    """{"deprecated": release, "removed": release} of a plugin's property, from the unconditional Changes above
    (deprecated = the first release it was deprecated or ignored in); {} when this table does not list it."""
    return _LIFECYCLE.get((plugin, option), {})
