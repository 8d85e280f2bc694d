"""Setup fidelity of forward, grpc, the listener limits (quic, https, https3, grpc_server), tls, bind, multisocket,
proxyproto, timeouts and dnstap: each Corefile below is refused exactly when the plugin's setup code refuses it,
in its own words."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from corefile_tool import lint
from lint_helpers import assert_invalid, assert_valid, corefile


# ---------------------------------------------------------------- forward

def test_forward_host_name_the_system_resolver_cannot_look_up():
    # resolve.go systemLookup: net.LookupHost refuses names its isDomainName rejects before any query.
    assert_invalid("forward . upstream.example.net:53:53", "no such host")
    assert_invalid("forward . tls://resolver_a.example:853:1", "no such host")
    # With `resolver` the name is sent to those servers as it is: only CoreDNS's host can tell.
    assert_valid("forward . upstream.example.net:53:53 {\n    resolver 192.0.2.53\n}")
    assert_valid("forward . upstream.example.net")


def test_forward_host_names_by_release():
    # 1.14.4 resolved host names over dns:// and tls:// only; https:// came with DoH in 1.14.5.
    assert_invalid("forward . https://doh.example.net", "not an IP address, file, or valid domain", version="1.14.4")
    assert_valid("forward . https://doh.example.net", version="1.14.5")
    assert_valid("forward . tls://dot.example.net", version="1.14.4")


def test_forward_resolv_conf_without_nameservers(tmp_path):
    (tmp_path / "blank.conf").write_text("# search example.net\n")
    (tmp_path / "two.conf").write_text("nameserver 192.0.2.1\nnameserver 192.0.2.2\n")
    cf = tmp_path / "Corefile"
    # 1.14.4 passed parse.ErrNoNameservers on; from 1.14.5 such a file is skipped.
    assert_invalid("forward . blank.conf two.conf", "no nameservers found", version="1.14.4", path=cf)
    assert_valid("forward . blank.conf two.conf", version="1.14.5", path=cf)
    assert_invalid("forward . blank.conf", "no valid upstream addresses found", path=cf)
    assert_invalid("forward . blank.conf", "no nameservers found", version="1.14.3", path=cf)
    assert_valid("forward . blank.conf 192.0.2.9", version="1.14.3", path=cf)


# ---------------------------------------------------------------- grpc

def test_grpc_policy_and_servername_read_one_word():
    assert_invalid("grpc . 192.0.2.7 {\n    policy fastest\n}", "unknown policy 'fastest'")
    assert_invalid("grpc . 192.0.2.7 {\n    policy sequential spare\n}", "unknown property 'spare'")
    assert_valid("grpc . 192.0.2.7 { policy round_robin }")
    assert_valid("grpc . 192.0.2.7 { tls_servername dns.example.net }")


def test_grpc_counts_the_servers_of_resolv_conf_files(tmp_path):
    (tmp_path / "none.conf").write_text("; nothing here\n")
    (tmp_path / "nine.conf").write_text("".join(f"nameserver 198.51.100.{i}\n" for i in range(1, 10)))
    cf = tmp_path / "Corefile"
    assert_invalid("grpc . none.conf", "no nameservers found", path=cf)
    assert_valid("grpc . none.conf 198.51.100.200", path=cf)
    assert_valid("grpc . nine.conf 203.0.113.1", path=cf)
    assert_invalid("grpc . nine.conf nine.conf", "more than 15 TOs configured: 18", path=cf)


# ---------------------------------------------------------------- listener limits

@pytest.mark.parametrize("plugin,prop", [
    ("grpc_server", "max_streams"), ("grpc_server", "max_connections"), ("https", "max_connections"),
    ("https3", "max_streams"),
])
def test_listener_limits_in_setup_words(plugin, prop):
    keys = "."      # setup reads the limits in any block (they only take effect on their transport's servers)
    assert_invalid(f"{plugin} {{\n    {prop} many\n}}", f"invalid {prop} value 'many': strconv.Atoi", keys=keys)
    assert_invalid(f"{plugin} {{\n    {prop} -3\n}}", f"{prop} must be a non-negative integer: -3", keys=keys)
    assert_valid(f"{plugin} {{\n    {prop} 0\n}}", keys=keys)
    assert_invalid(f"{plugin} {{\n    {prop} 4\n    {prop} 5\n}}", f"{prop} already defined for this server block", keys=keys)


def test_quic_limits_must_be_positive():
    assert_invalid("quic {\n    worker_pool_size 0\n}", "worker_pool_size must be a positive integer: 0", keys="quic://.")
    assert_invalid("quic {\n    max_streams ten\n}", "invalid max_streams value 'ten'", keys="quic://.")
    assert_valid("quic {\n    max_streams 1\n}", keys="quic://.")


# ---------------------------------------------------------------- multisocket

def test_multisocket_cap_came_with_1_13_2():
    assert_valid("multisocket 4096", version="1.13.1")
    assert_invalid("multisocket 4096", "num sockets exceeds maximum (1024): 4096", version="1.13.2")
    assert_invalid("multisocket many", "invalid num sockets")
    assert_invalid("multisocket 0", "num sockets can not be zero or negative")


# ---------------------------------------------------------------- proxyproto, timeouts

def test_proxyproto_words():
    assert_invalid("proxyproto {\n    trusted 10.0.0.0/8\n}", "unknown option 'trusted'")
    assert_invalid("proxyproto {\n    default drop\n}", "Wrong argument count or unexpected line ending after 'drop'")
    assert_valid("proxyproto {\n    default SKIP\n}")


def test_timeouts_words():
    assert_invalid("timeouts {\n    linger 5s\n}", "unknown option: 'linger'")
    assert_invalid("timeouts {\n    read forever\n}", "failed to parse duration 'forever'")
    assert_invalid("timeouts {\n    write 90000\n}", "needs to be between 1 second and 24 hours")
    assert_invalid("timeouts {\n    maxtcpqueries lots\n}", "invalid value for maxtcpqueries 'lots'")
    assert_invalid("timeouts {\n    idle 30s\n}\ntimeouts", "timeouts block with no timeouts specified")


# ---------------------------------------------------------------- dnstap

def test_dnstap_block_words_read_one_at_a_time():
    assert_valid("dnstap /run/tap.sock { identity edge-7 }")
    assert_valid("dnstap tls://collector.example.net:6000 { skipverify }")
    assert_invalid("dnstap tls://collector.example.net:6000 {\n    skipverify yes\n}", "unknown property 'yes'")
    assert_invalid("dnstap /run/tap.sock {\n    version v2 beta\n}", "unknown property 'beta'")


@pytest.mark.parametrize("endpoint", [
    "tcp://collector%2.example.net:6000",      # a broken %-escape in the host
    "tcp://collector%41.example.net:6000",     # an escaped ASCII byte in the host
    "tcp://ops{team}@collector.example.net:6000",   # characters userinfo may not hold
    "tcp://collector.example.net:6000/%zz",    # a broken escape in the path
    "tcp://coll|ector.example.net:6000",       # a character a host cannot hold
])
def test_dnstap_endpoints_url_parse_refuses(endpoint):
    assert_invalid(f"dnstap {endpoint}", "Wrong argument count")


def test_dnstap_endpoints_url_parse_takes():
    assert_valid("dnstap tcp://ops:secret@collector.example.net:6000/tap?x=%zz")
    assert_valid("dnstap tls://[fe80::5%25eth0]:6000")


# ---------------------------------------------------------------- tls

def test_tls_option_names_per_mode():
    assert_invalid("tls cert.pem key.pem {\n    verify_client\n}", "unknown option 'verify_client'")
    assert_invalid("tls {\n    acme ns1.example.net\n    client_auth require\n}", 'unknown ACME option "client_auth"')
    assert_invalid("tls cert.pem key.pem {\n    keylog /tmp/k.log\n}", "unknown option 'keylog' (added in CoreDNS 1.14.3)",
            version="1.14.2")
    assert_valid("tls cert.pem key.pem {\n    client_auth request\n    keylog /tmp/k.log\n}", version="1.14.3")


def test_tls_acme_domain_owned_by_one_configuration():
    two_blocks = ("tls://ns1.example.net {\n tls {\n  acme ns1.example.net\n }\n whoami\n}\n"
                  "tls://alt.example.net {\n tls {\n  acme NS1.example.net. alt.example.net\n }\n whoami\n}\n")
    found = [d for d in lint(two_blocks) if d.severity == "error"]
    assert any('ACME domain "ns1.example.net" is configured with conflicting options' in d.message
               for d in found), [d.message for d in found]
    assert (found[0].line, found[0].column) == (9, 8)     # the later block's word for that domain
    same = ("tls://a.example.net {\n tls {\n  acme b.example.net a.example.net\n  email hostmaster@example.net\n"
            " }\n whoami\n}\ntls://b.example.net {\n tls {\n  acme A.example.net. b.example.net\n"
            "  email hostmaster@example.net\n }\n whoami\n}\n")
    assert not [d for d in lint(same) if d.severity == "error"]
    # storage is read relative to the block's root: the same word is another directory
    rooted = ("tls://a.example.net {\n tls {\n  acme a.example.net\n  storage acme-data\n }\n whoami\n}\n"
              "tls://a.example.net:8853 {\n root /srv/coredns\n tls {\n  acme a.example.net\n  storage acme-data\n"
              " }\n whoami\n}\n")
    assert any("conflicting options" in d.message for d in lint(rooted))


def test_tls_keylog_directory_is_on_the_host(tmp_path):
    found = [d for d in lint(corefile(f"tls c.pem k.pem {{\n    keylog {tmp_path}/absent/keys.log\n}}"))
             if d.code == "external-file"]
    assert any("key log directory" in d.message and d.severity == "info" for d in found)
    assert not [d for d in lint(corefile(f"tls c.pem k.pem {{\n    keylog {tmp_path}/keys.log\n}}"))
                if "key log" in d.message]


# ---------------------------------------------------------------- bind

def test_bind_names_this_machine_interfaces_by_default():
    assert_valid("bind 192.0.2.1 lo")                        # lo exists on this machine
    found = assert_invalid("bind 192.0.2.1 no-such-if0", 'not a valid IP address or interface name: "no-such-if0"')
    assert "interfaces of this machine" in found[0].message and "lo" in found[0].message
    assert_invalid("bind lo {\n    except wlan-nowhere9\n}", 'interface name: "wlan-nowhere9"')
    assert_invalid("bind 192.0.2.300", "not a valid IP address or interface name")


def test_bind_with_declared_host_interfaces():
    assert_valid("bind eth7 {\n    except 10.0.0.1\n}", host_interfaces=("eth7", "bond0"))
    found = assert_invalid("bind 192.0.2.1 lo", 'interface name: "lo"', host_interfaces=("eth7",))
    assert "declared with --host-interfaces: eth7" in found[0].message


def test_bind_words():
    assert_invalid("bind", "at least one address or interface name is expected")
    assert_invalid("bind 192.0.2.1 {\n    except\n}", "at least one address or interface must be given to except subdirective")
    assert_invalid("bind 192.0.2.1 {\n    only 192.0.2.2\n}", 'invalid option "only"')


def test_bind_host_interfaces_cli(tmp_path):
    cf = tmp_path / "Corefile"
    cf.write_text(corefile("bind eth7 bond0"))

    def run(*extra):
        out = subprocess.run([sys.executable, "-m", "corefile_tool.cli", "lint", "--format", "json", *extra, str(cf)],
                             capture_output=True, text=True)
        return out.returncode, [d for d in json.loads(out.stdout)["diagnostics"] if d["severity"] == "error"]

    code, found = run("--host-interfaces", "eth7", "--host-interfaces", "bond0,lo")
    assert code == 0 and not found
    code, found = run("--host-interfaces", "eth7")
    assert code == 1 and [d["column"] for d in found] == [15]
