"""Helpers shared by the disposability rules."""

from __future__ import annotations

_SIGTERM_NAMES = frozenset({"signal.SIGTERM", "signal.Signals.SIGTERM"})
