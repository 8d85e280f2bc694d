"""No `reload` where the Corefile comes from a ConfigMap."""
from ._profile import missing_everywhere

CODE = "reload-missing"
SEVERITY = "warning"
SUMMARY = "With `--profile kubernetes`: no `reload`, so edits to the ConfigMap reach CoreDNS only when its pods restart."
DOC = """
In Kubernetes the Corefile is a ConfigMap mounted as a file. The kubelet updates the file when the ConfigMap
changes, but CoreDNS reads it only at start-up unless the `reload` plugin watches it (it compares a checksum every
30s by default and reloads the whole configuration). Without `reload`, an edited ConfigMap silently does nothing
until the next rollout, and a broken edit surfaces only then, on every pod at once. Checked only with
`--profile kubernetes`; one `reload` in any block covers the whole process.

Bad (with --profile kubernetes):

    .:53 {
        kubernetes cluster.local
        forward . /etc/resolv.conf
    }

Good (with --profile kubernetes):

    .:53 {
        kubernetes cluster.local
        forward . /etc/resolv.conf
        reload
    }
"""


def check(corefile, ctx):
    return missing_everywhere(corefile, ctx, "reload", CODE, SEVERITY,
                              "no `reload` in any server block: CoreDNS will not pick up ConfigMap changes until its "
                              "pods restart")
