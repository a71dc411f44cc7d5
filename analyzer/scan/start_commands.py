"""What runs when a container or process starts: every simple command of the project's
start commands, with where each word is written.

The start commands are Procfile entries, each Dockerfile's final ENTRYPOINT and CMD,
compose `command:` / `entrypoint:`, the command and args of the containers of long-running
Kubernetes workloads, and the shell scripts those name (`docker-entrypoint.sh`, `/start`).
`sh -c "..."` scripts are split into their commands. Rules that judge what happens at
start (a build step, a scheduler in a worker) read them here instead of parsing each
descriptor again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from factorscan.core.findings import Location, Severity
from factorscan.deploy.container import describe
from factorscan.deploy.dockerfile import Instruction
from factorscan.deploy.purpose import is_development_descriptor
from factorscan.deploy.shell import SHELLS, Word, commands, program_name, script_index
from factorscan.deploy.shell import words as split_words
from factorscan.deploy.yaml_loader import YamlNode
from factorscan.python.targets import sample_or_test_file
from factorscan.scan.project import EntrypointScript, ProjectModel

Span = tuple[Location, Location]


@dataclass(frozen=True)
class StartCommand:
    """One simple command run when a process starts, and where its words are written."""

    argv: tuple[str, ...]
    spans: tuple[Span, ...]  # one per word of argv (a word inside `sh -c` may get its script's span)
    path: str  # display path of the file it is written in
    # "Procfile `web`", "Dockerfile CMD", "compose service `web`", "`start.sh`, run by Dockerfile CMD"
    where: str
    process: str  # the Procfile process type, compose service or container name; "" otherwise
    development: bool  # written in a file for development, CI, tests or the docs

    def span(self, index: int) -> Span:
        return self.spans[min(index, len(self.spans) - 1)]

    def judged(self, message: str) -> tuple[str, Severity | None]:
        """A finding's message and severity for this command: a file for development, CI or
        the docs says so and lowers it to info; otherwise the rule's own severity."""
        if self.development:
            return message + " (a file for development, CI or the docs)", Severity.INFO
        return message, None


@dataclass(frozen=True)
class _Word:
    text: str
    span: Span
    # Maps an offset into `text` to a location, when the word's text is written verbatim.
    inner: Callable[[int], Location] | None = None


def start_commands(project: ProjectModel) -> list[StartCommand]:
    """Every command the project's processes run when they start (computed once per scan)."""
    # Commands of deployed files first: a script that both a deployed and a development
    # descriptor run is judged as deployed by rules that keep the first finding at a place.
    return project.derived(
        "start_commands",
        lambda: sorted(_Collector(project).collect(), key=lambda command: command.development),
    )


def _shell_words(text: str, locate: Callable[[int], Location]) -> list[list[_Word]]:
    """The simple commands of a shell text, each as words located through `locate`."""
    found = []
    for command in commands(text):
        words = []
        for word in command.words:
            inner = None
            if word.raw in (word.text, f'"{word.text}"', f"'{word.text}'"):
                base = word.start + (word.raw != word.text)
                inner = _shifted(locate, base)
            words.append(_Word(word.text, (locate(word.start), locate(word.end)), inner))
        found.append(words)
    return found


def _shifted(locate: Callable[[int], Location], base: int) -> Callable[[int], Location]:
    return lambda offset: locate(base + offset)


def _expand(words: Sequence[_Word], depth: int = 0) -> Iterator[list[_Word]]:
    """A command, or the commands of the `sh -c` script it runs."""
    argv = [word.text for word in words]
    if describe(argv).shell_script is None or depth > 2:
        yield list(words)
        return
    # The shell, past what runs it (`exec`, `tini --`, `gosu app`).
    start = next((position for position, word in enumerate(argv) if program_name(word) in SHELLS), 0)
    index = script_index(argv[start:])
    if index is None:
        yield list(words)
        return
    script = words[start + index]
    locate = script.inner or (lambda _offset: script.span[0])
    for inner in _shell_words(script.text, locate):
        located = inner if script.inner is not None else [_Word(word.text, script.span) for word in inner]
        yield from _expand(located, depth + 1)


class _Collector:
    def __init__(self, project: ProjectModel) -> None:
        self.project = project
        self.scripts_seen: set[tuple[Path, bool]] = set()

    def collect(self) -> Iterator[StartCommand]:
        yield from self._procfiles()
        yield from self._dockerfiles()
        yield from self._compose()
        yield from self._kubernetes()

    def _emit(
        self,
        words: Sequence[_Word],
        *,
        path: str,
        where: str,
        process: str,
        development: bool,
        dockerfile: Path | None = None,
    ) -> Iterator[StartCommand]:
        for command in _expand(words):
            if not command:
                continue
            yield StartCommand(
                tuple(word.text for word in command),
                tuple(word.span for word in command),
                path,
                where,
                process,
                development,
            )
            yield from self._script(command, where, process, development, dockerfile)

    def _script(
        self, command: Sequence[_Word], where: str, process: str, development: bool, dockerfile: Path | None
    ) -> Iterator[StartCommand]:
        """The commands of a shell script a start command runs (`/start`, `./bin/run.sh`)."""
        found = describe([word.text for word in command])
        program = found.program
        if not program or found.is_python or "$" in program:
            return
        if "/" not in program and not program.endswith(".sh"):
            return
        script = self.project.script_run_by(program, dockerfile)
        if script is not None:
            yield from self._script_commands(script, where, process, development)

    def _script_commands(
        self, script: EntrypointScript, where: str, process: str, development: bool
    ) -> Iterator[StartCommand]:
        if (script.path, development) in self.scripts_seen:
            return
        self.scripts_seen.add((script.path, development))
        source = self.project.source(script.path)
        if source is None:
            return
        relative = self.project.relative(script.path)
        development = development or _for_development(relative)
        base = 0
        if script.first_row > 1:  # a COPY heredoc inside the Dockerfile
            base = source.offset(Location(script.first_row, 1))
        display = self.project.display(script.path)
        for command_words in _shell_words(script.text, _shifted(source.location, base)):
            for command in _expand(command_words):
                if command:
                    yield StartCommand(
                        tuple(word.text for word in command),
                        tuple(word.span for word in command),
                        display,
                        f"`{script.path.name}`, run by {where}",
                        process,
                        development,
                    )

    def _procfiles(self) -> Iterator[StartCommand]:
        project = self.project
        for path, entries in project.procfiles.items():
            display = project.display(path)
            development = _for_development(project.relative(path))
            for entry in entries:

                def locate(offset: int, entry_row: int = entry.row, column: int = entry.column) -> Location:
                    return Location(entry_row, column + offset)

                where = f"Procfile `{entry.name}`"
                for command_words in _shell_words(entry.command, locate):
                    yield from self._emit(
                        command_words, path=display, where=where, process=entry.name, development=development
                    )

    def _dockerfiles(self) -> Iterator[StartCommand]:
        project = self.project
        for path, dockerfile in project.dockerfiles.items():
            display = project.display(path)
            development = _for_development(project.relative(path))
            entrypoint, cmd = dockerfile.final_command()
            for instruction in (entrypoint, cmd):
                if instruction is None:
                    continue
                where = f"Dockerfile {instruction.keyword}"
                for command_words in _instruction_words(instruction):
                    yield from self._emit(
                        command_words,
                        path=display,
                        where=where,
                        process="",
                        development=development,
                        dockerfile=path,
                    )
            script = project.entrypoint_scripts.get(path)
            if script is not None:
                yield from self._script_commands(script, "Dockerfile ENTRYPOINT", "", development)

    def _compose(self) -> Iterator[StartCommand]:
        project = self.project
        for path, services in project.compose_services.items():
            display = project.display(path)
            development = _for_development(project.relative(path))
            source = project.source(path)
            line = source.line if source is not None else _no_line
            for service in services:
                dockerfile = None
                if service.build_context is not None and "$" not in service.build_context:
                    dockerfile = Path(
                        os.path.normpath(
                            path.parent / service.build_context / (service.dockerfile or "Dockerfile")
                        )
                    )
                words = [
                    word
                    for node in (service.entrypoint, service.command)
                    if node is not None
                    for word in _yaml_words(node, line)
                ]
                if words:
                    where = f"compose service `{service.name}`"
                    yield from self._emit(
                        words,
                        path=display,
                        where=where,
                        process=service.name,
                        development=development,
                        dockerfile=dockerfile,
                    )

    def _kubernetes(self) -> Iterator[StartCommand]:
        project = self.project
        deployment = project.deployment
        if deployment.empty:
            return
        seen: set[tuple[str, int, int]] = set()
        for _variant, workload in deployment.workloads():
            if not workload.long_running:
                continue
            for container in [*workload.init_containers, *workload.containers]:
                nodes = [*container.command, *container.args]
                if not nodes or nodes[0].origin not in project.scanned_paths:
                    continue
                key = (nodes[0].origin, nodes[0].row, nodes[0].column)
                if key in seen:
                    continue
                seen.add(key)
                origin = nodes[0].origin
                text = deployment.read_text(origin) or ""
                lines = text.splitlines()

                def line(row: int, lines: list[str] = lines) -> str:
                    return lines[row - 1] if 0 < row <= len(lines) else ""

                words = [_yaml_word(node, line) for node in nodes]
                display = project.display(project.root / origin)
                development = _for_development(origin)
                where = f"container `{container.name}` of {workload.kind} `{workload.name}`"
                yield from self._emit(
                    words, path=display, where=where, process=container.name, development=development
                )


def _instruction_words(instruction: Instruction) -> list[list[_Word]]:
    """The words of a CMD/ENTRYPOINT: exec form as one command, shell form split into commands."""
    if instruction.json is not None:
        return [
            [
                _Word(value, (instruction.location(start), instruction.location(end)))
                for value, start, end in instruction.json_elements()
            ]
        ]
    base = instruction.args_offset
    return _shell_words(instruction.arguments, _shifted(instruction.location, base))


def _yaml_words(node: YamlNode, line: Callable[[int], str]) -> list[_Word]:
    """The words of a command node: each item of a list, or the words of a string (compose
    splits it with shell quoting, without running a shell)."""
    if isinstance(node.value, list):
        return [_yaml_word(item, line) for item in node.value]
    word = _yaml_word(node, line)
    if word.inner is None:
        return [_Word(part.text, word.span) for part in split_words(word.text)]
    return [
        _Word(part.text, (word.inner(part.start), word.inner(part.end)), _quoted_inner(part, word.inner))
        for part in split_words(word.text)
    ]


def _quoted_inner(part: Word, locate: Callable[[int], Location]) -> Callable[[int], Location] | None:
    if part.raw in (part.text, f'"{part.text}"', f"'{part.text}'"):
        return _shifted(locate, part.start + (part.raw != part.text))
    return None


def _yaml_word(node: YamlNode, line: Callable[[int], str]) -> _Word:
    """A YAML scalar as a word, located line by line when its text is written verbatim
    (a plain or quoted scalar on one row, or a literal block scalar)."""
    text = node.text or ""
    start = Location(node.row, node.column)
    if node.end_row == node.row and node.end_column > node.column:
        span = (start, Location(node.row, node.end_column))
    else:
        span = (start, Location(node.row, node.column + 1))
    rows: list[tuple[int, int]] = []  # per line of text: (row, column of its first character)
    row = node.row
    for piece in text.split("\n"):
        stripped = piece.strip()
        if not stripped:
            rows.append((row, 0))
            continue
        found = None
        while row <= max(node.end_row, node.row):
            column = line(row).find(stripped, node.column - 1 if row == node.row else 0)
            if column >= 0:
                found = (row, column - (len(piece) - len(piece.lstrip())))
                break
            row += 1
        if found is None:
            return _Word(text, span)
        rows.append(found)
        row = found[0] + 1

    def locate(offset: int) -> Location:
        index = text.count("\n", 0, offset)
        line_start = text.rfind("\n", 0, offset) + 1
        found_row, column = rows[min(index, len(rows) - 1)]
        return Location(found_row, column + 1 + offset - line_start)

    return _Word(text, span, locate)


def _no_line(_row: int) -> str:
    return ""


def _for_development(relative: str) -> bool:
    return is_development_descriptor(relative) or sample_or_test_file(relative)
