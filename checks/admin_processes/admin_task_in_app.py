"""FS1201 admin-task-in-app: migrations or schema creation run inside the app instead of a one-off process."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

import libcst as cst

from factorscan.checks.admin_processes._start_migrations import (
    MIGRATION_COMMANDS,
    shell_migration,
    start_migrations,
    uwsgi_migrations,
)
from factorscan.checks.base import FileRule, Invalid, ProjectRule, Severity, SourceRule, Valid
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.deploy.system_tools import PROCESS_STARTERS
from factorscan.python.call_facts import REQUEST, STARTUP, record_reach_candidate
from factorscan.python.codemods import argument
from factorscan.python.handlers import HandlerKind, is_admin_script_path
from factorscan.python.traversal import FileContext
from factorscan.scan.call_graph import reached_findings
from factorscan.scan.project import ProjectModel

# Where migrations belong: run by the release, once, before the new processes start.
_ONCE_PER_RELEASE = "run it once per release instead (a release phase, a Kubernetes Job, a Helm hook)"

_SCHEMA_FUNCTIONS = {
    "alembic.command.upgrade": "alembic upgrade",
    "alembic.command.downgrade": "alembic downgrade",
    "alembic.command.stamp": "alembic stamp",
    "flask_migrate.upgrade": "flask_migrate.upgrade()",
    "flask_migrate.migrate": "flask_migrate.migrate()",
    "flask_migrate.downgrade": "flask_migrate.downgrade()",
    "flask_migrate.stamp": "flask_migrate.stamp()",
    "tortoise.Tortoise.generate_schemas": "Tortoise.generate_schemas()",
}


# `.create_all()` (SQLAlchemy metadata, Flask-SQLAlchemy, SQLModel), peewee `create_tables`.
_SCHEMA_METHODS = frozenset({"create_all", "drop_all", "create_tables", "drop_tables", "generate_schemas"})


_DDL = re.compile(r"^\s*(create|alter|drop)\s+(table|index|schema|extension|unique\s+index)\b", re.IGNORECASE)


def _command_words(node: cst.BaseExpression, context: FileContext) -> list[str] | None:
    text = context.string_value(node)
    if text is not None:
        try:
            return shlex.split(text)
        except ValueError:
            return text.split()
    if isinstance(node, (cst.List, cst.Tuple)):
        words = [context.string_value(element.value) for element in node.elements]
        return [word for word in words if word is not None]
    return None


# A helper running migrations, and an app factory of another module that may call it.
_SYNC_HELPER = """
from django.core.management import call_command

def sync():
    call_command("migrate")
"""
_FACTORY = """
from flask import Flask
from shop import schema
def create_app():
    app = Flask(__name__)
    {call}()
    return app
"""


class AdminTaskInApp(SourceRule, FileRule, ProjectRule):
    """
    ## What it does
    Finds migrations and schema creation that run as part of the app
    instead of as a one-off admin process:

    - what: Django `call_command("migrate")` (also `makemigrations`,
      `createcachetable`, `loaddata`, `createsuperuser`, `flush`),
      `db.create_all()` / `Base.metadata.create_all(engine)` /
      `SQLModel.metadata.create_all(engine)`, peewee `create_tables`,
      Tortoise `generate_schemas`, `alembic.command.upgrade`, Flask-Migrate's
      `upgrade()`, `CREATE TABLE` / `ALTER TABLE` SQL, and `flask db
      upgrade` / `manage.py migrate` / `alembic upgrade` run through
      `subprocess` or `os.system`;
    - where: inside a request handler or per-request hook; in a start-up hook
      (`@app.on_event("startup")`, a lifespan, `before_first_request`,
      aiohttp `on_startup`) or an app factory (a function that builds the
      Flask/FastAPI/... app), Django `AppConfig.ready`, gunicorn server
      hooks (`on_starting`, `post_fork`); in a first-party function one of
      these calls, up to three calls away across modules (the message names
      it); or at import time of a module that is not a one-off script.

    Migrations that a process runs each time it starts (`python manage.py
    migrate && gunicorn ...` in a Procfile's web line, a Dockerfile's command
    or the entrypoint script it runs, a compose command, a Kubernetes
    container or init container, uWSGI's `hook-pre-app = exec:...` and
    `exec-*` hooks) are a notice at `info`: each replica runs them on each
    start. A Procfile `release:` line is where they belong.

    Not reported: the same calls in CLI commands (`@app.cli.command`,
    click, Django management commands), in `__main__` blocks, in scripts
    (`manage.py`, `scripts/`, `migrations/`, `alembic/`, `init_db.py`, a
    `__main__` program that is not a web app), and in tests.

    ## Why is this bad?
    Factor XII: admin tasks such as database migrations run as one-off
    processes against a release, not inside the long-running app. Run at
    start-up, every web process and every replica races to migrate the same
    database at once, a failed migration takes the whole fleet down in a
    crash loop, and a deploy cannot separate "release" from "migrate". Run
    in a handler, any request can change the schema.

    ## Example
    ```python
    def create_app():
        app = Flask(__name__)
        db.init_app(app)
        with app.app_context():
            db.create_all()
        return app
    ```

    Use instead a one-off process, run once per release (a Procfile
    `release:` line, a Kubernetes `Job`, `heroku run`):
    ```python
    @app.cli.command("init-db")
    def init_db():
        db.create_all()
    ```

    ## Fix
    None: move the task to a command (`flask db upgrade`,
    `python manage.py migrate`, `alembic upgrade head`) that the release
    process runs once.
    """

    code = "FS1201"
    name = "admin-task-in-app"
    severity = Severity.WARNING
    summary = "Migrations or schema creation run inside the app instead of a one-off process"
    test_files = "not checked"
    # uWSGI's hooks in its ini and YAML configs (start commands are read by the project half).
    kinds = ("ini", "yaml")
    file_triggers = (b"hook-", b"exec-", b"hook_", b"exec_")
    needs_call_facts = True  # tasks in helpers that a handler or start-up hook calls
    triggers = (
        b"call_command",
        b"create_all",
        b"drop_all",
        b"create_tables",
        b"drop_tables",
        b"generate_schemas",
        b"alembic",
        b"flask_migrate",
        b"db upgrade",
        b"upgrade'",
        b'upgrade"',
        b"migrate'",
        b'migrate"',
        b"CREATE TABLE",
        b"ALTER TABLE",
        b"CREATE INDEX",
        b"create table",
        b"alter table",
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        # Admin scripts (manage.py, scripts/, migrations/, management commands) are the fix.
        return not is_test_path(relative_path) and not is_admin_script_path(relative_path)

    VALID = (
        Valid(
            """
            release: python manage.py migrate --noinput
            web: gunicorn shop.wsgi
            """,
            filename="Procfile",
            files={"uwsgi.ini": "[uwsgi]\nmodule = shop.wsgi\nhook-pre-app = exec:python manage.py check\n"},
            note="migrations in the release phase; a start hook that runs no migration",
        ),
        Valid(
            _SYNC_HELPER,
            filename="shop/schema.py",
            files={"shop/app.py": _FACTORY.format(call="print")},
            note="a helper that no handler or start-up hook calls (a CLI may)",
        ),
        Valid(
            """
            import click
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()

            def create_app():
                app = Flask(__name__)
                db.init_app(app)

                @app.cli.command("init-db")
                def init_db():
                    db.create_all()
                    click.echo("Initialized the database.")

                return app
            """,
            note="a CLI command: the one-off admin process",
        ),
        Valid(
            """
            from django.core.management import call_command
            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    call_command("migrate", interactive=False)
            """,
            filename="shop/management/commands/setup.py",
        ),
        Valid(
            """
            from app import app, db

            with app.app_context():
                db.create_all()
            """,
            filename="init_db.py",
            note="a one-off script",
        ),
        Valid(
            """
            from sqlalchemy import create_engine

            from app.models import Base

            if __name__ == "__main__":
                Base.metadata.create_all(create_engine("postgresql://localhost/app"))
            """,
            filename="app/main.py",
        ),
        Valid(
            """
            import pytest

            @pytest.fixture
            def database(app):
                with app.app_context():
                    db.create_all()
                    yield db
                    db.drop_all()
            """,
            filename="tests/conftest.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            [uwsgi]
            module = shop.wsgi:application
            hook-pre-app = exec:python manage.py migrate --noinput
            """,
            filename="deploy/uwsgi.ini",
            files={"Procfile": "web: python manage.py migrate && gunicorn shop.wsgi\n"},
            count=2,
            severity=Severity.INFO,
            note="migrations run at every start, by a uWSGI hook and by the web process's command",
        ),
        Invalid(
            _SYNC_HELPER,
            filename="shop/schema.py",
            files={"shop/app.py": _FACTORY.format(call="schema.sync")},
            line=4,
            note="a helper of another module that the app factory calls",
        ),
        Invalid(
            """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()

            def create_app():
                app = Flask(__name__)
                db.init_app(app)
                with app.app_context():
                    db.create_all()
                return app
            """,
            line=10,
            note="an app factory",
        ),
        Invalid(
            """
            from fastapi import FastAPI
            from sqlmodel import SQLModel, create_engine

            engine = create_engine("postgresql://db/app")
            app = FastAPI()

            @app.on_event("startup")
            def on_startup():
                SQLModel.metadata.create_all(engine)
            """,
            note="a start-up hook",
        ),
        Invalid(
            """
            from fastapi import FastAPI

            from . import models
            from .database import engine

            models.Base.metadata.create_all(bind=engine)

            app = FastAPI()
            """,
            filename="app/main.py",
            note="at import time of the app module",
        ),
        Invalid(
            """
            from django.core.management import call_command
            from django.http import HttpResponse

            def reset(request):
                call_command("migrate", "shop", "zero")
                return HttpResponse("ok")
            """,
            filename="shop/views.py",
            note="a Django view",
        ),
        Invalid(
            """
            import subprocess

            from aiohttp import web

            async def init(app):
                subprocess.run(["flask", "db", "upgrade"], check=True)

            def make_app():
                app = web.Application()
                app.on_startup.append(init)
                return app
            """,
            note="flask db upgrade through subprocess, in an aiohttp on_startup hook",
        ),
        Invalid(
            """
            import os

            from alembic import command
            from alembic.config import Config
            from django.core.wsgi import get_wsgi_application

            command.upgrade(Config("alembic.ini"), "head")
            application = get_wsgi_application()
            """,
            filename="shop/wsgi.py",
        ),
        Invalid(
            """
            import sqlite3

            from flask import Flask, g

            app = Flask(__name__)

            @app.before_request
            def connect():
                g.db = sqlite3.connect("/data/app.db")
                g.db.execute("CREATE TABLE IF NOT EXISTS visits (path TEXT)")
            """,
            note="DDL in a per-request hook",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        task = self._task(node)
        if task is None:
            return
        where = self._where()
        if where is not None:
            self.report(
                node,
                f"{task} runs {where}; run it as a one-off admin process (a release command or a Job)",
            )
        elif not (self.context.in_main_block() or self.context.handlers.is_script):
            record_reach_candidate(
                self.context,
                self.code,
                node,
                f"{task} runs in `{{function}}`, {{reached}}; "
                "run it as a one-off admin process (a release command or a Job)",
                roles=(REQUEST, STARTUP),
            )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        yield from reached_findings(self, project)
        for command, index, migration in start_migrations(project):
            start, end = command.span(index)
            message = (
                f"`{migration}` runs each time the app's container starts ({command.where}): replicas "
                f"run it at once; {_ONCE_PER_RELEASE}"
            )
            yield self.make_finding(command.path, start, end, message, severity=Severity.INFO)

    def check_file(self, source: SourceFile) -> Iterable[Finding]:
        for option, migration in uwsgi_migrations(source):
            message = (
                f"uWSGI {option.key} runs `{migration}` at every start of every instance: replicas "
                f"run it at once; {_ONCE_PER_RELEASE}"
            )
            yield self.make_finding(
                source.display_path, option.start, option.end, message, severity=Severity.INFO
            )

    def _task(self, node: cst.Call) -> str | None:
        context = self.context
        qualified = context.qualified_name(node.func) or ""
        if qualified.startswith("django.") and qualified.endswith(".call_command"):
            command = argument(node, 0, "command_name")
            name = context.string_value(command.value) if command is not None else None
            return f'call_command("{name}")' if name in MIGRATION_COMMANDS else None
        if _SCHEMA_FUNCTIONS.get(qualified):
            return _SCHEMA_FUNCTIONS[qualified]
        if qualified in PROCESS_STARTERS:
            command = argument(node, 0, "args") or argument(node, 0, "cmd") or argument(node, 0, "command")
            words = _command_words(command.value, context) if command is not None else None
            migration = shell_migration(words) if words else None
            return f"`{migration}`" if migration else None
        if not isinstance(node.func, cst.Attribute):
            return None
        method = node.func.attr.value
        if method in _SCHEMA_METHODS and not qualified.startswith(("builtins.", "os.", "sys.")):
            return f"Schema creation ({method}())"
        if method in ("execute", "executescript") and node.args:
            sql = context.string_value(context.literal(node.args[0].value))
            if sql is not None and _DDL.match(sql):
                return f"Schema change ({' '.join(sql.split()[:2]).upper()})"
        return None

    def _where(self) -> str | None:
        """Where the call runs: per request, at start-up, at import; None for admin code."""
        context = self.context
        handler = context.enclosing_handler()
        if handler is not None:
            if handler.kind is HandlerKind.REQUEST:
                return f"inside request handler `{handler.name}`"
            return f"at app start-up (in `{handler.name}`)"
        if context.in_function() or context.in_main_block() or context.handlers.is_script:
            return None
        if context.enclosing_class() is not None:
            return None
        return "at import time of the app"
