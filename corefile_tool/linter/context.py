"""What a lint rule gets besides the tree: the target CoreDNS version, external plugins, profile, knowledge."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..diagnostics import Diagnostic
from ..lexer import Token
from ..tree import Corefile


@dataclass
class Context:
    corefile: Corefile
    version: str
    external_plugins: dict = field(default_factory=dict)   # name -> plugin it runs after ("" = last)
    profile: Optional[str] = None                           # "kubernetes" for a cluster's CoreDNS
    env: Optional[dict] = None

    def diagnostic(self, code: str, severity: str, message: str, token: Optional[Token]) -> Diagnostic:
        if token is None:
            return Diagnostic(code, severity, message, self.corefile.path, 1, 1)
        return Diagnostic(code, severity, message, self.corefile.display_path(token.file), token.line,
                          token.column)

    def plugin_names(self) -> set:
        from ..knowledge import versions

        return set(versions.directives(self.version)) | set(self.external_plugins)
