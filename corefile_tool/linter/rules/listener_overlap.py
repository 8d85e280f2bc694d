"""A zone on a bound address and on all addresses of the same port."""
from ._listener_rule import checker

CODE = "listener-overlap"
SEVERITY = "error"
SUMMARY = "A zone served both on all addresses and on a bound address of the same port (`zone overlap listener capacity`)."
DOC = """
A block without `bind` listens on every address of its port, so a block with the same zone and port that binds
to one address overlaps it; CoreDNS refuses to start: `cannot serve dns://example.org.:53 on 127.0.0.1 - zone
overlap listener capacity with dns://example.org.:53`. Bind both blocks to distinct addresses, or use another port.

Bad:

    example.org {
        bind 127.0.0.1
        whoami
    }
    example.org {
        whoami
    }

Good:

    example.org {
        bind 127.0.0.1
        whoami
    }
    example.org {
        bind 10.0.0.53
        whoami
    }
"""


check = checker(CODE, SEVERITY, "overlap", " (line {line})")
