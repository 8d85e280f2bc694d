from ._directive_rule import checker

CODE = "external-file"
SEVERITY = "info"
SUMMARY = "A file CoreDNS reads at start-up (hosts file, zone file, resolv.conf, TLS certificate) is not on this machine, so its content cannot be checked."
DOC = """
CoreDNS opens some files while it starts: a *hosts* file, the zone files of *file*, a resolv.conf named as a *forward* or *autopath* target, TLS certificates and keys. When such a file is not present where the linter runs (it usually lives on the DNS server or in a mounted volume), the linter cannot tell whether CoreDNS will accept it and says so instead of guessing. Relative names are looked up next to the Corefile (joined to `root` when the server block has one).

Flagged (when /etc/coredns/db.example.org is not on this machine):

    example.org {
        file /etc/coredns/db.example.org
    }

Checked (the zone file sits next to the Corefile):

    example.org {
        file db.example.org
    }
"""

check = checker(CODE)
