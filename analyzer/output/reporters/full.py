"""The terminal format: findings grouped by file with their source line and a
caret, a summary, and the twelve-factor scorecard. Colour on a TTY, plain
when piped or when NO_COLOR is set."""

from __future__ import annotations

import os
from collections import Counter
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from factorscan.core.findings import Finding, Severity
from factorscan.core.redact import mask_span, mask_values
from factorscan.core.source import SourceDecodeError
from factorscan.output.reporters import Report
from factorscan.output.reporters.scorecard import scorecard

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _console(report: Report, stream: TextIO) -> Console:
    color = report.color
    if color is None:
        color = stream.isatty() and "NO_COLOR" not in os.environ
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=True,
        width=max(100, Console(file=stream).width) if color else 100,
    )


def _source_lines(report: Report, finding: Finding) -> list[tuple[int, str]]:
    source = report.sources.get(finding.path)
    if source is None:
        return []
    try:
        last = finding.end_location.row if finding.end_location.column > 1 else finding.end_location.row - 1
        rows = range(finding.location.row, max(finding.location.row, last) + 1)
        lines = [(row, source.line(row)) for row in rows][:4]
    except SourceDecodeError:
        return []
    if finding.sensitive:
        masked = []
        for row, line in lines:
            start = finding.location.column - 1 if row == finding.location.row else 0
            end = finding.end_location.column - 1 if row == finding.end_location.row else len(line)
            masked.append((row, mask_span(line, start, end)))
        lines = masked
    # Other findings' secrets on the same lines are hidden too.
    secrets = report.secrets(finding.path)
    return [(row, mask_values(line, secrets)) for row, line in lines]


def _write_finding(console: Console, report: Report, finding: Finding) -> None:
    header = Text()
    header.append(f"{finding.location.row}:{finding.location.column}", style="dim")
    header.append("  ")
    header.append(finding.code, style=_SEVERITY_STYLE[finding.severity])
    if report.fixable(finding):
        header.append(" [*]", style="green")
    header.append(f" {finding.message}")
    console.print(header)
    lines = _source_lines(report, finding)
    if not lines:
        return
    gutter = len(str(lines[-1][0]))
    for row, line in lines:
        text = Text()
        text.append(f"  {row:>{gutter}} │ ", style="blue")
        # One space per tab keeps the caret under the right code point.
        text.append(line.replace("\t", " "))
        console.print(text)
    unchanged = len(lines) == 1 and report.sources[finding.path].line(lines[0][0]) == lines[0][1]
    if unchanged and not finding.sensitive:
        line = lines[0][1]
        start = finding.location.column - 1
        end = (
            finding.end_location.column - 1 if finding.end_location.row == finding.location.row else len(line)
        )
        caret = Text(f"  {'':>{gutter}} │ " + " " * start, style="blue")
        caret.append("^" * max(1, end - start), style=_SEVERITY_STYLE[finding.severity])
        caret.append(f" {finding.name}", style="dim")
        console.print(caret)
    else:
        console.print(Text(f"  {'':>{gutter}} └ {finding.name}", style="dim"))


def _summary(report: Report) -> str:
    total = len(report.findings)
    fixable = sum(1 for f in report.findings if report.fixable(f))
    hidden_unsafe = sum(
        1
        for f in report.findings
        if f.fix is not None and not report.fixable(f) and f.fix.applicability.value == "unsafe"
    )
    with_findings = len({f.path for f in report.findings})
    parts = [
        f"Found {total} finding{'s' if total != 1 else ''} in {with_findings} of {report.files_scanned} files"
    ]
    if report.fixed:
        parts.append(f"({report.fixed} fixed, {total} remaining)")
    text = " ".join(parts) + "."
    if fixable:
        text += f"\n[*] {fixable} fixable with `factorscan --fix`."
    if hidden_unsafe:
        text += f"\n{hidden_unsafe} more fixable with `--fix --unsafe-fixes`."
    return text


def _statistics(console: Console, report: Report) -> None:
    counts = Counter((f.code, f.name) for f in report.findings)
    fixable = {f.code for f in report.findings if report.fixable(f)}
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = "[*]" if code in fixable else "   "
        console.print(f"{count:>5}  {code}  {marker} {name}", markup=False)


def write(report: Report, stream: TextIO) -> None:
    console = _console(report, stream)
    if report.statistics:
        _statistics(console, report)
    else:
        for path, findings in groupby(report.findings, key=lambda f: f.path):
            console.print(Text(path, style="bold underline"))
            for finding in findings:
                _write_finding(console, report, finding)
            console.print()
    if report.quiet:
        return
    if not report.findings and report.behaviour_changes:
        console.print(
            f"Fixed {report.fixed} finding{'s' if report.fixed != 1 else ''}; {report.behaviour_changes} of "
            f"the fixes changed behaviour (listed above): set the variables they name where needed "
            f"({report.files_scanned} files).",
            markup=False,
        )
        return
    if not report.findings:
        fixed = f"Fixed {report.fixed} finding{'s' if report.fixed != 1 else ''}; " if report.fixed else ""
        console.print(Text(f"{fixed}All checks passed ({report.files_scanned} files).", style="green"))
        return
    console.print(_summary(report), markup=False)
    console.print()
    table = Table(title="Twelve-factor scorecard", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Factor")
    table.add_column("", no_wrap=True)
    table.add_column("Findings", justify="right")
    table.add_column("Worst")
    for row in scorecard(report.findings):
        status = (
            Text("ok", style="green")
            if not row.findings
            else Text(
                row.worst.value if row.worst else "",
                style=_SEVERITY_STYLE.get(row.worst, "") if row.worst else "",
            )
        )
        table.add_row(row.factor.numeral, row.factor.title, str(row.findings), status)
    console.print(table)
