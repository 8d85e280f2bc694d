"""No `health` for the liveness probe."""
from ._profile import missing_everywhere

CODE = "health-missing"
SEVERITY = "warning"
SUMMARY = "With `--profile kubernetes`: no `health`, so the Deployment's liveness probe (:8080/health) fails."
DOC = """
The standard CoreDNS Deployment (kubeadm, the Helm chart, most distributions) probes liveness at
`http://POD:8080/health`, which only the `health` plugin serves. Without it the probe fails and the kubelet
restarts CoreDNS over and over. Checked only with `--profile kubernetes`.

Bad (with --profile kubernetes):

    .:53 {
        kubernetes cluster.local
        ready
    }

Good (with --profile kubernetes):

    .:53 {
        health {
            lameduck 5s
        }
        kubernetes cluster.local
        ready
    }
"""


def check(corefile, ctx):
    return missing_everywhere(corefile, ctx, "health", CODE, SEVERITY,
                              "no `health` in any server block: a Kubernetes liveness probe on :8080/health fails and "
                              "the pods are restarted")
