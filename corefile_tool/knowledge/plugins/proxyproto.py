"""proxyproto: accepts the PROXY protocol in front of the server (coredns plugin/proxyproto/setup.go).

Versions: in plugin.cfg from 1.14.3, which also brought udp_session_tracking.
"""
from ..spec import Plugin, Prop, says
from .. import values
from ._dispenser import lines, words
from ._setup_helpers import ip_network


def _allow(directive, ctx):
    for line in lines(directive, "allow"):
        for tok in words(line, directive):
            if ip_network(tok.text) is None:
                yield tok, f"{tok.text}: invalid CIDR address: {tok.text}"
                return


def _session_tracking(directive, ctx):
    for line in lines(directive, "udp_session_tracking"):
        args = words(line, directive)
        if not 1 <= len(args) <= 2:
            continue
        if values.parse_go_duration(args[0].text) is None:
            yield args[0], f'udp_session_tracking: invalid duration "{args[0].text}"'
            return
        if len(args) == 2:
            n = values.go_atoi(args[1].text)
            if n is None or n <= 0:
                yield args[1], (f'udp_session_tracking: invalid max sessions "{args[1].text}": must be a '
                                "positive integer")
                return


PLUGIN = Plugin(
    name="proxyproto",
    summary="Reads PROXY protocol v1/v2 headers from allowed sources, so plugins see the real client address.",
    args="",
    block=True,
    since="1.14.3",
    props=(
        Prop("allow", "networks:str*"),
        # setup.go answers an unknown policy with caddy's ArgErr, the dispenser on that word.
        Prop("default", "policy:ienum(use|ignore|reject|skip)",
             says=says(invalid="Wrong argument count or unexpected line ending after '{value}'")),
        Prop("udp_session_tracking", "ttl:str max_sessions:str?"),
    ),
    says=says(unknown="unknown option '{name}'"),
    checks=(_allow, _session_tracking),
)
