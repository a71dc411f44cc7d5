"""Helpers shared by the logs rules."""

from __future__ import annotations

import libcst as cst

from factorscan.python.config_values import config_value
from factorscan.python.traversal import FileContext

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
CONFIG_CLASS_NAMES = (
    FILE_HANDLERS
    | {name.removeprefix("logging.") for name in FILE_HANDLERS if name.startswith("logging.")}
    | {name.rsplit(".", 1)[1] for name in FILE_HANDLERS if name.startswith("logging.")}
)


STDOUT_STREAMS = frozenset({"-", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2"})


OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open", "codecs.open"})


PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})


def is_open_call(node: cst.BaseExpression, context: FileContext) -> bool:
    """`open(...)`, `io.open(...)`, or a `.open(...)` method (Path.open)."""
    if not isinstance(node, cst.Call):
        return False
    if context.qualified_name(node.func) in OPEN_FUNCTIONS:
        return True
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "open"


def is_path_expression(node: cst.BaseExpression, context: FileContext) -> bool:
    """A string, f-string, Path(...) or os.path.join(...): a file, not a stream."""
    if isinstance(node, cst.FormattedString):
        return True
    text = context.string_value(node)
    if text is not None:
        return text not in STDOUT_STREAMS
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return True  # BASE_DIR / "logs" / "app.log"
    if isinstance(node, cst.Call):
        name = context.qualified_name(node.func) or ""
        return name in PATH_TYPES or name in ("os.path.join", "os.path.abspath")
    return False


def is_file_target(node: cst.BaseExpression, context: FileContext) -> bool:
    """A path expression, or a config object's literal path (`settings.LOG_FILE`, set to
    "logs/app.log" on a config class); a path read from the environment is unknown."""
    if is_path_expression(node, context):
        return True
    constant = config_value(node, context)
    return constant is not None and isinstance(constant.value, str) and constant.value not in STDOUT_STREAMS


# dictConfig handler keys that only mean something for files.
FILE_ONLY_KEYS = frozenset(
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


BASIC_CONFIG_FILE_ARGS = frozenset({"filename", "filemode", "encoding", "errors"})


LOGURU_FILE_ARGS = frozenset(
    {"rotation", "retention", "compression", "delay", "mode", "buffering", "encoding", "watch"}
)
