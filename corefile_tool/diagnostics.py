"""Diagnostics are values: created where a problem is found, printed only by the CLI."""
from __future__ import annotations

from dataclasses import dataclass, asdict

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: str
    message: str
    path: str
    line: int
    column: int

    def as_dict(self) -> dict:
        return asdict(self)

    def sort_key(self):
        return (self.path, self.line, self.column, self.code, self.message)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.severity} {self.message}"


class CorefileError(Exception):
    """A user error that ends a command: carries the diagnostic that explains it."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
