from ._directive_rule import checker

CODE = "plugin-once"
SEVERITY = "error"
SUMMARY = "A plugin that may appear only once per server block appears twice."
DOC = """
Most plugins refuse a second occurrence in one server block (`this plugin can only be used once per Server Block`). Merge the two, or move one into its own server block.

Bad:

    . {
        cache 30
        cache 60
    }

Good:

    . {
        cache 30
    }
"""

check = checker(CODE)
