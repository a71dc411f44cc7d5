"""Showing secrets without revealing them: at most a 4-character prefix and the length."""

from __future__ import annotations

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
