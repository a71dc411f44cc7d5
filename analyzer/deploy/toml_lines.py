"""Where the values of a TOML file sit: `tomllib` gives values without positions, so the
one-line `key = value` assignments are located by reading the lines with the tables they
fall under (`[a.b]` headers, `[[a]]` arrays and dotted keys), enough to report a value at its
line and to rewrite a string. Values in inline tables and multi-line values are not located.
"""

from __future__ import annotations

import re
import sys
from typing import Any, NamedTuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_ASSIGNMENT = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*(?P<value>.*)$")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_SPLIT_KEY = re.compile(_KEY_PART)


class ValueSpan(NamedTuple):
    row: int  # 1-based
    start: int  # 1-based column of the value's first character
    end: int  # 1-based column just past the value
    quoted: bool  # a one-line string literal in single quote marks


def load_toml(text: str) -> dict[str, Any] | None:
    """The document, or None for text that is not TOML."""
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None


def value_spans(text: str) -> dict[tuple[str, ...], ValueSpan]:
    """Key path -> where its one-line value is written (the first assignment wins)."""
    spans: dict[tuple[str, ...], ValueSpan] = {}
    table: tuple[str, ...] = ()
    for row, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = _key_path(header.group("name"))
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is None:
            continue
        value = assignment.group("value")
        start = assignment.start("value")
        string = _STRING.match(value)
        if value.startswith(('"""', "'''")):
            # A multi-line string: located only when it closes on its line, and never rewritten.
            closing = value.find(value[:3], 3)
            if closing == -1:
                continue
            end, quoted = start + closing + 3, False
        elif string is not None:
            end, quoted = start + string.end(), True
        else:
            written = value.split("#", 1)[0].rstrip()
            end, quoted = start + len(written), False
        path = table + _key_path(assignment.group("key"))
        spans.setdefault(path, ValueSpan(row, start + 1, end + 1, quoted))
    return spans


def _key_path(key: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _SPLIT_KEY.findall(key))
