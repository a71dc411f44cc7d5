"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

Valid against the official schema; rules carry their documentation; URIs
are relative to the repository (`%SRCROOT%`); `primaryLocationLineHash`
comes from the shared fingerprints, so alerts survive unrelated edits.
GitHub ignores `fixes`, so there are none, and no source text is embedded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TextIO

from factorscan import __version__
from factorscan.checks import rule_by_code
from factorscan.checks.base import Rule
from factorscan.core.findings import Severity
from factorscan.output.fingerprints import fingerprints, repo_relative, repository_root
from factorscan.output.reporters import REPOSITORY_URL, Report, rule_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URL
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _section(doc: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc, re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def _rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    doc = rule.documentation()
    factor = rule.factor()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(doc, "What it does") or rule.summary},
        "help": {"text": f"{rule.summary}. See {rule_url(rule.code)}", "markdown": doc},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["twelve-factor", f"factor-{factor.numeral}", factor.title.lower()],
            "precision": "high",
        },
    }


def _rules(report: Report) -> list[type[Rule]]:
    rules = {rule.code: rule for rule in report.rules}
    for finding in report.findings:
        if finding.code not in rules:
            rule = rule_by_code(finding.code)
            if rule is not None:
                rules[finding.code] = rule
    return [rules[code] for code in sorted(rules)]


def _artifact(path: str, repository: Path) -> dict[str, str]:
    absolute = Path(path).absolute()
    if not absolute.is_relative_to(repository):
        return {"uri": absolute.as_uri()}  # outside the repository: an absolute URI
    return {"uri": repo_relative(path, repository), "uriBaseId": "%SRCROOT%"}


def sarif_document(report: Report) -> dict[str, Any]:
    repository = repository_root(report.root)
    rules = _rules(report)
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for finding, fingerprint in zip(
        report.findings, fingerprints(report.findings, report.sources, report.root), strict=True
    ):
        region = {
            "startLine": finding.location.row,
            "startColumn": finding.location.column,
            "endLine": max(finding.end_location.row, finding.location.row),
            "endColumn": finding.end_location.column,
        }
        if region["endLine"] == region["startLine"] and region["endColumn"] <= region["startColumn"]:
            region["endColumn"] = region["startColumn"] + 1
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(finding.path, repository),
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {"primaryLocationLineHash": fingerprint.primary_location_line_hash},
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "factorscan",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "automationDetails": {"id": "factorscan/"},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": repository.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def write(report: Report, stream: TextIO) -> None:
    json.dump(sarif_document(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
