"""azure: serves zones from Azure DNS (coredns plugin/azure/setup.go).

Versions: the plugin arrived in 1.6.2, `access` (private zones) in 1.6.8. Setup signs in to Azure and reads
the zones, so whether it starts depends on credentials and network: reported as `environment` info.
"""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop, says
from ._dispenser import at_least, earlier_in_block, environment, lines, needs_environment, words
from ._setup_helpers import go_quote

# go-autorest azure.EnvironmentFromName (upper-cased lookup); AZURESTACKCLOUD is read from a file named by
# the AZURE_ENVIRONMENT_FILEPATH environment variable.
ENVIRONMENTS = ("AZURECHINACLOUD", "AZUREGERMANCLOUD", "AZURECLOUD", "AZUREPUBLICCLOUD", "AZUREUSGOVERNMENT",
                "AZUREUSGOVERNMENTCLOUD")


def _key(text, ctx):
    """The key setup remembers a zone by: RESOURCE_GROUP+ZONE since 1.6.8 (085826776, private zones), the
    argument as written before."""
    group, _, zone = text.partition(":")
    return group + zone if at_least(ctx, "1.6.8") else text


def _zones(directive, ctx):
    seen = {_key(t.text, ctx) for d in earlier_in_block(directive, ctx) for t in d.args if ":" in t.text}
    for tok in directive.args:
        group, colon, zone = tok.text.partition(":")
        if not colon or not group or not zone:
            yield tok, f"invalid resource group/zone: {go_quote(tok.text)}"
            return
        key = _key(tok.text, ctx)
        if key in seen:
            yield tok, f"conflicting zone: {go_quote(tok.text)}"
            return
        seen.add(key)


def _environment(directive, ctx):
    for line in lines(directive, "environment"):
        args = words(line, directive)
        if not args:
            continue
        name = args[0].text.upper()
        if name == "AZURESTACKCLOUD":
            yield environment(args[0], "AZURESTACKCLOUD is read from the file named by "
                                       "AZURE_ENVIRONMENT_FILEPATH on the CoreDNS host")
        elif name not in ENVIRONMENTS:
            reason = f"autorest/azure: There is no cloud environment matching the name {go_quote(name)}"
            yield args[0], f"cannot set azure environment: {go_quote(reason)}"
            return


PLUGIN = Plugin(
    name="azure",
    summary="Serves the records of Azure DNS zones (public or private), refreshed periodically.",
    args="zones:str*",
    block=True,
    fallthrough=True,
    # azure.go ServeDNS: a name in one of its zones gets the zone's answer or SERVFAIL; only `fallthrough` hands
    # NXDOMAIN on. (Its arguments are ZONE:ID pairs, so the zones are not read from them here: zones=False.)
    answers=ANSWERS_ALL,
    since="1.6.2",
    # Every property reads one word with NextArg and nothing checks for more: a word left on the line is read
    # as the next property.
    props=(
        Prop("subscription", "id:str", reads=READS_FIXED),
        Prop("tenant", "id:str", reads=READS_FIXED),
        Prop("client", "id:str", reads=READS_FIXED),
        Prop("secret", "secret:str", reads=READS_FIXED),
        Prop("environment", "name:str", reads=READS_FIXED),
        Prop("access", "mode:enum(public|private)", since="1.6.8", reads=READS_FIXED),
    ),
    says=says(unknown='unknown property: "{name}"'),
    checks=(_zones, _environment,
            needs_environment("whether CoreDNS starts depends on Azure credentials and access to the zones, which "
                              "cannot be checked here")),
)
