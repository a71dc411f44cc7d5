"""A fake loguru: one logger with sinks, the default stderr sink included, as the real one.

`probe(marker)` writes one record through every sink, so the harness counts where a
log line lands (stdout, stderr, which file) and how many times.
"""

import os
import sys

from _fixharness import record


class SinkId:
    """What `add` returns: a handle for `remove`. Loguru's own is an int that counts the sinks
    added so far, so a fix that drops one sink renumbers the rest; the program can only hand
    it back, so the harness does not compare it as data."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __repr__(self) -> str:
        return f"SinkId({self.number})"


class _Logger:
    def __init__(self) -> None:
        self._sinks = {0: sys.stderr}
        self._next = 1

    def add(self, sink, **kwargs) -> SinkId:
        handler_id = SinkId(self._next)
        self._next += 1
        self._sinks[handler_id] = sink
        record("loguru.add", sink=str(sink) if isinstance(sink, str) else sink, options=kwargs)
        return handler_id

    def remove(self, handler_id=None) -> None:
        if handler_id is None:
            self._sinks.clear()
        else:
            del self._sinks[handler_id]

    def _emit(self, message) -> None:
        for sink in list(self._sinks.values()):
            if isinstance(sink, str) or hasattr(sink, "__fspath__"):
                os.makedirs(os.path.dirname(os.fspath(sink)) or ".", exist_ok=True)
                with open(sink, "a", encoding="utf-8") as stream:
                    stream.write(f"{message}\n")
            elif hasattr(sink, "write"):
                sink.write(f"{message}\n")
                sink.flush()
            elif callable(sink):
                sink(f"{message}\n")

    def probe(self, marker: str) -> None:
        self._emit(marker)

    def _log(self, message, *args, **kwargs) -> None:
        return None

    debug = info = warning = error = exception = critical = success = trace = _log

    def bind(self, **kwargs) -> "_Logger":
        return self

    def configure(self, handlers=(), **kwargs) -> None:
        for handler in handlers:
            options = dict(handler)
            self.add(options.pop("sink"), **options)


logger = _Logger()
