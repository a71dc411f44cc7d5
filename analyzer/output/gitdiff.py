"""`--diff-base REV`: keep only findings on lines added or changed since REV.

The changed lines come from `git diff -U0 -M REV` (the working tree against
REV, so committed, staged and unstaged edits all count) with rename
detection: a renamed file's untouched lines are not new. Untracked files
that git does not ignore count as wholly added. Findings of project-level
rules (and syntax errors) are kept when their file changed at all.
"""

from __future__ import annotations

import codecs
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factorscan.core.errors import UsageError
from factorscan.core.findings import Finding

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 120


@dataclass
class ChangedLines:
    """Repo-relative path -> changed 1-based rows (None: the whole file is new)."""

    top_level: Path
    files: dict[str, set[int] | None] = field(default_factory=dict)

    def file_changed(self, path: Path) -> bool:
        return self._relative(path) in self.files

    def line_changed(self, path: Path, row: int) -> bool:
        relative = self._relative(path)
        if relative not in self.files:
            return False
        rows = self.files[relative]
        return rows is None or row in rows

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.top_level).as_posix()
        except ValueError:
            return ""


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            # core.fsmonitor names a program git runs on diff and ls-files: the scanned
            # repository's own .git/config must not make factorscan run one.
            ["git", "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", *args],
            cwd=cwd,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("--diff-base needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"--diff-base: git {args[0]} took longer than {_GIT_TIMEOUT} s") from None


def _unquote(raw: bytes) -> str:
    """A path as git prints it in a diff header (C-quoted when it has odd characters)."""
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = codecs.escape_decode(raw[1:-1])[0]
    return raw.decode("utf-8", errors="surrogateescape")


def parse_diff(diff: bytes) -> dict[str, set[int]]:
    """Repo-relative new path -> rows added or changed, from `git diff -U0` output."""
    files: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith(b"diff --git "):
            current = None
        elif line.startswith(b"rename to "):
            # A rename without edits has no `+++` line; the file still changed.
            current = files.setdefault(_unquote(line[len(b"rename to ") :]), set())
        elif line.startswith(b"+++ "):
            target = line[4:]
            if target == b"/dev/null":
                current = None  # deleted
                continue
            path = _unquote(target)
            current = files.setdefault(path[2:] if path.startswith("b/") else path, set())
        elif current is not None and line.startswith(b"@@ "):
            match = _HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                current.update(range(start, start + count))
    return files


def changed_lines(rev: str, cwd: Path) -> ChangedLines:
    """What changed in the working tree since `rev`; exit-2 errors for no repo or a bad rev."""
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise UsageError(f"--diff-base needs a git repository, and {cwd} is not inside one")
    top_level = Path(top.stdout.decode("utf-8", errors="surrogateescape").strip()).resolve()
    if rev.startswith("-"):
        raise UsageError(f"--diff-base {rev}: not a revision")
    verify = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top_level)
    if verify.returncode != 0:
        raise UsageError(f"--diff-base {rev}: unknown revision (is it fetched? try `git fetch origin`)")
    commit = verify.stdout.decode().strip()
    diff = _git(
        [
            "diff",
            "-U0",
            "-M",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            # Whatever diff.noprefix or diff.mnemonicPrefix say, paths start with b/.
            "--src-prefix=a/",
            "--dst-prefix=b/",
            commit,
            "--",
        ],
        top_level,
    )
    if diff.returncode != 0:
        message = diff.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise UsageError(f"--diff-base {rev}: git diff failed: {message[0] if message else 'no output'}")
    result = ChangedLines(top_level)
    result.files.update(parse_diff(diff.stdout))
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], top_level)
    if untracked.returncode == 0:
        for raw in untracked.stdout.split(b"\0"):
            if raw:
                result.files[raw.decode("utf-8", errors="surrogateescape")] = None
    return result


def filter_changed(
    findings: Sequence[Finding], changes: ChangedLines, file_level: Callable[[Finding], bool]
) -> list[Finding]:
    """Findings on changed lines; `file_level` ones when their file changed at all."""
    kept = []
    for finding in findings:
        path = Path(finding.path)
        if file_level(finding):
            if changes.file_changed(path):
                kept.append(finding)
            continue
        last = finding.end_location.row
        if last > finding.location.row and finding.end_location.column == 1:
            last -= 1  # an exclusive end at the start of a line does not cover it
        if any(changes.line_changed(path, row) for row in range(finding.location.row, last + 1)):
            kept.append(finding)
    return kept
