"""Suppression comments and per-file ignores.

- `# noqa` / `# noqa: FS0301, FS11` on the reported line, or on the first
  line of the statement the finding sits in;
- `# factorscan: noqa` on a line of its own: the whole file (optionally
  `# factorscan: noqa: FS0301` for some codes only);
- `# factorscan: ignore=FS0903` on the line before (Dockerfiles, where `#`
  only starts a comment at the beginning of a line, and any other file).

Codes match by prefix, as in flake8: `# noqa: FS03` covers FS0301.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pathspec

from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile

_CODE_LIST = r"[A-Za-z]+[0-9]*(?:[\s,]+[A-Za-z]+[0-9]*)*"
NOQA_COMMENT = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODE_LIST}))?", re.IGNORECASE)
_FILE_NOQA = re.compile(
    rf"^[ \t]*#[ \t]*factorscan:[ \t]*noqa(?::[ \t]*(?P<codes>{_CODE_LIST}))?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_IGNORE_NEXT = re.compile(rf"^\s*#\s*factorscan:\s*ignore\s*=\s*(?P<codes>{_CODE_LIST})", re.IGNORECASE)

ALL = frozenset({"*"})


def _codes(text: str | None) -> frozenset[str]:
    if not text:
        return ALL
    return frozenset(code.upper() for code in re.split(r"[\s,]+", text.strip()) if code)


def _covers(codes: frozenset[str], code: str) -> bool:
    return codes is ALL or any(code.startswith(prefix) for prefix in codes)


class Suppressions:
    """The suppression comments of one file."""

    def __init__(self, source: SourceFile, inline: bool = True) -> None:
        self.source = source
        self.inline = inline
        text = source.text
        self.file_codes: frozenset[str] | None = None
        for match in _FILE_NOQA.finditer(text):
            codes = _codes(match.group("codes"))
            self.file_codes = (
                ALL if codes is ALL or self.file_codes is ALL else (self.file_codes or frozenset()) | codes
            )

    def _line_codes(self, row: int) -> frozenset[str] | None:
        match = NOQA_COMMENT.search(self.source.line(row))
        return _codes(match.group("codes")) if match else None

    def suppresses(self, finding: Finding) -> bool:
        if self.file_codes is not None and _covers(self.file_codes, finding.code):
            return True
        if self.inline:
            rows = {finding.location.row}
            if finding.statement_row is not None:
                rows.add(finding.statement_row)
            for row in rows:
                codes = self._line_codes(row)
                if codes is not None and _covers(codes, finding.code):
                    return True
        previous = _IGNORE_NEXT.match(self.source.line(finding.location.row - 1))
        return previous is not None and _covers(_codes(previous.group("codes")), finding.code)


class PerFileIgnores:
    """`per-file-ignores = {"tests/**" = ["FS03"]}` from the settings."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.entries = [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), frozenset(code.upper() for code in codes))
            for pattern, codes in table.items()
        ]

    def ignores(self, relative_path: str, code: str) -> bool:
        return any(spec.match_file(relative_path) and _covers(codes, code) for spec, codes in self.entries)


def filter_findings(findings: Iterable[Finding], suppressions: Suppressions | None) -> list[Finding]:
    if suppressions is None:
        return list(findings)
    return [finding for finding in findings if not suppressions.suppresses(finding)]
