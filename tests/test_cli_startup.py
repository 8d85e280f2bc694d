"""Start-up cost guards (benchmarks/parse_bench.py, lint_bench.py): what a cold `corefile lint` does not import,
and the hand-written classes that replaced generated ones behave as those did."""
from __future__ import annotations

import subprocess
import sys

import pytest

from corefile_tool.lexer import Token
from corefile_tool.tree import Block, Corefile, Directive, Import, Key, ServerBlock, Snippet


def test_lint_without_k8s_does_not_import_the_k8s_modules(tmp_path):
    f = tmp_path / "Corefile"
    f.write_text(". {\n    whoami\n}\n")
    code = ("import sys\nfrom corefile_tool.cli import main\n"
            f"sys.argv = ['corefile', 'lint', {str(f)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('corefile_tool.k8s')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "['corefile_tool.k8s', 'corefile_tool.k8s.options']"


def test_k8s_option_defaults_are_those_of_the_k8s_modules():
    from corefile_tool.k8s import client, live, options

    assert options.DEFAULT_TIMEOUT == client.DEFAULT_TIMEOUT
    assert (options.NAMESPACE, options.CONFIGMAP, options.KEY) == (live.NAMESPACE, live.CONFIGMAP, live.KEY)


def test_k8s_source_is_a_value():
    from corefile_tool.k8s.options import K8sSource

    assert not K8sSource() and K8sSource(True)
    assert K8sSource(True, "kc") == K8sSource(True, "kc") != K8sSource(True, "other")
    assert repr(K8sSource()) == ("K8sSource(enabled=False, kubeconfig=None, context=None, namespace='kube-system', "
                                 "configmap='coredns', key='Corefile', timeout=10.0, cluster_state=False)")


def test_tree_nodes_behave_as_the_dataclasses_they_were():
    t = Token("forward", 1, 5)
    d = Directive(t)
    assert d.args == [] and d.tail == [] and d.block is None
    assert Directive(t).args is not d.args                      # a fresh list each time
    assert d == Directive(t, [], None, []) and d != Directive(Token("forward", 1, 5))   # tokens compare by identity
    assert d != "forward" and (d == object()) is False
    assert repr(d) == "Directive(name_token=Token('forward', 1:5), args=[], block=None, tail=[])"
    b = Block(Token("{", 1, 9), [d], None)
    assert repr(b).startswith("Block(open=Token('{', 1:9), directives=[Directive(")
    key = Key(Token(".", 1, 1), ".")
    sb = ServerBlock([key], [d])
    assert (sb.open, sb.close, sb.index) == (None, None, 0)
    assert repr(key) == "Key(token=Token('.', 1:1), text='.', address=None)"
    imp = Import(t, "x", [], argument=t)
    assert (imp.snippet, imp.argument) == (None, t)
    for node in (d, b, key, sb, imp, Snippet("s", t, []), Corefile("p", "")):
        with pytest.raises(TypeError):
            hash(node)
    cf = Corefile(path="p", text="x")
    assert cf.server_blocks == [] and cf.sources == {} and cf.env_unset == frozenset() and not cf.as_written
    assert cf == Corefile("p", "x") != Corefile("p", "y")
    assert repr(cf).startswith("Corefile(path='p', text='x', server_blocks=[], snippets=[], imports=[]")
    cf.extra = 1   # callers keep caches on a Corefile
