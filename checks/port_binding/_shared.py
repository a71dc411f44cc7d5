"""Helpers shared by the port binding rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import libcst as cst

from factorscan.checks.base import SourceRule, Trigger
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding
from factorscan.deploy.deployment import PLATFORM_VARIABLES
from factorscan.python.codemods import argument, keyword, positional
from factorscan.python.dev_runs import StartNotes
from factorscan.python.imports import dotted_name
from factorscan.python.inference import Constant
from factorscan.python.traversal import FileContext, FixBuilder
from factorscan.scan.dev_runs import review_development_starts
from factorscan.scan.project import ProjectModel


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


_CONFIG_MODULE = re.compile(r"(gunicorn|hypercorn)", re.IGNORECASE)


@dataclass
class Endpoint:
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


def _endpoints(call: cst.Call, context: FileContext) -> Iterator[Endpoint]:
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
        yield Endpoint(call, server, "host", host.value)
    if port is not None:
        yield Endpoint(call, server, "port", port.value)
    address = server.address.find(call)
    if address is not None and isinstance(address.value, cst.Tuple) and len(address.value.elements) == 2:
        host_element, port_element = (element.value for element in address.value.elements)
        port_literal = context.literal(port_element)
        if method == "bind" and not isinstance(port_literal, cst.Integer):
            return  # `x.bind((a, b))` is a socket only with a numeric port
        if isinstance(port_literal, cst.Integer) and port_literal.evaluated_value == 0:
            return  # port 0: a free-port probe or a test server
        yield Endpoint(call, server, "host", host_element)
        yield Endpoint(call, server, "port", port_element)
    bind = server.bind.find(call)
    if bind is not None:
        yield from _bind_endpoints(call, server, bind.value)


def _bind_endpoints(call: cst.Call | None, server: _Server, value: cst.BaseExpression) -> Iterator[Endpoint]:
    values = (
        [element.value for element in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
    )
    for item in values:
        if Bind.parse(item) is not None:
            yield Endpoint(call, server, "bind", item)


def _host_text(node: cst.BaseExpression, context: FileContext) -> str | None:
    text = context.string_value(context.literal(node))
    if text is None:
        return None
    return text if text in ("", "*") or re.match(r"^[\w.\-:\[\]]+$", text) else None


@dataclass
class Bind:
    """A "host:port" string split into its two halves, each text or an expression."""

    host: str | cst.BaseExpression
    port: str | cst.BaseExpression
    quote: str

    @classmethod
    def parse(cls, node: cst.BaseExpression) -> Bind | None:
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
    def _from_pieces(cls, pieces: list[str | cst.BaseExpression], quote: str) -> Bind | None:
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


def env_get_code(fix: FixBuilder, variable: str, default: str, quote: str) -> cst.BaseExpression:
    """`os.environ.get('PORT', '8000')` with quotes that fit inside an f-string."""
    inner = _inner_quote(quote)
    os_name = fix.use_module("os")
    return cst.parse_expression(f"{os_name}.environ.get({inner}{variable}{inner}, {inner}{default}{inner})")


class PortBindingRule(SourceRule):
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

    @classmethod
    def review(cls, findings: list[Finding], project: ProjectModel) -> list[Finding]:
        return review_development_starts(findings, project)

    def __init__(self) -> None:
        # Reported starts that may be a developer's own run, for `review` to judge.
        self._starts = StartNotes()
        self._endpoint: Endpoint | None = None  # the endpoint being checked
        self._config_setting = False  # checking a server configuration module's `bind`

    def report(self, node: cst.CSTNode, message: str, **options: Any) -> None:
        super().report(node, message, **options)
        call = self._endpoint.call if self._endpoint is not None else None
        self._starts.note(self.context, node, call, config=self._config_setting)

    def leave_Module(self, original_node: cst.Module) -> None:
        self._starts.record(self.context)

    def _check(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        try:
            self.check_endpoint(endpoint)
        finally:
            self._endpoint = None

    def visit_Call(self, node: cst.Call) -> None:
        for endpoint in _endpoints(node, self.context):
            self._check(endpoint)

    def visit_Assign(self, node: cst.Assign) -> None:
        """`bind = "0.0.0.0:8000"` in gunicorn/hypercorn config modules, `config.bind = [...]`."""
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value == "bind":
                if self.context.at_module_level() and _CONFIG_MODULE.search(self.context.relative_path):
                    self._config_setting = True
                    try:
                        self._bind_value(node.value)
                    finally:
                        self._config_setting = False
            elif isinstance(target.target, cst.Attribute) and target.target.attr.value == "bind":
                self._bind_value(node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """gunicorn's programmatic options: `{"bind": "0.0.0.0:8000", "workers": 4}`."""
        if self.context.string_value(node.key) == "bind":
            self._bind_value(node.value)

    def _bind_value(self, value: cst.BaseExpression) -> None:
        for endpoint in _bind_endpoints(None, _Server(), value):
            self._check(endpoint)

    def check_endpoint(self, endpoint: Endpoint) -> None:
        raise NotImplementedError


def variable_for(constant: Constant, node: cst.BaseExpression, fallback: str, word: str) -> str:
    """The environment variable to read: the constant's own name (`ADMIN_PORT`) when it names one
    that the platform does not set for itself (`HOSTNAME` is the container's name)."""
    name = dotted_name(node)
    if constant.node is not None and constant.node is not node and name is not None:
        last = name.rsplit(".", 1)[-1]
        if re.match(r"^[A-Z][A-Z0-9_]*$", last) and word in last and last not in PLATFORM_VARIABLES:
            return last
    return fallback
