"""Stable finding fingerprints, shared by the baseline, SARIF and GitLab formats.

A fingerprint is rule + repo-relative path + hash of the normalised source
line + occurrence index, never a line number, so inserting lines above a
finding does not churn it. The line is normalised by collapsing whitespace
(re-indenting is not a change) and, for findings that hold a secret, by
masking the secret first: no fingerprint is a hash of a secret value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from factorscan.core.discovery import relative_to_root
from factorscan.core.findings import Finding
from factorscan.core.redact import mask_offsets, mask_span
from factorscan.core.source import SourceDecodeError, SourceFile

_WHITESPACE = re.compile(r"\s+")


def normalised_line(finding: Finding, source: SourceFile | None) -> str:
    """The finding's first line, secret masked, whitespace collapsed."""
    if source is None:
        return ""
    try:
        line = source.line(finding.location.row)
    except SourceDecodeError:
        return ""
    if finding.secrets:
        start = source.line_starts[finding.location.row - 1]
        spans = [(source.offset(begin) - start, source.offset(end) - start) for begin, end in finding.secrets]
        line = mask_offsets(line, spans)
    elif finding.sensitive:  # as before exact secret spans existed, so that baselines stay valid
        end = (
            finding.end_location.column - 1 if finding.end_location.row == finding.location.row else len(line)
        )
        line = mask_span(line, finding.location.column - 1, end)
    return _WHITESPACE.sub(" ", line).strip()


def line_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    path: str  # relative to the project root, POSIX separators
    line_hash: str  # hash of the normalised line (and the finding's fingerprint hint)
    occurrence: int  # 0 for the first finding of this rule on such a line in the file, then 1...
    value: str  # hash of everything above and the rule code

    @property
    def primary_location_line_hash(self) -> str:
        """GitHub code scanning's `primaryLocationLineHash` shape: `hash:occurrence` (1-based)."""
        return f"{self.line_hash}:{self.occurrence + 1}"


def fingerprints(
    findings: Sequence[Finding], sources: Mapping[str, SourceFile], root: Path
) -> list[Fingerprint]:
    """One fingerprint per finding, in the order given.

    Occurrence indexes count findings of one rule on identical lines of one
    file in source order, so two equal lines keep distinct fingerprints.
    """
    seen: dict[tuple[str, str, str], int] = {}
    order = sorted(range(len(findings)), key=lambda index: findings[index].sort_key)
    result: list[Fingerprint | None] = [None] * len(findings)
    for index in order:
        finding = findings[index]
        path = relative_to_root(Path(finding.path).absolute(), root)
        normalised = normalised_line(finding, sources.get(finding.path))
        hashed = line_hash(f"{normalised}\0{finding.fingerprint_hint}")
        key = (finding.code, path, hashed)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        value = hashlib.blake2b(
            f"{finding.code}\0{path}\0{hashed}\0{occurrence}".encode(), digest_size=16
        ).hexdigest()
        result[index] = Fingerprint(path, hashed, occurrence, value)
    return [fingerprint for fingerprint in result if fingerprint is not None]


def repository_root(start: Path) -> Path:
    """The git work tree holding `start` (a `.git` folder or file), else `start`.

    CI systems show paths relative to the repository, which can sit above
    the project root in a monorepo.
    """
    start = start.absolute()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def repo_relative(path: str, repository: Path) -> str:
    """A finding's path relative to the repository, POSIX separators."""
    return relative_to_root(Path(path).absolute(), repository)
