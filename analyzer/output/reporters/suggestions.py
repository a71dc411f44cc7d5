"""Fixes shown rather than applied: whole-line suggestions and small diffs.

A GitHub suggestion block (via reviewdog) replaces exactly the lines of the
comment, which are the finding's lines. A fix whose only edit elsewhere is
an added import (`import sys` at the top) is still suggested, and the
comment says which import to add; a fix that changes other lines too is
not suggested, since committing part of it would leave broken code.

Nothing here ever returns text in which the secret of a sensitive finding
survives.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from factorscan.core.findings import Edit, Finding
from factorscan.core.redact import mask_values
from factorscan.core.source import SourceDecodeError, SourceFile
from factorscan.fixing.fixes import apply_fixes

_IMPORT_LINE = re.compile(r"^(?:import|from)\s+[\w.]+")


@dataclass(frozen=True)
class LineSuggestion:
    first_row: int
    last_row: int  # inclusive
    original: str  # the text of those lines, `\n` between them, no final line break
    fixed: str  # their text with the fix applied, likewise
    imports: tuple[Edit, ...]  # import lines the fix also inserts elsewhere


def finding_rows(finding: Finding) -> tuple[int, int]:
    """First and last (inclusive) row the finding covers."""
    last = finding.end_location.row
    if last > finding.location.row and finding.end_location.column == 1:
        last -= 1  # an exclusive end at the start of a line does not cover it
    return finding.location.row, max(last, finding.location.row)


def _is_import_insertion(edit: Edit) -> bool:
    lines = [line.strip() for line in edit.content.splitlines() if line.strip()]
    is_insertion = edit.location == edit.end_location
    return is_insertion and bool(lines) and all(_IMPORT_LINE.match(line) for line in lines)


def line_suggestion(
    finding: Finding, source: SourceFile | None, secrets: Sequence[str] = ()
) -> LineSuggestion | None:
    """The whole-line form of the finding's fix, or None when it has none that fits.

    `secrets` are the file's secret values: a suggestion would publish the
    lines it replaces, so none is made when one of them would survive in it.
    """
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
    imports: list[Edit] = []
    for edit in finding.fix.edits:
        start, end = source.offset(edit.location), source.offset(edit.end_location)
        if block_start <= start and end <= block_end:
            inside.append(edit)
        elif (end <= block_start or start >= block_end) and _is_import_insertion(edit):
            imports.append(edit)
        else:
            return None  # the fix changes other lines: only `--fix` can apply it whole
    if not inside:
        return None
    original = text[block_start:block_end]
    fixed = original
    for edit in sorted(inside, key=lambda e: (e.location, e.end_location), reverse=True):
        start = source.offset(edit.location) - block_start
        end = source.offset(edit.end_location) - block_start
        fixed = fixed[:start] + edit.content + fixed[end:]
    original, fixed = _unix_newlines(original), _unix_newlines(fixed)
    if any(secret in fixed for secret in secrets):
        return None
    original = mask_values(original, secrets)
    return LineSuggestion(first, last, original, fixed, tuple(imports))


def _unix_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def describe_imports(suggestion: LineSuggestion) -> str:
    """`add \\`import sys\\` at line 3 too` for the imports a line suggestion leaves out."""
    parts = [
        f"`{'; '.join(line.strip() for line in edit.content.splitlines() if line.strip())}` "
        f"at line {edit.location.row}"
        for edit in suggestion.imports
    ]
    return "also add " + " and ".join(parts)


def fix_diff(finding: Finding, source: SourceFile | None, secrets: Sequence[str] = ()) -> str | None:
    """The fix as a unified diff of the lines it changes (one line of context), or None.

    Every secret of the file (`secrets`) is redacted wherever it appears.
    """
    if finding.fix is None or source is None:
        return None
    try:
        before = _unix_newlines(source.text)
        after = _unix_newlines(apply_fixes(source, [finding.fix]))
    except SourceDecodeError:
        return None
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), n=1, lineterm="")
    body = "\n".join(line for line in lines if not line.startswith(("---", "+++")))
    return mask_values(body, secrets) or None
