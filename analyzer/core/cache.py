"""The content-hash cache: `.factorscan_cache/` in the project, else the user's cache folder.

One JSON file per (tool version, digest of factorscan's own code, analysis
settings): relative path -> content digest, findings and facts, the
project tree's file list with the folder mtimes that prove it current, and
memos: values that are slow to compute from outside the project (what the
installed environments hold), each stored with the key of what it read. JSON
rather than pickle, because a cache folder can arrive with a cloned
repository and loading it must never run code.
Findings hold no secret values (messages are redacted when made), so neither
does the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from factorscan import __version__

_README = "This folder is factorscan's cache. It is safe to delete.\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by factorscan.\n"
)


PROJECT_CACHE = ".factorscan_cache"


def source_digest(folders: Iterable[Path]) -> str:
    """A hash of the Python and data files under `folders`: factorscan's own code.

    In the cache key, so that an edited rule never serves results of the old one.
    """
    digest = hashlib.blake2b(digest_size=8)
    seen: set[Path] = set()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".py", ".json") or "__pycache__" in path.parts:
                continue
            resolved = path.resolve()
            if resolved in seen:
                continue  # an installed checks/ sits inside the package folder too
            seen.add(resolved)
            with contextlib.suppress(OSError):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def user_cache_home() -> Path:
    """factorscan's folder in the user's cache: XDG_CACHE_HOME, ~/Library/Caches, %LOCALAPPDATA%."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        # The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else home / ".cache"
    return base / "factorscan"


def cache_directory(root: Path, configured: str | None, is_project: bool) -> Path:
    """Where the cache of a scan rooted at `root` lives.

    `cache-dir` when set (relative to the root); `.factorscan_cache` in a
    project; for a folder that is no project (`factorscan /usr/lib/python3.12`)
    a folder of its own in the user's cache, so that nothing is written into it.
    """
    if configured:
        directory = Path(configured)
        return directory if directory.is_absolute() else root / directory
    if is_project:
        return root / PROJECT_CACHE
    resolved = root.resolve()
    tag = hashlib.blake2b(str(resolved).encode(), digest_size=6).hexdigest()
    return user_cache_home() / f"{resolved.name or 'root'}-{tag}"


class Cache:
    def __init__(self, directory: Path | None, settings_key: str = "", code_key: str = "") -> None:
        """`directory` None: a cache that lives in memory only, for the scans of one run."""
        self.directory = directory
        self._prefix = f"v{__version__}-{code_key}-"
        self.file = directory / f"{self._prefix}{settings_key}.json" if directory is not None else None
        self.entries: dict[str, dict[str, Any]] = {}
        self.listing: dict[str, Any] = {}
        self.memos: dict[str, Any] = {}
        self.dirty = False
        self._load()

    @classmethod
    def in_memory(cls) -> Cache:
        return cls(None)

    def _load(self) -> None:
        if self.file is None:
            return
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and isinstance(data.get("files"), dict):
            self.entries = data["files"]
            if isinstance(data.get("tree"), dict):
                self.listing = data["tree"]
            if isinstance(data.get("memos"), dict):
                self.memos = data["memos"]

    def get(self, relative_path: str, digest: str) -> dict[str, Any] | None:
        entry = self.entries.get(relative_path)
        if isinstance(entry, dict) and entry.get("digest") == digest:
            return entry
        return None

    def put(self, relative_path: str, digest: str, result: dict[str, Any]) -> None:
        self.entries[relative_path] = {"digest": digest, **result}
        self.dirty = True

    def tree(self, key: str) -> list[tuple[str, str]] | None:
        """The project tree's (relative path, kind) list from the last walk, if no folder
        walked and no .gitignore read since has changed."""
        if self.listing.get("key") != key:
            return None
        stamps, files = self.listing.get("stamps"), self.listing.get("files")
        if not isinstance(stamps, dict) or not isinstance(files, list):
            return None
        for path, mtime in stamps.items():
            try:
                current = os.stat(path).st_mtime_ns
            except OSError:
                current = -1
            if current != mtime:
                return None
        return [(relative, kind) for relative, kind in files]

    def put_tree(self, key: str, stamps: dict[str, int], files: list[tuple[str, str]]) -> None:
        self.listing = {"key": key, "stamps": stamps, "files": files}
        self.dirty = True

    def memo(self, name: str, key: str) -> Any | None:
        """The value last stored under `name`, if it was stored with this `key`."""
        entry = self.memos.get(name)
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry.get("value")
        return None

    def put_memo(self, name: str, key: str, value: Any) -> None:
        """Store a JSON value under `name`; `key` says what it was computed from. It must
        hold no secret: a cache folder may be committed or shared."""
        self.memos[name] = {"key": key, "value": value}
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a read-only tree just goes without."""
        if not self.dirty or self.directory is None or self.file is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for name, content in (
                ("README", _README),
                ("CACHEDIR.TAG", _CACHEDIR_TAG),
                (".gitignore", "*\n"),
            ):
                marker = self.directory / name
                if not marker.exists():
                    marker.write_text(content, encoding="utf-8")
            # json.dumps, not json.dump: only the one-shot encoder is the C one (5x faster
            # on a 1.4 MB cache, which every run that analysed a file writes again).
            text = json.dumps(
                {"version": __version__, "files": self.entries, "tree": self.listing, "memos": self.memos},
                separators=(",", ":"),
            )
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as output:
                output.write(text)
            os.replace(temporary, self.file)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)
            return
        # Results of other factorscan code can never be read again.
        for stale in self.directory.glob("v*.json"):
            if not stale.name.startswith(self._prefix):
                with contextlib.suppress(OSError):
                    stale.unlink()
