"""Every public Corefile of ../shared/conformance/data/realworld gets the verdict its index.jsonl notes describe
(skipped when ../shared is absent). Where the notes give no verdict, the one CoreDNS's sources give is used and
the reason is written next to it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corefile_tool import lint

REALWORLD = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "data" / "realworld"

# file -> (CoreDNS version to lint against, whether CoreDNS refuses it, codes that must be among the errors,
#          codes that must not appear at all)
VERDICTS = {
    "kubeadm-default-1.6.7.Corefile": (None, False, (), ()),
    "kubeadm-stub-blocks-consul.Corefile": (None, False, (), ()),
    "kubeadm-logs-typo.Corefile": ("1.6.7", True, ("unknown-directive",), ()),
    "k3s-default.Corefile": ("1.8.3", False, (), ()),
    "migration-proxy-options.Corefile": ("1.6.0", True, ("unknown-directive",), ()),
    # forward's `except` takes at least one name (plugin/forward/setup.go: ArgErr on none)
    "migration-forward-except-empty.Corefile": ("1.6.7", True, ("wrong-arguments",), ()),
    "migration-proxy-stubs.Corefile": ("1.6.0", True, ("unknown-directive",), ()),
    "migration-forward-stub-blocks.Corefile": ("1.6.7", False, (), ()),
    # `autopath {` has no RESOLV-CONF argument: "no resolv-conf specified" (plugin/autopath/setup.go)
    "migration-autopath-hosts.Corefile": ("1.6.7", True, (), ()),
    "migration-rewrite-ttl-continue.Corefile": ("1.6.7", False, (), ()),
    "migration-kubernetes-transfer-old.Corefile": ("1.6.7", False, (), ()),
    "migration-transfer-plugin.Corefile": ("1.7.0", False, (), ()),
    "migration-route53-errors-consolidate-empty.Corefile": ("1.6.7", True, ("wrong-arguments",), ()),
    "migration-kubernetes-unknown-option.Corefile": ("1.6.7", True, ("unknown-property",), ()),
    "migration-invalid-directive.Corefile": ("1.6.7", True, ("unknown-directive",), ()),
    "migration-rewrite-suffix.Corefile": ("1.6.7", False, (), ()),
    "coredns-doc-multi-zone-key.Corefile": (None, False, (), ()),
    "coredns-tls-grpc-https-listeners.Corefile": (None, False, (), ("duplicate-zone", "listener-overlap")),
    "coredns-grpc-server-limits.Corefile": (None, False, (), ()),
    # a bare forward stanza read as a whole Corefile: its first line is the server block's keys
    "broken-forward-empty-resolvconf.Corefile": ("1.8.6", True, ("unknown-directive",), ()),
    "acl-multi-zone-key.Corefile": ("1.7.0", False, (), ()),
    "forward-multi-resolvconf-sequential.Corefile": ("1.14.4", True, ("unknown-directive",), ()),
    "coredns-env-var-port.Corefile": (None, False, (), ()),
}
ENV = {"coredns-env-var-port.Corefile": {"PORT": "9253"}}   # as the plugin's README exports it


def index():
    path = REALWORLD / "index.jsonl"
    if not path.exists():
        pytest.skip("../shared/conformance/data/realworld is absent")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_verdict_has_its_file_and_agrees_with_the_notes():
    files = {entry["file"] for entry in index()}
    assert set(VERDICTS) <= files, "a realworld file was removed or renamed: update VERDICTS"
    for entry in index():
        if entry["file"] not in VERDICTS:
            continue
        _, invalid, _, _ = VERDICTS[entry["file"]]
        notes = entry["notes"]
        if "INVALID" in notes or "KNOWN BROKEN" in notes:
            assert invalid, entry["file"]


def test_files_without_a_written_verdict_follow_their_notes():
    """Files added to ../shared after VERDICTS was written: a file its notes call invalid or broken gets an
    error; every other file is linted without a crash."""
    for entry in index():
        if entry["file"] in VERDICTS or not (REALWORLD / entry["file"]).is_file():
            continue
        found = lint(REALWORLD / entry["file"])
        if "INVALID" in entry["notes"] or "KNOWN BROKEN" in entry["notes"]:
            assert any(d.severity == "error" for d in found), entry["file"]


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_verdict(name):
    index()
    version, invalid, must, must_not = VERDICTS[name]
    found = lint(REALWORLD / name, version=version, env=ENV.get(name, {}))
    errors = [d for d in found if d.severity == "error"]
    assert bool(errors) == invalid, [str(d) for d in errors] or f"{name}: expected an error"
    assert set(must) <= {d.code for d in errors}, [str(d) for d in errors]
    assert not set(must_not) & {d.code for d in found}


def test_unset_environment_variable_is_read_as_empty():
    """`localhost:{$PORT}` with PORT unset is `localhost:`, which net.SplitHostPort accepts (an empty port)."""
    index()
    found = lint(REALWORLD / "coredns-env-var-port.Corefile", env={})
    assert [d for d in found if d.severity == "error"] == []
