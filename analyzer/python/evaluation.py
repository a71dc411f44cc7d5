"""Constants computed at import time, inferred with astroid.

`PORT = BASE_PORT + 1`, `DB = DATA_DIR + "/app.db"` or
`URL = f"redis://{HOST}:6379"` are as fixed as a literal, yet neither the
import table nor a one-level `ast` lookup can tell their value. astroid
infers them without running anything.

It is the fallback, never the first step: its first use in a process costs
about 0.65 s (importing it and modelling `builtins`) against about 1 ms for
the literal lookups in `factorscan.python.inference`, so it runs only for a module
constant bound to an expression, and each answer is remembered per file
version. Only expressions of literals, operators and names bound the same
way in the same module are inferred, so astroid never reads another file;
a value that depends on anything else (the environment, a call, an import,
a name bound twice) is not a constant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# (file, mtime, name) -> (value, line) or None
_answers: dict[tuple[Path, float, str], tuple[int | str, int] | None] = {}
_manager: Any = None
# How many names deep a constant may be built (`PORT = BASE + OFFSET`, `BASE = 8000`).
_NAME_DEPTH = 4


def module_constant(path: Path, name: str, root: Path) -> tuple[int | str, int] | None:
    """The single int or str value `name` is bound to at the top of the module at `path`,
    with the line of its binding; None when it is not one fixed value."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = (path, mtime, name)
    if key not in _answers:
        _answers[key] = _infer(path, name, root)
    return _answers[key]


def _astroid_manager() -> Any:
    global _manager  # noqa: PLW0603 - one manager per process, built on first need
    if _manager is None:
        from astroid.manager import AstroidManager

        _manager = AstroidManager()
        # Never import a compiled module to learn about it: scanned code is not run.
        _manager.always_load_extensions = False
    return _manager


def _module_name(path: Path, root: Path) -> str:
    try:
        parts = list(path.with_suffix("").relative_to(root).parts)
    except ValueError:
        return path.stem
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or path.stem


def _infer(path: Path, name: str, root: Path) -> tuple[int | str, int] | None:
    from astroid import nodes
    from astroid.util import UninferableBase

    manager = _astroid_manager()
    modname = _module_name(path, root)
    try:
        module = manager.ast_from_file(str(path), modname, source=True)
        statement = _single_assignment(module, name)
        if statement is None or not _fixed_shape(statement.value, module, _NAME_DEPTH):
            return None
        values = []
        for inferred in module.igetattr(name):
            if isinstance(inferred, UninferableBase) or not isinstance(inferred, nodes.Const):
                return None
            values.append(inferred.value)
            if len(values) > 1:
                return None
    except Exception:  # astroid tripping on odd code is a limit of the analysis, never a crash
        return None
    finally:
        manager.astroid_cache.pop(modname, None)  # the file may change before the next question
    if len(values) != 1 or isinstance(values[0], bool) or not isinstance(values[0], (int, str)):
        return None
    return values[0], statement.lineno or 1


def _single_assignment(module: Any, name: str) -> Any:
    """The one top-level `name = value` statement binding `name` in `module`, else None."""
    from astroid import nodes

    bindings = module.locals.get(name, [])
    if len(bindings) != 1 or not isinstance(bindings[0], nodes.AssignName):
        return None
    statement = bindings[0].parent
    if not isinstance(statement, (nodes.Assign, nodes.AnnAssign)) or statement.parent is not module:
        return None
    return statement


def _fixed_shape(node: Any, module: Any, depth: int) -> bool:
    """Built only of int and str literals, operators, f-strings and names bound the same
    way in this module: nothing that would send astroid to another file."""
    from astroid import nodes

    if isinstance(node, nodes.Const):
        return isinstance(node.value, (int, str)) and not isinstance(node.value, bool)
    if isinstance(node, nodes.BinOp):
        return _fixed_shape(node.left, module, depth) and _fixed_shape(node.right, module, depth)
    if isinstance(node, nodes.UnaryOp):
        return _fixed_shape(node.operand, module, depth)
    if isinstance(node, nodes.JoinedStr):
        return all(
            isinstance(part, nodes.Const)
            or (isinstance(part, nodes.FormattedValue) and _fixed_shape(part.value, module, depth))
            for part in node.values
        )
    if isinstance(node, nodes.Name) and depth > 0:
        statement = _single_assignment(module, node.name)
        return statement is not None and _fixed_shape(statement.value, module, depth - 1)
    return False
