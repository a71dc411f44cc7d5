"""Server starts that may be a developer's own run rather than the app's service: a server
started in a `__main__` block, a debug server at module level, a server an admin command
starts, a server configuration module. The file alone cannot tell; rules record where such
a start sits (`StartNotes`), and `scan/dev_runs.py` judges it against the project's
deployment."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import NamedTuple

import libcst as cst

from factorscan.python.codemods import keyword
from factorscan.python.handlers import is_admin_script_path
from factorscan.python.nodes import is_main_guard
from factorscan.python.traversal import FileContext


class DevelopmentStart(NamedTuple):
    """Where a rule reported a server start (or its debug switch) that only the deployment can
    judge. `where` is "main" (a `__main__` block, `__main__.py`, a function the block calls),
    "module" (module level, with a development flag such as `debug=True`), "admin" (a management
    command or script), "config" (a module-level setting of a server configuration module) or
    "devcommand" (a function that says it is for development: `def develop()`, a CLI command
    registered as `"dev"`, a docstring "Runs a server for development")."""

    row: int
    column: int
    where: str


# Keywords that make a server start a developer's run when they are on.
_DEVELOPMENT_FLAGS = ("debug", "reload", "use_reloader", "use_debugger")


def has_development_flag(call: cst.Call) -> bool:
    """`app.run(debug=True)`, `uvicorn.run(..., reload=True)`: anything but a literal off."""
    for name in _DEVELOPMENT_FLAGS:
        arg = keyword(call, name)
        if arg is None:
            continue
        value = arg.value
        if isinstance(value, cst.Name) and value.value in ("False", "None"):
            continue
        if isinstance(value, cst.Integer) and value.value == "0":
            continue
        return True
    return False


def _main_block_calls(module: cst.Module) -> set[str]:
    """Names of the functions the `if __name__ == "__main__":` block calls directly."""
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.If) and is_main_guard(statement.test):
            pending: list[cst.CSTNode] = [statement.body]
            while pending:
                node = pending.pop()
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
                    names.add(node.func.value)
                pending.extend(node.children)
    return names


_DEVELOPMENT_WORDS = frozenset({"dev", "develop", "development", "devserver", "debug"})


def _development_function(function: cst.FunctionDef) -> bool:
    """Named, registered or documented as a development command."""
    texts = [function.name.value]
    for decorator in function.decorators:
        if isinstance(decorator.decorator, cst.Call):
            texts.extend(
                arg.value.evaluated_value
                for arg in decorator.decorator.args
                if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str)
            )
    docstring = function.get_docstring()
    if docstring:
        texts.append(docstring.splitlines()[0])
    return any(not _DEVELOPMENT_WORDS.isdisjoint(re.split(r"[^a-z]+", text.lower())) for text in texts)


def start_place(context: FileContext, call: cst.Call | None, *, config: bool = False) -> str | None:
    """Where the visited server start sits, when that may make it a development run."""
    if config:
        return "config"
    if is_admin_script_path(context.relative_path):
        return "admin"
    if context.in_main_block() or PurePosixPath(context.relative_path).name == "__main__.py":
        return "main"
    function = context.enclosing_function()
    if (
        function is not None
        and context.enclosing_class() is None
        and function.name.value in _main_block_calls(context.module)
    ):
        return "main"
    if context.at_module_level() and call is not None and has_development_flag(call):
        return "module"
    if function is not None and context.enclosing_class() is None and _development_function(function):
        return "devcommand"
    return None


class StartNotes:
    """The reported nodes of one file that sit where a development run may be, recorded as
    `DevelopmentStart` facts (with their positions) when the module's traversal ends."""

    def __init__(self) -> None:
        self._nodes: list[tuple[cst.CSTNode, str]] = []

    def note(
        self, context: FileContext, node: cst.CSTNode, call: cst.Call | None, *, config: bool = False
    ) -> None:
        where = start_place(context, call, config=config)
        if where is not None:
            self._nodes.append((node, where))
            context.note_statement(node)

    def record(self, context: FileContext) -> None:
        if not self._nodes:
            return
        spans = context.locations({node for node, _ in self._nodes})
        for node, where in self._nodes:
            if node in spans:
                start = spans[node][0]
                context.record_fact(DevelopmentStart(start.row, start.column, where))
