"""FS1102 log-file-write: the app writes its own log file."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.base import Invalid, Severity, SourceRule, Valid
from factorscan.checks.logs._shared import OPEN_FUNCTIONS, PATH_TYPES, is_open_call
from factorscan.core.discovery import is_test_path
from factorscan.python.codemods import argument, positional


class LogFileWrite(SourceRule):
    """
    ## What it does
    Finds hand-made log files: `open("app.log", "a")` and other writes to
    files that are named like logs (`*.log`, a `logs/` folder, a
    `LOG_FILE` variable), `Path("app.log").write_text(...)`, and
    `sys.stdout`/`sys.stderr` redirected to a file.

    A file only touched, opened and closed with nothing written
    (`open(log, "a").close()`, `with open(log, "a"): pass`), is not
    reported: that creates the file for a logging handler, which FS1101
    reports where it is configured.

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
        Valid(
            """
            import logging.handlers
            import os

            def init_logs(log_dir):
                log = os.path.join(log_dir, "logins.log")
                if not os.path.exists(log):
                    open(log, "a").close()
                with open(os.path.join(log_dir, "audit.log"), "a"):
                    pass
                return logging.handlers.RotatingFileHandler(log, maxBytes=10485760)
            """,
            note="a file touched (opened and closed, nothing written) for a handler: FS1101's concern",
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
        Invalid(
            """
            open("audit.log", "a").write("started\\n")
            """,
            note="opened and written in one expression",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name in OPEN_FUNCTIONS:
            path, mode = argument(node, 0, "file"), argument(node, 1, "mode")
            if path is not None and _writes(mode) and self._log_path(path.value) and not self._touches(node):
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
        if self.context.qualified_name(receiver.func) in PATH_TYPES:
            first = positional(receiver, 0)
            if first is not None and self._log_path(first.value):
                self.report(node, "The app writes its own log file; log to stdout instead")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = self.context.qualified_name(target.target)
            value = node.value
            if name in ("sys.stdout", "sys.stderr") and is_open_call(value, self.context):
                self.report(value, f"{name} is redirected to a file; let the platform capture it")

    def _touches(self, call: cst.Call) -> bool:
        """`open(log, "a").close()` or `with open(log, "a"): pass`: the file is created, nothing
        is written to it (a file handler that writes it is FS1101's finding)."""
        ancestors = list(self.context.ancestors())
        if len(ancestors) >= 2:
            attribute, outer = ancestors[0], ancestors[1]
            if (
                isinstance(attribute, cst.Attribute)
                and attribute.value is call
                and attribute.attr.value == "close"
                and isinstance(outer, cst.Call)
                and outer.func is attribute
            ):
                return True
        if len(ancestors) >= 2 and isinstance(ancestors[0], cst.WithItem) and ancestors[0].asname is None:
            block = ancestors[1]
            body = block.body.body if isinstance(block, cst.With) else ()
            return all(
                isinstance(line, cst.SimpleStatementLine)
                and all(isinstance(small, cst.Pass) for small in line.body)
                for line in body
            )
        return False

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
