"""acl: allows, blocks, filters or drops queries by type and source network (coredns plugin/acl/setup.go)."""
from ..spec import Plugin, version_tuple
from .. import values
from ._setup_helpers import ignored_zones, ip_network

# action -> first CoreDNS version that knows it
ACTIONS = {"allow": "1.6.4", "block": "1.6.4", "filter": "1.8.2", "drop": "1.10.1"}
SECTIONS = ("type", "net")


def _net_error(text: str):
    if text == "*":
        return None
    if "/" not in text:
        text += "/128" if ":" in text else "/32"   # a single address is a host route
    if ip_network(text) is None:
        return f'illegal CIDR notation "{text}"'
    return None


def _policy_error(line, version):
    """(token, message) for the first word CoreDNS refuses in one `ACTION [type QTYPE...] [net SOURCE...]` line."""
    action = line.name.lower()
    since = ACTIONS.get(action)
    if since is None or version_tuple(version) < version_tuple(since):
        known = [a for a, v in ACTIONS.items() if version_tuple(version) >= version_tuple(v)]
        return line.name_token, f"unexpected token \"{line.name}\"; expect {', '.join(repr(a) for a in known)}"
    words = list(line.args)
    i = 0
    while i < len(words):
        section = words[i]
        if section.text.lower() not in SECTIONS:
            return section, f"unexpected token \"{section.text}\"; expect 'type | net'"
        j = i + 1
        while j < len(words) and words[j].text.lower() not in SECTIONS:
            j += 1
        values_ = words[i + 1:j]
        if not values_:
            return section, f"no token specified in \"{section.text.lower()}\" section"
        for tok in values_:
            if section.text.lower() == "type":
                if tok.text == "*":
                    break   # '*' ends the list: what follows is not looked at
                if values.check("rrtype", "", tok.text):
                    return tok, f"unexpected token \"{tok.text}\"; expect legal QTYPE"
            else:
                if tok.text == "*":
                    break
                err = _net_error(tok.text)
                if err:
                    return tok, err
        i = j
    return None


def _check(directive, ctx):
    yield from ignored_zones(directive.args)
    if directive.block is None:
        return
    for line in directive.block.directives:
        if line.block is not None:
            yield line.block.open, "Nested blocks are not supported"
            return
        found = _policy_error(line, ctx.version)
        if found:
            yield found
            return


PLUGIN = Plugin(
    name="acl",
    summary="Enforces access control: allow, block (REFUSED), filter (empty NOERROR) or drop queries by type and client network.",
    args="zones:zone(lenient)*",
    block=True,
    zones=True,
    other_lines=True,
    since="1.6.4",
    checks=(_check,),
)
