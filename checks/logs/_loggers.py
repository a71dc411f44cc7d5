"""What FS1101 asks of a logging setup before it fixes a file handler: which streams the
records already reach (the handlers a module adds, the root logger they propagate to, Flask's
own app.logger, a dictConfig's console handler), since a stdout handler beside one prints every
record twice; whether the module uses a file handler's own API; a fileConfig file's handlers."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from typing import cast

import libcst as cst

from factorscan.checks.logs._shared import CONFIG_CLASS_NAMES, FILE_ONLY_KEYS
from factorscan.core.findings import Applicability, Edit, Fix, Location
from factorscan.core.source import SourceFile
from factorscan.deploy.toml_lines import load_toml, value_spans
from factorscan.deploy.yaml_loader import YamlError, YamlNode, load_documents
from factorscan.python.codemods import dict_key, rebuild, string
from factorscan.python.nodes import string_value
from factorscan.python.traversal import FileContext

# `logging.getLogger(...)`, `getLogger(...)` as written, with its argument.
_GET_LOGGER = re.compile(r"(?:[\w.]+\.)?getLogger\((?P<name>.*)\)")


def default_handler_touched(text: str) -> bool:
    """The module removes or replaces Flask's default handler, so the console has no other sink."""
    return "default_handler" in text or "removeHandler" in text or "logger.handlers" in text


def is_flask_app(node: cst.BaseExpression, context: FileContext) -> bool:
    """`current_app`, or a name the module binds to `Flask(...)`."""
    if context.qualified_name(node) == "flask.current_app":
        return True
    return isinstance(node, cst.Name) and node.value in flask_app_names(context)


def flask_app_names(context: FileContext) -> set[str]:
    return {name for name, _ in _flask_apps(context)}


def _flask_apps(context: FileContext) -> list[tuple[str, str]]:
    """(variable, import name as written) of each `app = Flask(__name__)` in the module."""
    apps: list[tuple[str, str]] = []
    for node in ast.walk(context.tree) if context.tree is not None else ():
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            try:
                func = cst.parse_expression(ast.unparse(node.value.func))
            except cst.ParserSyntaxError:
                continue
            if context.qualified_name(func) == "flask.Flask":
                import_name = ast.unparse(node.value.args[0]) if node.value.args else ""
                apps.extend(
                    (target.id, import_name) for target in node.targets if isinstance(target, ast.Name)
                )
    return apps


def _is_flask_logger_by_name(logger: str, context: FileContext) -> bool:
    """`getLogger(__name__)` (or a name bound to it) in a module that makes `Flask(__name__)`:
    Flask's app.logger is the logger named after the app's import name."""
    import_names = {name for _, name in _flask_apps(context) if name}
    if not import_names or context.tree is None:
        return False
    values = [logger, *(ast.unparse(value) for value in _bound_values(logger, context.tree))]
    return any(
        (call := _GET_LOGGER.fullmatch(value)) is not None and call.group("name") in import_names
        for value in values
    )


def logger_streams_elsewhere(call: cst.Call, context: FileContext) -> bool:
    """`log.addHandler(FileHandler(...))` where the records already reach a stream:
    the module gives `log` a StreamHandler, or `log` propagates to a root logger
    that streams. A stdout handler in the file's place would print every record twice."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "addHandler") or context.tree is None:
        return False
    receiver = context.module.code_for_node(func.value)
    if streams(receiver, context.tree):
        return True
    if is_root_logger(receiver, context.tree):
        return _basic_config_streams(context.tree)
    return not propagation_off(receiver, context.tree) and root_streams(context.tree)


def streams(logger: str, tree: ast.Module) -> bool:
    """The module adds a StreamHandler to the logger written `logger`, however it writes
    that logger (`root` and `logging.getLogger()` are one)."""
    wanted = _logger_identity(logger, tree)
    return any(
        isinstance(handler, ast.Call)
        and ast.unparse(handler.func).rsplit(".", 1)[-1] == "StreamHandler"
        and _logger_identity(ast.unparse(added_to), tree) == wanted
        for added_to, handler in added_handlers(tree)
    )


def _logger_identity(logger: str, tree: ast.Module) -> str:
    """ "root" for the root logger, `getLogger:<argument>` for a named one (called inline or
    bound to a name once), else the expression as written."""
    if is_root_logger(logger, tree):
        return "root"
    bound = _bound_values(logger, tree)
    written = ast.unparse(bound[0]) if len(bound) == 1 else logger
    call = _GET_LOGGER.fullmatch(written)
    return f"getLogger:{call.group('name')}" if call is not None and call.group("name") else logger


# File handler classes (as called, without their module) that the fix turns into streams.
_FILE_HANDLER_CLASSES = frozenset(
    {"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler"}
)
# Handler classes that stream once the fix has run.
_STREAMS_AFTER_FIX = _FILE_HANDLER_CLASSES | {"StreamHandler"}


def root_streams(tree: ast.Module) -> bool:
    """The root logger streams once the module's file handlers are fixed: basicConfig()
    without handlers= (a filename= one becomes stream=sys.stdout), or a StreamHandler or a
    file handler (which becomes a stdout stream) added to it inline."""
    if _basic_config_streams(tree):
        return True
    return any(
        isinstance(handler, ast.Call)
        and ast.unparse(handler.func).rsplit(".", 1)[-1] in _STREAMS_AFTER_FIX
        and is_root_logger(ast.unparse(logger), tree)
        for logger, handler in added_handlers(tree)
    )


def earlier_file_handler(call: cst.Call, context: FileContext) -> bool:
    """`log.addHandler(FileHandler(...))` where an earlier statement adds a file handler to the
    same logger inline: that one becomes the logger's stdout stream, so this one goes (two
    would print every record twice)."""
    func = call.func
    if not isinstance(func, cst.Attribute) or context.tree is None:
        return False
    identity = _logger_identity(context.module.code_for_node(func.value), context.tree)
    for other in _calls_named(context.module, "addHandler"):
        if other is call:
            return False
        other_func = other.func
        assert isinstance(other_func, cst.Attribute)
        handler = other.args[0].value if other.args else None
        if (
            isinstance(handler, cst.Call)
            and context.module.code_for_node(handler.func).rsplit(".", 1)[-1] in _FILE_HANDLER_CLASSES
            and _logger_identity(context.module.code_for_node(other_func.value), context.tree) == identity
        ):
            return True
    return False


def _calls_named(node: cst.CSTNode, method: str) -> Iterator[cst.Call]:
    """Every `x.<method>(...)` call below `node`, in the order of the source."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method:
        yield node
    for child in node.children:
        yield from _calls_named(child, method)


def _basic_config_streams(tree: ast.Module) -> bool:
    """The module calls basicConfig() without handlers=: it gives the root logger a stream
    (a filename= one too, once the fix makes it stream=sys.stdout)."""
    return any(
        isinstance(node, ast.Call)
        and ast.unparse(node.func).rsplit(".", 1)[-1] == "basicConfig"
        and not any(keyword.arg == "handlers" for keyword in node.keywords)
        for node in ast.walk(tree)
    )


def is_root_logger(logger: str, tree: ast.Module, depth: int = 0) -> bool:
    """`logging.root`, `logging.getLogger()` (or of None / ""), or a name bound to one."""
    if logger.rsplit(".", 1)[-1] == "root" and "." in logger:
        return True
    call = _GET_LOGGER.fullmatch(logger)
    if call is not None and call.group("name") in ("", "None", "''", '""'):
        return True
    bound = _bound_values(logger, tree)
    return (
        bool(bound)
        and depth < 3
        and all(is_root_logger(ast.unparse(value), tree, depth + 1) for value in bound)
    )


def _bound_values(name: str, tree: ast.Module) -> list[ast.expr]:
    """The values the module assigns to the plain name `name` (`log = getLogger(...)`)."""
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]


def propagation_off(logger: str, tree: ast.Module) -> bool:
    """The module sets `logger.propagate = False` (or any other value: not ours to judge)."""
    return any(
        isinstance(node, ast.Assign)
        and any(
            isinstance(target, ast.Attribute)
            and target.attr == "propagate"
            and ast.unparse(target.value) == logger
            for target in node.targets
        )
        for node in ast.walk(tree)
    )


def added_handlers(tree: ast.Module) -> Iterator[tuple[ast.expr, ast.expr]]:
    """(logger, handler) of every `logger.addHandler(handler)` call in the module."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "addHandler"
            and len(node.args) == 1
        ):
            yield node.func.value, node.args[0]


def adds_to_flask_logger(call: cst.Call, context: FileContext) -> bool:
    """`app.logger.addHandler(...)` on a Flask app, or on the logger named after it."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "addHandler"):
        return False
    if isinstance(func.value, cst.Attribute) and func.value.attr.value == "logger":
        return is_flask_app(func.value.value, context)
    return _is_flask_logger_by_name(context.module.code_for_node(func.value), context)


def handler_added_to(
    handler: str, context: FileContext, logger_test: Callable[[cst.Call, FileContext], bool]
) -> bool:
    """Whether the module passes the variable `handler` to an `addHandler` call that `logger_test` accepts."""
    if context.tree is None:
        return False
    for logger, added in added_handlers(context.tree):
        if isinstance(added, ast.Name) and added.id == handler:
            try:
                call = cst.parse_expression(f"{ast.unparse(logger)}.addHandler({handler})")
            except cst.ParserSyntaxError:
                continue
            if isinstance(call, cst.Call) and logger_test(call, context):
                return True
    return False


# What dictConfig itself reads from a handler entry; every other key is a keyword of the class.
_DICT_CONFIG_HANDLER_KEYS = frozenset({"class", "level", "formatter", "filters"})


def dict_config_stream_reach(stack: list[cst.CSTNode]) -> str | None:
    """For a dictConfig handler entry (the last node of `stack`, inside the config's
    "handlers"): "all" when every logger that lists it also reaches a stream handler (its
    own, or the root logger's by propagation), "some", or "none"; None when the entry sits
    in no config this can read, or no logger lists it."""
    if len(stack) < 5:
        return None
    entry, handlers, section, config = stack[-2], stack[-3], stack[-4], stack[-5]
    if not (
        isinstance(entry, cst.DictElement)
        and isinstance(handlers, cst.Dict)
        and isinstance(section, cst.DictElement)
        and string_value(section.key) == "handlers"
        and isinstance(config, cst.Dict)
    ):
        return None
    name = string_value(entry.key)
    streams = {
        handler
        for handler, definition in _string_keyed(handlers).items()
        if isinstance(definition, cst.Dict) and _is_stream_handler(definition)
    }
    loggers = _dict_config_loggers(config)
    root_streams = bool(streams.intersection(loggers.get("", ((), True))[0]))
    reach = [
        bool(streams.intersection(listed)) or (logger != "" and propagates and root_streams)
        for logger, (listed, propagates) in loggers.items()
        if name in listed
    ]
    if not reach:
        return None
    return "all" if all(reach) else "some" if any(reach) else "none"


def dict_config_handler_keys(definition: cst.Dict) -> list[int]:
    """Indexes of the keys a handler entry passes to its class (filename, maxBytes, ...)."""
    return [
        index
        for index, element in enumerate(definition.elements)
        if isinstance(element, cst.DictElement) and string_value(element.key) not in _DICT_CONFIG_HANDLER_KEYS
    ]


def _dict_config_loggers(config: cst.Dict) -> dict[str, tuple[tuple[str, ...], bool]]:
    """logger name ("" for root) -> (the handlers it lists, whether it propagates)."""
    top = _string_keyed(config)
    entries = [("", top.get("root"))]
    named = top.get("loggers")
    if isinstance(named, cst.Dict):
        entries.extend(_string_keyed(named).items())
    loggers = {}
    for logger, definition in entries:
        if not isinstance(definition, cst.Dict):
            continue
        fields = _string_keyed(definition)
        listed = fields.get("handlers")
        names = (
            tuple(text for element in listed.elements if (text := string_value(element.value)) is not None)
            if isinstance(listed, (cst.List, cst.Tuple))
            else ()
        )
        propagate = fields.get("propagate")
        loggers[logger] = (names, not (isinstance(propagate, cst.Name) and propagate.value == "False"))
    return loggers


def _is_stream_handler(definition: cst.Dict) -> bool:
    """A handler entry that writes to the console: a StreamHandler (or rich's) on no file."""
    fields = _string_keyed(definition)
    kind = string_value(fields["class"]) if "class" in fields else None
    if kind is None or not kind.endswith(("StreamHandler", "RichHandler")):
        return False
    stream = fields.get("stream")
    return stream is None or (string_value(stream) or "").startswith("ext://sys.std")


def _string_keyed(node: cst.Dict) -> dict[str, cst.BaseExpression]:
    return {
        key: element.value
        for element in node.elements
        if isinstance(element, cst.DictElement) and (key := string_value(element.key)) is not None
    }


_INI_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")


_INI_ENTRY = re.compile(r"^(?P<key>\s*(class|args|kwargs)\s*[=:]\s*)(?P<value>.*?)\s*$")


def ini_handler_sections(source: SourceFile) -> Iterator[dict[str, tuple[int, str, int, int]]]:
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


# What file handlers have and a StreamHandler lacks (FileHandler, the rotating handlers,
# WatchedFileHandler).
_FILE_HANDLER_API = frozenset(
    {
        "baseFilename",
        "doRollover",
        "shouldRollover",
        "rotation_filename",
        "rotate",
        "namer",
        "rotator",
        "maxBytes",
        "backupCount",
        "rolloverAt",
        "computeRollover",
        "getFilesToDelete",
        "reopenIfNeeded",
        "_open",
    }
)


def file_api_used(tree: ast.Module | None) -> bool:
    """Whether the module touches an attribute only file handlers have (unknown: True)."""
    if tree is None:
        return True
    return any(isinstance(node, ast.Attribute) and node.attr in _FILE_HANDLER_API for node in ast.walk(tree))


def loguru_default_sink_removed(tree: ast.Module | None) -> bool:
    """`logger.remove()`, `logger.remove(0)` or `logger.configure(handlers=...)` somewhere in the module."""
    if tree is None:
        return False
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "remove" and (
            not node.args or (isinstance(node.args[0], ast.Constant) and node.args[0].value == 0)
        ):
            return True
        if node.func.attr == "configure" and any(keyword.arg == "handlers" for keyword in node.keywords):
            return True
    return False


def loguru_streams_beside(
    call: cst.Call,
    context: FileContext,
    is_file: Callable[[cst.BaseExpression, FileContext], bool],
    is_stream: Callable[[cst.BaseExpression, FileContext], bool],
) -> bool:
    """`logger.add("app.log")` in a module that also adds a std stream sink, or added a file
    sink earlier (that one becomes the stdout sink): a second stream would repeat every line."""
    earlier = True
    for other in _calls_named(context.module, "add"):
        if other is call:
            earlier = False
            continue
        if context.qualified_name(other.func) != "loguru.logger.add" or not other.args:
            continue
        sink = other.args[0].value
        if is_stream(sink, context) or (earlier and is_file(sink, context)):
            return True
    return False


def config_file_handlers(source: SourceFile) -> Iterator[tuple[Location, Location, str, Fix | None]]:
    """(start, end, message, fix) of each file handler of a logging config file: a YAML,
    JSON or TOML dictConfig (reported without a fix) or a fileConfig ini file."""
    if source.path.suffix == ".toml":
        for row, start, end, handler in _toml_file_handlers(source.text):
            message = f"Logging config handler uses {handler}, which writes to a file; stream to stdout"
            yield Location(row, start), Location(row, end), message, None
        return
    if source.path.suffix in (".yaml", ".yml", ".json"):  # JSON is read as the YAML it also is
        for kind in _yaml_file_handlers(source):
            handler = (kind.text or "").rsplit(".", 1)[-1]
            end = kind.end_column if kind.end_row == kind.row else kind.column + 1
            message = f"Logging config handler uses {handler}, which writes to a file; stream to stdout"
            yield Location(kind.row, kind.column), Location(kind.row, end), message, None
        return
    for section in ini_handler_sections(source):
        class_line = section.get("class")
        if class_line is None or class_line[1] not in CONFIG_CLASS_NAMES:
            continue
        row, value, start, end = class_line
        edits = [Edit("StreamHandler", Location(row, start), Location(row, end))]
        args_line = section.get("args")
        if args_line is not None:
            args_row, _, args_start, args_end = args_line
            edits.append(Edit("(sys.stdout,)", Location(args_row, args_start), Location(args_row, args_end)))
        kwargs_line = section.get("kwargs")
        if kwargs_line is not None:
            edits.append(Edit("", Location(kwargs_line[0], 1), Location(kwargs_line[0] + 1, 1)))
        fix = Fix(
            Applicability.SAFE,
            "Stream to stdout: class=StreamHandler, args=(sys.stdout,)",
            tuple(sorted(edits, key=lambda e: e.location)),
        )
        handler = value.rsplit(".", 1)[-1]
        message = f"fileConfig handler uses {handler}, which writes to a file; stream to stdout"
        yield Location(row, start), Location(row, end), message, fix


def _yaml_file_handlers(source: SourceFile) -> Iterator[YamlNode]:
    """The `class:` nodes of the file handlers of a YAML logging config (a mapping with
    `version:` and `handlers:`, as `dictConfig` reads it). Nothing for other YAML."""
    for document in _yaml_documents(source.text):
        handlers = document.get("handlers")
        if document.get("version") is None or handlers is None:
            continue
        for definition in handlers.mapping.values():
            kind = definition.get("class")
            if kind is not None and kind.text in CONFIG_CLASS_NAMES:
                yield kind


def _toml_file_handlers(text: str) -> Iterator[tuple[int, int, int, str]]:
    """(row, start, end, class name) of the `class` of each file handler of a TOML logging
    config (`version` and a `handlers` table), where its line can be found."""
    document = load_toml(text)
    handlers = document.get("handlers") if document is not None and "version" in document else None
    if not isinstance(handlers, dict):
        return
    spans = value_spans(text)
    for name, definition in handlers.items():
        kind = definition.get("class") if isinstance(definition, dict) else None
        span = spans.get(("handlers", name, "class"))
        if isinstance(kind, str) and kind in CONFIG_CLASS_NAMES and span is not None:
            yield span.row, span.start, span.end, kind.rsplit(".", 1)[-1]


def _yaml_documents(text: str) -> list[YamlNode]:
    try:
        return load_documents(text)
    except YamlError:
        return []


def null_handler_elements(handler: cst.Dict, class_index: int) -> list[cst.DictElement]:
    """A dictConfig file handler's entries rewritten to `logging.NullHandler`, without the
    keys only a handler that writes somewhere takes."""
    class_element = handler.elements[class_index]
    assert isinstance(class_element, cst.DictElement)
    null = {class_index: class_element.with_changes(value=string("logging.NullHandler", class_element.value))}
    elements = cast(list[cst.DictElement], list(handler.elements))
    return rebuild(elements, replace=null, drop=set(dict_config_handler_keys(handler)))


def stream_handler_elements(handler: cst.Dict, class_index: int) -> list[cst.DictElement]:
    """A dictConfig file handler's entries rewritten to `logging.StreamHandler` on
    `ext://sys.stdout`: the first file-only key becomes the stream (unless one is set), the
    other file-only keys go."""
    class_element = handler.elements[class_index]
    assert isinstance(class_element, cst.DictElement)
    replace: dict[int, cst.DictElement] = {
        class_index: class_element.with_changes(value=string("logging.StreamHandler", class_element.value))
    }
    stream_element = cst.DictElement(
        key=string("stream", class_element.key), value=string("ext://sys.stdout", class_element.value)
    )
    file_keys = [i for i, e in enumerate(handler.elements) if dict_key(e) in FILE_ONLY_KEYS]
    append: list[cst.DictElement] = []
    if any(dict_key(e) == "stream" for e in handler.elements):
        pass
    elif file_keys:
        replace[file_keys[0]] = stream_element
    else:
        append = [stream_element]
    drop = set(file_keys) - set(replace)
    elements = cast(list[cst.DictElement], list(handler.elements))
    return rebuild(elements, replace=replace, drop=drop, append=append)
