"""log: query logging (coredns plugin/log/setup.go)."""
from ..spec import Plugin, Prop, says

# Arguments are name scopes, the last one a format when it contains '{'; none is validated.
PLUGIN = Plugin(
    name="log",
    summary="Logs each query (and its response) that falls under the given names, in a configurable format.",
    args="names:str*",
    block=True,
    props=(
        Prop("class", "classes:enum(all|denial|error|success)+", says=says(invalid="invalid Class: {value}")),
    ),
)
