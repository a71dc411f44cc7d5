"""`--diff-base REV`: keep only findings on lines added or changed since REV.

The changed lines come from `git diff -U0 -M REV` (the working tree against
REV, so committed, staged and unstaged edits all count) with rename
detection: a renamed file's untouched lines are not new. Untracked files
that git does not ignore count as wholly added. A finding is kept when one
of its lines changed, or when a file its rule names as a cause
(`Rule.changed_by`) changed in the project: a manifest for an undeclared
import, any line of the Dockerfile for an unbuffered image.
"""

from __future__ import annotations

import codecs
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factorscan.checks.base import WHOLE_FILE
from factorscan.core.discovery import kind_of_name
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

    def causes_changed(self, root: Path) -> set[str]:
        """The kinds and names of the files changed under `root` (the scanned project)."""
        try:
            prefix = root.resolve().relative_to(self.top_level)
        except ValueError:
            return set()
        found: set[str] = set()
        for relative in self.files:
            path = Path(relative)
            if prefix != Path(".") and prefix not in path.parents:
                continue
            found.add(path.name)
            kind = kind_of_name(path.name, path.parent.name)
            if kind is not None:
                found.add(kind)
        return found

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
    findings: Sequence[Finding],
    changes: ChangedLines,
    changed_by: Callable[[Finding], Sequence[str]],
    root: Path,
) -> list[Finding]:
    """Findings on changed lines, and those a changed file of theirs causes (`changed_by`)."""
    causes = changes.causes_changed(root)
    kept = []
    for finding in findings:
        path = Path(finding.path)
        reasons = changed_by(finding)
        if (WHOLE_FILE in reasons and changes.file_changed(path)) or causes.intersection(reasons):
            kept.append(finding)
            continue
        last = finding.end_location.row
        if last > finding.location.row and finding.end_location.column == 1:
            last -= 1  # an exclusive end at the start of a line does not cover it
        if any(changes.line_changed(path, row) for row in range(finding.location.row, last + 1)):
            kept.append(finding)
    return kept
