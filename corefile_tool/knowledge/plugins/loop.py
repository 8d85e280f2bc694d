"""loop: detects forwarding loops at start-up (coredns plugin/loop/setup.go)."""
from ..spec import READS_EACH, Plugin

PLUGIN = Plugin(
    name="loop",
    since="1.2.1",   # first in plugin.cfg at v1.2.1
    summary="Sends a probe query to itself at start-up and stops CoreDNS when it comes back (a forwarding loop).",
    args="",
    reads=READS_EACH,        # setup.go: `if c.NextArg() { return c.ArgErr() }`
    once=True,
)
