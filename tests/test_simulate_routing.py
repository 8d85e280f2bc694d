"""Routing as core/dnsserver/server.go does it: listeners, longest zone, views, DS, classes, plugin.cfg order."""
from __future__ import annotations

import pytest

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator, simulate


def run(text, name, qtype="A", **kw):
    version = kw.pop("version", None)
    return Simulator(parse(text), version).simulate(name, qtype, **kw)


def plugins(result):
    return [s.plugin for s in result.trace]


# ------------------------------------------------------------------------------------------------ block choice

NESTED = """
example.org {
    whoami
}
sub.example.org {
    erratic {
        drop 0
    }
}
. {
    template IN ANY . {
        rcode NXDOMAIN
    }
}
"""


@pytest.mark.parametrize("name,zone,plugin", [
    ("a.sub.example.org", "sub.example.org.", "erratic"),     # the longest suffix wins
    ("sub.example.org", "sub.example.org.", "erratic"),
    ("www.example.org", "example.org.", "whoami"),
    ("EXAMPLE.ORG", "example.org.", "whoami"),                # the query name is lower-cased
    ("example.com", ".", "template"),                        # nothing else: the root zone
    ("org", ".", "template"),
])
def test_longest_zone_suffix_wins(name, zone, plugin):
    r = run(NESTED, name)
    assert r.server_block.zone == zone
    assert r.answered_by["plugin"] == plugin


def test_ds_goes_to_the_parent_zone():
    r = run(NESTED, "sub.example.org", "DS")
    assert r.server_block.zone == "example.org."
    assert "parent-most" in r.routing.reason


def test_no_matching_zone_is_refused():
    r = run("example.org {\n whoami\n}\n", "example.com")
    assert r.rcode == "REFUSED"
    assert r.server_block is None and r.answered_by is None
    assert "no zone on dns://:53 matches example.com." in r.routing.reason


def test_block_without_handlers_is_refused():
    # bind, health and reload configure the server but add no plugin to the chain
    r = run("example.org {\n bind 127.0.0.1\n health\n reload\n}\n", "www.example.org", listen_ip="127.0.0.1")
    assert r.rcode == "REFUSED"
    assert r.server_block.zone == "example.org."
    assert r.trace == []


def test_chain_passes_to_the_end_is_servfail():
    r = run("example.org {\n log\n errors\n}\n", "www.example.org")
    assert r.rcode == "SERVFAIL"
    assert r.answered_by is None
    assert r.trace[-1].plugin == "(end of chain)"
    assert "no next plugin found" in r.trace[-1].reason


def test_cidr_key_covers_only_its_reverse_zones():
    text = "10.0.0.0/15 {\n whoami\n}\n"
    assert run(text, "5.0.0.10.in-addr.arpa", "PTR").server_block.zone == "0.10.in-addr.arpa."   # 10.0.0.5
    assert run(text, "5.0.1.10.in-addr.arpa", "PTR").server_block.zone == "1.10.in-addr.arpa."   # 10.1.0.5
    assert run(text, "5.0.2.10.in-addr.arpa", "PTR").rcode == "REFUSED"                          # 10.2.0.5


# ------------------------------------------------------------------------------------------------ listeners

PORTS = """
example.org:1053 {
    whoami
}
. {
    template IN ANY . {
        rcode NXDOMAIN
    }
}
"""


def test_port_chooses_the_listener():
    assert run(PORTS, "www.example.org", port=1053).answered_by["plugin"] == "whoami"
    on_53 = run(PORTS, "www.example.org", port=53)
    assert on_53.server_block.zone == "."
    assert on_53.routing.listener == "dns://:53"


def test_no_listener_on_the_port():
    r = run(PORTS, "www.example.org", port=5353)
    assert r.routing.listener is None and r.rcode is None
    assert "no server block listens for dns on port 5353" in r.unknown


def test_transport_chooses_the_listener():
    text = "tls://example.org {\n whoami\n}\nexample.org {\n erratic\n}\n"
    assert run(text, "example.org", transport="tls", port=853).answered_by["plugin"] == "whoami"
    assert run(text, "example.org").answered_by["plugin"] == "erratic"


BOUND = """
example.org {
    bind 127.0.0.1
    whoami
}
. {
    template IN ANY . {
        rcode NXDOMAIN
    }
}
"""


def test_bound_listener_has_its_own_zone_table():
    # A query to 127.0.0.1 reaches the bound socket, where only example.org is served: REFUSED, although a
    # `.` block exists on the wildcard listener.
    r = run(BOUND, "google.com", listen_ip="127.0.0.1")
    assert r.routing.listener == "dns://127.0.0.1:53"
    assert r.rcode == "REFUSED"
    assert run(BOUND, "www.example.org", listen_ip="127.0.0.1").answered_by["plugin"] == "whoami"
    other = run(BOUND, "www.example.org", listen_ip="192.0.2.1")
    assert other.routing.listener == "dns://:53" and other.server_block.zone == "."


def test_class_other_than_in_is_refused_without_chaos_or_forward():
    r = run("example.org {\n whoami\n}\n", "example.org", "TXT", qclass="CH")
    assert r.rcode == "REFUSED"
    assert "class CH" in r.routing.reason
    with_chaos = run("example.org {\n whoami\n}\n. {\n chaos\n}\n", "version.bind", "TXT", qclass="CH")
    assert with_chaos.answered_by["plugin"] == "chaos"


# ------------------------------------------------------------------------------------------------ views

VIEWS = """
. {
    view office {
        expr incidr(client_ip(), '10.0.0.0/8')
    }
    hosts {
        10.1.1.1 intranet.test
    }
}
. {
    view v6 {
        expr type() == 'AAAA' && name() matches '^intranet\\\\.'
    }
    hosts {
        fd00::1 intranet.test
    }
}
. {
    hosts {
        192.0.2.1 intranet.test
    }
}
"""


@pytest.mark.parametrize("client,qtype,answer,view", [
    ("10.9.8.7", "A", "10.1.1.1", "office"),
    ("192.0.2.50", "AAAA", "fd00::1", "v6"),
    ("192.0.2.50", "A", "192.0.2.1", None),
])
def test_views_choose_the_block(client, qtype, answer, view):
    r = run(VIEWS, "intranet.test", qtype, client_ip=client)
    assert [x.data for x in r.answers] == [answer]
    chosen = [c for c in r.routing.candidate_dicts() if c["outcome"].startswith("chosen")]
    assert chosen[-1]["view"] == view


def test_view_mismatch_falls_to_the_parent_zone():
    text = """
    a.example {
        view never {
            expr client_ip() == '203.0.113.1'
        }
        whoami
    }
    example {
        erratic
    }
    """
    r = run(text, "x.a.example")
    assert r.server_block.zone == "example."
    skipped = r.routing.candidate_dicts()[0]
    assert skipped["outcome"].startswith("skipped: view never")


def test_a_view_error_counts_as_false():
    text = ". {\n view bad {\n expr incidr('not-an-ip', '10.0.0.0/8')\n }\n whoami\n}\n"
    r = run(text, "example.com")
    assert r.rcode == "REFUSED"
    assert "counts as false" in r.routing.candidate_dicts()[0]["outcome"]


def test_views_do_not_exist_before_1_10():
    text = ". {\n view never {\n expr false\n }\n whoami\n}\n"
    assert run(text, "example.com").rcode == "REFUSED"
    assert run(text, "example.com", version="1.9.4").answered_by["plugin"] == "whoami"


# ------------------------------------------------------------------------------------------------ chain order

def test_chain_runs_in_plugin_cfg_order_not_written_order():
    text = """
    . {
        forward . 192.0.2.53
        hosts {
            10.0.0.1 known.test
            fallthrough
        }
        log
    }
    """
    r = run(text, "known.test")
    assert plugins(r) == ["log", "hosts"]
    assert r.answered_by == {"plugin": "hosts", "line": 4}
    other = run(text, "other.test")
    assert plugins(other) == ["log", "hosts", "forward"]
    assert other.forwarded_to == ["192.0.2.53:53"] and other.rcode is None


@pytest.mark.parametrize("version,order", [
    ("1.14.6", ["cache", "rewrite"]),       # cache before rewrite: it sees the original name
    ("1.14.7", ["rewrite", "cache"]),       # since 1.14.7 rewrite runs first
])
def test_cache_and_rewrite_order_follows_the_version(version, order):
    text = ". {\n cache\n rewrite name exact a.test. b.test.\n whoami\n}\n"
    r = run(text, "a.test", version=version)
    assert plugins(r)[:2] == order


def test_uppercase_key_matches_only_from_1_14_7():
    text = "EXAMPLE.ORG {\n whoami\n}\n"
    assert run(text, "www.example.org").rcode == "NOERROR"
    assert run(text, "www.example.org", version="1.14.6").rcode == "REFUSED"


def test_rewrite_does_not_change_the_block():
    text = """
    example.org {
        rewrite name exact www.example.org. www.example.net.
        forward example.net 192.0.2.1
        forward . 192.0.2.2
    }
    example.net {
        whoami
    }
    """
    r = run(text, "www.example.org")
    assert r.server_block.zone == "example.org."
    assert r.forwarded_to == ["192.0.2.1:53"]     # forward saw the rewritten name


def test_simulate_accepts_text_and_paths(tmp_path):
    path = tmp_path / "Corefile"
    path.write_text("example.org {\n whoami\n}\n", encoding="utf-8")
    assert simulate(str(path), "example.org").rcode == "NOERROR"
    assert simulate(path, "example.org").rcode == "NOERROR"
    assert simulate("example.org {\n whoami\n}\n", "example.org").rcode == "NOERROR"


def test_a_view_that_does_not_compile_is_reported():
    # Double quotes are the Corefile's: the expression CoreDNS compiles is `type() == A`, an unknown name.
    r = run('. {\n view v {\n expr type() == "A"\n }\n whoami\n}\n', "example.com")
    assert r.rcode == "REFUSED"
    assert "does not compile (line 3: unknown name A); CoreDNS would not start" in r.routing.candidate_dicts()[0][
        "outcome"]
    assert run(". {\n view v {\n expr type() == 'A'\n }\n whoami\n}\n", "example.com").rcode == "NOERROR"
