"""ProjectModel: the whole project as project rules see it, built once per run.

The dependency and container issues extend it with parsed manifests,
Dockerfiles and the Procfile; everything is computed lazily, so a run pays
only for what its enabled rules ask for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from factorscan.discovery import DiscoveredFile, display_path, relative_to_root
from factorscan.settings import Settings
from factorscan.source import SourceDecodeError, SourceFile


class ProjectModel:
    def __init__(self, root: Path, settings: Settings, files: list[DiscoveredFile]) -> None:
        self.root = root
        self.settings = settings
        self.files = files
        self._sources: dict[Path, SourceFile | None] = {}
        self._facts: dict[str, dict[str, list[Any]]] = {}
        # Problems met while reading project files, shown as warnings.
        self.warnings: list[str] = []

    # -- files -------------------------------------------------------------

    def relative(self, path: Path) -> str:
        return relative_to_root(path, self.root)

    @staticmethod
    def display(path: Path) -> str:
        return display_path(path)

    def files_of_kind(self, *kinds: str) -> list[DiscoveredFile]:
        return [item for item in self.files if item.kind in kinds]

    @property
    def python_files(self) -> list[DiscoveredFile]:
        return self.files_of_kind("python")

    def source(self, path: Path) -> SourceFile | None:
        """A project file's content, or None (with a warning) when unreadable."""
        if path not in self._sources:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.warnings.append(f"{display_path(path)}: cannot read: {exc.strerror or exc}")
                self._sources[path] = None
            else:
                source = SourceFile(path, display_path(path), data, is_python=path.suffix == ".py")
                try:
                    source.text  # noqa: B018 - decode now so failures surface here
                except SourceDecodeError as exc:
                    self.warnings.append(f"{display_path(path)}: {exc}")
                    self._sources[path] = None
                else:
                    self._sources[path] = source
        return self._sources[path]

    # -- facts recorded by source visitors ------------------------------------

    def add_facts(self, relative_path: str, facts: dict[str, list[Any]]) -> None:
        for key, values in facts.items():
            self._facts.setdefault(key, {})[relative_path] = values

    def facts(self, key: str) -> dict[str, list[Any]]:
        """relative path -> facts recorded under `key` in that file."""
        return self._facts.get(key, {})

    def iter_facts(self, key: str) -> Iterator[tuple[Path, Any]]:
        for relative_path, values in sorted(self.facts(key).items()):
            for value in values:
                yield self.root / relative_path, value
