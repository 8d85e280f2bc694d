from ._directive_rule import checker

CODE = "unknown-directive"
SEVERITY = "error"
SUMMARY = "A directive that is not a plugin of the target CoreDNS version."
DOC = """
Directive names are compared exactly, case-sensitively, with the plugins compiled into CoreDNS (plugin.cfg of the selected version). A typo, a plugin of a newer release or one removed (proxy, federation) stops CoreDNS with `Unknown directive`. Declare plugins of a custom build with `--plugin NAME`.

Bad:

    . {
        logs
    }

Good:

    . {
        log
    }
"""

check = checker(CODE)
