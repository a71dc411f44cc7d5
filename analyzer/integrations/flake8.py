"""The flake8 plugin (entry point `flake8.extension`, prefix `FS`).

flake8 hands over the file's `lines`; the plugin builds the libcst tree
itself through the engine's per-file analysis, so findings, positions and
messages are the CLI's. `[tool.factorscan]` in the nearest pyproject.toml
is honoured for select/ignore/extend-select, per-file-ignores and the rule
options; exclusion and `# noqa` comments are flake8's business.

Project-level rules need the whole project (manifests, Dockerfiles, facts
from every file), which a per-file plugin never sees: they are off here, as
is FS0001, since flake8 reports syntax errors itself (E999).
"""

from __future__ import annotations

import ast
import sys
import tokenize
from collections.abc import Iterator
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from factorscan import __version__
from factorscan.checks.base import SourceRule
from factorscan.discovery import find_project_root, relative_to_root
from factorscan.engine import RuleSet, analyze_python
from factorscan.errors import FactorscanError
from factorscan.settings import Settings, find_config_file, load_settings
from factorscan.source import SourceFile
from factorscan.suppression import PerFileIgnores, Suppressions


@cache
def _settings_for(directory: Path) -> tuple[Settings, RuleSet, PerFileIgnores]:
    root = find_project_root(directory)
    try:
        settings = load_settings(find_config_file(directory, root), root)
        rules = RuleSet.from_settings(settings).rules
    except FactorscanError as exc:
        # flake8 has no channel for a configuration error: say it once, go on with defaults.
        print(f"factorscan: error: {exc} (using the default settings)", file=sys.stderr)
        settings = Settings(project_root=root)
        rules = RuleSet.from_settings(settings).rules
    ruleset = RuleSet([rule for rule in rules if issubclass(rule, SourceRule)])
    ruleset.source_visitors = list(ruleset.rules)  # type: ignore[arg-type]
    return settings, ruleset, PerFileIgnores(settings.per_file_ignores)


def _encode(text: str) -> bytes:
    """Bytes for the decoded `lines`, in the encoding the file declares."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        return text.encode(encoding) if encoding not in ("utf-8", "utf-8-sig") else data
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return data


class Flake8Plugin:
    name = "factorscan"
    version = __version__

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        # `tree` is only there because flake8 picks a plugin's kind by its parameters.
        del tree
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        path = Path(self.filename if self.filename not in ("-", "stdin") else "stdin.py").absolute()
        settings, ruleset, per_file = _settings_for(path.parent)
        if not ruleset.source_visitors:
            return
        source = SourceFile(path, self.filename, _encode("".join(self.lines)))
        relative = relative_to_root(path, settings.project_root)
        result = analyze_python(source, relative, ruleset, settings)
        if not result.findings:
            return
        suppressions = Suppressions(source, inline=False)  # flake8 handles `# noqa` itself
        for finding in result.findings:
            if suppressions.suppresses(finding) or per_file.ignores(relative, finding.code):
                continue
            yield (
                finding.location.row,
                finding.location.column - 1,
                f"{finding.code} {finding.message}",
                type(self),
            )
