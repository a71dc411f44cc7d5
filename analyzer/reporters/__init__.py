"""Output formats. Each module renders a Report; none prints a secret value."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from factorscan.findings import Finding
from factorscan.source import SourceFile

# format name -> module in this package exposing `write(report, stream)`
FORMATS = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
}


@dataclass
class Report:
    findings: list[Finding]
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files_scanned: int = 0
    unsafe_fixes: bool = False
    fixed: int = 0
    statistics: bool = False
    quiet: bool = False
    color: bool | None = None  # None: decide from the stream and NO_COLOR

    def fixable(self, finding: Finding) -> bool:
        return finding.fix is not None and finding.fix.is_applicable(self.unsafe_fixes)


def writer(format_name: str) -> Callable[[Report, TextIO], None]:
    module = importlib.import_module(f"factorscan.reporters.{FORMATS[format_name]}")
    write: Callable[[Report, TextIO], None] = module.write
    return write
