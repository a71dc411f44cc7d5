"""A fake structlog: remembers the file its logger factory writes to (stdout by default)."""

import sys

from _fixharness import module_getattr, record

__getattr__ = module_getattr("structlog")
_configured: dict = {}


class WriteLoggerFactory:
    def __init__(self, file=None) -> None:
        self.file = file

    def __fixharness__(self) -> dict:
        return {"structlog.file": self.file}


PrintLoggerFactory = BytesLoggerFactory = WriteLoggerFactory


def configure(logger_factory=None, **kwargs) -> None:
    _configured["factory"] = logger_factory
    record("structlog.configure", logger_factory=logger_factory)


def get_logger(*args, **kwargs):
    return None


def probe(marker: str) -> None:
    stream = getattr(_configured.get("factory"), "file", None) or sys.stdout
    stream.write(f"{marker}\n")
    stream.flush()
