"""Helpers shared by the disposability rules."""

from __future__ import annotations

SIGTERM_NAMES = frozenset({"signal.SIGTERM", "signal.Signals.SIGTERM"})
