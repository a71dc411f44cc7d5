"""FS0702 loopback-bind: a server binds to the loopback interface, unreachable from outside its container."""

from __future__ import annotations

import ast
import re
from typing import ClassVar

import libcst as cst

from factorscan.checks.base import Applicability, FixAvailability, Invalid, Severity, Trigger, Valid
from factorscan.checks.port_binding._shared import (
    Bind,
    Endpoint,
    PortBindingRule,
    env_get_code,
    variable_for,
)
from factorscan.python.codemods import env_lookup, env_variable_name, string
from factorscan.python.debug_mode import debugger_may_be_on
from factorscan.python.inference import resolve_constant
from factorscan.python.traversal import FileContext

_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|ip6-localhost)$", re.IGNORECASE)


class LoopbackBind(PortBindingRule):
    """
    ## What it does
    Finds servers bound to the loopback interface: `127.0.0.1`, `localhost`
    or `::1` as the host of `app.run`, `uvicorn.run`, `web.run_app`,
    `waitress.serve`, `HTTPServer`, `socket.bind`, `asyncio.start_server`,
    `websockets.serve`, gRPC ports and gunicorn/hypercorn `bind` settings
    (the same servers as FS0701).

    A server start that the project's deployment shows to be a developer's
    own run is reported as a notice at `info`: a `__main__` block
    (`__main__.py`, or a function the block calls) or a module-level debug
    server (`debug=True`, `reload=True`) when a Dockerfile, Procfile or
    compose file serves the app with gunicorn, uvicorn, hypercorn, daphne,
    granian, uWSGI or waitress and runs no such file; a server that a
    management command or script starts, unless a declared process runs that
    command; a gunicorn/hypercorn configuration module under `contrib/` or
    `etc/` (a sample for installs on a host) that no Dockerfile, Procfile,
    compose file or script names. Without such deployment files these stay
    warnings; editors, which see one file, show them as warnings too.

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
    Unsafe: the host becomes `os.environ.get("HOST", "0.0.0.0")` (`"::"` for
    `::1`; in a "host:port" string, an f-string whose host part reads
    `HOST`), so the server listens on all interfaces unless `HOST=127.0.0.1`
    is set: a change of behaviour, on purpose, which the run lists. A module
    constant is rewritten where it is bound, unless other code reads it too
    (a client's URL): then only the server's argument changes and the
    constant keeps its value. A constant named after a variable the platform
    sets (`HOSTNAME` is the container's name) reads `HOST` instead. No fix is
    offered while the module may switch a debugger on by any route (`debug=`
    or `use_debugger=` by keyword, by position or in `**options`,
    `app.debug = ...`, `app.config["DEBUG"] = ...`, `DEBUG = ...`), unless
    the value is a literal `False`, `None` or `0`: opening the bind would
    expose Werkzeug's debugger console to the network.
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
            import uvicorn
            from shop import settings

            HEALTH_URL = "http://localhost:8000/health"
            uvicorn.run("main:app", host="0.0.0.0")
            uvicorn.run("main:app", host=settings.host)
            """,
            filename="main.py",
            note="all interfaces, and a host that cannot be resolved, in a file the prefilter lets through",
        ),
        Valid(
            'bind = "0.0.0.0:8000"  # not localhost: reachable from other containers\n',
            filename="gunicorn.conf.py",
        ),
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

            uvicorn.run("main:app", host="::1")
            """,
            filename="main.py",
            fixed="""
            import os

            import uvicorn

            uvicorn.run("main:app", host=os.environ.get("HOST", "::"))
            """,
            unsafe=True,
            note="IPv6 loopback: the fix defaults to all IPv6 interfaces",
        ),
        Invalid(
            'bind = "[::1]:8000"\n',
            filename="gunicorn.conf.py",
            fixed="""
            import os

            bind = f"{os.environ.get('HOST', '[::]')}:8000"
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import asyncio

            from conf import HOST


            async def main(handle):
                server = await asyncio.start_server(handle, HOST, 8888)
                await server.serve_forever()
            """,
            filename="server.py",
            files={"conf.py": 'HOST = "127.0.0.1"\n'},
            note="the host set in another module; no fix, as the constant is not in this file",
        ),
        Invalid(
            """
            from http.server import BaseHTTPRequestHandler, HTTPServer

            from conf import HOST

            HTTPServer((HOST, 8080), BaseHTTPRequestHandler).serve_forever()
            """,
            filename="server.py",
            files={"conf.py": 'HOST = "127.0.0.1"\n'},
        ),
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
            unsafe=True,
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
            unsafe=True,
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
            unsafe=True,
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
            unsafe=True,
        ),
        Invalid(
            """
            import asyncio

            HOSTNAME = "127.0.0.1"
            HEALTH_URL = f"http://{HOSTNAME}:8888/health"

            async def main(handle):
                server = await asyncio.start_server(handle, HOSTNAME, 8888)
                await server.serve_forever()
            """,
            fixed="""
            import asyncio
            import os

            HOSTNAME = "127.0.0.1"
            HEALTH_URL = f"http://{HOSTNAME}:8888/health"

            async def main(handle):
                server = await asyncio.start_server(handle, os.environ.get("HOST", "0.0.0.0"), 8888)
                await server.serve_forever()
            """,
            line=7,
            unsafe=True,
            note="client code reads the constant too: only the bind opens; never $HOSTNAME",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.run(host="127.0.0.1", debug=True)
            """,
            note="no fix: opening the bind would expose Werkzeug's debugger to the network",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config["DEBUG"] = True
            app.run("127.0.0.1", 5000)
            """,
            note="no fix: the debugger is switched on elsewhere in the module",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.run("127.0.0.1", 5000, False)
            """,
            note="the debugger is off (here by position): the unsafe fix is offered",
            unsafe=True,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.run(os.environ.get("HOST", "0.0.0.0"), 5000, False)
            """,
        ),
        Invalid(
            """
            from flask import Flask

            from conf import HOST

            app = Flask(__name__)
            app.run(host=HOST)
            """,
            files={"conf.py": 'HOST = "127.0.0.1"\n'},
            note="no fix: the host is set in another module, which the fix would have to rewrite",
        ),
        Invalid(
            """
            import argparse

            from shop import create_app

            parser = argparse.ArgumentParser()
            parser.add_argument("--port", help="Port for the debug server", default=4000)
            args = parser.parse_args()
            app = create_app()
            app.run(debug=True, threaded=True, host="127.0.0.1", port=args.port)
            """,
            filename="serve.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "shop:create_app()"]\n'},
            severity=Severity.INFO,
            note="a debug server script: the image serves the app with gunicorn",
        ),
        Invalid(
            """
            from shop import create_app

            app = create_app()
            app.run(debug=True, host="127.0.0.1", port=4000)
            """,
            filename="serve.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "serve.py"]\n'},
            severity=Severity.WARNING,
            note="the image runs this script",
        ),
        Invalid(
            """
            from http.server import BaseHTTPRequestHandler, HTTPServer

            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                help = "Print the webhooks this server receives"

                def handle(self, *args, **options):
                    HTTPServer(("localhost", options["port"]), BaseHTTPRequestHandler).serve_forever()
            """,
            filename="shop/management/commands/webhook_receiver.py",
            unsafe=True,
            fixed="""
            import os
            from http.server import BaseHTTPRequestHandler, HTTPServer

            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                help = "Print the webhooks this server receives"

                def handle(self, *args, **options):
                    HTTPServer((os.environ.get("HOST", "0.0.0.0"), options["port"]), BaseHTTPRequestHandler).serve_forever()
            """,  # noqa: E501 - the fixed line as --fix writes it
            severity=Severity.INFO,
            note="a tool a management command starts for a developer, not the app's service",
        ),
        Invalid(
            """
            from http.server import BaseHTTPRequestHandler, HTTPServer

            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    HTTPServer(("localhost", 8080), BaseHTTPRequestHandler).serve_forever()
            """,
            filename="shop/management/commands/serve_hooks.py",
            files={"Procfile": "hooks: python manage.py serve_hooks\n"},
            unsafe=True,
            fixed="""
            import os
            from http.server import BaseHTTPRequestHandler, HTTPServer

            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    HTTPServer((os.environ.get("HOST", "0.0.0.0"), 8080), BaseHTTPRequestHandler).serve_forever()
            """,  # noqa: E501 - the fixed line as --fix writes it
            severity=Severity.WARNING,
            note="the Procfile runs this command as a process of the app",
        ),
    )

    def check_endpoint(self, endpoint: Endpoint) -> None:
        if endpoint.kind == "host":
            self._host(endpoint)
        elif endpoint.kind == "bind":
            self._bind(endpoint)

    def _fixable(self) -> bool:
        """No fix while a debugger may be on: opening the bind would expose its console."""
        return not debugger_may_be_on(self.context.tree)

    def _host(self, endpoint: Endpoint) -> None:
        constant = resolve_constant(endpoint.node, self.context)
        if constant is None or not isinstance(constant.value, str) or not _LOOPBACK.match(constant.value):
            return
        variable = variable_for(constant, endpoint.node, "HOST", "HOST")
        where = f" (set in {constant.origin})" if constant.origin else ""
        message = (
            f"The server binds to {constant.value}{where}, unreachable from outside its container; "
            f"bind to 0.0.0.0 via ${variable}"
        )
        if constant.node is None or not self._fixable():
            self.report(endpoint.node, message)
            return
        default = "::" if "::" in constant.value else "0.0.0.0"
        fix = self.fix(f"Read the host from ${variable}, defaulting to {default}", Applicability.UNSAFE)
        # A constant that other code reads too (a client's URL) keeps its value: only the bind opens.
        target = endpoint.node if _read_elsewhere(endpoint.node, self.context) else constant.node
        fix.replace(target, env_lookup(fix, variable, string(default, constant.node)))
        self.report(endpoint.node, message, fix=fix)

    def _bind(self, endpoint: Endpoint) -> None:
        bind = Bind.parse(endpoint.node)
        if bind is None or not isinstance(bind.host, str) or not _LOOPBACK.match(bind.host):
            return
        host = bind.host
        message = (
            f"The server binds to {host}, unreachable from outside its container; bind to 0.0.0.0 via $HOST"
        )
        if not self._fixable():
            self.report(endpoint.node, message)
            return
        default = "[::]" if "::" in host else "0.0.0.0"
        variable = env_variable_name(self.context, "HOST", default)
        fix = self.fix(f"Read the host from ${variable}, defaulting to {default}", Applicability.UNSAFE)
        bind.host = env_get_code(fix, variable, default, bind.quote)
        fix.replace(endpoint.node, bind.render(self.context.module))
        self.report(endpoint.node, message, fix=fix)


def _read_elsewhere(node: cst.BaseExpression, context: FileContext) -> bool:
    """Whether the module constant `node` names is read more than once in the module."""
    if not isinstance(node, cst.Name) or context.tree is None:
        return False
    reads = sum(
        1
        for child in ast.walk(context.tree)
        if isinstance(child, ast.Name) and child.id == node.value and isinstance(child.ctx, ast.Load)
    )
    return reads > 1
