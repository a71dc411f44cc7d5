"""FS0603 sqlite-app-database: a file-backed SQLite database is the app's store."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.base import Invalid, Severity, SourceRule, Valid
from factorscan.checks.processes._shared import non_production
from factorscan.core.discovery import is_sample_path, is_test_path
from factorscan.python.codemods import argument
from factorscan.python.handlers import is_admin_script_path
from factorscan.python.inference import (
    guarded_by_configuration,
    is_env_default,
    reads_environment,
    resolve_constant,
)

_SQLITE_CONNECT = frozenset(
    {
        "sqlite3.connect",
        "sqlite3.dbapi2.connect",
        "aiosqlite.connect",
        "peewee.SqliteDatabase",
        "playhouse.sqlite_ext.SqliteExtDatabase",
        "playhouse.sqliteq.SqliteQueueDatabase",
        "playhouse.apsw_ext.APSWDatabase",
        "sqlite_utils.Database",
    }
)


_SQLITE_URL = re.compile(r"^sqlite(\+\w+)?://(?P<path>.*)$", re.IGNORECASE)


_MEMORY = re.compile(r"(^$|^/?:memory:|^file::memory:|mode=memory)", re.IGNORECASE)


class SqliteAppDatabase(SourceRule):
    """
    ## What it does
    Finds a file-backed SQLite database used as the application's store:
    `sqlite3.connect("app.db")` (and `aiosqlite`, peewee `SqliteDatabase`)
    with a literal path, `sqlite:///path` URLs (SQLAlchemy, Flask-SQLAlchemy,
    `databases`, Tortoise), and Django `DATABASES` entries with the
    `sqlite3` engine and a file `NAME`.

    Not reported: `:memory:` databases; SQLite as the fallback of an
    environment lookup (`os.environ.get("DATABASE_URL", "sqlite:///app.db")`,
    `dj_database_url.config(default=...)`, `env.db(default=...)`, a pydantic
    `BaseSettings` default); a SQLite branch of an `if` that switches on the
    environment, `DEBUG` or `sys.argv`; a path read from the environment
    (an explicit choice, such as a mounted volume); test, development and
    local settings modules and config classes; a file named as a cache
    (`cache.sqlite`: a cache may live on local disk); and one-off scripts (a
    `__main__` program that is not a web app, `scripts/`, `manage.py`).

    ## Why is this bad?
    Factor VI: persistent data lives in a stateful backing service. A SQLite
    file sits on one process's local disk: it is lost when the container is
    replaced, every process (or replica) gets its own copy, and concurrent
    writers lock each other out.

    ## Example
    ```python
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///shop.db"
    ```

    Use instead:
    ```python
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    ```

    ## Fix
    None: pick a database service (PostgreSQL, MySQL) and read its URL from
    the environment; keeping SQLite as the local default of that lookup is
    fine.
    """

    code = "FS0603"
    name = "sqlite-app-database"
    severity = Severity.WARNING
    summary = "A file-backed SQLite database is the app's store"
    test_files = (
        "not checked; development, local and test settings and sample apps (examples/, docs/) "
        "are out of scope too"
    )
    triggers = (
        b"sqlite:",
        b"sqlite+",
        b"SQLITE:",
        b"sqlite3.connect",
        b"sqlite3.dbapi2",
        b"from sqlite3 import",
        b"backends.sqlite3",
        b"spatialite",
        b"SqliteDatabase",
        b"SqliteExtDatabase",
        b"SqliteQueueDatabase",
        b"APSWDatabase",
        b"aiosqlite",
        b"sqlite_utils",
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        # Scripts (manage.py, scripts/, migrations/) are one-off processes, never reported;
        # sample apps under examples/ or docs/ are not what the project deploys.
        return not (
            is_test_path(relative_path)
            or is_admin_script_path(relative_path)
            or is_sample_path(relative_path)
        )

    VALID = (
        Valid(
            """
            import os

            import dj_database_url

            DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}
            SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///app.db"
            BACKUP_URL = os.getenv("BACKUP_URL", "sqlite:///backup.db")
            """,
            filename="shop/settings.py",
            note="SQLite as the local fallback of an environment lookup",
        ),
        Valid(
            """
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                database_url: str = "sqlite:///./app.db"
            """,
            note="a pydantic settings default, overridden by DATABASE_URL",
        ),
        Valid(
            """
            import sqlite3

            from flask import Flask

            app = Flask(__name__)
            cache = sqlite3.connect(":memory:")
            engine_url = "sqlite://"
            """,
        ),
        Valid(
            """
            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": "test.sqlite3",
                }
            }
            """,
            filename="shop/settings/test.py",
        ),
        Valid(
            """
            import os
            import sys

            if "test" in sys.argv or os.environ.get("CI"):
                DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "ci.sqlite3"}}
            else:
                DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
            """,
            filename="shop/settings.py",
            note="a branch chosen by the environment",
        ),
        Valid(
            """
            import csv
            import sqlite3

            def main():
                db = sqlite3.connect("export.db")
                with open("rows.csv") as handle:
                    db.executemany("insert into rows values (?, ?)", csv.reader(handle))

            if __name__ == "__main__":
                main()
            """,
            filename="tools/load_csv.py",
            note="a one-off script",
        ),
    )
    INVALID = (
        Invalid(
            """
            from pathlib import Path

            BASE_DIR = Path(__file__).resolve().parent.parent

            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": BASE_DIR / "db.sqlite3",
                }
            }
            """,
            filename="shop/settings.py",
            line=7,
        ),
        Invalid(
            """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///shop.db"
            db = SQLAlchemy(app)
            """,
        ),
        Invalid(
            """
            import sqlite3

            from flask import Flask, g

            DATABASE = "/srv/data/app.db"
            app = Flask(__name__)

            def get_db():
                if "db" not in g:
                    g.db = sqlite3.connect(DATABASE)
                return g.db
            """,
            line=10,
        ),
        Invalid(
            """
            import os

            from sqlalchemy import create_engine

            basedir = os.path.abspath(os.path.dirname(__file__))
            engine = create_engine("sqlite:///" + os.path.join(basedir, "app.db"))
            """,
            filename="app/database.py",
        ),
        Invalid(
            """
            from fastapi import FastAPI
            from sqlalchemy.ext.asyncio import create_async_engine

            app = FastAPI()
            engine = create_async_engine(f"sqlite+aiosqlite:///{app.title}.db")
            """,
        ),
    )

    def _in_scope(self) -> bool:
        context = self.context
        return not (
            non_production(context)
            or context.handlers.is_script
            or context.in_main_block()
            or guarded_by_configuration(context)
        )

    def _report(self, node: cst.CSTNode, what: str) -> None:
        self.report(
            node,
            f"{what} is the app's store: it lives on one process's local disk and is lost with the "
            "container; use a database service and read its URL from the environment",
        )

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.qualified_name(node.func) not in _SQLITE_CONNECT:
            return
        target = argument(node, 0, "database") or argument(node, 0, "filename")
        if target is None or reads_environment(target.value, self.context):
            return
        constant = resolve_constant(target.value, self.context)
        if constant is not None:
            if not isinstance(constant.value, str) or _MEMORY.search(constant.value):
                return
            name = constant.value
        elif self._is_path_expression(target.value):
            name = "a file"
        else:
            return
        if re.search(r"cache|tmp|temp", name, re.IGNORECASE) or not self._in_scope():
            return  # a local cache may live on the process's disk (Factor VI)
        self._report(node, f"The SQLite database {name!r}" if name != "a file" else "A SQLite database file")

    def _is_path_expression(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
            return True
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Divide, cst.Add)):
            return True
        return isinstance(node, cst.Call) and self.context.qualified_name(node.func) in (
            "os.path.join",
            "pathlib.Path",
            "builtins.str",
        )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "sqlite" not in node.value.lower():
            return  # evaluating every string literal costs a compile() each
        text = node.evaluated_value
        if not isinstance(text, str):
            return
        match = _SQLITE_URL.match(text)
        if match is None:
            return
        path = match["path"]
        if path.startswith("/"):
            path = path[1:]
        parent = self.context.parent
        joined = (isinstance(parent, cst.BinaryOperation) and parent.left is node) or (
            isinstance(parent, cst.ConcatenatedString) and parent.left is node
        )
        if not joined and (not path or _MEMORY.search(path)):
            return
        self._url(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        first = node.parts[0] if node.parts else None
        if not isinstance(first, cst.FormattedStringText):
            return
        match = _SQLITE_URL.match(first.value)
        if match is None or ":memory:" in first.value:
            return
        self._url(node)

    def _url(self, node: cst.BaseExpression) -> None:
        if is_env_default(self.context) or not self._in_scope():
            return
        self._report(node, "A SQLite database file")

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """Django: {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}."""
        context = self.context
        engine = context.string_value(node.value)
        if context.string_value(node.key) != "ENGINE" or engine is None:
            return
        if not engine.endswith(("sqlite3", "spatialite")):
            return
        owner = context.parent
        if not isinstance(owner, cst.Dict):
            return
        name = next(
            (
                element.value
                for element in owner.elements
                if isinstance(element, cst.DictElement) and context.string_value(element.key) == "NAME"
            ),
            None,
        )
        if name is None or reads_environment(name, context):
            return
        text = context.string_value(context.literal(name))
        if text is not None and _MEMORY.search(text):
            return
        if self._in_scope() and not is_env_default(context):
            self._report(node.value, "Django's SQLite database file")
