"""Helpers shared by the processes rules."""

from __future__ import annotations

from factorscan.python.config_values import NON_PRODUCTION_CLASS
from factorscan.python.handlers import Handler, is_non_production_settings
from factorscan.python.traversal import FileContext


def non_production(context: FileContext) -> bool:
    """Development/test settings modules and Dev/Test config classes (tests are never parsed)."""
    if is_non_production_settings(context.relative_path):
        return True
    scope = context.enclosing_class()
    return scope is not None and bool(NON_PRODUCTION_CLASS.search(scope.name.value))


def request_handler(context: FileContext) -> Handler | None:
    handler = context.enclosing_handler()
    return handler if handler is not None and handler.is_request else None
