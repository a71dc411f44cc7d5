"""Which loggers a module's records reach: the handlers it adds, the root logger they
propagate to, Flask's own app.logger. FS1101 asks before it swaps a file handler for a
stdout one, which would print a record twice where a stream already carries it."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

import libcst as cst

from factorscan.python.traversal import FileContext


def default_handler_touched(text: str) -> bool:
    """The module removes or replaces Flask's default handler, so the console has no other sink."""
    return "default_handler" in text or "removeHandler" in text or "logger.handlers" in text


def is_flask_app(node: cst.BaseExpression, context: FileContext) -> bool:
    """`current_app`, or a name the module binds to `Flask(...)`."""
    if context.qualified_name(node) == "flask.current_app":
        return True
    return isinstance(node, cst.Name) and node.value in flask_app_names(context)


def flask_app_names(context: FileContext) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(context.tree) if context.tree is not None else ():
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            try:
                func = cst.parse_expression(ast.unparse(node.value.func))
            except cst.ParserSyntaxError:
                continue
            if context.qualified_name(func) == "flask.Flask":
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def logger_streams_elsewhere(call: cst.Call, context: FileContext) -> bool:
    """`log.addHandler(FileHandler(...))` where the records already reach a stream:
    the module gives `log` a StreamHandler, or `log` propagates to a root logger
    that streams. A stdout handler in the file's place would print every record twice."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "addHandler") or context.tree is None:
        return False
    receiver = context.module.code_for_node(func.value)
    return streams(receiver, context.tree) or (
        not is_root_logger(receiver, context.tree)
        and not propagation_off(receiver, context.tree)
        and root_streams(context.tree)
    )


def streams(logger: str, tree: ast.Module) -> bool:
    """The module adds a StreamHandler to the logger written `logger`."""
    return any(
        isinstance(handler, ast.Call)
        and ast.unparse(handler.func).rsplit(".", 1)[-1] == "StreamHandler"
        and ast.unparse(added_to) == logger
        for added_to, handler in added_handlers(tree)
    )


def root_streams(tree: ast.Module) -> bool:
    """The root logger streams: basicConfig() without handlers= (a filename= one
    becomes stream=sys.stdout under the fix), or a StreamHandler added to it."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func).rsplit(".", 1)[-1] == "basicConfig"
            and not any(keyword.arg == "handlers" for keyword in node.keywords)
        ):
            return True
    return any(
        is_root_logger(ast.unparse(logger), tree) and streams(ast.unparse(logger), tree)
        for logger, _ in added_handlers(tree)
    )


def is_root_logger(logger: str, tree: ast.Module, depth: int = 0) -> bool:
    """`logging.root`, `logging.getLogger()` (or of None / ""), or a name bound to one."""
    if logger.rsplit(".", 1)[-1] == "root" and "." in logger:
        return True
    if re.fullmatch(r"(?:[\w.]+\.)?getLogger\((?:None|''|\"\")?\)", logger):
        return True
    bound = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == logger for target in node.targets)
    ]
    return (
        bool(bound)
        and depth < 3
        and all(is_root_logger(ast.unparse(value), tree, depth + 1) for value in bound)
    )


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
    """`app.logger.addHandler(...)` on a Flask app."""
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "addHandler"
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value == "logger"
        and is_flask_app(func.value.value, context)
    )


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
