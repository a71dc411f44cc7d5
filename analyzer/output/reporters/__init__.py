"""Output formats. Each module renders a Report; none prints a secret value."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from factorscan.core.findings import Applicability, Finding
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

FIXABLE = "[*]"  # as in ruff: `--fix` applies it
UNSAFE_FIXABLE = "[!]"  # `--fix --unsafe-fixes` applies it: it changes behaviour or needs new environment

# pyproject.toml's [project.urls] Repository (tests/test_release.py keeps them equal).
REPOSITORY_URL = "https://github.com/factorscan/factorscan"
DOCS_URL = f"{REPOSITORY_URL}/blob/main/docs/rules"


def rule_url(code: str) -> str:
    """The rule's documentation page (docs/rules/ in the repository)."""
    return f"{DOCS_URL}/{code}.md"


@dataclass
class Report:
    findings: list[Finding]
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files_scanned: int = 0
    templated_files: int = 0  # Jinja/cookiecutter sources left unchecked
    unsafe_fixes: bool = False
    fixed: int = 0
    behaviour_changes: int = 0  # how many of the applied fixes changed behaviour (unsafe ones)
    hidden_by_baseline: int = 0  # findings --baseline left out
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

    def needs_unsafe_fixes(self, finding: Finding) -> bool:
        """An unsafe fix this run leaves alone: `--fix --unsafe-fixes` would apply it."""
        return (
            finding.fix is not None
            and not self.fixable(finding)
            and finding.fix.applicability is Applicability.UNSAFE
        )

    def marker(self, finding: Finding) -> str:
        """`[*]` for what --fix applies, `[!]` for what only --unsafe-fixes adds, else ""."""
        if self.fixable(finding):
            return FIXABLE
        return UNSAFE_FIXABLE if self.needs_unsafe_fixes(finding) else ""

    def secrets(self, path: str) -> list[str]:
        """Every secret sensitive findings point at in `path`: mask them wherever code is echoed."""
        cached = self._secrets.get(path)
        if cached is None:
            source = self.sources.get(path)
            cached = secret_values(self.findings, source) if source is not None else []
            self._secrets[path] = cached
        return cached


def statistics_lines(report: Report) -> list[str]:
    """`--statistics`: one line per rule, most findings first: count, code, fix marker, name."""
    counts = Counter((f.code, f.name) for f in report.findings)
    markers: dict[str, str] = {}
    for finding in report.findings:
        marker = report.marker(finding)
        if marker == FIXABLE or (marker and finding.code not in markers):
            markers[finding.code] = marker
    return [
        f"{count:>5}  {code}  {markers.get(code, ''):<3} {name}"
        for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


# The formats --statistics replaces with its counts; the others are for machines.
STATISTICS_FORMATS = ("full", "concise")


def writer(format_name: str) -> Callable[[Report, TextIO], None]:
    module = importlib.import_module(f"factorscan.output.reporters.{FORMATS[format_name]}")
    write: Callable[[Report, TextIO], None] = module.write
    return write
