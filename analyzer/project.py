"""ProjectModel: the whole project as project rules see it, built once per run.

The dependency and container issues extend it with parsed manifests,
Dockerfiles and the Procfile; everything is computed lazily, so a run pays
only for what its enabled rules ask for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from factorscan.container import (
    ComposeService,
    Process,
    ProcfileEntry,
    ScriptEnding,
    describe,
    parse_compose,
    parse_procfile,
    script_ending,
)
from factorscan.discovery import DiscoveredFile, display_path, relative_to_root
from factorscan.dockerfile import DEFAULT_SHELL, Dockerfile, Instruction
from factorscan.dockerfile import parse as parse_dockerfile
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

    # -- containers and processes: Dockerfiles, Procfiles, compose, entrypoints --------

    @cached_property
    def dockerfiles(self) -> dict[Path, Dockerfile]:
        """Every Dockerfile, parsed; what buildkit would refuse is shown as a warning."""
        parsed = {}
        for item in self.files_of_kind("dockerfile"):
            source = self.source(item.path)
            if source is None:
                continue
            dockerfile = parse_dockerfile(source.text, source.display_path)
            for issue in dockerfile.issues:
                self.warnings.append(f"{source.display_path}:{issue.row}: {issue.message}")
            parsed[item.path] = dockerfile
        return parsed

    @cached_property
    def procfiles(self) -> dict[Path, list[ProcfileEntry]]:
        found = {}
        for item in self.files_of_kind("procfile"):
            source = self.source(item.path)
            if source is not None:
                found[item.path] = parse_procfile(source.text)
        return found

    @cached_property
    def compose_services(self) -> dict[Path, list[ComposeService]]:
        found = {}
        for item in self.files_of_kind("compose"):
            source = self.source(item.path)
            if source is not None:
                found[item.path] = parse_compose(source.text)
        return found

    @cached_property
    def entrypoint_scripts(self) -> dict[Path, EntrypointScript]:
        """Dockerfile -> the shell script its final ENTRYPOINT/CMD runs, when the project has it."""
        found = {}
        for path, dockerfile in self.dockerfiles.items():
            process = dockerfile_process(dockerfile)
            if process is None or not process.program:
                continue
            script = self._find_script(path, dockerfile, process.program)
            if script is not None:
                found[path] = script
        return found

    @cached_property
    def processes(self) -> list[DeclaredProcess]:
        """Every process the project declares: Procfile entries, each Dockerfile's final
        command (seen through its entrypoint script) and compose command overrides."""
        found = []
        for path, entries in self.procfiles.items():
            for entry in entries:
                argv = [word.text for word in entry.words()]
                found.append(DeclaredProcess(path, "procfile", entry.name, entry.row, describe(argv)))
        for path, dockerfile in self.dockerfiles.items():
            process = dockerfile_process(dockerfile)
            if process is None:
                continue
            entrypoint, cmd = dockerfile.final_command()
            script = self.entrypoint_scripts.get(path)
            if script is not None and script.ending.process is not None:
                inner = script.ending.process
                process = describe(command_argv(cmd)) if inner.runs_arguments and cmd is not None else inner
            declaration = cmd or entrypoint
            row = declaration.start_row if declaration is not None else 1
            found.append(DeclaredProcess(path, "dockerfile", "CMD", row, process))
        for path, services in self.compose_services.items():
            for service in services:
                argv = service.process_argv()
                node = service.command or service.entrypoint
                if argv and node is not None:
                    found.append(DeclaredProcess(path, "compose", service.name, node.row, describe(argv)))
        return found

    def _find_script(self, path: Path, dockerfile: Dockerfile, program: str) -> EntrypointScript | None:
        """The file behind `/docker-entrypoint.sh`: a COPY into that path, else a shell file of that name."""
        context = path.parent
        name = program.rsplit("/", 1)[-1]
        for copy in dockerfile.copies(dockerfile.stages_reaching_final()):
            if copy.from_stage is not None or copy.from_image is not None:
                continue
            for source_name in copy.sources:
                destination = copy.destination
                if destination.endswith("/") or len(copy.sources) > 1:
                    destination = destination.rstrip("/") + "/" + source_name.rsplit("/", 1)[-1]
                if destination.rsplit("/", 1)[-1] != name:
                    continue
                if copy.heredoc:
                    heredoc = next(
                        (h for h in copy.instruction.heredocs if f"<<{h.name}" in source_name), None
                    )
                    if heredoc is not None:
                        return EntrypointScript(
                            path, heredoc.text, heredoc.start_row, script_ending(heredoc.text)
                        )
                    continue
                candidate = context / source_name
                if candidate.is_file():
                    source = self.source(candidate)
                    if source is not None:
                        return EntrypointScript(candidate, source.text, 1, script_ending(source.text))
        shells = [item.path for item in self.files_of_kind("shell") if item.path.name == name]
        shells.sort(key=lambda item: (not item.is_relative_to(context), len(item.parts)))
        for candidate in shells:
            source = self.source(candidate)
            if source is not None:
                return EntrypointScript(candidate, source.text, 1, script_ending(source.text))
        return None


@dataclass(frozen=True)
class DeclaredProcess:
    """A process the project declares, and where."""

    path: Path  # the Procfile, Dockerfile or compose file
    origin: str  # procfile | dockerfile | compose
    name: str  # process type, "CMD", or compose service
    row: int
    process: Process


@dataclass(frozen=True)
class EntrypointScript:
    path: Path  # the script file (the Dockerfile itself for a COPY heredoc)
    text: str
    first_row: int  # the row of the script's first line in `path`
    ending: ScriptEnding


def command_argv(instruction: Instruction | None, shell: tuple[str, ...] = DEFAULT_SHELL) -> list[str]:
    """The argv Docker runs for a CMD/ENTRYPOINT: exec form as is, shell form under the shell."""
    if instruction is None:
        return []
    if instruction.json is not None:
        return list(instruction.json)
    return [*shell, instruction.arguments.strip()] if instruction.arguments.strip() else []


def dockerfile_process(dockerfile: Dockerfile) -> Process | None:
    """The final image's process: ENTRYPOINT (plus CMD as its arguments) or CMD alone."""
    entrypoint, cmd = dockerfile.final_command()
    final = dockerfile.final_stage
    if final is None or (entrypoint is None and cmd is None):
        return None
    argv = command_argv(entrypoint, final.shell)
    if entrypoint is None or entrypoint.json is not None:
        argv += command_argv(cmd, final.shell)
    return describe(argv)
