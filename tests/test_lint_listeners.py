"""listeners.py: zone configurations, listener groups and CoreDNS's duplicate/overlap check, on real Corefiles,
plus the `group`/`overlap`/`key` vectors of ../shared/conformance (skipped when that directory is absent)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corefile_tool.listeners import (bind_addresses, group_listeners, listen_address, listener_for, port_error,
                                     validate, zone_configs)
from corefile_tool.parser import parse

VECTORS = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "data" / "parse_vectors.jsonl"


def configs(text, version=None):
    return zone_configs(parse(text), version)


def messages(text, version=None):
    return [p.message for p in validate(configs(text, version))]


def test_one_config_per_zone_in_coredns_order():
    found = configs("a.example b.example:1053 {\n whoami\n}\ntls://. 10.0.0.0/15 {\n whoami\n}\n")
    assert [(c.transport, c.zone, c.port) for c in found] == [
        ("dns", "a.example.", "53"), ("dns", "b.example.", "1053"),
        ("tls", ".", "853"), ("dns", "0.10.in-addr.arpa.", "53"), ("dns", "1.10.in-addr.arpa.", "53")]
    assert [c.first_in_block for c in found] == [True, False, True, False, False]
    assert found[1].key_token.line == 1 and found[3].key_token.text == "10.0.0.0/15"
    assert found[0].address == "dns://a.example.:53"


def test_invalid_keys_make_no_config():
    assert configs("example.org: {\n whoami\n}\n") == []


def test_bind_hosts_and_except():
    cf = parse(". {\n bind 127.0.0.1 ::1 lo {\n  except ::1\n }\n bind 10.0.0.1\n whoami\n}\n")
    bind = bind_addresses(cf.server_blocks[0])
    assert bind.hosts == ("127.0.0.1", "lo", "10.0.0.1")
    assert bind.interfaces == ("lo",)
    assert bind_addresses(parse(". {\n whoami\n}\n").server_blocks[0]).hosts == ("",)
    everything_excepted = parse(". {\n bind 127.0.0.1 {\n  except 127.0.0.1\n }\n}\n")
    assert configs_of(everything_excepted)[0].listen_hosts == ()
    assert not configs_of(everything_excepted)[0].served


def configs_of(cf):
    return zone_configs(cf)


def test_groups_are_keyed_like_coredns():
    groups = group_listeners(configs(
        ". {\n whoami\n}\nexample.org {\n bind 127.0.0.1 ::1\n whoami\n}\ngrpc://. {\n whoami\n}\n"
        "example.net:1053 {\n whoami\n}\n"))
    assert list(groups) == ["dns://:53", "dns://127.0.0.1:53", "dns://[::1]:53", "grpc://:443", "dns://:1053"]
    assert [c.zone for c in groups["dns://127.0.0.1:53"]] == ["example.org."]


def test_listen_address_is_go_canonical():
    assert listen_address("", "053") == ":53"
    assert listen_address("0:0::1", "53") == "[::1]:53"
    assert listen_address("::ffff:10.0.0.1", "53") == "10.0.0.1:53"
    assert port_error("70000") == "address 70000: invalid port"
    assert port_error("-1") == "address -1: invalid port"
    assert port_error("0") is None


def test_listener_for_prefers_the_bound_socket():
    groups = group_listeners(configs(". {\n whoami\n}\nexample.org {\n bind 127.0.0.1\n whoami\n}\n"))
    assert listener_for(groups, "dns", "127.0.0.1", 53) == "dns://127.0.0.1:53"
    assert listener_for(groups, "dns", "127.0.0.2", 53) == "dns://:53"
    assert listener_for(groups, "dns", "127.0.0.1", 5353) is None


def test_duplicate_zone_messages():
    assert messages("example.org {\n whoami\n}\nexample.org:53 {\n whoami\n}\n") == [
        "cannot serve dns://example.org.:53 - it is already defined"]
    assert messages("a a {\n whoami\n}\n") == ["cannot serve dns://a.:53 - it is already defined"]
    # a CIDR key whose reverse zones repeat an explicit one
    assert messages("10.0.0.0/8 10.in-addr.arpa {\n whoami\n}\n") == [
        "cannot serve dns://10.in-addr.arpa.:53 - it is already defined"]
    assert messages("example.org {\n bind 127.0.0.1 127.0.0.1\n whoami\n}\n") == [
        "cannot serve dns://example.org.:53 on 127.0.0.1 - it is already defined"]


def test_different_port_transport_or_address_is_no_conflict():
    assert messages("example.org {\n whoami\n}\nexample.org:1053 {\n whoami\n}\n"
                    "grpc://example.org:53 {\n whoami\n}\n") == []
    assert messages("example.org {\n bind 127.0.0.1\n whoami\n}\nexample.org {\n bind 127.0.0.2\n whoami\n}\n") == []


def test_overlap_both_orders():
    bound_first = "example.org {\n bind 127.0.0.1\n whoami\n}\nexample.org {\n whoami\n}\n"
    assert messages(bound_first) == [
        "cannot serve dns://example.org.:53 - zone overlap listener capacity with dns://example.org.:53 on 127.0.0.1"]
    unbound_first = "example.org {\n whoami\n}\nexample.org {\n bind 127.0.0.1\n whoami\n}\n"
    assert messages(unbound_first) == [
        "cannot serve dns://example.org.:53 on 127.0.0.1 - zone overlap listener capacity with dns://example.org.:53"]


def test_views_share_a_zone():
    text = ("example.org {\n view a {\n  expr true\n }\n whoami\n}\n"
            "example.org {\n view b {\n  expr false\n }\n whoami\n}\n"
            "example.org {\n whoami\n}\n")
    assert messages(text) == []
    assert [c.filtered for c in configs(text)] == [True, True, False]
    # before views existed (1.10.0) the same blocks were plain duplicates
    assert len(messages(text, "1.9.4")) == 2


def test_zones_lower_cased_from_1_14_7():
    text = "example.org {\n whoami\n}\nEXAMPLE.ORG {\n whoami\n}\n"
    assert len(messages(text)) == 1
    assert messages(text, "1.14.6") == []
    assert configs(text, "1.14.6")[1].zone == "EXAMPLE.ORG."


def test_transports_by_version():
    assert configs("quic://example.org {\n whoami\n}\n")[0].transport == "quic"
    old = configs("quic://example.org {\n whoami\n}\n", "1.10.1")[0]
    assert (old.transport, old.zone, old.port) == ("dns", "quic://example.org.", "53")
    assert configs("https3://example.org {\n whoami\n}\n", "1.13.2")[0].zone == "https3://example.org."


def test_non_first_keys_checked_unbound_in_1_8_5_to_1_9_4():
    text = "a b {\n bind 127.0.0.1\n whoami\n}\nb {\n whoami\n}\n"
    assert len(messages(text)) == 1                    # overlap: b bound on 127.0.0.1 and b unbound
    assert messages(text, "1.9.4") == ["cannot serve dns://b.:53 - it is already defined"]
    assert configs(text, "1.9.4")[1].listen_hosts == ("127.0.0.1",)    # still served on the bound address


def _vectors(kind):
    if not VECTORS.exists():
        pytest.skip("../shared/conformance is absent")
    return [v for v in map(json.loads, VECTORS.read_text().splitlines()) if v["kind"] == kind]


def test_conformance_group_vectors():
    for v in _vectors("group"):
        text = ""
        for e in v["input"]:
            hosts = [h for h in e["listen_hosts"] if h]
            text += f"{e['transport']}://{e['zone']}:{e['port']} {{\n"
            text += (f" bind {' '.join(hosts)}\n" if hosts else "") + " whoami\n}\n"
        assert sorted(group_listeners(configs(text))) == sorted(v["expected"]["groups"]), v["id"]


def test_conformance_overlap_vectors():
    for v in _vectors("overlap"):
        text = ""
        for e in v["input"]:
            text += f"{e['transport']}://{e['zone']}:{e['port']} {{\n"
            text += (f" bind {e['address']}\n" if e["address"] else "") + " whoami\n}\n"
        problems = validate(configs(text))
        want = [r["overlap_key"] for r in v["expected"] if r["overlap"]]
        assert [p.message.rsplit(" with ", 1)[1] for p in problems if p.kind == "overlap"] == want, v["id"]
        assert not [p for p in problems if p.kind == "duplicate"] and not any(r["same"] for r in v["expected"])


def test_conformance_key_vectors():
    for v in _vectors("key"):
        text = "".join(" ".join(keys) + " {\n whoami\n}\n" for keys in v["input"])
        found = configs(text)
        if v["expected"]["error"]:
            assert found == [] or validate(found), v["id"]
            continue
        assert [c.address for c in found] == [k for keys in v["expected"]["keys"] for k in keys], v["id"]
        assert len(found) == v["expected"]["configs"]
