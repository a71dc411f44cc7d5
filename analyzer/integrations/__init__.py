"""Integrations that check one file at a time: the flake8 plugin and the language server.

Both load `[tool.factorscan]` the way the CLI does, once per folder, and run
the engine's per-file analysis on text they are handed. Project-level rules
need the whole project (manifests, Dockerfiles, facts from every file), so
they are off here, and so is FS0001: flake8 and editors report syntax errors
themselves.

May import: every layer (`core` to `output`) and the rule framework.
"""

from __future__ import annotations

import tokenize
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from factorscan.checks.base import FileRule, SourceRule
from factorscan.core.discovery import (
    display_path,
    file_kind,
    find_project_root,
    has_root_marker,
    relative_to_root,
)
from factorscan.core.errors import FactorscanError
from factorscan.core.findings import Finding
from factorscan.core.settings import Settings, find_config_file, load_settings
from factorscan.core.source import SourceFile
from factorscan.core.suppression import PerFileIgnores, Suppressions
from factorscan.scan.engine import FileResult, RuleSet, analyze


@dataclass(frozen=True)
class FileSettings:
    settings: Settings
    ruleset: RuleSet  # source and file rules only
    per_file: PerFileIgnores
    error: str | None = None  # a configuration problem; the defaults are used instead


def _single_file_ruleset(settings: Settings) -> RuleSet:
    rules = RuleSet.from_settings(settings).rules
    ruleset = RuleSet(rules)
    ruleset.source_visitors = [rule for rule in rules if issubclass(rule, SourceRule)]
    ruleset.file_rules = [rule for rule in rules if issubclass(rule, FileRule)]
    return ruleset


def _root_within(directory: Path, boundary: Path) -> Path:
    """The project root of `directory`, looking no higher than `boundary` (the
    editor's workspace folder, which is the root when nothing below it is)."""
    for candidate in (directory, *directory.parents):
        if candidate == boundary or not candidate.is_relative_to(boundary):
            break
        if has_root_marker(candidate):
            return candidate
    return boundary


@lru_cache(maxsize=256)
def file_settings(directory: Path, boundary: Path | None = None) -> FileSettings:
    """Settings for files in `directory`; nothing above `boundary` is read or listed."""
    root = find_project_root(directory) if boundary is None else _root_within(directory, boundary)
    try:
        settings = load_settings(find_config_file(directory, root), root)
        return FileSettings(
            settings, _single_file_ruleset(settings), PerFileIgnores(settings.per_file_ignores)
        )
    except FactorscanError as exc:
        settings = Settings(project_root=root)
        return FileSettings(settings, _single_file_ruleset(settings), PerFileIgnores({}), str(exc))


def default_file_settings(directory: Path) -> FileSettings:
    """The default settings, reading no file (for documents outside the workspace)."""
    settings = Settings(project_root=directory)
    return FileSettings(settings, _single_file_ruleset(settings), PerFileIgnores({}))


def encode_text(text: str) -> bytes:
    """Bytes for decoded text, in the encoding its coding cookie declares (UTF-8 otherwise)."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        return text.encode(encoding) if encoding not in ("utf-8", "utf-8-sig") else data
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return data


@dataclass
class BufferResult:
    source: SourceFile
    findings: list[Finding]
    parsed: bool  # False: the text does not parse (yet); nothing was checked
    kind: str
    errors: list[str]  # rules that raised (the others' findings are kept)


def check_buffer(path: Path, text: str, config: FileSettings, *, inline_noqa: bool) -> BufferResult:
    """Findings for one file's current text, suppressions and per-file-ignores applied.

    `inline_noqa=False` leaves `# noqa` comments to the caller (flake8 has its own).
    """
    kind = file_kind(path) or "python"
    relative = relative_to_root(path, config.settings.project_root)
    source = SourceFile(
        path, display_path(path), encode_text(text), is_python=kind == "python", relative_path=relative
    )
    result: FileResult = analyze(source, kind, relative, config.ruleset, config.settings)
    if not result.findings:
        return BufferResult(source, [], result.parsed, kind, result.errors)
    suppressions = Suppressions(source, inline=inline_noqa and kind != "dockerfile")
    findings = [
        finding
        for finding in result.findings
        if not suppressions.suppresses(finding) and not config.per_file.ignores(relative, finding.code)
    ]
    return BufferResult(source, findings, result.parsed, kind, result.errors)
