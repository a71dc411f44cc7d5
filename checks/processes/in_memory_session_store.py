"""FS0602 in-memory-session-store: per-user state is kept in process memory or on local disk."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import libcst as cst

from factorscan.checks.base import Invalid, ProjectRule, Severity, SourceRule, Valid
from factorscan.checks.processes._memory_state import (
    CACHE_NAME,
    CONTAINER_CALLS,
    CONTAINER_PREFIXES,
    EXEMPT_NAME,
    MUTATORS,
    NAMED_STATE,
    USER_STATE_NAME,
    USER_STORE_BYTES,
    base_name,
    bound_names,
    is_connection,
    is_lazy_initialisation,
    memoises,
    mutates_a_module_container,
    read_as_data,
    tracks_connection,
)
from factorscan.checks.processes._shared import non_production, request_handler
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding
from factorscan.python.call_facts import record_reach_candidate
from factorscan.python.inference import config_assignments, guarded_by_configuration
from factorscan.scan.call_graph import reached_findings
from factorscan.scan.module_graph import ModuleGraph
from factorscan.scan.project import ProjectModel

_LOCAL_BACKENDS = {
    "SESSION_TYPE": {"filesystem": "on the local disk"},
    "CACHE_TYPE": {
        "simple": "in process memory",
        "SimpleCache": "in process memory",
        "flask_caching.backends.SimpleCache": "in process memory",
        "flask_caching.backends.simplecache.SimpleCache": "in process memory",
        "filesystem": "on the local disk",
        "FileSystemCache": "on the local disk",
        "flask_caching.backends.FileSystemCache": "on the local disk",
        "flask_caching.backends.filesystemcache.FileSystemCache": "on the local disk",
    },
}


_DJANGO_FILE_SESSIONS = "django.contrib.sessions.backends.file"


_DJANGO_CACHE_SESSIONS = "django.contrib.sessions.backends.cache"


_DJANGO_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "in process memory",
    "django.core.cache.backends.filebased.FileBasedCache": "on the local disk",
}

# A helper mutating module state, and a request handler of another module that may call it.
_TRACK_HELPER = """
_counts = {}
_client = None
def track(name):
    _counts[name] = 1
def client():
    global _client
    _client = _client or object()
def lookup(key):
    if key not in _counts:
        _counts[key] = key.upper()
    return client()
"""
_JOIN_VIEW = """
from flask import Flask, request
from shop import members
app = Flask(__name__)
@app.post("/join")
def join():
    {call}(request.json["name"])
"""


class InMemorySessionStore(SourceRule, ProjectRule):
    """
    ## What it does
    Finds per-user state kept inside the process:

    - module-level mutable containers (`dict`, `list`, `set`, `defaultdict`,
      `OrderedDict`, `Counter`, `deque`, cachetools caches; plain or
      annotated, such as `_sessions: dict[str, dict] = {}`) mutated inside a
      request handler: item assignment, `del`, `.append/.add/.update/
      .setdefault/.pop/...`, or in a first-party function that a request
      handler calls through up to three calls, across modules;
    - such containers named for per-user state (`carts`, `sessions`,
      `presence`, `online_users`, `tokens`...) mutated by any other function
      of a module that web code imports, directly or through up to three
      modules (at info when no web code imports it);
    - module globals rebound from a handler through `global` (`hits += 1`);
    - session and cache backends in process memory or on local disk:
      Flask-Session `SESSION_TYPE = "filesystem"`, Django
      `SESSION_ENGINE = "...sessions.backends.file"`, cache-backed sessions
      while `CACHES` uses `LocMemCache`/`FileBasedCache`; and, at info
      severity, such a cache backend by itself (Django `CACHES`,
      Flask-Caching `CACHE_TYPE = "SimpleCache"`).

    Stays silent on state nobody writes per request (a module-level dict of
    constants read in handlers, a registry filled at import time), on
    containers named as caches (a cache falls back on a miss, which Factor VI
    allows; but one the module returns whole or counts outside a size bound
    is the data itself, and is reported), on connection registries (`clients`, `connections`,
    `websockets`: a socket belongs to its process), on lazy initialisation
    (`global client; client = make_client()`), and on development and test
    settings. Flask-Session's `"null"` type stores nothing, so it is not
    reported. Nor is a backend set in a branch that switches on
    configuration: an opt-in such as `if SESSION_FILE_PATH is not None:`
    when that value comes from the environment or from the operator's
    configuration (`getattr(configuration, "SESSION_FILE_PATH", None)`), a
    `DEBUG` branch, or the fallback of an environment lookup.

    ## Why is this bad?
    Factor VI: twelve-factor processes are stateless and share nothing. The
    next request from the same user may reach another process, or a process
    started after a deploy; state kept in memory or on the local disk is
    then missing, and sessions, carts and counters silently diverge between
    processes.

    ## Example
    ```python
    _carts = {}

    @bp.route("/cart/<item_id>", methods=["POST"])
    def add_to_cart(item_id):
        _carts.setdefault(session["user_id"], []).append(item_id)
        return {"items": _carts[session["user_id"]]}
    ```

    Use instead:
    ```python
    carts = redis.Redis.from_url(os.environ["REDIS_URL"])

    @bp.route("/cart/<item_id>", methods=["POST"])
    def add_to_cart(item_id):
        carts.rpush(f"cart:{session['user_id']}", item_id)
        return {"items": carts.lrange(f"cart:{session['user_id']}", 0, -1)}
    ```

    ## Fix
    None: the state has to move to a backing service (Redis, a database),
    or a session backend that uses one.
    """

    code = "FS0602"
    name = "in-memory-session-store"
    severity = Severity.WARNING
    summary = "Per-user state is kept in process memory or on local disk"
    test_files = "not checked; development and test settings modules are not checked either"
    # Session/cache settings anywhere; state mutations in files that bind a module-level
    # container or use `global`.
    triggers = (b"SESSION_TYPE", b"SESSION_ENGINE", b"CACHE_TYPE", b"LocMemCache", b"FileBasedCache")
    needs_call_facts = True  # mutations in helpers that a request handler calls

    @classmethod
    def triggered_by(cls, data: bytes) -> bool:
        if super().triggered_by(data) or USER_STORE_BYTES.search(data):
            return True
        # Not only where handlers can be: a helper a handler calls may mutate it (the call graph).
        return b"global " in data or mutates_a_module_container(data)

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    @classmethod
    def review(cls, findings: list[Finding], project: ProjectModel) -> list[Finding]:
        """A named store outside handlers stays a warning only where web code reaches it."""
        if not any(NAMED_STATE in finding.message for finding in findings):
            return findings
        graph = project.derived("module graph", lambda: ModuleGraph(project))
        return [
            finding.as_notice("no web code imports the module")
            if NAMED_STATE in finding.message
            and not graph.reached_by_web(project.relative(Path(finding.path).absolute()))
            else finding
            for finding in findings
        ]

    VALID = (
        Valid(
            _TRACK_HELPER,
            filename="shop/members.py",
            files={"shop/views.py": _JOIN_VIEW.format(call="members.lookup")},
            note="the handler reaches only memoisation and a global rebound once, no store",
        ),
        Valid(
            """
            from flask import Flask, request
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            db = SQLAlchemy(app)
            _price_cache = {}
            items = []


            @app.post("/orders")
            def create_order():
                db.session.add(Order(**request.json))
                db.session.commit()
                _price_cache[request.json["sku"]] = request.json["price"]
                items = []
                items.append(request.json["sku"])
                return {"items": items}, 201
            """,
            note="a database session is a backing service; a cache by name; a local list shadowing a "
            "module one",
        ),
        Valid(
            """
            from fastapi import FastAPI

            app = FastAPI()
            PLUGINS = []


            @app.on_event("startup")
            def load_plugins():
                PLUGINS.append("audit")
            """,
            filename="app/main.py",
            note="a startup hook fills module state once per process: only request handlers count",
        ),
        Valid(
            """
            from flask import Flask, abort

            app = Flask(__name__)
            PLANS = {"free": 0, "pro": 20}
            HANDLERS = {}

            def register(name):
                def wrap(func):
                    HANDLERS[name] = func
                    return func
                return wrap

            @register("ping")
            def ping():
                return "pong"

            @app.get("/plans/<name>")
            def plan(name):
                if name not in PLANS:
                    abort(404)
                return {"price": PLANS[name], "handler": HANDLERS.get(name)}
            """,
            note="constants read in handlers, a registry filled at import time",
        ),
        Valid(
            """
            from fastapi import FastAPI, WebSocket

            app = FastAPI()
            connections: set[WebSocket] = set()
            _template_cache = {}

            @app.websocket("/ws")
            async def feed(websocket: WebSocket):
                await websocket.accept()
                connections.add(websocket)

            @app.get("/page/{name}")
            async def page(name: str):
                if name not in _template_cache:
                    _template_cache[name] = load_template(name)
                return _template_cache[name]
            """,
            note="a connection registry and a cache",
        ),
        Valid(
            """
            import redis
            from flask import Flask

            app = Flask(__name__)
            _client = None

            def helper():
                items = []
                items.append(1)
                return items

            @app.get("/hits")
            def hits():
                global _client
                if _client is None:
                    _client = redis.Redis.from_url("redis://cache:6379/0")
                results = {}
                results["hits"] = _client.incr("hits")
                return results
            """,
            note="lazy initialisation and local containers",
        ),
        Valid(
            """
            SESSION_ENGINE = "django.contrib.sessions.backends.file"
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
            """,
            filename="shop/settings/local.py",
            note="development settings",
        ),
        Valid(
            """
            SESSION_TYPE = "redis"
            SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
            """,
        ),
        Valid(
            """
            import importlib

            configuration = importlib.import_module("shop.configuration")
            SESSION_FILE_PATH = getattr(configuration, "SESSION_FILE_PATH", None)
            if SESSION_FILE_PATH is not None:
                SESSION_ENGINE = "django.contrib.sessions.backends.file"
            """,
            filename="shop/settings.py",
            note="file sessions only when the operator's configuration asks for them",
        ),
        Valid(
            """
            from flask import Flask

            app = Flask(__name__)
            _render_cache = {}

            @app.get("/page/<name>")
            def page(name):
                if len(_render_cache) > 1000:
                    _render_cache.clear()
                if name not in _render_cache:
                    _render_cache[name] = render(name)
                return _render_cache[name]
            """,
            note="a bounded cache, read only by key: it falls back on a miss",
        ),
        Valid(
            """
            ONLINE_STATUSES = ["away", "busy"]
            ONLINE_STATUSES.append("offline")
            users = {}

            def count_users():
                return len(users)
            """,
            filename="shop/presence.py",
            note="filled at import, and only read by the module's functions",
        ),
        Valid(
            """
            from flask import Flask

            app = Flask(__name__)
            DB_USER = "app"

            def setup_database():
                global DB_USER
                DB_USER = read_user_from_vault()
            """,
            note="a rebound global outside handlers is a setting, even when named for users",
        ),
    )
    INVALID = (
        Invalid(
            _TRACK_HELPER,
            filename="shop/members.py",
            files={"shop/views.py": _JOIN_VIEW.format(call="members.track")},
            line=4,
            note="a helper of another module that a request handler calls mutates the state",
        ),
        Invalid(
            """
            carts = {}

            def add_item(user_id, item):
                carts.setdefault(user_id, []).append(item)
            """,
            filename="shop/cart.py",
            files={
                "shop/__init__.py": "",
                "shop/web.py": (
                    "from flask import Flask\n\nfrom .cart import add_item\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/cart/<int:user>/<item>")\ndef add(user, item):\n    add_item(user, item)\n'
                    '    return ""\n'
                ),
            },
            line=4,
            severity=Severity.WARNING,
            note="a helper, not a handler, mutates a store named for per-user state, and web code imports it",
        ),
        Invalid(
            """
            active_sessions = set()

            def remember(session_id):
                active_sessions.add(session_id)
            """,
            filename="tools/sessions.py",
            line=4,
            severity=Severity.INFO,
            note="no web code imports the module: a notice",
        ),
        Invalid(
            """
            import time

            from flask import Flask, jsonify

            app = Flask(__name__)
            _presence_cache = {}

            @app.post("/presence/<user>")
            def seen(user):
                _presence_cache[user] = time.time()
                return "", 204

            @app.get("/online")
            def online():
                return jsonify(sorted(_presence_cache))
            """,
            line=10,
            note="named as a cache, but a handler returns it whole: it is the data, per process",
        ),
        Invalid(
            """
            from fastapi import FastAPI

            app = FastAPI()
            session_cache = {}

            @app.post("/login/{user}")
            async def login(user: str):
                session_cache[user] = {"user": user}

            @app.get("/stats")
            async def stats():
                return {"signed_in": len(session_cache)}
            """,
            line=8,
            note="a handler counts it",
        ),
        Invalid(
            """
            from collections import ChainMap, Counter, OrderedDict, deque
            from queue import Queue
            from weakref import WeakKeyDictionary, WeakSet, WeakValueDictionary

            from flask import Flask, request, session

            app = Flask(__name__)
            carts = dict()
            history = list()
            online = set()
            uploads = bytearray()
            recent = OrderedDict()
            votes = Counter()
            feed = deque(maxlen=100)
            prefs = ChainMap()
            avatars = WeakValueDictionary()
            drafts = WeakKeyDictionary()
            followers = WeakSet()
            jobs = Queue()
            tasks = deque()
            banned = set()
            beta_users = {"ann", "bob"}
            flags = set()
            events = Queue()
            tokens = {}


            def session_id():
                return session["id"]


            @app.post("/save-cart")
            def save_cart():
                carts.update({session_id(): request.json})
                history.insert(0, request.path)
                recent.move_to_end(request.path)
                tokens.__setitem__(session_id(), request.json["token"])
                return "", 204


            @app.post("/leave")
            def leave():
                online.discard(session_id())
                avatars.pop(session_id(), None)
                drafts.popitem()
                prefs.clear()
                tokens.__delitem__(session_id())
                followers.remove(session_id())
                return "", 204


            @app.post("/post")
            def post():
                feed.appendleft(request.json)
                uploads.extend(request.data)
                votes.subtract([request.json["choice"]])
                jobs.put(request.json)
                events.put_nowait(request.json)
                tasks.extendleft(request.json["urgent"])
                return "", 204


            @app.post("/moderate")
            def moderate():
                banned.difference_update(request.json["unban"])
                beta_users.intersection_update(request.json["beta"])
                flags.symmetric_difference_update(request.json["flags"])
                tasks.popleft()
                return "", 204
            """,
            count=20,
            note="each container type and each mutating method: one finding per handler and container",
        ),
        Invalid(
            """
            from flask import Flask
            from flask_caching import Cache

            app = Flask(__name__)
            app.config["CACHE_TYPE"] = "SimpleCache"
            cache = Cache(app)
            """,
            files={
                "shop/settings.py": (
                    'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n'
                ),
                "shop/settings_files.py": (
                    "CACHES = {\n"
                    '    "default": {\n'
                    '        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",\n'
                    '        "LOCATION": "/var/tmp/django_cache",\n'
                    "    }\n"
                    "}\n"
                ),
                "shop/tabs.py": (
                    "from flask import Flask, request\n\napp = Flask(__name__)\nseen = set()\n\n\n"
                    '@app.post("/seen")\ndef mark_seen():\n'
                    '\tseen.add(request.json["id"])\n\treturn "", 204\n'
                ),
                "shop/carts.py": (
                    "from flask import Flask, session\n\napp = Flask(__name__)\ncarts = {}\n\n\n"
                    '@app.post("/checkout")\ndef checkout():\n'
                    '    return {"items": carts.pop(session["id"], [])}\n'
                ),
            },
            count=5,
            note="each cache trigger alone in its file; a tab-indented handler; a mutation after `return`",
        ),
        Invalid(
            """
            from flask import Blueprint, session

            bp = Blueprint("shop", __name__)
            _carts = {}

            @bp.route("/cart/<item_id>", methods=["POST"])
            def add_to_cart(item_id):
                _carts.setdefault(session["user_id"], []).append(item_id)
                return {"items": _carts[session["user_id"]]}
            """,
            line=8,
        ),
        Invalid(
            """
            import uuid

            from fastapi import APIRouter, Response

            router = APIRouter()
            _sessions: dict[str, dict] = {}

            @router.post("/login")
            async def login(response: Response):
                sid = uuid.uuid4().hex
                _sessions[sid] = {"user": "someone"}
                response.set_cookie("sid", sid)

            @router.post("/logout")
            async def logout(sid: str):
                del _sessions[sid]
            """,
            count=2,
            note="annotated container; assignment and del in two handlers",
        ),
        Invalid(
            """
            from django.http import JsonResponse
            from django.views import View

            VOTES = []

            class VoteView(View):
                def post(self, request):
                    VOTES.append(request.POST["choice"])
                    return JsonResponse({"count": len(VOTES)})
            """,
            filename="polls/views.py",
            note="a Django class-based view",
        ),
        Invalid(
            """
            from aiohttp import web

            hits = 0

            async def count(request):
                global hits
                hits += 1
                return web.json_response({"hits": hits})

            def setup(app):
                app.router.add_get("/count", count)
            """,
            note="a global counter; the handler is registered by name",
        ),
        Invalid(
            """
            from collections import defaultdict

            from rest_framework.decorators import api_view
            from rest_framework.response import Response

            likes = defaultdict(set)

            @api_view(["POST"])
            def like(request, post_id):
                likes[post_id].add(request.user.id)
                return Response({"likes": len(likes[post_id])})
            """,
            filename="blog/api.py",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config["SESSION_TYPE"] = "filesystem"
            """,
        ),
        Invalid(
            """
            SESSION_ENGINE = "django.contrib.sessions.backends.cache"
            CACHES = {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            }
            """,
            filename="shop/settings.py",
            count=2,
            note="cache sessions on a per-process cache (and the cache itself, at info severity)",
        ),
        Invalid(
            """
            SESSION_ENGINE = "django.contrib.sessions.backends.file"
            """,
            filename="shop/settings/production.py",
        ),
        Invalid(
            """
            USE_FILE_SESSIONS = True
            if USE_FILE_SESSIONS:
                SESSION_ENGINE = "django.contrib.sessions.backends.file"
            """,
            filename="shop/settings.py",
            line=3,
            note="a switch fixed in the code is no configuration",
        ),
    )

    def __init__(self) -> None:
        self._globals: dict[cst.FunctionDef, set[str]] = {}
        self._locals: dict[cst.FunctionDef, set[str]] = {}
        self._reported: set[tuple[int, str]] = set()
        self._cache_sessions: list[cst.BaseExpression] = []
        self._local_cache: str | None = None
        self._caches_read: dict[str, bool] = {}  # cache name -> read as data in the module

    # -- mutations in handlers -----------------------------------------------------------

    def _container(self, node: cst.BaseExpression) -> str | None:
        """The name of a module-level mutable container `node` is built on."""
        base = base_name(node)
        if base is None or (EXEMPT_NAME.search(base.value) and not self._cache_read_as_data(base.value)):
            return None
        value = self.context.module_constant(base)
        if value is None or not self._is_mutable(value):
            return None
        function = self.context.enclosing_function()
        if function is not None and base.value in self._local_names(function):
            return None
        return base.value

    def _cache_read_as_data(self, name: str) -> bool:
        """A container named as a cache that the module reads as data: returns it whole
        (`return _cache`, `return list(_cache.values())`) or counts it outside a size bound
        (`{"online": len(_cache)}`). A cache that only falls back on a miss is exempt."""
        if not CACHE_NAME.search(name) or self.context.tree is None:
            return False
        if name not in self._caches_read:
            self._caches_read[name] = read_as_data(self.context.tree, name)
        return self._caches_read[name]

    def _is_mutable(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)):
            return True
        if isinstance(value, cst.Call):
            qualified = self.context.qualified_name(value.func) or ""
            return qualified in CONTAINER_CALLS or qualified.startswith(CONTAINER_PREFIXES)
        return False

    def _local_names(self, function: cst.FunctionDef) -> set[str]:
        """Names the function binds itself (so they shadow a module-level one)."""
        names = self._locals.get(function)
        if names is None:
            names = bound_names(function) - self._globals.get(function, set())
            self._locals[function] = names
        return names

    def _report_mutation(self, node: cst.CSTNode, name: str, how: str) -> None:
        handler = request_handler(self.context)
        if handler is None:
            if not self._report_named_store(node, name, how):
                self._reach_candidate(node, name, how)
            return
        key = (id(handler.function), name)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report(
            node,
            f"Request handler `{handler.name}` {how} `{name}`: state kept in process memory is lost on "
            "restart and not shared with other processes; keep it in a backing service (Redis, a database)",
        )

    def _report_named_store(self, node: cst.CSTNode, name: str, how: str) -> bool:
        """A function that is not a handler mutates a container named for per-user state;
        `review` keeps it a warning when web code imports the module."""
        function = self.context.enclosing_function()
        if function is None or how.startswith("rebinds") or not USER_STATE_NAME.search(name):
            return False  # a rebound global is a setting computed once (`POSTGRES_USER`), not a store
        key = (id(function), name)
        if key in self._reported:
            return True
        self._reported.add(key)
        self.report(
            node,
            f"`{function.name.value}` {how} `{name}`, {NAMED_STATE}: kept in process memory, it is lost on "
            "restart and differs between processes; keep it in a backing service (Redis, a database)",
        )
        return True

    def _reach_candidate(self, node: cst.CSTNode, name: str, how: str) -> None:
        """A container mutated in a function that is no handler: reported where a handler calls it."""
        function = self.context.enclosing_function()
        if function is None or how.startswith("rebinds") or non_production(self.context):
            return  # a global rebound outside handlers is mostly set up once (`_client = ...`)
        if memoises(node, name, self.context.ancestors()):
            return  # `if key not in _built: _built[key] = build(key)` caches what a key gives
        if (id(function), name) in self._reported:
            return
        self._reported.add((id(function), name))
        record_reach_candidate(
            self.context,
            self.code,
            node,
            f"`{{function}}` {how} `{name}`, {{reached}}: state kept in process memory is lost on restart "
            "and not shared with other processes; keep it in a backing service (Redis, a database)",
        )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        return reached_findings(self, project)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS:
            name = self._container(func.value)
            if name is not None and not tracks_connection(node):
                self._report_mutation(node, name, "mutates the module-level")
        for key, value in config_assignments(node, self.context):
            self._setting(key, value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assignment(target.target, node.value)
        for key, value in config_assignments(node, self.context):
            self._setting(key, value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assignment(node.target, node.value)
            for key, value in config_assignments(node, self.context):
                self._setting(key, value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assignment(node.target, None)

    def _assignment(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Subscript):
            name = self._container(target)
            if name is not None and not (value is not None and is_connection(value)):
                self._report_mutation(target, name, "writes to the module-level")
            return
        if not isinstance(target, cst.Name):
            return
        function = self.context.enclosing_function()
        if function is None or target.value not in self._globals.get(function, ()):
            return
        if value is not None and (is_lazy_initialisation(value) or is_connection(value)):
            return
        self._report_mutation(target, target.value, "rebinds the module global")

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
        for target in [element.value for element in targets] if targets else [node.target]:
            if isinstance(target, cst.Subscript):
                name = self._container(target)
                if name is not None:
                    self._report_mutation(target, name, "deletes from the module-level")

    def visit_Global(self, node: cst.Global) -> None:
        function = self.context.enclosing_function()
        if function is not None:
            self._globals.setdefault(function, set()).update(item.name.value for item in node.names)

    # -- session and cache backends --------------------------------------------------------

    def _setting(self, key: str, value: cst.BaseExpression) -> None:
        if non_production(self.context) or guarded_by_configuration(self.context):
            return  # a development setting, or a backend the environment or operator opts into
        text = self.context.string_value(value)
        if text is None:
            return
        if key in _LOCAL_BACKENDS and text in _LOCAL_BACKENDS[key]:
            where = _LOCAL_BACKENDS[key][text]
            if key == "SESSION_TYPE":
                self.report(
                    value,
                    f'Flask-Session SESSION_TYPE "{text}" keeps sessions {where}, per process; '
                    "use redis, memcached or a database",
                )
            else:
                self.report(
                    value,
                    f'CACHE_TYPE "{text}" keeps the cache {where}, separate in every process',
                    severity=Severity.INFO,
                )
        elif key == "SESSION_ENGINE" and text == _DJANGO_FILE_SESSIONS:
            self.report(
                value,
                "Django file sessions are stored on the local disk of one process; "
                "use the db, cached_db or a shared cache backend",
            )
        elif key == "SESSION_ENGINE" and text == _DJANGO_CACHE_SESSIONS:
            self._cache_sessions.append(value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        context = self.context
        if context.string_value(node.key) != "BACKEND" or non_production(context):
            return
        backend = context.string_value(node.value)
        if backend in _DJANGO_LOCAL_CACHES:
            where = _DJANGO_LOCAL_CACHES[backend]
            self._local_cache = where
            self.report(
                node.value,
                f"This cache backend keeps its data {where}, separate in every process; "
                "use Redis or Memcached when processes must agree",
                severity=Severity.INFO,
            )

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._local_cache is None:
            return
        for value in self._cache_sessions:
            self.report(
                value,
                f"Sessions are stored in the cache, and CACHES keeps it {self._local_cache}: "
                "sessions are lost on restart and not shared between processes",
            )
