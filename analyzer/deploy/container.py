"""The process model: what each declared process runs, and under which server.

Processes are declared in a Procfile (`web: gunicorn app:app`), by a
Dockerfile's final ENTRYPOINT/CMD (through an entrypoint script such as
`docker-entrypoint.sh` when there is one), and by docker-compose `command:`
/ `entrypoint:` overrides. `describe()` unwraps a command (`exec`, `env`,
`sh -c`, `tini --`, `gosu`, `poetry run`...) down to the program, then tells
the server (gunicorn, uvicorn, celery...), the first-party module or script
it runs, and whether it `exec`s.

Compose files are read with the YAML loader (`yaml_loader`), positions and all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

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
from factorscan.deploy.yaml_loader import YamlError, YamlNode, load_documents

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

    def runs_file(self, relative: str) -> bool:
        """Whether it runs or loads this project file (`python worker.py`, `-m app.worker`, `app:app`)."""
        path = PurePosixPath(relative)
        if self.script:
            script = PurePosixPath(self.script.removeprefix("./"))
            if script.is_absolute():
                return script.name == path.name
            return relative == str(script) or relative.endswith("/" + str(script))
        if self.module:
            base = self.module.replace(".", "/")
            return any(
                relative == candidate or relative.endswith("/" + candidate)
                for candidate in (f"{base}.py", f"{base}/__init__.py", f"{base}/__main__.py")
            )
        return False


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


# -- docker-compose ------------------------------------------------------------------


@dataclass
class ComposeService:
    name: str
    row: int
    command: YamlNode | None = None
    entrypoint: YamlNode | None = None
    environment: dict[str, str] = field(default_factory=dict)
    build_context: str | None = None  # relative to the compose file
    dockerfile: str | None = None
    node: YamlNode | None = None  # the whole service
    # name -> the node of its value (or of the list item `NAME=value`): where a finding points
    environment_nodes: dict[str, YamlNode] = field(default_factory=dict)
    env_files: list[YamlNode] = field(default_factory=list)
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


def parse_compose(text: str, problems: list[str] | None = None, origin: str = "") -> list[ComposeService]:
    """The services of a compose file; why it could not be read goes to `problems`."""
    try:
        documents = load_documents(text, origin)
    except YamlError as exc:
        if problems is not None:
            problems.append(str(exc))
        return []
    root = documents[0] if documents else None
    services = root.get("services") if root is not None else None
    if services is None or not isinstance(services.value, dict):
        return []
    found = []
    for name, node in services.value.items():
        if not isinstance(node.value, dict):
            continue
        service = ComposeService(name, node.key_row, node.get("command"), node.get("entrypoint"), node=node)
        environment = node.get("environment")
        if environment is not None and isinstance(environment.value, dict):
            service.environment = {key: value.text or "" for key, value in environment.value.items()}
            service.environment_nodes = dict(environment.value)
        elif environment is not None and isinstance(environment.value, list):
            for item in environment.value:
                key, _, value = (item.text or "").partition("=")
                service.environment[key] = value
                service.environment_nodes[key] = item
        env_file = node.get("env_file")
        if env_file is not None:
            for item in env_file.items or [env_file]:
                # the long form: `- path: .env` with `required: false`
                service.env_files.append(item.get("path") or item)
        image = node.get("image")
        service.image = image.text if image is not None else None
        build = node.get("build")
        if build is not None and build.text is not None:
            service.build_context = build.text
        elif build is not None:
            context = build.get("context")
            service.build_context = context.text if context is not None else "."
            dockerfile = build.get("dockerfile")
            service.dockerfile = dockerfile.text if dockerfile is not None else None
        found.append(service)
    return found
