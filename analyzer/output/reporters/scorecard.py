"""The twelve-factor scorecard: findings and worst severity per factor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from factorscan.core.findings import FACTORS, Factor, Finding, Severity

if TYPE_CHECKING:
    from factorscan.checks.base import Rule


@dataclass
class ScorecardRow:
    factor: Factor
    findings: int
    worst: Severity | None
    checked: bool = True  # False: no enabled rule looks at this factor

    @property
    def status(self) -> str:
        """What the Worst column says: a severity, "ok", or "not checked"."""
        if self.worst is not None:
            return self.worst.value
        return "ok" if self.checked else "not checked"


def scorecard(findings: Iterable[Finding], rules: Iterable[type[Rule]] = ()) -> list[ScorecardRow]:
    """One row per factor I-XII, plus a General row when files failed to parse.

    A factor none of `rules` belongs to was not looked at, so it is "not
    checked" rather than "ok" (with no rules given, every factor counts as checked).
    """
    counts: dict[int, int] = {}
    worst: dict[int, Severity] = {}
    for finding in findings:
        number = finding.factor.number
        counts[number] = counts.get(number, 0) + 1
        if number not in worst or finding.severity.rank > worst[number].rank:
            worst[number] = finding.severity
    enabled = {rule.factor().number for rule in rules}
    return [
        ScorecardRow(
            factor,
            counts.get(factor.number, 0),
            worst.get(factor.number),
            checked=not enabled or factor.number in enabled or factor.number in counts,
        )
        for factor in FACTORS
        if factor.number or counts.get(0)
    ]
