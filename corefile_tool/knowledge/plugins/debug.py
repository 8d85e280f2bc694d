"""debug: disables crash recovery and logs debug messages (coredns plugin/debug/debug.go)."""
from ..spec import Plugin

PLUGIN = Plugin(
    name="debug",
    summary="Turns off recovery from panics and enables debug logging (and packet dumps) for the server.",
    args="",
)
