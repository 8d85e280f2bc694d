"""acl: allows, blocks, filters or drops queries by type and source network (coredns plugin/acl/setup.go)."""
from ..spec import Plugin, version_tuple
from .. import values
from ._dispenser import words as line_words
from ._setup_helpers import go_quote, ignored_zones

# action -> first CoreDNS version that knows it
ACTIONS = {"allow": "1.6.4", "block": "1.6.4", "filter": "1.8.2", "drop": "1.10.1"}
SECTIONS = ("type", "net")
# setup.go's list of the actions, as each release words it
EXPECTED_ACTIONS = (("1.10.1", "'allow', 'block', 'filter' or 'drop'"), ("1.8.2", "'allow', 'block', or 'filter'"),
                    ("1.6.4", "'allow' or 'block'"))


def _net_error(text: str):
    if text == "*":
        return None
    if "/" not in text:
        text += "/128" if ":" in text else "/32"   # a single address is a host route
    if values.check("go_cidr", "", text):
        return f"illegal CIDR notation {go_quote(text)}"
    return None


def _policy_error(line, directive, version):
    """(token, message) for the first word CoreDNS refuses in one `ACTION [type QTYPE...] [net SOURCE...]` line."""
    action = line.name.lower()
    since = ACTIONS.get(action)
    if since is None or version_tuple(version) < version_tuple(since):
        expected = next(text for v, text in EXPECTED_ACTIONS if version_tuple(version) >= version_tuple(v))
        return line.name_token, f"unexpected token {go_quote(line.name)}; expect {expected}"
    words = line_words(line, directive)     # RemainingArgs: a `}` closing the block on this line is a word too
    i = 0
    while i < len(words):
        section = words[i]
        if section.text.lower() not in SECTIONS:
            return section, f"unexpected token {go_quote(section.text)}; expect 'type | net'"
        j = i + 1
        while j < len(words) and words[j].text.lower() not in SECTIONS:
            j += 1
        values_ = words[i + 1:j]
        if not values_:
            return section, f"no token specified in {go_quote(section.text.lower())} section"
        for tok in values_:
            if section.text.lower() == "type":
                if tok.text == "*":
                    break   # '*' ends the list: what follows is not looked at
                if values.check("rrtype", "", tok.text):
                    return tok, f"unexpected token {go_quote(tok.text)}; expect legal QTYPE"
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
        found = _policy_error(line, directive, ctx.version)
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
