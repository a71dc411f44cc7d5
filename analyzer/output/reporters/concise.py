"""`path:line:col: FS1101 [*] message`, one line per finding (editors, grep)."""

from __future__ import annotations

from typing import TextIO

from factorscan.output.reporters import Report, statistics_lines


def write(report: Report, stream: TextIO) -> None:
    if report.statistics:
        stream.writelines(line + "\n" for line in statistics_lines(report))
        return
    for finding in report.findings:
        marker = f" {report.marker(finding)}" if report.marker(finding) else ""
        stream.write(
            f"{finding.path}:{finding.location.row}:{finding.location.column}: "
            f"{finding.code}{marker} {finding.message}\n"
        )
