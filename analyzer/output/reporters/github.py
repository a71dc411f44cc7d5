"""GitHub Actions workflow commands: one inline annotation per finding.

`::warning file=app.py,line=3,col=11,endLine=3,endColumn=64,title=FS1101 (log-file-handler)::message`
Paths are relative to the repository (the Actions workspace); values are
escaped the way the Actions toolkit does it.
"""

from __future__ import annotations

from typing import TextIO

from factorscan.core.findings import Severity
from factorscan.output.fingerprints import repo_relative, repository_root
from factorscan.output.reporters import Report

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, stream: TextIO) -> None:
    repository = repository_root(report.root)
    for finding in report.findings:
        properties = {
            "file": repo_relative(finding.path, repository),
            "line": finding.location.row,
            "col": finding.location.column,
            "endLine": max(finding.end_location.row, finding.location.row),
            "endColumn": finding.end_location.column,
            "title": f"{finding.code} ({finding.name})",
        }
        rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        # The title carries the code; the message says when `--fix` can handle it.
        hint = " (fixable with `factorscan --fix`)" if report.fixable(finding) else ""
        message = f"{finding.message}{hint}"
        stream.write(f"::{_COMMAND[finding.severity]} {rendered}::{escape_data(message)}\n")
