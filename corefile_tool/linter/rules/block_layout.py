from ._directive_rule import checker

CODE = "block-layout"
SEVERITY = "error"
SUMMARY = "A plugin block that the plugin cannot read: `{` on its own line, `}` on a property's line, nesting, words after `}`."
DOC = """
CoreDNS's parser accepts these shapes, but every plugin reads its block with a Dispenser that wants `{` at the end of the directive's line, one property per line, and one level of nesting.

Bad:

    . {
        forward . 1.1.1.1
    {
        force_tcp
    }
    }

Good:

    . {
        forward . 1.1.1.1 {
            force_tcp
        }
    }
"""

check = checker(CODE)
