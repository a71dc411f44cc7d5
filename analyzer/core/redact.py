"""Showing secrets without revealing them: at most a 4-character prefix and the length."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from factorscan.core.source import SourceDecodeError

if TYPE_CHECKING:
    from factorscan.core.findings import Finding
    from factorscan.core.source import SourceFile

PREFIX = 4


def redact(value: str) -> str:
    """`sk_l…(32 chars)`: enough to recognise a value, never enough to use it.

    Short values show no prefix at all, so a 6-character password does not
    lose two thirds of itself.
    """
    if len(value) < 12:
        return f"…({len(value)} chars)"
    return f"{value[:PREFIX]}…({len(value)} chars)"


def mask_span(line: str, start: int, end: int) -> str:
    """`line` with the code points [start, end) replaced by a redaction."""
    start = max(0, min(start, len(line)))
    end = max(start, min(end, len(line)))
    if start == end:
        return line
    hidden = line[start:end]
    quote = hidden[0] if hidden[0] in "'\"" and hidden[-1] == hidden[0] else ""
    inner = hidden[1:-1] if quote else hidden
    return f"{line[:start]}{quote}{redact(inner)}{quote}{line[end:]}"


def secret_values(findings: Iterable[Finding], source: SourceFile) -> list[str]:
    """The secrets that sensitive findings in `source` span, without quotes, longest first."""
    values = set()
    for finding in findings:
        if not finding.sensitive or finding.path != source.display_path:
            continue
        try:
            start, end = source.offset(finding.location), source.offset(finding.end_location)
            value = source.text[start:end]
        except SourceDecodeError:
            continue
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value.strip(value[0])
        if value:
            values.add(value)
    return sorted(values, key=len, reverse=True)


def mask_values(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret replaced by its redaction.

    Used wherever code is echoed beyond a finding's own span (diffs, fix
    suggestions, neighbouring findings on the same line).
    """
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, redact(secret))
    return text
