"""A fix as whole lines: the fixed text of exactly the finding's lines.

GitHub suggestion blocks (via reviewdog) and the markdown report's diffs
replace whole lines. Edits outside the finding's lines (an `import sys` the
fix adds at the top) cannot go into such a block; they are returned apart so
the reporter can say so. A finding that holds a secret never yields text in
which the secret survives.
"""

from __future__ import annotations

from dataclasses import dataclass

from factorscan.findings import Edit, Finding
from factorscan.source import SourceDecodeError, SourceFile


@dataclass(frozen=True)
class LineSuggestion:
    first_row: int
    last_row: int  # inclusive
    original: str  # the text of those lines, `\n` between them, no final line break
    fixed: str  # their text with the fix applied, likewise
    outside: tuple[Edit, ...]  # edits of the fix outside those lines (import insertions)


def finding_rows(finding: Finding) -> tuple[int, int]:
    """First and last (inclusive) row the finding covers."""
    last = finding.end_location.row
    if last > finding.location.row and finding.end_location.column == 1:
        last -= 1  # an exclusive end at the start of a line does not cover it
    return finding.location.row, max(last, finding.location.row)


def secret_text(finding: Finding, source: SourceFile) -> str:
    """The secret a sensitive finding spans, without its quotes."""
    start, end = source.offset(finding.location), source.offset(finding.end_location)
    value = source.text[start:end]
    if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
        value = value.strip(value[0])
    return value


def line_suggestion(finding: Finding, source: SourceFile | None) -> LineSuggestion | None:
    """The whole-line form of the finding's fix, or None when it has none that fits."""
    if finding.fix is None or source is None:
        return None
    try:
        text = source.text
    except SourceDecodeError:
        return None
    first, last = finding_rows(finding)
    if last > len(source.line_starts):
        return None
    block_start = source.line_starts[first - 1]
    block_end = source.line_starts[last - 1] + len(source.line(last))
    inside: list[Edit] = []
    outside: list[Edit] = []
    for edit in finding.fix.edits:
        start, end = source.offset(edit.location), source.offset(edit.end_location)
        if block_start <= start and end <= block_end:
            inside.append(edit)
        elif end <= block_start or start >= block_end:
            outside.append(edit)
        else:
            return None  # straddles the finding's lines
    if not inside:
        return None
    original = text[block_start:block_end]
    fixed = original
    for edit in sorted(inside, key=lambda e: (e.location, e.end_location), reverse=True):
        start = source.offset(edit.location) - block_start
        end = source.offset(edit.end_location) - block_start
        fixed = fixed[:start] + edit.content + fixed[end:]
    original, fixed = _unix_newlines(original), _unix_newlines(fixed)
    if finding.sensitive:
        secret = secret_text(finding, source)
        leaked = secret and (secret in fixed or any(secret in edit.content for edit in outside))
        if leaked:
            return None
    return LineSuggestion(first, last, original, fixed, tuple(outside))


def _unix_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def describe_outside(suggestion: LineSuggestion) -> str:
    """`also adds \\`import sys\\` at line 3` for the edits a line suggestion leaves out."""
    parts = []
    for edit in suggestion.outside:
        content = edit.content.strip()
        if edit.location == edit.end_location and content:
            parts.append(f"adds `{content}` at line {edit.location.row}")
        else:
            parts.append(f"changes line {edit.location.row}")
    return "the fix also " + " and ".join(parts)
