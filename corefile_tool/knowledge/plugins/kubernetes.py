"""kubernetes: answers for cluster services and pods (coredns plugin/kubernetes/setup.go)."""
from __future__ import annotations

import re

from ..spec import ANSWERS_ALL, Plugin, Prop, says
from ..values import go_parse_float
from ._dispenser import arg_error, at_least, lines, words
from ._setup_helpers import go_duration, ignored_zones, is_reverse_zone, locate, missing_file, origins

# The largest finite float32: strconv.ParseFloat(s, 32) refuses a value that rounds beyond it.
_FLOAT32_MAX = 3.4028234663852886e38

_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\Z")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")

# The label selector grammar of k8s.io/apimachinery pkg/labels/selector.go (v0.35, the release CoreDNS 1.14
# builds with): its lexer's special symbols, whitespace and operator words.
_SPECIAL = "=!(),><"
_WHITESPACE = " \t\r\n"
_SYMBOLS = {")": ")", ",": ",", "!": "!", "==": "==", "=": "=", ">": ">", "<": "<", "!=": "!=", "(": "("}
_WORDS = {"in": "in", "notin": "notin"}
_IDENT, _END, _ERROR = "identifier", "end", "error"


def _label_key_error(key: str):
    """content.IsLabelKey: [DNS-1123 subdomain '/'] name of at most 63 characters."""
    parts = key.split("/")
    if len(parts) > 2:
        return f"invalid label key {key!r}"
    if len(parts) == 2 and (not parts[0] or len(parts[0]) > 253 or not _DNS_SUBDOMAIN.match(parts[0])):
        return f"invalid label key prefix {parts[0]!r}"
    name = parts[-1]
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return f"invalid label key {key!r}"
    return None


def _label_value_error(value: str):
    """content.IsLabelValue: empty, or a qualified name of at most 63 characters."""
    if value and (len(value) > 63 or not _QUALIFIED_NAME.match(value)):
        return f"invalid label value {value!r}"
    return None


def _selector_tokens(text: str) -> list:
    """selector.go Lexer: (kind, literal) pairs ending with (_END, "")."""
    out, pos, n = [], 0, len(text)
    while True:
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= n:
            out.append((_END, ""))
            return out
        if text[pos] in _SPECIAL:
            # scanSpecialSymbol: the longest run of special symbols that is still an operator
            buf, last = "", None
            while pos < n and text[pos] in _SPECIAL:
                buf += text[pos]
                if buf in _SYMBOLS:
                    last = buf
                    pos += 1
                elif last is not None:
                    break
                else:
                    pos += 1
            out.append((_SYMBOLS[last], last) if last else (_ERROR, f"error expected: keyword found '{buf}'"))
            continue
        start = pos
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        out.append((_WORDS.get(word, _IDENT), word))


def label_selector_error(text: str):
    """meta.ParseToLabelSelector: labels.Parse, then only the operators a LabelSelector has. None when it
    parses, else the reason in its words."""
    unsupported: list = []
    err = _parse_selector(text, unsupported)
    if err:
        return f'couldn\'t parse the selector string "{text}": {err}'
    return unsupported[0] if unsupported else None


def _parse_selector(text: str, unsupported: list):
    """labels.Parse (selector.go Parser.parse): None or its error; the operators ParseToLabelSelector then
    refuses (`!=`, `>`, `<`) are added to `unsupported` in order."""
    items = _selector_tokens(text)
    pos = 0

    def peek(values=True):
        kind, lit = items[pos]
        return (_IDENT if values and kind in ("in", "notin") else kind), lit

    def take(values=True):
        nonlocal pos
        found = peek(values)
        pos = min(pos + 1, len(items) - 1)
        return found

    while True:
        kind, lit = peek()
        if kind == _END:
            return None
        if kind not in (_IDENT, "!"):
            return f"found '{lit}', expected: !, identifier, or 'end of string'"
        # parseKeyAndInferOperator
        kind, lit = take()
        negated = kind == "!"
        if negated:
            kind, lit = take()
        if kind != _IDENT:
            return f"unable to parse requirement: found '{lit}', expected: identifier"
        err = _label_key_error(lit)
        if err:
            return f"unable to parse requirement: {err}"
        if not negated and peek()[0] not in (_END, ","):
            # parseOperator
            op, lit = take(values=False)
            if op not in ("in", "notin", "=", "==", "!=", ">", "<"):
                return (f"unable to parse requirement: found '{lit}', expected: in, notin, =, ==, !=, gt, lt")
            vals = []
            if op in ("in", "notin"):
                kind, lit = take()
                if kind != "(":
                    return f"unable to parse requirement: found '{lit}' expected: '('"
                kind, lit = peek()
                if kind == ")":
                    take()
                    vals = [""]
                elif kind in (_IDENT, ","):
                    while True:          # parseIdentifiersList
                        kind, lit = take()
                        if kind == _IDENT:
                            vals.append(lit)
                            nxt, lit2 = peek()
                            if nxt == ")":
                                break
                            if nxt != ",":
                                return f"unable to parse requirement: found '{lit2}', expected: ',' or ')'"
                        elif kind == ",":
                            if peek()[0] == ")":
                                vals.append("")
                                break
                            vals.append("")
                        else:
                            return f"unable to parse requirement: found '{lit}', expected: ',', or identifier"
                    take()
                else:
                    return f"unable to parse requirement: found '{lit}', expected: ',', ')' or identifier"
            elif peek()[0] in (_END, ","):
                vals = [""]
            else:
                kind, lit = take()
                if kind != _IDENT:
                    return f"unable to parse requirement: found '{lit}', expected: identifier"
                vals = [lit]
            # NewRequirement
            if op in (">", "<") and any(re.fullmatch(r"[+-]?[0-9]+", v) is None for v in vals):
                return "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"
            for v in vals:
                err = _label_value_error(v)
                if err:
                    return f"unable to parse requirement: {err}"
            if op in (">", "<"):
                unsupported.append(f'"{"gt" if op == ">" else "lt"}" isn\'t supported in label selectors')
            elif op == "!=":
                unsupported.append('"!=" is not a valid label selector operator')
        kind, lit = take()
        if kind == _END:
            return None
        if kind != ",":
            return f"found '{lit}', expected: ',' or 'end of string'"
        if peek()[0] not in (_IDENT, "!"):
            return f"found '{peek()[1]}', expected: identifier after ','"


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
            # strconv.ParseFloat(arg, 32): Go's float syntax (hex, inf, nan), out of float32 range an error
            qps = go_parse_float(line.args[0].text)
            literal_inf = line.args[0].text.lstrip("+-").lower() in ("inf", "infinity")
            if qps is None or (abs(qps) > _FLOAT32_MAX and not literal_inf):
                yield line.args[0], (f'invalid apiserver_qps "{line.args[0].text}": strconv.ParseFloat: parsing '
                                     f'"{line.args[0].text}": ' + ("invalid syntax" if qps is None else
                                                                   "value out of range"))
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


def _resyncperiod(directive, ctx):
    """Before 1.6.0 `resyncperiod DURATION` (RemainingArgs, the first word parsed, the others unread); 1.6.x reads
    no word, and the next one on the line is taken for the next property."""
    for line in lines(directive, "resyncperiod"):
        args = words(line, directive)
        if at_least(ctx, "1.6.0"):
            if args and args[0] is not directive.block.close:
                yield args[0], f"unknown property '{args[0].text}'", "error", "unknown-property"
                return
            continue
        if not args:
            yield line.name_token, arg_error(line.name_token)
            return
        problem = go_duration(args[0], f"unable to parse resync duration value: '{args[0].text}': ")[1]
        if problem:
            yield problem
            return


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
        Prop("namespace_labels", "selector:str+", since="1.5.0"),
        Prop("ttl", "seconds:int(0..3600) rest:str*", since="1.3.0",
             says=says(range="ttl must be in range [0, 3600]: {value}")),
        Prop("ttl", "seconds:int(5..3600) rest:str*", removed="1.3.0",    # setup.go v1.2.6: [5, 3600]
             says=says(range="ttl must be in range [5, 3600]: {value}")),
        Prop("noendpoints", ""),
        Prop("zonal", "", since="1.14.7"),
        Prop("ignore", "what:str*"),
        # kubeconfig came with 1.2.3, its context required before 1.8.2. For a release before both, Plugin.prop
        # answers with the form of the earliest since, whose since is then "added in".
        Prop("kubeconfig", "file:str context:str", since="1.2.3", removed="1.8.2"),
        Prop("kubeconfig", "file:str context:str?", since="1.8.2"),
        Prop("multicluster", "zones:str*", since="1.12.2"),
        Prop("startup_timeout", "duration:duration rest:str*", since="1.12.3",
             says=says(invalid="failed to parse startup_timeout: {value}, {error}")),
        Prop("apiserver_qps", "qps:str", since="1.14.0"),
        Prop("apiserver_burst", "burst:int(0..)", since="1.14.0",
             says=says(invalid='invalid apiserver_burst "{value}": {error}', below="apiserver_burst must be >= 0")),
        Prop("apiserver_max_inflight", "count:int(0..)", since="1.14.0",
             says=says(invalid='invalid apiserver_max_inflight "{value}": {error}',
                       below="apiserver_max_inflight must be >= 0")),
        # Until 1.6.0 `resyncperiod DURATION`; setup.go of 1.6.x skips it without reading its value, so
        # `resyncperiod 30s` fails there on '30s' as an unknown property (_resyncperiod).
        Prop("resyncperiod", free_args=True),
        Prop("upstream", free_args=True,
             replacement="nothing: CNAME targets are resolved through CoreDNS itself"),
        Prop("transfer", free_args=True, removed="1.8.0", replacement="the transfer plugin"),
    ),
    checks=(_check, _multicluster_zones, _resyncperiod),
)
