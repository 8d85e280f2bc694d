from ._directive_rule import checker

CODE = "deprecated"
SEVERITY = "warning"
SUMMARY = "An option that still works in the target version but is deprecated."
DOC = """
Deprecated options are removed in a later release; CoreDNS logs a warning today and refuses to start after the upgrade.

Bad (with --coredns-version 1.6.9):

    . {
        kubernetes cluster.local {
            resyncperiod 30s
        }
    }

Good:

    . {
        kubernetes cluster.local
    }
"""

check = checker(CODE)
