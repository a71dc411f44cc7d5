"""One file's bytes and its decoded text, with what a fixer needs to put it back.

A fix must leave every untouched byte as it was, so the file keeps its
encoding, BOM and newline style; text is decoded once and re-encoded the
same way.
"""

from __future__ import annotations

import bisect
import codecs
import errno
import hashlib
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from factorscan.core.findings import Location

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceDecodeError(ValueError):
    """The bytes cannot be decoded as the file declares (or as UTF-8)."""


class NotRegularFileError(OSError):
    """A FIFO, socket or device where a file was expected."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(errno.EINVAL, "not a regular file", os.fspath(path))


class FileTooLargeError(OSError):
    def __init__(self, path: str | os.PathLike[str], size: int) -> None:
        super().__init__(errno.EFBIG, f"{size} bytes", os.fspath(path))
        self.size = size


def read_regular_file(path: str | os.PathLike[str], max_size: int | None = None) -> bytes:
    """The bytes of a regular file; anything else raises OSError without blocking.

    Opened non-blocking and judged by fstat on the open handle: a FIFO named
    `app.py` would otherwise block the read forever waiting for a writer, and
    checking the type before opening leaves a window for a swap.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags)
    try:
        status = os.fstat(handle)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", os.fspath(path))
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFileError(path)
        if max_size is not None and status.st_size > max_size:
            raise FileTooLargeError(path, status.st_size)
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(handle)


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _text_encoding(data: bytes) -> str:
    """Encoding of a non-Python text file, judged by its BOM (UTF-8 otherwise)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _python_encoding(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        message = str(exc)
        if message.startswith("unknown encoding"):
            raise SourceDecodeError(
                f"{message.split(' for ', maxsplit=1)[0]} in the coding declaration"
            ) from None
        raise SourceDecodeError("cannot decode as utf-8, and no valid coding declaration") from None
    return encoding


@dataclass
class SourceFile:
    """A file as read from disk (or stdin); decoding and line tables are lazy."""

    path: Path
    display_path: str
    data: bytes
    is_python: bool = True
    # Relative to the project root, when the engine knows it ("" otherwise): what rules judge
    # a file's purpose by (the display path may start outside the project).
    relative_path: str = ""

    @cached_property
    def digest(self) -> str:
        return content_digest(self.data)

    @cached_property
    def encoding(self) -> str:
        return _python_encoding(self.data) if self.is_python else _text_encoding(self.data)

    @cached_property
    def text(self) -> str:
        """Decoded text without BOM. Python files decode strictly; others leniently."""
        errors = "strict" if self.is_python else "replace"
        try:
            return self.data.decode(self.encoding, errors=errors)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceDecodeError(f"cannot decode as {self.encoding}: {_short_decode_error(exc)}") from None

    def encode(self, text: str) -> bytes:
        """Encode new text the way this file was encoded (BOM included)."""
        return text.encode(self.encoding)

    @cached_property
    def newline(self) -> str:
        match = _NEWLINE.search(self.text)
        return match.group() if match else "\n"

    @cached_property
    def lines(self) -> list[str]:
        """Lines with their line endings."""
        return self.text.splitlines(keepends=True) or [""]

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        for match in _NEWLINE.finditer(self.text):
            starts.append(match.end())
        return starts

    def line(self, row: int) -> str:
        """The text of a 1-based row, without its line ending."""
        starts = self.line_starts
        if row < 1 or row > len(starts):
            return ""
        end = starts[row] if row < len(starts) else len(self.text)
        return self.text[starts[row - 1] : end].rstrip("\r\n")

    def location(self, offset: int) -> Location:
        """1-based row and column of a code-point offset into `text`."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return Location(index + 1, offset - self.line_starts[index] + 1)

    def offset(self, location: Location) -> int:
        starts = self.line_starts
        row = min(max(location.row, 1), len(starts))
        return min(starts[row - 1] + location.column - 1, len(self.text))


def _short_decode_error(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"invalid byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
    return str(exc)
