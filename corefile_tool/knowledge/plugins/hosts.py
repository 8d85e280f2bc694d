"""hosts: answers from a hosts file and inline entries (coredns plugin/hosts/setup.go)."""
from ..spec import ANSWERS_SOME, READS_FIXED, Plugin, Prop, fallthrough, present_in, says
from ._setup_helpers import ignored_zones, locate, missing_file

PROPERTIES = ("fallthrough", "fallthrough_unsupported", "no_reverse", "ttl", "reload")


def _check(directive, ctx):
    args = directive.args
    if args:
        if locate(ctx, args[0], args[0].text) is None:
            yield missing_file(args[0], args[0].text, "hosts file")
        yield from ignored_zones(args[1:])
    if directive.block is None:
        return
    # The properties of the target release (their since in PLUGIN.props); any other line is an inline entry.
    known = {name for name in PROPERTIES if present_in(PLUGIN.prop(name, ctx.version).since, None, ctx.version)}
    fallthrough = unsupported = False
    close = directive.block.close
    for line in directive.block.directives:
        name, rest = line.name_token, list(line.args)
        while name is not None:
            if name.text == "no_reverse" and name.text in known and rest:
                # setup.go reads no word after no_reverse: the next one starts a new line (a `}` closes the block)
                name, rest = (rest[0], rest[1:]) if rest[0] is not close else (None, [])
                continue
            if name.text in known:
                if name.text == "fallthrough":
                    fallthrough = True
                elif name.text == "fallthrough_unsupported":
                    unsupported = True
            elif fallthrough:
                # Any other line is an inline hosts entry, but only until a `fallthrough` has been read.
                later = PLUGIN.prop(name.text, ctx.version) if name.text in PROPERTIES else None
                yield name, f"unknown property '{name.text}'" + (f" (added in CoreDNS {later.since})" if later else "")
                return
            name = None
    if unsupported and not fallthrough:
        yield directive.name_token, "fallthrough_unsupported requires fallthrough"


PLUGIN = Plugin(
    name="hosts",
    summary="Answers A, AAAA and PTR queries from a hosts file (default /etc/hosts) and inline host lines.",
    args="file:path? zones:zone(lenient)*",
    block=True,
    once=True,
    zones=True,
    fallthrough=True,
    other_lines=True,
    # hosts.go ServeDNS: without `fallthrough` a name in its zones gets the entries or SERVFAIL, but a PTR query
    # for an address it has no entry for always goes on (in any zone): some queries always get through.
    answers=ANSWERS_SOME,
    props=(
        fallthrough(),
        Prop("fallthrough_unsupported", "", since="1.14.7"),
        # no_reverse, ttl and reload came with 1.4.0: before it a line other than fallthrough was a hosts entry
        Prop("no_reverse", "", since="1.4.0", reads=READS_FIXED),   # setup reads no word: the next is a new line
        Prop("ttl", "seconds:int(1..65535) rest:str*", since="1.4.0",
             says=says(missing="ttl needs a time in second", invalid="ttl needs a number of second",
                       range="ttl provided is invalid")),
        Prop("reload", "duration:duration(0..)", since="1.4.0",
             says=says(missing="reload needs a duration (zero seconds to disable)",
                       extra="reload needs a duration (zero seconds to disable)",
                       invalid="invalid duration for reload '{value}'",
                       below="invalid negative duration for reload '{value}'")),
    ),
    external_files=("file",),
    checks=(_check,),
)
