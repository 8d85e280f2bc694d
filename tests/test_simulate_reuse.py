"""What the simulator builds once and reuses: a parsed Corefile keeps its Simulator (Simulator.of), and blocks made
only of models that depend on nothing but their words, lines, zones and version share one chain across trees.
Reuse must never show: every result here equals the one a fresh Simulator gives."""
from __future__ import annotations

from pathlib import Path

from corefile_tool.parser import parse
from corefile_tool.simulator import Simulator, simulate
from corefile_tool.simulator.cluster_state import load_cluster_state

STATE = Path(__file__).resolve().parent.parent / "samples" / "simulate" / "cluster-state.yaml"

PEER = """peer.example:53 {
    errors
    cache 30
    forward . 10.0.1.10:53 10.0.1.11 {
        policy sequential
    }
}
"""


def fresh(text, name, qtype="A", **kw):
    return Simulator(parse(text), kw.pop("version", None), cluster_state=kw.pop("cluster_state", None)).simulate(
        name, qtype, **kw).to_json()


def test_simulate_keeps_the_simulator_of_a_parsed_tree():
    tree = parse(PEER + ". {\n    whoami\n}\n")
    first = simulate(tree, "a.peer.example")
    assert Simulator.of(tree) is Simulator.of(tree)
    assert Simulator.of(tree, "1.8.0") is not Simulator.of(tree)       # one per version
    for name, qtype in (("a.peer.example", "A"), ("elsewhere.org", "TXT"), ("peer.example", "DS")):
        assert simulate(tree, name, qtype).to_json() == fresh(PEER + ". {\n    whoami\n}\n", name, qtype)
    assert simulate(tree, "a.peer.example").to_json() == first.to_json()


def test_one_tree_two_cluster_states_two_simulators():
    text = ".:53 {\n    kubernetes cluster.local\n}\n"
    tree = parse(text)
    state = load_cluster_state(str(STATE))
    with_state = simulate(tree, "my-svc.my-ns.svc.cluster.local", cluster_state=state)
    without = simulate(tree, "my-svc.my-ns.svc.cluster.local")
    assert [r.data for r in with_state.answers] == ["10.96.0.20"]
    assert with_state.to_json() == fresh(text, "my-svc.my-ns.svc.cluster.local", cluster_state=state)
    assert without.to_json() == fresh(text, "my-svc.my-ns.svc.cluster.local")
    assert without.answers == []


def test_a_shared_block_keeps_each_corefiles_lines():
    # The same peer block at line 1 in one Corefile and further down in another: the chain is shared only where
    # the lines agree, so each trace names its own Corefile's lines.
    first = parse(PEER)
    second = parse(". {\n    whoami\n}\n\n" + PEER)
    a = Simulator(first).simulate("x.peer.example")
    b = Simulator(second).simulate("x.peer.example")
    assert [(s.plugin, s.line) for s in a.trace] == [("errors", 2), ("cache", 3), ("forward", 4)]
    assert [(s.plugin, s.line) for s in b.trace] == [("errors", 6), ("cache", 7), ("forward", 8)]
    assert a.forwarded_to == b.forwarded_to == ["10.0.1.10:53", "10.0.1.11:53"]
    again = Simulator(parse(PEER)).simulate("x.peer.example")     # a third tree, the first one's lines
    assert again.to_json() == a.to_json()


def test_blocks_that_read_the_cluster_are_never_shared():
    text = ".:53 {\n    kubernetes cluster.local\n    cache 30\n}\n"
    state = load_cluster_state(str(STATE))
    with_state = Simulator(parse(text), cluster_state=state).simulate("my-svc.my-ns.svc.cluster.local")
    without = Simulator(parse(text)).simulate("my-svc.my-ns.svc.cluster.local")
    assert [r.data for r in with_state.answers] == ["10.96.0.20"] and without.answers == []


def test_a_resolv_conf_upstream_is_read_again_for_a_new_simulator(tmp_path):
    resolv = tmp_path / "resolv.conf"
    text = f".:53 {{\n    forward . {resolv}\n}}\n"
    resolv.write_text("nameserver 10.1.1.1\n")
    before = Simulator(parse(text)).simulate("example.org")
    resolv.write_text("nameserver 10.2.2.2\n")
    after = Simulator(parse(text)).simulate("example.org")
    assert "10.1.1.1:53" in before.trace[0].reason and "10.2.2.2:53" in after.trace[0].reason


def test_trace_dicts_are_the_steps_as_dicts():
    r = Simulator(parse(PEER)).simulate("x.peer.example")
    dicts = r.trace_dicts()
    assert dicts == [s.as_dict() for s in r.trace] == r.to_json()["trace"]
    assert r.trace_dicts() == dicts          # the same once the steps are Step objects
