"""The options of ini-style configuration files that run or serve the app: uWSGI's
`[uwsgi]` sections and supervisord's `[program:x]` sections, with positions. uWSGI's YAML
form (a top-level `uwsgi:` mapping) is read into the same options.

Both read `key = value` lines (uWSGI also `key: value`, and a key may repeat), `;` and `#`
comment lines, and `%(name)` placeholders. supervisord also ends a value at ` ;`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from factorscan.core.findings import Location
from factorscan.core.source import SourceFile
from factorscan.deploy.yaml_loader import YamlError, load_documents

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
    `--ini file:prod` selects, or a YAML file's `uwsgi:` mapping); nothing for another file."""
    if source.path.suffix in (".yaml", ".yml"):
        yield from _uwsgi_yaml_options(source)
        return
    for option in ini_options(source):
        if option.section == "uwsgi" or option.section.startswith("uwsgi:"):
            yield option


def _uwsgi_yaml_options(source: SourceFile) -> Iterator[IniOption]:
    """`uwsgi:` mappings (`uwsgi --yaml file`): each scalar value, or each item of a list
    (a repeated key), as an option whose line is the value's own."""
    if "uwsgi" not in source.text:
        return
    try:
        documents = load_documents(source.text)
    except YamlError:
        return
    starts = source.line_starts
    for document in documents:
        section = document.get("uwsgi")
        if section is None:
            continue
        for key, node in section.mapping.items():
            for value in node.items or [node]:
                text = value.text
                if text is None or value.null:
                    continue
                end_row = value.end_row or value.row
                end_column = value.end_column if value.end_row else value.column + len(text)
                # The only item of a list: its line goes with the key's, which would stay empty.
                first_row = node.key_row if len(node.items) == 1 and node.key_row else value.row
                yield IniOption(
                    "uwsgi",
                    key.replace("_", "-"),
                    text,
                    Location(value.row, value.column),
                    Location(end_row, end_column),
                    starts[first_row - 1],
                    starts[end_row] if end_row < len(starts) else len(source.text),
                )


def supervisord_programs(source: SourceFile) -> dict[str, list[IniOption]]:
    """supervisord's `[program:name]` sections: name -> its options."""
    programs: dict[str, list[IniOption]] = {}
    for option in ini_options(source):
        if option.section.startswith("program:"):
            programs.setdefault(option.section.split(":", 1)[1], []).append(option)
    return programs
