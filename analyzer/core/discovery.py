"""Which files a run reads: the project root, file kinds, excludes and .gitignore."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from factorscan.core.errors import UsageError
from factorscan.core.settings import Settings
from factorscan.core.templates import is_template_path

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def has_root_marker(directory: Path) -> bool:
    if any((directory / marker).exists() for marker in ROOT_MARKERS):
        return True
    try:
        return any(
            name.startswith("requirements") and name.endswith(".txt") for name in os.listdir(directory)
        )
    except OSError:
        return False


def find_project_root(start: Path) -> Path:
    """The nearest folder upward holding a project marker, else `start` itself."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        if has_root_marker(candidate):
            return candidate
    return directory


# (kind, glob patterns on the file name). First match wins, so the specific
# names come before the generic extensions.
_KIND_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pyproject", ("pyproject.toml",)),
    ("setup-cfg", ("setup.cfg",)),
    ("python", ("*.py",)),
    # Before Dockerfile.*: `Dockerfile.dockerignore` is the ignore file of a Dockerfile.
    ("dockerignore", (".dockerignore", "*.dockerignore")),
    (
        "dockerfile",
        ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*"),
    ),
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
    # Kubernetes manifests, kustomizations, Helm charts, skaffold: told apart by content.
    ("yaml", ("*.yaml", "*.yml")),
    ("helm-template", ("*.tpl",)),
    ("tiltfile", ("Tiltfile",)),
    # Only the JSON and TOML files some rule reads: logging configs and hypercorn's settings.
    ("json", ("*log*.json",)),
    ("toml", ("*log*.toml", "hypercorn*.toml")),
)


def _compile_kinds() -> re.Pattern[str]:
    """One regex for every kind, a named group per kind in the table's order: the first
    kind that matches wins, as alternatives are tried in order (one match per file name
    instead of one per kind: a tree walk asks for every file)."""
    return re.compile(
        "|".join(
            f"(?P<kind{index}>" + "|".join(fnmatch.translate(pattern) for pattern in patterns) + ")"
            for index, (_kind, patterns) in enumerate(_KIND_PATTERNS)
        )
    )


_KIND_REGEX = _compile_kinds()
_KIND_OF_GROUP = {f"kind{index}": kind for index, (kind, _patterns) in enumerate(_KIND_PATTERNS)}


def kind_of_name(name: str, parent_name: str) -> str | None:
    match = _KIND_REGEX.match(name)
    if match is not None:
        # Not `lastgroup`: fnmatch's own translations may hold named groups.
        return next(kind for group, kind in _KIND_OF_GROUP.items() if match.group(group) is not None)
    # requirements/base.txt, requirements/dev.in
    if parent_name == "requirements" and name.endswith((".txt", ".in")):
        return "requirements"
    return None


def file_kind(path: Path) -> str | None:
    return kind_of_name(path.name, path.parent.name)


@dataclass(frozen=True)
class DiscoveredFile:
    path: Path  # absolute
    kind: str
    explicit: bool = False  # named on the command line rather than found by walking


def _relative(path: str, base: str) -> str:
    """`path` below `base` as a POSIX relative path (both absolute strings)."""
    relative = path[len(base) :].lstrip(os.sep)
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


class _Patterns:
    """gitignore-style patterns, with a fast path for the common name-only ones.

    Most patterns (`.venv`, `__pycache__`, `*.egg-info`, `node_modules/`)
    name an entry anywhere in the tree; those become one regex on the entry's
    name. Patterns with a slash inside or a negation go through pathspec on
    the path relative to the patterns' base folder.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        names: list[str] = []
        dir_names: list[str] = []
        rest: list[str] = []
        lines = [line.strip() for line in lines]
        # A negation can re-include what an earlier pattern excluded: then
        # order matters and only pathspec gets it right.
        ordered = any(line.startswith("!") for line in lines)
        for line in lines:
            if not line or line.startswith("#"):
                continue
            body = line[:-1] if line.endswith("/") else line
            if ordered or line.startswith("\\") or "/" in body or "**" in body:
                rest.append(line)
            else:
                (dir_names if line.endswith("/") else names).append(fnmatch.translate(body))
        self.names = re.compile("|".join(names)) if names else None
        self.dir_names = re.compile("|".join(dir_names)) if dir_names else None
        self.spec = pathspec.GitIgnoreSpec.from_lines(rest) if rest else None

    def matches(self, name: str, relative: str, is_dir: bool) -> bool:
        if self.names is not None and self.names.match(name):
            return True
        if is_dir and self.dir_names is not None and self.dir_names.match(name):
            return True
        return self.spec is not None and self.spec.match_file(relative + "/" if is_dir else relative)


class _IgnoreStack:
    """The .gitignore files that apply at one point of the walk."""

    def __init__(self, specs: tuple[tuple[str, _Patterns], ...] = ()) -> None:
        self.specs = specs

    def child(self, directory: str) -> _IgnoreStack:
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return self
        return _IgnoreStack((*self.specs, (directory, _Patterns(lines))))

    def ignores(self, path: str, name: str, is_dir: bool) -> bool:
        return any(patterns.matches(name, _relative(path, base), is_dir) for base, patterns in self.specs)


class Discovery:
    def __init__(self, settings: Settings, stamps: dict[str, int] | None = None) -> None:
        self.settings = settings
        self.root = settings.project_root
        self.exclude = _Patterns([*settings.exclude, *settings.extend_exclude])
        # When given: every folder walked and .gitignore read -> its mtime (ns), so that a
        # cached listing can tell it is still current (adding, removing or renaming an
        # entry changes its folder's mtime).
        self.stamps = stamps
        # Files left out because a template renders them (`{{cookiecutter.project_slug}}/...`).
        self.templated: list[Path] = []

    def _templated(self, path: str, name: str) -> bool:
        root = str(self.root)
        if is_template_path(_relative(path, root) if path.startswith(root + os.sep) else name):
            self.templated.append(Path(path))
            return True
        return False

    def _stamp(self, path: str) -> None:
        if self.stamps is not None:
            try:
                self.stamps[path] = os.stat(path).st_mtime_ns
            except OSError:
                self.stamps[path] = -1

    def excluded(self, path: Path, is_dir: bool, base: Path | None = None) -> bool:
        return self._excluded(str(path), path.name, is_dir, str(base or self.root))

    def _excluded(self, path: str, name: str, is_dir: bool, base: str) -> bool:
        relative = _relative(path, base) if path.startswith(base) else name
        return self.exclude.matches(name, relative, is_dir)

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
                if ignore.ignores(str(path), path.name, is_dir=True):
                    ignore = _IgnoreStack()
                for item in self._walk(str(path), ignore, str(base)):
                    found.setdefault(item.path, item)
            elif not self.excluded(path, is_dir=False) and not self._templated(str(path), path.name):
                # A file named on the command line is read whatever its name:
                # editors and pre-commit pass single files.
                kind = file_kind(path) or "python"
                found[path] = DiscoveredFile(path, kind, explicit=True)
        return sorted(found.values(), key=lambda item: item.path)

    def _ignore_stack_for(self, directory: Path) -> _IgnoreStack:
        stack = _IgnoreStack()
        if not self.settings.respect_gitignore:
            return stack
        chain = [directory, *directory.parents]
        top = chain.index(self.root) if self.root in chain else 0
        for ancestor in reversed(chain[1 : top + 1]):
            stack = stack.child(str(ancestor))
            self._stamp(os.path.join(ancestor, ".gitignore"))
        return stack

    def _walk(self, directory: str, ignore: _IgnoreStack, base: str) -> Iterator[DiscoveredFile]:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        self._stamp(directory)
        if self.settings.respect_gitignore and any(entry.name == ".gitignore" for entry in entries):
            ignore = ignore.child(directory)
            self._stamp(os.path.join(directory, ".gitignore"))
        parent_name = os.path.basename(directory)
        for entry in entries:
            # Symlinks are never followed: they can loop or leave the project.
            if entry.is_symlink():
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                # A FIFO, socket or device named `app.py` is never read: opening a FIFO blocks.
                regular = is_dir or entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if not regular:
                continue
            name, path = entry.name, entry.path
            if self._excluded(path, name, is_dir, base) or (
                ignore.specs and ignore.ignores(path, name, is_dir)
            ):
                continue
            if is_dir:
                yield from self._walk(path, ignore, base)
                continue
            kind = kind_of_name(name, parent_name)
            if kind is not None and not self._templated(path, name):
                yield DiscoveredFile(Path(path), kind)


def is_test_path(relative_path: str) -> bool:
    """tests/, test_*.py, *_test.py, Django's tests.py and conftest.py: how rules tell test code apart."""
    # String splitting, not PurePosixPath: rules ask this for every file, often.
    *folders, name = relative_path.strip("/").split("/")
    return (
        name in ("conftest.py", "tests.py")
        or name.startswith("test_")
        or name.endswith("_test.py")
        or any(part in ("tests", "test", "testing") for part in folders)
    )


# Words of a settings file name that say which environment it configures: development,
# unit tests, CI, smoke tests. Settings for such an environment are never deployed.
_NON_PRODUCTION_WORDS = frozenset(
    {
        "dev",
        "devel",
        "develop",
        "development",
        "local",
        "test",
        "tests",
        "testing",
        "unittest",
        "unittests",
        "pytest",
        "ci",
        "smoke",
        "smoketest",
        "smoketests",
    }
)
_SETTINGS_WORDS = frozenset(
    {"settings", "setting", "config", "conf", "configuration", "configs", "environments"}
)
_NAME_WORD = re.compile(r"[A-Za-z]+")


def is_non_production_settings_path(relative_path: str) -> bool:
    """A settings module for development, tests or CI, by its path.

    `settings/dev.py`, `local_settings.py`, `settings/ci.py`, `settings/unittests.py`,
    `configuration_testing.py`, `smoketest_configuration.py`: the file name holds an
    environment word, and a settings word is in the name or names a folder above it.
    """
    *folders, name = relative_path.strip("/").split("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    words = {word.lower() for word in _NAME_WORD.findall(stem)}
    if not words & _NON_PRODUCTION_WORDS:
        return False
    return bool(words & _SETTINGS_WORDS) or any(folder.lower() in _SETTINGS_WORDS for folder in folders)


# Folders holding tests, documentation and samples rather than the app a project deploys.
_SAMPLE_FOLDERS = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "samples", "sample", "demo", "demos"}
)


# Words of a settings file name that make it a template to copy: configuration_example.py.
_SAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "tmpl", "tpl"})


def is_sample_path(relative_path: str) -> bool:
    """Under tests/, docs/, examples/ and the like: a library's sample app is not what it deploys.

    Example settings (`configuration_example.py`, `settings/production.sample.py`)
    are samples too: templates an admin copies and edits, never run as they are.
    """
    *folders, name = relative_path.strip("/").split("/")
    if any(part.lower() in _SAMPLE_FOLDERS for part in folders):
        return True
    words = {word.lower() for word in _NAME_WORD.findall(name)}
    if not words & _SAMPLE_WORDS:
        return False
    return bool(words & _SETTINGS_WORDS) or any(folder.lower() in _SETTINGS_WORDS for folder in folders)


def _below(path: Path, base: Path) -> str | None:
    """`path` relative to `base` as a POSIX string, or None when it is not below it.

    String slicing rather than Path.relative_to: this runs for every file of a
    scan, and pathlib's parsing showed up in profiles.
    """
    text, prefix = str(path), str(base)
    if text == prefix:
        return "."
    if not prefix.endswith(os.sep):
        prefix += os.sep
    if not text.startswith(prefix):
        return None
    relative = text[len(prefix) :]
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


def display_path(path: Path) -> str:
    """How a path is shown: relative to the working directory when below it."""
    return _below(path, Path.cwd()) or path.as_posix()


def relative_to_root(path: Path, root: Path) -> str:
    return _below(path, root) or path.as_posix()
