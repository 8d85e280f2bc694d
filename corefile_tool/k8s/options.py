"""The `--k8s` options `corefile lint` and `corefile simulate` share: where the live Corefile (and, for simulate,
the cluster state) is read from.

Only click is imported here; the k8s modules (client, live, and the kubernetes client behind them) load when a
cluster is actually asked: every `corefile lint` and `simulate` imports this module, most never use --k8s.
"""
from __future__ import annotations

import functools
from typing import Optional

import click

from . import CONFIGMAP, DEFAULT_TIMEOUT, KEY, NAMESPACE

COMPANIONS = "--kubeconfig, --context, --namespace, --configmap, --key and --request-timeout"


class K8sSource:
    """What `--k8s` and its companions asked for. Falsy when `--k8s` was not given.

    A plain class, not a dataclass: generating one is a noticeable part of a cold `corefile lint`."""

    _FIELDS = ("enabled", "kubeconfig", "context", "namespace", "configmap", "key", "timeout", "cluster_state",
               "_cluster")

    def __init__(self, enabled: bool = False, kubeconfig: Optional[str] = None, context: Optional[str] = None,
                 namespace: str = NAMESPACE, configmap: str = CONFIGMAP, key: str = KEY,
                 timeout: float = DEFAULT_TIMEOUT, cluster_state: bool = False, _cluster: object = None):
        self.enabled = enabled
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
        self.configmap = configmap
        self.key = key
        self.timeout = timeout
        self.cluster_state = cluster_state      # --cluster-state-from-k8s
        self._cluster = _cluster

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, f) for f in self._FIELDS) == tuple(getattr(other, f) for f in self._FIELDS)

    __hash__ = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._FIELDS if f != "_cluster")
        return f"{type(self).__qualname__}({shown})"

    def __bool__(self) -> bool:
        return self.enabled

    def connect(self):
        """The context's cluster (one connection per command); on failure, the one-line error and exit."""
        from . import K8sError
        from .client import Kubeconfig

        if self._cluster is None:
            try:
                config = Kubeconfig(self.kubeconfig)
                self._cluster = config.connect(config.select([self.context] if self.context else [])[0],
                                               self.timeout)
            except K8sError as e:
                _fail(e)
        return self._cluster

    def read(self):
        """(LiveConfig, trees): the live Corefile and the coredns-custom `*.server` files, parsed."""
        from . import K8sError
        from .live import parse_live, read_live

        try:
            live = read_live(self.connect(), self.namespace, self.configmap, self.key)
        except K8sError as e:
            _fail(e)
        return live, parse_live(live)

    def corefile(self):
        """The Corefile CoreDNS runs (its coredns-custom imports resolved)."""
        return self.read()[1][0]

    def coredns_version(self) -> Optional[str]:
        """The CoreDNS release the cluster runs (its Deployment's image tag), or None when it cannot be told."""
        from . import K8sError
        from .discover import read_coredns_version

        cluster = self.connect()
        try:
            service = cluster.get_optional("services", "kube-dns", self.namespace) or {}
            selector = (service.get("spec") or {}).get("selector") or {}
            value, _, _ = read_coredns_version(cluster, selector, self.namespace)
        except K8sError:
            return None
        return value.value if value and not value.guessed else None

    def read_cluster_state(self):
        """The simulator's ClusterState, listed read-only from the cluster."""
        from . import K8sError
        from .cluster_state import read_cluster_state

        try:
            # CoreDNS's own pods are those of kube-dns in the ConfigMap's namespace, as for its release.
            return read_cluster_state(self.connect(), self.namespace)
        except K8sError as e:
            _fail(e)


def _fail(error) -> None:
    from ..cli import fail

    fail(str(error), getattr(error, "exit_code", 1))


def k8s_source_options(command=None, *, cluster_state: bool = False):
    """Adds --k8s, --kubeconfig, --context, --namespace, --configmap, --key and --request-timeout (and, with
    `cluster_state`, --cluster-state-from-k8s) to a click command, passed on as one `k8s` argument (K8sSource)."""
    if command is None:
        return functools.partial(k8s_source_options, cluster_state=cluster_state)
    names = ("k8s_enabled", "kubeconfig", "context", "k8s_namespace", "k8s_configmap", "k8s_key", "request_timeout")
    defaults = (False, None, None, NAMESPACE, CONFIGMAP, KEY, DEFAULT_TIMEOUT)

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        values = [kwargs.pop(n) for n in names]
        from_cluster = kwargs.pop("cluster_state_from_k8s", False)
        if not values[0] and not from_cluster and values[1:] != list(defaults[1:]):
            from ..cli import fail

            fail(f"{COMPANIONS} need --k8s" + (" or --cluster-state-from-k8s" if cluster_state else ""))
        kwargs["k8s"] = K8sSource(*values, cluster_state=from_cluster)
        return command(*args, **kwargs)

    needs = "With --k8s" + (" or --cluster-state-from-k8s" if cluster_state else "")
    options = [
        click.option("--k8s", "k8s_enabled", is_flag=True,
                     help="Read the Corefile from the cluster's CoreDNS ConfigMap (and coredns-custom)."),
        click.option("--kubeconfig", default=None, metavar="FILE",
                     help=f"{needs}: kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)."),
        click.option("--context", default=None, metavar="CONTEXT",
                     help=f"{needs}: kubeconfig context (default: the current one)."),
        click.option("--namespace", "k8s_namespace", default=NAMESPACE, show_default=True,
                     help=f"{needs}: namespace of the CoreDNS ConfigMap."),
        click.option("--configmap", "k8s_configmap", default=CONFIGMAP, show_default=True,
                     help=f"{needs}: name of the CoreDNS ConfigMap."),
        click.option("--key", "k8s_key", default=KEY, show_default=True,
                     help=f"{needs}: the ConfigMap key that holds the Corefile."),
        click.option("--request-timeout", "request_timeout", type=click.FloatRange(min=0.1),
                     default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
                     help=f"{needs}: give up on an API server that does not answer within this time."),
    ]
    if cluster_state:
        options.append(click.option(
            "--cluster-state-from-k8s", "cluster_state_from_k8s", is_flag=True,
            help="List Services, EndpointSlices and Pods (read-only) from the --context cluster as the cluster "
                 "state of the kubernetes plugin."))
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper
