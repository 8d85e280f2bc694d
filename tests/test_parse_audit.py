"""Rules found while auditing the parser and key addressing against coredns/caddy's parser tests and CoreDNS's
server-registration and normalisation tests: each is a Go behaviour that Python does differently unless told,
or one no other test pinned down. The inputs are this project's own."""
from __future__ import annotations

import pytest

from test_parse_imports import run

from corefile_tool import lint
from corefile_tool.addresses import go_lower, inspect_key, is_fqdn, split_transport, zones_from_args
from corefile_tool.listeners import group_listeners, zone_configs
from corefile_tool.parser import parse
from corefile_tool.simulator.names import ZoneSet, is_subdomain


def keys_of(text: str, **kw) -> list:
    cf = parse(text, **kw)
    assert cf.ok, cf.diagnostics
    return [(k.text, k.address.transport, None if k.address.zones is None else list(k.address.zones),
             k.address.port) for b in cf.server_blocks for k in b.keys]


def errors(text: str, **kw) -> list:
    return [d.message for d in lint(text, **kw) if d.severity == "error"]


# ------------------------------------------------------------------ lower-casing (plugin/normalize.go Name.Normalize)

@pytest.mark.parametrize("key, zone", [
    # strings.ToLower maps U+0130 to a plain "i"; Python's str.lower adds a combining dot
    ("İZMİR.example", "izmir.example."),
    # Go lower-cases each letter on its own: a capital sigma is "σ" even at the end of a word (Python writes
    # the final form "ς" when nothing but a dot follows)
    ("example.ΟΔΟΣ", "example.οδοσ."),
    ("Example.ΣΑΣ.:1053", "example.σασ."),
    ("ΟΔΟΣ.example:1053", "οδοσ.example."),
    ("Straße.EXAMPLE", "straße.example."),
])
def test_keys_are_lower_cased_the_way_go_does(key, zone):
    [(_, _, zones, _)] = keys_of(f"{key} {{\n    whoami\n}}\n")
    assert zones == [zone]


def test_go_lower_only_differs_from_python_where_go_maps_letter_by_letter():
    assert go_lower("MIXED.Case.") == "mixed.case."
    assert go_lower("ΚΑΛΗΜΕΡΑΣ") == "καλημερασ"
    assert "ΚΑΛΗΜΕΡΑΣ".lower() == "καλημερας"     # what the tool did before: a different zone
    assert go_lower("\u0130") == "i"


def test_plugin_zone_arguments_are_lower_cased_like_keys():
    assert zones_from_args(["example.ΣΑΣ", "İ.example"], []) == ["example.σασ.", "i.example."]


# ------------------------------------------------------------------ miekg/dns IsFqdn on escaped final dots

@pytest.mark.parametrize("name, fully_qualified", [
    ("plain.", True),
    ("plain", False),
    ("cafe\\.", False),          # one backslash escapes the dot
    ("cafe\\\\.", True),         # two do not
    # Go counts the backslashes from the byte offset of the last other character, so a two-byte letter
    # before them flips the answer
    ("café\\.", True),
    ("café\\\\.", False),
    ("\u20ac\\.", False),         # a three-byte character flips it back
    ("\\.", False),
    ("\\\\.", True),
])
def test_is_fqdn_counts_like_go(name, fully_qualified):
    assert is_fqdn(name) is fully_qualified


def test_an_escaped_final_dot_after_a_multibyte_letter_makes_the_key_invalid():
    text = "café\\. {\n    whoami\n}\n"
    cf = parse(text)
    [key] = cf.server_blocks[0].keys
    assert key.address.zones is None
    assert errors(text) == ["error inspecting server blocks: zone is not a valid domain name: café\\."]
    # the same key with an ASCII letter is a valid (odd) zone: the dot is a label character
    assert keys_of("cafe\\. {\n    whoami\n}\n") == [("cafe\\.", "dns", ["cafe\\.."], "53")]


def test_two_backslashes_after_a_multibyte_letter_leave_an_empty_label():
    assert errors("café\\\\. {\n    whoami\n}\n") == [
        "error inspecting server blocks: zone is not a valid domain name: café\\\\."]
    assert keys_of("cafe\\\\. {\n    whoami\n}\n") == [("cafe\\\\.", "dns", ["cafe\\\\."], "53")]


# ------------------------------------------------------------------ messages quote keys as Go's %q does

def test_a_key_ending_in_a_colon_is_quoted_like_go():
    # a quoted key may hold control characters; %q writes a tab as \t, NEL (U+0085) and a private-use
    # character as \u escapes
    assert errors('"tab\there:" {\n    whoami\n}\n') == [
        'error inspecting server blocks: expecting data after last colon: "tab\\there:"']
    assert errors('"nel\x85:" {\n    whoami\n}\n') == [
        'error inspecting server blocks: expecting data after last colon: "nel\\u0085:"']
    assert errors('"pua\ue000:" {\n    whoami\n}\n') == [
        'error inspecting server blocks: expecting data after last colon: "pua\\ue000:"']
    assert errors('"quote\\"é:" {\n    whoami\n}\n') == [
        'error inspecting server blocks: expecting data after last colon: "quote\\"é:"']


# ------------------------------------------------------------------ keys: transports, ports, commas, CIDRs

def test_a_comma_inside_a_word_is_part_of_one_zone():
    assert keys_of("one.example,two.example:1053 {\n    whoami\n}\n") == [
        ("one.example,two.example:1053", "dns", ["one.example,two.example."], "1053")]


def test_transport_prefixes_are_case_sensitive_and_stripped_once():
    assert keys_of("DNS://upper.example {\n    whoami\n}\n") == [
        ("DNS://upper.example", "dns", ["dns://upper.example."], "53")]
    assert keys_of("tls://tls://twice.example {\n    whoami\n}\n") == [
        ("tls://tls://twice.example", "tls", ["tls://twice.example."], "853")]


@pytest.mark.parametrize("key, transport, port", [
    ("https3://h3.example", "https3", "443"),
    ("quic://q.example", "quic", "853"),
    ("unix://socket.example", "unix", ""),
])
def test_default_port_per_transport(key, transport, port):
    assert keys_of(f"{key} {{\n    whoami\n}}\n")[0][1:] == (transport, [key.split("://")[1] + "."], port)


@pytest.mark.parametrize("suffix, port", [(":00053", "53"), (":+1053", "1053"), (":-1", "-1"), (":70000", "70000")])
def test_ports_are_read_with_atoi_and_written_back(suffix, port):
    assert keys_of(f"svc.example{suffix} {{\n    whoami\n}}\n")[0][3] == port


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_ports_outside_the_tcp_range_stop_the_listener(port):
    assert errors(f"svc.example:{port} {{\n    whoami\n}}\n") == [f"address {port}: invalid port"]


def test_a_port_go_cannot_read_as_an_int_stays_in_the_zone():
    assert keys_of("svc.example:99999999999999999999 {\n    whoami\n}\n")[0][2:] == (
        ["svc.example:99999999999999999999."], "53")


@pytest.mark.parametrize("key, zones", [
    ("192.168.0.0/23", ["0.168.192.in-addr.arpa.", "1.168.192.in-addr.arpa."]),
    ("172.16.0.0/12:1053", [f"{n}.172.in-addr.arpa." for n in range(16, 32)]),
    ("fd00::/15", ["0.0.d.f.ip6.arpa.", "1.0.d.f.ip6.arpa."]),
    ("fd00::/17", ["0.0.0.d.f.ip6.arpa.", "1.0.0.d.f.ip6.arpa.", "2.0.0.d.f.ip6.arpa.", "3.0.0.d.f.ip6.arpa.",
                   "4.0.0.d.f.ip6.arpa.", "5.0.0.d.f.ip6.arpa.", "6.0.0.d.f.ip6.arpa.", "7.0.0.d.f.ip6.arpa."]),
    ("10.20.30.0/24", ["30.20.10.in-addr.arpa."]),
])
def test_cidr_keys_become_reverse_zones_on_label_boundaries(key, zones):
    assert keys_of(f"{key} {{\n    whoami\n}}\n")[0][2] == zones


@pytest.mark.parametrize("key", ["::1/128", "0fd0::/16", "::ffff:10.0.0.0/104"])
def test_ipv6_cidrs_written_from_a_leading_colon_or_zero_are_refused(key):
    assert errors(f"{key} {{\n    whoami\n}}\n") == [f"error inspecting server blocks: invalid CIDR {key}"]


@pytest.mark.parametrize("key", ["10.0.0.0/33", "010.0.0.0/8", "10.0.0.0/8/8", "10.0.0.0/+8"])
def test_what_is_not_a_cidr_is_a_plain_zone(key):
    assert keys_of(f"{key} {{\n    whoami\n}}\n")[0][2] == [key + "."]


# ------------------------------------------------------------------ environment references

def test_a_reference_name_may_end_in_a_dollar_sign():
    cf = parse(".:53 {\n    hosts a{$ZONE$}b {$ZONE}\n}\n", env={"ZONE": "example"})
    assert cf.server_blocks[0].directives[0].arg_texts == ["ab", "example"]


def test_an_empty_key_from_the_environment_is_dropped_but_its_neighbours_stay():
    assert [k[0] for k in keys_of("{$NOTHING} one.example {$TWO} {\n    whoami\n}\n",
                                  env={"TWO": "two.example"})] == ["one.example", "two.example"]


# ------------------------------------------------------------------ imports and snippets across files

def test_a_snippet_defined_in_the_corefile_is_usable_from_an_imported_file(tmp_path):
    cf = run(tmp_path, {
        "Corefile": "(shared) {\n    log\n    errors\n}\nimport zones/*.conf\n",
        "zones/a.conf": "a.example {\n    import shared\n    whoami\n}\n",
    })
    assert cf.ok, cf.diagnostics
    assert [[d.name for d in b.directives] for b in cf.server_blocks] == [["log", "errors", "whoami"]]


def test_import_later_on_a_line_of_an_imported_file_is_a_word(tmp_path):
    cf = run(tmp_path, {
        "Corefile": "import site.conf\n",
        "site.conf": "b.example {\n    # not an import\n    hosts import extra.hosts\n}\n",
    })
    assert cf.ok, cf.diagnostics
    [hosts] = cf.server_blocks[0].directives
    assert hosts.arg_texts == ["import", "extra.hosts"]


def test_an_import_on_its_own_line_in_a_plugin_block_brings_block_lines(tmp_path):
    cf = run(tmp_path, {
        "Corefile": "c.example {\n    forward . 192.0.2.1 {\n        import opts.conf\n        max_fails 2\n    }\n}\n",
        "opts.conf": "expire 5s\n    health_check 1s",
    })
    assert cf.ok, cf.diagnostics
    block = cf.server_blocks[0].directives[0].block
    assert [(d.name, d.arg_texts) for d in block.directives] == [
        ("expire", ["5s"]), ("health_check", ["1s"]), ("max_fails", ["2"])]
    missing = run(tmp_path, {"Corefile": "c.example {\n    forward . 192.0.2.1 {\n        import gone.conf\n"
                                         "    }\n}\n"})
    assert [d.message for d in missing.diagnostics] == ["File to import not found: gone.conf"]


def test_nested_imports_resolve_against_each_importing_file(tmp_path):
    cf = run(tmp_path, {
        "Corefile": "import sub/outer.conf\n",
        "sub/outer.conf": "d.example\n    whoami\n    import inner.conf\n",
        "sub/inner.conf": "log stdout",
    })
    assert cf.ok, cf.diagnostics
    assert [(d.name, d.arg_texts) for d in cf.server_blocks[0].directives] == [("whoami", []), ("log", ["stdout"])]


# ------------------------------------------------------------------ CoreDNS helper facts, on this tool's functions

@pytest.mark.parametrize("key, expected", [
    ("tls://secure.example:8853", "tls"),
    ("https3://h3.example", "https3"),
    ("grpcs://not.a.transport", "dns"),
    ("fd00::/8.:53", "dns"),
])
def test_transport_of_a_key(key, expected):
    assert split_transport(key)[0] == expected


def test_zone_matching_picks_the_longest_zone_and_the_root_matches_all():
    zones = ZoneSet(["example.", "deep.sub.example.", "."])
    assert zones.match("a.deep.sub.example.") == "deep.sub.example."
    assert zones.match("other.sub.example.") == "example."
    assert zones.match("elsewhere.") == "."
    assert ZoneSet(["sub.example."]).match("example.") == ""


@pytest.mark.parametrize("child, parent, expected", [
    ("x.example.", "x.example.", True), ("y.x.example.", "x.example.", True), ("anything.", ".", True),
    ("example.", "x.example.", False), ("xx.example.", "x.example.", False),
])
def test_name_matching(child, parent, expected):
    assert is_subdomain(parent, child) is expected


def test_plugin_zones_from_arguments_or_from_the_block():
    assert zones_from_args(["192.0.2.0/23", "Bad..name", "tls://svc.example"], ["ignored."]) == [
        "2.0.192.in-addr.arpa.", "3.0.192.in-addr.arpa.", "svc.example."]
    assert zones_from_args([], ["one.example.", "two.example."]) == ["one.example.", "two.example."]


def test_listeners_group_by_transport_bind_address_and_port():
    cf = parse("a.example:1053 {\n    bind 192.0.2.1 2001:db8::1\n    whoami\n}\n"
               "b.example:1053 {\n    whoami\n}\n"
               "tls://c.example {\n    whoami\n}\n", env={})
    groups = group_listeners(zone_configs(cf))
    assert {k: [c.zone for c in v] for k, v in groups.items()} == {
        "dns://192.0.2.1:1053": ["a.example."], "dns://[2001:db8::1]:1053": ["a.example."],
        "dns://:1053": ["b.example."], "tls://:853": ["c.example."]}


def test_inspect_key_agrees_with_the_parse_json():
    cf = parse("Upper.Example:5353 192.0.2.0/24 {\n    whoami\n}\n", env={})
    for key in cf.server_blocks[0].keys:
        assert key.to_json()["zones"] == list(inspect_key(key.text).zones)


# ------------------------------------------------------------------ host:port (net.SplitHostPort, net/ipsock.go)

@pytest.mark.parametrize("address, reason", [
    ("h[x:8091", "unexpected '[' in address"),       # a bracket outside a bracketed host
    ("[fe80::2[1]:8091", "unexpected '[' in address"),
    ("h]x:8091", "unexpected ']' in address"),
    ("[fe80::2]x:8091", "missing port in address"),   # the bracket must be followed by the port's colon
    ("fe80::2:8091", "too many colons in address"),
    ("[fe80::2:8091", "missing ']' in address"),
])
def test_a_listen_address_is_split_as_go_splits_it(address, reason):
    assert any(reason in m for m in errors(f". {{\n    health {address}\n}}\n")), address


def test_a_bracketed_ipv6_listen_address_is_accepted():
    assert errors(". {\n    health [fe80::2]:8091\n}\n") == []
