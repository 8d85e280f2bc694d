CODE = "syntax"
SEVERITY = "error"
SUMMARY = "The Corefile does not parse: CoreDNS refuses to start."
ON_SYNTAX_ERROR = True
DOC = """
Any error of CoreDNS's Corefile parser (coredns/caddy): an unclosed block, a `}` on the same line as a
directive, a key list ending in a comma, a snippet without braces. CoreDNS stops at the first one, so only
the first is reported.

Bad:

    . { whoami }

Good:

    . {
        whoami
    }
"""


def check(corefile, ctx):
    return [d for d in corefile.diagnostics if d.code == CODE]
