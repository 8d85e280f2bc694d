"""kubernetes: answers for cluster services and pods (coredns plugin/kubernetes/setup.go)."""
from __future__ import annotations

import re

from ..spec import ANSWERS_ALL, Plugin, Prop, says
from ._setup_helpers import ignored_zones, is_reverse_zone, locate, missing_file, origins

_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\Z")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_SELECTOR_TOKEN = re.compile(r"\s*(?:(?P<op>==|!=|=|!|\(|\)|,)|(?P<word>[^\s=!(),]+))")


def _label_key_error(key: str):
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return f"invalid label key prefix {prefix!r}"
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return f"invalid label key {key!r}"
    return None


def _label_value_error(value: str):
    if value and (len(value) > 63 or not _QUALIFIED_NAME.match(value)):
        return f"invalid label value {value!r}"
    return None


def label_selector_error(text: str):
    """metav1.ParseToLabelSelector: comma-separated `key`, `!key`, `key=v`, `key==v`, `key!=v`,
    `key in (v,...)`, `key notin (v,...)`. None when it parses, else the reason."""
    tokens = []
    pos = 0
    while pos < len(text):
        m = _SELECTOR_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            return f"unexpected character at {text[pos:]!r}"
        tokens.append(m.group("op") or m.group("word"))
        pos = m.end()
    i = 0

    def take():
        nonlocal i
        i += 1
        return tokens[i - 1] if i - 1 < len(tokens) else None

    while True:
        tok = take()
        if tok is None:
            return "found '', expected: identifier"
        negated = tok == "!"
        if negated:
            tok = take()
        if tok is None or tok in ("==", "!=", "=", "!", "(", ")", ","):
            return f"found '{tok or ''}', expected: identifier"
        err = _label_key_error(tok)
        if err:
            return err
        nxt = take()
        if negated:
            if nxt not in (None, ","):
                return f"found '{nxt}', expected: ',' or end of string"
        elif nxt in ("=", "==", "!="):
            value = tokens[i] if i < len(tokens) and tokens[i] not in (",", ")", "(") else ""
            if value:
                i += 1
            err = _label_value_error(value)
            if err:
                return err
            nxt = take()
        elif nxt in ("in", "notin"):
            if take() != "(":
                return "found '', expected: '('"
            while True:
                value = take()
                if value is None:
                    return "found '', expected: ')'"
                if value == ")":
                    break
                if value == ",":
                    continue
                err = _label_value_error(value)
                if err:
                    return err
            nxt = take()
        elif nxt is not None and nxt != ",":
            return f"found '{nxt}', expected: in, notin, =, ==, !=, or ','"
        if nxt is None:
            return None
        if nxt != ",":
            return f"found '{nxt}', expected: ',' or end of string"


def _lines(directive, name):
    if directive.block is None:
        return []
    return [line for line in directive.block.directives if line.name == name]


def _check(directive, ctx):
    yield from ignored_zones(directive.args)
    zones = origins(directive.args, ctx)
    if not any(not is_reverse_zone(z) for z in zones):
        yield directive.name_token, "non-reverse zone name must be used"
        return
    for line in _lines(directive, "pods"):
        if line.args and line.args[0].text not in ("disabled", "insecure", "verified"):
            yield line.args[0], (f"wrong value for pods: {line.args[0].text},  must be one of: disabled, "
                                 "verified, insecure")
            return
    for line in _lines(directive, "ignore"):
        if line.args and line.args[0].text != "empty_service":
            yield line.args[0], f"unable to parse ignore value: '{line.args[0].text}'"
            return
    for name in ("labels", "namespace_labels"):
        for line in _lines(directive, name):
            selector = " ".join(t.text for t in line.args)
            err = label_selector_error(selector) if line.args else None
            if err:
                what = "label" if name == "labels" else "namespace_label"
                yield line.args[0], f"unable to parse {what} selector value: '{selector}': {err}"
                return
    for line in _lines(directive, "apiserver_qps"):
        if line.args:
            try:
                qps = float(line.args[0].text)
            except ValueError:
                yield line.args[0], f'invalid apiserver_qps "{line.args[0].text}"'
                return
            if qps < 0:
                yield line.args[0], "apiserver_qps must be >= 0"
                return
    if _lines(directive, "namespaces") and _lines(directive, "namespace_labels"):
        yield _lines(directive, "namespace_labels")[0].name_token, \
            "namespaces and namespace_labels cannot both be set"
        return
    for line in _lines(directive, "multicluster"):
        for zone, tok in zip(origins(line.args, ctx) if line.args else [], line.args):
            if zone not in zones:
                yield tok, (f"is not authoritative for the multicluster zone {zone} "
                            f"(authoritative zones: {' '.join(zones)})")
                return
    if _lines(directive, "zonal") and _lines(directive, "noendpoints"):
        yield _lines(directive, "zonal")[0].name_token, "zonal requires the endpoint cache; remove noendpoints"
        return
    for name in ("kubeconfig", "tls"):
        for line in _lines(directive, name):
            for tok in line.args[:1] if name == "kubeconfig" else line.args:
                if locate(ctx, tok, tok.text, use_root=False) is None:
                    yield missing_file(tok, tok.text, "file")


def _multicluster_zones(directive, ctx):
    # Checked separately from _check only so that a bad zone in `multicluster` is a warning, not a refusal.
    for line in _lines(directive, "multicluster"):
        yield from ignored_zones(line.args)


PLUGIN = Plugin(
    name="kubernetes",
    summary="Serves the cluster.local records of Kubernetes services, endpoints and (optionally) pods.",
    args="zones:zone(lenient)*",
    block=True,
    once=True,
    zones=True,
    fallthrough=True,
    # handler.go ServeDNS: inside its zones the answer, NXDOMAIN, REFUSED (AXFR) or SERVFAIL; only a name
    # error goes on, and only with `fallthrough`.
    answers=ANSWERS_ALL,
    props=(
        Prop("endpoint_pod_names", ""),
        Prop("pods", "mode:str"),
        Prop("namespaces", "names:str+"),
        Prop("endpoint", "urls:str+"),
        Prop("tls", "cert:str key:str cacert:str"),
        Prop("labels", "selector:str+"),
        Prop("namespace_labels", "selector:str+"),
        Prop("ttl", "seconds:int(0..3600) rest:str*", says=says(range="ttl must be in range [0, 3600]: {value}")),
        Prop("noendpoints", ""),
        Prop("zonal", "", since="1.14.7"),
        Prop("ignore", "what:str*"),
        Prop("kubeconfig", "file:str context:str?"),
        Prop("multicluster", "zones:str*", since="1.12.2"),
        Prop("startup_timeout", "duration:duration rest:str*", since="1.12.3",
             says=says(invalid="failed to parse startup_timeout: {value}, {error}")),
        Prop("apiserver_qps", "qps:str", since="1.14.0"),
        Prop("apiserver_burst", "burst:int(0..)", since="1.14.0"),
        Prop("apiserver_max_inflight", "count:int(0..)", since="1.14.0"),
        # setup.go of 1.6.x skips `resyncperiod` without reading its value, so `resyncperiod 30s` fails there
        # on '30s' as an unknown property.
        Prop("resyncperiod", ""),
        Prop("upstream", free_args=True,
             replacement="nothing: CNAME targets are resolved through CoreDNS itself"),
        Prop("transfer", free_args=True, removed="1.8.0", replacement="the transfer plugin"),
    ),
    checks=(_check, _multicluster_zones),
)
