"""clouddns: serves zones from Google Cloud DNS (coredns plugin/clouddns/setup.go).

Versions: the plugin arrived in 1.6.3; from 1.14.0 the credentials file must be JSON with a known `type`.
`upstream` has been a no-op since 1.5.2. Setup reads the zones through the Google API, so whether it starts
depends on credentials and network: `environment` info.
"""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop, says
from ._dispenser import at_least, cloud_zones, lines, needs_environment, words
from ._setup_helpers import go_quote, locate, missing_file

CREDENTIAL_TYPES = ("service_account", "authorized_user", "impersonated_service_account", "external_account")


def _credential_type(path: str):
    """getCredType: (type, None) or (None, error). encoding/json matches the `type` key case-insensitively (the
    last matching key wins) and refuses NaN/Infinity, which Python's json would take."""
    import json

    def refuse(word):
        raise ValueError(f"invalid character '{word[0]}' looking for beginning of value")

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        return None, str(e)
    try:
        doc = json.loads(data.decode("utf-8", "replace"), parse_constant=refuse)
    except ValueError as e:
        return None, str(e)
    if doc is None:
        doc = {}         # `null` leaves the struct as it is
    if not isinstance(doc, dict):
        return None, f"json: cannot unmarshal {type(doc).__name__} into Go value of type struct"
    kind = None
    for key, value in doc.items():
        if key.lower() == "type":
            kind = value
    if kind is not None and not isinstance(kind, str):
        return None, "json: cannot unmarshal into Go struct field .type of type string"
    if not kind:
        return None, "missing `type` field in credential"
    if kind not in CREDENTIAL_TYPES:
        return None, f"unknown credential type: {kind}"
    return kind, None


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
            continue     # before 4f0368f8b (1.14.0) setup handed the file to the client unread
        _, err = _credential_type(path)
        if err:
            yield args[0], f"invalid credentials file {go_quote(args[0].text)}: {err}"
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
        # NextArg once and nothing checks for more: a word left on the line is read as the next property.
        Prop("credentials", "file:str", reads=READS_FIXED),
        Prop("upstream", free_args=True),
    ),
    says=says(unknown='unknown property "{name}"'),
    checks=(cloud_zones(3), _credentials,
            needs_environment("whether CoreDNS starts depends on Google Cloud credentials and access to the zones, "
                              "which cannot be checked here")),
)
