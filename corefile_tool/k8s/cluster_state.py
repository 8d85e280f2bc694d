"""The cluster state the simulator's kubernetes plugin answers from, listed (read-only) from a live cluster.

The simulator reads Kubernetes objects as they come from the API (corefile_tool/simulator/cluster_state.py): this
lists Namespaces, Services, EndpointSlices and Pods of every namespace and hands them over in that shape, so
`kubernetes` plugin answers carry the cluster's real ClusterIPs and endpoints.
"""
from __future__ import annotations

from . import K8sError
from .client import ApiFailure

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


def read_cluster_state(cluster):
    """The simulator's ClusterState of a live cluster; K8sError when the API refuses or sends what it cannot use."""
    from ..simulator.cluster_state import ClusterStateError, cluster_state_from_data

    try:
        return cluster_state_from_data(cluster_objects(cluster), source=f"context {cluster.context}")
    except ClusterStateError as e:
        raise K8sError(f"context {cluster.context!r}: cannot use the cluster's objects: {e}")
