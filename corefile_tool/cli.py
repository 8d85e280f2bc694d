"""The `corefile` command: thin click commands over the library. Heavy modules load inside commands."""
from __future__ import annotations

import json
import sys

import click

from .diagnostics import Diagnostic

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str, code: int = EXIT_USAGE):
    """A user error: one line on stderr, a non-zero exit, never a traceback."""
    click.echo(f"corefile: {message}", err=True)
    sys.exit(code)


def read_input(path: str) -> str:
    from .parser import read_source

    try:
        return read_source(path)
    except IsADirectoryError:
        fail(f"{path}: is a directory")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except PermissionError:
        fail(f"{path}: permission denied")
    except OSError as e:
        fail(f"{path}: {e.strerror or e}")


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def format_text_diagnostic(d: Diagnostic, source_line: str = "", color: bool = False) -> str:
    head = f"{d.path}:{d.line}:{d.column}: {d.code} {d.severity} {d.message}"
    if color:
        colors = {"error": "red", "warning": "yellow", "info": "cyan"}
        head = f"{d.path}:{d.line}:{d.column}: {d.code} " + click.style(d.severity, fg=colors[d.severity],
                                                                       bold=True) + f" {d.message}"
    if not source_line:
        return head
    caret_pad = "".join(c if c == "\t" else " " for c in source_line[:max(0, d.column - 1)])
    return f"{head}\n    {source_line}\n    {caret_pad}^"


class LazyGroup(click.Group):
    """Subcommands live in corefile_tool/commands/<name>.py and are imported only when run (fast start-up)."""

    COMMANDS = {
        "parse": "Parse a Corefile as CoreDNS does and print its syntax tree.",
        "lint": "Report what CoreDNS would refuse, and the pitfalls it accepts silently.",
        "rules": "List the lint rules with their explanations.",
        "simulate": "Say which server block and plugin answer a query, and why.",
        "generate": "Write each cluster's Corefile from a multi-cluster inventory.",
        "mesh": "Check or draw the forwarding mesh of an inventory.",
        "fmt": "Format Corefiles canonically.",
        "migrate": "Migrate a Corefile between CoreDNS versions.",
        "k8s": "Discover, lint and apply Corefiles in Kubernetes clusters.",
    }

    def list_commands(self, ctx):
        import importlib.util

        return [n for n in self.COMMANDS if importlib.util.find_spec(f"corefile_tool.commands.{n}")]

    def get_command(self, ctx, name):
        import importlib

        if name not in self.COMMANDS:
            return None
        try:
            module = importlib.import_module(f"corefile_tool.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"corefile_tool.commands.{name}":
                return None
            raise
        return module.command

    def format_commands(self, ctx, formatter):
        rows = [(n, self.COMMANDS[n]) for n in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="corefile", prog_name="corefile")
def main():
    """Parse, lint, simulate and generate CoreDNS Corefiles."""


if __name__ == "__main__":  # pragma: no cover
    main()
