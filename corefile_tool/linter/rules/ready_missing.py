"""No `ready` for the readiness probe."""
from ._profile import missing_everywhere

CODE = "ready-missing"
SEVERITY = "warning"
SUMMARY = "With `--profile kubernetes`: no `ready`, so the Deployment's readiness probe (:8181/ready) fails."
DOC = """
The standard CoreDNS Deployment probes readiness at `http://POD:8181/ready`, served by the `ready` plugin (which
reports ready once plugins such as `kubernetes` have synced). Without it the pods never become Ready and the
kube-dns Service has no endpoints: cluster DNS is down. Checked only with `--profile kubernetes`.

Bad (with --profile kubernetes):

    .:53 {
        health
        kubernetes cluster.local
    }

Good (with --profile kubernetes):

    .:53 {
        health
        ready
        kubernetes cluster.local
    }
"""


def check(corefile, ctx):
    return missing_everywhere(corefile, ctx, "ready", CODE, SEVERITY,
                              "no `ready` in any server block: a Kubernetes readiness probe on :8181/ready fails and "
                              "the pods never become Ready")
