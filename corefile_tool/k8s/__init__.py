"""Kubernetes integration: kubeconfig contexts ↔ inventory, live ConfigMaps ↔ syntax trees.

- `client`: kubeconfig contexts, one API connection per context, every API failure turned into one clear line
  (credentials redacted).
- `live`: the Corefile(s) CoreDNS reads from its ConfigMaps, parsed with ConfigMap-key positions.
- `discover`: an inventory for `corefile generate` from the clusters themselves.
- `cluster_state`: Services, EndpointSlices and Pods as the simulator's cluster state.
- `apply`: generated Corefile → ConfigMap, diffed, linted, dry-run first, written with optimistic concurrency.

The official `kubernetes` client is imported only inside these modules' functions, so `import corefile_tool.k8s`
stays cheap.
"""

# Where CoreDNS's configuration lives in a cluster unless told otherwise, and how long an API request may take:
# here, so that declaring the `--k8s` options (options.py, imported by every `corefile lint` and `simulate`)
# needs neither client.py nor live.py.
DEFAULT_TIMEOUT = 10.0
NAMESPACE = "kube-system"
CONFIGMAP = "coredns"
KEY = "Corefile"


class K8sError(Exception):
    """A failure talking to a cluster, already phrased as the one line the user sees (secrets removed)."""

    exit_code = 1


class K8sUsageError(K8sError):
    """A problem with what the user asked for (kubeconfig, context names), not with a cluster."""

    exit_code = 2
