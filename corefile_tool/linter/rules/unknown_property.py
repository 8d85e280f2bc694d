from ._directive_rule import checker

CODE = "unknown-property"
SEVERITY = "error"
SUMMARY = "A property inside a plugin's block that the plugin does not know (in the target version)."
DOC = """
Each plugin accepts a fixed set of properties in its block; anything else stops CoreDNS (`unknown property`). Properties added or removed across releases are checked against `--coredns-version`.

Bad:

    . {
        forward . 10.0.0.1 {
            to 10.0.0.2
        }
    }

Good:

    . {
        forward . 10.0.0.1 10.0.0.2
    }
"""

check = checker(CODE)
