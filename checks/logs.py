"""Factor XI, Logs: treat logs as event streams written to stdout.

FS1101 log-file-handler, FS1102 log-file-write, FS1103 server-log-file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import cast

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
from factorscan.core.discovery import file_kind, is_test_path
from factorscan.core.findings import Edit, Finding, Fix, Location
from factorscan.core.source import SourceFile
from factorscan.deploy.container import ComposeService, Process, describe, parse_compose, parse_procfile
from factorscan.deploy.dockerfile import parse_shared
from factorscan.deploy.shell import commands
from factorscan.python.codemods import (
    argument,
    dict_key,
    dotted,
    is_std_stream,
    keyword,
    positional,
    rebuild,
    string,
)
from factorscan.python.traversal import FileContext
from factorscan.scan.project import ProjectModel, dockerfile_process

FILE_HANDLERS = frozenset(
    {
        "logging.FileHandler",
        "logging.handlers.RotatingFileHandler",
        "logging.handlers.TimedRotatingFileHandler",
        "logging.handlers.WatchedFileHandler",
        "logging.handlers.BaseRotatingHandler",
        "concurrent_log_handler.ConcurrentRotatingFileHandler",
        "concurrent_log_handler.ConcurrentTimedRotatingFileHandler",
        "cloghandler.ConcurrentRotatingFileHandler",
    }
)
# How handler classes are spelled in dictConfig dicts and fileConfig ini files.
_CONFIG_CLASS_NAMES = (
    FILE_HANDLERS
    | {name.removeprefix("logging.") for name in FILE_HANDLERS if name.startswith("logging.")}
    | {name.rsplit(".", 1)[1] for name in FILE_HANDLERS if name.startswith("logging.")}
)

# dictConfig handler keys that only mean something for files.
_FILE_ONLY_KEYS = frozenset(
    {
        "filename",
        "mode",
        "maxBytes",
        "backupCount",
        "when",
        "interval",
        "utc",
        "atTime",
        "encoding",
        "delay",
        "errors",
    }
)
_BASIC_CONFIG_FILE_ARGS = frozenset({"filename", "filemode", "encoding", "errors"})
_LOGURU_FILE_ARGS = frozenset(
    {"rotation", "retention", "compression", "delay", "mode", "buffering", "encoding", "watch"}
)
_STDOUT_STREAMS = frozenset({"-", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2"})


def _handler_class_name(value: str) -> bool:
    return value in _CONFIG_CLASS_NAMES


class LogFileHandler(SourceRule, FileRule):
    """
    ## What it does
    Finds logging configured to write to files: the `FileHandler` family
    (`RotatingFileHandler`, `TimedRotatingFileHandler`, `WatchedFileHandler`,
    through any import alias), `logging.basicConfig(filename=...)`,
    `dictConfig` dicts and Django `LOGGING` settings whose handler class is a
    file handler, `fileConfig` ini files with file handlers, loguru
    `logger.add("app.log")`, structlog `WriteLoggerFactory(file=open(...))`,
    and `StreamHandler(open(...))`.

    ## Why is this bad?
    Factor XI: an app should never concern itself with routing or storing its
    output stream. In a container the file lives on an ephemeral disk: it
    fills the disk, rotates away, and is lost with the container, while the
    platform (Docker, Kubernetes, Heroku) collects only stdout and stderr.

    ## Example
    ```python
    import logging
    from logging.handlers import RotatingFileHandler

    handler = RotatingFileHandler("app.log", maxBytes=1_000_000, backupCount=5)
    ```

    Use instead:
    ```python
    import logging
    import sys

    handler = logging.StreamHandler(sys.stdout)
    ```

    ## Fix
    Safe: the handler becomes `logging.StreamHandler(sys.stdout)` (its level
    and formatter calls are untouched); `basicConfig` gets `stream=sys.stdout`
    instead of `filename`/`filemode`; a dictConfig handler becomes
    `logging.StreamHandler` with `"stream": "ext://sys.stdout"` and loses its
    file-only keys; a fileConfig handler becomes `StreamHandler` with
    `args=(sys.stdout,)`; loguru and structlog sinks become `sys.stdout`.
    Behaviour changes only in where the records go. Subclasses of file
    handlers are reported without a fix.
    """

    code = "FS1101"
    name = "log-file-handler"
    severity = Severity.WARNING
    summary = "Logging is configured to write to a file instead of stdout"
    fix_availability = FixAvailability.SOMETIMES
    triggers = (
        b"FileHandler",
        b"RotatingHandler",
        b"basicConfig",
        b"StreamHandler",
        b"loguru",
        b"structlog",
    )
    kinds = ("ini",)
    file_triggers = (b"[handler_",)

    VALID = (
        Valid(
            """
            import logging
            import sys

            handler = logging.StreamHandler(sys.stdout)
            logging.basicConfig(level=logging.INFO, stream=sys.stdout)
            """
        ),
        Valid(
            """
            LOGGING = {
                "version": 1,
                "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
                "root": {"handlers": ["console"], "level": "INFO"},
            }
            """,
            filename="settings.py",
            note="a Django LOGGING dict that streams",
        ),
        Valid(
            """
            import sys
            from loguru import logger

            logger.remove()
            logger.add(sys.stderr, level="INFO")
            logger.add(lambda message: print(message, end=""))
            """,
            note="loguru sinks that are streams or callables",
        ),
        Valid(
            """
            import logging

            def open_report(path):
                # a parameter named filename is not logging configuration
                return open_file(filename=path)

            logging.basicConfig(format="%(message)s")
            """
        ),
        Valid(
            """
            [handlers]
            keys=console

            [handler_console]
            class=StreamHandler
            args=(sys.stdout,)
            """,
            filename="logging.ini",
        ),
    )
    INVALID = (
        Invalid(
            """
            import logging.handlers as lh

            handler = lh.RotatingFileHandler("app.log", maxBytes=10_000, backupCount=3)
            handler.setLevel("INFO")
            """,
            fixed="""
            import logging
            import logging.handlers as lh
            import sys

            handler = logging.StreamHandler(sys.stdout)
            handler.setLevel("INFO")
            """,
        ),
        Invalid(
            """
            \"\"\"Logging setup.\"\"\"
            from logging import FileHandler, getLogger

            log = getLogger(__name__)
            log.addHandler(FileHandler("/var/log/app.log"))
            """,
            fixed="""
            \"\"\"Logging setup.\"\"\"
            import logging
            import sys
            from logging import FileHandler, getLogger

            log = getLogger(__name__)
            log.addHandler(logging.StreamHandler(sys.stdout))
            """,
        ),
        Invalid(
            """
            import logging

            logging.basicConfig(
                filename="app.log",
                filemode="a",
                level=logging.INFO,
            )
            """,
            fixed="""
            import logging
            import sys

            logging.basicConfig(
                stream=sys.stdout,
                level=logging.INFO,
            )
            """,
        ),
        Invalid(
            """
            LOGGING = {
                "version": 1,
                "handlers": {
                    "file": {
                        "class": "logging.handlers.RotatingFileHandler",
                        "filename": "/var/log/django.log",
                        "maxBytes": 1024 * 1024,
                        "backupCount": 5,
                        "formatter": "verbose",
                    },
                },
            }
            """,
            filename="settings.py",
            fixed="""
            LOGGING = {
                "version": 1,
                "handlers": {
                    "file": {
                        "class": "logging.StreamHandler",
                        "stream": "ext://sys.stdout",
                        "formatter": "verbose",
                    },
                },
            }
            """,
            line=5,
        ),
        Invalid(
            """
            import sys
            from loguru import logger

            logger.add("logs/app.log", rotation="10 MB", retention="7 days", level="INFO")
            """,
            fixed="""
            import sys
            from loguru import logger

            logger.add(sys.stdout, level="INFO")
            """,
        ),
        Invalid(
            """
            import structlog

            structlog.configure(logger_factory=structlog.WriteLoggerFactory(file=open("app.log", "a")))
            """,
            fixed="""
            import sys

            import structlog

            structlog.configure(logger_factory=structlog.WriteLoggerFactory(file=sys.stdout))
            """,
        ),
        Invalid(
            """
            from logging.handlers import TimedRotatingFileHandler

            class AppHandler(TimedRotatingFileHandler):
                pass
            """,
            note="a subclass is reported without a fix",
        ),
        Invalid(
            """
            [handlers]
            keys=file

            [handler_file]
            class=handlers.RotatingFileHandler
            level=INFO
            args=('app.log', 'a', 1000000, 3)
            """,
            filename="logging.ini",
            fixed="""
            [handlers]
            keys=file

            [handler_file]
            class=StreamHandler
            level=INFO
            args=(sys.stdout,)
            """,
            line=5,
        ),
    )

    # -- Python --------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name is None:
            return
        if name in FILE_HANDLERS:
            self._file_handler(node)
        elif name == "logging.basicConfig":
            self._basic_config(node)
        elif name in ("logging.StreamHandler", "logging.handlers.StreamHandler"):
            stream = argument(node, 0, "stream")
            if stream is not None and _is_open_call(stream.value, self.context):
                self._to_stdout(node, stream, "A StreamHandler writes to a file opened with open()")
        elif name == "loguru.logger.add":
            self._loguru(node)
        elif name.startswith("structlog.") and name.rsplit(".", 1)[1] in (
            "WriteLoggerFactory",
            "PrintLoggerFactory",
            "WriteLogger",
            "PrintLogger",
            "BytesLoggerFactory",
        ):
            target = argument(node, 0, "file")
            if target is not None and _is_open_call(target.value, self.context):
                self._to_stdout(node, target, "structlog writes its output to a file")

    def _file_handler(self, node: cst.Call) -> None:
        fix = self.fix("Log to stdout with logging.StreamHandler(sys.stdout)")
        stream_handler = dotted(f"{fix.use_module('logging')}.StreamHandler")
        replacement = node.with_changes(
            func=stream_handler,
            args=[cst.Arg(dotted(f"{fix.use_module('sys')}.stdout"))],
        )
        fix.replace(node, replacement)
        handler = self.context.qualified_name(node.func) or "FileHandler"
        self.report(
            node, f"{handler.rsplit('.', 1)[1]} writes logs to a file; stream them to stdout", fix=fix
        )

    def _basic_config(self, node: cst.Call) -> None:
        filename = keyword(node, "filename")
        if filename is None or keyword(node, "handlers") is not None:
            return
        fix = self.fix("Log to stdout: basicConfig(stream=sys.stdout)")
        stream = cst.Arg(
            value=dotted(f"{fix.use_module('sys')}.stdout"),
            keyword=cst.Name("stream"),
            equal=filename.equal,
        )
        existing_stream = keyword(node, "stream")
        replace = {} if existing_stream is not None else {node.args.index(filename): stream}
        drop = {
            index
            for index, arg in enumerate(node.args)
            if arg.keyword is not None
            and arg.keyword.value in _BASIC_CONFIG_FILE_ARGS
            and index not in replace
        }
        fix.replace(node, node.with_changes(args=rebuild(node.args, replace=replace, drop=drop)))
        self.report(
            filename,
            "logging.basicConfig(filename=...) writes logs to a file; stream them to stdout",
            fix=fix,
        )

    def _to_stdout(self, node: cst.Call, target: cst.Arg, message: str) -> None:
        fix = self.fix("Write to sys.stdout instead")
        fix.replace(target.value, dotted(f"{fix.use_module('sys')}.stdout"))
        self.report(target.value, f"{message}; stream it to stdout", fix=fix)

    def _loguru(self, node: cst.Call) -> None:
        sink = argument(node, 0, "sink")
        if sink is None:
            return
        file_sink = _is_path_expression(sink.value, self.context)
        has_file_options = any(
            arg.keyword is not None and arg.keyword.value in ("rotation", "retention", "compression")
            for arg in node.args
        )
        if not file_sink and not (has_file_options and not is_std_stream(sink.value, self.context)):
            return
        fix = self.fix("Send loguru output to sys.stdout")
        index = node.args.index(sink)
        drop = {
            i
            for i, arg in enumerate(node.args)
            if arg.keyword is not None and arg.keyword.value in _LOGURU_FILE_ARGS
        }
        new_sink = sink.with_changes(value=dotted(f"{fix.use_module('sys')}.stdout"))
        fix.replace(node, node.with_changes(args=rebuild(node.args, replace={index: new_sink}, drop=drop)))
        self.report(sink.value, "loguru writes logs to a file; stream them to stdout", fix=fix)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for base in node.bases:
            name = self.context.qualified_name(base.value)
            if name in FILE_HANDLERS:
                handler = name.rsplit(".", 1)[1]
                self.report(base.value, f"{node.name.value} extends {handler}, which writes logs to a file")

    def visit_Dict(self, node: cst.Dict) -> None:
        """dictConfig handler entries: {"class": "logging.FileHandler", "filename": ...}."""
        class_index = None
        for index, element in enumerate(node.elements):
            if dict_key(element) == "class" and isinstance(element, cst.DictElement):
                value = self.context.string_value(element.value)
                if value is not None and _handler_class_name(value):
                    class_index = index
        if class_index is None:
            return
        class_element = node.elements[class_index]
        assert isinstance(class_element, cst.DictElement)
        handler = (self.context.string_value(class_element.value) or "").rsplit(".", 1)[-1]
        message = f"Logging config handler uses {handler}, which writes to a file; stream to stdout"
        if not all(isinstance(element, cst.DictElement) for element in node.elements):
            self.report(class_element.value, message)  # `**base` entries: no safe rewrite
            return
        fix = self.fix("Stream to stdout: logging.StreamHandler with ext://sys.stdout")
        replace: dict[int, cst.DictElement] = {
            class_index: class_element.with_changes(
                value=string("logging.StreamHandler", class_element.value)
            )
        }
        stream_element = cst.DictElement(
            key=string("stream", class_element.key), value=string("ext://sys.stdout", class_element.value)
        )
        file_keys = [i for i, e in enumerate(node.elements) if dict_key(e) in _FILE_ONLY_KEYS]
        append: list[cst.DictElement] = []
        if any(dict_key(e) == "stream" for e in node.elements):
            pass
        elif file_keys:
            replace[file_keys[0]] = stream_element
        else:
            append = [stream_element]
        drop = set(file_keys) - set(replace)
        elements = cast(list[cst.DictElement], list(node.elements))
        fix.replace(
            node, node.with_changes(elements=rebuild(elements, replace=replace, drop=drop, append=append))
        )
        self.report(class_element.value, message, fix=fix)

    # -- fileConfig ini files -------------------------------------------------

    def check(self, source: SourceFile) -> Iterable[Finding]:
        for section in _ini_handler_sections(source):
            class_line = section.get("class")
            if class_line is None:
                continue
            row, value, start, end = class_line
            if not _handler_class_name(value):
                continue
            edits = [Edit("StreamHandler", Location(row, start), Location(row, end))]
            args_line = section.get("args")
            if args_line is not None:
                args_row, _, args_start, args_end = args_line
                edits.append(
                    Edit("(sys.stdout,)", Location(args_row, args_start), Location(args_row, args_end))
                )
            kwargs_line = section.get("kwargs")
            if kwargs_line is not None:
                kwargs_row = kwargs_line[0]
                edits.append(Edit("", Location(kwargs_row, 1), Location(kwargs_row + 1, 1)))
            fix = Fix(
                Applicability.SAFE,
                "Stream to stdout: class=StreamHandler, args=(sys.stdout,)",
                tuple(sorted(edits, key=lambda e: e.location)),
            )
            handler = value.rsplit(".", 1)[-1]
            message = f"fileConfig handler uses {handler}, which writes to a file; stream to stdout"
            yield self.make_finding(
                source.display_path, Location(row, start), Location(row, end), message, fix=fix
            )


_INI_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_INI_ENTRY = re.compile(r"^(?P<key>\s*(class|args|kwargs)\s*[=:]\s*)(?P<value>.*?)\s*$")


def _ini_handler_sections(source: SourceFile) -> Iterator[dict[str, tuple[int, str, int, int]]]:
    """[handler_x] sections: key -> (row, value, start column, end column), 1-based."""
    section: dict[str, tuple[int, str, int, int]] | None = None
    for row, line in enumerate(source.text.splitlines(), start=1):
        header = _INI_SECTION.match(line)
        if header:
            if section is not None:
                yield section
            section = {} if header.group("name").strip().startswith("handler_") else None
            continue
        if section is None:
            continue
        entry = _INI_ENTRY.match(line)
        if entry:
            start = len(entry.group("key")) + 1
            value = entry.group("value")
            section[entry.group(2)] = (row, value, start, start + len(value))
    if section is not None:
        yield section


_OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open", "codecs.open"})
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})


def _is_open_call(node: cst.BaseExpression, context: FileContext) -> bool:
    """`open(...)`, `io.open(...)`, or a `.open(...)` method (Path.open)."""
    if not isinstance(node, cst.Call):
        return False
    if context.qualified_name(node.func) in _OPEN_FUNCTIONS:
        return True
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "open"


def _is_path_expression(node: cst.BaseExpression, context: FileContext) -> bool:
    """A string, f-string, Path(...) or os.path.join(...): a file, not a stream."""
    if isinstance(node, cst.FormattedString):
        return True
    text = context.string_value(node)
    if text is not None:
        return text not in _STDOUT_STREAMS
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return True  # BASE_DIR / "logs" / "app.log"
    if isinstance(node, cst.Call):
        name = context.qualified_name(node.func) or ""
        return name in _PATH_TYPES or name in ("os.path.join", "os.path.abspath")
    return False


class LogFileWrite(SourceRule):
    """
    ## What it does
    Finds hand-made log files: `open("app.log", "a")` and other writes to
    files that are named like logs (`*.log`, a `logs/` folder, a
    `LOG_FILE` variable), `Path("app.log").write_text(...)`, and
    `sys.stdout`/`sys.stderr` redirected to a file.

    ## Why is this bad?
    Factor XI: each running process writes its event stream, unbuffered, to
    stdout. A log file written by hand is invisible to the platform's log
    router, is lost when the container goes, and grows without rotation.

    ## Example
    ```python
    with open("debug.log", "a") as log:
        log.write(f"user {user_id} logged in\\n")
    ```

    Use instead:
    ```python
    import logging

    logging.getLogger(__name__).info("user %s logged in", user_id)
    ```

    ## Fix
    None: moving from `write()` calls to a logger is a change of design, not
    of syntax.
    """

    code = "FS1102"
    name = "log-file-write"
    severity = Severity.WARNING
    summary = "The app writes its own log file"
    test_files = "skipped: tests capture and redirect output as they please"
    # `log` alone is in most files (logging, login, catalog): ask for a log-ish
    # name inside an open( call, a .log path, or a reassigned std stream.
    triggers = (
        re.compile(rb"open\([^)]*(?i:log)"),
        re.compile(rb"\.log\b"),
        re.compile(rb"std(?:out|err)\s*=[^=]"),
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    VALID = (
        Valid(
            """
            with open("app.log") as handle:
                lines = handle.readlines()
            """,
            note="reading a log file",
        ),
        Valid(
            """
            with open("report.csv", "w") as handle:
                handle.write("a,b\\n")
            """,
            note="a data file, not a log",
        ),
        Valid(
            """
            import sys

            print("started", file=sys.stderr)
            catalog = "catalog.json"
            """,
        ),
    )
    INVALID = (
        Invalid(
            """
            def audit(user_id):
                with open("audit.log", "a") as log:
                    log.write(f"{user_id} signed in\\n")
            """,
            line=2,
        ),
        Invalid(
            """
            import os

            LOG_FILE = os.path.join(os.path.dirname(__file__), "worker.txt")

            def record(message):
                print(message, file=open(LOG_FILE, "a"))
            """,
            line=6,
            note="named like a log by its variable",
        ),
        Invalid(
            """
            from pathlib import Path

            Path("logs/events.log").write_text("started\\n")
            """,
        ),
        Invalid(
            """
            import sys

            sys.stdout = open("output.txt", "w")
            """,
            note="stdout redirected to a file",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name in _OPEN_FUNCTIONS:
            path, mode = argument(node, 0, "file"), argument(node, 1, "mode")
            if path is not None and _writes(mode) and self._log_path(path.value):
                self.report(node, "The app writes its own log file; log to stdout instead")
            return
        if not isinstance(node.func, cst.Attribute):
            return
        method = node.func.attr.value
        receiver = node.func.value
        writes = method in ("write_text", "write_bytes") or (
            method == "open" and _writes(argument(node, 0, "mode"))
        )
        if not writes or not isinstance(receiver, cst.Call):
            return
        if self.context.qualified_name(receiver.func) in _PATH_TYPES:
            first = positional(receiver, 0)
            if first is not None and self._log_path(first.value):
                self.report(node, "The app writes its own log file; log to stdout instead")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = self.context.qualified_name(target.target)
            value = node.value
            if name in ("sys.stdout", "sys.stderr") and _is_open_call(value, self.context):
                self.report(value, f"{name} is redirected to a file; let the platform capture it")

    def _log_path(self, node: cst.BaseExpression) -> bool:
        text = self.context.string_value(node)
        if text is None and isinstance(node, cst.FormattedString):
            text = "".join(part.value for part in node.parts if isinstance(part, cst.FormattedStringText))
        if text is not None:
            return _looks_like_log_path(text)
        if isinstance(node, cst.Name):
            return _looks_like_log_name(node.value)
        if isinstance(node, cst.Attribute):
            return _looks_like_log_name(node.attr.value)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return self._log_path(node.right) or self._log_path(node.left)
        if isinstance(node, cst.Call) and self.context.qualified_name(node.func) == "os.path.join":
            return any(self._log_path(arg.value) for arg in node.args)
        return False


_LOG_PATH = re.compile(r"(\.log(\.\d+)?$|(^|/)logs?/|\.log\.txt$)", re.IGNORECASE)
_LOG_NAME = re.compile(
    r"(^|_)(log|logs|logfile|log_file|log_path|logpath|log_dir|logdir)(_|$)", re.IGNORECASE
)


def _looks_like_log_path(text: str) -> bool:
    return bool(_LOG_PATH.search(text.strip()))


def _looks_like_log_name(name: str) -> bool:
    return bool(_LOG_NAME.search(name)) or name.lower().endswith(("logfile", "_log"))


def _writes(mode: cst.Arg | None) -> bool:
    if mode is None:
        return False
    value = mode.value
    if isinstance(value, cst.SimpleString):
        text = value.evaluated_value
        return isinstance(text, str) and any(flag in text for flag in "wax+")
    return False


class ServerLogFile(SourceRule, FileRule, ProjectRule):
    """
    ## What it does
    Finds gunicorn and hypercorn configuration modules (`gunicorn.conf.py`
    and the like) whose `accesslog` or `errorlog` setting names a file, and
    server command lines in Procfiles, Dockerfile `CMD`/`ENTRYPOINT`,
    compose `command:` and shell scripts that send logs to a file: gunicorn and hypercorn
    `--access-logfile`, `--error-logfile`, `--log-file`; daphne
    `--access-log`; celery `--logfile`/`-f`; uWSGI `--logto`; and uvicorn or
    gunicorn `--log-config` naming a JSON or YAML logging config with file
    handlers (ini configs are FS1101's).

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
    Safe where the value is a literal: it becomes `"-"` (stdout), in config
    modules, Procfiles, Dockerfiles and scripts, for gunicorn, hypercorn and
    daphne.
    celery and uWSGI have no `-`: drop the option (celery then logs to
    stderr). Compose files are reported without a fix.
    """

    code = "FS1103"
    name = "server-log-file"
    severity = Severity.WARNING
    summary = "The app server writes its logs to a file"
    fix_availability = FixAvailability.SOMETIMES
    triggers = (b"accesslog", b"errorlog")
    kinds = ("dockerfile", "procfile", "compose", "shell")
    # --log-config is for the project half, which the example test also checks against these.
    file_triggers = (b"logfile", b"log-file", b"--access-log", b"--logto", b"--log-config")

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
    )
    INVALID = (
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
                if value is None or value.strip() in _STDOUT_STREAMS or not value.strip():
                    continue
                fix = self.fix("Log to stdout: '-'")
                fix.replace(node.value, string("-", node.value))
                self.report(
                    node.value,
                    f"{target.target.value} writes server logs to a file; use '-' for stdout",
                    fix=fix,
                )

    # -- server command lines in Procfiles, Dockerfiles and compose files ----------------

    def check(self, target: SourceFile | ProjectModel) -> Iterable[Finding]:
        if isinstance(target, ProjectModel):
            return self._log_configs(target)
        return self._command_lines(target)

    def _command_lines(self, source: SourceFile) -> Iterator[Finding]:
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
                if not value or value in _STDOUT_STREAMS or "$" in value or value.startswith("{"):
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

    def _log_configs(self, project: ProjectModel) -> Iterator[Finding]:
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
# Servers for which `-` means stdout.
_DASH_SERVERS = frozenset({"gunicorn", "hypercorn", "daphne"})
_FILE_HANDLER_IN_CONFIG = re.compile(
    r"\b(" + "|".join(sorted(re.escape(name) for name in _CONFIG_CLASS_NAMES)) + r")\b"
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


# Root images that are Python, judged by name (python, pypy, cimg/python,
# distroless/python3...), and plain OS images that become Python ones when
# the Dockerfile installs it.
_OS_IMAGES = frozenset(
    {
        "debian",
        "ubuntu",
        "alpine",
        "fedora",
        "centos",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "buildpack-deps",
    }
)


def _runs_another_program(process: Process) -> bool:
    """A command that is known not to be Python (`nginx`), rather than a script or `"$@"`."""
    program = process.program
    return bool(program) and not (
        process.is_python
        or program.endswith((".sh", ".py"))
        or process.runs_arguments
        or process.shell_script
    )


class BufferedOutput(FileRule):
    """
    ## What it does
    Finds Dockerfiles whose final image runs Python (a `python`/`pypy`
    base image, or an OS image that installs Python) but sets no
    `PYTHONUNBUFFERED` in the final stage or a stage it is built `FROM`,
    and whose `CMD`/`ENTRYPOINT` does not run `python -u`. Images whose
    base is not recognisably Python (a company base image may set the
    variable) and images that run another program are not reported.

    ## Why is this bad?
    Factor XI: each process writes its event stream, unbuffered, to
    stdout. Without a terminal Python block-buffers stdout, so `print()`
    output reaches the log collector in bursts, minutes late, and whatever
    is still in the buffer is lost when the container is killed.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD ["python", "worker.py"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    ENV PYTHONUNBUFFERED=1
    CMD ["python", "worker.py"]
    ```

    ## Fix
    Safe: adds `ENV PYTHONUNBUFFERED=1` after the final stage's `FROM`.
    Output is only written sooner.
    """

    code = "FS1104"
    name = "buffered-output"
    severity = Severity.WARNING
    summary = "Python container output is buffered (no PYTHONUNBUFFERED, no `python -u`)"
    fix_availability = FixAvailability.ALWAYS
    kinds = ("dockerfile",)

    VALID = (
        Valid(
            """
            FROM python:3.12-slim AS base
            ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
            FROM base
            CMD ["gunicorn", "app:app"]
            """,
            filename="Dockerfile",
            note="inherited from the stage it is built FROM",
        ),
        Valid(
            """
            FROM python:3.12-slim
            CMD ["python", "-u", "worker.py"]
            """,
            filename="Dockerfile",
        ),
        Valid(
            """
            FROM python:3.12 AS build
            RUN python -m build
            FROM nginx:1.27
            COPY --from=build /app/dist /usr/share/nginx/html
            """,
            filename="Dockerfile",
            note="the final image is not Python",
        ),
        Valid("FROM registry.example.com/platform/app-base:4\nCMD python app.py\n", filename="Dockerfile"),
    )
    INVALID = (
        Invalid(
            """
            FROM python:3.12-slim
            WORKDIR /app
            CMD ["python", "worker.py"]
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1
            WORKDIR /app
            CMD ["python", "worker.py"]
            """,
            line=1,
        ),
        Invalid(
            """
            FROM python:3.12 AS build
            ENV PYTHONUNBUFFERED=1
            RUN pip wheel -w /wheels -r requirements.txt
            FROM debian:bookworm-slim
            RUN apt-get update && apt-get install -y python3 python3-pip
            COPY --from=build /wheels /wheels
            """,
            filename="Dockerfile",
            line=4,
            note="a build stage's ENV does not reach the final image",
        ),
    )

    def check(self, source: SourceFile) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        final = dockerfile.final_stage
        if final is None or final.instruction.ignores(self.code) or final.env.get("PYTHONUNBUFFERED"):
            return
        root = dockerfile.root_image(final)
        if root is None:
            return
        python_image = "python" in root.repository.lower() or "pypy" in root.name
        if not python_image and root.name in _OS_IMAGES:
            installs = dockerfile.system_installs(dockerfile.lineage(final))
            python_image = any(package.startswith("python3") for i in installs for package in i.packages)
        if not python_image:
            return
        process = dockerfile_process(dockerfile)
        if process is not None and (process.unbuffered or _runs_another_program(process)):
            return
        instruction = final.instruction
        rows = source.lines
        after = instruction.end_row
        if after < len(rows) or rows[-1].endswith(("\n", "\r")):
            edit = Edit(
                "ENV PYTHONUNBUFFERED=1" + source.newline, Location(after + 1, 1), Location(after + 1, 1)
            )
        else:
            end = Location(after, len(rows[-1]) + 1)
            edit = Edit(source.newline + "ENV PYTHONUNBUFFERED=1", end, end)
        fix = Fix(Applicability.SAFE, "Add ENV PYTHONUNBUFFERED=1", (edit,))
        yield self.make_finding(
            source.display_path,
            instruction.start,
            instruction.end,
            "This Python image sets no PYTHONUNBUFFERED and does not run `python -u`: stdout is "
            "block-buffered, so output arrives late and is lost when the container is killed",
            fix=fix,
        )
