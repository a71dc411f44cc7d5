"""Applying fixes: composing edits and writing files safely.

Guarantees (DESIGN.md, Fixes): all fixes for a file compose into one
rewrite; the result must re-parse or nothing is written; untouched bytes are
kept (encoding, BOM, newline style); a write is atomic and refused when the
file changed after it was read.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Iterable
from pathlib import Path

from factorscan.core.discovery import display_path
from factorscan.core.findings import Edit, Finding, Fix
from factorscan.core.source import SourceFile, content_digest, read_regular_file


class FixWriteError(Exception):
    pass


# -- composing and applying edits --------------------------------------------


def _overlaps(a: Edit, b: Edit) -> bool:
    if a == b:
        return False  # the same import insertion requested by two fixes
    if a.location == a.end_location and b.location == b.end_location:
        return False  # two insertions at one point both apply, in order
    if a.location < b.end_location and b.location < a.end_location:
        return True
    # An insertion at the start of a replaced range would be swallowed by it.
    return a.location == b.location


def select_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes that can be applied together: earlier ones win overlaps."""
    accepted: list[Fix] = []
    taken: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: f.edits[0].location if f.edits else (0, 0)):
        if any(_overlaps(edit, other) for edit in fix.edits for other in taken):
            continue
        accepted.append(fix)
        taken.extend(fix.edits)
    return accepted


def _merge_insertions(contents: list[str], newline: str) -> str:
    """Insertions at one point (import lines, in practice) as one sorted block.

    `\nimport os\n` and `\nimport sys\n` become `\nimport os\nimport sys\n`:
    one blank line before or after the block when any insertion had one.
    """
    if len(contents) == 1:
        return contents[0]
    lines = sorted({line for content in contents for line in content.splitlines() if line.strip()})
    before = newline if any(content.startswith(("\n", "\r")) for content in contents) else ""
    after = newline if any(content.endswith(("\n\n", "\r\n\r\n")) for content in contents) else ""
    return before + "".join(line + newline for line in lines) + after


def apply_fixes(source: SourceFile, fixes: Iterable[Fix]) -> str:
    """New text of `source` with all `fixes` applied (they must not overlap)."""
    replacements: dict[tuple[int, int], list[str]] = {}
    for fix in fixes:
        for edit in fix.edits:
            key = (source.offset(edit.location), source.offset(edit.end_location))
            contents = replacements.setdefault(key, [])
            if edit.content not in contents:
                contents.append(edit.content)
    text = source.text
    # From the end backwards so earlier offsets stay valid.
    for (start, end), contents in sorted(replacements.items(), reverse=True):
        text = text[:start] + _merge_insertions(contents, source.newline) + text[end:]
    return text


def applicable_fixes(findings: Iterable[Finding], unsafe_fixes: bool) -> list[Fix]:
    return [
        finding.fix
        for finding in findings
        if finding.fix is not None and finding.fix.is_applicable(unsafe_fixes)
    ]


# -- writing -----------------------------------------------------------------


def _refusal(path: Path, status: os.stat_result) -> str | None:
    """Why a rewrite by rename would do more than change the content, or None.

    A rename replaces the directory entry: a symlink would become a copy, hard
    links would be split, and a file its owner made read-only would be written.
    """
    if stat.S_ISLNK(status.st_mode):
        return f"it is a symbolic link; fix its target ({display_path(path.resolve())}) instead"
    if not stat.S_ISREG(status.st_mode):
        return "it is not a regular file"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink} hard links, which a rewrite would split"
    # The mode bits too: root may write anything, but a file made read-only stays so.
    if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
        return "it is read-only"
    return None


def write_atomically(path: Path, data: bytes, expected_digest: str) -> None:
    """Replace `path` with `data` unless it changed since it was read.

    The new content goes to a temporary file in the same directory, takes the
    old file's mode bits and owner, and replaces the original with one rename,
    so an interruption leaves either the old or the new file, never half of
    one. Symlinks, hard-linked and read-only files are refused (`_refusal`).
    """
    try:
        status = os.lstat(path)
        refusal = _refusal(path, status)
        if refusal is not None:
            raise FixWriteError(refusal)
        current = read_regular_file(path)
    except FixWriteError:
        raise
    except OSError as exc:
        raise FixWriteError(f"cannot read it again: {exc.strerror or exc}") from None
    if content_digest(current) != expected_digest:
        raise FixWriteError("it changed after it was read; run again")
    # Named before it exists (tempfile.mkstemp creates first and names after), so a
    # Ctrl-C at any point can still remove it; a random 128-bit name is never taken.
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.factorscan")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(handle, "wb") as output:
            output.write(data)
            output.flush()
            os.fsync(output.fileno())
        _keep_owner(temporary, status)
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        os.replace(temporary, path)
    except BaseException as exc:
        # KeyboardInterrupt too: the original is intact, so only the temporary goes.
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, FixWriteError):
            raise
        if isinstance(exc, OSError):
            raise FixWriteError(f"cannot write: {exc.strerror or exc}") from None
        raise


def _keep_owner(temporary: Path, original: os.stat_result) -> None:
    """Give the new file the old one's owner and group (root fixing a user's file), before
    chmod: chown clears set-id bits. Refused when the owner cannot be kept."""
    new = os.stat(temporary)
    if (new.st_uid, new.st_gid) == (original.st_uid, original.st_gid) or not hasattr(os, "chown"):
        return
    try:
        os.chown(temporary, original.st_uid, original.st_gid)
    except PermissionError:
        raise FixWriteError("it belongs to another user or group; a rewrite would change its owner") from None
