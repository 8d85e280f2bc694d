"""`import`: files and globs relative to the importing file, snippets, cycles, the caps CoreDNS sets and the
bounds this tool adds, and confinement to the Corefile's directory (symlinks included)."""
from __future__ import annotations

import os
import time

import pytest

from corefile_tool import parser as parser_module
from corefile_tool.parser import parse


def write(base, files: dict):
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return base / "Corefile"


def run(base, files: dict, **kw):
    return parse(write(base, files), env=kw.pop("env", {}), **kw)


def names(cf):
    return [[d.name for d in b.directives] for b in cf.server_blocks]


def only_error(cf):
    errors = [d for d in cf.diagnostics if d.severity == "error"]
    assert len(errors) == 1, cf.diagnostics
    return errors[0]


def test_file_and_glob_imports_in_lexical_order_hidden_files_included(tmp_path):
    cf = run(tmp_path, {"Corefile": ". {\n    import conf.d/*.conf\n    import extra.conf\n}\n",
                        "conf.d/b.conf": "errors\n", "conf.d/a.conf": "log\n", "conf.d/.h.conf": "whoami\n",
                        "conf.d/skip.txt": "cache\n", "extra.conf": "reload\n"})
    assert cf.ok and names(cf) == [["whoami", "log", "errors", "reload"]]
    assert [os.path.basename(f) for f in cf.imports[0].files] == [".h.conf", "a.conf", "b.conf"]
    log = cf.server_blocks[0].directives[1]
    assert (log.file, log.line, log.column) == (str(tmp_path / "conf.d" / "a.conf"), 1, 1)
    assert log.name_token.origin == ((str(tmp_path / "Corefile"), 2, 12),)


def test_nested_imports_are_relative_to_the_importing_file(tmp_path):
    cf = run(tmp_path, {"Corefile": ". {\n    import sub/one.conf\n}\n",
                        "sub/one.conf": "import two.conf\n", "sub/two.conf": "log\n"})
    assert cf.ok and names(cf) == [["log"]]
    log = cf.server_blocks[0].directives[0]
    assert log.file == str(tmp_path / "sub" / "two.conf")
    assert log.name_token.origin == ((str(tmp_path / "Corefile"), 2, 12), (str(tmp_path / "sub" / "one.conf"), 1, 8))


def test_import_at_top_level_brings_server_blocks_and_in_a_plugin_block_brings_properties(tmp_path):
    cf = run(tmp_path, {"Corefile": "import blocks/*.server\n. {\n    forward . 1.1.1.1 {\n        import tls.opts\n"
                                    "    }\n}\n",
                        "blocks/a.server": "a.example {\n    whoami\n}\n", "tls.opts": "force_tcp\nmax_fails 2\n"})
    assert cf.ok
    assert [[k.text for k in b.keys] for b in cf.server_blocks] == [["a.example"], ["."]]
    forward = cf.server_blocks[1].directives[0]
    assert [(p.name, p.arg_texts) for p in forward.children] == [("force_tcp", []), ("max_fails", ["2"])]


def test_a_word_from_another_file_is_never_on_the_same_line(tmp_path):
    # keys.conf's words are on its own line 1; the main file's "{" on line 3 still opens the block
    cf = run(tmp_path, {"Corefile": "a,\nimport keys.conf\n{\n    log\n}\n", "keys.conf": "b c"})
    assert cf.ok and [k.text for k in cf.server_blocks[0].keys] == ["a", "b", "c"]
    # an unclosed plugin block in an imported file is closed by the main file, across the file boundary
    cf = run(tmp_path, {"Corefile": ". {\n    import open.conf\n        force_tcp\n    }\n}\n",
                        "open.conf": "forward . 1.1.1.1 {\n"})
    assert cf.ok and [p.name for p in cf.server_blocks[0].directives[0].children] == ["force_tcp"]


def test_snippets_defined_in_an_imported_file(tmp_path):
    cf = run(tmp_path, {"Corefile": "import snippets.conf\n. {\n    import common\n}\n",
                        "snippets.conf": "(common) {\n    errors\n    log\n}\n"})
    assert cf.ok and names(cf) == [["errors", "log"]]


def test_environment_reference_in_the_pattern(tmp_path):
    cf = run(tmp_path, {"Corefile": ". {\n    import {$DIR}/*.conf\n}\n", "site/a.conf": "log\n"},
             env={"DIR": "site"})
    assert cf.ok and names(cf) == [["log"]]


def test_glob_matching_nothing_is_a_warning_and_imports_nothing(tmp_path):
    cf = run(tmp_path, {"Corefile": ". {\n    import conf.d/*.conf\n    log\n}\n"})
    assert cf.ok and names(cf) == [["log"]]
    assert [(d.code, d.severity, d.message, d.line, d.column) for d in cf.diagnostics] == [
        ("import-glob-empty", "warning", "No files matching import glob pattern: conf.d/*.conf", 2, 12)]


def test_missing_file_and_directory(tmp_path):
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import nope.conf\n}\n"}))
    assert (d.code, d.message, d.line, d.column) == ("import", "File to import not found: nope.conf", 2, 12)
    (tmp_path / "adir").mkdir()
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import adir\n}\n"}))
    assert d.message == f"Could not import {tmp_path / 'adir'}: is a directory"


def test_empty_imported_file_adds_nothing(tmp_path):
    cf = run(tmp_path, {"Corefile": "import empty.conf\n. {\n    import empty.conf\n    log\n}\n", "empty.conf": ""})
    assert cf.ok and names(cf) == [["log"]]


@pytest.mark.parametrize("files", [
    {"Corefile": ". {\n    import self.conf\n}\n", "self.conf": "import self.conf\n"},
    {"Corefile": ". {\n    import a.conf\n}\n", "a.conf": "import b.conf\n", "b.conf": "import a.conf\n"},
    {"Corefile": "import Corefile\n"},
    {"Corefile": ". {\n    import *.conf\n}\n", "x.conf": "import *.conf\n"},
])
def test_file_import_cycles_end_quickly_with_coredns_message(tmp_path, files):
    start = time.monotonic()
    d = only_error(run(tmp_path, files))
    assert time.monotonic() - start < 5
    assert d.code == "import"
    assert d.message.startswith("maximum file import depth (10000) exceeded: an import cycle")
    assert "earlier versions hang" in d.message


def test_file_imports_are_counted_like_coredns(tmp_path, monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_FILE_EXPANSIONS", 3)
    files = {"Corefile": ". {\n" + "    import a.conf\n" * 3 + "}\n", "a.conf": "log\n"}
    assert run(tmp_path, files).ok
    files["Corefile"] = ". {\n" + "    import a.conf\n" * 4 + "}\n"
    d = only_error(run(tmp_path, files))
    assert d.message == "maximum file import depth (10000) exceeded" and d.line == 5  # CoreDNS prints this number


def test_bounds_on_glob_matches_bytes_and_tokens(tmp_path, monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_GLOB_MATCHES", 2)
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import d/*\n}\n", "d/a": "", "d/b": "", "d/c": ""}))
    assert "matches more than 2 files" in d.message
    monkeypatch.setattr(parser_module, "MAX_IMPORT_BYTES", 10)
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import big.conf\n}\n", "big.conf": "log\n" * 10}))
    assert "more than" in d.message and "limit" in d.message
    monkeypatch.setattr(parser_module, "MAX_IMPORT_BYTES", 1 << 20)
    monkeypatch.setattr(parser_module, "MAX_TOKENS", 20)
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import t.conf\n}\n", "t.conf": "log\n" * 30}))
    assert "more than 20 tokens" in d.message


def test_imports_may_not_leave_the_corefile_directory(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("admin:$6$TOPSECRETHASH:19000:0:99999:7:::\n")
    base = tmp_path / "site"
    base.mkdir()
    (base / "link").symlink_to(outside / "secret")
    (base / "dirlink").symlink_to(outside)
    for pattern in ("../outside/secret", str(outside / "secret"), "link", "dirlink/secret", "dirlink/*",
                    str(outside) + "/*", "../outside/nothing-here"):
        cf = run(base, {"Corefile": f". {{\n    import {pattern}\n}}\n"})
        d = only_error(cf)
        assert d.code == "import-outside", (pattern, d)
        assert "reaches outside the Corefile's directory" in d.message
        assert "TOPSECRET" not in d.message and "admin" not in d.message
    cf = run(base, {"Corefile": ". {\n    import link\n}\n"}, allow_import_outside=True)
    assert cf.ok and names(cf) == [["admin:$6$TOPSECRETHASH:19000:0:99999:7:::"]]


def test_symlinks_inside_the_directory_are_fine(tmp_path):
    (tmp_path / "real.conf").write_text("log\n")
    (tmp_path / "alias.conf").symlink_to(tmp_path / "real.conf")
    cf = run(tmp_path, {"Corefile": ". {\n    import alias.conf\n}\n"})
    assert cf.ok and names(cf) == [["log"]]


def test_symlink_loop_is_an_error(tmp_path):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import loop1\n}\n"}))
    assert d.code in ("import", "import-outside") and d.message.startswith(("Could not import", "import loop1"))


def test_special_files_are_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # opening it would block until a writer came
    d = only_error(run(tmp_path, {"Corefile": ". {\n    import pipe\n}\n"}))
    assert d.message.endswith("not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_imported_file(tmp_path):
    write(tmp_path, {"Corefile": ". {\n    import locked.conf\n}\n", "locked.conf": "log\n"})
    (tmp_path / "locked.conf").chmod(0)
    d = only_error(parse(tmp_path / "Corefile", env={}))
    assert d.message.startswith(f"Could not import {tmp_path / 'locked.conf'}: ")


def test_as_written_keeps_imports_unexpanded(tmp_path):
    cf = run(tmp_path, {"Corefile": "import a.conf\n. {\n    import b.conf\n}\n"}, as_written=True)
    assert cf.ok
    assert [(i.pattern, i.files) for i in cf.imports] == [("a.conf", [])]
    assert [(d.name, d.arg_texts) for d in cf.server_blocks[0].directives] == [("import", ["b.conf"])]
