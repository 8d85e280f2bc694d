"""local: answers localhost names locally (coredns plugin/local/setup.go)."""
from ..spec import Plugin, Prop

PLUGIN = Plugin(
    name="local",
    summary="Answers queries for localhost and the loopback reverse zones without forwarding them.",
    args="",
    block=True,
    since="1.8.1",
    props=(
        Prop("localhost_prefix", "mode:enum(on|off)", since="1.14.5"),
    ),
)
