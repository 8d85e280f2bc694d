CODE = "unclosed-block"
SEVERITY = "warning"
SUMMARY = "A server block's closing `}` is missing, and CoreDNS accepts it only by accident."
ON_SYNTAX_ERROR = True
DOC = """
When a file ends right after a plugin block's `}`, CoreDNS's parser takes that `}` for the server block's own
and starts without complaint. Adding anything after it later breaks the file.

Bad:

    . {
        forward . 1.1.1.1 {
            force_tcp
        }

Good:

    . {
        forward . 1.1.1.1 {
            force_tcp
        }
    }
"""


def check(corefile, ctx):
    return [d for d in corefile.diagnostics if d.code == CODE]
