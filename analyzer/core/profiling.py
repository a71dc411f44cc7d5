"""Per-phase timings for `--profile`: where a scan spends its time.

Off by default; when off, `phase()` costs one global lookup. Worker processes
keep their own totals and send them back with their results, so the figures
for per-file phases are CPU seconds summed over all processes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

# Phase name -> seconds; None when profiling is off.
_totals: dict[str, float] | None = None

PHASES = (
    "discovery",
    "read + hash + cache",
    "prefilter",
    "parse (ast)",
    "parse (libcst)",
    "traversal",
    "positions + fixes",
    "file rules",
    "project rules",
    "reporting",
)


def enable() -> None:
    global _totals  # noqa: PLW0603 - one switch per process
    _totals = {}


def enabled() -> bool:
    return _totals is not None


@contextmanager
def _timed(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        if _totals is not None:
            _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


def phase(name: str) -> AbstractContextManager[None]:
    return _timed(name) if _totals is not None else nullcontext()


def take() -> dict[str, float]:
    """The totals so far, reset to zero (workers send these with each batch)."""
    global _totals
    if _totals is None:
        return {}
    totals, _totals = _totals, {}
    return totals


def merge(totals: dict[str, float]) -> None:
    if _totals is not None:
        for name, seconds in totals.items():
            _totals[name] = _totals.get(name, 0.0) + seconds


def report(wall: float) -> str:
    totals = dict(_totals or {})
    lines = [f"{'phase':<22} {'seconds':>9}"]
    for name in PHASES:
        if name in totals:
            lines.append(f"{name:<22} {totals.pop(name):>9.3f}")
    lines += [f"{name:<22} {seconds:>9.3f}" for name, seconds in sorted(totals.items())]
    lines.append(f"{'wall (whole run)':<22} {wall:>9.3f}")
    return "\n".join(lines)
