"""Which files a run reads: the project root, file kinds, excludes and .gitignore."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pathspec

from factorscan.errors import UsageError
from factorscan.settings import Settings

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def find_project_root(start: Path) -> Path:
    """The nearest folder upward holding a project marker, else `start` itself."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        if any((candidate / marker).exists() for marker in ROOT_MARKERS):
            return candidate
        try:
            if any(
                name.startswith("requirements") and name.endswith(".txt") for name in os.listdir(candidate)
            ):
                return candidate
        except OSError:
            continue
    return directory


# (kind, glob patterns on the file name). First match wins, so the specific
# names come before the generic extensions.
_KIND_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pyproject", ("pyproject.toml",)),
    ("setup-cfg", ("setup.cfg",)),
    ("python", ("*.py",)),
    (
        "dockerfile",
        ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*"),
    ),
    ("dockerignore", (".dockerignore",)),
    ("procfile", ("Procfile", "Procfile.*")),
    (
        "requirements",
        (
            "requirements*.txt",
            "requirements*.in",
            "*requirements.txt",
            "*-requirements.txt",
            "constraints*.txt",
            "requirements*.pip",
        ),
    ),
    ("pipfile", ("Pipfile",)),
    (
        "lockfile",
        (
            "poetry.lock",
            "uv.lock",
            "pdm.lock",
            "Pipfile.lock",
            "pylock.toml",
            "pylock.*.toml",
            "requirements*.lock",
        ),
    ),
    ("conda", ("environment.yml", "environment.yaml", "environment-*.yml", "environment-*.yaml")),
    (
        "compose",
        (
            "docker-compose*.yml",
            "docker-compose*.yaml",
            "compose.yml",
            "compose.yaml",
            "compose.*.yml",
            "compose.*.yaml",
        ),
    ),
    ("shell", ("*.sh", "docker-entrypoint", "entrypoint")),
    ("ini", ("*.ini", "*.conf", "*.cfg")),
)


def file_kind(path: Path) -> str | None:
    name = path.name
    for kind, patterns in _KIND_PATTERNS:
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return kind
    # requirements/base.txt, requirements/dev.in
    if path.parent.name == "requirements" and path.suffix in (".txt", ".in"):
        return "requirements"
    return None


@dataclass(frozen=True)
class DiscoveredFile:
    path: Path  # absolute
    kind: str
    explicit: bool = False  # named on the command line rather than found by walking


class _IgnoreStack:
    """The .gitignore files that apply at one point of the walk."""

    def __init__(self, specs: tuple[tuple[Path, pathspec.PathSpec], ...] = ()) -> None:
        self.specs = specs

    def child(self, directory: Path) -> _IgnoreStack:
        gitignore = directory / ".gitignore"
        if not gitignore.is_file():
            return self
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return self
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        return _IgnoreStack((*self.specs, (directory, spec)))

    def ignores(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self.specs:
            relative = path.relative_to(base).as_posix()
            if spec.match_file(relative + "/" if is_dir else relative):
                return True
        return False


class Discovery:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.project_root
        self.exclude = pathspec.GitIgnoreSpec.from_lines([*settings.exclude, *settings.extend_exclude])

    def excluded(self, path: Path, is_dir: bool, base: Path | None = None) -> bool:
        try:
            relative = path.relative_to(base or self.root).as_posix()
        except ValueError:
            relative = path.name
        if is_dir:
            relative += "/"
        return self.exclude.match_file(relative)

    def discover(self, paths: Iterable[Path]) -> list[DiscoveredFile]:
        found: dict[Path, DiscoveredFile] = {}
        for raw in paths:
            if not raw.exists() and not raw.is_symlink():
                raise UsageError(f"{raw}: no such file or directory")
            path = raw.absolute()
            if path.is_dir():
                # A folder named on the command line is scanned even when it
                # is itself excluded or git-ignored (a virtualenv's
                # site-packages, a vendored tree): only what lies below it is
                # matched against the patterns then.
                base = path if self.excluded(path, is_dir=True) else self.root
                ignore = self._ignore_stack_for(path)
                if ignore.ignores(path, is_dir=True):
                    ignore = _IgnoreStack()
                for item in self._walk(path, ignore, base):
                    found.setdefault(item.path, item)
            elif not self.excluded(path, is_dir=False):
                # A file named on the command line is read whatever its name:
                # editors and pre-commit pass single files.
                kind = file_kind(path) or "python"
                found[path] = DiscoveredFile(path, kind, explicit=True)
        return sorted(found.values(), key=lambda item: item.path)

    def _ignore_stack_for(self, directory: Path) -> _IgnoreStack:
        stack = _IgnoreStack()
        if not self.settings.respect_gitignore:
            return stack
        try:
            chain = [directory, *directory.parents]
            top = chain.index(self.root) if self.root in chain else 0
        except ValueError:
            top = 0
        for ancestor in reversed(chain[1 : top + 1]):
            stack = stack.child(ancestor)
        return stack

    def _walk(self, directory: Path, ignore: _IgnoreStack, base: Path) -> Iterator[DiscoveredFile]:
        if self.settings.respect_gitignore:
            ignore = ignore.child(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            # Symlinks are never followed: they can loop or leave the project.
            if entry.is_symlink():
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if self.excluded(path, is_dir, base) or ignore.ignores(path, is_dir):
                continue
            if is_dir:
                yield from self._walk(path, ignore, base)
                continue
            kind = file_kind(path)
            if kind is not None:
                yield DiscoveredFile(path, kind)


def is_test_path(relative_path: str) -> bool:
    """tests/, test_*.py, *_test.py and conftest.py: how rules tell test code apart."""
    parts = PurePosixPath(relative_path).parts
    name = parts[-1] if parts else ""
    return (
        name == "conftest.py"
        or name.startswith("test_")
        or name.endswith("_test.py")
        or any(part in ("tests", "test", "testing") for part in parts[:-1])
    )


# Folders holding tests, documentation and samples rather than the app a project deploys.
_SAMPLE_FOLDERS = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "samples", "sample", "demo", "demos"}
)


def is_sample_path(relative_path: str) -> bool:
    """Under tests/, docs/, examples/ and the like: a library's sample app is not what it deploys."""
    return any(part.lower() in _SAMPLE_FOLDERS for part in PurePosixPath(relative_path).parts[:-1])


def display_path(path: Path) -> str:
    """How a path is shown: relative to the working directory when below it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def relative_to_root(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
