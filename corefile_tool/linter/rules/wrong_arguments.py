from ._directive_rule import checker

CODE = "wrong-arguments"
SEVERITY = "error"
SUMMARY = "A directive or property has too many or too few arguments."
DOC = """
Each plugin reads a fixed shape of arguments; CoreDNS refuses extra or missing ones with `Wrong argument count or unexpected line ending`.

Bad:

    . {
        forward cluster-b.example.com
    }

Good:

    . {
        forward cluster-b.example.com 10.2.0.10
    }
"""

check = checker(CODE)
