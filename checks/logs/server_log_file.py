"""FS1103 server-log-file: the app server writes its logs to a file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import libcst as cst

from factorscan.checks.base import (
    Applicability,
    FileRule,
    FixAvailability,
    Invalid,
    ProjectRule,
    Severity,
    SourceRule,
    Valid,
)
from factorscan.checks.logs._shared import CONFIG_CLASS_NAMES, STDOUT_STREAMS
from factorscan.core.discovery import file_kind
from factorscan.core.findings import Edit, Finding, Fix, Location
from factorscan.core.source import SourceFile
from factorscan.deploy.container import ComposeService, describe, parse_compose, parse_procfile
from factorscan.deploy.dockerfile import parse_shared
from factorscan.deploy.ini_options import supervisord_programs, uwsgi_options
from factorscan.deploy.shell import commands
from factorscan.deploy.toml_lines import load_toml, value_spans
from factorscan.python.codemods import string
from factorscan.scan.project import ProjectModel


class ServerLogFile(SourceRule, FileRule, ProjectRule):
    """
    ## What it does
    Finds gunicorn and hypercorn configuration modules (`gunicorn.conf.py`
    and the like) whose `accesslog` or `errorlog` setting names a file, and
    server command lines in Procfiles, Dockerfile `CMD`/`ENTRYPOINT`,
    compose `command:` and shell scripts that send logs to a file: gunicorn and hypercorn
    `--access-logfile`, `--error-logfile`, `--log-file`; daphne
    `--access-log`; celery `--logfile`/`-f`; uWSGI `--logto`; uWSGI ini
    files whose `[uwsgi]` section (or a YAML file's `uwsgi:` mapping) sets
    `logto`, `logto2`, or a `logger` or `req-logger` of `file:`;
    supervisord programs that run the app with a `stdout_logfile` or
    `stderr_logfile` other than `/dev/stdout` (`AUTO` included: a file under
    `childlogdir`); hypercorn's TOML settings (`hypercorn*.toml`) with an
    `accesslog` or `errorlog` file; and uvicorn or gunicorn `--log-config`
    naming a JSON or YAML logging config with file handlers (ini logging
    configs are FS1101's).

    ## Why is this bad?
    Factor XI: the server's access and error logs are part of the app's
    event stream. Written to a file inside the container they are lost with
    it, and the platform never sees them. `-` means stdout for both
    settings.

    ## Example
    ```python
    # gunicorn.conf.py
    bind = "0.0.0.0:8000"
    accesslog = "/var/log/gunicorn/access.log"
    errorlog = "/var/log/gunicorn/error.log"
    ```

    Use instead:
    ```python
    accesslog = "-"
    errorlog = "-"
    ```

    ## Fix
    Safe where the value is a literal: it becomes `"-"`, in config modules,
    Procfiles, Dockerfiles and scripts, for gunicorn, hypercorn and daphne
    (the access log then goes to stdout, the error log to stderr, as their
    defaults do). celery and uWSGI have no `-`: reported without a fix (drop
    the option; celery then logs to stderr). In a uWSGI ini file the line
    goes, and uWSGI logs to stderr, its default. Compose files are reported
    without a fix.
    """

    code = "FS1103"
    name = "server-log-file"
    severity = Severity.WARNING
    summary = "The app server writes its logs to a file"
    fix_availability = FixAvailability.SOMETIMES
    triggers = (b"accesslog", b"errorlog")
    kinds = ("dockerfile", "procfile", "compose", "shell", "ini", "yaml", "toml")
    # --log-config is for the project half, which the example test also checks against these.
    file_triggers = (
        b"logfile",
        b"log-file",
        b"--access-log",
        b"logto",
        b"--log-config",
        b"file:",
        b"accesslog",
        b"errorlog",
    )
    # (`stdout_logfile` of supervisord is among "logfile")

    VALID = (
        Valid('accesslog = "-"\nerrorlog = "-"\n', filename="gunicorn.conf.py"),
        Valid(
            """
            web: gunicorn --access-logfile - --error-logfile=- app:app
            worker: celery -A tasks worker --loglevel INFO
            """,
            filename="Procfile",
        ),
        Valid(
            """
            FROM python:3.12-slim
            CMD ["gunicorn", "--access-logfile", "-", "--log-file", "$LOG_FILE", "app:app"]
            """,
            filename="Dockerfile",
            note="`-` is stdout; a variable is not a literal path",
        ),
        Valid(
            """
            def configure(accesslog):
                accesslog = "access.log"
            """,
            filename="gunicorn.conf.py",
            note="not a module-level setting",
        ),
        Valid(
            """
            [uwsgi]
            module = shop.wsgi:application
            logger = stdio
            req-logger = file:%(log_dir)/requests.log

            [supervisord]
            logto = /var/log/supervisord.log
            """,
            filename="uwsgi.ini",
            note="uWSGI's stdio logger; a placeholder path; another program's section",
        ),
        Valid(
            """
            services:
              uwsgi:
                image: shop:1.4
                command: uwsgi --yaml uwsgi.yaml
                logging:
                  driver: json-file
            """,
            filename="deploy/services.yaml",
            note="YAML whose `uwsgi:` is not a uWSGI configuration at the top level",
        ),
        Valid(
            """
            version = 1

            [handlers.access]
            accesslog = "/var/log/access.log"
            """,
            filename="hypercorn-logging.toml",
            note="`accesslog` in a table: not hypercorn's own setting",
        ),
        Valid(
            """
            [program:web]
            command=gunicorn shop.wsgi:application --bind 0.0.0.0:8000
            stdout_logfile=/dev/stdout
            stdout_logfile_maxbytes=0
            stderr_logfile=/dev/stderr ; the container's own stream
            stderr_logfile_maxbytes=0

            [program:nginx]
            command=nginx -g "daemon off;"
            stdout_logfile=/var/log/nginx.log
            """,
            filename="supervisord.conf",
            note="the app's output goes to the container's streams; nginx is not the app",
        ),
    )
    INVALID = (
        Invalid(
            """
            [supervisord]
            nodaemon=true

            [program:web]
            command=gunicorn shop.wsgi:application --bind 0.0.0.0:8000
            stdout_logfile=/var/log/web.log
            stderr_logfile=AUTO
            """,
            filename="deploy/supervisord.conf",
            count=2,
            line=6,
            note="a file path, and AUTO: a file under childlogdir",
        ),
        Invalid(
            """
            [uwsgi]
            module = shop.wsgi:application
            http-socket = :8000
            logto = /var/log/uwsgi/shop.log
            req_logger = file:/var/log/uwsgi/requests.log
            """,
            filename="uwsgi.ini",
            count=2,
            line=4,
            fixed="""
            [uwsgi]
            module = shop.wsgi:application
            http-socket = :8000
            """,
            note="the lines go: uWSGI then logs to stderr",
        ),
        Invalid(
            """
            uwsgi:
              module: shop.wsgi:application
              http-socket: :8000
              logto: /var/log/uwsgi/shop.log
              req_logger:
                - file:/var/log/uwsgi/requests.log
              master: true
            """,
            filename="deploy/uwsgi.yaml",
            count=2,
            line=4,
            fixed="""
            uwsgi:
              module: shop.wsgi:application
              http-socket: :8000
              master: true
            """,
            note="uWSGI's YAML form; a list's only item goes with its key",
        ),
        Invalid(
            """
            bind = ["0.0.0.0:8000"]
            accesslog = "/var/log/hypercorn/access.log"  # rotated by logrotate
            errorlog = "-"
            """,
            filename="hypercorn.toml",
            line=2,
            fixed="""
            bind = ["0.0.0.0:8000"]
            accesslog = "-"  # rotated by logrotate
            errorlog = "-"
            """,
            note="hypercorn's TOML settings; `-` is stdout",
        ),
        Invalid(
            """
            bind = "0.0.0.0:8000"
            workers = 4
            accesslog = "/var/log/gunicorn/access.log"
            errorlog = '/var/log/gunicorn/error.log'
            """,
            filename="gunicorn.conf.py",
            count=2,
            fixed="""
            bind = "0.0.0.0:8000"
            workers = 4
            accesslog = "-"
            errorlog = '-'
            """,
            line=3,
        ),
        Invalid(
            """
            web: gunicorn -c gunicorn.conf.py "shop:create_app()" --access-logfile /var/log/access.log
            worker: celery -A shop.tasks worker --logfile=/var/log/celery.log
            """,
            filename="Procfile",
            count=2,
            fixed="""
            web: gunicorn -c gunicorn.conf.py "shop:create_app()" --access-logfile -
            worker: celery -A shop.tasks worker --logfile=/var/log/celery.log
            """,
        ),
        Invalid(
            """
            FROM python:3.12-slim
            CMD ["gunicorn", "--bind", ":8000", "--error-logfile=/tmp/error.log", "app:app"]
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            CMD ["gunicorn", "--bind", ":8000", "--error-logfile=-", "app:app"]
            """,
            line=2,
        ),
        Invalid(
            """
            #!/bin/sh
            set -e
            python manage.py migrate --noinput
            exec gunicorn shop.wsgi --bind 0.0.0.0:8000 \\
                --access-logfile /srv/logs/access.log --error-logfile=-
            """,
            filename="docker-entrypoint.sh",
            fixed="""
            #!/bin/sh
            set -e
            python manage.py migrate --noinput
            exec gunicorn shop.wsgi --bind 0.0.0.0:8000 \\
                --access-logfile - --error-logfile=-
            """,
            line=5,
        ),
        Invalid(
            """
            services:
              web:
                build: .
                command: uvicorn app.main:app --host 0.0.0.0 --log-config logging.yaml
            """,
            filename="compose.yaml",
            files={
                "logging.yaml": """
                version: 1
                handlers:
                  file:
                    class: logging.handlers.RotatingFileHandler
                    filename: /var/log/app.log
                root:
                  handlers: [file]
                """
            },
            line=4,
            note="uvicorn's --log-config names a config with a file handler",
        ),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.context.at_module_level():
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value in ("accesslog", "errorlog"):
                value = self.context.string_value(node.value)
                if value is None or value.strip() in STDOUT_STREAMS or not value.strip():
                    continue
                # gunicorn's '-' is stdout for the access log and stderr for the error log
                stream = "stdout" if target.target.value == "accesslog" else "stderr"
                fix = self.fix(f"Log to {stream}: '-'")
                fix.replace(node.value, string("-", node.value))
                self.report(
                    node.value,
                    f"{target.target.value} writes server logs to a file; use '-' for {stream}",
                    fix=fix,
                )

    # -- server command lines in Procfiles, Dockerfiles and compose files ----------------

    def check_file(self, source: SourceFile) -> Iterator[Finding]:
        kind = file_kind(source.path)
        if kind == "toml":
            yield from self._hypercorn_toml(source)
            return
        if kind == "yaml":
            yield from self._uwsgi_ini(source)
            return
        if kind == "ini":
            yield from self._uwsgi_ini(source)
            yield from self._supervisord_ini(source)
            return
        for tokens, fixable in _command_tokens(source):
            process = describe([token.text for token in tokens])
            options = _LOG_FILE_OPTIONS.get(process.server or "")
            if not options or process.shell_script is not None:
                continue
            for index, token in enumerate(tokens):
                option, equals, value = token.text.partition("=")
                if option not in options:
                    continue
                if equals:
                    value_token, replacement = token, f"{option}=-"
                elif index + 1 < len(tokens):
                    value_token, replacement = tokens[index + 1], "-"
                    value = value_token.text
                else:
                    continue
                if not value or value in STDOUT_STREAMS or "$" in value or value.startswith("{"):
                    continue
                fix = None
                if fixable and process.server in _DASH_SERVERS:
                    content = json.dumps(replacement) if value_token.json else replacement
                    fix = Fix(
                        Applicability.SAFE,
                        f"Log to stdout: {replacement}",
                        (Edit(content, value_token.start, value_token.end),),
                    )
                yield self.make_finding(
                    source.display_path,
                    value_token.start,
                    value_token.end,
                    f"{process.server} {option} writes logs to a file; send them to stdout"
                    + (" with `-`" if process.server in _DASH_SERVERS else " (drop the option)"),
                    fix=fix,
                )

    def _supervisord_ini(self, source: SourceFile) -> Iterator[Finding]:
        """A supervisord program that runs the app and keeps its output in a log file."""
        for name, options in supervisord_programs(source).items():
            command = next((option.value for option in options if option.key == "command"), "")
            process = describe(command.split())
            if not process.is_python:
                continue
            for option in options:
                if option.key not in ("stdout-logfile", "stderr-logfile"):
                    continue
                if option.value.upper() == "NONE" or option.value.startswith(_CONSOLE_DEVICES):
                    continue
                key = option.key.replace("-", "_")
                yield self.make_finding(
                    source.display_path,
                    option.start,
                    option.end,
                    f"supervisord keeps the output of program {name} in a file; "
                    f"set {key}=/dev/stdout and {key}_maxbytes=0",
                )

    def _hypercorn_toml(self, source: SourceFile) -> Iterator[Finding]:
        """hypercorn's TOML settings (`hypercorn --config hypercorn.toml`): `accesslog` and
        `errorlog` naming a file; `-` is stdout."""
        if not source.path.name.lower().startswith("hypercorn"):
            return
        settings = load_toml(source.text)
        if settings is None:
            return
        spans = value_spans(source.text)
        for key in ("accesslog", "errorlog"):
            value, span = settings.get(key), spans.get((key,))
            if not isinstance(value, str) or not value or value in STDOUT_STREAMS or span is None:
                continue
            start, end = Location(span.row, span.start), Location(span.row, span.end)
            fix = (
                Fix(Applicability.SAFE, 'Log to stdout: "-"', (Edit('"-"', start, end),))
                if span.quoted
                else None
            )
            yield self.make_finding(
                source.display_path,
                start,
                end,
                f"hypercorn {key} writes logs to a file; send them to stdout with `-`",
                fix=fix,
            )

    def _uwsgi_ini(self, source: SourceFile) -> Iterator[Finding]:
        for option in uwsgi_options(source):
            to_file = option.key in ("logto", "logto2") or (
                option.key in ("logger", "req-logger") and option.value.split(":", 1)[0] == "file"
            )
            if not to_file or not option.value or "$" in option.value or "%(" in option.value:
                continue
            fix = Fix(
                Applicability.SAFE,
                f"Remove `{option.key}`: uWSGI logs to stderr",
                (Edit("", source.location(option.line_start), source.location(option.line_end)),),
            )
            yield self.make_finding(
                source.display_path,
                option.start,
                option.end,
                f"uWSGI {option.key} writes logs to a file; drop it so uWSGI logs to stderr",
                fix=fix,
            )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        for declared in project.processes:
            process = declared.process
            if process.server not in ("uvicorn", "gunicorn"):
                continue
            argv = list(process.argv)
            for index, word in enumerate(argv):
                option, equals, value = word.partition("=")
                if option not in ("--log-config", "--log-config-json"):
                    continue
                if not equals:
                    value = argv[index + 1] if index + 1 < len(argv) else ""
                if not value.lower().endswith((".json", ".yaml", ".yml")):
                    continue
                config = _find_project_file(project, declared.path, value)
                source = project.source(config) if config is not None else None
                if source is None or not _FILE_HANDLER_IN_CONFIG.search(source.text):
                    continue
                line = project.source(declared.path)
                column = (line.line(declared.row).find(option) + 1 or 1) if line is not None else 1
                yield self.make_finding(
                    project.display(declared.path),
                    Location(declared.row, column),
                    Location(declared.row, column + len(option)),
                    f"{process.server} {option} {value} configures file handlers; log to stdout instead",
                )


# Options that send a server's logs to a file, per server.
_LOG_FILE_OPTIONS = {
    "gunicorn": frozenset({"--access-logfile", "--error-logfile", "--log-file"}),
    "hypercorn": frozenset({"--access-logfile", "--error-logfile", "--log-file"}),
    "daphne": frozenset({"--access-log"}),
    "celery": frozenset({"--logfile", "-f"}),
    "uwsgi": frozenset({"--logto", "--logto2", "--daemonize"}),
}


# Where supervisord's program output reaches the container's own streams.
_CONSOLE_DEVICES = ("/dev/stdout", "/dev/stderr", "/dev/fd/1", "/dev/fd/2", "/proc/self/fd/1", "/proc/1/fd/1")


# Servers for which `-` means stdout.
_DASH_SERVERS = frozenset({"gunicorn", "hypercorn", "daphne"})


_FILE_HANDLER_IN_CONFIG = re.compile(
    r"\b(" + "|".join(sorted(re.escape(name) for name in CONFIG_CLASS_NAMES)) + r")\b"
)


@dataclass(frozen=True)
class _Token:
    text: str
    start: Location
    end: Location
    json: bool = False  # a JSON string element (exec form): quote the replacement


def _command_tokens(source: SourceFile) -> Iterator[tuple[list[_Token], bool]]:
    """The command lines of a Procfile, Dockerfile (CMD/ENTRYPOINT) or compose file,
    as tokens with positions, and whether the positions are exact enough to fix."""
    name = source.path.name
    if file_kind(source.path) == "procfile" or name.startswith("Procfile"):
        for entry in parse_procfile(source.text):
            yield (
                [
                    _Token(
                        word.text,
                        Location(entry.row, entry.column + word.start),
                        Location(entry.row, entry.column + word.end),
                    )
                    for word in entry.words()
                ],
                True,
            )
    elif file_kind(source.path) == "shell":
        for command in commands(source.text):
            yield (
                [
                    _Token(word.text, source.location(word.start), source.location(word.end))
                    for word in command.words
                ],
                True,
            )
    elif file_kind(source.path) == "compose":
        for service in parse_compose(source.text):
            tokens = []
            for node in (service.entrypoint, service.command):
                if node is None:
                    continue
                for text in ComposeService.argv(node):
                    tokens.append(
                        _Token(text, Location(node.row, node.column), Location(node.row, node.column + 1))
                    )
            if tokens:
                yield tokens, False
    else:
        dockerfile = parse_shared(source.text, source.display_path)
        for instruction in dockerfile.instructions:
            if instruction.keyword not in ("CMD", "ENTRYPOINT"):
                continue
            if instruction.json is not None:
                yield (
                    [
                        _Token(value, instruction.location(start), instruction.location(end), json=True)
                        for value, start, end in instruction.json_elements()
                    ],
                    True,
                )
            else:
                yield (
                    [
                        _Token(word.text, instruction.location(word.start), instruction.location(word.end))
                        for word in instruction.words()
                    ],
                    True,
                )


def _find_project_file(project: ProjectModel, declared_in: Path, value: str) -> Path | None:
    """A file a command names, looked up beside the declaring file, at the root, then by name."""
    relative = value.removeprefix("./")
    for base in (declared_in.parent, project.root):
        candidate = base / relative
        if not PurePosixPath(relative).is_absolute() and candidate.is_file():
            return candidate
    name = PurePosixPath(value).name
    matches = [item.path for item in project.files if item.path.name == name]
    return matches[0] if matches else None
