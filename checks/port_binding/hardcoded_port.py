"""FS0701 hardcoded-port: a server binds to a port fixed in the code."""

from __future__ import annotations

from pathlib import Path

from factorscan.checks.base import FixAvailability, Invalid, Severity, Valid
from factorscan.checks.port_binding._listening import binds_by_option, gunicorn_config_path, linked_process
from factorscan.checks.port_binding._shared import (
    Bind,
    Endpoint,
    PortBindingRule,
    env_get_code,
    variable_for,
)
from factorscan.core.findings import Finding
from factorscan.python.codemods import env_lookup, env_variable_name, int_env_lookup, string
from factorscan.python.config_values import config_value
from factorscan.python.inference import resolve_constant
from factorscan.scan.project import ProjectModel

# Descriptors at the root of platforms that hand the app its port in $PORT (Heroku and the
# platforms that read its app.json or heroku.yml, App Engine, Render), besides a Procfile.
_PORT_ASSIGNING_FILES = ("app.json", "heroku.yml", "app.yaml", "render.yaml")


class HardcodedPort(PortBindingRule):
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

    A port held by a config object counts too, in this module or one it
    imports from (`from app.config import Config`): a class attribute
    (`Config.PORT`, `self.PORT`), a dataclass field default
    (`Settings().port`), an `app.config` key set to a literal (by item,
    `update()` or `from_object(Config)`).

    A port read from the environment or from the command line is fine, and so
    is one a settings object reads from it: a class attribute set from
    `os.environ`, a pydantic `BaseSettings` field (pydantic reads the
    environment first, as `os.getenv("PORT", default)` would), an attribute
    the object's `__init__` sets, an `app.config` that is also loaded from
    the environment or a file (`from_prefixed_env()`, `from_envvar()`). So is
    `app.run()` without a port in a `__main__` block, and a development or
    test config class (`DevelopmentConfig.PORT`). Port 0 (let the OS choose)
    is never reported.

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
    unset. A metrics server's port reads `METRICS_PORT`. A module constant is
    rewritten where it is defined and named after itself (`ADMIN_PORT`),
    unless the platform sets that name for itself. A second server on another
    port in the same file, or the second port of a bind list, reads its own
    variable (`PORT_2`), never the first one's. A
    port defined in another module, or held by a config object, is reported
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
            import uvicorn
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=0)
                app.run(port=65536)
                uvicorn.run(app, port="auto")
            """,
            note="0 (any free port), past 65535 and a word are no fixed port",
        ),
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
        Valid(
            """
            import os

            import uvicorn

            from app.settings import AppConfig, Options, settings


            class Config:
                PORT = int(os.environ.get("PORT", "8000"))


            class DevelopmentConfig:
                PORT = 8000


            class Server:
                port = 8000

                def __init__(self, port):
                    self.port = port

                def serve(self):
                    uvicorn.run("app.main:app", host="0.0.0.0", port=self.port)


            class BaseServer:
                PORT = 8000

                def serve(self):
                    uvicorn.run("app.main:app", host="0.0.0.0", port=self.PORT)


            class ProductionServer(BaseServer):
                PORT = int(os.environ["PORT"])


            if __name__ == "__main__":
                uvicorn.run("app.main:app", host="0.0.0.0", port=settings.port)
                uvicorn.run("app.main:app", host="0.0.0.0", port=Config.PORT)
                uvicorn.run("app.main:app", host="0.0.0.0", port=DevelopmentConfig.PORT)
                uvicorn.run("app.main:app", host="0.0.0.0", port=Options(port=int(os.environ["PORT"])).port)
                uvicorn.run("app.main:app", host="0.0.0.0", port=AppConfig().http_port)
            """,
            filename="app/main.py",
            files={
                "app/__init__.py": "",
                "app/settings.py": """
                    from dataclasses import dataclass

                    import environ
                    from pydantic_settings import BaseSettings


                    class Settings(BaseSettings):
                        port: int = 8000


                    @dataclass
                    class Options:
                        port: int = 8000


                    @environ.config(prefix="APP")
                    class AppConfig:
                        http_port = 8000


                    settings = Settings()
                    """,
            },
            note="config objects that read the port from the environment: a BaseSettings field, an "
            "os.environ lookup, an instance given the port, an attribute __init__ sets, a subclass's "
            "attribute that self may read, a decorator that may fill the class; a development class",
        ),
        Valid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config["PORT"] = 5000
            app.config.from_prefixed_env()

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=app.config["PORT"])
            """,
            note="app.config is also loaded from FLASK_* variables, which may set PORT",
        ),
        Valid(
            """
            from flask import Flask

            app = Flask(__name__)
            if app.debug:
                app.config["PORT"] = 5000

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=app.config["PORT"])
            """,
            note="an app.config key set only in a branch: one setup among others",
        ),
    )
    INVALID = (
        Invalid(
            """
            import uvicorn

            from app.config import Config, settings

            if __name__ == "__main__":
                uvicorn.run("app.main:app", host="0.0.0.0", port=Config.PORT)
                uvicorn.run("app.main:app", host="0.0.0.0", port=settings.port)
            """,
            filename="app/main.py",
            files={
                "app/__init__.py": "",
                "app/config.py": """
                    from dataclasses import dataclass, field


                    class Config:
                        PORT = 8000


                    @dataclass
                    class Settings:
                        port: int = field(default=8001)


                    settings = Settings()
                    """,
            },
            count=2,
            line=6,
            note="a config class attribute and a dataclass default, imported from another module",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config.update(PORT=5000)


            class Server:
                PORT = 8000

                def serve(self):
                    app.run(host="0.0.0.0", port=self.PORT)


            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=app.config["PORT"])
            """,
            count=2,
            line=11,
            note="a class attribute read through self, and an app.config key set in the module",
        ),
        Invalid(
            """
            import uvicorn
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=1)
                app.run(port=65535)
                uvicorn.run(app, port="8000")
            """,
            fixed="""
            import os

            import uvicorn
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=int(os.environ.get("PORT", "1")))
                app.run(port=int(os.environ.get("PORT_2", "65535")))
                uvicorn.run(app, port=os.environ.get("PORT_3", "8000"))
            """,
            count=3,
            note="the first and last ports, and a port given as a string (its fix keeps it a string)",
        ),
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
            severity=Severity.WARNING,
            note="no deployment says how the app is served: the `__main__` block may be it",
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
            from http.server import BaseHTTPRequestHandler, HTTPServer

            import uvicorn

            admin = HTTPServer(("0.0.0.0", 8081), BaseHTTPRequestHandler)
            uvicorn.run("main:app", host="0.0.0.0", port=8000)
            """,
            fixed="""
            import os
            from http.server import BaseHTTPRequestHandler, HTTPServer

            import uvicorn

            admin = HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8081"))), BaseHTTPRequestHandler)
            uvicorn.run("main:app", host="0.0.0.0", port=int(os.environ.get("PORT_2", "8000")))
            """,
            count=2,
            note="a second server on another port reads its own variable",
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
            fixed="""
            import os
            import socket

            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.bind(("0.0.0.0", int(os.environ.get("PORT", "9000"))))
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
            fixed="""
            import os

            import tornado.ioloop
            import tornado.web

            class MainHandler(tornado.web.RequestHandler):
                def get(self):
                    self.write("hello")

            if __name__ == "__main__":
                app = tornado.web.Application([(r"/", MainHandler)])
                app.listen(int(os.environ.get("PORT", "8888")))
                tornado.ioloop.IOLoop.current().start()
            """,
        ),
        Invalid(
            """
            import grpc

            def serve(servicer):
                server = grpc.server(None)
                server.add_insecure_port("[::]:50051")
                server.start()
            """,
            fixed="""
            import os

            import grpc

            def serve(servicer):
                server = grpc.server(None)
                server.add_insecure_port(f"[::]:{os.environ.get('PORT', '50051')}")
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
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=4000, debug=True)
            """,
            filename="shop/wsgi.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "shop.wsgi:app"]\n'},
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=int(os.environ.get("PORT", "4000")), debug=True)
            """,
            severity=Severity.INFO,
            note="a development run: the image serves the app with gunicorn; `__main__` never runs there",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=4000, debug=True)
            """,
            filename="shop/wsgi.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "shop/wsgi.py"]\n'},
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(port=int(os.environ.get("PORT", "4000")), debug=True)
            """,
            severity=Severity.WARNING,
            note="the image runs this file: its server is the app's",
        ),
        Invalid(
            """
            import uvicorn

            config = uvicorn.Config("shop.asgi:app", port=8000, reload=True)
            uvicorn.Server(config).run()
            """,
            filename="shop/__main__.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "shop.asgi:app", "--port=8000"]\n'},
            fixed="""
            import os

            import uvicorn

            config = uvicorn.Config("shop.asgi:app", port=int(os.environ.get("PORT", "8000")), reload=True)
            uvicorn.Server(config).run()
            """,
            severity=Severity.INFO,
            note="`python -m shop` with reload for developers; the image runs uvicorn itself",
        ),
        Invalid(
            """
            bind = "0.0.0.0:8001"
            workers = 5
            """,
            filename="contrib/gunicorn.py",
            fixed="""
            import os

            bind = f"0.0.0.0:{os.environ.get('PORT', '8001')}"
            workers = 5
            """,
            severity=Severity.INFO,
            note="a sample configuration for a host install, which nothing in the project runs",
        ),
        Invalid(
            """
            bind = "0.0.0.0:8001"
            workers = 5
            """,
            filename="contrib/gunicorn.py",
            files={"Procfile": "web: gunicorn -c contrib/gunicorn.py shop.wsgi\n"},
            fixed="""
            import os

            bind = f"0.0.0.0:{os.environ.get('PORT', '8001')}"
            workers = 5
            """,
            severity=Severity.WARNING,
            note="the Procfile loads it",
        ),
        Invalid(
            """
            bind = "[::]:8000"
            workers = 2
            """,
            filename="gunicorn.conf.py",
            files={"compose.yaml": "services:\n  web:\n    build: .\n    command: gunicorn shop.wsgi\n"},
            fixed="""
            import os

            bind = f"[::]:{os.environ.get('PORT', '8000')}"
            workers = 2
            """,
            severity=Severity.INFO,
            note="the port of the container compose runs, which no platform assigns",
        ),
        Invalid(
            """
            bind = "[::]:8000"
            workers = 2
            """,
            filename="gunicorn.conf.py",
            files={
                "compose.yaml": "services:\n  web:\n    build: .\n    command: gunicorn shop.wsgi\n",
                "app.json": '{"name": "shop"}',
            },
            fixed="""
            import os

            bind = f"[::]:{os.environ.get('PORT', '8000')}"
            workers = 2
            """,
            severity=Severity.WARNING,
            note="app.json: the project also deploys where the platform assigns $PORT",
        ),
        Invalid(
            """
            bind = "[::]:8000"
            workers = 2
            """,
            filename="gunicorn.conf.py",
            files={
                "compose.yaml": "services:\n  web:\n    build: .\n    command: gunicorn -b :8000 shop.wsgi\n"
            },
            fixed="""
            import os

            bind = f"[::]:{os.environ.get('PORT', '8000')}"
            workers = 2
            """,
            severity=Severity.WARNING,
            note="the container's command line binds the port, not this module",
        ),
        Invalid(
            """
            bind = "[::]:8000"
            workers = 2
            """,
            filename="gunicorn.conf.py",
            files={
                "compose.yaml": (
                    "services:\n  web:\n    build: .\n    command: gunicorn shop.wsgi\n"
                    "    environment:\n      PORT: '8000'\n"
                )
            },
            fixed="""
            import os

            bind = f"[::]:{os.environ.get('PORT', '8000')}"
            workers = 2
            """,
            severity=Severity.WARNING,
            note="the container is given $PORT, which the module ignores",
        ),
    )

    @classmethod
    def review(cls, findings: list[Finding], project: ProjectModel) -> list[Finding]:
        findings = super().review(findings, project)
        pinned = _container_port_configs(project)
        reviewed = []
        for finding in findings:
            label = pinned.get(project.relative(Path(finding.path).absolute()))
            if label is None or finding.severity is Severity.INFO:
                reviewed.append(finding)
                continue
            reason = f"the port {label} is wired to inside its container; nothing here assigns $PORT"
            reviewed.append(finding.as_notice(reason))
        return reviewed

    def check_endpoint(self, endpoint: Endpoint) -> None:
        if endpoint.kind == "port":
            self._port(endpoint)
        elif endpoint.kind == "bind":
            self._bind(endpoint)

    def _port(self, endpoint: Endpoint) -> None:
        constant = resolve_constant(endpoint.node, self.context) or config_value(endpoint.node, self.context)
        if constant is None or not _is_port(constant.value):
            return
        variable = variable_for(constant, endpoint.node, endpoint.server.port_variable, "PORT")
        if constant.node is not None:
            # A second server on another port gets its own variable (PORT_2), never a shared one.
            variable = env_variable_name(self.context, variable, str(constant.value))
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

    def _bind(self, endpoint: Endpoint) -> None:
        bind = Bind.parse(endpoint.node)
        if bind is None or not isinstance(bind.port, str) or not _is_port(bind.port):
            return
        variable = env_variable_name(self.context, "PORT", bind.port)  # each port of a bind list its own
        fix = self.fix(f"Read the port from ${variable}, defaulting to {bind.port}")
        bind.port = env_get_code(fix, variable, bind.port, bind.quote)
        fix.replace(endpoint.node, bind.render(self.context.module))
        self.report(
            endpoint.node, f"The server binds to a port fixed in the code; read it from ${variable}", fix=fix
        )


def _is_port(value: int | str) -> bool:
    if isinstance(value, str):
        if not value.isdigit():
            return False
        value = int(value)
    return 0 < value < 65536


def _container_port_configs(project: ProjectModel) -> dict[str, str]:
    """gunicorn configuration modules whose `bind` is the port of a compose service or
    Kubernetes container that runs the app, with the container's label. Inside a container
    the port is the image's contract with its orchestrator, not something a platform assigns,
    unless the container is given $PORT or the project also deploys to a platform that sets it."""
    deployment = project.deployment
    if (
        deployment.empty
        or project.tree_files_of_kind("procfile")
        or any((project.root / name).is_file() for name in _PORT_ASSIGNING_FILES)
    ):
        return {}
    configs: dict[str, str] = {}
    for linked in deployment.linked_containers(project.root.name):
        process = linked_process(project, linked)
        if (
            process is None
            or process.server != "gunicorn"
            or binds_by_option(process)
            or "PORT" in linked.provided
        ):
            continue
        path = gunicorn_config_path(project, process)
        if path is not None:
            configs.setdefault(project.relative(path.absolute()), linked.label)
    return configs
