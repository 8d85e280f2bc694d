from ._directive_rule import checker

CODE = "environment"
SEVERITY = "info"
SUMMARY = "Whether CoreDNS starts depends on its environment (cloud credentials, a reachable API), which the linter cannot see."
DOC = """
Some plugins contact an outside service while CoreDNS starts: *route53*, *azure* and *clouddns* list their zones through the cloud provider's API, *nomad* asks a Nomad agent, `dnssec`'s `key aws_secretsmanager` fetches keys. If the credentials or the network are missing there, CoreDNS refuses to start although the Corefile is correct. The linter checks the syntax and says, as `info`, that the rest depends on the machine CoreDNS runs on, instead of guessing.

Flagged (the verdict depends on AWS credentials and access to the hosted zone):

    example.org {
        route53 example.org.:Z1D633PJN98FT9
    }

Not flagged (nothing outside the Corefile is needed at start-up):

    example.org {
        file db.example.org
    }
"""

check = checker(CODE)
