"""What the program asked for, recorded by the stub frameworks for the behaviour harness.

Every stub calls `record(kind, **fields)`; the runner dumps `EVENTS` as JSON when the
program is done. Values are made JSON-able here, so that two runs compare as data.
"""

from __future__ import annotations

import os
import sys

EVENTS: list[dict] = []
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def jsonable(value, depth=0):
    """A JSON-able picture of `value`: stubs describe themselves, other objects by type."""
    if depth > 8:
        return "<deep>"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (list, tuple)):
        return [jsonable(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(jsonable(item, depth + 1)) for item in value)
    if isinstance(value, dict):
        return {str(key): jsonable(item, depth + 1) for key, item in value.items()}
    describe = getattr(type(value), "__fixharness__", None)
    if describe is not None:
        return jsonable(describe(value), depth + 1)
    if value is sys.stdout or value is sys.__stdout__:
        return "<stdout>"
    if value is sys.stderr or value is sys.__stderr__:
        return "<stderr>"
    if isinstance(value, type):
        return f"<class {value.__name__}>"
    if callable(value):
        return f"<callable {getattr(value, '__name__', type(value).__name__)}>"
    return f"<{type(value).__name__}>"


def record(kind: str, **fields) -> None:
    EVENTS.append({"kind": kind, **{key: jsonable(value) for key, value in fields.items()}})


def split_bind(bind) -> tuple[object, object]:
    """("host", port) of a `host:port` bind string, as servers read it."""
    text = str(bind)
    if text.startswith("unix:"):
        return text, None
    host, _, port = text.rpartition(":")
    try:
        return host, int(port)
    except ValueError:
        return host, port


def env_flag(name: str) -> bool | None:
    value = os.environ.get(name)
    return None if value is None else value.lower() in ("1", "true", "yes", "on")


class Recorder:
    """Stands for anything the stubs do not model: attribute access and calls are
    recorded by dotted path (`pika.ConnectionParameters(...)`), so a library the
    harness does not know still shows what the program passed to it."""

    def __init__(self, path: str) -> None:
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Recorder:
        if name.startswith("__"):
            raise AttributeError(name)
        return Recorder(f"{self._path}.{name}")

    def __setattr__(self, name: str, value) -> None:
        record("set", target=f"{self._path}.{name}", value=value)

    def __call__(self, *args, **kwargs) -> Recorder:
        record("call", target=self._path, args=list(args), kwargs=kwargs)
        return Recorder(f"{self._path}()")

    def __getitem__(self, key) -> Recorder:
        return Recorder(f"{self._path}[{key!r}]")

    def __setitem__(self, key, value) -> None:
        record("set", target=f"{self._path}[{key!r}]", value=value)

    def __iter__(self):
        return iter(())

    def __int__(self) -> int:
        return 0

    def __index__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __await__(self):
        return iter(())

    def __mro_entries__(self, bases):
        # `class Handler(tornado.web.RequestHandler)`: a plain class stands in for the base.
        return (object,)

    def __fixharness__(self) -> str:
        return f"<{self._path}>"


def module_getattr(module_name: str):
    """A module-level `__getattr__` that records what the stub does not define."""

    def __getattr__(name: str) -> Recorder:
        if name.startswith("__"):
            raise AttributeError(name)
        return Recorder(f"{module_name}.{name}")

    return __getattr__
