"""Keys whose scheme CoreDNS does not serve, or does not know at all."""
import re

from ...listeners import SERVED_TRANSPORTS, TRANSPORT_SINCE, key_address

CODE = "unsupported-transport"
SEVERITY = "warning"
SUMMARY = "A key with `unix://` (nothing listens) or a scheme CoreDNS does not know (read as part of a zone)."
DOC = """
CoreDNS serves `dns://` (the default), `tls://`, `grpc://`, `https://`, `quic://` (1.11.0+) and `https3://`
(1.14.0+). `unix://` is recognised but no server is created for it. Any other prefix, including an upper-case
`DNS://` or a transport newer than the target version, is not rejected: the whole key, scheme and all, becomes a
dns zone such as `http://example.org.` on port 53, which no query ever matches.

Bad:

    http://example.org {
        whoami
    }

Good:

    https://example.org {
        tls cert.pem key.pem
        whoami
    }
"""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def check(corefile, ctx):
    for block in corefile.server_blocks:
        for key in block.keys:
            address = key_address(key, ctx.version)
            if address.zones is None:
                continue
            scheme = _SCHEME.match(key.text)
            if address.transport not in SERVED_TRANSPORTS:
                yield ctx.diagnostic(CODE, SEVERITY,
                                     f"CoreDNS creates no server for the {address.transport}:// transport: "
                                     f"nothing listens for '{key.text}'", key.token)
            elif scheme and not key.text.startswith(address.transport + "://"):
                name = scheme.group(1)
                since = TRANSPORT_SINCE.get(name)
                why = (f"'{name}://' is a transport only from CoreDNS {since} (target {ctx.version})" if since
                       else f"'{name}://' is not a CoreDNS transport")
                zones = ", ".join(f"'{z}'" for z in address.zones)
                yield ctx.diagnostic(CODE, SEVERITY,
                                     f"{why}: the key is read as the dns zone {zones} on port {address.port}",
                                     key.token)
