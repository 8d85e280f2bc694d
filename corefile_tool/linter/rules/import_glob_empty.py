CODE = "import-glob-empty"
SEVERITY = "warning"
SUMMARY = "An `import` glob matches no file: CoreDNS logs a warning and imports nothing."
ON_SYNTAX_ERROR = True
DOC = """
A glob pattern (with `*`, `?` or `[`) that matches nothing is not an error for CoreDNS, but whatever the
files were meant to add is silently missing.

Bad:

    . {
        import conf.d/*.server
    }

Good (the directory holds the files the glob names):

    . {
        import conf.d/*.conf
    }
"""


def check(corefile, ctx):
    return [d for d in corefile.diagnostics if d.code == CODE]
