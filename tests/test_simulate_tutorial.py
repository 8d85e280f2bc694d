"""The case issue #4 starts from: the tutorial's multi-cluster Corefile, where names of cluster B silently go
to /etc/resolv.conf, and the corrected layout that sends them to cluster B."""
from __future__ import annotations

import re
from pathlib import Path

from corefile_tool.linter import lint_tree
from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NAME = "my-svc.my-ns.svc.cluster-b.example.com"


def test_tutorial_without_to_is_answered_by_forward_dot():
    text = (SAMPLES / "tutorial-multicluster.Corefile").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^\s*to\s.*\n", "", text)          # the `to` line removed, as the issue describes
    corefile = parse(text, path="tutorial.Corefile")
    assert any(d.severity == "error" for d in lint_tree(corefile))      # CoreDNS would not start either
    r = Simulator(corefile).simulate(NAME)
    line_of_forward_dot = text.splitlines().index("    forward . /etc/resolv.conf {") + 1
    assert r.server_block.zone == "."
    assert r.answered_by == {"plugin": "forward", "line": line_of_forward_dot}
    assert r.forwarded_to == ["/etc/resolv.conf"]
    reason = r.trace[-1].reason
    assert "FROM . covers every name" in reason and "/etc/resolv.conf" in reason
    assert "first match wins (not the longest FROM)" in reason
    assert "forward cluster-b.example.com." in reason and "never reached" in reason
    kubernetes = next(s for s in r.trace if s.plugin == "kubernetes")
    assert kubernetes.decision == "pass" and "outside its zones" in kubernetes.reason


def test_separate_block_forwards_to_cluster_b():
    corefile = parse(SAMPLES / "simulate" / "multicluster-fixed.Corefile")
    assert not [d for d in lint_tree(corefile) if d.severity == "error"]
    r = Simulator(corefile).simulate(NAME)
    assert r.server_block.zone == "cluster-b.example.com."
    assert r.answered_by["plugin"] == "forward"
    assert r.forwarded_to == ["10.2.0.10:53"]
    assert "longest matching zone cluster-b.example.com." in r.routing.reason
    # the cluster's own names still go to kubernetes in the `.` block
    local = Simulator(corefile).simulate("my-svc.my-ns.svc.cluster.local")
    assert local.server_block.zone == "." and local.answered_by["plugin"] == "kubernetes"
