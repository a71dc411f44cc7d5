"""The flake8 plugin (entry point `flake8.extension`, prefix `FS`).

flake8 hands over the file's `lines`; the plugin builds the libcst tree
itself through the engine's per-file analysis, so findings, positions and
messages are the CLI's. `[tool.factorscan]` in the nearest pyproject.toml
is honoured for select/ignore/extend-select, per-file-ignores and the rule
options; which files are checked and `# noqa` comments are flake8's
business (`# factorscan: noqa` at the top of a file works too).

Project-level rules need the whole project, which a per-file plugin never
sees: they are off here, as is FS0001 (flake8 reports E999 itself).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from factorscan import __version__
from factorscan.integrations import check_buffer, file_settings

_warned: set[str] = set()


class Flake8Plugin:
    name = "factorscan"
    version = __version__

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        # `tree` is unused: flake8 tells a plugin's kind by its parameters.
        del tree
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        stdin = self.filename in ("-", "stdin")
        path = Path("stdin.py" if stdin else self.filename).absolute()
        config = file_settings(path.parent)
        if config.error and config.error not in _warned:
            # flake8 has no channel for a configuration error: say it once, go on with defaults.
            _warned.add(config.error)
            print(f"factorscan: error: {config.error} (using the default settings)", file=sys.stderr)
        result = check_buffer(path, "".join(self.lines), config, inline_noqa=False)
        for error in result.errors:
            print(f"factorscan: error: {self.filename}: {error}", file=sys.stderr)
        for finding in result.findings:
            yield (
                finding.location.row,
                finding.location.column - 1,
                f"{finding.code} {finding.message}",
                type(self),
            )
