"""The wheel must carry every subpackage, the grammar and the templates."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "corefile_tool").rglob("__init__.py")
    }
    missing = on_disk - listed
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_grammar_and_templates_are_mapped_into_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dirs = config["tool"]["setuptools"]["package-dir"]
    assert dirs["corefile_tool.grammar"] == "grammar"
    assert dirs["corefile_tool.templates"] == "templates"
    assert (ROOT / "grammar" / "corefile.lark").is_file()
