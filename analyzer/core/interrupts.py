"""Ctrl-C: held over steps that must not be cut in two, and what an interrupted fix had written."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """SIGINT blocked for the duration; one that arrives meanwhile is raised right after.

    Used while the process pool may fork workers (a Ctrl-C mid-fork would be raised
    inside an at-fork hook, where Python reports and drops it, or leave the pool half
    started so that exiting hangs on a worker; workers inherit the blocked signal and
    ignore it once started), and around each fixed file's write and its count, so the
    count an interrupted run reports is exact.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class FixInterrupted(KeyboardInterrupt):
    """Ctrl-C while fixed files were being written: how many were, out of how many."""

    def __init__(self, written: int, total: int) -> None:
        super().__init__(written, total)
        self.written = written
        self.total = total

    def __str__(self) -> str:
        return (
            f"interrupted after writing {self.written} of {self.total} fixed files; "
            f"the other {self.total - self.written} are untouched"
        )
