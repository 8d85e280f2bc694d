"""Kubeconfig contexts and one API connection per context, through the official `kubernetes` client.

The client's `ApiClient` does what a kubeconfig asks for (tokens, client certificates, exec and auth-provider
plugins, TLS, proxies); requests go through its low-level `param_serialize`/`call_api` and answers stay plain JSON.
That skips the generated typed models, which cost seconds to import and drop fields they do not know when an
object is read, changed and written back.

Every failure becomes a `K8sError` whose text is the one line the user sees: which context, which verb on which
resource, what the server said. Credentials found in the kubeconfig are removed from every such line.
"""
from __future__ import annotations

import json
import os
from typing import Optional

from . import K8sError, K8sUsageError
from . import DEFAULT_TIMEOUT

REDACTED = "<redacted>"
# kubeconfig fields that hold secrets (user entries and auth-provider config); exec env values are added too.
_SECRET_KEYS = {"token", "password", "client-key-data", "access-token", "id-token", "refresh-token",
                "client-secret"}


def kubeconfig_paths(explicit: Optional[str]) -> list[str]:
    """--kubeconfig, else $KUBECONFIG (a path list), else ~/.kube/config: kubectl's order."""
    if explicit:
        return [explicit]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [p for p in env.split(os.pathsep) if p]
    return [os.path.join(os.path.expanduser("~"), ".kube", "config")]


class Redactor:
    """Removes known secret strings from text meant for the user."""

    def __init__(self):
        self.secrets: set[str] = set()

    def add(self, value) -> None:
        if isinstance(value, str) and len(value) >= 4:
            self.secrets.add(value)
            if value.lower().startswith("bearer "):
                self.secrets.add(value[7:])

    def collect(self, node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in _SECRET_KEYS and isinstance(v, str):
                    self.add(v)
                elif k == "env" and isinstance(v, list):  # exec plugin: [{name, value}]
                    for item in v:
                        if isinstance(item, dict):
                            self.add(item.get("value"))
                else:
                    self.collect(v)
        elif isinstance(node, list):
            for item in node:
                self.collect(item)

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text


class Kubeconfig:
    """The merged kubeconfig: context names, the current context, and the secrets to keep out of messages."""

    def __init__(self, path: Optional[str] = None):
        from ..yamlfile import InputTooLarge, YamlError, load_file

        self.paths = kubeconfig_paths(path)
        self.redact = Redactor()
        self.contexts: list[str] = []
        self.current: Optional[str] = None
        found = False
        for p in self.paths:
            if not os.path.exists(os.path.expanduser(p)):
                if path:
                    raise K8sUsageError(f"kubeconfig {p}: no such file")
                continue
            found = True
            try:
                _node, doc = load_file(os.path.expanduser(p), "a kubeconfig")
            except InputTooLarge as e:
                raise K8sUsageError(f"kubeconfig {p}: {e.strerror}") from None
            except OSError as e:
                raise K8sUsageError(f"kubeconfig {p}: cannot read it ({e.strerror or e})") from None
            except YamlError as e:   # names the line and column, never a value (tokens stay out of messages)
                e.path = p
                raise K8sUsageError(f"kubeconfig {e}") from None
            if not isinstance(doc, dict):
                raise K8sUsageError(f"kubeconfig {p}: expected a mapping with clusters, users and contexts")
            self.redact.collect(doc.get("users") or [])
            contexts = doc.get("contexts") or []
            if not isinstance(contexts, list):
                raise K8sUsageError(f"kubeconfig {p}: contexts: expected a list")
            for ctx in contexts:
                name = ctx.get("name") if isinstance(ctx, dict) else None
                if isinstance(name, str) and name not in self.contexts:
                    self.contexts.append(name)  # the first file to define a name wins, as in kubectl
            if self.current is None and doc.get("current-context"):
                self.current = str(doc["current-context"])
        if not found:
            raise K8sUsageError(f"no kubeconfig found (looked for {', '.join(self.paths)}); pass --kubeconfig")
        if not self.contexts:
            raise K8sUsageError(f"kubeconfig {os.pathsep.join(self.paths)}: defines no contexts")

    def select(self, contexts=(), all_contexts: bool = False) -> list[str]:
        """The contexts a command works on: those named, every one, or the current one."""
        if all_contexts:
            return list(self.contexts)
        if contexts:
            missing = [c for c in contexts if c not in self.contexts]
            if missing:
                raise K8sUsageError(f"kubeconfig has no context {missing[0]!r} (contexts: "
                                    f"{', '.join(self.contexts)})")
            return list(dict.fromkeys(contexts))
        if not self.current:
            raise K8sUsageError("kubeconfig has no current-context; pass --context "
                                f"(contexts: {', '.join(self.contexts)})")
        if self.current not in self.contexts:
            raise K8sUsageError(f"kubeconfig's current-context {self.current!r} is not defined (contexts: "
                                f"{', '.join(self.contexts)})")
        return [self.current]

    def connect(self, context: str, timeout: float = DEFAULT_TIMEOUT) -> "Cluster":
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        configuration = client.Configuration()
        try:
            config.load_kube_config(config_file=os.pathsep.join(self.paths), context=context,
                                    client_configuration=configuration, persist_config=False)
        except ConfigException as e:
            raise K8sUsageError(f"context {context!r}: {self.redact(str(e))}")
        except Exception as e:  # an exec or auth-provider plugin can fail in many ways
            raise K8sError(f"context {context!r}: cannot load credentials: {self.redact(_first_line(e))}")
        for value in list(configuration.api_key.values()) + [configuration.password]:
            self.redact.add(value)
        # A dead API server should cost one timeout, not urllib3's default of several retries.
        configuration.retries = False
        return Cluster(context, client.ApiClient(configuration), timeout, self.redact)


class ApiFailure(K8sError):
    """An answer other than 2xx: keeps the HTTP status and the server's reason for callers that handle some."""

    def __init__(self, message: str, status: int, reason: str):
        super().__init__(message)
        self.status = status
        self.reason = reason


class Cluster:
    """One context's API server. Methods return the JSON answer as dicts and raise K8sError on failure."""

    def __init__(self, context: str, api_client, timeout: float, redact: Redactor):
        self.context = context
        self.api = api_client
        self.timeout = timeout
        self.redact = redact

    @property
    def host(self) -> str:
        return self.api.configuration.host

    # ------------------------------------------------------------------ verbs
    def get(self, resource: str, name: str, namespace: str = "") -> dict:
        return self.request("GET", "get", resource, namespace, name)

    def get_optional(self, resource: str, name: str, namespace: str = "") -> Optional[dict]:
        """The object, or None when it does not exist."""
        try:
            return self.get(resource, name, namespace)
        except ApiFailure as e:
            if e.status == 404:
                return None
            raise

    def list(self, resource: str, namespace: str = "", label_selector: str = "", page_size: int = 500) -> list:
        """Every item, read page by page (`limit`/`continue`) so large clusters are not one huge answer."""
        items, token = [], ""
        while True:
            query = [("limit", page_size)]
            if label_selector:
                query.append(("labelSelector", label_selector))
            if token:
                query.append(("continue", token))
            answer = self.request("GET", "list", resource, namespace, "", query=query)
            items.extend(answer.get("items") or [])
            token = (answer.get("metadata") or {}).get("continue") or ""
            if not token:
                return items

    def replace(self, resource: str, obj: dict, dry_run: bool) -> dict:
        meta = obj["metadata"]
        query = [("dryRun", "All")] if dry_run else []
        return self.request("PUT", "update", resource, meta.get("namespace", ""), meta["name"], query=query,
                            body=obj)

    def create(self, resource: str, obj: dict, dry_run: bool) -> dict:
        """POST to the collection: RBAC cannot limit `create` to a name, so errors name the collection."""
        meta = obj["metadata"]
        query = [("dryRun", "All")] if dry_run else []
        return self.request("POST", "create", resource, meta.get("namespace", ""), "", query=query, body=obj)

    # ------------------------------------------------------------------ transport
    def request(self, method: str, verb: str, resource: str, namespace: str, name: str, query=None, body=None):
        import urllib3

        path = _resource_path(resource, namespace, name)
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        what = _describe(verb, resource, namespace, name)
        try:
            prepared = self.api.param_serialize(method, path, query_params=list(query or []),
                                                header_params=headers, body=body, auth_settings=["BearerToken"])
            response = self.api.call_api(*prepared, _request_timeout=self.timeout)
            data = response.read()
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise K8sError(self._unreachable(e))
        except Exception as e:
            from kubernetes.client.exceptions import ApiException

            if isinstance(e, ApiException):  # the client reports TLS failures this way: status 0, "SSLError\n..."
                lines = [ln for ln in str(e.reason or e).splitlines() if ln.strip()]
                detail = lines[-1] if lines else type(e).__name__
                raise K8sError(self.redact(f"context {self.context!r}: cannot reach the API server {self.host}: "
                                           f"TLS failed: {_tls_detail(detail)}"))
            raise
        if 200 <= response.status < 300:
            try:
                return json.loads(data)
            except ValueError:
                raise K8sError(f"context {self.context!r}: {what}: the API server's answer is not JSON")
        raise self._failure(response.status, data, verb, resource, namespace, name)

    def _unreachable(self, error) -> str:
        cause = error
        while getattr(cause, "reason", None) is not None and isinstance(cause.reason, BaseException):
            cause = cause.reason
        lowered = str(cause).lower()
        if "timed out" in lowered or "timeout" in type(cause).__name__.lower():
            text = f"no answer within {self.timeout:g}s (--request-timeout)"
        elif "refused" in lowered:
            text = "connection refused"
        elif "name or service not known" in lowered or "nodename nor servname" in lowered or \
                "failed to resolve" in lowered:
            text = "host name does not resolve"
        else:
            text = _first_line(cause)
        return self.redact(f"context {self.context!r}: cannot reach the API server {self.host}: {text}")

    def _failure(self, status: int, data: bytes, verb, resource, namespace, name) -> ApiFailure:
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        reason = str(answer.get("reason") or "")
        message = _first_line(answer.get("message") or data.decode("utf-8", "replace")[:200] or f"HTTP {status}")
        what = _describe(verb, resource, namespace, name)
        prefix = f"context {self.context!r}: "
        if status == 401:
            text = (f"the API server rejected the credentials (401 Unauthorized) when asked to {what}; "
                    "check the kubeconfig user or log in again")
        elif status == 403:
            text = f"not allowed to {what} (403 Forbidden): {message}"
        elif status == 404:
            text = f"{_describe_object(resource, namespace, name)} not found"
        elif status == 409 and reason == "Conflict":
            text = (f"conflict: {_describe_object(resource, namespace, name)} changed since it was read; "
                    "nothing was overwritten, run the command again to see the new difference")
        else:
            text = f"cannot {what}: {status} {reason or 'error'}: {message}"
        return ApiFailure(self.redact(prefix + text), status, reason)


# (resource) -> (API path prefix, namespaced)
RESOURCES = {
    "namespaces": ("/api/v1", False),
    "services": ("/api/v1", True),
    "configmaps": ("/api/v1", True),
    "pods": ("/api/v1", True),
    "nodes": ("/api/v1", False),
    "deployments": ("/apis/apps/v1", True),
    "endpointslices": ("/apis/discovery.k8s.io/v1", True),
    "servicecidrs": ("/apis/networking.k8s.io/v1", False),
}


def _resource_path(resource: str, namespace: str, name: str) -> str:
    from urllib.parse import quote

    prefix, namespaced = RESOURCES[resource]
    path = prefix
    if namespaced and namespace:
        path += f"/namespaces/{quote(namespace, safe='')}"
    path += f"/{resource}"
    if name:
        path += f"/{quote(name, safe='')}"
    return path


def _describe_object(resource: str, namespace: str, name: str) -> str:
    singular = resource[:-1]
    if not name:
        return f"{resource} in namespace {namespace}" if namespace else resource
    return f"{singular} {namespace}/{name}" if namespace else f"{singular} {name}"


def _describe(verb: str, resource: str, namespace: str, name: str) -> str:
    if name:
        return f"{verb} {_describe_object(resource, namespace, name)}"
    scope = f" in namespace {namespace}" if namespace else (
        " in all namespaces" if RESOURCES[resource][1] else "")
    return f"{verb} {resource}{scope}"


def _tls_detail(text: str) -> str:
    """The OpenSSL reason inside urllib3's nested error text, e.g. "[SSL: WRONG_VERSION_NUMBER] wrong version
    number", else the text as it is."""
    import re

    m = re.search(r"\[SSL[^\]]*\][^'\")(]*", text)
    return m.group(0).strip() if m else text


def _first_line(value) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__


def connect_all(kubeconfig: Optional[str], contexts=(), all_contexts: bool = False,
                timeout: float = DEFAULT_TIMEOUT) -> list[Cluster]:
    config = Kubeconfig(kubeconfig)
    return [config.connect(c, timeout) for c in config.select(contexts, all_contexts)]
