"""The options of ini-style configuration files that run or serve the app: uWSGI's
`[uwsgi]` sections and supervisord's `[program:x]` sections, with positions.

Both read `key = value` lines (uWSGI also `key: value`, and a key may repeat), `;` and `#`
comment lines, and `%(name)` placeholders. supervisord also ends a value at ` ;`.
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
class IniOption:
    section: str
    key: str  # with `_` read as `-` (uWSGI accepts both)
    value: str
    start: Location  # of the value
    end: Location
    line_start: int  # code-point offsets of the whole line, its line ending included
    line_end: int


def ini_options(source: SourceFile) -> Iterator[IniOption]:
    """Every `key = value` line of the file under a section, in file order."""
    section = ""
    starts = source.line_starts
    for row in range(1, len(starts) + 1):
        line = source.line(row)
        header = _SECTION.match(line)
        if header is not None:
            section = header.group("name").strip()
            continue
        if not section or line.lstrip().startswith((";", "#")):
            continue
        option = _OPTION.match(line)
        if option is None:
            continue
        value, value_end = option.group("value"), option.end("value")
        if " ;" in value:  # supervisord's inline comment
            value = value.split(" ;", 1)[0].rstrip()
            value_end = option.start("value") + len(value)
        line_start = starts[row - 1]
        line_end = starts[row] if row < len(starts) else len(source.text)
        yield IniOption(
            section,
            option.group("key").replace("_", "-"),
            value,
            Location(row, option.start("value") + 1),
            Location(row, value_end + 1),
            line_start,
            line_end,
        )


def uwsgi_options(source: SourceFile) -> Iterator[IniOption]:
    """The options of the file's uWSGI sections (`[uwsgi]`, and `[uwsgi:prod]` that
    `--ini file:prod` selects); nothing for another ini file."""
    for option in ini_options(source):
        if option.section == "uwsgi" or option.section.startswith("uwsgi:"):
            yield option


def supervisord_programs(source: SourceFile) -> dict[str, list[IniOption]]:
    """supervisord's `[program:name]` sections: name -> its options."""
    programs: dict[str, list[IniOption]] = {}
    for option in ini_options(source):
        if option.section.startswith("program:"):
            programs.setdefault(option.section.split(":", 1)[1], []).append(option)
    return programs
