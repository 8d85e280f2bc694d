"""Server-block keys CoreDNS cannot read."""
from ...listeners import key_address, port_error

CODE = "invalid-key"
SEVERITY = "error"
SUMMARY = "A server-block key CoreDNS cannot turn into a zone and port (`error inspecting server blocks`)."
DOC = """
Every key is split into an optional transport, a zone (or a CIDR, which becomes reverse zones) and an optional
port. A key ending in `:`, an empty key (an unset environment variable), a zone longer than 255 octets or with an
empty label, an IPv6 CIDR written as `::/0`, or a port outside 0-65535 stops CoreDNS before any plugin runs.

Bad:

    example.org: {
        whoami
    }

Good:

    example.org:53 {
        whoami
    }
"""


def check(corefile, ctx):
    for block in corefile.server_blocks:
        for key in block.keys:
            address = key_address(key, ctx.version)
            if address.error:
                yield ctx.diagnostic(CODE, SEVERITY, f"error inspecting server blocks: {address.error}", key.token)
            elif address.port and port_error(address.port):
                # Only the listener grouping (net.ResolveTCPAddr) looks at the port's range.
                yield ctx.diagnostic(CODE, SEVERITY, port_error(address.port), key.token)
