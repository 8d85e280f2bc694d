"""Jinja rendering of the cluster models: the templates get trees and plain values, and print trees with the
canonical printer (corefile_tool.printer) exposed as filters."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

from .base import BEGIN_MARKER, END_MARKER

FORMATS = ("corefile", "configmap", "coredns-custom")
TEMPLATE_OF = {"corefile": "Corefile.j2", "configmap": "configmap.yaml.j2",
               "coredns-custom": "coredns-custom.yaml.j2"}
SUFFIX_OF = {"corefile": ".Corefile", "configmap": ".configmap.yaml", "coredns-custom": ".coredns-custom.yaml"}


class TemplateError(Exception):
    """A template that cannot be read or rendered; the message names the template and its line."""


def flavour_of(output_format: str) -> str:
    return "coredns-custom" if output_format == "coredns-custom" else "corefile"


def templates_dir() -> Path:
    """templates/ lives at the repository root and ships inside the wheel as corefile_tool/templates/."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "Corefile.j2").is_file():
            return candidate
    raise FileNotFoundError("the built-in templates (Corefile.j2) were not found")


def yaml_block(text: str, indent: int = 4) -> str:
    """`text` as a YAML literal block scalar whose lines are indented `indent` spaces, reading back exactly:
    the chomping indicator keeps the trailing newlines as they are, an indentation indicator is added when the
    first line starts with a space."""
    if text.endswith("\n\n"):
        chomp = "+"
    elif text.endswith("\n"):
        chomp = ""
    else:
        chomp = "-"
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    first = next((ln for ln in lines if ln.strip()), "")
    indicator = "2" if first[:1] in (" ", "\t") else ""
    pad = " " * indent
    body = "\n".join(pad + ln if ln else "" for ln in lines)
    return f"|{indicator}{chomp}\n{body}"


@lru_cache(maxsize=8)
def environment(template_dir: Optional[str] = None):
    import jinja2

    from .. import printer

    loaders = []
    if template_dir:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=False, keep_trailing_newline=True,
                             autoescape=False)
    env.filters["server_block"] = printer.format_server_block
    env.filters["directive"] = printer.format_directive
    env.filters["corefile"] = printer.format_corefile
    env.filters["yaml_block"] = yaml_block
    return env


def context(config) -> dict:
    return {
        "cluster": config.cluster,
        "own_blocks": config.own_blocks,
        "base": config.base,
        "blocks": config.added,
        "markers": {"begin": BEGIN_MARKER, "end": END_MARKER},
        "port": config.port,
        "coredns_version": config.version,
    }


def render(config, output_format: str = "corefile", template_dir: Optional[str] = None) -> str:
    import jinja2

    name = TEMPLATE_OF[output_format]
    try:
        template = environment(str(template_dir) if template_dir else None).get_template(name)
        text = template.render(context(config))
        newline = config.base.newline if config.base is not None else "\n"
        # The base file's line-ending style holds for the whole output (the templates see LF text only).
        return text.replace("\r\n", "\n").replace("\n", newline) if newline != "\n" else text
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"{e.filename or e.name or name}:{e.lineno}: template error: {e.message}") from None
    except jinja2.TemplateNotFound as e:
        raise TemplateError(f"template not found: {e.name}") from None
    except jinja2.TemplateError as e:
        where = _template_line(e, name)
        raise TemplateError(f"{where}: template error while rendering {config.cluster.name}: {e}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError) as e:
        # an expression of a user's template that fails at render time ({{ 1/0 }}, {{ x[5] }}, a filter given the
        # wrong type): one line naming the template and its line, never a traceback
        where = _template_line(e, name)
        raise TemplateError(f"{where}: template error while rendering {config.cluster.name}: "
                            f"{type(e).__name__}: {e}") from None


def _template_line(error, name: str) -> str:
    """The template file and line a rendering error came from (Jinja's frames carry them)."""
    import traceback

    tb = error.__traceback__
    found = name
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f"{filename}:{lineno}"
    return found


def render_corefile(config) -> str:
    """The Corefile with the built-in template: what `mesh check` lints and simulates."""
    return render(config, "corefile")
