"""Counts in sentences: `1 file`, `2 files`."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and the noun in the right number: plural(1, "finding") is "1 finding"."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def in_files(with_findings: int, scanned: int) -> str:
    """Where findings are: "in 1 file", "in all 11 files", "in 5 of 11 files"."""
    if with_findings >= scanned:
        return (
            f"in {plural(with_findings, 'file')}" if with_findings == 1 else f"in all {with_findings} files"
        )
    return f"in {with_findings} of {plural(scanned, 'file')}"
