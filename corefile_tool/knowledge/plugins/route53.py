"""route53: serves zones from AWS Route 53 (coredns plugin/route53/setup.go).

Versions: refresh 1.6.2, aws_endpoint 1.8.7; aws_access_key deprecated in 1.9.2 (credentials belong in the
environment or the shared credentials file); `upstream` has been a no-op since 1.5.2. Setup lists the hosted
zones through the AWS API, so whether it starts depends on credentials and network: `environment` info.
"""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop, fallthrough, says
from .. import values
from ._dispenser import cloud_zones, lines, needs_environment, words
from ._setup_helpers import go_quote


def _access_key(directive, ctx):
    for line in lines(directive, "aws_access_key"):
        args = words(line, directive)
        if len(args) < 2:
            yield (args[-1] if args else line.name_token), \
                f"invalid access key: '[{' '.join(t.text for t in args)}]'"
            return


def _refresh(directive, ctx):
    for line in lines(directive, "refresh"):
        args = words(line, directive)
        if not args:
            continue
        text = args[0].text
        if values.go_atoi(text) is not None:
            text += "s"      # setup appends "s" to a bare integer before time.ParseDuration
        seconds = values.parse_go_duration(text)
        if seconds is not None and seconds <= 0:
            yield args[0], f"refresh interval must be greater than 0: {go_quote(text)}"
            return


PLUGIN = Plugin(
    name="route53",
    summary="Serves the records of AWS Route 53 hosted zones (ZONE:HOSTED_ZONE_ID), refreshed periodically.",
    args="zones:str*",
    block=True,
    fallthrough=True,
    # route53.go ServeDNS: a name in one of its zones gets the zone's answer or SERVFAIL; only `fallthrough` hands
    # NXDOMAIN on. (Its arguments are ZONE:ID pairs, so the zones are not read from them here: zones=False.)
    answers=ANSWERS_ALL,
    props=(
        Prop("aws_access_key", free_args=True,
             replacement="AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or `credentials`"),
        # aws_endpoint and refresh read one word with NextArg and nothing checks for more: a word left on the
        # line is read as the next property ("unknown property"). `credentials PROFILE [FILE]` does the same, but
        # a fixed reading takes no optional word: a third word is refused as one too many here.
        Prop("aws_endpoint", "url:str", since="1.8.7", reads=READS_FIXED),
        # upstream, credentials and fallthrough came with 1.2.3 (before it the block knew aws_access_key only)
        fallthrough(since="1.2.3"),
        Prop("upstream", free_args=True, since="1.2.3"),
        Prop("credentials", "profile:str file:str?", since="1.2.3"),
        Prop("refresh", "interval:seconds_or_duration", since="1.6.2", reads=READS_FIXED,
             says=says(invalid="Unable to parse duration: {error}")),
    ),
    says=says(unknown='unknown property "{name}"'),
    checks=(cloud_zones(2), _access_key, _refresh,
            needs_environment("whether CoreDNS starts depends on AWS credentials and access to the hosted zones, "
                              "which cannot be checked here")),
)
