"""Zone configurations and listeners, as CoreDNS builds them from the server blocks.

CoreDNS turns every zone of every server-block key into one configuration (transport, zone, port, listen
hosts), groups the configurations by listen address (each group is one server with its own zone table), and
refuses to start when two unfiltered configurations claim the same zone on the same listener.

Sources (../shared/spec/server-blocks-and-routing.md §1-§3): coredns core/dnsserver/register.go
`InspectServerBlocks`, `propagateConfigParams`, `groupConfigsByListenAddr`, `validateZonesAndListeningAddresses`;
core/dnsserver/address.go `zoneAddr`, `zoneOverlap`; plugin/bind/setup.go; plugin/pkg/parse/transport.go.

Version differences modelled here (read from those files at each tag):
- the transports `quic://` and `unix://` exist from 1.11.0, `https3://` from 1.14.0; before, such a prefix is
  no transport and the whole key is read as a dns zone;
- zones are lower-cased from 1.14.7;
- views (configurations with filters, which are checked but not registered) exist from 1.10.0;
- from 1.8.5 (coredns/caddy 1.1.1: setup runs for a block's first key only) to 1.9.4 the duplicate check ran
  before the first key's listen hosts were copied to the block's other keys, so those were checked unbound.
Not modelled: before 1.8.4 a CIDR key that is not on an octet boundary became one zone plus a filter instead of
several zones; those keys are read with the later rule.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import NamedTuple, Optional

from .addresses import Address, inspect_key
from .knowledge.spec import version_tuple
from .lexer import Token
from .tree import Corefile, Key, ServerBlock

# Transports CoreDNS did not always have: before this release the prefix is read as part of a dns zone.
TRANSPORT_SINCE = {"quic": "1.11.0", "unix": "1.11.0", "https3": "1.14.0"}
# Transports a listener can serve (register.go makeServersForGroup has no case for unix: nothing is created).
SERVED_TRANSPORTS = ("dns", "tls", "quic", "grpc", "https", "https3")
# Plugins implementing dnsserver.Viewer, which give their block's configurations a filter (only plugin/view).
VIEWER_PLUGINS = ("view",)

LOWERCASE_SINCE = "1.14.7"
VIEWS_SINCE = "1.10.0"
FIRST_KEY_SETUP_SINCE = "1.8.5"      # coredns/caddy v1.1.1: directives are set up for a block's first key only
LISTEN_HOSTS_COPIED_BEFORE_CHECK = "1.10.0"


class ZoneConfig:
    """One zone of one server-block key: what CoreDNS keeps as a dnsserver.Config.

    block, block_index: the server block and its position; key: the tree's Key (key_token: its token);
    zone, port, transport: as CoreDNS normalises them; listen_hosts: ("",) for every address, () for none (bind's
    `except` removed them all); interfaces: bind arguments that are not IP addresses (interface names, known only
    on the host); first_in_block: the block's first zone (its key's setup is the one that ran); filtered: the block
    has a view (routed only when the view's expressions pass); checked_hosts: the listen hosts the duplicate check
    saw (see the module's version notes).
    """
    # A plain class: dataclass code generation costs milliseconds at import, and every start of the CLI pays it.
    __slots__ = ("block", "block_index", "key", "zone", "port", "transport", "listen_hosts", "interfaces",
                 "first_in_block", "filtered", "checked_hosts")

    def __init__(self, block: ServerBlock, block_index: int, key: Key, zone: str, port: str, transport: str,
                 listen_hosts: tuple, interfaces: tuple = (), first_in_block: bool = True, filtered: bool = False,
                 checked_hosts: tuple = ()):
        self.block = block
        self.block_index = block_index
        self.key = key
        self.zone = zone
        self.port = port
        self.transport = transport
        self.listen_hosts = listen_hosts
        self.interfaces = interfaces
        self.first_in_block = first_in_block
        self.filtered = filtered
        self.checked_hosts = checked_hosts

    @property
    def key_token(self) -> Token:
        return self.key.token

    @property
    def address(self) -> str:
        """`transport://zone:port`, the normalised key plugins see."""
        return f"{self.transport}://{self.zone}:{self.port}"

    @property
    def served(self) -> bool:
        return self.transport in SERVED_TRANSPORTS and bool(self.listen_hosts)

    def __repr__(self):
        return f"ZoneConfig({self.address}, hosts={self.listen_hosts!r}, block={self.block_index})"


@lru_cache(maxsize=None)
def _at_least(version: Optional[str], since: str) -> bool:
    # Cached: asked for every key of every block (a few distinct (version, since) pairs in all).
    return version is None or version_tuple(version) >= version_tuple(since)


# Key text and version -> Address: a pure function (Address is frozen) that a mesh asks for the same peer keys in
# every cluster's Corefile, and lint and simulate ask again for the same tree. Bounded like spec._CHECKED.
_KEY_ADDRESSES: dict = {}
_KEY_ADDRESSES_MAX = 100_000


def key_address(key: Key, version: Optional[str] = None) -> Address:
    """A key as the given CoreDNS release reads it (None = the newest known)."""
    lowercase = _at_least(version, LOWERCASE_SINCE)
    if lowercase and key.address is not None:
        address = key.address
        since = TRANSPORT_SINCE.get(address.transport)
        if since and not _at_least(version, since):
            # The prefix is not a transport in this release: the whole key, scheme included, is a dns zone.
            address = inspect_key("dns://" + key.text, lowercase)
        return address
    memo_key = (key.text, version)
    address = _KEY_ADDRESSES.get(memo_key)
    if address is None:
        address = _text_address(key.text, version, lowercase)
        if len(_KEY_ADDRESSES) >= _KEY_ADDRESSES_MAX:
            _KEY_ADDRESSES.clear()
        _KEY_ADDRESSES[memo_key] = address
    return address


def _text_address(text: str, version: Optional[str], lowercase: bool) -> Address:
    address = inspect_key(text, lowercase)
    since = TRANSPORT_SINCE.get(address.transport)
    if since and not _at_least(version, since):
        # The prefix is not a transport in this release: the whole key, scheme included, is a dns zone.
        address = inspect_key("dns://" + text, lowercase)
    return address


def go_parse_ip(text: str) -> Optional[str]:
    """Go net.ParseIP, returning the text unchanged (CoreDNS keeps bind's words as written), or None."""
    if "%" in text or not text:
        return None
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    return text


class BindAddresses(NamedTuple):
    hosts: tuple          # listen hosts after `except` (texts as written; interface names kept as names)
    interfaces: tuple     # the words that are not IP addresses (interface names on the real host, or errors)
    present: bool         # the block has a `bind`


def bind_addresses(block: ServerBlock) -> BindAddresses:
    """The listen hosts `bind` gives a block: all its directives' addresses, each one's `except` removed.

    An argument that is not an IP address stands for a network interface whose addresses only the real host
    knows; it is kept by name (and `except NAME` removes that name), and listed in `interfaces`. A `bind`
    without arguments is a setup error reported elsewhere; it contributes nothing here."""
    return _bind_addresses([d for d in block.directives if d.name == "bind"])


def _bind_addresses(binds: list) -> BindAddresses:
    if not binds:
        return BindAddresses(("",), (), False)
    hosts: list[str] = []
    interfaces: list[str] = []
    for d in binds:
        words = d.arg_texts
        excepted = set()
        for line in d.children:
            if line.name == "except":
                excepted.update(line.arg_texts)
        for w in words:
            if go_parse_ip(w) is None and w not in interfaces:
                interfaces.append(w)
            if w not in excepted:
                hosts.append(w)
    return BindAddresses(tuple(hosts), tuple(interfaces), True)


_UNBOUND = BindAddresses(("",), (), False)


def zone_configs(corefile: Corefile, version: Optional[str] = None) -> list[ZoneConfig]:
    """One ZoneConfig per zone of every valid key, in CoreDNS's order (block by block, key by key, and a CIDR
    key's zones in ascending order). Keys CoreDNS cannot read are skipped: the `invalid-key` rule reports them."""
    views_exist = _at_least(version, VIEWS_SINCE)
    quirk_unbound_check = (_at_least(version, FIRST_KEY_SETUP_SINCE)
                           and not _at_least(version, LISTEN_HOSTS_COPIED_BEFORE_CHECK))
    configs: list[ZoneConfig] = []
    append = configs.append
    for index, block in enumerate(corefile.server_blocks):
        names = [d.name_token.text for d in block.directives]
        bind = _bind_addresses([d for d in block.directives if d.name == "bind"]) if "bind" in names else _UNBOUND
        hosts, interfaces = bind.hosts, bind.interfaces
        filtered = views_exist and any(name in names for name in VIEWER_PLUGINS)
        first = True
        for key in block.keys:
            address = key_address(key, version)
            if address.zones is None:
                continue
            for zone in address.zones:
                checked = ("",) if (quirk_unbound_check and not first) else hosts
                append(ZoneConfig(block, index, key, zone, address.port, address.transport, hosts, interfaces, first,
                                  filtered, checked))
                first = False
    return configs


# ------------------------------------------------------------------------------------------------ listeners

def _go_port(port: str) -> Optional[int]:
    """The port net.ResolveTCPAddr accepts: "" is 0, otherwise a decimal number 0..65535."""
    if port == "":
        return 0
    try:
        value = int(port)
    except ValueError:
        return None
    return value if 0 <= value <= 65535 else None


def port_error(port: str) -> Optional[str]:
    """Go's error for a listen port it cannot use (register.go groupConfigsByListenAddr → net.ResolveTCPAddr)."""
    if _go_port(port) is None:
        return f"address {port}: invalid port"
    return None


def listen_address(host: str, port: str) -> str:
    """net.ResolveTCPAddr(JoinHostPort(host, port)).String(): `:53`, `127.0.0.1:53`, `[::1]:53`.

    An interface name stays as written (the host resolves it to its addresses when CoreDNS starts)."""
    p = _go_port(port)
    p_text = port if p is None else str(p)
    if host == "":
        return f":{p_text}"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"{host}:{p_text}"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped   # Go prints an IPv4-mapped address in dotted form
    return f"[{ip.compressed}]:{p_text}" if ip.version == 6 else f"{ip}:{p_text}"


def listener_key(transport: str, host: str, port: str) -> str:
    try:
        return _LISTENER_KEYS[(transport, host, port)]
    except KeyError:
        pass
    # A pure function asked for every configuration of every block (nearly always `dns`, "", "53"): kept.
    key = f"{transport}://{listen_address(host, port)}"
    if len(_LISTENER_KEYS) >= _KEY_ADDRESSES_MAX:
        _LISTENER_KEYS.clear()
    _LISTENER_KEYS[(transport, host, port)] = key
    return key


_LISTENER_KEYS: dict = {}


def group_listeners(configs: list[ZoneConfig]) -> dict[str, list[ZoneConfig]]:
    """Listener key (`dns://:53`, `dns://127.0.0.1:53`, `dns://[::1]:53`) → the configurations it serves, in
    CoreDNS order. Each listener is a separate server with its own zone table. Configurations whose port Go
    cannot listen on are left out (see `port_error`); unix:// configurations are grouped like CoreDNS does
    (`unix://:0`) although no server is created for them (see `ZoneConfig.served`)."""
    groups: dict[str, list[ZoneConfig]] = {}
    usable: dict[str, bool] = {}     # port -> whether Go can listen on it (a handful of ports in any Corefile)
    for conf in configs:
        port = conf.port
        ok = usable.get(port)
        if ok is None:
            ok = usable[port] = _go_port(port) is not None
        if not ok:
            continue
        for host in conf.listen_hosts:
            key = listener_key(conf.transport, host, port)
            group = groups.get(key)
            if group is None:
                groups[key] = [conf]
            else:
                group.append(conf)
    return groups


def listener_for(groups: dict, transport: str, ip: str, port) -> Optional[str]:
    """Which listener receives a packet sent to ip:port: the one bound to that address, else the wildcard one
    (the operating system prefers the more specific socket)."""
    specific = listener_key(transport, ip, str(port))
    if specific in groups:
        return specific
    wildcard = listener_key(transport, "", str(port))
    return wildcard if wildcard in groups else None


# ------------------------------------------------------------------------------------------------ validation

class ListenerProblem(NamedTuple):
    kind: str                 # "duplicate" (it is already defined) or "overlap" (zone overlap listener capacity)
    config: ZoneConfig
    host: str
    message: str              # CoreDNS's message
    other: Optional[ZoneConfig] = None


def _zone_addr(transport, zone, host, port) -> str:
    s = f"{transport}://{zone}:{port}"
    return s + (f" on {host}" if host else "")


def validate(configs: list[ZoneConfig]) -> list[ListenerProblem]:
    """CoreDNS's duplicate and overlap check over every (configuration, listen host), in order. CoreDNS stops at
    the first problem; all are returned here. Filtered (view) configurations are checked but not registered,
    so any number of them may share a zone with each other and with one unfiltered configuration."""
    registered: dict[tuple, ZoneConfig] = {}
    unbound_overlap: dict[tuple, tuple] = {}
    problems: list[ListenerProblem] = []
    for conf in configs:
        for host in conf.checked_hosts:
            key = (conf.transport, conf.zone, host, conf.port)
            unbound = (conf.transport, conf.zone, "", conf.port)
            if not conf.filtered and key in registered:
                this = _zone_addr(*key)   # formatted only for a problem: most configurations have none
                problems.append(ListenerProblem("duplicate", conf, host, f"cannot serve {this} - it is already defined",
                                                registered[key]))
                continue
            if conf.filtered and key in registered:
                continue
            overlap = None
            if unbound in unbound_overlap:
                if host == "":
                    overlap = unbound_overlap[unbound]
                elif unbound in registered:
                    overlap = (unbound, registered[unbound])
            if overlap is not None:
                this = _zone_addr(*key)
                other_key, other_conf = overlap
                problems.append(ListenerProblem(
                    "overlap", conf, host,
                    f"cannot serve {this} - zone overlap listener capacity with {_zone_addr(*other_key)}", other_conf))
                continue
            if not conf.filtered:
                registered[key] = conf
                unbound_overlap[unbound] = (key, conf)
    return problems
