from ._directive_rule import checker

CODE = "external-plugin"
SEVERITY = "info"
SUMMARY = "A plugin whose configuration corefile cannot check (declared external, or not described)."
DOC = """
Plugins compiled into a custom build are declared with `--plugin NAME[:AFTER]`; corefile then knows the name exists
but not its options, and says so rather than guessing. The same goes for a plugin of CoreDNS that the knowledge
base does not describe yet.

Bad (with --plugin myplugin):

    . {
        myplugin some arguments
    }

Good:

    . {
        whoami
    }
"""

check = checker(CODE)
