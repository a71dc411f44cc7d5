"""Request-handler awareness (factorscan.python.handlers), as rules see it through FileContext."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from factorscan.checks.base import SourceVisitor
from factorscan.core.settings import Settings
from factorscan.core.source import SourceFile
from factorscan.python.handlers import HandlerKind, is_admin_script_path, is_non_production_settings
from factorscan.python.traversal import FileContext, Traversal


def _context(code: str, path: str) -> FileContext:
    code = textwrap.dedent(code).lstrip("\n")
    source = SourceFile(Path(path), path, code.encode("utf-8"), is_python=True)
    return FileContext(source, cst.parse_module(code), Settings(), path)


def classify(code: str, path: str = "app.py") -> dict[str, str]:
    """Handler name -> "request", "startup" or "websocket" for every classified function."""
    result = {}
    for handler in _context(code, path).handlers.handlers():
        result[handler.name] = "websocket" if handler.websocket else handler.kind.value
    return result


def test_flask_routes_blueprints_hooks_and_method_views() -> None:
    found = classify(
        """
        from flask import Blueprint, Flask
        from flask.views import MethodView

        app = Flask(__name__)
        bp = Blueprint("shop", __name__)

        @app.route("/")
        def index(): ...

        @bp.route("/cart", methods=["POST"])
        def cart(): ...

        @bp.get("/items/<int:item_id>")
        def item(item_id): ...

        @app.before_request
        def load_user(): ...

        @app.errorhandler(404)
        def not_found(error): ...

        @app.before_first_request
        def warm_up(): ...

        class ItemAPI(MethodView):
            def get(self, item_id): ...
            def post(self): ...
            @classmethod
            def register(cls, app): ...

        def later(): ...
        def positional(): ...

        app.add_url_rule("/later", view_func=later)
        app.add_url_rule("/positional", "positional", positional)

        def helper(): ...

        @app.cli.command("seed")
        def seed(): ...
        """
    )
    assert found == {
        "index": "request",
        "cart": "request",
        "item": "request",
        "load_user": "request",
        "not_found": "request",
        "warm_up": "startup",
        "ItemAPI.get": "request",
        "ItemAPI.post": "request",
        "later": "request",
        "positional": "request",
    }


def test_flask_app_factory_with_nested_routes_and_commands() -> None:
    code = """
        from flask import Flask

        def create_app():
            app = Flask(__name__)

            @app.route("/health")
            def health(): ...

            @app.cli.command("init-db")
            def init_db():
                create_tables()

            return app
        """
    assert classify(code) == {"create_app": "startup", "health": "request"}
    # Code in a CLI command nested in a factory runs neither per request nor at start-up.
    context = _context(code, "app.py")
    init_db = next(
        node
        for node in context.module.body[1].body.body  # type: ignore[attr-defined]
        if isinstance(node, cst.FunctionDef) and node.name.value == "init_db"
    )
    factory = context.module.body[1]
    assert context.handlers.enclosing([init_db, factory]) is None


def test_fastapi_and_starlette() -> None:
    found = classify(
        """
        from contextlib import asynccontextmanager

        from fastapi import APIRouter, FastAPI, WebSocket
        from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint
        from starlette.routing import Route, WebSocketRoute

        @asynccontextmanager
        async def lifespan(app):
            yield

        app = FastAPI(lifespan=lifespan)
        router = APIRouter(prefix="/items")

        @router.get("")
        async def list_items(): ...

        @router.post("/{item_id}")
        async def update_item(item_id: int): ...

        @app.websocket("/ws")
        async def feed(websocket: WebSocket): ...

        @app.on_event("startup")
        async def connect(): ...

        @app.on_event("shutdown")
        async def disconnect(): ...

        @app.middleware("http")
        async def timing(request, call_next): ...

        async def ping(): ...
        app.add_api_route("/ping", ping)

        async def homepage(request): ...
        async def echo(websocket): ...
        routes = [Route("/", endpoint=homepage), WebSocketRoute("/echo", echo)]

        class Users(HTTPEndpoint):
            async def get(self, request): ...

        class Chat(WebSocketEndpoint):
            async def on_receive(self, websocket, data): ...
        """
    )
    assert found == {
        "lifespan": "startup",
        "list_items": "request",
        "update_item": "request",
        "feed": "websocket",
        "connect": "startup",
        "timing": "request",
        "ping": "request",
        "homepage": "request",
        "echo": "websocket",
        "Users.get": "request",
        "Chat.on_receive": "websocket",
    }


def test_django_function_views_class_based_views_and_drf() -> None:
    found = classify(
        """
        from django.contrib.auth.decorators import login_required
        from django.views import View
        from django.views.generic import ListView
        from rest_framework import viewsets
        from rest_framework.decorators import api_view
        from rest_framework.views import APIView

        from .base import TenantView

        def index(request): ...

        def _private(request): ...

        def helper(value): ...

        @login_required
        def account(request): ...

        @api_view(["GET"])
        def stats(request): ...

        class Home(View):
            def get(self, request): ...
            def get_context(self): ...

        class Products(ListView):
            def get_queryset(self): ...

        class Base(View):
            pass

        class Derived(Base):
            def post(self, request): ...

        class Orders(APIView):
            def get(self, request): ...

        class Items(viewsets.ModelViewSet):
            def perform_create(self, serializer): ...

        class Reports(TenantView):
            def get(self, request): ...
        """,
        path="shop/views.py",
    )
    assert found == {
        "index": "request",
        "account": "request",
        "stats": "request",
        "Home.get": "request",
        "Home.get_context": "request",
        "Products.get_queryset": "request",
        "Derived.post": "request",
        "Orders.get": "request",
        "Items.perform_create": "request",
        "Reports.get": "request",
    }


def test_django_shapes_need_a_views_module_or_django() -> None:
    code = """
        def summarize(request):
            return request
        """
    assert classify(code, "shop/views.py") == {"summarize": "request"}
    assert classify(code, "shop/views/orders.py") == {"summarize": "request"}
    assert classify(code, "shop/reporting.py") == {}
    # pytest fixtures take `request` too.
    assert classify(code, "tests/test_views.py") == {}


def test_django_urlconf_registers_local_functions() -> None:
    found = classify(
        """
        from django.http import HttpResponse
        from django.urls import path

        from . import views

        def health(req):
            return HttpResponse("ok")

        urlpatterns = [path("health/", health), path("", views.index)]
        """,
        path="shop/urls.py",
    )
    assert found == {"health": "request"}


def test_aiohttp_route_tables_router_and_views() -> None:
    found = classify(
        """
        from aiohttp import web

        routes = web.RouteTableDef()

        @routes.get("/")
        async def hello(request): ...

        async def chat(request): ...
        async def upload(request): ...
        async def any_method(request): ...
        async def on_start(app): ...
        async def cleanup(app): ...

        @web.middleware
        async def auth(request, handler): ...

        class Handler:
            async def intro(self, request): ...
            async def unused(self, request): ...

        class Room(web.View):
            async def get(self): ...

        def setup(app):
            handler = Handler()
            app.router.add_get("/chat", chat)
            app.router.add_route("*", "/any", any_method)
            app.router.add_view("/room", Room)
            app.add_routes([web.post("/upload", upload), web.get("/intro", handler.intro)])
            app.on_startup.append(on_start)
            app.cleanup_ctx.append(cleanup)
            app.middlewares.append(auth)
        """
    )
    assert found == {
        "hello": "request",
        "chat": "request",
        "upload": "request",
        "any_method": "request",
        "on_start": "startup",
        "cleanup": "startup",
        "auth": "request",
        "Handler.intro": "request",
        "Room.get": "request",
    }


def test_bottle_sanic_tornado_falcon_pyramid() -> None:
    assert classify(
        """
        from bottle import Bottle, route

        app = Bottle()

        @route("/hello")
        def hello(): ...

        @app.get("/items")
        def items(): ...
        """
    ) == {"hello": "request", "items": "request"}

    assert classify(
        """
        from sanic import Blueprint, Sanic
        from sanic.views import HTTPMethodView

        app = Sanic("shop")
        bp = Blueprint("live")

        @app.route("/")
        async def index(request): ...

        @bp.websocket("/feed")
        async def feed(request, ws): ...

        @app.listener("before_server_start")
        async def setup_db(app, loop): ...

        class Items(HTTPMethodView):
            async def get(self, request): ...
        """
    ) == {"index": "request", "feed": "websocket", "setup_db": "startup", "Items.get": "request"}

    assert classify(
        """
        import tornado.web
        import tornado.websocket

        class Main(tornado.web.RequestHandler):
            def initialize(self, db): ...
            def get(self): ...

        class Echo(tornado.websocket.WebSocketHandler):
            def on_message(self, message): ...

        def make_app():
            return tornado.web.Application([(r"/", Main), (r"/ws", Echo)])
        """
    ) == {
        "Main.initialize": "request",
        "Main.get": "request",
        "Echo.on_message": "websocket",
        "make_app": "startup",
    }

    assert classify(
        """
        import falcon

        class Things:
            def __init__(self, db):
                self.db = db

            def on_get(self, req, resp): ...
            def on_post_item(self, req, resp, item_id): ...
            def load(self): ...

        app = falcon.App()
        app.add_route("/things", Things(None))
        """
    ) == {"Things.on_get": "request", "Things.on_post_item": "request"}

    assert classify(
        """
        from pyramid.view import view_config

        @view_config(route_name="home", renderer="json")
        def home(request): ...
        """
    ) == {"home": "request"}


def test_socketio_channels_and_websockets_servers() -> None:
    assert classify(
        """
        import socketio

        sio = socketio.AsyncServer()

        @sio.event
        async def connect(sid, environ): ...

        @sio.on("chat")
        async def chat(sid, data): ...

        class Chat(socketio.AsyncNamespace):
            async def on_join(self, sid, room): ...
            async def helper(self): ...
        """
    ) == {"connect": "websocket", "chat": "websocket", "Chat.on_join": "websocket"}

    assert classify(
        """
        from flask_socketio import SocketIO

        socketio = SocketIO()

        @socketio.on("join")
        def join(data): ...
        """
    ) == {"join": "websocket"}

    assert classify(
        """
        from channels.generic.websocket import AsyncWebsocketConsumer

        class Notifications(AsyncWebsocketConsumer):
            async def receive(self, text_data): ...
        """
    ) == {"Notifications.receive": "websocket"}

    assert classify(
        """
        import asyncio

        import websockets

        async def echo(websocket):
            async for message in websocket:
                await websocket.send(message)

        async def main():
            async with websockets.serve(echo, "", 8765):
                await asyncio.Future()
        """
    ) == {"echo": "websocket"}


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            """
            import discord

            client = discord.Client()

            @client.event
            async def on_message(message): ...
            """,
            id="discord-events",
        ),
        pytest.param(
            """
            from PyQt5.QtWidgets import QListView

            class Files(QListView):
                def refresh(self): ...
            """,
            id="gui-view",
        ),
        pytest.param(
            """
            from functools import lru_cache

            import click

            @click.command()
            def main(): ...

            @lru_cache
            def settings(): ...

            @cache.get("key")
            def cached(): ...

            class Service:
                def on_get(self, req, resp): ...
            """,
            id="cli-caches-and-plain-classes",
        ),
        pytest.param(
            """
            def index(request):
                return request
            """,
            id="request-parameter-outside-views",
        ),
    ],
)
def test_not_handlers(code: str) -> None:
    assert classify(code) == {}


def test_enclosing_handler_from_a_rule_visit() -> None:
    """A rule asks from inside the traversal; nested functions inherit a request handler."""
    seen: list[tuple[str, str | None]] = []

    class Probe(SourceVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            handler = self.context.enclosing_handler()
            label = self.context.module.code_for_node(node.func)
            seen.append((label, f"{handler.name}:{handler.kind.value}" if handler else None))

    context = _context(
        """
        from flask import Flask, Response

        app = Flask(__name__)
        setup()

        @app.get("/stream")
        def stream():
            def generate():
                produce()
            return Response(generate())
        """,
        "app.py",
    )
    Traversal(context, [Probe.visiting(context)]).run()
    assert ("setup", None) in seen
    assert ("produce", "stream:request") in seen
    assert ("Response", "stream:request") in seen


def test_handler_kinds() -> None:
    context = _context(
        """
        from fastapi import FastAPI

        app = FastAPI()

        @app.on_event("startup")
        def start(): ...
        """,
        "app.py",
    )
    (handler,) = context.handlers.handlers()
    assert handler.kind is HandlerKind.STARTUP
    assert not handler.is_request
    assert handler.framework == "fastapi"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("shop/settings/test.py", True),
        ("shop/settings/local.py", True),
        ("shop/settings/dev.py", True),
        ("test_settings.py", True),
        ("local_settings.py", True),
        ("config/development.py", True),
        ("shop/settings/production.py", False),
        ("shop/settings/base.py", False),
        ("shop/settings.py", False),
        ("shop/views/local.py", False),
    ],
)
def test_non_production_settings(path: str, expected: bool) -> None:
    assert is_non_production_settings(path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("manage.py", True),
        ("init_db.py", True),
        ("scripts/backfill.py", True),
        ("shop/management/commands/seed.py", True),
        ("alembic/env.py", True),
        ("shop/views.py", False),
        ("app/main.py", False),
    ],
)
def test_admin_script_paths(path: str, expected: bool) -> None:
    assert is_admin_script_path(path) is expected
