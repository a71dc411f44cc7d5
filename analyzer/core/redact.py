"""Showing secrets without revealing them: at most a 4-character prefix and the length."""

from __future__ import annotations

import re
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


# A string literal's prefix and opening quotes; triple quotes before single ones.
_QUOTES = ("'''", '"""', "'", '"')
_STRING_START = re.compile("(?i)^(?:[rbuf]|br|rb|fr|rf)?(" + "|".join(map(re.escape, _QUOTES)) + ")")


def string_contents(code: str) -> tuple[int, int]:
    """Where the characters of a string literal's value start and end in `code`: past
    its prefix and opening quotes (`r"`, `\"\"\"`) and before its closing ones. The
    whole of `code` when it is not one literal."""
    match = _STRING_START.match(code)
    if match is None:
        return 0, len(code)
    quote = match.group(1)
    start, end = match.end(), len(code) - len(quote)
    if end < start or not code.endswith(quote):
        return 0, len(code)
    return start, end


def mask_span(line: str, start: int, end: int) -> str:
    """`line` with the code points [start, end) redacted; a string literal keeps its delimiters."""
    start = max(0, min(start, len(line)))
    end = max(start, min(end, len(line)))
    if start == end:
        return line
    inner_start, inner_end = string_contents(line[start:end])
    return mask_offsets(line, [(start + inner_start, start + inner_end)])


def mask_offsets(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with exactly the code points of each [start, end) replaced by its redaction."""
    for begin, finish in sorted(spans, reverse=True):
        start, end = max(0, begin), min(len(text), finish)  # clipped to `text`, one line of a longer span
        if start < end:
            text = f"{text[:start]}{redact(text[start:end])}{text[end:]}"
    return text


def secret_offsets(finding: Finding, source: SourceFile) -> list[tuple[int, int]]:
    """Offsets in `source.text` of the secret characters a sensitive finding points at.

    Exactly the spans the rule named (`Finding.secrets`: a password inside a
    URL, a password beside the host a finding is about); otherwise the value
    of the string literal the finding spans, without its quotes.
    """
    if finding.secrets:
        return [(source.offset(start), source.offset(end)) for start, end in finding.secrets]
    if not finding.sensitive:
        return []
    start, end = source.offset(finding.location), source.offset(finding.end_location)
    inner_start, inner_end = string_contents(source.text[start:end])
    return [(start + inner_start, start + inner_end)]


def secret_values(findings: Iterable[Finding], source: SourceFile) -> list[str]:
    """The secrets that sensitive findings in `source` point at, longest first."""
    values: set[str] = set()
    for finding in findings:
        if finding.path != source.display_path:
            continue
        try:
            values.update(source.text[start:end] for start, end in secret_offsets(finding, source))
        except SourceDecodeError:
            continue
    values.discard("")
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
