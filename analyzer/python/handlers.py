"""Where code runs: request handlers, start-up hooks and app factories.

Rules ask `context.enclosing_handler()` ("is the code I am visiting running
per request, or at start-up?"). The answer comes from a `HandlerIndex` built
lazily, once per file, the first time a rule asks: one walk of the module
that classifies every function by its decorators, its class, its module,
and the calls that register it by name elsewhere in the same module
(`app.add_url_rule("/", view_func=index)`, `router.add_get("/", handler)`).
Files where no rule asks never pay for it.

Recognised: Flask/Quart routes, blueprints, hooks and MethodView; FastAPI /
Starlette routers, websocket routes and endpoints; Django function views
(functions taking `request` in views modules), class-based views and DRF
APIView/ViewSet/@api_view; aiohttp RouteTableDef, `router.add_*` and
web.View; Bottle, Sanic, Tornado RequestHandler, Falcon responders,
Pyramid `@view_config`, Litestar, Django Channels consumers, Socket.IO and
`websockets` handlers.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst

from factorscan.core.discovery import is_non_production_settings_path
from factorscan.python.imports import ImportTable, dotted_name
from factorscan.python.nodes import is_main_guard, iter_children, string_value

# Modules whose import makes a file web code.
WEB_FRAMEWORKS = frozenset(
    {
        "flask",
        "quart",
        "django",
        "rest_framework",
        "fastapi",
        "starlette",
        "aiohttp",
        "sanic",
        "bottle",
        "tornado",
        "falcon",
        "pyramid",
        "litestar",
        "channels",
        "socketio",
        "flask_socketio",
        "websockets",
        "connexion",
        "ninja",
        "flask_restful",
        "flask_restx",
        "flask_smorest",
        "responder",
        "cherrypy",
        "web",  # web.py
    }
)

# Calls that build an application object: a function making one is an app factory.
APP_CONSTRUCTORS = frozenset(
    {
        "flask.Flask",
        "quart.Quart",
        "fastapi.FastAPI",
        "starlette.applications.Starlette",
        "aiohttp.web.Application",
        "sanic.Sanic",
        "bottle.Bottle",
        "falcon.App",
        "falcon.API",
        "falcon.asgi.App",
        "tornado.web.Application",
        "litestar.Litestar",
        "connexion.App",
        "connexion.FlaskApp",
        "connexion.AsyncApp",
        "django.core.wsgi.get_wsgi_application",
        "django.core.asgi.get_asgi_application",
    }
)
# Objects that routes are registered on.
ROUTER_CONSTRUCTORS = APP_CONSTRUCTORS | {
    "flask.Blueprint",
    "quart.Blueprint",
    "fastapi.APIRouter",
    "starlette.routing.Router",
    "aiohttp.web.RouteTableDef",
    "sanic.Blueprint",
    "socketio.Server",
    "socketio.AsyncServer",
    "flask_socketio.SocketIO",
    "ninja.NinjaAPI",
    "ninja.Router",
}

# Base classes whose subclasses are views: every method runs per request.
VIEW_BASE_PREFIXES = (
    "django.views.",
    "django.contrib.auth.views.",
    "rest_framework.views.",
    "rest_framework.viewsets.",
    "rest_framework.generics.",
    "flask.views.",
    "quart.views.",
    "flask_restful.Resource",
    "flask_restx.Resource",
    "starlette.endpoints.",
    "aiohttp.web.View",
    "aiohttp.web_urldispatcher.View",
    "tornado.web.RequestHandler",
    "tornado.websocket.WebSocketHandler",
    "sanic.views.",
    "channels.generic.",
    "litestar.Controller",
)
_WEBSOCKET_BASES = (
    "tornado.websocket.",
    "channels.generic.websocket.",
    "starlette.endpoints.WebSocketEndpoint",
)
# Bases whose subclasses handle events only in their `on_<event>` methods.
_EVENT_NAMESPACE_BASES = frozenset(
    {"socketio.Namespace", "socketio.AsyncNamespace", "flask_socketio.Namespace"}
)

# Decorators (by qualified name) that make a function a request handler.
_REQUEST_DECORATOR_PREFIXES = (
    "django.views.decorators.",
    "django.contrib.auth.decorators.",
    "django.contrib.admin.views.decorators.",
    "rest_framework.decorators.api_view",
    "pyramid.view.view_config",
    "bottle.route",
    "bottle.get",
    "bottle.post",
    "bottle.put",
    "bottle.delete",
    "bottle.patch",
    "litestar.get",
    "litestar.post",
    "litestar.put",
    "litestar.patch",
    "litestar.delete",
    "litestar.route",
    "litestar.websocket",
    "litestar.handlers.",
)

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
# `@x.route(...)` and friends: specific enough to need no other evidence.
ROUTE_DECORATORS = frozenset({"route", "api_route", "websocket", "websocket_route"})
# Hooks that run on every request.
REQUEST_HOOKS = frozenset(
    {
        "before_request",
        "after_request",
        "teardown_request",
        "before_app_request",
        "after_app_request",
        "teardown_app_request",
        "errorhandler",
        "app_errorhandler",
        "exception_handler",
        "middleware",
        "context_processor",
        "app_context_processor",
    }
)
# Hooks that run once when a server process starts.
STARTUP_HOOKS = frozenset(
    {
        "before_first_request",
        "before_serving",
        "before_server_start",
        "after_server_start",
        "main_process_start",
    }
)
STARTUP_EVENTS = frozenset({"startup", "before_server_start", "after_server_start", "main_process_start"})

# Registration calls: `<router>.<method>(..., handler, ...)`.
REGISTER_METHODS = frozenset(
    {
        "add_url_rule",
        "add_route",
        "add_api_route",
        "add_websocket_route",
        "add_api_websocket_route",
        "add_get",
        "add_post",
        "add_put",
        "add_patch",
        "add_delete",
        "add_head",
        "add_view",
        "add_sink",
        "register_error_handler",
        "add_exception_handler",
        "on_event",  # flask_socketio.SocketIO.on_event("name", handler)
    }
)
_REGISTER_FUNCTIONS = frozenset(
    {
        "aiohttp.web.get",
        "aiohttp.web.post",
        "aiohttp.web.put",
        "aiohttp.web.patch",
        "aiohttp.web.delete",
        "aiohttp.web.head",
        "aiohttp.web.route",
        "aiohttp.web.view",
        "starlette.routing.Route",
        "starlette.routing.WebSocketRoute",
        "fastapi.routing.APIRoute",
        "django.urls.path",
        "django.urls.re_path",
        "django.conf.urls.url",
        "tornado.web.url",
        "websockets.serve",
        "websockets.server.serve",
        "websockets.asyncio.server.serve",
        "websockets.sync.server.serve",
        "websockets.legacy.server.serve",
    }
)
STARTUP_KEYWORDS = frozenset({"on_startup", "lifespan"})
_STARTUP_SIGNALS = frozenset({"on_startup", "cleanup_ctx"})

_APP_NAME = re.compile(
    r"^(app|application|api|router|routes|bp|blueprint|server|sio|socketio|\w+_(app|api|router|routes|bp|blueprint))$"
)
_FALCON_RESPONDER = re.compile(r"^on_(get|post|put|patch|delete|head|options)(_\w+)?$")
VIEWS_MODULE = re.compile(r"^(views?|\w+_views|views_\w+|viewsets)$")
# GUI toolkits have their own *View classes.
GUI_TOOLKITS = frozenset(
    {
        "PyQt5",
        "PyQt6",
        "PySide2",
        "PySide6",
        "qtpy",
        "kivy",
        "toga",
        "tkinter",
        "wx",
        "gi",
        "textual",
        "urwid",
        "flet",
    }
)
_ADMIN_SCRIPT = re.compile(
    r"^(manage|migrate|migrations?|init_?db|create_?db|setup_?db|reset_?db|create_?tables?|seed\w*|"
    r"bootstrap|fixtures?|populate\w*|conftest)$"
)
_ADMIN_FOLDERS = frozenset({"migrations", "alembic", "scripts", "bin", "management", "commands", "tools"})


# Bytes one of which occurs in any file that can define a request handler (a decorator, a
# `request` parameter, a view or handler base class, a registration call): rules that only
# fire inside handlers use them to skip parsing other files.
HANDLER_HINTS = (
    b"@",
    b"request",
    b"View",
    b"Handler",
    b"add_",
    b"Route",
    b"Consumer",
    b"Namespace",
    b"serve(",
)


def may_define_handlers(data: bytes) -> bool:
    return any(hint in data for hint in HANDLER_HINTS)


class HandlerKind(str, enum.Enum):
    REQUEST = "request"  # runs per request, message or websocket event
    STARTUP = "startup"  # runs when a server process starts (hooks, lifespans, app factories)


@dataclass(frozen=True)
class Handler:
    """A function classified by when it runs."""

    function: cst.FunctionDef
    name: str  # "index" or "CartView.post"
    kind: HandlerKind
    framework: str  # the framework that calls it, or "web" when only the shape says so
    websocket: bool = False

    @property
    def is_request(self) -> bool:
        return self.kind is HandlerKind.REQUEST


def module_frameworks(imports: ImportTable) -> frozenset[str]:
    """The web frameworks a module imports (top-level package names)."""
    tops = {qualified.split(".", 1)[0] for qualified in imports.bindings.values()}
    tops.update(module.split(".", 1)[0] for module in imports.star_modules)
    return frozenset(tops & WEB_FRAMEWORKS)


def is_non_production_settings(relative_path: str) -> bool:
    """`settings/test.py`, `test_settings.py`, `settings/dev.py`, `local_settings.py`, `settings/ci.py`..."""
    return is_non_production_settings_path(relative_path)


def is_admin_script_path(relative_path: str) -> bool:
    """Files that are one-off admin processes by their name or folder (manage.py, scripts/...)."""
    path = PurePosixPath(relative_path)
    return bool(_ADMIN_SCRIPT.match(path.stem)) or any(part in _ADMIN_FOLDERS for part in path.parts[:-1])


def _string(node: cst.BaseExpression | None) -> str | None:
    return string_value(node) if node is not None else None


def _first_positional(call: cst.Call) -> cst.BaseExpression | None:
    if call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _looks_like_path(node: cst.BaseExpression | None) -> bool:
    """A URL rule: "/items", "" (a router prefix's root), or an f-string starting with "/"."""
    if node is None:
        return False
    text = _string(node)
    if text is not None:
        return text == "" or text.startswith("/")
    if isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        return isinstance(first, cst.FormattedStringText) and first.value.startswith("/")
    return False


def _is_static_or_class_method(function: cst.FunctionDef) -> bool:
    return any(
        isinstance(decorator.decorator, cst.Name)
        and decorator.decorator.value in ("staticmethod", "classmethod", "property")
        for decorator in function.decorators
    )


def _first_parameter(function: cst.FunctionDef) -> str | None:
    params = function.params
    for param in (*params.posonly_params, *params.params):
        return param.name.value
    return None


@dataclass
class _Class:
    node: cst.ClassDef
    methods: dict[str, cst.FunctionDef]
    view: str | None = None  # framework, once known to be a view
    websocket: bool = False
    responders_only: bool = False  # Falcon resources and Socket.IO namespaces: `on_*` methods


class HandlerIndex:
    """Every function of one module classified by when it runs; built on first use."""

    def __init__(
        self, *, module: cst.Module, imports: ImportTable, relative_path: str, is_test_file: bool
    ) -> None:
        self.imports = imports
        self.relative_path = relative_path
        self.is_test_file = is_test_file
        self.frameworks = module_frameworks(imports)
        self.module = module
        self._handlers: dict[cst.FunctionDef, Handler] | None = None
        self._has_main_guard: bool | None = None

    # -- questions rules ask ----------------------------------------------------

    def handler_for(self, function: cst.FunctionDef) -> Handler | None:
        if self._handlers is None:
            self._handlers = _Builder(self).build()
        return self._handlers.get(function)

    def enclosing(self, scopes: Iterable[cst.CSTNode]) -> Handler | None:
        """The handler the innermost function among `scopes` (innermost first) belongs to.

        A function nested in a request handler (a generator streamed as the
        response, a callback) runs per request too. A function nested in an
        app factory or start-up hook (a route, a CLI command) does not run at
        start-up, so only request handlers are looked for past the first
        function.
        """
        first = True
        for scope in scopes:
            if isinstance(scope, cst.FunctionDef):
                handler = self.handler_for(scope)
                if handler is not None and (first or handler.is_request):
                    return handler
                first = False
        return None

    def handlers(self) -> list[Handler]:
        if self._handlers is None:
            self._handlers = _Builder(self).build()
        return list(self._handlers.values())

    @property
    def is_web_module(self) -> bool:
        """The module imports a web framework, or is a views module by its name."""
        return bool(self.frameworks) or self.is_views_module

    @property
    def is_views_module(self) -> bool:
        path = PurePosixPath(self.relative_path)
        return not self.is_test_file and (bool(VIEWS_MODULE.match(path.stem)) or "views" in path.parts[:-1])

    @property
    def is_script(self) -> bool:
        """A one-off program: an admin script by name or folder, or a module
        with a `__main__` block that imports no web framework."""
        if is_admin_script_path(self.relative_path):
            return True
        if self._has_main_guard is None:
            self._has_main_guard = any(
                isinstance(statement, cst.If) and is_main_guard(statement.test)
                for statement in self.module.body
            )
        return self._has_main_guard and not self.frameworks


class _Builder:
    """One walk of the module that classifies its functions."""

    def __init__(self, index: HandlerIndex) -> None:
        self.index = index
        self.imports = index.imports
        self.classes: dict[str, _Class] = {}
        self.functions: dict[str, list[cst.FunctionDef]] = {}
        self.result: dict[cst.FunctionDef, Handler] = {}
        # Registrations found in calls: names of functions/classes, and (class, method) pairs.
        self.registered: dict[str, tuple[HandlerKind, bool]] = {}
        self.registered_methods: dict[tuple[str, str], tuple[HandlerKind, bool]] = {}
        self.instances_registered: set[str] = set()  # `ThingsResource()` passed to a registration
        self.instances: dict[str, str] = {}  # variable -> local class it holds an instance of
        self.routers: set[str] = set()  # names bound to router/app objects
        self.factories: set[cst.FunctionDef] = set()
        self.module_functions: list[cst.FunctionDef] = []

    def build(self) -> dict[cst.FunctionDef, Handler]:
        self._walk(self.index.module, None, None)
        self._resolve_views()
        for info in self.classes.values():
            self._classify_class(info)
        for name, functions in self.functions.items():
            registration = self.registered.get(name)
            if registration is None:
                continue
            kind, websocket = registration
            for function in functions:
                self._add(function, name, kind, self._framework_guess(), websocket)
        for function in self.factories:
            self._add(function, function.name.value, HandlerKind.STARTUP, self._framework_guess())
        self._django_style_views()
        return self.result

    def _add(
        self, function: cst.FunctionDef, name: str, kind: HandlerKind, framework: str, websocket: bool = False
    ) -> None:
        existing = self.result.get(function)
        # A request role wins over a start-up role (a route inside a factory is still a route).
        if existing is None or (existing.kind is HandlerKind.STARTUP and kind is HandlerKind.REQUEST):
            self.result[function] = Handler(function, name, kind, framework, websocket)

    def _framework_guess(self) -> str:
        return min(self.index.frameworks) if self.index.frameworks else "web"

    # -- the walk ---------------------------------------------------------------

    def _walk(self, node: cst.CSTNode, function: cst.FunctionDef | None, owner: _Class | None) -> None:
        if isinstance(node, cst.FunctionDef):
            self._function(node, function, owner)
            for decorator in node.decorators:
                self._walk(decorator, function, None)
            self._walk(node.params, node, None)
            self._walk(node.body, node, None)
            return
        if isinstance(node, cst.ClassDef):
            info = _Class(node, {})
            self.classes.setdefault(node.name.value, info)
            for decorator in node.decorators:
                self._walk(decorator, function, None)
            for child in node.body.body:
                if isinstance(child, cst.FunctionDef):
                    info.methods[child.name.value] = child
                self._walk(child, function, info)
            return
        if isinstance(node, cst.Call):
            self._call(node, function)
        elif isinstance(node, cst.Assign):
            self._assign(node)
        for descendant in iter_children(node):
            self._walk(descendant, function, None if isinstance(descendant, cst.FunctionDef) else owner)

    def _function(self, node: cst.FunctionDef, outer: cst.FunctionDef | None, owner: _Class | None) -> None:
        if owner is None:
            self.functions.setdefault(node.name.value, []).append(node)
            if outer is None:
                self.module_functions.append(node)
        for decorator in node.decorators:
            role = self._decorator_role(decorator.decorator)
            if role is not None:
                kind, framework, websocket = role
                self._add(node, node.name.value, kind, framework, websocket)

    def _assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        target = node.targets[0].target.value
        value = node.value
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return
        qualified = self.imports.resolve(value.func)
        if qualified in ROUTER_CONSTRUCTORS:
            self.routers.add(target)
        elif isinstance(value.func, cst.Name):
            self.instances[target] = value.func.value

    # -- decorators -----------------------------------------------------------------

    def _decorator_role(self, expression: cst.BaseExpression) -> tuple[HandlerKind, str, bool] | None:
        call = expression if isinstance(expression, cst.Call) else None
        target = call.func if call is not None else expression
        qualified = self.imports.resolve(target)
        if qualified is not None and qualified.startswith(_REQUEST_DECORATOR_PREFIXES):
            return HandlerKind.REQUEST, qualified.split(".", 1)[0], qualified.endswith("websocket")
        if not isinstance(target, cst.Attribute):
            return None
        attribute = target.attr.value
        receiver = target.value
        framework = self._receiver_framework(receiver)
        if attribute in ROUTE_DECORATORS:
            return HandlerKind.REQUEST, framework, attribute.startswith("w")
        if attribute in HTTP_VERBS and call is not None:
            path = _first_positional(call) or _keyword(call, "path") or _keyword(call, "rule")
            if _looks_like_path(path) or self._router_like(receiver):
                return HandlerKind.REQUEST, framework, False
            return None
        if attribute in REQUEST_HOOKS and self._router_like(receiver):
            return HandlerKind.REQUEST, framework, False
        if attribute in STARTUP_HOOKS and self._router_like(receiver):
            return HandlerKind.STARTUP, framework, False
        if attribute in ("on_event", "listener") and call is not None:
            event = _string(_first_positional(call))
            if event in STARTUP_EVENTS:
                return HandlerKind.STARTUP, framework, False
            if attribute == "on_event" and self._socketio_like(receiver):
                return HandlerKind.REQUEST, "socketio", True
            return None
        if attribute in ("on", "event") and self._socketio_like(receiver):
            return HandlerKind.REQUEST, "socketio", True
        return None

    def _receiver_framework(self, receiver: cst.BaseExpression) -> str:
        qualified = self.imports.resolve(receiver)
        if qualified is not None and qualified.split(".", 1)[0] in WEB_FRAMEWORKS:
            return qualified.split(".", 1)[0]
        return self._framework_guess()

    def _router_like(self, receiver: cst.BaseExpression) -> bool:
        """An object routes hang on: built from a known constructor, or named like one."""
        name = dotted_name(receiver)
        if name is None:
            return False
        if name in self.routers:
            return True
        qualified = self.imports.resolve(receiver)
        if qualified is not None and qualified.split(".", 1)[0] in WEB_FRAMEWORKS:
            return True
        return bool(_APP_NAME.match(name.rsplit(".", 1)[-1]))

    def _socketio_like(self, receiver: cst.BaseExpression) -> bool:
        name = dotted_name(receiver) or ""
        return (
            bool(self.index.frameworks & {"socketio", "flask_socketio"}) or "sio" in name or "socket" in name
        )

    # -- registrations ------------------------------------------------------------------

    def _call(self, call: cst.Call, function: cst.FunctionDef | None) -> None:
        qualified = self.imports.resolve(call.func)
        if qualified in APP_CONSTRUCTORS and function is not None:
            self.factories.add(function)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in STARTUP_KEYWORDS:
                self._register(arg.value, HandlerKind.STARTUP)
        if qualified in _REGISTER_FUNCTIONS:
            websocket = "websocket" in qualified.lower() or qualified.startswith("websockets.")
            self._register_args(call, HandlerKind.REQUEST, websocket)
            return
        if not isinstance(call.func, cst.Attribute):
            return
        method = call.func.attr.value
        receiver = call.func.value
        if method in REGISTER_METHODS:
            if method == "on_event":
                event = _string(_first_positional(call))
                kind = HandlerKind.STARTUP if event in STARTUP_EVENTS else HandlerKind.REQUEST
                if kind is HandlerKind.REQUEST and not self._socketio_like(receiver):
                    return
                self._register_args(call, kind, kind is HandlerKind.REQUEST)
                return
            self._register_args(call, HandlerKind.REQUEST, "websocket" in method)
        elif method == "append" and isinstance(receiver, cst.Attribute):
            if receiver.attr.value in _STARTUP_SIGNALS:
                self._register_args(call, HandlerKind.STARTUP, False)
            elif receiver.attr.value == "middlewares":
                self._register_args(call, HandlerKind.REQUEST, False)
        elif (
            method in STARTUP_HOOKS
            or method == "register_listener"
            or (method == "add_event_handler" and _string(_first_positional(call)) == "startup")
        ):
            self._register_args(call, HandlerKind.STARTUP, False)
        elif method in REQUEST_HOOKS and self._router_like(receiver):
            self._register_args(call, HandlerKind.REQUEST, False)

    def _register_args(self, call: cst.Call, kind: HandlerKind, websocket: bool) -> None:
        for arg in call.args:
            self._register(arg.value, kind, websocket)

    def _register(self, value: cst.BaseExpression, kind: HandlerKind, websocket: bool = False) -> None:
        """Note the function, class or bound method that `value` refers to."""
        if isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                self._register(element.value, kind, websocket)
            return
        if isinstance(value, cst.Call):
            func = value.func
            if isinstance(func, cst.Attribute) and func.attr.value == "as_view":
                self._register(func.value, kind, websocket)  # MyView.as_view("name")
            elif isinstance(func, cst.Name):
                if func.value == "partial" or self.imports.resolve(func) == "functools.partial":
                    if value.args:
                        self._register(value.args[0].value, kind, websocket)
                else:
                    self.instances_registered.add(func.value)  # Resource(): a class, not a factory
            return
        if isinstance(value, cst.Name):
            self.registered.setdefault(value.value, (kind, websocket))
        elif isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
            owner = value.value.value
            owner = self.instances.get(owner, owner)
            self.registered_methods.setdefault((owner, value.attr.value), (kind, websocket))

    # -- classes -----------------------------------------------------------------------

    def _resolve_views(self) -> None:
        """Mark view classes: known framework bases, then local subclasses of those."""
        changed = True
        while changed:
            changed = False
            for info in self.classes.values():
                if info.view is not None:
                    continue
                if self._view_from_bases(info):
                    changed = True

    def _view_from_bases(self, info: _Class) -> bool:
        for base in info.node.bases:
            value = base.value
            qualified = self.imports.resolve(value)
            if qualified is not None:
                if qualified in _EVENT_NAMESPACE_BASES:
                    info.view, info.websocket, info.responders_only = "socketio", True, True
                    return True
                if qualified.startswith(VIEW_BASE_PREFIXES):
                    info.view = qualified.split(".", 1)[0]
                    info.websocket = qualified.startswith(_WEBSOCKET_BASES)
                    return True
            name = dotted_name(value)
            local = self.classes.get(name or "")
            if local is not None and local is not info and local.view is not None:
                info.view, info.websocket, info.responders_only = (
                    local.view,
                    local.websocket,
                    local.responders_only,
                )
                return True
            # A first-party base named like a view (`from .base import BaseView`) in web code.
            if (
                name is not None
                and (qualified is None or qualified.split(".", 1)[0] not in GUI_TOOLKITS)
                and self.index.is_web_module
                and name.rsplit(".", 1)[-1].endswith(("View", "ViewSet", "APIView", "Endpoint"))
            ):
                info.view = self._framework_guess()
                return True
        return False

    def _classify_class(self, info: _Class) -> None:
        class_name = info.node.name.value
        registration = self.registered.get(class_name)
        if registration is None and class_name in self.instances_registered:
            registration = (HandlerKind.REQUEST, False)
        falcon_like = "falcon" in self.index.frameworks or registration is not None
        responders = {name: method for name, method in info.methods.items() if _FALCON_RESPONDER.match(name)}
        if info.view is None and falcon_like and responders:
            info.view, info.responders_only = "falcon" if "falcon" in self.index.frameworks else "web", True
        elif info.view is None and registration is not None:
            info.view = self._framework_guess()
        if info.view is not None:
            for name, method in info.methods.items():
                if info.responders_only:
                    if not name.startswith("on_"):
                        continue
                elif (name.startswith("__") and name != "__call__") or _is_static_or_class_method(method):
                    continue
                self._add(method, f"{class_name}.{name}", HandlerKind.REQUEST, info.view, info.websocket)
        for (owner, method_name), (kind, websocket) in self.registered_methods.items():
            if owner == class_name and method_name in info.methods:
                method = info.methods[method_name]
                self._add(method, f"{class_name}.{method_name}", kind, self._framework_guess(), websocket)

    # -- function views by shape ----------------------------------------------------------

    def _django_style_views(self) -> None:
        """Module-level functions taking `request` first, in views modules (Django,
        aiohttp and Pyramid views registered from a separate urls/routes module)."""
        index = self.index
        if index.is_test_file or not (index.is_views_module or "django" in index.frameworks):
            return
        for function in self.module_functions:
            if function in self.result or function.name.value.startswith("_"):
                continue
            if _first_parameter(function) == "request":
                self._add(function, function.name.value, HandlerKind.REQUEST, self._framework_guess())
