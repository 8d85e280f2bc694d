"""The same zone twice on one listener."""
from ._listener_rule import checker

CODE = "duplicate-zone"
SEVERITY = "error"
SUMMARY = "The same zone on the same transport, port and bind address in two places (`it is already defined`)."
DOC = """
Every zone of every key is registered on its listener; a second registration of the same transport, zone, port
and bind address stops CoreDNS: `cannot serve dns://example.org.:53 - it is already defined`. This also catches a
zone written twice in one block's keys, and a CIDR key whose reverse zones repeat an explicit one. Blocks with a
`view` may share a zone (the first whose view matches answers).

Bad:

    example.org {
        file db.example.org
    }
    example.org {
        forward . 10.0.0.1
    }

Good:

    example.org {
        file db.example.org
    }
    example.org:1053 {
        forward . 10.0.0.1
    }
"""


check = checker(CODE, SEVERITY, "duplicate", " (first at line {line})")
