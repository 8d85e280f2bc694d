"""The multi-cluster inventory: YAML read with its line numbers, checked by the published JSON Schema for shape and
here for meaning, before anything is generated.

Every problem names the file, the YAML line, the cluster and the field:
`inventory.yaml:12: clusters[1] (cluster-b).dns[0]: '10.2.0.300' is not an IP address`.
"""
from __future__ import annotations

import difflib
import ipaddress
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from ..addresses import is_domain_name

DEFAULT_DOMAIN = "cluster.local"
DEFAULT_CACHE = 30
DEFAULT_UPSTREAM = ("/etc/resolv.conf",)
DEFAULT_PORTS = {"dns": 53, "tls": 853}
# forward options the generator derives from the inventory itself, so an override would contradict it.
DERIVED_FORWARD_OPTIONS = {"tls_servername": "it comes from the peer's transport: tls and tls_servername"}


# ---------------------------------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    path: str          # the file the problem is in (the inventory, or a base Corefile)
    line: int
    where: str         # the field, e.g. "clusters[1] (cluster-b).dns[0]"
    message: str
    column: int = 0    # where the YAML reader knows it (syntax errors)

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        at = (f":{self.line}" if self.line else "") + (f":{self.column}" if self.line and self.column else "")
        return f"{self.path}{at}:{where} {self.message}"


class InventoryError(Exception):
    """The inventory cannot be generated from; `problems` lists every reason found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.path, p.line, p.where, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


# ---------------------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Endpoint:
    """One address a cluster's CoreDNS is reachable at, as forward writes it."""
    ip: str
    port: int
    transport: str = "dns"

    @property
    def address(self) -> str:
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{host}:{self.port}"

    @property
    def forward_target(self) -> str:
        return self.address if self.transport == "dns" else f"{self.transport}://{self.address}"


@dataclass
class Cluster:
    name: str
    index: int
    domain: str
    mesh_domain: str
    dns: list[Endpoint]
    transport: str
    tls_servername: Optional[str]
    service_cidrs: list
    pod_cidrs: list
    peer_names: Optional[list[str]]          # None: every other cluster
    base_corefile: Optional[Path]
    stub_domains: dict[str, list[Endpoint]]  # in inventory order
    coredns_version: str
    forward_options: list[tuple[str, list[str]]]
    cache: int
    upstream: list[str]
    label: str = ""                          # "clusters[1] (cluster-b)", for messages
    line: int = 0

    @property
    def cidrs(self) -> list:
        return list(self.service_cidrs) + list(self.pod_cidrs)


@dataclass
class Inventory:
    path: str
    clusters: list[Cluster]
    lines: "Locator" = None
    by_name: dict = field(default_factory=dict)

    def __post_init__(self):
        self.by_name = {c.name: c for c in self.clusters}

    def peers_of(self, cluster: Cluster) -> list[Cluster]:
        if cluster.peer_names is None:
            return [c for c in self.clusters if c.name != cluster.name]
        return [self.by_name[n] for n in cluster.peer_names]

    def owner_of(self, ip: str, port: int) -> Optional[Cluster]:
        """The cluster whose dns list holds this address, if any."""
        for c in self.clusters:
            for e in c.dns:
                if e.ip == ip and e.port == port:
                    return c
        return None


# ---------------------------------------------------------------------------------------------------- YAML
class Locator:
    """YAML line of every value (and of every mapping key), by path of keys and indexes."""

    def __init__(self):
        self.value_lines: dict[tuple, int] = {}
        self.key_lines: dict[tuple, int] = {}
        self.scalars: dict[tuple, str] = {}    # scalar values as written, for messages

    def line(self, path) -> int:
        path = tuple(path)
        while True:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            if not path:
                return 1
            path = path[:-1]


def _record(node, path: tuple, where: Locator, duplicates: list):
    import yaml

    where.value_lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        where.scalars.setdefault(path, node.value)
    elif isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key == "<<":
                continue
            if key in seen:
                duplicates.append((path + (key,), key_node.start_mark.line + 1, seen[key]))
            seen.setdefault(key, key_node.start_mark.line + 1)
            where.key_lines.setdefault(path + (key,), key_node.start_mark.line + 1)
            _record(value_node, path + (key,), where, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record(item, path + (i,), where, duplicates)


def read_yaml(text: str, path: str):
    """(data, Locator) from YAML text; InventoryError for YAML syntax errors, YAML beyond the reader's bounds
    (`corefile_tool.yamlfile`: depth, values, aliases) and duplicate keys."""
    from ..yamlfile import YamlError, load as load_yaml

    try:
        node, data = load_yaml(text, path)
    except YamlError as e:
        raise InventoryError([Problem(path, e.line or 1, "", e.message, e.column)]) from None
    if node is None:
        raise InventoryError([Problem(path, 1, "", "the inventory is empty")])
    where = Locator()
    duplicates: list = []
    _record(node, (), where, duplicates)
    problems = [Problem(path, line, _label(p, data), f"duplicate key (first set on line {first}; YAML keeps only the last)")
                for p, line, first in duplicates]
    if problems:
        raise InventoryError(problems)
    return data, where


def _label(path, data) -> str:
    """`clusters[1] (cluster-b).dns[0]` for the path ('clusters', 1, 'dns', 0)."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                if out.startswith("clusters[") and out.count("[") == 1 and isinstance(node, dict) \
                        and isinstance(node.get("name"), str):
                    out += f" ({node['name']})"
            else:
                node = None
        else:
            if out.endswith("extra_stub_domains"):   # its keys are domains: dots would read as fields
                out += f"[{part}]"
            else:
                out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


# ---------------------------------------------------------------------------------------------------- schema
def schema_path() -> Path:
    """templates/ lives at the repository root and ships inside the wheel as corefile_tool/templates/."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates" / "inventory.schema.json",
                      here.parent / "templates" / "inventory.schema.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("inventory.schema.json not found")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    return cls(schema())


_YAML_TYPES = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false", int: "a number",
               float: "a number", type(None): "nothing (null)"}
_SCHEMA_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
                 "boolean": "true/false", "number": "a number"}


def _describe(value) -> str:
    return _YAML_TYPES.get(type(value), type(value).__name__)


def _expected(subschema: dict) -> str:
    t = subschema.get("type")
    if isinstance(t, list):
        return " or ".join(_SCHEMA_TYPES.get(x, x) for x in t)
    if t == "array" and isinstance(subschema.get("items"), dict) and "type" in subschema["items"]:
        # items of one type ("a list of strings") or of several (["string", "integer"]: "strings or integers")
        item_types = subschema["items"]["type"]
        names = [_SCHEMA_TYPES.get(x, x).replace("a ", "", 1).replace("an ", "", 1) + "s"
                 for x in (item_types if isinstance(item_types, list) else [item_types])]
        return "a list of " + " or ".join(names)
    if "enum" in subschema:
        return "one of " + ", ".join(map(str, subschema["enum"]))
    return _SCHEMA_TYPES.get(t, str(t))


def _schema_problem(error, data, path: str, where: Locator) -> Problem:
    at = list(error.absolute_path)
    v = error.validator
    instance = error.instance
    sub = error.schema if isinstance(error.schema, dict) else {}
    if v == "required":
        missing = [k for k in error.validator_value if not (isinstance(instance, dict) and k in instance)]
        name = missing[0] if missing else "?"
        why = " (required with transport: tls)" if "then" in error.schema_path else ""
        return Problem(path, where.line(at), _label(at, data), f"missing required field '{name}'{why}")
    if v == "additionalProperties":
        allowed = list(sub.get("properties", {}))
        extras = [k for k in instance if k not in allowed]
        key = extras[0] if extras else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known fields: {', '.join(allowed)}"
        return Problem(path, where.line(at + [key]), _label(at + [key], data), f"unknown field{hint}")
    if v == "propertyNames":
        key = instance if not isinstance(instance, dict) else "?"
        bad = [k for k in (instance if isinstance(instance, dict) else [])]
        for cause in error.context or []:
            key = cause.instance
            break
        if isinstance(instance, dict) and bad and key == "?":
            key = bad[0]
        title = (sub.get("propertyNames") or {}).get("title") or "domain name"
        return Problem(path, where.line(at + [key]), _label(at + [key], data), f"{key!r} is not a valid {title}")
    if "propertyNames" in error.schema_path and isinstance(instance, str):
        at = at + [instance]   # the error is about a key: name it, and its line
    label = _label(at, data)
    line = where.line(at)
    if v == "type":
        hint = ""
        if error.validator_value == "string" and isinstance(instance, (int, float)) and not isinstance(instance,
                                                                                                       bool):
            written = where.scalars.get(tuple(at), str(instance))
            hint = f" (quote it: YAML reads {written} as the number {instance!r})"
        return Problem(path, line, label,
                       f"expected {_expected(sub)}, got {_describe(instance)}{hint}")
    if v == "pattern":
        what = sub.get("title") or "value"
        return Problem(path, line, label, f"{instance!r} is not a valid {what}")
    if v == "enum":
        return Problem(path, line, label,
                       f"{instance!r} is not one of {', '.join(map(str, error.validator_value))}")
    if v == "oneOf":
        options = " or ".join(_expected(s) for s in error.validator_value)
        return Problem(path, line, label, f"expected {options}, got {_describe(instance)}")
    if v == "minItems":
        return Problem(path, line, label, "must not be empty" if error.validator_value == 1
                       else f"needs at least {error.validator_value} items")
    if v == "uniqueItems":
        return Problem(path, line, label, "lists the same item twice")
    if v == "minimum":
        return Problem(path, line, label, f"must be {error.validator_value} or more, got {instance}")
    if v == "minLength":
        return Problem(path, line, label, "must not be empty")
    if v == "maxLength":
        return Problem(path, line, label, f"is longer than {error.validator_value} characters")
    return Problem(path, line, label, error.message)


def validate_shape(data, path: str, where: Locator) -> list[Problem]:
    """Every structural problem, by the JSON Schema in templates/inventory.schema.json."""
    errors = list(_validator().iter_errors(data))
    problems = [_schema_problem(e, data, path, where) for e in errors]
    return sorted(set(problems), key=lambda p: (p.line, p.where, p.message))


# ---------------------------------------------------------------------------------------------------- meaning
def normalize_domain(text: str) -> str:
    return text.rstrip(".").lower()


def is_within(name: str, zone: str) -> bool:
    """name equals zone or lies below it (both normalised, without the trailing dot)."""
    return name == zone or name.endswith("." + zone)


def parse_address(text: str, default_port: int) -> tuple[Optional[Endpoint], Optional[str]]:
    """IP, IP:PORT or [IPv6]:PORT → (Endpoint without transport, None) or (None, reason)."""
    host, port_text = text, None
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return None, f"{text!r}: missing ']'"
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                return None, f"{text!r} is not IP, IP:PORT or [IPv6]:PORT"
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None, f"{text!r} is not an IP address (IP, IP:PORT or [IPv6]:PORT)"
    if ip.version == 6 and "%" in host:
        return None, f"{text!r}: a zoned IPv6 address cannot be reached from another cluster"
    port = default_port
    if port_text is not None:
        if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            return None, f"{text!r}: port {port_text!r} is not a number from 1 to 65535"
        port = int(port_text)
    return Endpoint(str(ip), port), None


def unreachable_reason(ip: str) -> Optional[str]:
    addr = ipaddress.ip_address(ip)
    for test, what in ((addr.is_unspecified, "unspecified"), (addr.is_loopback, "a loopback address"),
                       (addr.is_link_local, "a link-local address"), (addr.is_multicast, "a multicast address")):
        if test:
            return f"{ip} is {what}: other clusters cannot reach it"
    return None


def parse_cidr(text: str) -> tuple[Optional[object], Optional[str]]:
    if "/" not in text:
        return None, f"{text!r} is not a CIDR such as 10.96.0.0/16 (no prefix length)"
    try:
        return ipaddress.ip_network(text, strict=True), None
    except ValueError:
        pass
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None, f"{text!r} is not a CIDR such as 10.96.0.0/16"
    return None, f"{text!r} has host bits set; did you mean {net}?"


def _forward_args(value) -> list[str]:
    if value is True:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split()


@lru_cache(maxsize=None)
def _forward_option_error(name: str, args: tuple, version: str) -> Optional[str]:
    """What CoreDNS's forward setup says about `name ARGS` in a forward block (values a slot cannot check, such
    as health_check's duration), by the lint checks of that version; None when it is accepted."""
    from ..linter import lint_tree
    from .trees import corefile_of, directive, place_block, server_block

    block = server_block([".:53"], [directive("forward", ".", "192.0.2.1", block=[directive(name, *args)])])
    place_block(block, 1)
    for d in lint_tree(corefile_of([block], "inventory"), version):
        if d.severity == "error" and d.line == 3:   # the option's own line
            return d.message.removeprefix("plugin/forward: ")
    return None


class _Checker:
    def __init__(self, data: dict, path: str, where: Locator):
        self.data = data
        self.path = path
        self.where = where
        self.problems: list[Problem] = []

    def problem(self, at, message: str):
        at = list(at)
        self.problems.append(Problem(self.path, self.where.line(at), _label(at, self.data), message))

    def version(self, value, at) -> Optional[str]:
        from ..knowledge import versions

        try:
            return versions.normalize_version(value)
        except ValueError as e:
            self.problem(at, str(e))
            return None

    def forward_options(self, options: dict, at, version: str, owner: str) -> list[tuple[str, list[str]]]:
        """Each option must exist in the target CoreDNS version, with values its setup accepts."""
        from ..knowledge import registry
        from ..knowledge.spec import present_in

        plugin = registry.get("forward")
        out = []
        for name, value in options.items():
            here = list(at) + [name]
            if value is False:
                continue  # a flag switched off: leave it out
            if name in DERIVED_FORWARD_OPTIONS:
                self.problem(here, f"forward option '{name}' cannot be set here: {DERIVED_FORWARD_OPTIONS[name]}")
                continue
            args = _forward_args(value)
            if plugin is not None:
                prop = plugin.prop(name)
                if prop is None:
                    close = difflib.get_close_matches(name, [p.name for p in plugin.props], n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    self.problem(here, f"forward has no option '{name}'{hint}")
                    continue
                if not present_in(prop.since, prop.removed, version):
                    when = (f"added in CoreDNS {prop.since}" if prop.since and not present_in(prop.since, None, version)
                            else f"removed in CoreDNS {prop.removed}")
                    self.problem(here, f"forward option '{name}' is {when}; not in CoreDNS {version} ({owner})")
                    continue
                if not prop.free_args:
                    from ..linter.directives import match_slots
                    from ..lexer import Token

                    anchor = Token(name, 1, 1)
                    found = match_slots(prop.slots, [Token(a, 1, 1) for a in args], anchor)
                    if found:
                        self.problem(here, f"forward option '{name}': {found[2]}")
                        continue
                refused = _forward_option_error(name, tuple(args), version)
                if refused:
                    self.problem(here, f"forward option '{name}': {refused}")
                    continue
            out.append((name, args))
        return out


def _outside(written: str, path: Path, directory: Path) -> Optional[str]:
    """Why `path` may not be read as a base Corefile, or None when it is under `directory` (symbolic links
    followed): an inventory from a pull request must not make the tool read, and echo in its messages, a file
    elsewhere, as `import` is confined in a Corefile."""
    try:
        if path.resolve().is_relative_to(directory.resolve()):
            return None
    except (OSError, RuntimeError):   # RuntimeError: a symbolic link loop
        return f"{written!r} is a symbolic link loop"
    return f"{written!r} reaches outside the inventory's directory {str(directory)!r} (base Corefiles are read " \
           "only from under it)"


def check(data, path: str, where: Locator, base_dir: Path) -> Inventory:
    """The meaning of a schema-valid inventory: builds the model or raises InventoryError with every problem."""
    from ..knowledge import versions

    ck = _Checker(data, path, where)
    defaults = data.get("defaults") or {}
    default_version = versions.LATEST
    if "coredns_version" in defaults:
        default_version = ck.version(defaults["coredns_version"], ["defaults", "coredns_version"]) or versions.LATEST

    clusters: list[Cluster] = []
    first_name: dict[str, int] = {}
    default_forward = defaults.get("forward") or {}
    inherited: dict[tuple, list[str]] = {}     # (defaults.forward option, version) -> clusters inheriting it
    option_plans = []
    for i, raw in enumerate(data["clusters"]):
        at = ["clusters", i]
        name = raw["name"]
        label = _label(at, data)
        if name in first_name:
            ck.problem(at + ["name"], f"duplicate cluster name {name!r} (also clusters[{first_name[name]}], "
                                      f"line {where.line(['clusters', first_name[name], 'name'])})")
        first_name.setdefault(name, i)
        version = default_version
        if "coredns_version" in raw:
            version = ck.version(raw["coredns_version"], at + ["coredns_version"]) or default_version
        transport = raw.get("transport", "dns")
        if raw.get("tls_servername") and transport != "tls":
            ck.problem(at + ["tls_servername"], "tls_servername is only used with transport: tls")
        default_port = DEFAULT_PORTS[transport]
        endpoints = []
        for j, text in enumerate(raw.get("dns", [])):
            ep, err = parse_address(text, default_port)
            if err:
                ck.problem(at + ["dns", j], err)
                continue
            why = unreachable_reason(ep.ip)
            if why:
                ck.problem(at + ["dns", j], why)
                continue
            endpoints.append(Endpoint(ep.ip, ep.port, transport))
        cidrs = {}
        for kind in ("service_cidr", "pod_cidr"):
            value = raw.get(kind)
            items = [] if value is None else ([value] if isinstance(value, str) else value)
            nets = []
            for j, text in enumerate(items):
                net, err = parse_cidr(text)
                if err:
                    ck.problem(at + [kind] + ([j] if not isinstance(value, str) else []), err)
                else:
                    nets.append(net)
            cidrs[kind] = nets
        stubs: dict[str, list[Endpoint]] = {}
        for domain, addresses in (raw.get("extra_stub_domains") or {}).items():
            eps = []
            for j, text in enumerate(addresses):
                ep, err = parse_address(text, 53)
                if err:
                    ck.problem(at + ["extra_stub_domains", domain, j], err)
                else:
                    eps.append(ep)
            stubs[normalize_domain(domain)] = eps
        overrides = raw.get("forward") or {}
        own_options = dict(ck.forward_options(overrides, at + ["forward"], version, label))
        for opt_name in default_forward:
            if opt_name not in overrides:
                inherited.setdefault((opt_name, version), []).append(name)
        option_plans.append((own_options, overrides))
        base = raw.get("base_corefile")
        if base:
            base_path = base_dir / base
            outside = _outside(base, base_path, base_dir)
            if outside:
                ck.problem(at + ["base_corefile"], outside)
                base = None
            elif base_path.is_dir():
                ck.problem(at + ["base_corefile"], f"{str(base_path)!r} is a directory, not a Corefile")
            elif not base_path.is_file():
                ck.problem(at + ["base_corefile"], f"{str(base_path)!r}: no such file")
        clusters.append(Cluster(
            name=name, index=i,
            domain=normalize_domain(raw.get("domain", DEFAULT_DOMAIN)),
            mesh_domain=normalize_domain(raw["mesh_domain"]),
            dns=endpoints, transport=transport, tls_servername=raw.get("tls_servername"),
            service_cidrs=cidrs["service_cidr"], pod_cidrs=cidrs["pod_cidr"],
            peer_names=list(raw["peers"]) if "peers" in raw else None,
            base_corefile=(base_dir / base) if base else None,
            stub_domains=stubs, coredns_version=version, forward_options=[],
            cache=raw.get("cache", defaults.get("cache", DEFAULT_CACHE)),
            upstream=list(raw.get("upstream", defaults.get("upstream", DEFAULT_UPSTREAM))),
            label=label, line=where.line(at)))

    # defaults.forward: checked once per CoreDNS version, naming every cluster that inherits the option.
    inherited_options = {
        (opt_name, version): dict(ck.forward_options({opt_name: default_forward[opt_name]}, ["defaults", "forward"],
                                                     version, ", ".join(names)))
        for (opt_name, version), names in inherited.items()}
    for c, (own_options, overrides) in zip(clusters, option_plans):
        # The defaults' order, with each override in its place, then the options only the cluster sets.
        order = list(default_forward) + [n for n in overrides if n not in default_forward]
        for opt_name in order:
            source = own_options if opt_name in overrides else inherited_options.get((opt_name, c.coredns_version), {})
            if opt_name in source:
                c.forward_options.append((opt_name, source[opt_name]))
    _check_domains(ck, clusters, data)
    _check_peers(ck, clusters, data)
    _check_cidrs(ck, clusters)
    _check_dns_routes(ck, clusters, data)
    _check_stubs(ck, clusters)
    if ck.problems:
        raise InventoryError(ck.problems)
    return Inventory(path, clusters, where)


def _check_domains(ck: _Checker, clusters: list[Cluster], data):
    for c in clusters:
        for what, text in (("domain", c.domain), ("mesh_domain", c.mesh_domain)):
            if not is_domain_name(text) or text.endswith(("in-addr.arpa", "ip6.arpa")) or text in ("", "arpa"):
                ck.problem(["clusters", c.index, what], f"{text!r} cannot be a {what.replace('_', ' ')}")
    seen: dict[str, Cluster] = {}
    for c in clusters:
        at = ["clusters", c.index, "mesh_domain"]
        m = c.mesh_domain
        if m in seen:
            ck.problem(at, f"mesh domain {m} is also {seen[m].label}'s mesh domain")
        else:
            for other in seen.values():
                if is_within(m, other.mesh_domain):
                    ck.problem(at, f"mesh domain {m} lies inside {other.label}'s mesh domain {other.mesh_domain}")
                elif is_within(other.mesh_domain, m):
                    ck.problem(at, f"mesh domain {m} contains {other.label}'s mesh domain {other.mesh_domain}")
            seen[m] = c
        for other in clusters:
            d = other.domain
            whose = "its own" if other is c else f"{other.label}'s"
            if m == d:
                ck.problem(at, f"mesh domain {m} is {whose} Kubernetes domain")
            elif is_within(m, d):
                ck.problem(at, f"mesh domain {m} lies inside {whose} Kubernetes domain {d}")
            elif is_within(d, m):
                ck.problem(at, f"mesh domain {m} contains {whose} Kubernetes domain {d}, "
                               "so peers would route those names away")


def _check_peers(ck: _Checker, clusters: list[Cluster], data):
    names = {c.name for c in clusters}
    no_dns = {c.name for c in clusters if not c.dns}
    wanted_by: dict[str, dict[str, Cluster]] = {}
    for c in clusters:
        if c.peer_names is None:
            targets = [o.name for o in clusters if o.name != c.name]
        else:
            targets = []
            for j, p in enumerate(c.peer_names):
                at = ["clusters", c.index, "peers", j]
                if p == c.name:
                    ck.problem(at, "a cluster cannot be its own peer")
                elif p not in names:
                    close = difflib.get_close_matches(p, sorted(names), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    ck.problem(at, f"unknown peer {p!r}{hint}")
                else:
                    targets.append(p)
        for t in targets:
            if t in no_dns:
                wanted_by.setdefault(t, {}).setdefault(c.name, c)   # each forwarding cluster named once
    raw_clusters = data["clusters"]
    for c in clusters:
        sources = wanted_by.get(c.name)
        if not sources or c.dns:
            continue
        at = ["clusters", c.index] + (["dns"] if "dns" in raw_clusters[c.index] else [])
        who = ", ".join(sources)
        ck.problem(at, f"no reachable dns address, but {who} forward{'s' if len(sources) == 1 else ''} "
                       f"{c.mesh_domain} to it")


def _check_cidrs(ck: _Checker, clusters: list[Cluster]):
    """Clusters whose reverse zones one cluster routes (its peers and itself) must not overlap."""
    by_name = {c.name: c for c in clusters}
    reported = set()
    for c in clusters:
        group = [c] + [by_name[n] for n in (c.peer_names if c.peer_names is not None else by_name)
                       if n in by_name and n != c.name]
        owned = [(o, kind, net) for o in group for kind, nets in (("service_cidr", o.service_cidrs),
                                                                   ("pod_cidr", o.pod_cidrs)) for net in nets]
        for x in range(len(owned)):
            for y in range(x + 1, len(owned)):
                a, ka, na = owned[x]
                b, kb, nb = owned[y]
                if a is b or na.version != nb.version or not na.overlaps(nb):
                    continue
                first, second = sorted(((a, ka, na), (b, kb, nb)), key=lambda t: (t[0].index, t[1]))
                key = (first[0].name, first[1], str(first[2]), second[0].name, second[1], str(second[2]))
                if key in reported:
                    continue
                reported.add(key)
                ck.problem(["clusters", second[0].index, second[1]],
                           f"{second[2]} overlaps {first[0].label}'s {first[1]} {first[2]}: reverse lookups "
                           "routed between them would be ambiguous")


def _check_dns_routes(ck: _Checker, clusters: list[Cluster], data):
    """A peer's dns address inside the forwarding cluster's own service or pod CIDR is one of that cluster's own
    Services or pods when seen from there (the classic mistake: a peer's kube-dns ClusterIP, 10.96.0.10, which
    every kubeadm cluster uses for its own kube-dns): the query would never reach the peer."""
    # (version, prefix length) -> {network: [(source, kind)]}: each address is looked up once per prefix length
    owned: dict[tuple, dict] = {}
    for source in clusters:
        for kind, nets in (("service_cidr", source.service_cidrs), ("pod_cidr", source.pod_cidrs)):
            for net in nets:
                owned.setdefault((net.version, net.prefixlen), {}).setdefault(net, []).append((source, kind))
    if not owned:
        return
    for target in clusters:
        raw_dns = data["clusters"][target.index].get("dns") or []
        for j, text in enumerate(raw_dns):
            ep, err = parse_address(str(text), DEFAULT_PORTS.get(target.transport, 53))
            if err:
                continue
            ip = ipaddress.ip_address(ep.ip)
            for (version, prefix), table in owned.items():
                if version != ip.version:
                    continue
                net = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
                for source, kind in table.get(net, ()):
                    if source is target or not (source.peer_names is None or target.name in source.peer_names):
                        continue
                    ck.problem(["clusters", target.index, "dns", j],
                               f"{ep.ip} lies inside {source.label}'s {kind} {net}: from {source.name}, which "
                               f"forwards {target.mesh_domain} to it, that address is one of {source.name}'s own "
                               f"Services or pods, not {target.name}'s CoreDNS")


def _check_stubs(ck: _Checker, clusters: list[Cluster]):
    by_name = {c.name: c for c in clusters}
    for c in clusters:
        routed = [(c.domain, "its own Kubernetes domain"), (c.mesh_domain, "its own mesh domain")]
        peers = (c.peer_names if c.peer_names is not None else [n for n in by_name if n != c.name])
        routed += [(by_name[p].mesh_domain, f"peer {p}'s mesh domain") for p in peers if p in by_name]
        for domain in c.stub_domains:
            at = ["clusters", c.index, "extra_stub_domains", domain]
            for zone, what in routed:
                if is_within(domain, zone):
                    ck.problem(at, f"stub domain {domain} {'is' if domain == zone else 'lies inside'} {what}"
                                   f"{'' if domain == zone else ' ' + zone}")
                    break


def load(path, *, text: Optional[str] = None) -> Inventory:
    """Read, shape-check and meaning-check an inventory file. Raises InventoryError, or OSError if unreadable
    (`yamlfile.InputTooLarge` above `yamlfile.MAX_YAML_BYTES`)."""
    from ..yamlfile import YamlError, read_file

    path = str(path)
    if text is None:
        try:
            text = read_file(path, "an inventory")
        except YamlError as e:   # not UTF-8
            raise InventoryError([Problem(path, e.line or 1, "", e.message, e.column)]) from None
    data, where = read_yaml(text, path)
    problems = validate_shape(data, path, where)
    if problems:
        raise InventoryError(problems)
    return check(data, path, where, Path(path).resolve().parent)
