"""The cluster state the simulator's kubernetes plugin answers from, listed (read-only) from a live cluster.

The simulator reads Kubernetes objects as they come from the API (corefile_tool/simulator/cluster_state.py): this
lists Namespaces, Services, EndpointSlices and Pods of every namespace and hands them over in that shape, so
`kubernetes` plugin answers carry the cluster's real ClusterIPs and endpoints.

It also says which addresses are CoreDNS's own (the state's `corednsIPs`). CoreDNS learns them from its network
interfaces (plugin/kubernetes/local.go boundIPs: every non-loopback address, which in a pod are the pod's IPs)
and answers the apex NS and `ns.dns.ZONE` with the services those addresses are endpoints of
(plugin/kubernetes/ns.go nsAddrs). The CoreDNS pods are the ones the CoreDNS Service (`kube-dns` in the ConfigMap's
namespace, as the release is found) selects, read from the Pods already listed: no further request.
"""
from __future__ import annotations

import ipaddress
from typing import Optional

from . import K8sError
from .client import ApiFailure
from .live import NAMESPACE

COREDNS_SERVICE = "kube-dns"

# (resource, kind, apiVersion): list items come without kind and apiVersion, the simulator needs them.
LISTED = (
    ("namespaces", "Namespace", "v1"),
    ("services", "Service", "v1"),
    ("endpointslices", "EndpointSlice", "discovery.k8s.io/v1"),
    ("pods", "Pod", "v1"),
)


def cluster_objects(cluster) -> dict:
    """A `List` of the cluster's Namespaces, Services, EndpointSlices and Pods."""
    items = []
    for resource, kind, api_version in LISTED:
        try:
            objects = cluster.list(resource)
        except ApiFailure as e:
            if resource == "namespaces" and e.status == 403:
                continue  # the other objects name their namespaces; only empty namespaces are missed
            raise
        for obj in objects:
            obj["kind"], obj["apiVersion"] = kind, api_version
            items.append(obj)
    return {"apiVersion": "v1", "kind": "List", "items": items}


def coredns_ips(objects: dict, namespace: str = NAMESPACE, service: str = COREDNS_SERVICE) -> Optional[list]:
    """The addresses of one CoreDNS pod (status.podIPs, both families on a dual-stack cluster) among the listed
    objects, or None when they cannot be told (no such Service, a Service without a selector, no running pod).

    One pod, not all replicas: each replica knows only its own addresses, and every replica the Service sends
    queries to answers alike, so the union would repeat the Service's address once per replica (as ns.go would
    never do). Preferred is a pod that is a ready endpoint of the Service, since clients reach only those through
    it; a pod outside the Service's endpoints answers with its own address, which the simulator then shows. With
    hostNetwork, CoreDNS also sees the node's other interface addresses, which the API does not report."""
    items = objects.get("items") or []

    def of_kind(kind):
        return [o for o in items if o.get("kind") == kind
                and ((o.get("metadata") or {}).get("namespace") or "default") == namespace]

    svc = next((o for o in of_kind("Service") if (o.get("metadata") or {}).get("name") == service), None)
    selector = ((svc or {}).get("spec") or {}).get("selector") or {}
    if not selector:  # without one the Service's endpoints are kept by hand: which pods are CoreDNS is unknown
        return None
    pods = []
    for pod in of_kind("Pod"):
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        labels = meta.get("labels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            continue
        # A terminating or finished pod is no CoreDNS that answers (and the pod cache leaves terminating ones out).
        if meta.get("deletionTimestamp") or status.get("phase") in ("Succeeded", "Failed"):
            continue
        ips = [p.get("ip") for p in status.get("podIPs") or [] if p.get("ip")] or (
            [status["podIP"]] if status.get("podIP") else [])
        if ips:
            pods.append((meta.get("name") or "", ips))
    # Ready endpoints of the Service, as the simulator reads EndpointSlices (ready unset counts as ready).
    ready = set()
    for s in of_kind("EndpointSlice"):
        if ((s.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name") != service:
            continue
        for ep in s.get("endpoints") or []:
            if (ep.get("conditions") or {}).get("ready") is not False:
                ready.update(_canonical(ip) for ip in ep.get("addresses") or [])
    serving = [p for p in pods if any(_canonical(ip) in ready for ip in p[1])]
    chosen = sorted(serving or pods)
    return [_canonical(ip) for ip in chosen[0][1]] if chosen else None


def _canonical(ip: str) -> str:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip  # not an address: the cluster state's own checks name it


def read_cluster_state(cluster, namespace: str = NAMESPACE, service: str = COREDNS_SERVICE):
    """The simulator's ClusterState of a live cluster, with CoreDNS's own addresses (`corednsIPs`) when its pods
    can be found; K8sError when the API refuses or sends what it cannot use."""
    from ..simulator.cluster_state import ClusterStateError, cluster_state_from_data

    objects = cluster_objects(cluster)
    try:
        state = cluster_state_from_data(objects, source=f"context {cluster.context}")
    except ClusterStateError as e:
        raise K8sError(f"context {cluster.context!r}: cannot use the cluster's objects: {e}")
    state.coredns_ips = coredns_ips(objects, namespace, service)
    return state
