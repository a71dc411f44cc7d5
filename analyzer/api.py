"""The Python API: what the CLI does, for scripts, editors and tests.

from factorscan.api import check, fix, check_source

result = check(["src"], select=["FS11"])
for finding in result.findings:
    print(finding.path, finding.location.row, finding.code, finding.message)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from factorscan.core.discovery import find_project_root
from factorscan.core.findings import Finding
from factorscan.core.settings import Settings, find_config_file, load_settings
from factorscan.fixing.fixer import FileFix, compute_fixes, write_fixes
from factorscan.scan.engine import ScanOptions, ScanResult, scan

__all__ = [
    "FileFix",
    "Finding",
    "ScanResult",
    "check",
    "check_source",
    "fix",
    "fix_source",
    "settings_for",
]


def settings_for(
    path: str | Path,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    unsafe_fixes: bool | None = None,
) -> Settings:
    """Settings as the CLI would load them for `path`, with overrides."""
    start = Path(path).absolute()
    root = find_project_root(start)
    settings = load_settings(find_config_file(start, root), root)
    if select is not None:
        settings.select = list(select)
    settings.ignore = [*settings.ignore, *ignore]
    if unsafe_fixes is not None:
        settings.unsafe_fixes = unsafe_fixes
    return settings


def check(
    paths: Sequence[str | Path],
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    settings: Settings | None = None,
    jobs: int | None = 1,
    use_cache: bool = False,
) -> ScanResult:
    """Scan files and folders; findings come back sorted by path and position."""
    targets = [Path(p) for p in paths] or [Path(".")]
    settings = settings or settings_for(targets[0], select=select, ignore=ignore)
    return scan(targets, settings, ScanOptions(jobs=jobs, use_cache=use_cache))


def fix(
    paths: Sequence[str | Path],
    *,
    select: Sequence[str] | None = None,
    unsafe: bool = False,
    write: bool = True,
    jobs: int | None = 1,
) -> tuple[list[FileFix], list[str]]:
    """Apply fixes (only safe ones unless `unsafe`); returns the changes and any problems."""
    targets = [Path(p) for p in paths] or [Path(".")]
    settings = settings_for(targets[0], select=select, unsafe_fixes=unsafe)
    result = scan(targets, settings, ScanOptions(jobs=jobs, use_cache=False))
    file_fixes, problems = compute_fixes(result, settings, unsafe)
    if write:
        problems += write_fixes(file_fixes)
    return file_fixes, problems


def check_source(
    code: str,
    filename: str | Path = "app.py",
    *,
    select: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> list[Finding]:
    """Findings for one file's text, without reading or writing anything.

    Project rules need the whole project on disk, so they do not run here.
    """
    path = Path(filename)
    settings = settings or settings_for(path.absolute().parent, select=select)
    options = ScanOptions(jobs=1, use_cache=False, stdin=(path, code.encode("utf-8")))
    return scan([path], settings, options).findings


def fix_source(
    code: str,
    filename: str | Path = "app.py",
    *,
    select: Sequence[str] | None = None,
    unsafe: bool = False,
    settings: Settings | None = None,
) -> str:
    """`code` with its fixes applied, in memory (what `--fix --stdin-filename` prints)."""
    path = Path(filename)
    settings = settings or settings_for(path.absolute().parent, select=select, unsafe_fixes=unsafe)
    options = ScanOptions(jobs=1, use_cache=False, stdin=(path, code.encode("utf-8")))
    result = scan([path], settings, options)
    file_fixes, _ = compute_fixes(result, settings, unsafe)
    return file_fixes[0].new_text if file_fixes else code
