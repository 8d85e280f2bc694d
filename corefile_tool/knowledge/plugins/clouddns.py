"""clouddns: serves zones from Google Cloud DNS (coredns plugin/clouddns/setup.go).

Versions: the plugin arrived in 1.6.3; from 1.14.0 the credentials file must be JSON with a known `type`.
`upstream` has been a no-op since 1.5.2. Setup reads the zones through the Google API, so whether it starts
depends on credentials and network: `environment` info.
"""
from ..spec import ANSWERS_ALL, Plugin, Prop
from ._dispenser import at_least, cloud_zones, lines, needs_environment, words
from ._setup_helpers import locate, missing_file

CREDENTIAL_TYPES = ("service_account", "authorized_user", "impersonated_service_account", "external_account")


def _credentials(directive, ctx):
    for line in lines(directive, "credentials"):
        args = words(line, directive)
        if not args:
            continue
        path = locate(ctx, args[0], args[0].text)
        if path is None:
            yield missing_file(args[0], args[0].text, "credentials file")
            continue
        if not at_least(ctx, "1.14.0"):
            continue
        import json

        try:
            with open(path, encoding="utf-8") as fh:
                kind = json.load(fh).get("type", "")
        except (OSError, ValueError, AttributeError) as e:
            yield args[0], f"invalid credentials file {args[0].text!r}: {e}"
            return
        if not kind:
            yield args[0], f"invalid credentials file {args[0].text!r}: missing `type` field in credential"
            return
        if kind not in CREDENTIAL_TYPES:
            yield args[0], f"invalid credentials file {args[0].text!r}: unknown credential type: {kind}"
            return


PLUGIN = Plugin(
    name="clouddns",
    summary="Serves the records of Google Cloud DNS zones (ZONE:PROJECT:ZONE_NAME), refreshed periodically.",
    args="zones:str*",
    block=True,
    fallthrough=True,
    # clouddns.go ServeDNS: a name in one of its zones gets the zone's answer or SERVFAIL; only `fallthrough` hands
    # NXDOMAIN on. (Its arguments are ZONE:ID pairs, so the zones are not read from them here: zones=False.)
    answers=ANSWERS_ALL,
    since="1.6.3",
    props=(
        Prop("credentials", "file:str"),
        Prop("upstream", free_args=True),
    ),
    checks=(cloud_zones(3), _credentials,
            needs_environment("whether CoreDNS starts depends on Google Cloud credentials and access to the zones, "
                              "which cannot be checked here")),
)
