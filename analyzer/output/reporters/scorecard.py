"""The twelve-factor scorecard: findings and worst severity per factor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from factorscan.core.findings import FACTORS, Factor, Finding, Severity


@dataclass
class ScorecardRow:
    factor: Factor
    findings: int
    worst: Severity | None


def scorecard(findings: Iterable[Finding]) -> list[ScorecardRow]:
    """One row per factor I-XII, plus a General row when files failed to parse."""
    counts: dict[int, int] = {}
    worst: dict[int, Severity] = {}
    for finding in findings:
        number = finding.factor.number
        counts[number] = counts.get(number, 0) + 1
        if number not in worst or finding.severity.rank > worst[number].rank:
            worst[number] = finding.severity
    return [
        ScorecardRow(factor, counts.get(factor.number, 0), worst.get(factor.number))
        for factor in FACTORS
        if factor.number or counts.get(0)
    ]
