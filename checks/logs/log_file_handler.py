"""FS1101 log-file-handler: logging is configured to write to a file instead of stdout."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from factorscan.checks.base import (
    FileRule,
    FixAvailability,
    Invalid,
    Severity,
    SourceRule,
    Valid,
)
from factorscan.checks.logs._loggers import (
    adds_to_flask_logger,
    config_file_handlers,
    default_handler_touched,
    dict_config_stream_reach,
    earlier_file_handler,
    file_api_used,
    handler_added_to,
    logger_streams_elsewhere,
    loguru_default_sink_removed,
    loguru_streams_beside,
    null_handler_elements,
    stream_handler_elements,
)
from factorscan.checks.logs._shared import (
    BASIC_CONFIG_FILE_ARGS,
    CONFIG_CLASS_NAMES,
    FILE_HANDLERS,
    LOGURU_FILE_ARGS,
    is_file_target,
    is_open_call,
)
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.python.codemods import (
    argument,
    dict_key,
    dotted,
    first_argument_only,
    is_std_stream,
    keyword,
    rebuild,
)


class LogFileHandler(SourceRule, FileRule):
    """
    ## What it does
    Finds logging configured to write to files: the `FileHandler` family
    (`RotatingFileHandler`, `TimedRotatingFileHandler`, `WatchedFileHandler`,
    through any import alias), `logging.basicConfig(filename=...)`,
    `dictConfig` dicts and Django `LOGGING` settings whose handler class is a
    file handler, YAML, JSON (`*log*.json`) and TOML (`*log*.toml`) logging
    configs (`version` and `handlers`), `fileConfig` ini files with file handlers, loguru
    `logger.add("app.log")` (also a path a config object holds, such as
    `Config.LOG_FILE`), structlog `WriteLoggerFactory(file=open(...))`,
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
    Where a console handler already exists the file one goes and nothing
    replaces it, so each line is written once: a file handler on a Flask
    app's `app.logger` (Flask's default handler streams to stderr) is
    removed, or becomes a `logging.NullHandler()` when it is a variable; a
    file handler added inline to a logger the module also gives a
    `StreamHandler` is removed; a loguru file sink is removed unless the module removes loguru's default
    stderr sink (`logger.remove()`). Behaviour changes only in where the
    records go. Subclasses of file
    handlers are reported without a fix, and so is a file handler in a
    module that uses an attribute only file handlers have (`doRollover()`,
    `baseFilename`, `rotator`...): a StreamHandler would fail there with an
    AttributeError.
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
    kinds = ("ini", "yaml", "json", "toml")
    file_triggers = (b"[handler_", b"FileHandler")

    VALID = (
        Valid(
            """
            version: 1
            handlers:
              console:
                class: logging.StreamHandler
                stream: ext://sys.stdout
            root:
              handlers: [console]
            """,
            filename="logging.yaml",
            note="a YAML logging config that streams",
        ),
        Valid(
            """
            handlers:
              audit:
                class: logging.FileHandler
            """,
            filename="alerts.yaml",
            note="no `version:`: not a logging config",
        ),
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
            from loguru import logger

            from app.config import Config

            logger.remove()
            logger.add(Config.LOG_FILE)
            logger.add(Config.STREAM)
            """,
            filename="app/logs.py",
            files={
                "app/config.py": "import os\n\n\nclass Config:\n"
                '    LOG_FILE = os.environ.get("LOG_FILE", "logs/app.log")\n    STREAM = "/dev/stdout"\n',
            },
            note="loguru sinks from config objects: a path read from the environment, a stream",
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
            version: 1
            handlers:
              file:
                class: logging.handlers.RotatingFileHandler
                filename: /var/log/app.log
            root:
              handlers: [file]
            """,
            filename="config/logging.yaml",
            line=4,
            note="a YAML config for dictConfig; reported without a fix",
        ),
        Invalid(
            '{"version": 1, "handlers": {"f": {"class": "logging.FileHandler", "filename": "a.log"}}}\n',
            filename="config/logging.json",
            files={"log.toml": 'version = 1\n[handlers.f]\nclass = "logging.handlers.WatchedFileHandler"\n'},
            count=2,
            note="JSON and TOML configs for dictConfig (`*log*.json`, `*log*.toml`)",
        ),
        Invalid(
            """
            from logging import FileHandler, getLogger

            from flask import Flask

            app = Flask(__name__)
            log = getLogger(__name__)
            log.addHandler(FileHandler("/var/log/app.log"))
            """,
            line=7,
            fixed="""
            from logging import getLogger

            from flask import Flask

            app = Flask(__name__)
            log = getLogger(__name__)
            """,
            note="the logger named after the app is Flask's app.logger, which streams to stderr",
        ),
        Invalid(
            """
            import logging
            import sys

            root = logging.getLogger()
            root.addHandler(logging.StreamHandler(sys.stderr))
            root.addHandler(logging.FileHandler("app.log"))
            """,
            line=6,
            fixed="""
            import logging
            import sys

            root = logging.getLogger()
            root.addHandler(logging.StreamHandler(sys.stderr))
            """,
            note="the logger already streams to stderr: a stdout handler would print every record twice",
        ),
        Invalid(
            """
            import logging

            root = logging.getLogger()
            root.addHandler(logging.FileHandler("app.log"))
            """,
            line=4,
            fixed="""
            import logging
            import sys

            root = logging.getLogger()
            root.addHandler(logging.StreamHandler(sys.stdout))
            """,
            note="no stream handler beside it: the file handler becomes one",
        ),
        Invalid(
            """
            import logging.handlers

            handler = logging.handlers.RotatingFileHandler("app.log", maxBytes=1_000_000, backupCount=3)
            handler.doRollover()
            """,
            note="no fix: the module uses the file handler's own API",
        ),
        Invalid(
            """
            import logging.handlers as lh

            handler = lh.RotatingFileHandler("app.log", maxBytes=10_000, backupCount=3)
            handler.setLevel("INFO")
            """,
            fixed="""
            import logging
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
            from logging import getLogger

            log = getLogger(__name__)
            log.addHandler(logging.StreamHandler(sys.stdout))
            """,
        ),
        Invalid(
            """
            import logging
            import sys

            log = logging.getLogger(__name__)
            log.addHandler(logging.FileHandler("/var/log/app.log"))
            root = logging.getLogger()
            root.addHandler(logging.StreamHandler(sys.stderr))
            """,
            line=5,
            fixed="""
            import logging
            import sys

            log = logging.getLogger(__name__)
            root = logging.getLogger()
            root.addHandler(logging.StreamHandler(sys.stderr))
            """,
            note="the records reach the streaming root logger: a stdout handler would print them twice",
        ),
        Invalid(
            """
            import logging

            logging.basicConfig(level=logging.INFO)
            handler = logging.FileHandler("worker.log")
            logging.getLogger("worker").addHandler(handler)
            """,
            line=4,
            fixed="""
            import logging

            logging.basicConfig(level=logging.INFO)
            handler = logging.NullHandler()
            logging.getLogger("worker").addHandler(handler)
            """,
            note="basicConfig() makes the root logger stream; the handler variable becomes a NullHandler",
        ),
        Invalid(
            """
            import logging
            import sys

            audit = logging.getLogger("audit")
            audit.propagate = False
            audit.addHandler(logging.FileHandler("audit.log"))
            logging.getLogger().addHandler(logging.StreamHandler(sys.stderr))
            """,
            line=6,
            fixed="""
            import logging
            import sys

            audit = logging.getLogger("audit")
            audit.propagate = False
            audit.addHandler(logging.StreamHandler(sys.stdout))
            logging.getLogger().addHandler(logging.StreamHandler(sys.stderr))
            """,
            note="the logger does not propagate: its file handler becomes its stream",
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
            LOGGING = {
                "version": 1,
                "handlers": {
                    "console": {"class": "logging.StreamHandler"},
                    "file": {"class": "logging.FileHandler", "filename": "django.log", "level": "INFO"},
                },
                "root": {"handlers": ["console", "file"], "level": "INFO"},
                "loggers": {"django": {"handlers": ["file"], "level": "INFO"}},
            }
            """,
            filename="settings.py",
            fixed="""
            LOGGING = {
                "version": 1,
                "handlers": {
                    "console": {"class": "logging.StreamHandler"},
                    "file": {"class": "logging.NullHandler", "level": "INFO"},
                },
                "root": {"handlers": ["console", "file"], "level": "INFO"},
                "loggers": {"django": {"handlers": ["file"], "level": "INFO"}},
            }
            """,
            line=5,
            note="the root logger streams, and django propagates to it: the file handler"
            " becomes a NullHandler, where a stdout one would print every record twice",
        ),
        Invalid(
            """
            LOGGING = {
                "version": 1,
                "handlers": {
                    "console": {"class": "logging.StreamHandler"},
                    "file": {"class": "logging.FileHandler", "filename": "audit.log"},
                },
                "root": {"handlers": ["console", "file"]},
                "loggers": {"audit": {"handlers": ["file"], "propagate": False}},
            }
            """,
            filename="settings.py",
            line=5,
            note="no fix: a stdout handler prints root's records twice, a NullHandler loses audit's",
        ),
        Invalid(
            """
            LOGGING = {
                "version": 1,
                "handlers": {
                    "console": {"class": "logging.StreamHandler"},
                    "file": {"class": "logging.FileHandler", "filename": "audit.log"},
                },
                "root": {"handlers": ["console"]},
                "loggers": {"audit": {"handlers": ["file"], "propagate": False}},
            }
            """,
            filename="settings.py",
            fixed="""
            LOGGING = {
                "version": 1,
                "handlers": {
                    "console": {"class": "logging.StreamHandler"},
                    "file": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
                },
                "root": {"handlers": ["console"]},
                "loggers": {"audit": {"handlers": ["file"], "propagate": False}},
            }
            """,
            line=5,
            note="the only logger that uses it does not propagate to the console: it becomes a stream",
        ),
        Invalid(
            """
            import sys
            from loguru import logger

            logger.remove()
            logger.add("logs/app.log", rotation="10 MB", retention="7 days", level="INFO")
            """,
            fixed="""
            import sys
            from loguru import logger

            logger.remove()
            logger.add(sys.stdout, level="INFO")
            """,
            note="the default sink was removed: the file sink becomes stdout",
        ),
        Invalid(
            """
            import sys

            from loguru import logger

            from app.config import Config

            logger.remove()
            logger.add(Config.LOG_FILE, level="INFO")
            """,
            filename="app/logs.py",
            files={"app/__init__.py": "", "app/config.py": 'class Config:\n    LOG_FILE = "logs/app.log"\n'},
            fixed="""
            import sys

            from loguru import logger


            logger.remove()
            logger.add(sys.stdout, level="INFO")
            """,
            note="a file sink that a config class attribute holds; its import goes with its last use",
        ),
        Invalid(
            """
            from loguru import logger

            logger.add("logs/app.log", rotation="10 MB")
            logger.info("started")
            """,
            fixed="""
            from loguru import logger

            logger.info("started")
            """,
            note="loguru's default stderr sink stays: a stdout sink would repeat each line",
        ),
        Invalid(
            """
            from loguru import logger

            sink_id = logger.add("logs/app.log")
            """,
            note="no fix: the sink's id is used",
        ),
        Invalid(
            """
            import logging
            from flask import Flask

            app = Flask(__name__)
            handler = logging.FileHandler("app.log")
            handler.setLevel(logging.INFO)
            app.logger.addHandler(handler)
            """,
            fixed="""
            import logging
            from flask import Flask

            app = Flask(__name__)
            handler = logging.NullHandler()
            handler.setLevel(logging.INFO)
            app.logger.addHandler(handler)
            """,
            note="Flask's default handler already streams to stderr: nothing replaces the file",
        ),
        Invalid(
            """
            import logging
            from flask import Flask

            app = Flask(__name__)
            app.logger.addHandler(logging.FileHandler("app.log"))
            app.logger.info("started")
            """,
            fixed="""
            from flask import Flask

            app = Flask(__name__)
            app.logger.info("started")
            """,
        ),
        Invalid(
            """
            import logging
            from flask import Flask
            from flask.logging import default_handler

            app = Flask(__name__)
            app.logger.removeHandler(default_handler)
            app.logger.addHandler(logging.FileHandler("app.log"))
            """,
            fixed="""
            import logging
            import sys
            from flask import Flask
            from flask.logging import default_handler

            app = Flask(__name__)
            app.logger.removeHandler(default_handler)
            app.logger.addHandler(logging.StreamHandler(sys.stdout))
            """,
            note="Flask's default handler is gone: the file handler becomes a stdout one",
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
            if stream is not None and is_open_call(stream.value, self.context):
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
            if target is not None and is_open_call(target.value, self.context):
                self._to_stdout(node, target, "structlog writes its output to a file")

    def _file_handler(self, node: cst.Call) -> None:
        handler = self.context.qualified_name(node.func) or "FileHandler"
        message = f"{handler.rsplit('.', 1)[1]} writes logs to a file; stream them to stdout"
        if file_api_used(self.context.tree):
            self.report(node, message)  # a StreamHandler has no doRollover() or baseFilename
            return
        if self._handler_already_streamed(node, message):
            return
        fix = self.fix("Log to stdout with logging.StreamHandler(sys.stdout)")
        stream_handler = dotted(f"{fix.use_module('logging')}.StreamHandler")
        replacement = node.with_changes(
            func=stream_handler,
            args=first_argument_only(node.args, dotted(f"{fix.use_module('sys')}.stdout")),
        )
        fix.replace(node, replacement)
        self.report(node, message, fix=fix)

    def _handler_already_streamed(self, node: cst.Call, message: str) -> bool:
        """A file handler added to a logger whose records already reach a stream: a Flask
        app's logger (its own stderr handler), a logger the module gives a StreamHandler,
        or one that propagates to a root logger that streams.

        A StreamHandler(sys.stdout) beside that stream would write every record
        twice, so the file handler goes and nothing takes its place: an inline
        `log.addHandler(FileHandler(...))` is deleted, a handler variable becomes a
        `NullHandler` (its setLevel/setFormatter calls keep working).
        Reports and returns True when that applies.
        """
        context = self.context
        flask_streams = not default_handler_touched(context.source.text)
        stack = context.stack
        added = (
            stack[-3]
            if len(stack) >= 4
            and isinstance(stack[-2], cst.Arg)
            and isinstance(stack[-3], cst.Call)
            and isinstance(stack[-4], cst.Expr)
            else None
        )
        if added is not None and earlier_file_handler(added, context):
            fix = self.fix("An earlier file handler of this logger becomes its stream: remove this one")
            self.report(node, message, fix=fix.remove_statement())
            return True
        if added is not None and flask_streams and adds_to_flask_logger(added, context):
            fix = self.fix("Flask's app.logger already streams to stderr: remove the file handler")
            self.report(node, message, fix=fix.remove_statement())
            return True
        if added is not None and logger_streams_elsewhere(added, context):
            fix = self.fix("The logger's records already reach a stream: remove the file handler")
            self.report(node, message, fix=fix.remove_statement())
            return True
        assign = stack[-2] if len(stack) >= 2 else None
        if not (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
        ):
            return False
        handler = assign.targets[0].target.value
        if flask_streams and handler_added_to(handler, context, adds_to_flask_logger):
            reason = "Flask's app.logger already streams to stderr"
        elif handler_added_to(handler, context, logger_streams_elsewhere):
            reason = "The logger's records already reach a stream"
        else:
            return False
        fix = self.fix(f"{reason}: the file handler becomes a NullHandler")
        fix.replace(node, node.with_changes(func=dotted(f"{fix.use_module('logging')}.NullHandler"), args=[]))
        self.report(node, message, fix=fix)
        return True

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
            and arg.keyword.value in BASIC_CONFIG_FILE_ARGS
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
        file_sink = is_file_target(sink.value, self.context)
        has_file_options = any(
            arg.keyword is not None and arg.keyword.value in ("rotation", "retention", "compression")
            for arg in node.args
        )
        if not file_sink and not (has_file_options and not is_std_stream(sink.value, self.context)):
            return
        if not loguru_default_sink_removed(self.context.tree):
            self._drop_loguru_sink(node, sink, "its default sink already streams them to stderr")
            return
        if loguru_streams_beside(node, self.context, is_file_target, is_std_stream):
            self._drop_loguru_sink(node, sink, "a stream sink, or an earlier file sink's fix, streams them")
            return
        fix = self.fix("Send loguru output to sys.stdout")
        index = node.args.index(sink)
        drop = {
            i
            for i, arg in enumerate(node.args)
            if arg.keyword is not None and arg.keyword.value in LOGURU_FILE_ARGS
        }
        new_sink = sink.with_changes(value=dotted(f"{fix.use_module('sys')}.stdout"))
        fix.replace(node, node.with_changes(args=rebuild(node.args, replace={index: new_sink}, drop=drop)))
        self.report(sink.value, "loguru writes logs to a file; stream them to stdout", fix=fix)

    def _drop_loguru_sink(self, node: cst.Call, sink: cst.Arg, why: str) -> None:
        message = f"loguru writes logs to a file; {why}"
        if not isinstance(self.context.parent, cst.Expr):
            self.report(sink.value, message)  # the sink's id is used: it cannot simply go
            return
        fix = self.fix(f"Remove the file sink: {why}")
        self.report(sink.value, message, fix=fix.remove_statement())

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
                if value is not None and value in CONFIG_CLASS_NAMES:
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
        reach = dict_config_stream_reach(self.context.stack)
        if reach == "some":
            # A stdout handler prints twice for the loggers that stream already; nothing
            # in its place loses the records of those that do not.
            self.report(class_element.value, message)
            return
        if reach == "all":
            fix = self.fix("The loggers that use it already stream: the handler becomes a NullHandler")
            rebuilt = null_handler_elements(node, class_index)
            self.report(
                class_element.value, message, fix=fix.replace(node, node.with_changes(elements=rebuilt))
            )
            return
        fix = self.fix("Stream to stdout: logging.StreamHandler with ext://sys.stdout")
        fix.replace(node, node.with_changes(elements=stream_handler_elements(node, class_index)))
        self.report(class_element.value, message, fix=fix)

    # -- fileConfig ini files -------------------------------------------------

    def check_file(self, source: SourceFile) -> Iterable[Finding]:
        for start, end, message, fix in config_file_handlers(source):
            yield self.make_finding(source.display_path, start, end, message, fix=fix)
