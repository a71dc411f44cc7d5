"""Output formats. Each module renders a Report; none prints a secret value."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from factorscan.core.findings import Finding
from factorscan.core.redact import secret_values
from factorscan.core.source import SourceFile

if TYPE_CHECKING:
    from factorscan.checks.base import Rule

# format name -> module in this package exposing `write(report, stream)`
FORMATS = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "rdjson": "rdjson",
    "gitlab": "gitlab",
    "junit": "junit",
    "markdown": "markdown",
}

DOCS_URL = "https://github.com/factorscan/factorscan/blob/main/docs/rules"


def rule_url(code: str) -> str:
    """The rule's documentation page (docs/rules/ in the repository)."""
    return f"{DOCS_URL}/{code}.md"


@dataclass
class Report:
    findings: list[Finding]
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files_scanned: int = 0
    unsafe_fixes: bool = False
    fixed: int = 0
    behaviour_changes: int = 0  # how many of the applied fixes changed behaviour (unsafe ones)
    statistics: bool = False
    quiet: bool = False
    color: bool | None = None  # None: decide from the stream and NO_COLOR
    # Where repo-relative paths and fingerprints start (None: the working directory).
    project_root: Path | None = None
    # The enabled rules (SARIF lists them all); empty: the rules of the findings.
    rules: tuple[type[Rule], ...] = ()
    _secrets: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.project_root or Path.cwd()

    def fixable(self, finding: Finding) -> bool:
        return finding.fix is not None and finding.fix.is_applicable(self.unsafe_fixes)

    def secrets(self, path: str) -> list[str]:
        """Every secret sensitive findings point at in `path`: mask them wherever code is echoed."""
        cached = self._secrets.get(path)
        if cached is None:
            source = self.sources.get(path)
            cached = secret_values(self.findings, source) if source is not None else []
            self._secrets[path] = cached
        return cached


def writer(format_name: str) -> Callable[[Report, TextIO], None]:
    module = importlib.import_module(f"factorscan.output.reporters.{FORMATS[format_name]}")
    write: Callable[[Report, TextIO], None] = module.write
    return write
