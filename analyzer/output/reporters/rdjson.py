"""reviewdog's Diagnostic Format (rdjson), for `reviewdog -f=rdjson`.

Lines are 1-based; columns are 1-based UTF-8 byte offsets with an exclusive
end, converted from factorscan's code-point columns. A fixable finding gets
one suggestion: a line-wise range (no columns) over exactly the finding's
lines with the fixed text of those lines, which reviewdog's
github-pr-review reporter posts as a GitHub suggestion block (see
`factorscan.output.reporters.suggestions` for fixes that touch other lines). Safe
fixes are suggested; unsafe ones only with `--unsafe-fixes`.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from factorscan.core.findings import Finding, Location, Severity
from factorscan.core.source import SourceDecodeError, SourceFile
from factorscan.output.reporters import Report, rule_url
from factorscan.output.reporters.sarif import INFORMATION_URI
from factorscan.output.reporters.suggestions import describe_imports, line_suggestion

_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def byte_column(source: SourceFile | None, location: Location) -> int:
    """The 1-based UTF-8 byte column of a 1-based code-point column."""
    if source is None:
        return location.column
    try:
        line = source.line(location.row)
    except SourceDecodeError:
        return location.column
    prefix = line[: location.column - 1]
    return len(prefix.encode("utf-8", errors="surrogatepass")) + 1 + max(0, location.column - 1 - len(line))


def _position(source: SourceFile | None, location: Location) -> dict[str, int]:
    return {"line": location.row, "column": byte_column(source, location)}


def _diagnostic(report: Report, finding: Finding) -> dict[str, Any]:
    source = report.sources.get(finding.path)
    message = finding.message
    diagnostic: dict[str, Any] = {
        "location": {
            "path": finding.path,
            "range": {
                "start": _position(source, finding.location),
                "end": _position(source, finding.end_location),
            },
        },
        "severity": _SEVERITY[finding.severity],
        "code": {"value": finding.code, "url": rule_url(finding.code)},
    }
    if report.fixable(finding):
        suggestion = line_suggestion(finding, source, report.secrets(finding.path))
        if suggestion is not None:
            diagnostic["suggestions"] = [
                {
                    "range": {"start": {"line": suggestion.first_row}, "end": {"line": suggestion.last_row}},
                    "text": suggestion.fixed,
                }
            ]
            if suggestion.imports:
                message += f" (to apply the suggestion, {describe_imports(suggestion)})"
    diagnostic["message"] = message
    return diagnostic


def rdjson_document(report: Report) -> dict[str, Any]:
    return {
        "source": {"name": "factorscan", "url": INFORMATION_URI},
        "diagnostics": [_diagnostic(report, finding) for finding in report.findings],
    }


def write(report: Report, stream: TextIO) -> None:
    json.dump(rdjson_document(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
