"""nomad: serves Nomad service registrations (coredns plugin/nomad/setup.go).

Versions: the plugin arrived in 1.13.0, `filter` in 1.13.2. Property names are compared lower-cased. Only the
first nomad of a server block is read. Each address becomes a Nomad API client (nomad/api NewClient, which
url.Parse's it); the client's TLS settings come from NOMAD_* environment variables, which cannot be checked here
(`environment` info). setup.go's start-up probe of the agents returns an always-nil error (its `err :=` shadows
the one returned), so an unreachable agent does not stop CoreDNS.
"""
from ..spec import Plugin
from .. import values
from ._dispenser import at_least, ignored, lines, needs_environment, words
from ._setup_helpers import go_url_parse_error

# property -> (message when the count is wrong, accepted counts: None = at least one)
PROPERTIES = {
    "address": ("at least one address is required", None),
    "filter": ("exactly one filter is required", 1),
    "token": ("exactly one token is required", 1),
    "ttl": ("exactly one ttl value is required", 1),
}


def _properties(directive, ctx):
    for tok in directive.args[1:]:
        yield ignored(tok, f"nomad reads one zone; '{tok.text}' is ignored")
    for line in lines(directive):
        name = line.name.lower()
        if name not in PROPERTIES or (name == "filter" and not at_least(ctx, "1.13.2")):
            extra = " (added in CoreDNS 1.13.2)" if name == "filter" else ""
            yield line.name_token, f"unknown property '{name}'{extra}"
            return
        args = words(line, directive)
        message, count = PROPERTIES[name]
        if (count is None and not args) or (count is not None and len(args) != count):
            yield line.name_token, message
            return
        if name == "address":
            for tok in args:
                err = go_url_parse_error(tok.text) if tok.text else None
                if err:
                    yield tok, f"invalid address '{tok.text}': parse \"{tok.text.partition('#')[0]}\": {err}"
                    return
        if name == "ttl":
            n = values.go_atoi(args[0].text)
            if n is None:
                yield args[0], f'error parsing ttl: strconv.Atoi: parsing "{args[0].text}": invalid syntax'
                return
            if not 0 <= n <= 3600:
                yield args[0], f"ttl must be in range [0, 3600]: {n}"
                return


PLUGIN = Plugin(
    name="nomad",
    summary="Answers for Nomad services under ZONE (default service.nomad) from the Nomad API.",
    args="zone:str*",
    free_args=True,
    block=True,
    other_lines=True,
    reads_first_only=True,
    since="1.13.0",
    checks=(_properties,
            needs_environment("the Nomad API clients take their TLS settings from NOMAD_* environment variables "
                              "(a bad certificate there stops CoreDNS); that cannot be checked here")),
)
