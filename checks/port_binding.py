"""Factor VII, Port binding: export services by binding to a port given by the environment.

FS0701 hardcoded-port, FS0702 loopback-bind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from factorscan.checks.base import (
    Applicability,
    FixAvailability,
    Invalid,
    Severity,
    SourceRule,
    Trigger,
    Valid,
)
from factorscan.core.discovery import is_test_path
from factorscan.python.codemods import argument, env_lookup, int_env_lookup, keyword, positional, string
from factorscan.python.imports import dotted_name
from factorscan.python.inference import Constant, resolve_constant
from factorscan.python.traversal import FileContext, FixBuilder


@dataclass(frozen=True)
class _Slot:
    """Where an argument may be passed: a position and/or a keyword."""

    index: int | None = None
    keyword: str | None = None

    def find(self, call: cst.Call) -> cst.Arg | None:
        if self.keyword is not None and self.index is not None:
            return argument(call, self.index, self.keyword)
        if self.keyword is not None:
            return keyword(call, self.keyword)
        if self.index is not None:
            return positional(call, self.index)
        return None


@dataclass(frozen=True)
class _Server:
    """How a server call takes its address."""

    host: _Slot = _Slot()
    port: _Slot = _Slot()
    address: _Slot = _Slot()  # a (host, port) tuple
    bind: _Slot = _Slot()  # "host:port" strings
    port_variable: str = "PORT"


_KEYWORDS = _Server(_Slot(keyword="host"), _Slot(keyword="port"))
_ADDRESS = _Server(address=_Slot(0, "server_address"))
_LOOP_STYLE = _Server(_Slot(1, "host"), _Slot(2, "port"))
_RUN = _Server(_Slot(0, "host"), _Slot(1, "port"))
_METRICS = _Server(_Slot(1, "addr"), _Slot(0, "port"), port_variable="METRICS_PORT")

_SERVER_FUNCTIONS: dict[str, _Server] = {
    "uvicorn.run": _KEYWORDS,
    "uvicorn.main.run": _KEYWORDS,
    "uvicorn.Config": _KEYWORDS,
    "uvicorn.config.Config": _KEYWORDS,
    "aiohttp.web.run_app": _KEYWORDS,
    "aiohttp.web.TCPSite": _LOOP_STYLE,
    "waitress.serve": _Server(_Slot(keyword="host"), _Slot(keyword="port"), bind=_Slot(keyword="listen")),
    "waitress.server.create_server": _Server(
        _Slot(keyword="host"), _Slot(keyword="port"), bind=_Slot(keyword="listen")
    ),
    "bottle.run": _Server(_Slot(2, "host"), _Slot(3, "port")),
    "werkzeug.serving.run_simple": _Server(_Slot(0, "hostname"), _Slot(1, "port")),
    "werkzeug.run_simple": _Server(_Slot(0, "hostname"), _Slot(1, "port")),
    "wsgiref.simple_server.make_server": _Server(_Slot(0, "host"), _Slot(1, "port")),
    "http.server.HTTPServer": _ADDRESS,
    "http.server.ThreadingHTTPServer": _ADDRESS,
    "socketserver.TCPServer": _ADDRESS,
    "socketserver.ThreadingTCPServer": _ADDRESS,
    "socketserver.ForkingTCPServer": _ADDRESS,
    "socketserver.UDPServer": _ADDRESS,
    "socketserver.ThreadingUDPServer": _ADDRESS,
    "xmlrpc.server.SimpleXMLRPCServer": _Server(address=_Slot(0, "addr")),
    "wsgiref.simple_server.WSGIServer": _ADDRESS,
    "gevent.pywsgi.WSGIServer": _Server(address=_Slot(0, "listener")),
    "gevent.server.StreamServer": _Server(address=_Slot(0, "listener")),
    "cheroot.wsgi.Server": _Server(address=_Slot(0, "bind_addr")),
    "cheroot.wsgi.WSGIServer": _Server(address=_Slot(0, "bind_addr")),
    "eventlet.listen": _Server(address=_Slot(0, "addr")),
    "asyncio.start_server": _LOOP_STYLE,
    "websockets.serve": _LOOP_STYLE,
    "websockets.server.serve": _LOOP_STYLE,
    "websockets.asyncio.server.serve": _LOOP_STYLE,
    "websockets.sync.server.serve": _LOOP_STYLE,
    "prometheus_client.start_http_server": _METRICS,
    "prometheus_client.start_wsgi_server": _METRICS,
    "prometheus_client.exposition.start_http_server": _METRICS,
}
# Methods on objects we cannot resolve (`app.run`, `loop.create_server`, `server.add_insecure_port`).
_SERVER_METHODS: dict[str, _Server] = {
    "run": _RUN,
    "run_server": _RUN,
    "create_server": _LOOP_STYLE,
    "add_insecure_port": _Server(bind=_Slot(0, "address")),
    "add_secure_port": _Server(bind=_Slot(0, "address")),
    "bind": _Server(address=_Slot(0)),
}
_TORNADO_LISTEN = _Server(_Slot(1, "address"), _Slot(0, "port"))
# Qualified names whose `.run` is not a server (`subprocess.run`, `asyncio.run`...).
_NOT_SERVERS = re.compile(
    r"^(subprocess|asyncio|trio|anyio|curio|uvloop|unittest|doctest|pytest|invoke|fabric)\."
)

_BIND = re.compile(r"^(?P<host>\[[^\]]*\]|[^:\[\]/]*):(?P<port>\d+)$")
_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|ip6-localhost)$", re.IGNORECASE)
_CONFIG_MODULE = re.compile(r"(gunicorn|hypercorn)", re.IGNORECASE)


# -- where servers take their address --------------------------------------------------


@dataclass
class _Endpoint:
    call: cst.Call | None
    server: _Server
    kind: str  # "host", "port" or "bind"
    node: cst.BaseExpression


def _server_for(call: cst.Call, context: FileContext) -> _Server | None:
    qualified = context.qualified_name(call.func)
    if qualified is not None:
        server = _SERVER_FUNCTIONS.get(qualified)
        if server is not None or _NOT_SERVERS.match(qualified):
            return server
    if not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    if method == "listen":
        return _TORNADO_LISTEN if "tornado" in context.handlers.frameworks else None
    return _SERVER_METHODS.get(method)


def _endpoints(call: cst.Call, context: FileContext) -> Iterator[_Endpoint]:
    server = _server_for(call, context)
    if server is None:
        return
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    host = server.host.find(call)
    port = server.port.find(call)
    if method in ("run", "run_server") and host is not None and host.keyword is None:
        # `app.run("0.0.0.0", 5000)`: positional only when the first argument reads as a host.
        host = None if _host_text(host.value, context) is None else host
    if method in ("run", "run_server") and port is not None and port.keyword is None and host is None:
        port = None
    if host is not None:
        yield _Endpoint(call, server, "host", host.value)
    if port is not None:
        yield _Endpoint(call, server, "port", port.value)
    address = server.address.find(call)
    if address is not None and isinstance(address.value, cst.Tuple) and len(address.value.elements) == 2:
        host_element, port_element = (element.value for element in address.value.elements)
        port_literal = context.literal(port_element)
        if method == "bind" and not isinstance(port_literal, cst.Integer):
            return  # `x.bind((a, b))` is a socket only with a numeric port
        if isinstance(port_literal, cst.Integer) and port_literal.evaluated_value == 0:
            return  # port 0: a free-port probe or a test server
        yield _Endpoint(call, server, "host", host_element)
        yield _Endpoint(call, server, "port", port_element)
    bind = server.bind.find(call)
    if bind is not None:
        yield from _bind_endpoints(call, server, bind.value)


def _bind_endpoints(call: cst.Call | None, server: _Server, value: cst.BaseExpression) -> Iterator[_Endpoint]:
    values = (
        [element.value for element in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
    )
    for item in values:
        if _Bind.parse(item) is not None:
            yield _Endpoint(call, server, "bind", item)


def _host_text(node: cst.BaseExpression, context: FileContext) -> str | None:
    text = context.string_value(context.literal(node))
    if text is None:
        return None
    return text if text in ("", "*") or re.match(r"^[\w.\-:\[\]]+$", text) else None


# -- "host:port" strings, plain or f-strings --------------------------------------------


@dataclass
class _Bind:
    """A "host:port" string split into its two halves, each text or an expression."""

    host: str | cst.BaseExpression
    port: str | cst.BaseExpression
    quote: str

    @classmethod
    def parse(cls, node: cst.BaseExpression) -> _Bind | None:
        if isinstance(node, cst.SimpleString):
            if node.prefix.lower() not in ("", "r", "u"):
                return None
            value = node.evaluated_value
            match = _BIND.match(value) if isinstance(value, str) else None
            return cls(match["host"], match["port"], node.quote) if match else None
        if not isinstance(node, cst.FormattedString) or node.prefix.lower() != "f":
            return None
        pieces: list[str | cst.BaseExpression] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                if "{" in part.value or "}" in part.value:
                    return None
                pieces.append(part.value)
            elif (
                isinstance(part, cst.FormattedStringExpression)
                and part.format_spec is None
                and not part.conversion
            ):
                pieces.append(part.expression)
            else:
                return None
        return cls._from_pieces(pieces, node.end)

    @classmethod
    def _from_pieces(cls, pieces: list[str | cst.BaseExpression], quote: str) -> _Bind | None:
        shape = tuple(isinstance(piece, str) for piece in pieces)
        first, last = pieces[0] if pieces else "", pieces[-1] if pieces else ""
        if shape == (True, False) and isinstance(first, str) and re.match(r"^(\[[^\]]*\]|[^:]*):$", first):
            return cls(first[:-1], pieces[1], quote)  # f"0.0.0.0:{port}"
        if shape == (False, True) and isinstance(last, str) and re.match(r"^:\d+$", last):
            return cls(first, last[1:], quote)  # f"{host}:8000"
        if shape == (False, True, False) and pieces[1] == ":":
            return cls(first, last, quote)  # f"{host}:{port}"
        return None

    def render(self, module: cst.Module) -> str:
        if isinstance(self.host, str) and isinstance(self.port, str):
            return f"{self.quote}{self.host}:{self.port}{self.quote}"

        def piece(value: str | cst.BaseExpression) -> str:
            return value if isinstance(value, str) else "{" + module.code_for_node(value) + "}"

        return f"f{self.quote}{piece(self.host)}:{piece(self.port)}{self.quote}"


def _inner_quote(quote: str) -> str:
    return "'" if '"' in quote else '"'


def _env_get_code(fix: FixBuilder, variable: str, default: str, quote: str) -> cst.BaseExpression:
    """`os.environ.get('PORT', '8000')` with quotes that fit inside an f-string."""
    inner = _inner_quote(quote)
    os_name = fix.use_module("os")
    return cst.parse_expression(f"{os_name}.environ.get({inner}{variable}{inner}, {inner}{default}{inner})")


# -- shared rule logic ---------------------------------------------------------------------


class _PortBindingRule(SourceRule):
    test_files = "not checked: tests start servers on fixed local ports on purpose"
    # `.run(` is too common to be a trigger (`subprocess.run`); `app.run("0.0.0.0", 5000)` is
    # caught by its host.
    triggers: ClassVar[tuple[Trigger, ...]] = (
        b"port=",
        b"=PORT",
        b"PORT)",
        b" PORT,",
        b"(PORT,",
        b"{PORT}",
        b"bind =",
        b"bind=",
        b".bind(",
        b"bind'",
        b'bind"',
        b"listen(",
        b"serve(",
        b"Server(",
        b"_server(",
        b"_port(",
        b"run_app",
        b"run_simple",
        b"0.0.0.0",
        b"localhost",
        b"127.0.0.1",
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    def visit_Call(self, node: cst.Call) -> None:
        for endpoint in _endpoints(node, self.context):
            self.check_endpoint(endpoint)

    def visit_Assign(self, node: cst.Assign) -> None:
        """`bind = "0.0.0.0:8000"` in gunicorn/hypercorn config modules, `config.bind = [...]`."""
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value == "bind":
                if self.context.at_module_level() and _CONFIG_MODULE.search(self.context.relative_path):
                    self._bind_value(node.value)
            elif isinstance(target.target, cst.Attribute) and target.target.attr.value == "bind":
                self._bind_value(node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """gunicorn's programmatic options: `{"bind": "0.0.0.0:8000", "workers": 4}`."""
        if self.context.string_value(node.key) == "bind":
            self._bind_value(node.value)

    def _bind_value(self, value: cst.BaseExpression) -> None:
        for endpoint in _bind_endpoints(None, _Server(), value):
            self.check_endpoint(endpoint)

    def check_endpoint(self, endpoint: _Endpoint) -> None:
        raise NotImplementedError


def _enables_debugger(call: cst.Call | None) -> bool:
    """Whether the call may turn the debugger on: anything but an absent or literal-false
    `debug=` counts (after FS0303's fix it is an environment lookup defaulting to on)."""
    if call is None:
        return False
    for name in ("debug", "use_debugger"):
        arg = keyword(call, name)
        if arg is None:
            continue
        value = arg.value
        if isinstance(value, cst.Name) and value.value in ("False", "None"):
            continue
        if isinstance(value, cst.Integer) and value.value == "0":
            continue
        return True
    return False


def _variable_for(constant: Constant, node: cst.BaseExpression, fallback: str, word: str) -> str:
    """The environment variable to read: the constant's own name (`ADMIN_PORT`) when it names one."""
    name = dotted_name(node)
    if constant.node is not None and constant.node is not node and name is not None:
        last = name.rsplit(".", 1)[-1]
        if re.match(r"^[A-Z][A-Z0-9_]*$", last) and word in last:
            return last
    return fallback


class HardcodedPort(_PortBindingRule):
    """
    ## What it does
    Finds servers started on a literal port: `app.run(port=5000)`,
    `uvicorn.run(app, port=8000)`, `web.run_app(app, port=8080)`,
    `waitress.serve(app, port=8080)`, `HTTPServer(("", 8000), ...)`,
    `socketserver`, `make_server`, `socket.bind(("", 8000))`,
    `asyncio.start_server`, `websockets.serve`, Tornado `app.listen(8888)`,
    gRPC `add_insecure_port("[::]:50051")`, Prometheus `start_http_server`,
    and `bind = "0.0.0.0:8000"` in gunicorn/hypercorn configuration modules.
    A port given as a module constant (`PORT = 5000`), also one imported from
    a first-party module (`from .config import PORT`), counts as literal.

    ## Why is this bad?
    Factor VII: the app is self-contained and exports its service by binding
    to a port that the execution environment assigns (`$PORT` on Heroku,
    Cloud Run and most PaaS; the container port on Kubernetes). A port fixed
    in code cannot be changed per deploy without a code change, and two
    copies of the app cannot run side by side on one host.

    A port read from the environment, from the command line or from a
    settings object is fine, and so is `app.run()` without a port in a
    `__main__` block. Port 0 (let the OS choose) is never reported.

    ## Example
    ```python
    if __name__ == "__main__":
        app.run(host="0.0.0.0", port=5000)
    ```

    Use instead:
    ```python
    import os

    if __name__ == "__main__":
        app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))
    ```

    ## Fix
    Safe: the literal becomes `int(os.environ.get("PORT", "<old>"))` (a
    string port becomes `os.environ.get("PORT", "<old>")`; in a "host:port"
    string the port part reads `PORT`), so nothing changes while `PORT` is
    unset. A module constant is rewritten where it is defined and named after
    itself (`ADMIN_PORT`). A port defined in another module is reported
    without a fix.
    """

    code = "FS0701"
    name = "hardcoded-port"
    severity = Severity.WARNING
    summary = "A server binds to a port fixed in the code"
    fix_availability = FixAvailability.SOMETIMES

    VALID = (
        Valid(
            """
            import os
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))
            """,
            note="the port comes from the environment",
        ),
        Valid(
            """
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run()
            """,
            note="app.run() with no port in a __main__ block",
        ),
        Valid(
            """
            import uvicorn

            from .settings import settings

            uvicorn.run("app.main:app", host=settings.host, port=settings.port)
            """,
            note="a settings object",
        ),
        Valid(
            """
            import socket
            import subprocess

            with socket.socket() as probe:
                probe.bind(("", 0))
                free_port = probe.getsockname()[1]
            subprocess.run(["echo", str(free_port)], check=True)
            """,
            note="port 0 asks the OS for a free port",
        ),
        Valid(
            """
            import redis

            cache = redis.Redis(host="redis", port=6379)
            """,
            note="a client connection, not a server (Factor IV's concern)",
        ),
        Valid(
            """
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument("--port", type=int, default=8000)
            """,
            note="a command-line option",
        ),
        Valid(
            """
            import os

            bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
            workers = 4
            """,
            filename="gunicorn.conf.py",
        ),
        Valid(
            """
            import uvicorn

            uvicorn.run("main:app", port=8000)
            """,
            filename="tests/test_server.py",
            note="test files are not checked",
        ),
    )
    INVALID = (
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=5000, debug=False)
            """,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")), debug=False)
            """,
            line=6,
        ),
        Invalid(
            """
            import os

            import uvicorn

            if __name__ == "__main__":
                uvicorn.run("main:app", host=os.environ["HOST"], port=8000)
            """,
            fixed="""
            import os

            import uvicorn

            if __name__ == "__main__":
                uvicorn.run("main:app", host=os.environ["HOST"], port=int(os.environ.get("PORT", "8000")))
            """,
        ),
        Invalid(
            """
            from aiohttp import web

            PORT = 8080

            def main():
                app = web.Application()
                web.run_app(app, port=PORT)
            """,
            fixed="""
            import os

            from aiohttp import web

            PORT = int(os.environ.get("PORT", "8080"))

            def main():
                app = web.Application()
                web.run_app(app, port=PORT)
            """,
            line=7,
            note="a module constant is fixed where it is defined",
        ),
        Invalid(
            """
            from waitress import serve

            from shop import create_app

            serve(create_app(), listen="0.0.0.0:8080")
            """,
            fixed="""
            import os

            from waitress import serve

            from shop import create_app

            serve(create_app(), listen=f"0.0.0.0:{os.environ.get('PORT', '8080')}")
            """,
        ),
        Invalid(
            """
            from http.server import HTTPServer, SimpleHTTPRequestHandler

            httpd = HTTPServer(("", 8000), SimpleHTTPRequestHandler)
            httpd.serve_forever()
            """,
            fixed="""
            import os
            from http.server import HTTPServer, SimpleHTTPRequestHandler

            httpd = HTTPServer(("", int(os.environ.get("PORT", "8000"))), SimpleHTTPRequestHandler)
            httpd.serve_forever()
            """,
        ),
        Invalid(
            """
            import socket

            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.bind(("0.0.0.0", 9000))
            server.listen(5)
            """,
        ),
        Invalid(
            """
            bind = "0.0.0.0:8000"
            workers = 4
            """,
            filename="gunicorn.conf.py",
            fixed="""
            import os

            bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
            workers = 4
            """,
        ),
        Invalid(
            """
            import tornado.ioloop
            import tornado.web

            class MainHandler(tornado.web.RequestHandler):
                def get(self):
                    self.write("hello")

            if __name__ == "__main__":
                app = tornado.web.Application([(r"/", MainHandler)])
                app.listen(8888)
                tornado.ioloop.IOLoop.current().start()
            """,
            line=10,
        ),
        Invalid(
            """
            import grpc

            def serve(servicer):
                server = grpc.server(None)
                server.add_insecure_port("[::]:50051")
                server.start()
            """,
        ),
        Invalid(
            """
            from prometheus_client import start_http_server

            start_http_server(9100)
            """,
            fixed="""
            import os

            from prometheus_client import start_http_server

            start_http_server(int(os.environ.get("METRICS_PORT", "9100")))
            """,
            note="a metrics port gets its own variable",
        ),
        Invalid(
            """
            import uvicorn

            from .config import PORT

            uvicorn.run("app.main:app", port=PORT)
            """,
            filename="app/run.py",
            files={"app/__init__.py": "", "app/config.py": "PORT = 8000\n"},
            note="a first-party constant: reported without a fix",
        ),
    )

    def check_endpoint(self, endpoint: _Endpoint) -> None:
        if endpoint.kind == "port":
            self._port(endpoint)
        elif endpoint.kind == "bind":
            self._bind(endpoint)

    def _port(self, endpoint: _Endpoint) -> None:
        constant = resolve_constant(endpoint.node, self.context)
        if constant is None or not _is_port(constant.value):
            return
        variable = _variable_for(constant, endpoint.node, endpoint.server.port_variable, "PORT")
        where = f" (set in {constant.origin})" if constant.origin else ""
        message = f"The server port is fixed at {constant.value}{where}; read it from ${variable}"
        if constant.node is None:
            self.report(endpoint.node, message)
            return
        fix = self.fix(f"Read the port from ${variable}, defaulting to {constant.value}")
        if isinstance(constant.value, int):
            fix.replace(constant.node, int_env_lookup(fix, variable, constant.value))
        else:
            fix.replace(constant.node, env_lookup(fix, variable, string(constant.value, constant.node)))
        self.report(endpoint.node, message, fix=fix)

    def _bind(self, endpoint: _Endpoint) -> None:
        bind = _Bind.parse(endpoint.node)
        if bind is None or not isinstance(bind.port, str) or not _is_port(bind.port):
            return
        fix = self.fix(f"Read the port from $PORT, defaulting to {bind.port}")
        bind.port = _env_get_code(fix, "PORT", bind.port, bind.quote)
        fix.replace(endpoint.node, bind.render(self.context.module))
        self.report(
            endpoint.node, "The server binds to a port fixed in the code; read it from $PORT", fix=fix
        )


def _is_port(value: int | str) -> bool:
    if isinstance(value, str):
        if not value.isdigit():
            return False
        value = int(value)
    return 0 < value < 65536


class LoopbackBind(_PortBindingRule):
    """
    ## What it does
    Finds servers bound to the loopback interface: `127.0.0.1`, `localhost`
    or `::1` as the host of `app.run`, `uvicorn.run`, `web.run_app`,
    `waitress.serve`, `HTTPServer`, `socket.bind`, `asyncio.start_server`,
    `websockets.serve`, gRPC ports and gunicorn/hypercorn `bind` settings
    (the same servers as FS0701).

    ## Why is this bad?
    Factor VII: the app exports its service by binding to a port, and the
    routing layer forwards requests to it from outside the process. Inside a
    container, loopback is the container's own: a server listening on
    127.0.0.1 is unreachable through the published port, and the platform's
    health checks fail. Binding to `0.0.0.0` (all interfaces) is right in a
    container, which is why this rule never flags it, unlike bandit's B104.

    ## Example
    ```python
    import uvicorn

    uvicorn.run("main:app", host="127.0.0.1", port=8000)
    ```

    Use instead:
    ```python
    import os

    import uvicorn

    uvicorn.run("main:app", host=os.environ.get("HOST", "0.0.0.0"), port=8000)
    ```

    ## Fix
    Safe: the host becomes `os.environ.get("HOST", "0.0.0.0")` (`"::"` for
    `::1`), so a developer who wants loopback sets `HOST=127.0.0.1`. The fix
    is unsafe when the same call turns on Werkzeug's debugger (`debug=True`),
    because it would expose the debugger's console to the network.
    """

    code = "FS0702"
    name = "loopback-bind"
    severity = Severity.WARNING
    summary = "A server binds to the loopback interface, unreachable from outside its container"
    fix_availability = FixAvailability.SOMETIMES
    triggers: ClassVar[tuple[Trigger, ...]] = (
        b"127.0.",
        b"localhost",
        b"::1",
        b"=HOST",
        b" HOST,",
        b"(HOST,",
        b"{HOST}",
    )

    VALID = (
        Valid(
            """
            import os
            import uvicorn

            uvicorn.run("main:app", host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ["PORT"]))
            """,
        ),
        Valid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.run(host="0.0.0.0")
            """,
            note="all interfaces is right in a container (the opposite of bandit's B104)",
        ),
        Valid(
            """
            import requests
            import redis

            cache = redis.Redis(host="localhost", port=6379)
            health = requests.get("http://localhost:8000/health", timeout=2)
            ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
            """,
            note="clients and allow-lists are not servers",
        ),
        Valid(
            """
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
            """,
            note="a free-port probe, not a server",
        ),
    )
    INVALID = (
        Invalid(
            """
            import uvicorn

            uvicorn.run("main:app", host="127.0.0.1")
            """,
            fixed="""
            import os

            import uvicorn

            uvicorn.run("main:app", host=os.environ.get("HOST", "0.0.0.0"))
            """,
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run("localhost", 5000)
            """,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(os.environ.get("HOST", "0.0.0.0"), 5000)
            """,
        ),
        Invalid(
            """
            bind = "127.0.0.1:8000"
            workers = 2
            """,
            filename="gunicorn.conf.py",
            fixed="""
            import os

            bind = f"{os.environ.get('HOST', '0.0.0.0')}:8000"
            workers = 2
            """,
        ),
        Invalid(
            """
            import asyncio

            HOST = "127.0.0.1"

            async def main(handle):
                server = await asyncio.start_server(handle, HOST, 8888)
                await server.serve_forever()
            """,
            fixed="""
            import asyncio
            import os

            HOST = os.environ.get("HOST", "0.0.0.0")

            async def main(handle):
                server = await asyncio.start_server(handle, HOST, 8888)
                await server.serve_forever()
            """,
            line=6,
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.run(host="127.0.0.1", debug=True)
            """,
            note="the fix would expose the debugger: unsafe",
            unsafe=True,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.run(host=os.environ.get("HOST", "0.0.0.0"), debug=True)
            """,
        ),
        Invalid(
            """
            import os

            from flask import Flask

            app = Flask(__name__)
            app.run(host="127.0.0.1", debug=os.environ.get("FLASK_DEBUG") == "1")
            """,
            note="a debugger the environment switches may be on: unsafe too",
            unsafe=True,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.run(host=os.environ.get("HOST", "0.0.0.0"), debug=os.environ.get("FLASK_DEBUG") == "1")
            """,
        ),
    )

    def check_endpoint(self, endpoint: _Endpoint) -> None:
        if endpoint.kind == "host":
            self._host(endpoint)
        elif endpoint.kind == "bind":
            self._bind(endpoint)

    def _applicability(self, endpoint: _Endpoint) -> Applicability:
        return Applicability.UNSAFE if _enables_debugger(endpoint.call) else Applicability.SAFE

    def _host(self, endpoint: _Endpoint) -> None:
        constant = resolve_constant(endpoint.node, self.context)
        if constant is None or not isinstance(constant.value, str) or not _LOOPBACK.match(constant.value):
            return
        variable = _variable_for(constant, endpoint.node, "HOST", "HOST")
        where = f" (set in {constant.origin})" if constant.origin else ""
        message = (
            f"The server binds to {constant.value}{where}, unreachable from outside its container; "
            f"bind to 0.0.0.0 via ${variable}"
        )
        if constant.node is None:
            self.report(endpoint.node, message)
            return
        default = "::" if "::" in constant.value else "0.0.0.0"
        fix = self.fix(
            f"Read the host from ${variable}, defaulting to {default}", self._applicability(endpoint)
        )
        fix.replace(constant.node, env_lookup(fix, variable, string(default, constant.node)))
        self.report(endpoint.node, message, fix=fix)

    def _bind(self, endpoint: _Endpoint) -> None:
        bind = _Bind.parse(endpoint.node)
        if bind is None or not isinstance(bind.host, str) or not _LOOPBACK.match(bind.host):
            return
        host = bind.host
        default = "[::]" if "::" in host else "0.0.0.0"
        fix = self.fix(f"Read the host from $HOST, defaulting to {default}", self._applicability(endpoint))
        bind.host = _env_get_code(fix, "HOST", default, bind.quote)
        fix.replace(endpoint.node, bind.render(self.context.module))
        message = (
            f"The server binds to {host}, unreachable from outside its container; bind to 0.0.0.0 via $HOST"
        )
        self.report(endpoint.node, message, fix=fix)
