from ._directive_rule import checker

CODE = "invalid-value"
SEVERITY = "error"
SUMMARY = "An argument or property value CoreDNS refuses: a bad duration, number, address, CIDR, zone or regex."
DOC = """
Values are checked by type (one checker per type, shared by all plugins): durations as Go writes them (`5s`, `1m30s`), ports 0-65535, IP addresses, CIDRs, zones, RE2 regular expressions, enumerations.

Bad:

    . {
        cache 0
    }

Good:

    . {
        cache 30
    }
"""

check = checker(CODE)
