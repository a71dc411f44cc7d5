"""GitLab Code Quality report (a Code Climate issue list) for merge request widgets.

Fingerprints come from the shared fingerprinting, so GitLab matches a
finding across pipelines even when lines move; paths are relative to the
repository.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from factorscan.core.findings import Severity
from factorscan.output.fingerprints import fingerprints, repo_relative, repository_root
from factorscan.output.reporters import Report

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def gitlab_issues(report: Report) -> list[dict[str, Any]]:
    repository = repository_root(report.root)
    issues = []
    for finding, fingerprint in zip(
        report.findings, fingerprints(report.findings, report.sources, report.root), strict=True
    ):
        issues.append(
            {
                "type": "issue",
                "check_name": finding.code,
                "description": f"{finding.code} ({finding.name}) {finding.message}",
                "categories": ["Bug Risk"],
                "severity": _SEVERITY[finding.severity],
                "fingerprint": fingerprint.value,
                "location": {
                    "path": repo_relative(finding.path, repository),
                    "lines": {
                        "begin": finding.location.row,
                        "end": max(finding.end_location.row, finding.location.row),
                    },
                },
            }
        )
    return issues


def write(report: Report, stream: TextIO) -> None:
    json.dump(gitlab_issues(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
