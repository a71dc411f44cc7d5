"""Per-phase CPU time and counters for `--profile`: where a scan spends its time.

Off by default; when off, `phase()` costs one global lookup. Phases are timed
in CPU seconds (`time.process_time`), not wall time: the machine may be shared,
and CPU time is what a change to factorscan moves. Worker processes keep their
own totals and send them back with their results, so per-file phases are CPU
seconds summed over all processes. Counters (`count`) add up amounts such as
the bytes libcst parsed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

# Phase or counter name -> CPU seconds or amount; None when profiling is off.
_totals: dict[str, float] | None = None

PHASES = (
    "discovery",
    "read + hash + cache",
    "prefilter",
    "parse (ast)",
    "parse (libcst)",
    "call facts (ast)",
    "traversal",
    "positions + fixes",
    "file rules",
    "project rules",
    "reviews",
    "reporting",
)
# The coarse groups bench.py reports per case; whatever no phase covers is start-up
# (imports, settings, the rule registry).
GROUPS = {
    "discovery": ("discovery", "read + hash + cache"),
    "parse": ("prefilter", "parse (ast)", "parse (libcst)"),
    "rules": ("call facts (ast)", "traversal", "positions + fixes", "file rules", "project rules", "reviews"),
    "output": ("reporting",),
}
COUNTERS = ("files parsed (ast)", "files parsed (libcst)", "bytes parsed (libcst)")


def enable() -> None:
    global _totals  # noqa: PLW0603 - one switch per process
    _totals = {}


def enabled() -> bool:
    return _totals is not None


@contextmanager
def _timed(name: str) -> Iterator[None]:
    start = time.process_time()
    try:
        yield
    finally:
        if _totals is not None:
            _totals[name] = _totals.get(name, 0.0) + time.process_time() - start


def phase(name: str) -> AbstractContextManager[None]:
    return _timed(name) if _totals is not None else nullcontext()


def count(name: str, amount: int = 1) -> None:
    if _totals is not None:
        _totals[name] = _totals.get(name, 0) + amount


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


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker pool)."""
    try:
        import resource
    except ImportError:  # Windows: this process only
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def report(wall: float) -> str:
    """The table `--profile` prints: CPU seconds per phase, per group, the counters."""
    totals = dict(_totals or {})
    counters = {name: int(totals.pop(name)) for name in COUNTERS if name in totals}
    cpu = cpu_seconds()
    lines = [f"{'phase (CPU seconds)':<24} {'seconds':>12}"]
    for name in PHASES:
        if name in totals:
            lines.append(f"{name:<24} {totals[name]:>12.3f}")
    others = sorted(name for name in totals if name not in PHASES)
    lines += [f"{name:<24} {totals[name]:>12.3f}" for name in others]
    covered = 0.0
    for group, names in GROUPS.items():
        seconds = sum(totals.get(name, 0.0) for name in names)
        covered += seconds
        lines.append(f"{'group ' + group:<24} {seconds:>12.3f}")
    lines.append(f"{'group start-up + other':<24} {max(cpu - covered, 0.0):>12.3f}")
    lines += [f"{name:<24} {value:>12d}" for name, value in counters.items()]
    lines.append(f"{'cpu (whole run)':<24} {cpu:>12.3f}")
    lines.append(f"{'wall (whole run)':<24} {wall:>12.3f}")
    return "\n".join(lines)
