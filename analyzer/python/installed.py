"""What an installed Python environment holds, read from its metadata files.

Nothing is imported or run: each distribution's `*.dist-info` (or `*.egg-info`)
says which top-level names it installs (`top_level.txt`, else its RECORD) and
which distributions it requires. Two environments matter to the import map:
the project's own virtualenv when the project has one (`.venv/`, `venv/`...),
which is the truth for that project, and factorscan's interpreter, which is
only a hint (it is often not the project's).

Reading every distribution's metadata takes 0.1-1 s, so with a cache the facts
are kept between runs (`Cache.memo`), keyed by the modification times of the
folders searched and of the metadata folders in them: installing, upgrading or
removing a distribution adds or replaces a `*.dist-info` folder, which changes
both.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
from functools import cache, cached_property
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from factorscan.core.cache import Cache

_METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".pth")
Facts = tuple[dict[str, list[str]], dict[str, set[str]], dict[str, list[str]]]

# Folder names a project's virtualenv usually has; the one with a pyvenv.cfg is taken.
VENV_FOLDERS = (".venv", "venv", ".virtualenv", "virtualenv", "env")


class InstalledMetadata:
    """The distributions of one environment: `paths` are its site-packages, None the running one."""

    def __init__(self, paths: tuple[str, ...] | None = None) -> None:
        self.paths = paths
        # Where the facts are kept between runs; the scan sets it (None: read every time).
        self.cache: Cache | None = None

    def _searched(self) -> list[str]:
        return list(self.paths) if self.paths is not None else [folder or "." for folder in sys.path]

    def stamp(self) -> str:
        """A digest of what reading the metadata depends on: the folders searched, their
        modification times and those of the metadata entries in them."""
        digest = hashlib.blake2b(sys.executable.encode(), digest_size=12)
        for folder in self._searched():
            digest.update(b"\0" + os.fsencode(folder))
            try:
                digest.update(b"=%d" % os.stat(folder).st_mtime_ns)
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.name.endswith(_METADATA_SUFFIXES):
                            digest.update(b"\0%s=%d" % (os.fsencode(entry.name), entry.stat().st_mtime_ns))
            except OSError:  # missing, a zip file on sys.path, unreadable
                digest.update(b"=-")
        return digest.hexdigest()

    def _distributions(self) -> list[importlib.metadata.Distribution]:
        try:
            if self.paths is None:
                return list(importlib.metadata.distributions())
            return list(importlib.metadata.distributions(path=list(self.paths)))
        except Exception:  # a broken installed distribution must not stop the scan
            return []

    @cached_property
    def _facts(self) -> Facts:
        if self.cache is None:
            return self._read_facts()
        name = "environment:" + ("running" if self.paths is None else os.pathsep.join(self.paths))
        key = self.stamp()
        stored = self.cache.memo(name, key)
        if isinstance(stored, list) and len(stored) == 3:
            imports, provides, requires = stored
            return imports, {dist: set(tops) for dist, tops in provides.items()}, requires
        facts = self._read_facts()
        imports, provides, requires = facts
        stored_provides = {dist: sorted(tops) for dist, tops in provides.items()}
        self.cache.put_memo(name, key, [imports, stored_provides, requires])
        return facts

    def _read_facts(self) -> Facts:
        imports: dict[str, list[str]] = {}
        provides: dict[str, set[str]] = {}
        requires: dict[str, list[str]] = {}
        for distribution in self._distributions():
            try:
                name = canonicalize_name(distribution.metadata["Name"] or "")
                tops = _top_level_names(distribution)
                requirements = distribution.requires or []
            except Exception:  # unreadable metadata: skip that distribution
                continue
            if not name or name in provides:
                continue  # the first on the path wins, as for imports
            provides[name] = tops
            for top in sorted(tops):
                imports.setdefault(top, []).append(name)
            requires[name] = _runtime_requirements(requirements)
        return imports, provides, requires

    @property
    def imports(self) -> dict[str, list[str]]:
        """Top-level import name -> the distributions that install it."""
        return self._facts[0]

    @property
    def provides(self) -> dict[str, set[str]]:
        """Distribution -> the top-level names it installs."""
        return self._facts[1]

    def requires(self, distribution: str) -> list[str]:
        return self._facts[2].get(distribution, [])


def _top_level_names(distribution: importlib.metadata.Distribution) -> set[str]:
    declared = (distribution.read_text("top_level.txt") or "").split()
    if declared:
        return set(declared)
    names: set[str] = set()
    for file in distribution.files or []:
        parts = file.parts
        if not parts or parts[0] == ".." or parts[0].endswith((".dist-info", ".egg-info", ".data")):
            continue
        if len(parts) > 1:
            names.add(parts[0])
        elif parts[0].endswith(".py"):
            names.add(parts[0][:-3])
    return {name for name in names if name.isidentifier() and name != "__pycache__"}


def _runtime_requirements(requirements: list[str]) -> list[str]:
    names: list[str] = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or "extra" not in str(requirement.marker):
            names.append(canonicalize_name(requirement.name))
    return list(dict.fromkeys(names))


@cache
def running_environment() -> InstalledMetadata:
    """factorscan's own interpreter."""
    return InstalledMetadata()


def project_environment(root: Path) -> InstalledMetadata | None:
    """The virtualenv inside the project, if it has one with packages installed."""
    for folder in VENV_FOLDERS:
        venv = root / folder
        if not (venv / "pyvenv.cfg").is_file():
            continue
        site_packages = sorted(venv.glob("lib/python3*/site-packages")) + sorted(
            venv.glob("Lib/site-packages")
        )
        if site_packages:
            return _environment_at(tuple(str(path) for path in site_packages))
    return None


@cache
def _environment_at(paths: tuple[str, ...]) -> InstalledMetadata:
    return InstalledMetadata(paths)
