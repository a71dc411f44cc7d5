"""The process model: what each declared process runs, and under which server.

Processes are declared in a Procfile (`web: gunicorn app:app`), by a
Dockerfile's final ENTRYPOINT/CMD (through an entrypoint script such as
`docker-entrypoint.sh` when there is one), and by docker-compose `command:`
/ `entrypoint:` overrides. `describe()` unwraps a command (`exec`, `env`,
`sh -c`, `tini --`, `gosu`, `poetry run`...) down to the program, then tells
the server (gunicorn, uvicorn, celery...), the first-party module or script
it runs, and whether it `exec`s.

Compose files are read with a small YAML-subset reader (block and flow
collections, quoted and block scalars): PyYAML is not a runtime dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from factorscan.deploy.shell import (
    SHELLS,
    Command,
    Word,
    commands,
    is_assignment,
    physical_lines,
    program_name,
    script_index,
    words,
)

# Servers and workers that turn SIGTERM into a graceful shutdown themselves.
SIGTERM_SERVERS = frozenset(
    {
        "gunicorn",
        "uvicorn",
        "hypercorn",
        "daphne",
        "granian",
        "celery",
        "dramatiq",
        "huey",
        "rq",
        "arq",
        "faust",
        "taskiq",
    }
)
# uWSGI reloads on SIGTERM unless told otherwise.
_UWSGI_DIE_ON_TERM = ("--die-on-term", "--die-on-term=true", "--die-on-term=1")

_PROGRAM_SERVERS = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "hypercorn": "hypercorn",
    "daphne": "daphne",
    "granian": "granian",
    "celery": "celery",
    "dramatiq": "dramatiq",
    "huey_consumer": "huey",
    "huey_consumer.py": "huey",
    "rq": "rq",
    "rqworker": "rq",
    "arq": "arq",
    "faust": "faust",
    "taskiq": "taskiq",
    "uwsgi": "uwsgi",
    "waitress-serve": "waitress",
}
_PYTHON = re.compile(r"^(python|pypy)(\d(\.\d+)?)?$")
# Programs that run the command given after them: name -> number of own arguments to skip.
_WRAPPERS = {
    "dumb-init": 0,
    "tini": 0,
    "tini-static": 0,
    "catatonit": 0,
    "nice": 0,
    "ionice": 0,
    "chpst": 0,
    "ddtrace-run": 0,
    "opentelemetry-instrument": 0,
    "sentry-run": 0,
    "gosu": 1,
    "su-exec": 1,
    "setpriv": 0,
    "timeout": 1,
    "doppler": 0,
    "dotenv": 0,
    "wait-for-it": 1,
    "wait-for-it.sh": 1,
    "wait-for": 1,
    "dockerize": 0,
}
# `<tool> run <command>`.
_RUNNERS = frozenset({"poetry", "pipenv", "uv", "pdm", "hatch", "rye", "newrelic-admin"})
# Shell builtins and housekeeping that are not "the app" when they end a script.
_HOUSEKEEPING = frozenset(
    {
        "exit",
        "echo",
        "printf",
        "set",
        "export",
        "shift",
        "return",
        "local",
        "readonly",
        "unset",
        "trap",
        "cd",
        "true",
        "false",
        ":",
        "source",
        ".",
        "wait",
        "test",
        "[",
        "[[",
        "read",
        "sleep",
        "umask",
        "ulimit",
        "mkdir",
        "chown",
        "chmod",
        "cp",
        "mv",
        "rm",
        "ln",
        "touch",
        "cat",
    }
)


@dataclass(frozen=True)
class Process:
    """What a command line runs."""

    argv: tuple[str, ...]  # the whole command
    program: str  # after unwrapping: `gunicorn`, `python`, `"$@"`
    program_index: int  # where the program sits in argv (-1 when inside `sh -c`)
    server: str | None = None  # gunicorn, uvicorn, celery, ... (None for plain python)
    module: str | None = None  # dotted first-party module the process loads
    script: str | None = None  # a Python script path it runs (`worker.py`)
    execs: bool = False  # `exec ...`: the program replaces the shell
    unbuffered: bool = False  # `python -u`
    shell_script: str | None = None  # the script of `sh -c "..."` when the command is one
    runs_arguments: bool = False  # `exec "$@"`: runs what CMD passes

    @property
    def is_python(self) -> bool:
        return bool(_PYTHON.match(program_name(self.program))) or self.server is not None

    @property
    def handles_sigterm(self) -> bool:
        if self.server == "uwsgi":
            return any(word in _UWSGI_DIE_ON_TERM for word in self.argv)
        return self.server in SIGTERM_SERVERS


def describe(argv: Sequence[str]) -> Process:
    """Unwrap a command down to its program and say what it runs."""
    argv = tuple(argv)
    index = 0
    execs = False
    while index < len(argv):
        word = argv[index]
        name = program_name(word)
        if is_assignment(word):
            index += 1
        elif word == "exec":
            execs = True
            index += 1
            while index < len(argv) and argv[index].startswith("-"):
                index += 1 + (argv[index] == "-a")
        elif name == "env":
            index += 1
            while index < len(argv) and (argv[index].startswith("-") or is_assignment(argv[index])):
                index += 1 + (argv[index] in ("-u", "--unset", "-C", "--chdir"))
        elif name in _WRAPPERS:
            index += 1
            if "--" in argv[index:] and name in (
                "tini",
                "tini-static",
                "doppler",
                "dotenv",
                "wait-for-it",
                "wait-for-it.sh",
                "wait-for",
                "dumb-init",
                "dockerize",
                "catatonit",
            ):
                index = argv.index("--", index) + 1
                continue
            while index < len(argv) and argv[index].startswith("-"):
                index += 1
            index += _WRAPPERS[name]
        elif name in _RUNNERS and index + 1 < len(argv) and argv[index + 1] in ("run", "run-program", "exec"):
            index += 2
            while index < len(argv) and argv[index].startswith("-") and argv[index] != "--":
                index += 1
            if index < len(argv) and argv[index] == "--":
                index += 1
        else:
            break
    if index >= len(argv):
        return Process(argv, "", -1, execs=execs)
    program = argv[index]
    name = program_name(program)
    rest = argv[index + 1 :]
    position = script_index(argv[index:])
    if position is not None or (name in SHELLS and "-c" in rest):
        script = argv[index + position] if position is not None else ""
        inner = last_launch(script)
        if inner is None:
            return Process(argv, program, index, execs=execs, shell_script=script)
        found = describe(inner.argv)
        return Process(
            argv,
            found.program,
            -1,
            found.server,
            found.module,
            found.script,
            found.execs,
            found.unbuffered,
            shell_script=script,
            runs_arguments=found.runs_arguments,
        )
    if program in ("$@", "$*", '"$@"') or program.startswith("${@"):
        return Process(argv, program, index, execs=execs, runs_arguments=True)
    if _PYTHON.match(name):
        return _python(argv, program, index, execs)
    server = _PROGRAM_SERVERS.get(name)
    if server is None:
        python_script = program if program.endswith(".py") else None
        return Process(argv, program, index, execs=execs, script=python_script)
    return Process(argv, program, index, server, _server_target(server, rest), execs=execs)


def _python(argv: tuple[str, ...], program: str, index: int, execs: bool) -> Process:
    unbuffered = False
    position = index + 1
    while position < len(argv) and argv[position].startswith("-") and argv[position] not in ("-m", "-c", "-"):
        flag = argv[position]
        if not flag.startswith("--") and "u" in flag[1:]:
            unbuffered = True
        position += 1 + (flag in ("-W", "-X", "-Q"))
    if position >= len(argv):
        return Process(argv, program, index, execs=execs, unbuffered=unbuffered)
    if argv[position] == "-m" and position + 1 < len(argv):
        module = argv[position + 1]
        server = _PROGRAM_SERVERS.get(module)
        if server is not None:
            target = _server_target(server, argv[position + 2 :])
            return Process(argv, module, index, server, target, execs=execs, unbuffered=unbuffered)
        return Process(argv, program, index, module=module, execs=execs, unbuffered=unbuffered)
    if argv[position] == "-c":
        return Process(argv, program, index, execs=execs, unbuffered=unbuffered)
    return Process(argv, program, index, script=argv[position], execs=execs, unbuffered=unbuffered)


_APP_SPEC = re.compile(r"^([A-Za-z_][\w.]*)(?::[\w.()\"', =]*)?$")
# Options that take a value, per server, so that their values are not mistaken for the app.
_VALUE_OPTIONS = frozenset(
    {
        "-c",
        "--config",
        "-b",
        "--bind",
        "-w",
        "--workers",
        "-k",
        "--worker-class",
        "--threads",
        "-t",
        "--timeout",
        "--access-logfile",
        "--error-logfile",
        "--log-file",
        "--log-level",
        "--log-config",
        "--host",
        "--port",
        "--env-file",
        "--app-dir",
        "--root-path",
        "-p",
        "--name",
        "-n",
        "--chdir",
        "--user",
        "-u",
        "--group",
        "-g",
        "--pid",
        "--max-requests",
        "--graceful-timeout",
        "--keep-alive",
        "--forwarded-allow-ips",
        "-l",
        "--loglevel",
        "-f",
        "--logfile",
        "-Q",
        "--queues",
        "-P",
        "--pool",
        "--concurrency",
        "--access-log",
        "-e",
        "--interface",
        "--processes",
    }
)


def _server_target(server: str, rest: Sequence[str]) -> str | None:
    """The first-party module a server loads (`app.main` for `uvicorn app.main:app`)."""
    if server in ("celery", "faust"):
        for position, word in enumerate(rest):
            if word in ("-A", "--app") and position + 1 < len(rest):
                return rest[position + 1].split(":")[0]
            if word.startswith("--app="):
                return word.split("=", 1)[1].split(":")[0]
            if word.startswith("-A") and len(word) > 2:
                return word[2:].split(":")[0]
        return None
    if server == "uwsgi":
        for position, word in enumerate(rest):
            option, _, value = word.partition("=")
            if (
                option in ("--module", "-w", "--wsgi", "--wsgi-file")
                and not value
                and position + 1 < len(rest)
            ):
                value = rest[position + 1]
            if option in ("--module", "-w", "--wsgi") and value:
                return value.split(":")[0]
        return None
    if server == "rq":
        return None
    skip = False
    for word in rest:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = "=" not in word and word in _VALUE_OPTIONS
            continue
        if word in ("worker", "run", "serve"):
            continue
        match = _APP_SPEC.match(word)
        if match:
            return match.group(1)
    return None


# -- shell scripts ----------------------------------------------------------------


def _is_launch(command: Command) -> bool:
    first = next((w.text for w in command.words if not is_assignment(w.text)), "")
    return bool(first) and program_name(first) not in _HOUSEKEEPING


def last_launch(script: str) -> Command | None:
    """The command of a shell script that starts the app (see `script_ending`)."""
    return script_ending(script).command


_TRAP_TERM = re.compile(r"^\s*trap\s+.+\b(TERM|SIGTERM|15)\b", re.MULTILINE)


@dataclass(frozen=True)
class ScriptEnding:
    """How an entrypoint script ends: the command that starts the app, if any."""

    command: Command | None
    process: Process | None
    forwards_signals: bool  # it traps TERM itself

    @property
    def starts_app_without_exec(self) -> bool:
        if self.command is None or self.process is None or self.forwards_signals or self.command.background:
            return False
        if self.process.execs:
            return False
        return self.process.is_python or self.process.runs_arguments


def script_ending(text: str) -> ScriptEnding:
    """The command that starts the app: the first server run in the foreground (it never
    returns, so nothing after it runs), else the script's last command."""
    forwards = bool(_TRAP_TERM.search(text))
    launches = [command for command in commands(text) if _is_launch(command) and command.terminator != "("]
    for command in launches:
        process = describe(command.argv)
        if process.server is not None and not command.background:
            return ScriptEnding(command, process, forwards)
    last = launches[-1] if launches else None
    return ScriptEnding(last, describe(last.argv) if last is not None else None, forwards)


# -- Procfile -------------------------------------------------------------------------

_PROCFILE_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)[ \t]*:[ \t]*(?P<command>.*?)\s*$")


@dataclass(frozen=True)
class ProcfileEntry:
    name: str
    command: str
    row: int
    column: int  # 1-based column where the command starts

    def words(self) -> list[Word]:
        return words(self.command)


def parse_procfile(text: str) -> list[ProcfileEntry]:
    entries = []
    for row, raw in enumerate(physical_lines(text), start=1):
        line = raw.rstrip("\r\n")
        if line.lstrip().startswith("#"):
            continue
        match = _PROCFILE_LINE.match(line)
        if match and match.group("command"):
            entries.append(
                ProcfileEntry(match.group("name"), match.group("command"), row, match.start("command") + 1)
            )
    return entries


# -- docker-compose (a YAML subset) ------------------------------------------------------

YamlValue: TypeAlias = "str | list[YamlNode] | dict[str, YamlNode]"


@dataclass
class YamlNode:
    value: YamlValue
    row: int
    column: int  # 1-based
    key_row: int = 0  # the row of the key that holds it, in a mapping

    def get(self, key: str) -> YamlNode | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    @property
    def text(self) -> str | None:
        return self.value if isinstance(self.value, str) else None


class _YamlReader:
    """Block mappings and sequences, flow sequences, plain/quoted/block scalars.

    Anchors, tags and flow mappings are kept as plain text; malformed lines
    are skipped. Good enough for the keys compose files put commands in.
    """

    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r\n") for line in physical_lines(text.removeprefix("\ufeff"))]
        self.index = 0

    def read(self) -> YamlNode | None:
        try:
            return self._node(0)
        except RecursionError:
            return None

    def _skip(self) -> None:
        while self.index < len(self.lines):
            stripped = self.lines[self.index].strip()
            if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
                return
            self.index += 1

    def _indent(self) -> int:
        line = self.lines[self.index]
        return len(line) - len(line.lstrip(" "))

    def _node(self, minimum: int) -> YamlNode | None:
        self._skip()
        if self.index >= len(self.lines) or self._indent() < minimum:
            return None
        indent = self._indent()
        stripped = self.lines[self.index].strip()
        if stripped == "-" or stripped.startswith("- "):
            return self._sequence(indent)
        return self._mapping(indent)

    def _sequence(self, indent: int) -> YamlNode:
        items: list[YamlNode] = []
        start = self.index + 1
        while True:
            self._skip()
            if self.index >= len(self.lines) or self._indent() != indent:
                break
            stripped = self.lines[self.index].strip()
            if not (stripped == "-" or stripped.startswith("- ")):
                break
            content = stripped[1:].lstrip()
            column = indent + 1 + (len(stripped) - len(content))
            if not content:
                self.index += 1
                child = self._node(indent + 1)
                if child is not None:
                    items.append(child)
            elif _KEY.match(content) and not content.startswith(("'", '"', "[")):
                # `- key: value` starts a mapping indented at the item's content.
                self.lines[self.index] = " " * (column - 1) + content
                items.append(self._mapping(column - 1))
            else:
                items.append(self._scalar(content, self.index + 1, column, indent))
        return YamlNode(items, start, indent + 1)

    def _mapping(self, indent: int) -> YamlNode:
        mapping: dict[str, YamlNode] = {}
        start = self.index + 1
        while True:
            self._skip()
            if self.index >= len(self.lines) or self._indent() < indent:
                break
            if self._indent() > indent:
                self.index += 1  # malformed: skip
                continue
            line = self.lines[self.index]
            match = _KEY.match(line.strip())
            if match is None:
                if line.strip().startswith("- "):
                    break
                self.index += 1
                continue
            key = match.group("dq") or match.group("sq") or match.group("plain") or ""
            rest = _strip_comment(match.group("rest") or "")
            row = self.index + 1
            column = indent + 1 + match.start("rest") if match.group("rest") else indent + 1
            self.index += 1
            if not rest or (rest.startswith(("&", "!")) and " " not in rest):
                self._skip()
                if (
                    self.index < len(self.lines)
                    and self._indent() == indent
                    and self.lines[self.index].strip().startswith("- ")
                ):
                    child: YamlNode | None = self._sequence(indent)
                else:
                    child = self._node(indent + 1)
                mapping[key] = child or YamlNode("", row, column)
            elif rest[0] in "|>":
                mapping[key] = self._block_scalar(rest[0], indent, row)
            else:
                self.index -= 1
                mapping[key] = self._scalar(rest, row, column, indent)
            mapping[key].key_row = row
        return YamlNode(mapping, start, indent + 1)

    def _block_scalar(self, style: str, indent: int, row: int) -> YamlNode:
        body: list[str] = []
        first_row = self.index + 1
        column = indent + 3
        while self.index < len(self.lines):
            line = self.lines[self.index]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
                break
            body.append(line.strip())
            self.index += 1
        if body:
            column = len(self.lines[first_row - 1]) - len(self.lines[first_row - 1].lstrip(" ")) + 1
        joiner = "\n" if style == "|" else " "
        return YamlNode(joiner.join(line for line in body).strip(), first_row if body else row, column)

    def _scalar(self, text: str, row: int, column: int, indent: int) -> YamlNode:
        """A scalar or flow sequence starting on the current line (which it consumes)."""
        self.index += 1
        if text.startswith("["):
            # A flow sequence may span lines.
            while text.count("[") > text.count("]") and self.index < len(self.lines):
                text += " " + self.lines[self.index].strip()
                self.index += 1
            return YamlNode(_flow_sequence(_strip_comment(text), row, column), row, column)
        # Plain scalars may continue on more-indented lines.
        if not text.startswith(("'", '"')):
            while self.index < len(self.lines):
                following = self.lines[self.index]
                if not following.strip() or len(following) - len(following.lstrip(" ")) <= indent:
                    break
                if _KEY.match(following.strip()) or following.strip().startswith("- "):
                    break
                text += " " + _strip_comment(following.strip())
                self.index += 1
        return YamlNode(_unquote(text), row, column)


_KEY = re.compile(
    r"""^(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<plain>[^\s"'#\-\[{][^:#]*?|<<))\s*:(?:\s+(?P<rest>.*)|\s*)$"""
)


def _strip_comment(text: str) -> str:
    quote = None
    for position, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"" and (position == 0 or text[position - 1] in " [,"):
            quote = char
        elif char == "#" and (position == 0 or text[position - 1] in " \t"):
            return text[:position].rstrip()
    return text.strip()


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            value = json.loads(text)
            return value if isinstance(value, str) else text[1:-1]
        except ValueError:
            return text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


def _flow_sequence(text: str, row: int, column: int) -> list[YamlNode]:
    inner = text.strip()[1:]
    inner = inner[: inner.rfind("]")] if "]" in inner else inner
    items: list[YamlNode] = []
    current = ""
    quote = None
    offset = 1
    start = offset
    for position, char in enumerate(inner, start=1):
        if quote:
            current += char
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current += char
        elif char == ",":
            if current.strip():
                items.append(
                    YamlNode(_unquote(current), row, column + start + len(current) - len(current.lstrip()))
                )
            current = ""
            start = position + 1
        else:
            current += char
    if current.strip():
        items.append(YamlNode(_unquote(current), row, column + start + len(current) - len(current.lstrip())))
    return items


def read_yaml(text: str) -> YamlNode | None:
    return _YamlReader(text).read()


@dataclass
class ComposeService:
    name: str
    row: int
    command: YamlNode | None = None
    entrypoint: YamlNode | None = None
    environment: dict[str, str] = field(default_factory=dict)
    build_context: str | None = None  # relative to the compose file
    dockerfile: str | None = None
    image: str | None = None

    @staticmethod
    def argv(node: YamlNode | None) -> list[str]:
        """A command: compose splits a string with shell quoting, without running a shell."""
        if node is None:
            return []
        if isinstance(node.value, list):
            return [item.text or "" for item in node.value]
        return [word.text for word in words(node.text or "")]

    def process_argv(self) -> list[str]:
        return self.argv(self.entrypoint) + self.argv(self.command)


def parse_compose(text: str) -> list[ComposeService]:
    root = read_yaml(text)
    services = root.get("services") if root is not None else None
    if services is None or not isinstance(services.value, dict):
        return []
    found = []
    for name, node in services.value.items():
        if not isinstance(node.value, dict):
            continue
        service = ComposeService(name, node.key_row, node.get("command"), node.get("entrypoint"))
        environment = node.get("environment")
        if environment is not None and isinstance(environment.value, dict):
            service.environment = {key: value.text or "" for key, value in environment.value.items()}
        elif environment is not None and isinstance(environment.value, list):
            for item in environment.value:
                key, _, value = (item.text or "").partition("=")
                service.environment[key] = value
        image = node.get("image")
        service.image = image.text if image is not None else None
        build = node.get("build")
        if build is not None and build.text is not None:
            service.build_context = build.text
        elif build is not None:
            service.build_context = (build.get("context") or YamlNode(".", 0, 0)).text
            dockerfile = build.get("dockerfile")
            service.dockerfile = dockerfile.text if dockerfile is not None else None
        found.append(service)
    return found
