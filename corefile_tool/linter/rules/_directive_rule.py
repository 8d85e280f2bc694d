"""Shared body of the rules whose findings come from linter/directives.py (one pass over every directive)."""
from .. import directives


def checker(code):
    def check(corefile, ctx):
        return [d for d in directives.findings(ctx) if d.code == code]
    return check
