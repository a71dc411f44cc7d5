"""Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

The twelve-factor scorecard, then findings grouped by factor with their fix
as a diff in a `<details>` block. It stays short however many findings
there are: every count is given, but only the first `MAX_FINDINGS` are
listed. In the diffs of findings that hold a secret, the secret is redacted.
"""

from __future__ import annotations

import html
import re
from itertools import groupby
from typing import TextIO

from factorscan.core.findings import Finding
from factorscan.output.reporters import Report, rule_url
from factorscan.output.reporters.scorecard import scorecard
from factorscan.output.reporters.suggestions import fix_diff
from factorscan.output.wording import in_files, plural

MAX_FINDINGS = 50


def _inline(text: str) -> str:
    """Message text safe inside markdown and HTML."""
    return html.escape(text, quote=False).replace("|", "\\|")


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _fix_details(report: Report, finding: Finding) -> str:
    if finding.fix is None or not report.fixable(finding):
        return ""
    body = fix_diff(finding, report.sources.get(finding.path), report.secrets(finding.path))
    if body is None:
        return ""
    fence = _fence(body)
    return (
        f"\n  <details><summary>Fix: {_inline(finding.fix.message)}</summary>\n\n"
        f"  {fence}diff\n"
        + "".join(f"  {line}\n" for line in body.split("\n"))
        + f"  {fence}\n\n  </details>"
    )


def _finding_item(report: Report, finding: Finding) -> str:
    marker = f" {report.marker(finding)}" if report.marker(finding) else ""
    where = f"{finding.path}:{finding.location.row}:{finding.location.column}"
    return (
        f"- `{where}` [{finding.code}]({rule_url(finding.code)}){marker} "
        f"{_inline(finding.message)}{_fix_details(report, finding)}"
    )


def write(report: Report, stream: TextIO) -> None:
    findings = report.findings
    total = len(findings)
    out: list[str] = ["## factorscan", ""]
    hidden = (
        f" ({report.hidden_by_baseline} more hidden by the baseline)" if report.hidden_by_baseline else ""
    )
    if not findings:
        out.append(f"No twelve-factor findings in {plural(report.files_scanned, 'file')}{hidden}.")
        stream.write("\n".join(out) + "\n")
        return
    fixable = sum(1 for finding in findings if report.fixable(finding))
    where = in_files(len({finding.path for finding in findings}), report.files_scanned)
    summary = f"**{plural(total, 'finding')}** {where}{hidden}"
    if fixable:
        summary += f"; {fixable} fixable with `factorscan --fix`"
    out += [summary + ".", "", "| Factor | | Findings | Worst |", "|---|---|--:|---|"]
    for row in scorecard(findings, report.rules):
        out.append(f"| {row.factor.numeral} | {row.factor.title} | {row.findings} | {row.status} |")
    shown = 0
    by_factor = groupby(
        sorted(findings, key=lambda finding: (finding.factor.number, finding.sort_key)),
        key=lambda finding: finding.factor,
    )
    for factor, group in by_factor:
        items = list(group)
        if shown >= MAX_FINDINGS:
            break
        out += ["", f"### {factor.numeral} {factor.title} ({len(items)})", ""]
        for finding in items[: MAX_FINDINGS - shown]:
            out.append(_finding_item(report, finding))
        shown += min(len(items), MAX_FINDINGS - shown)
    if shown < total:
        out += ["", f"… and {total - shown} more. Run `factorscan` locally to see them all."]
    stream.write("\n".join(out) + "\n")
