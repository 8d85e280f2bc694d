CODE = "import"
SEVERITY = "error"
SUMMARY = "An `import` cannot be expanded: a missing file, a bad glob, a snippet cycle, too many arguments."
ON_SYNTAX_ERROR = True
DOC = """
`import` takes exactly one argument, a snippet name or a file or glob relative to the importing file. A file
that does not exist, a directory, more than one wildcard, or a snippet that imports itself stop CoreDNS. An
absolute path that does not exist on the machine running lint is only `info`: CoreDNS reads it on its own host.

Bad:

    . {
        import common.conf extra
    }

Good:

    . {
        import common.conf
    }
"""


def check(corefile, ctx):
    return [d for d in corefile.diagnostics if d.code == CODE]
