"""uWSGI's ini configuration: the options of a file's `[uwsgi]` section, with positions.

uWSGI reads `key = value` lines (a key may repeat), `;` and `#` comments, and `%(name)`
placeholders; every other section belongs to someone else (`[uwsgi:prod]` is a section
another file or `--ini file:prod` selects, read the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from factorscan.core.findings import Location
from factorscan.core.source import SourceFile

_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_OPTION = re.compile(r"^\s*(?P<key>[A-Za-z0-9_-]+)\s*[=:]\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class UwsgiOption:
    key: str  # as written, with `_` read as `-` (uWSGI accepts both)
    value: str
    start: Location  # of the value
    end: Location
    line_start: int  # code-point offsets of the whole line, its line ending included
    line_end: int


def uwsgi_options(source: SourceFile) -> Iterator[UwsgiOption]:
    """The options of the file's uWSGI sections, in file order; nothing for another ini file."""
    in_uwsgi = False
    starts = source.line_starts
    for row in range(1, len(starts) + 1):
        line = source.line(row)
        section = _SECTION.match(line)
        if section is not None:
            name = section.group("name").strip()
            in_uwsgi = name == "uwsgi" or name.startswith("uwsgi:")
            continue
        if not in_uwsgi or line.lstrip().startswith((";", "#")):
            continue
        option = _OPTION.match(line)
        if option is None:
            continue
        line_start = starts[row - 1]
        line_end = starts[row] if row < len(starts) else len(source.text)
        yield UwsgiOption(
            option.group("key").replace("_", "-"),
            option.group("value"),
            Location(row, option.start("value") + 1),
            Location(row, option.end("value") + 1),
            line_start,
            line_end,
        )
