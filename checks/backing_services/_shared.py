"""Helpers shared by the backing services rules."""

from __future__ import annotations

from factorscan.python.services import CLIENTS, ClientSpec
from factorscan.python.targets import KEYWORD, POSITIONAL, Binding
from factorscan.python.traversal import FileContext

TEST_FILES = (
    "skipped, like settings modules for development, tests or CI, known by name (`settings/ci.py`, "
    "`local_settings.py`) or by a header that says so: they point at local services on purpose"
)


def argument_role(target: Binding, context: FileContext) -> tuple[ClientSpec, str] | None:
    """(client spec, role) when the literal is an argument a client takes as host, port, user..."""
    if target.call is None:
        return None
    spec = CLIENTS.get(context.qualified_name(target.call.func) or "")
    if spec is None:
        return None
    for keyword_name, (position, role) in spec.params.items():
        if (target.kind == KEYWORD and target.name == keyword_name) or (
            target.kind == POSITIONAL and position is not None and target.position == position
        ):
            return spec, role
    return None
