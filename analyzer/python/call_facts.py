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
    VIEW_BASE_PREFIXES,
    VIEWS_MODULE,
    WEB_FRAMEWORKS,
)
from factorscan.python.imports import bind_import

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


def function_facts(tree: ast.Module, text: str, relative_path: str) -> list[FunctionFact]:
    """Every function of a module with its role and the calls it makes."""
    return _Reader(tree, text, relative_path).read()


# `name(`, `module.name(`, `self.name(`: a call's target as written. Calls are read from the
# function's text, not its `ast` expressions: walking every expression of every file cost more
# than parsing it (Django: 2.6 s of CPU against 1.3 s), while only statements need `ast` here.
# A string or comment that looks like a call to a first-party function is the rare price.
# The pattern runs on the reversed text, where it starts with a literal `(` that the regex
# engine finds fast (5x faster than a lookbehind for the start of the name).
_CALL_REVERSED = re.compile(r"\(([\w.]+)")
_COMMENT = re.compile(r"#[^\n'\"]*$", re.MULTILINE)
_REGISTERED_NAME = re.compile(r"\b(lifespan|view_func)\s*=\s*(\w+)")
_STARTUP_LIST = re.compile(r"\bon_startup\s*=\s*\[([^\]]*)\]")
_STARTUP_HANDLER = re.compile(r"\.add_event_handler\(\s*[\"'](\w+)[\"']\s*,\s*(\w+)")
_STARTUP_APPEND = re.compile(r"\.(?:on_startup|cleanup_ctx)\.append\(\s*(\w+)")
_REGISTER_CALL = re.compile(r"\.(\w+)\(([^()]*)\)")
_WORD = re.compile(r"\w+")


class _Reader:
    def __init__(self, tree: ast.Module, text: str, relative_path: str) -> None:
        self.tree = tree
        self.text = text
        self.lines = text.splitlines()
        self.path = PurePosixPath(relative_path)
        self.package = list(self.path.parent.parts)
        self.imports: dict[str, str] = {}  # name -> the absolute dotted name a module-level import binds
        self._imports(tree.body, self.package)
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
            and any(isinstance(name, ast.Name) and name.id in _GUNICORN_SETTINGS for name in node.targets)
            for node in self.tree.body
        )
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                role = STARTUP if gunicorn_config and node.name in _GUNICORN_HOOKS else ""
                self._function(node, "", None, role)
            elif isinstance(node, ast.ClassDef):
                self._class(node, "")
        return self.facts

    def _imports(self, body: list[ast.stmt], package: list[str]) -> None:
        """The imports of the module, its classes and blocks (a function's own are read with it)."""
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bind_import(node, package, self.imports)
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for block in _blocks(node):
                    self._imports(block, package)

    # -- roles -------------------------------------------------------------------------

    def _registrations(self) -> None:
        """Functions named in calls that register them: `add_url_rule(..., view_func=f)`,
        `add_event_handler("startup", f)`, `FastAPI(lifespan=f)`, `app.on_startup.append(f)`."""
        text = self.text
        if "lifespan" in text or "view_func" in text:
            for keyword, name in _REGISTERED_NAME.findall(text):
                self._register(name, STARTUP if keyword == "lifespan" else REQUEST)
        if "on_startup" in text or "cleanup_ctx" in text:
            for names in _STARTUP_LIST.findall(text):
                for name in _WORD.findall(names):
                    self._register(name, STARTUP)
            for name in _STARTUP_APPEND.findall(text):
                self._register(name, STARTUP)
        if "add_event_handler" in text:
            for event, name in _STARTUP_HANDLER.findall(text):
                if event in STARTUP_EVENTS:
                    self._register(name, STARTUP)
        if ".add_" in text:
            for method, arguments in _REGISTER_CALL.findall(text):
                if method in REGISTER_METHODS and method not in ("add_exception_handler", "on_event"):
                    for name in _WORD.findall(arguments):
                        self._register(name, REQUEST)

    def _register(self, name: str, role: str) -> None:
        if name in self.local:
            self.registered.setdefault(name, role)

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
            path = first is not None and (first == "" or first.startswith("/"))
            return REQUEST if path or _RECEIVER_NAME.match(receiver) else ""
        if attribute in STARTUP_HOOKS:
            return STARTUP
        if attribute in ("on_event", "listener") and first in STARTUP_EVENTS:
            return STARTUP
        return ""

    def _role(self, node: ast.FunctionDef | ast.AsyncFunctionDef, top_level: bool, written: list[str]) -> str:
        for decorator in node.decorator_list:
            role = self._decorator_role(decorator)
            if role:
                return role
        if top_level:
            if node.name in self.registered:
                return self.registered[node.name]
            views_module = VIEWS_MODULE.match(self.path.stem) or "views" in self.path.parts[:-1]
            if views_module and _first_parameter(node) == "request":
                return REQUEST
            # An app factory: the function constructs the web app.
            if node.name == "create_app" or any(call.rsplit(".", 1)[-1] in _APP_CLASSES for call in written):
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
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        prefix: str,
        owner: str | None,
        role: str,
        imports: dict[str, str] | None = None,
    ) -> None:
        name = f"{prefix}{node.name}"
        nested: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        local_imports: list[ast.Import | ast.ImportFrom] = []
        below = "\n".join(self.lines[node.lineno : node.end_lineno or node.lineno])
        if "def " in below or "import " in below:  # else the walk finds nothing: most functions
            _function_body(node.body, nested, local_imports)
        imports = imports or self.imports
        if local_imports:
            imports = dict(imports)
            for statement in local_imports:
                bind_import(statement, self.package, imports)
        written = self._calls_written(node, nested)
        role = role or self._role(node, top_level=not prefix, written=written)
        inner = {child.name: f"{name}.{child.name}" for child in nested}
        calls = {
            target for call in written if (target := self._target(call, owner, inner, imports)) is not None
        }
        self.facts.append(FunctionFact(name=name, line=node.lineno, role=role, calls=sorted(calls)))
        for child in nested:
            # A function nested in a request handler runs per request (a streamed generator,
            # a callback); one nested in a start-up hook or an app factory (a route) does not.
            self._function(child, f"{name}.", None, REQUEST if role == REQUEST else "", imports)

    def _calls_written(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        nested: list[ast.FunctionDef | ast.AsyncFunctionDef],
    ) -> list[str]:
        """The call targets written in the function's body, its nested functions left out (their
        decorators stay: they run here) and its docstring too."""
        body = node.body
        if len(body) > 1 and isinstance(body[0], ast.Expr) and _string(body[0].value) is not None:
            body = body[1:]
        first = body[0].lineno
        if (
            isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and body[0].decorator_list
        ):
            first = body[0].decorator_list[0].lineno
        last = node.end_lineno or first
        skipped = sorted((child.lineno, child.end_lineno or child.lineno) for child in nested)
        chunks: list[str] = []
        row = first
        for start, end in skipped:
            if start > row:
                chunks.extend(self.lines[row - 1 : start - 1])
            row = max(row, end + 1)
        chunks.extend(self.lines[row - 1 : last])
        source = "\n".join(chunks)
        if "#" in source:
            source = _COMMENT.sub("", source)
        calls = []
        for reversed_name in _CALL_REVERSED.findall(source[::-1]):
            name = reversed_name[::-1]
            if name[0] != "." and not name[0].isdigit():  # `x[0].save(`, `1.5(` are no names
                calls.append(name)
        return calls

    def _target(
        self, call: str, owner: str | None, inner: dict[str, str], imports: dict[str, str]
    ) -> str | None:
        head, _, rest = call.partition(".")
        if not rest:
            if head in inner:
                return f":{inner[head]}"
            if head in self.local:
                return f":{head}"
            return imports.get(head)
        if "." not in rest and owner is not None and head in ("self", "cls"):
            return f":{owner}.{rest}"
        if "." not in rest and head in self.local:
            return f":{head}.{rest}"
        base = imports.get(head)
        return f"{base}.{rest}" if base is not None else None


# Statements holding other statements (definitions aside).
_COMPOUND: tuple[type[ast.stmt], ...] = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    *([ast.TryStar] if hasattr(ast, "TryStar") else []),
    *([ast.Match] if hasattr(ast, "Match") else []),
)


def _blocks(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists inside a statement: a definition's body, a compound statement's blocks."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.body]
    if not isinstance(node, _COMPOUND):
        return []
    blocks = [
        value
        for field in ("body", "orelse", "finalbody")
        if isinstance(value := getattr(node, field, None), list)
    ]
    blocks.extend(handler.body for handler in getattr(node, "handlers", ()))
    blocks.extend(case.body for case in getattr(node, "cases", ()))
    return blocks


def _function_body(
    body: list[ast.stmt],
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef],
    imports: list[ast.Import | ast.ImportFrom],
) -> None:
    """The functions and imports of a function's body, in its blocks but not in nested functions."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        elif not isinstance(node, ast.ClassDef):
            for block in _blocks(node):
                _function_body(block, functions, imports)


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
