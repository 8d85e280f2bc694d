CODE = "import-outside"
SEVERITY = "error"
SUMMARY = "An `import` reaches outside the Corefile's directory (refused unless --allow-import-outside)."
ON_SYNTAX_ERROR = True
DOC = """
CoreDNS itself imports any readable file, but a Corefile from an untrusted pull request must not make CI read
(and print) files such as /etc/shadow. corefile refuses such imports unless `--allow-import-outside` is given.

Bad:

    import /etc/coredns/common.conf

Good:

    import common.conf
"""


def check(corefile, ctx):
    return [d for d in corefile.diagnostics if d.code == CODE]
