"""Deferred imports: a module imported by name but first used, if at all, later in the run.

libcst takes about 0.25 s to import, a third of a run whose files are all cached
(issue 19). Every rule module imports it, so the command line puts a stand-in
in `sys.modules` before anything imports it: `import libcst as cst` binds the
stand-in, and its first attribute lookup (`cst.parse_module`, `cst.Name`)
imports the real module and copies its namespace in. A module must then not use
libcst at import time (a class built on a libcst base, a tuple of node types):
those wait in a function until a file is parsed.

`importlib.util.LazyLoader` cannot do this before Python 3.12: the `import`
statement itself reads `__spec__` on the module it finds, which loads it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from typing import Any


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute it lacks is asked for."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # import machinery probing, copy.copy, pickle...
        return getattr(resolve(self.__name__), name)


def defer(name: str) -> None:
    """Import `name` on first use rather than now (nothing if it is imported already)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    stand_in.__loader__ = spec.loader
    sys.modules[name] = stand_in


def resolve(name: str) -> types.ModuleType:
    """The real module `name`, imported now if a stand-in held its place."""
    current = sys.modules.get(name)
    if not isinstance(current, _Deferred):
        return importlib.import_module(name)
    del sys.modules[name]
    try:
        module = importlib.import_module(name)
    except BaseException:
        sys.modules[name] = current
        raise
    # Modules that bound the stand-in see the real namespace from now on. The stand-in
    # then becomes a plain module: a module subclass with `__getattr__` takes the slow
    # attribute path on every lookup (a few percent of a cold scan's CPU: `cst.Name` in
    # every isinstance), while a module's own `__getattr__` (PEP 562) is asked only on a
    # miss, for what the real module gains later (`libcst.metadata` once imported).
    stand_in: types.ModuleType = current
    stand_in.__dict__.update({key: value for key, value in module.__dict__.items() if key != "__name__"})
    stand_in.__dict__["__getattr__"] = functools.partial(getattr, module)
    stand_in.__class__ = types.ModuleType
    return module
