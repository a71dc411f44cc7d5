"""A Dockerfile parser that follows buildkit's grammar, and the facts rules read from it.

Grammar (moby/buildkit `frontend/dockerfile/parser`): parser directives at the
top (`# syntax=`, `# escape=` with a backslash or a backtick), line
continuations with the escape character (comment and empty lines inside a
continuation are dropped), heredocs on RUN/COPY/ADD (`<<EOF`, `<<-EOF`,
quoted delimiters that turn expansion off, several on one line), JSON (exec)
versus shell form, builder flags (`--from=`, `--mount=`), and variable
substitution (`$X`, `${X}`, `${X:-default}`, `${X:+alt}`) with ARG before
FROM, per-stage ARG and ENV, and stages inheriting from earlier stages.

`parse()` never raises: what buildkit would refuse (an unknown instruction,
an unterminated heredoc, a missing argument) becomes an `Issue`, and
parsing goes on.

What rules read: `Dockerfile.stages` (base image after ARG resolution,
alias, parent stage), `stages_reaching_final()`, `final_command()`,
`Stage.env`, `pip_installs()`, `system_installs()`, `copies()`, and every
`Instruction` with its row span and a map from its text back to the file.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from factorscan.core.findings import Location
from factorscan.deploy.image_installs import (
    PipInstall,
    SystemInstall,
    pip_install,
    pip_install_arguments,
    system_install,
)
from factorscan.deploy.shell import (
    SHELLS,
    Command,
    Word,
    commands,
    physical_lines,
    program_name,
    script_index,
    words,
)

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_HEREDOC_INSTRUCTIONS = frozenset({"ADD", "COPY", "RUN"})
_JSON_INSTRUCTIONS = frozenset({"ADD", "COPY", "CMD", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
_FLAG_INSTRUCTIONS = frozenset({"ADD", "COPY", "FROM", "HEALTHCHECK", "RUN"})
# Build arguments buildkit defines itself: known names with values only the build knows.
_PREDEFINED_ARGS = frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "TARGETSTAGE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "FTP_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
    }
)
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_FLAG = re.compile(r"--([A-Za-z][\w-]*)(?:=(\S*))?\s*")
_HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)([^<]*)$")
DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass(frozen=True)
class Issue:
    """Something buildkit would refuse or warn about; rows are 1-based."""

    row: int
    message: str
    severity: str = "error"  # error | warning


class TextMap:
    """Maps offsets in a joined text back to rows and columns of the file."""

    def __init__(self, segments: Sequence[tuple[int, int, int]]) -> None:
        # (offset in the text, row, column of that offset in the file)
        self._segments = list(segments)
        self._offsets = [offset for offset, _, _ in self._segments]

    def location(self, offset: int) -> Location:
        index = max(bisect.bisect_right(self._offsets, offset) - 1, 0)
        start, row, column = self._segments[index]
        return Location(row, column + offset - start)

    def shifted(self, delta: int) -> TextMap:
        """The same map for a slice of the text that starts at `delta`."""
        return TextMap([(offset - delta, row, column) for offset, row, column in self._segments])


@dataclass(frozen=True)
class Flag:
    name: str
    value: str | None
    start: int  # offsets in Instruction.line
    end: int


@dataclass(frozen=True)
class Heredoc:
    name: str
    body: str  # the lines as written, newlines included
    strip_tabs: bool  # <<-EOF
    expand: bool  # False when the delimiter was quoted
    start_row: int  # the first body row
    end_row: int  # the terminator row (the last row when unterminated)
    terminated: bool = True

    @property
    def text(self) -> str:
        if not self.strip_tabs:
            return self.body
        return "".join(line.lstrip("\t") for line in physical_lines(self.body))

    @property
    def text_map(self) -> TextMap:
        segments = []
        offset = 0
        for row, line in enumerate(physical_lines(self.body), start=self.start_row):
            stripped = len(line) - len(line.lstrip("\t")) if self.strip_tabs else 0
            segments.append((offset, row, 1 + stripped))
            offset += len(line) - stripped
        return TextMap(segments or [(0, self.start_row, 1)])


@dataclass(frozen=True)
class Assignment:
    """`NAME=value` in ENV, ARG or LABEL; value None for `ARG NAME`."""

    name: str
    value: str | None
    start: int  # offsets into Instruction.line: the whole pair
    end: int
    value_start: int  # where the value begins (`end` when there is none)


@dataclass
class Instruction:
    keyword: str  # upper case
    line: str  # keyword and arguments, continuations joined, as buildkit sees them
    start_row: int
    end_row: int  # includes heredoc bodies
    text_map: TextMap
    flags: tuple[Flag, ...] = ()
    args_offset: int = 0  # where the arguments (after flags) start in `line`
    json: tuple[str, ...] | None = None  # exec form
    heredocs: tuple[Heredoc, ...] = ()
    comments: tuple[str, ...] = ()  # the comment lines right above
    stage: int = -1  # index of its stage; -1 before the first FROM
    escape: str = "\\"

    @property
    def arguments(self) -> str:
        return self.line[self.args_offset :]

    @property
    def exec_form(self) -> bool:
        return self.json is not None

    def flag(self, name: str) -> str | None:
        for flag in self.flags:
            if flag.name == name:
                return flag.value if flag.value is not None else ""
        return None

    def flag_values(self, name: str) -> list[str]:
        return [flag.value or "" for flag in self.flags if flag.name == name]

    def location(self, offset: int) -> Location:
        """Row and column of an offset into `line`."""
        return self.text_map.location(offset)

    @property
    def start(self) -> Location:
        return self.location(0)

    @property
    def end(self) -> Location:
        """The end of the instruction's own text (heredoc bodies excluded)."""
        return self.location(len(self.line.rstrip()))

    def words(self) -> list[Word]:
        """Shell words of the arguments; offsets are into `line`."""
        found = words(self.arguments, self.escape)
        return [Word(w.text, w.raw, w.start + self.args_offset, w.end + self.args_offset) for w in found]

    def json_elements(self) -> list[tuple[str, int, int]]:
        """Exec form: (value, start, end) of each JSON string, offsets into `line`."""
        if self.json is None:
            return []
        return [
            (json.loads(match.group()), match.start(), match.end())
            for match in re.finditer(r'"(?:[^"\\]|\\.)*"', self.line)
            if match.start() >= self.args_offset
        ][: len(self.json)]

    def assignments(self) -> list[Assignment]:
        """`ENV a=1 b="x y"`, legacy `ENV a 1`, `ARG name[=default] ...`, `LABEL k=v`.

        Values are unquoted but not substituted; offsets are into `line`.
        """
        found = self.words()
        if not found:
            return []
        if self.keyword == "ENV" and "=" not in found[0].raw:
            # Legacy form: the value is the rest of the line.
            value = " ".join(word.text for word in found[1:])
            return [Assignment(found[0].text, value, found[0].start, found[-1].end, found[0].end)]
        pairs = []
        for word in found:
            name, equals, value = word.text.partition("=")
            value_start = word.start + word.raw.find("=") + 1 if equals else word.end
            pairs.append(Assignment(name, value if equals else None, word.start, word.end, value_start))
        return pairs

    def ignores(self, code: str) -> bool:
        """`# factorscan: ignore=FS0903` in the comment lines right above."""
        for comment in self.comments:
            match = re.match(r"factorscan:\s*ignore\s*=\s*(.+)", comment, re.IGNORECASE)
            if match and any(
                code.startswith(part.upper()) for part in re.split(r"[\s,]+", match.group(1)) if part
            ):
                return True
        return False

    def shell_scripts(self) -> list[tuple[str, TextMap]]:
        """The shell text a RUN executes: its command, plus heredoc bodies fed to a shell."""
        if self.keyword != "RUN":
            return []
        if self.json is not None:
            elements = self.json_elements()
            argv = list(self.json)
            index = script_index(argv)
            if index is not None and index < len(elements):
                return [(argv[index], self.text_map.shifted(elements[index][1] + 1))]
            joined, segments = "", []
            for value, start, _ in elements:
                location = self.location(start + 1)
                segments.append((len(joined), location.row, location.column))
                joined += value + " "
            return [(joined, TextMap(segments))] if segments else []
        scripts = [(self.arguments, self.text_map.shifted(self.args_offset))]
        command_words = [word.text for word in words(self.arguments, self.escape)]
        first = command_words[0] if command_words else ""
        # `RUN <<EOF` runs the body as a script; `RUN bash <<EOF` feeds it to a shell.
        # Elsewhere (`cat <<EOF > file`, `python <<EOF`) a heredoc is data.
        script_body = bool(_HEREDOC_WORD.match(first))
        shell_stdin = program_name(first) in SHELLS and script_index(command_words) is None
        for heredoc in self.heredocs if script_body or shell_stdin else ():
            text = heredoc.text
            shebang = re.match(r"#!\s*(\S+)(?:\s+(\S+))?", text)
            interpreter = shebang and program_name(shebang.group(1))
            if shebang and interpreter == "env":
                interpreter = program_name(shebang.group(2) or "")
            if not shebang or interpreter in SHELLS:
                scripts.append((text, heredoc.text_map))
        return scripts


@dataclass(frozen=True)
class ImageRef:
    """`[registry/]repository[:tag][@digest]`."""

    text: str
    repository: str  # with its registry, without tag and digest
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        rest, _, digest = text.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > slash:
            repository, tag = rest[:colon], rest[colon + 1 :]
        else:
            repository, tag = rest, None
        return cls(text, repository, tag or None, digest or None)

    @property
    def name(self) -> str:
        """The last path component: `python` for `docker.io/library/python`."""
        return self.repository.rsplit("/", 1)[-1].lower()


@dataclass
class Stage:
    index: int
    instruction: Instruction  # its FROM
    base: str  # the image reference after ARG substitution
    resolved: bool  # False when the reference uses a build arg with no default
    name: str | None = None  # the alias, lower case
    parent: int | None = None  # the earlier stage it is built FROM
    instructions: list[Instruction] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # ENV at the end of the stage, inherited ones included
    shell: tuple[str, ...] = DEFAULT_SHELL

    @property
    def image(self) -> ImageRef | None:
        """The external base image; None for `scratch`, an earlier stage, or an unresolved ARG."""
        if self.parent is not None or not self.resolved or self.base.lower() == "scratch" or not self.base:
            return None
        return ImageRef.parse(self.base)

    def of(self, *keywords: str) -> list[Instruction]:
        return [instruction for instruction in self.instructions if instruction.keyword in keywords]


@dataclass(frozen=True)
class Copy:
    instruction: Instruction
    sources: tuple[str, ...]
    destination: str
    from_stage: Stage | None  # --from=<stage>
    from_image: str | None  # --from=<image> that is not a stage
    heredoc: bool  # COPY <<EOF /dest: the sources are inline files


@dataclass
class Dockerfile:
    path: str
    instructions: list[Instruction]
    stages: list[Stage]
    issues: list[Issue]
    directives: dict[str, str]
    global_args: dict[str, str | None]
    escape: str = "\\"

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, reference: str) -> Stage | None:
        """A stage by alias (case-insensitive) or index."""
        lowered = reference.lower()
        for stage in self.stages:
            if stage.name == lowered:
                return stage
        if reference.isdigit() and int(reference) < len(self.stages):
            return self.stages[int(reference)]
        return None

    def lineage(self, stage: Stage) -> list[Stage]:
        """`stage` and the stages it is built FROM, nearest first."""
        chain = [stage]
        while chain[-1].parent is not None and len(chain) <= len(self.stages):
            chain.append(self.stages[chain[-1].parent])
        return chain

    def root_image(self, stage: Stage | None = None) -> ImageRef | None:
        """The external image at the bottom of a stage's FROM chain."""
        stage = stage or self.final_stage
        if stage is None:
            return None
        return self.lineage(stage)[-1].image

    def stages_reaching_final(self) -> list[Stage]:
        """The final stage, its FROM chain, and stages it copies or mounts from, transitively."""
        final = self.final_stage
        if final is None:
            return []
        reached: dict[int, Stage] = {}
        pending = [final]
        while pending:
            stage = pending.pop()
            if stage.index in reached:
                continue
            reached[stage.index] = stage
            if stage.parent is not None:
                pending.append(self.stages[stage.parent])
            for instruction in stage.instructions:
                for reference in _stage_references(instruction):
                    source = self.stage_named(reference)
                    if source is not None and source.index < stage.index:
                        pending.append(source)
        return [reached[index] for index in sorted(reached)]

    def final_command(self) -> tuple[Instruction | None, Instruction | None]:
        """(ENTRYPOINT, CMD) of the final image as far as this file tells.

        An ENTRYPOINT resets a CMD inherited from a base stage, as Docker does.
        """
        final = self.final_stage
        if final is None:
            return None, None
        entrypoint = cmd = None
        entrypoint_depth = cmd_depth = -1
        for depth, stage in enumerate(self.lineage(final)):
            if entrypoint is None and stage.of("ENTRYPOINT"):
                entrypoint, entrypoint_depth = stage.of("ENTRYPOINT")[-1], depth
            if cmd is None and stage.of("CMD"):
                cmd, cmd_depth = stage.of("CMD")[-1], depth
        if entrypoint is not None and cmd is not None and cmd_depth > entrypoint_depth:
            cmd = None
        return entrypoint, cmd

    def stage_of(self, instruction: Instruction) -> Stage | None:
        return self.stages[instruction.stage] if 0 <= instruction.stage < len(self.stages) else None

    def run_commands(
        self, stages: Sequence[Stage] | None = None
    ) -> Iterator[tuple[Instruction, Command, TextMap]]:
        """Each simple shell command of every RUN, with the map to place its words."""
        for instruction in self._instructions(stages, "RUN"):
            for script, text_map in instruction.shell_scripts():
                for command in _split_and(commands(script)):
                    yield instruction, command, text_map

    def pip_installs(self, stages: Sequence[Stage] | None = None) -> list[PipInstall]:
        """`pip install` commands in RUN instructions (of `stages`, or of every stage)."""
        found = []
        for instruction, command, text_map in self.run_commands(stages):
            arguments = pip_install_arguments(command)
            if arguments is not None:
                found.append(
                    pip_install(instruction, self.stage_of(instruction), command, arguments, text_map)
                )
        return found

    def system_installs(self, stages: Sequence[Stage] | None = None) -> list[SystemInstall]:
        found = []
        for instruction, command, _ in self.run_commands(stages):
            install = system_install(command.argv)
            if install is not None:
                manager, packages = install
                found.append(SystemInstall(manager, packages, instruction, self.stage_of(instruction)))
        return found

    def copies(self, stages: Sequence[Stage] | None = None) -> list[Copy]:
        found = []
        for instruction in self._instructions(stages, "COPY", "ADD"):
            if instruction.json is not None:
                paths = list(instruction.json)
            else:
                paths = [word.text for word in instruction.words()]
            if not paths:
                continue
            *sources, destination = paths if len(paths) > 1 else [*paths, ""]
            heredoc_names = {heredoc.name for heredoc in instruction.heredocs}
            is_heredoc = bool(heredoc_names) and all(_HEREDOC_WORD.match(source) for source in sources)
            origin = instruction.flag("from")
            from_stage = self.stage_named(origin) if origin else None
            found.append(
                Copy(
                    instruction,
                    tuple(sources),
                    destination,
                    from_stage,
                    origin if origin and from_stage is None else None,
                    is_heredoc,
                )
            )
        return found

    def _instructions(self, stages: Sequence[Stage] | None, *keywords: str) -> Iterator[Instruction]:
        if stages is None:
            yield from (i for i in self.instructions if i.keyword in keywords)
            return
        for stage in stages:
            yield from stage.of(*keywords)


def _stage_references(instruction: Instruction) -> list[str]:
    references = []
    if instruction.keyword in ("COPY", "ADD"):
        origin = instruction.flag("from")
        if origin:
            references.append(origin)
    if instruction.keyword == "RUN":
        for mount in instruction.flag_values("mount"):
            for part in mount.split(","):
                key, _, value = part.partition("=")
                if key.strip() == "from" and value:
                    references.append(value.strip())
    return references


def _split_and(found: list[Command]) -> list[Command]:
    return [command for command in found if command.words]


# -- parsing ---------------------------------------------------------------------


def parse(text: str, path: str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile text; problems become `Dockerfile.issues`, never exceptions."""
    return _Parser(text, path).parse()


@lru_cache(maxsize=32)
def parse_shared(text: str, path: str) -> Dockerfile:
    """`parse`, shared by the rules that read the same file in one process. Read only."""
    return parse(text, path)


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = physical_lines(text.removeprefix("\ufeff"))
        self.issues: list[Issue] = []
        self.directives: dict[str, str] = {}
        self.escape = "\\"
        self.index = 0  # next line to read, 0-based

    def parse(self) -> Dockerfile:
        self._directives()
        instructions = list(self._instructions())
        dockerfile = Dockerfile(self.path, instructions, [], self.issues, self.directives, {}, self.escape)
        _build_stages(dockerfile)
        return dockerfile

    def _directives(self) -> None:
        while self.index < len(self.lines):
            match = _DIRECTIVE.match(self.lines[self.index].strip())
            if not match:
                return
            name = match.group(1).lower()
            if name in self.directives:
                self.issues.append(Issue(self.index + 1, f"directive {name!r} given twice", "warning"))
            self.directives[name] = match.group(2)
            if name == "escape":
                if match.group(2) in ("\\", "`"):
                    self.escape = match.group(2)
                else:
                    self.issues.append(Issue(self.index + 1, f"invalid escape character {match.group(2)!r}"))
            self.index += 1

    def _continues(self, line: str) -> tuple[str, bool]:
        """The line without a trailing escape character, and whether it continues."""
        stripped = line.rstrip("\r\n")
        candidate = stripped.rstrip(" \t")
        if candidate.endswith(self.escape):
            return candidate[:-1], True
        return stripped, False

    def _instructions(self) -> Iterator[Instruction]:
        comments: list[str] = []
        while self.index < len(self.lines):
            raw = self.lines[self.index]
            row = self.index + 1
            self.index += 1
            stripped = raw.strip()
            if not stripped:
                comments = []
                continue
            if stripped.startswith("#"):
                comments.append(stripped[1:].strip())
                continue
            indent = len(raw) - len(raw.lstrip(" \t"))
            piece, continues = self._continues(raw[indent:])
            line = piece
            segments = [(0, row, indent + 1)]
            end_row = row
            while continues and self.index < len(self.lines):
                following = self.lines[self.index]
                self.index += 1
                if following.strip().startswith("#"):
                    continue
                if not following.strip():
                    continue  # buildkit drops empty continuation lines (with a warning)
                end_row = self.index
                piece, continues = self._continues(following)
                segments.append((len(line), end_row, 1))
                line += piece
            if continues:
                self.issues.append(Issue(end_row, "the file ends inside a line continuation", "warning"))
            instruction = self._instruction(line, row, end_row, TextMap(segments), tuple(comments))
            comments = []
            if instruction is not None:
                yield instruction

    def _instruction(
        self, line: str, row: int, end_row: int, text_map: TextMap, comments: tuple[str, ...]
    ) -> Instruction | None:
        match = re.match(r"(\S+)\s*", line)
        if match is None:
            return None
        keyword = match.group(1).upper()
        instruction = Instruction(
            keyword,
            line,
            row,
            end_row,
            text_map,
            args_offset=match.end(),
            comments=comments,
            escape=self.escape,
        )
        if keyword not in INSTRUCTIONS:
            self.issues.append(Issue(row, f"unknown instruction: {match.group(1)}"))
            return instruction
        if keyword in _FLAG_INSTRUCTIONS:
            self._flags(instruction)
        arguments = instruction.arguments.strip()
        if not arguments and keyword not in ("CMD", "ENTRYPOINT", "SHELL"):
            self.issues.append(Issue(row, f"{keyword} requires at least one argument"))
        if keyword == "HEALTHCHECK":
            inner = re.match(r"CMD\s+", instruction.arguments, re.IGNORECASE)
            if inner:
                instruction.args_offset += inner.end()
        if keyword in _JSON_INSTRUCTIONS or keyword == "HEALTHCHECK":
            instruction.json = self._json(instruction)
        if keyword in _HEREDOC_INSTRUCTIONS and instruction.json is None:
            instruction.heredocs = tuple(self._heredocs(instruction))
            if instruction.heredocs:
                instruction.end_row = instruction.heredocs[-1].end_row
        return instruction

    def _flags(self, instruction: Instruction) -> None:
        flags = []
        position = instruction.args_offset
        line = instruction.line
        while True:
            match = _FLAG.match(line, position)
            if match is None:
                break
            value = match.group(2)
            if value is not None:
                value = "".join(word.text for word in words(value, self.escape)) or value
            flags.append(Flag(match.group(1).lower(), value, match.start(), match.end()))
            position = match.end()
        instruction.flags = tuple(flags)
        instruction.args_offset = position

    def _json(self, instruction: Instruction) -> tuple[str, ...] | None:
        text = instruction.arguments.strip()
        if not text.startswith("["):
            return None
        try:
            value, _ = json.JSONDecoder().raw_decode(text)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        if instruction.keyword in ("CMD", "ENTRYPOINT", "RUN", "SHELL"):
            self.issues.append(
                Issue(
                    instruction.start_row,
                    f"{instruction.keyword} looks like exec form but is not a JSON array of strings: "
                    "it runs as shell form",
                    "warning",
                )
            )
        return None

    def _heredocs(self, instruction: Instruction) -> Iterator[Heredoc]:
        markers = []
        for word in words(instruction.arguments, self.escape):
            match = _HEREDOC_WORD.match(word.raw)
            if not match or not match.group(3):
                continue
            raw_name = match.group(3)
            name = "".join(part.text for part in words(raw_name, self.escape))
            if not name or len(words(raw_name, self.escape)) != 1:
                continue
            markers.append((name, match.group(2) == "-", "'" not in raw_name and '"' not in raw_name))
        for name, strip_tabs, expand in markers:
            start_row = self.index + 1
            body: list[str] = []
            terminated = False
            while self.index < len(self.lines):
                line = self.lines[self.index]
                self.index += 1
                candidate = line.rstrip("\r\n")
                if strip_tabs:
                    candidate = candidate.lstrip("\t")
                if candidate == name:
                    terminated = True
                    break
                body.append(line)
            end_row = self.index
            if not terminated:
                self.issues.append(Issue(instruction.start_row, f"unterminated heredoc {name!r}"))
            yield Heredoc(
                name, "".join(body), strip_tabs, expand, start_row, max(end_row, start_row), terminated
            )


# -- stages and substitution ---------------------------------------------------------


class _Unresolved(Exception):
    pass


_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_MODIFIER = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?])(?P<word>.*))?$", re.DOTALL)


def expand(text: str, variables: Mapping[str, str | None], escape: str = "\\") -> tuple[str, bool]:
    """Substitute `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`, `${X:?e}`.

    Returns the text and whether it is fully known: a variable declared
    without a value (a build arg) makes it unknown. `{escape}$` is a literal `$`.
    """
    known = True
    out: list[str] = []
    position = 0
    while position < len(text):
        if text.startswith(escape + "$", position):
            out.append("$")
            position += 2
            continue
        match = _VARIABLE.match(text, position) if text[position] == "$" else None
        if match is None:
            out.append(text[position])
            position += 1
            continue
        position = match.end()
        expression = match.group("braced") if match.group("braced") is not None else match.group("plain")
        modifier = _MODIFIER.match(expression)
        if modifier is None:
            known = False
            continue
        name, op, word = modifier.group("name"), modifier.group("op"), modifier.group("word") or ""
        declared = name in variables
        value = variables.get(name)
        if declared and value is None:
            # A build arg: its value comes from the build command.
            known = False
            continue
        is_set = declared
        is_empty = not value
        if op in (":-", "-"):
            use_default = not is_set or (op == ":-" and is_empty)
            if use_default:
                word_value, word_known = expand(word, variables, escape)
                known &= word_known
                out.append(word_value)
            else:
                out.append(value or "")
        elif op in (":+", "+"):
            if is_set and not (op == ":+" and is_empty):
                word_value, word_known = expand(word, variables, escape)
                known &= word_known
                out.append(word_value)
        else:
            out.append(value or "")
    return "".join(out), known


def _arg_value(default: str | None, variables: Mapping[str, str | None], escape: str) -> str | None:
    """An ARG's default after substitution; None when the build must supply it."""
    if default is None:
        return None
    value, known = expand(default, variables, escape)
    return value if known else None


def _build_stages(dockerfile: Dockerfile) -> None:
    global_args: dict[str, str | None] = dict.fromkeys(_PREDEFINED_ARGS)
    current: Stage | None = None
    stage_args: dict[str, str | None] = {}
    for instruction in dockerfile.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            current = _new_stage(dockerfile, instruction, global_args)
            stage_args = dict.fromkeys(_PREDEFINED_ARGS)
            continue
        if current is None:
            if keyword == "ARG":
                for pair in instruction.assignments():
                    global_args[pair.name] = _arg_value(pair.value, global_args, instruction.escape)
            elif keyword in INSTRUCTIONS:
                dockerfile.issues.append(
                    Issue(instruction.start_row, f"{keyword} before the first FROM: no build stage yet")
                )
            continue
        instruction.stage = current.index
        current.instructions.append(instruction)
        variables: dict[str, str | None] = {**stage_args, **current.env}
        if keyword == "ARG":
            for pair in instruction.assignments():
                if pair.value is None and pair.name in global_args:
                    stage_args[pair.name] = global_args[pair.name]  # `ARG NAME` re-declares a global arg
                else:
                    stage_args[pair.name] = _arg_value(pair.value, variables, instruction.escape)
        elif keyword == "ENV":
            # Every pair of one ENV sees the values from before it, as in buildkit.
            for pair in instruction.assignments():
                expanded, known = expand(pair.value or "", variables, instruction.escape)
                # A value from a build arg is set, to something only the build knows.
                current.env[pair.name] = expanded if known else pair.value or ""
        elif keyword == "SHELL" and instruction.json:
            current.shell = instruction.json
    dockerfile.global_args = {k: v for k, v in global_args.items() if k not in _PREDEFINED_ARGS}


def _new_stage(dockerfile: Dockerfile, instruction: Instruction, global_args: dict[str, str | None]) -> Stage:
    index = len(dockerfile.stages)
    instruction.stage = index
    parts = instruction.words()
    reference = parts[0].text if parts else ""
    name = None
    if len(parts) >= 3 and parts[1].text.lower() == "as":
        name = parts[2].text.lower()
    elif len(parts) > 1:
        dockerfile.issues.append(Issue(instruction.start_row, "FROM takes an image and optionally `AS name`"))
    base, resolved = expand(reference, global_args, instruction.escape)
    stage = Stage(index, instruction, base, resolved, name)
    parent = dockerfile.stage_named(base) if resolved and not base.isdigit() else None
    if parent is not None:
        stage.parent = parent.index
        stage.env = dict(parent.env)
        stage.shell = parent.shell
    dockerfile.stages.append(stage)
    return stage
