"""The terminal format: findings grouped by file with their source line and a
caret, a summary, and the twelve-factor scorecard. Colour on a TTY, plain
when piped or when NO_COLOR is set."""

from __future__ import annotations

import os
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from factorscan.core.findings import Finding, Severity
from factorscan.core.redact import mask_offsets, mask_values, secret_offsets
from factorscan.core.source import SourceDecodeError
from factorscan.output.reporters import FIXABLE, UNSAFE_FIXABLE, Report, statistics_lines
from factorscan.output.reporters.scorecard import scorecard
from factorscan.output.wording import in_files, plural

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
    """The finding's lines (at most 4), with exactly the secret characters masked."""
    source = report.sources.get(finding.path)
    if source is None:
        return []
    try:
        last = finding.end_location.row if finding.end_location.column > 1 else finding.end_location.row - 1
        rows = range(finding.location.row, max(finding.location.row, last) + 1)
        lines = [(row, source.line(row)) for row in rows][:4]
        own = secret_offsets(finding, source)
    except SourceDecodeError:
        return []
    masked = []
    for row, line in lines:
        start = source.line_starts[row - 1]
        masked.append((row, mask_offsets(line, [(begin - start, end - start) for begin, end in own])))
    # Other findings' secrets on the same lines are hidden too.
    secrets = report.secrets(finding.path)
    return [(row, mask_values(line, secrets)) for row, line in masked]


def _write_finding(console: Console, report: Report, finding: Finding) -> None:
    header = Text()
    header.append(f"{finding.location.row}:{finding.location.column}", style="dim")
    header.append("  ")
    header.append(finding.code, style=_SEVERITY_STYLE[finding.severity])
    marker = report.marker(finding)
    if marker:
        header.append(f" {marker}", style="green" if marker == FIXABLE else "yellow")
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
    line = lines[0][1]
    start = finding.location.column - 1
    end = finding.end_location.column - 1 if finding.end_location.row == finding.location.row else len(line)
    # The caret stays true while no mask falls before or under it.
    if len(lines) == 1 and report.sources[finding.path].line(lines[0][0])[:end] == line[:end]:
        caret = Text(f"  {'':>{gutter}} │ " + " " * start, style="blue")
        caret.append("^" * max(1, end - start), style=_SEVERITY_STYLE[finding.severity])
        caret.append(f" {finding.name}", style="dim")
        console.print(caret)
    else:
        console.print(Text(f"  {'':>{gutter}} └ {finding.name}", style="dim"))


def _summary(report: Report) -> str:
    """The last lines: how many findings where, what was fixed or hidden, what can be fixed."""
    total = len(report.findings)
    where = in_files(len({f.path for f in report.findings}), report.files_scanned)
    if report.fixed:
        text = f"Fixed {plural(report.fixed, 'finding')}; {total} remaining {where}"
    else:
        text = f"Found {plural(total, 'finding')} {where}"
    if report.hidden_by_baseline:
        text += f" ({report.hidden_by_baseline} more hidden by the baseline)"
    text += "."
    fixable = sum(1 for f in report.findings if report.fixable(f))
    unsafe = sum(1 for f in report.findings if report.needs_unsafe_fixes(f))
    if fixable:
        text += f"\n{FIXABLE} {fixable} fixable with `factorscan --fix`."
    if unsafe:
        text += f"\n{UNSAFE_FIXABLE} {unsafe} more fixable with `--fix --unsafe-fixes`."
    return text


def _write_templated(console: Console, report: Report) -> None:
    if report.templated_files:
        console.print(
            f"{plural(report.templated_files, 'templated file')} (Jinja, cookiecutter) not checked.",
            markup=False,
            style="dim",
        )


def _all_passed(report: Report) -> str:
    text = f"All checks passed ({plural(report.files_scanned, 'file')}"
    if report.hidden_by_baseline:
        text += f"; {plural(report.hidden_by_baseline, 'finding')} hidden by the baseline"
    text += ")."
    return f"Fixed {plural(report.fixed, 'finding')}; {text}" if report.fixed else text


def _scorecard_table(report: Report) -> Table:
    table = Table(title="Twelve-factor scorecard", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Factor")
    table.add_column("", no_wrap=True)
    table.add_column("Findings", justify="right")
    table.add_column("Worst")
    for row in scorecard(report.findings, report.rules):
        style = _SEVERITY_STYLE[row.worst] if row.worst else "green" if row.checked else "dim"
        table.add_row(row.factor.numeral, row.factor.title, str(row.findings), Text(row.status, style=style))
    return table


def write(report: Report, stream: TextIO) -> None:
    """Findings (or --statistics), the scorecard, then the summary last, each block apart."""
    console = _console(report, stream)
    if report.statistics:
        for line in statistics_lines(report):
            console.print(line, markup=False)
        if report.findings and not report.quiet:
            console.print()
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
        console.print(Text(_all_passed(report), style="green"))
        _write_templated(console, report)
        return
    console.print(_scorecard_table(report))
    console.print()
    console.print(_summary(report), markup=False)
    _write_templated(console, report)
