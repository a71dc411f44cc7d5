"""Constants computed at import time, inferred with astroid.

`PORT = BASE_PORT + 1`, `DB = DATA_DIR + "/app.db"` or
`URL = f"redis://{HOST}:6379"` are as fixed as a literal, yet neither the
import table nor a one-level `ast` lookup can tell their value. astroid
infers them without running anything.

It is the fallback, never the first step: its first use in a process costs
about 0.65 s (importing it and modelling `builtins`) against about 1 ms for
the literal lookups in `factorscan.inference`, so it runs only for a module
constant bound to an expression, and each answer is remembered per file
version. A value that depends on anything astroid cannot pin down (the
environment, a call, a name bound twice) is not a constant.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# (file, mtime, name) -> (value, line) or None
_answers: dict[tuple[Path, float, str], tuple[int | str, int] | None] = {}
_manager: Any = None


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


@contextmanager
def _searching(root: Path) -> Iterator[None]:
    """Let astroid find the project's own modules (`from app.config import PORT`)
    the way the app would, and forget them afterwards (they may change)."""
    manager = _astroid_manager()
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        prefix = str(root)
        for name, module in list(manager.astroid_cache.items()):
            if (getattr(module, "file", None) or "").startswith(prefix):
                del manager.astroid_cache[name]


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
    from astroid.exceptions import AstroidError
    from astroid.util import UninferableBase

    manager = _astroid_manager()
    with _searching(root):
        try:
            module = manager.ast_from_file(str(path), _module_name(path, root), source=True)
            bindings = module.locals.get(name, [])
            if len(bindings) != 1:
                return None
            values = []
            for inferred in module.igetattr(name):
                if isinstance(inferred, UninferableBase) or not isinstance(inferred, nodes.Const):
                    return None
                values.append(inferred.value)
                if len(values) > 1:
                    return None
        except (AstroidError, RecursionError, SyntaxError, ValueError, OSError):
            return None
        except Exception:  # a brain plugin tripping on odd code is a limit, never the user's crash
            return None
    if len(values) != 1 or isinstance(values[0], bool) or not isinstance(values[0], (int, str)):
        return None
    return values[0], bindings[0].lineno or 1
