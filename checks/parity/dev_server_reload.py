"""FS1002 dev-server-reload: the deploy runs the app server with code reloading, a development setting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import libcst as cst

from factorscan.checks.base import Invalid, ProjectRule, Severity, SourceRule, Valid
from factorscan.core.findings import Finding, Location
from factorscan.deploy.container import Process
from factorscan.deploy.purpose import is_development_descriptor
from factorscan.deploy.shell import words
from factorscan.python.dev_runs import StartNotes
from factorscan.python.targets import (
    environment_specific_file,
    environment_specific_module,
    sample_or_test_file,
)
from factorscan.scan.dev_runs import review_development_starts
from factorscan.scan.project import ProjectModel

# Server functions and the keyword that switches their reloader on.
_RELOAD_KEYWORDS = {
    "uvicorn.run": "reload",
    "uvicorn.main.run": "reload",
    "uvicorn.Config": "reload",
    "uvicorn.config.Config": "reload",
    "werkzeug.serving.run_simple": "use_reloader",
    "werkzeug.run_simple": "use_reloader",
}
# `app.run(use_reloader=True)` (Flask, Flask-SocketIO) on objects that cannot be resolved.
_RELOADER_METHOD_KEYWORD = "use_reloader"
# `.run` of these is not a server.
_NOT_SERVERS = re.compile(r"^(subprocess|asyncio|trio|anyio|unittest|pytest|invoke|fabric)\.")
# Servers whose command line takes `--reload`.
_RELOAD_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn"})
# gunicorn/hypercorn configuration modules: `reload = True` there.
_SERVER_CONFIG = re.compile(r"(gunicorn|hypercorn)[\w.-]*\.py$", re.IGNORECASE)


# A server started by a CLI command, and an image that serves the app with gunicorn.
_CLI_SERVER = """
    import click
    import uvicorn


    @click.command("{command}")
    def run_server():
        uvicorn.run("shop.main:app", reload=True)
    """
_GUNICORN_IMAGE = {"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "shop.wsgi"]\n'}
_MAIN_FUNCTION = """
    import uvicorn


    def main():
        uvicorn.run("shop.app:app", host="0.0.0.0", reload=True)


    if __name__ == "__main__":
        main()
    """


def _development_file(relative_path: str) -> bool:
    """`Procfile.dev`, `Dockerfile.dev`, `compose.test.yaml`, and `docker-compose.override.yml`,
    which `docker compose up` adds on a developer's machine."""
    name = PurePosixPath(relative_path).name.lower()
    return (
        is_development_descriptor(relative_path)
        or (name.startswith(("docker-compose.override.", "compose.override.")))
        or sample_or_test_file(relative_path)
    )


def _reloads(process: Process) -> bool:
    """A server command line with `--reload` (uvicorn, gunicorn, hypercorn, `flask run`)."""
    argv = list(process.argv)
    if process.shell_script is not None:
        argv = [word.text for word in words(process.shell_script)]
    if "--reload" not in argv:
        return False
    flask_run = any(
        word == "flask" and index + 1 < len(argv) and "run" in argv[index + 1 :]
        for index, word in enumerate(argv)
    )
    return process.server in _RELOAD_SERVERS or flask_run


class DevServerReload(SourceRule, ProjectRule):
    """
    ## What it does
    Finds app servers started with code reloading in what the project
    deploys: `uvicorn.run(..., reload=True)`, werkzeug's `run_simple(...,
    use_reloader=True)` and `app.run(use_reloader=True)`, `reload = True` in
    a gunicorn or hypercorn configuration module, and `--reload` on a
    uvicorn, gunicorn, hypercorn or `flask run` command line in a Procfile,
    the final `CMD`/`ENTRYPOINT` of a Dockerfile or a compose file. A value
    the environment controls (`reload=settings.DEBUG`), files for
    development (`Procfile.dev`, `docker-compose.override.yml`,
    `Dockerfile.dev`, development settings modules) and tests are left
    alone. A reload switched on only when the module runs as a script
    (`if __name__ == "__main__":`) is reported at info: it matters when the
    deploy runs the file that way. So is one in `__main__.py` or in a
    development command (`def develop()`, `@cli.command("dev")`, a
    docstring that says "for development") when the deployment serves the
    app with a server of its own or runs another file.

    This is a rule of its own rather than part of FS1001: FS1001 reports code
    that branches on the environment's name, while this is a development
    setting that reaches the deploy unchanged, found in server calls and
    command lines, and selected or silenced on its own.

    ## Why is this bad?
    Factor X, dev/prod parity: the reloader is a development convenience.
    In a deploy it watches the file system (CPU and inotify handles in every
    replica), restarts the process when a file changes under it, runs the
    app in a child of a supervisor process that handles signals differently,
    and with gunicorn it does not combine with `--preload`; production then
    runs a different process model from the one that was tested.

    ## Example
    ```python
    uvicorn.run("shop.main:app", host="0.0.0.0", port=8000, reload=True)
    ```

    Use instead:
    ```python
    uvicorn.run("shop.main:app", host="0.0.0.0", port=8000, reload=settings.debug)
    ```
    and keep `--reload` in `Procfile.dev` or `docker-compose.override.yml`.

    ## Fix
    None: whether the deploy should drop the reloader or read it from the
    environment is the project's choice.
    """

    code = "FS1002"
    name = "dev-server-reload"
    severity = Severity.WARNING
    summary = "The app server reloads on code changes, a development setting, in what the project deploys"
    test_files = (
        "skipped, like development settings modules and development Procfiles, compose and Dockerfiles"
    )
    triggers = (b"reload", b"use_reloader")

    VALID = (
        Valid(
            """
            import uvicorn

            from shop.config import settings

            uvicorn.run("shop.main:app", host="0.0.0.0", port=8000, reload=settings.debug)
            """,
            note="the environment decides",
        ),
        Valid(
            """
            import uvicorn

            uvicorn.run("shop.main:app", host="0.0.0.0", port=8000, reload=False)
            """
        ),
        Valid(
            """
            import subprocess

            subprocess.run(["make", "assets"], check=True)
            """,
            note="not a server",
        ),
        Valid(
            """
            import uvicorn

            uvicorn.run("shop.main:app", reload=True)
            """,
            filename="shop/settings/dev.py",
            note="a development settings module",
        ),
        Valid(
            "web: uvicorn shop.main:app --reload --port $PORT\n",
            filename="Procfile.dev",
            files={"shop/main.py": "app = None\n"},
            note="a development Procfile",
        ),
        Valid(
            """
            services:
              web:
                build: .
                command: uvicorn shop.main:app --host 0.0.0.0 --reload
            """,
            filename="docker-compose.override.yml",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "shop.main:app"]\n'},
            note="the compose override a laptop adds",
        ),
        Valid(
            "web: gunicorn shop.wsgi --reload-engine auto\n",
            filename="Procfile",
            note="an option about reloading is not `--reload`",
        ),
        Valid(
            "reload = False\nworkers = 4\n",
            filename="gunicorn.conf.py",
        ),
        Valid(
            'import os\n\nif os.environ.get("DEBUG") == "1":\n    reload = True\n',
            filename="gunicorn.conf.py",
            note="switched on by a condition: the configuration decides",
        ),
        Valid(
            """
            import uvicorn

            uvicorn.run("shop.main:app", reload=True)
            """,
            filename="tests/test_server.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            import uvicorn

            uvicorn.run("shop.main:app", host="0.0.0.0", port=8000, reload=True)
            """,
            line=3,
        ),
        Invalid(
            _CLI_SERVER.format(command="develop"),
            filename="shop/cli.py",
            files=_GUNICORN_IMAGE,
            line=7,
            severity=Severity.INFO,
            note="a development command, while the deployment serves the app with gunicorn",
        ),
        Invalid(
            _CLI_SERVER.format(command="serve"),
            filename="shop/cli.py",
            files=_GUNICORN_IMAGE,
            line=7,
            severity=Severity.WARNING,
            note="a command not named for development may be what serves",
        ),
        Invalid(
            _MAIN_FUNCTION,
            filename="shop/app.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "shop/main.py"]\n'},
            line=5,
            severity=Severity.INFO,
            note="the function the `__main__` block calls, while the deployment runs another file",
        ),
        Invalid(
            _MAIN_FUNCTION,
            filename="shop/app.py",
            files={
                "docker/Dockerfile": "FROM python:3.12-slim\nCOPY ./shop /app/shop\n"
                'COPY ./docker/entry.sh /app/run.sh\nENTRYPOINT ["/app/run.sh"]\n',
                "docker/entry.sh": "#!/bin/sh\nexec python /app/shop/main.py\n",
            },
            line=5,
            severity=Severity.INFO,
            note="the entry script, copied from a build context above the Dockerfile, runs another file",
        ),
        Invalid(
            _MAIN_FUNCTION,
            filename="shop/app.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "shop/app.py"]\n'},
            line=5,
            severity=Severity.WARNING,
            note="the deployment runs this very file",
        ),
        Invalid(
            """
            import uvicorn

            uvicorn.Config("shop.asgi:application", port=8000, reload=True)
            """,
            filename="shop/__main__.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "shop.asgi:application"]\n'},
            line=3,
            severity=Severity.INFO,
            note="`python -m shop`, while the deployment serves the app with uvicorn",
        ),
        Invalid(
            """
            from werkzeug.serving import run_simple

            from shop import app

            run_simple("0.0.0.0", 8000, app, use_reloader=True)
            """,
            line=5,
        ),
        Invalid(
            """
            from shop import create_app

            app = create_app()
            app.run(host="0.0.0.0", port=8000, use_reloader=True)
            """,
            note="Flask's app.run",
        ),
        Invalid(
            """
            import uvicorn

            if __name__ == "__main__":
                uvicorn.run("shop.main:app", reload=True)
            """,
            severity=Severity.INFO,
            note="only when run as a script: info",
        ),
        Invalid("bind = '0.0.0.0:8000'\nreload = True\n", filename="gunicorn.conf.py", line=2),
        Invalid(
            "web: uvicorn shop.main:app --host 0.0.0.0 --port $PORT --reload\n",
            filename="Procfile",
            files={"shop/main.py": "app = None\n"},
        ),
        Invalid(
            'FROM python:3.12-slim\nCMD ["gunicorn", "--reload", "shop.wsgi"]\n',
            filename="Dockerfile",
            line=2,
        ),
        Invalid(
            "FROM python:3.12-slim\nCMD exec flask --app shop run --host 0.0.0.0 --reload\n",
            filename="Dockerfile",
            line=2,
            note="shell form",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                command: uvicorn shop.main:app --host 0.0.0.0 --reload
            """,
            filename="docker-compose.yml",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "shop.main:app"]\n'},
            line=4,
        ),
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not (sample_or_test_file(relative_path) or environment_specific_file(relative_path))

    @classmethod
    def review(cls, findings: list[Finding], project: ProjectModel) -> list[Finding]:
        return review_development_starts(findings, project)

    def __init__(self) -> None:
        # Reported starts that may be a developer's own run, for `review` to judge.
        self._starts = StartNotes()

    def leave_Module(self, original_node: cst.Module) -> None:
        self._starts.record(self.context)

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        qualified = context.qualified_name(node.func)
        keyword = _RELOAD_KEYWORDS.get(qualified or "")
        if keyword is None:
            is_method = isinstance(node.func, cst.Attribute) and node.func.attr.value in ("run", "run_server")
            if not is_method or (qualified is not None and _NOT_SERVERS.match(qualified)):
                return
            keyword = _RELOADER_METHOD_KEYWORD
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == keyword and self._true(arg.value):
                self._report(arg, f"`{keyword}=True` starts the server with its code reloader")
                self._starts.note(context, arg, node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if not _SERVER_CONFIG.search(self.context.relative_path) or not self.context.at_module_level():
            return
        if any(isinstance(ancestor, cst.If) for ancestor in self.context.stack):
            return  # `if env.bool("DEBUG"): reload = True`: the configuration decides
        for target in node.targets:
            if (
                isinstance(target.target, cst.Name)
                and target.target.value == "reload"
                and self._true(node.value)
            ):
                self._report(node, "`reload = True` makes the server reload on code changes")

    def _true(self, value: cst.BaseExpression) -> bool:
        literal = self.context.literal(value)
        return isinstance(literal, cst.Name) and literal.value == "True"

    def _report(self, node: cst.CSTNode, what: str) -> None:
        if environment_specific_module(self.context):
            return  # a module whose header says it is for development or tests
        if self.context.in_main_block():
            self.report(
                node,
                f"{what} when this module runs as a script; if the deploy runs it so, read it from "
                "the environment",
                severity=Severity.INFO,
            )
            return
        self.report(node, f"{what} in what the project deploys; keep it to development")

    # -- command lines: Procfiles, Dockerfiles, compose files -------------------------------

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        for declared in project.processes:
            if _development_file(project.relative(declared.path)) or not _reloads(declared.process):
                continue
            source = project.source(declared.path)
            row = declared.row
            column = 1
            if source is not None:
                # `--reload` may sit on a continuation line of the declaration.
                for offset in range(4):
                    try:
                        line = source.line(declared.row + offset)
                    except (IndexError, ValueError):
                        break
                    found = re.search(r"--reload(?![\w-])", line)
                    if found:
                        row, column = declared.row + offset, found.start() + 1
                        break
            program = "flask run" if declared.process.server is None else declared.process.server
            yield self.make_finding(
                project.display(declared.path),
                Location(row, column),
                Location(row, column + len("--reload")),
                f"{declared.name}: `{program} --reload` restarts the server on code changes in what the "
                "project deploys; keep it to development (`Procfile.dev`, a compose override)",
            )
