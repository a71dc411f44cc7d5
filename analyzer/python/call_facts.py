"""What each function of a file calls, read from `ast`: the per-file half of the call graph
(`scan/call_graph.py` links the files), so that rules can follow a request handler or a
start-up hook into the first-party helpers it calls.

Each function and method (nested ones too, as `outer.inner`) records its line, when it runs
when the file alone says so (a request handler, a start-up hook, or neither), and the calls
it makes whose target a name resolves to: `:name` for a function or class of the same file,
`:Class.method` for `self.method()`, and the absolute dotted name through the file's imports
(`shop.storage.save`, relative imports made absolute from the file's folder).

The roles are a cheap `ast` reading of what `handlers.py` finds with libcst (routes and
hooks by decorator, registrations by name, view classes, Django views, lifespans, app
factories, `AppConfig.ready`, gunicorn server hooks): it is computed for every Python file,
and a file no rule parses with libcst must not pay for a libcst parse here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from factorscan.python.handlers import (
    GUI_TOOLKITS,
    HTTP_VERBS,
    REGISTER_METHODS,
    REQUEST_HOOKS,
    ROUTE_DECORATORS,
    STARTUP_EVENTS,
    STARTUP_HOOKS,
    STARTUP_KEYWORDS,
    VIEW_BASE_PREFIXES,
    VIEWS_MODULE,
    WEB_FRAMEWORKS,
)

if TYPE_CHECKING:
    import libcst as cst

    from factorscan.python.traversal import FileContext

REQUEST = "request"
STARTUP = "startup"

# Decorators named without a receiver that make a Django/DRF/Pyramid function a view.
_VIEW_DECORATORS = frozenset(
    {
        "api_view",
        "login_required",
        "permission_required",
        "staff_member_required",
        "require_POST",
        "require_GET",
        "require_http_methods",
        "require_safe",
        "csrf_exempt",
        "view_config",
    }
)
# First-party bases named like views, in web code (`from .base import BaseView`).
_VIEW_NAME_SUFFIXES = ("View", "ViewSet", "APIView", "Endpoint")
_APP_CLASSES = frozenset(
    {"Flask", "Quart", "FastAPI", "Starlette", "Sanic", "Bottle", "Litestar", "Application"}
)
_GUNICORN_HOOKS = frozenset(
    {"on_starting", "when_ready", "pre_fork", "post_fork", "post_worker_init", "on_reload"}
)
_GUNICORN_SETTINGS = frozenset({"bind", "workers", "worker_class", "wsgi_app"})
_RECEIVER_NAME = re.compile(
    r"^(app|application|api|router|routes|bp|blueprint|server|\w+_(app|api|router|bp))$"
)


class FunctionFact(NamedTuple):
    """One function or method of a file, as the call graph needs it."""

    name: str  # "save_upload", "UploadView.post", "create_app.index"
    line: int  # 1-based row of the `def`
    role: str  # REQUEST, STARTUP, or "" when the file alone does not say it runs per request or at start-up
    calls: list[str]  # sorted call targets: ":local", ":Class.method", "package.module.function"


class ReachCandidate(NamedTuple):
    """An effect a handler-scoped rule found in a function that is no handler: reported by the
    rule's project half when a handler or start-up hook reaches the function through calls."""

    code: str  # the rule's
    function: str  # as FunctionFact.name
    roles: list[str]  # the roles of the functions whose reach counts (REQUEST, STARTUP)
    row: int
    column: int
    end_row: int
    end_column: int
    message: str  # "{reached}" stands for "reached from `index` in app/views.py:12"


def record_reach_candidate(
    context: FileContext, code: str, node: cst.CSTNode, message: str, roles: Iterable[str] = (REQUEST,)
) -> bool:
    """Keep an effect at `node` for the call graph to judge; False outside any function.
    "{function}" in `message` stands for the name of the function the effect is in."""
    function = context.enclosing_function_path()
    if function is None:
        return False
    message = message.replace("{function}", function.rsplit(".", 1)[-1])
    context.note_statement(node)
    span = context.locations([node]).get(node)
    if span is None:
        return False
    start, end = span
    context.record_fact(
        ReachCandidate(
            code=code,
            function=function,
            roles=list(roles),
            row=start.row,
            column=start.column,
            end_row=end.row,
            end_column=end.column,
            message=message,
        )
    )
    return True


def function_facts(tree: ast.Module, relative_path: str) -> list[FunctionFact]:
    """Every function of a module with its role and the calls it makes."""
    return _Reader(tree, relative_path).read()


class _Reader:
    def __init__(self, tree: ast.Module, relative_path: str) -> None:
        self.tree = tree
        self.path = PurePosixPath(relative_path)
        self.imports = _import_table(tree, list(self.path.parent.parts))
        self.local = {
            node.name
            for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        }
        self.registered: dict[str, str] = {}  # function name -> role, from registration calls
        self.views: set[str] = set()  # classes of the file known to be views
        self.web = any(value.split(".", 1)[0] in WEB_FRAMEWORKS for value in self.imports.values())
        self.facts: list[FunctionFact] = []

    def read(self) -> list[FunctionFact]:
        self._registrations()
        gunicorn_config = "gunicorn" in self.path.stem or any(
            isinstance(node, ast.Assign)
            and any(
                isinstance(target, ast.Name) and target.id in _GUNICORN_SETTINGS for target in node.targets
            )
            for node in self.tree.body
        )
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                role = STARTUP if gunicorn_config and node.name in _GUNICORN_HOOKS else ""
                self._function(node, "", None, role)
            elif isinstance(node, ast.ClassDef):
                self._class(node, "")
        return self.facts

    # -- roles -------------------------------------------------------------------------

    def _registrations(self) -> None:
        """Functions named in calls that register them: `add_url_rule(..., view_func=f)`,
        `add_event_handler("startup", f)`, `FastAPI(lifespan=f)`, `app.on_startup.append(f)`."""
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            for keyword in node.keywords:
                if keyword.arg in STARTUP_KEYWORDS:
                    self._register(keyword.value, STARTUP)
                elif keyword.arg == "view_func":
                    self._register(keyword.value, REQUEST)
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr == "add_event_handler" and node.args and _string(node.args[0]) in STARTUP_EVENTS:
                for arg in node.args[1:]:
                    self._register(arg, STARTUP)
            elif func.attr in REGISTER_METHODS and func.attr not in ("add_exception_handler", "on_event"):
                for arg in node.args:
                    self._register(arg, REQUEST)
            elif (
                func.attr == "append"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr in ("on_startup", "cleanup_ctx")
            ):
                for arg in node.args:
                    self._register(arg, STARTUP)

    def _register(self, value: ast.expr, role: str) -> None:
        values = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for item in values:
            if isinstance(item, ast.Name) and item.id in self.local:
                self.registered.setdefault(item.id, role)

    def _decorator_role(self, decorator: ast.expr) -> str:
        call = decorator if isinstance(decorator, ast.Call) else None
        func = call.func if call is not None else decorator
        first = _string(call.args[0]) if call is not None and call.args else None
        if isinstance(func, ast.Name):
            if func.id in _VIEW_DECORATORS:
                return REQUEST
            if func.id in ROUTE_DECORATORS | HTTP_VERBS and first is not None and first.startswith("/"):
                return REQUEST  # bottle's `@route("/")`
            return ""
        if not isinstance(func, ast.Attribute):
            return ""
        attribute = func.attr
        if attribute in ROUTE_DECORATORS or attribute in REQUEST_HOOKS:
            return REQUEST
        if attribute in HTTP_VERBS:
            receiver = func.value.id if isinstance(func.value, ast.Name) else ""
            if (first is not None and (first == "" or first.startswith("/"))) or _RECEIVER_NAME.match(
                receiver
            ):
                return REQUEST
            return ""
        if attribute in STARTUP_HOOKS:
            return STARTUP
        if attribute in ("on_event", "listener") and first in STARTUP_EVENTS:
            return STARTUP
        return ""

    def _role(self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None, nested: bool) -> str:
        for decorator in node.decorator_list:
            role = self._decorator_role(decorator)
            if role:
                return role
        if owner is None and not nested:
            if node.name in self.registered:
                return self.registered[node.name]
            if (VIEWS_MODULE.match(self.path.stem) or "views" in self.path.parts[:-1]) and _first_parameter(
                node
            ) == "request":
                return REQUEST
            if node.name == "create_app" or _builds_an_app(node):
                return STARTUP
        return ""

    # -- functions and classes -----------------------------------------------------------

    def _class(self, node: ast.ClassDef, prefix: str) -> None:
        view = any(self._view_base(base) for base in node.bases)
        if view:
            self.views.add(node.name)
        app_config = any(_last_name(base).endswith("AppConfig") for base in node.bases)
        name = f"{prefix}{node.name}"
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                role = REQUEST if view and not item.name.startswith("__") else ""
                if app_config and item.name == "ready":
                    role = STARTUP
                self._function(item, f"{name}.", name, role)
            elif isinstance(item, ast.ClassDef):
                self._class(item, f"{name}.")

    def _view_base(self, base: ast.expr) -> bool:
        """A base class that makes every method a request handler, as `handlers.py` judges it."""
        dotted = _dotted(base.value if isinstance(base, ast.Subscript) else base)
        if dotted is None:
            return False
        head, _, rest = dotted.partition(".")
        qualified = self.imports.get(head)
        if qualified is not None:
            qualified = ".".join(part for part in (qualified, rest) if part)
            if qualified.startswith(VIEW_BASE_PREFIXES):
                return True
            if qualified.split(".", 1)[0] in GUI_TOOLKITS:
                return False
        if dotted in self.views:
            return True
        return self.web and dotted.rsplit(".", 1)[-1].endswith(_VIEW_NAME_SUFFIXES)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str, owner: str | None, role: str
    ) -> None:
        name = f"{prefix}{node.name}"
        role = role or self._role(node, owner, nested=bool(prefix) and owner is None)
        inner: dict[str, str] = {}
        nested: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        calls: set[str] = set()
        pending: list[ast.AST] = [*node.args.defaults, *node.body]
        while pending:
            current = pending.pop()
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nested.append(current)
                inner[current.name] = f"{name}.{current.name}"
                continue
            if isinstance(current, ast.ClassDef):
                continue
            if isinstance(current, ast.Call):
                target = self._target(current.func, owner, inner)
                if target is not None:
                    calls.add(target)
            pending.extend(ast.iter_child_nodes(current))
        # A call to a nested function is resolved once all of them are known.
        calls = {
            f":{inner[target[1:]]}" if target.startswith(":") and target[1:] in inner else target
            for target in calls
        }
        self.facts.append(FunctionFact(name=name, line=node.lineno, role=role, calls=sorted(calls)))
        for child in nested:
            # A function nested in a request handler runs per request (a streamed generator,
            # a callback); one nested in a start-up hook or an app factory (a route) does not.
            self._function(child, f"{name}.", None, REQUEST if role == REQUEST else "")

    def _target(self, func: ast.expr, owner: str | None, inner: dict[str, str]) -> str | None:
        if isinstance(func, ast.Name):
            if func.id in inner or func.id in self.local:
                return f":{func.id}"
            return self.imports.get(func.id)
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        if isinstance(receiver, ast.Name):
            if receiver.id in ("self", "cls") and owner is not None:
                return f":{owner}.{func.attr}"
            if receiver.id in self.local:
                return f":{receiver.id}.{func.attr}"
        dotted = _dotted(receiver)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.imports.get(head)
        if base is None:
            return None
        return ".".join(part for part in (base, rest, func.attr) if part)


def _import_table(tree: ast.Module, package: list[str]) -> dict[str, str]:
    """Local name -> the absolute dotted name it is bound to by an import anywhere in the file."""
    table: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    table[head] = head
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 > len(package):
                    continue
                base = package[: len(package) - (node.level - 1)]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            for alias in node.names:
                if alias.name != "*":
                    table[alias.asname or alias.name] = f"{prefix}.{alias.name}" if prefix else alias.name
    return table


def _builds_an_app(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """An app factory: the function itself (not a nested one) constructs the web app."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        current = pending.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(current, ast.Call) and _last_name(current.func) in _APP_CLASSES:
            return True
        pending.extend(ast.iter_child_nodes(current))
    return False


def _first_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    parameters = [*function.args.posonlyargs, *function.args.args]
    return parameters[0].arg if parameters else None


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *parts])


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
