"""FS0603 sqlite-app-database: a file-backed SQLite database is the app's store."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.base import Invalid, Severity, SourceRule, Valid
from factorscan.checks.processes._shared import non_production
from factorscan.core.discovery import is_sample_path, is_test_path
from factorscan.python.codemods import argument
from factorscan.python.config_values import config_value
from factorscan.python.handlers import is_admin_script_path
from factorscan.python.inference import (
    guarded_by_configuration,
    is_env_default,
    reads_environment,
    resolve_constant,
)
from factorscan.python.nodes import iter_children
from factorscan.python.targets import in_config_generator

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


# A database server the code can use instead: a URL scheme or dialect (`postgresql://`,
# `mysql+pymysql`, `scheme="postgresql"`) or a Django engine.
_SERVER_WORDS = ("postgres", "mysql", "mariadb", "oracle", "mssql", "cockroach")
_SERVER_DATABASE = re.compile(
    r"^(postgres(ql)?|postgis|mysql|mariadb|oracle|mssql|cockroachdb)(\+\w+)?(://.*)?$"
    r"|^django\.(contrib\.gis\.)?db\.backends\.(postgresql|postgis|mysql|oracle)",
    re.IGNORECASE | re.DOTALL,
)
_SERVER_DRIVERS = frozenset(
    {"psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect", "asyncpg.connect"}
)


# SQL that changes a database, and connection methods that do.
_SQL_WRITE = re.compile(
    r"^\s*(insert|update|delete|replace|create|drop|alter|attach|vacuum|pragma)\b", re.IGNORECASE
)
_SQL_READ = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_WRITING_METHODS = frozenset({"commit", "executescript", "executemany", "backup", "create_function"})


def _engine_choice(server_import: str, server_connect: str) -> str:
    """An example module offering SQLite and a database server as two classes."""
    return (
        f"import sqlite3\n\n{server_import}\n\n\n"
        'class SQLiteStore:\n    def connect(self):\n        return sqlite3.connect("shop.db")\n\n\n'
        f"class ServerStore:\n    def connect(self, url):\n        return {server_connect}\n"
    )


class SqliteAppDatabase(SourceRule):
    """
    ## What it does
    Finds a file-backed SQLite database used as the application's store:
    `sqlite3.connect("app.db")` (and `aiosqlite`, peewee `SqliteDatabase`)
    with a literal path, also one held by a config object (a class attribute
    such as `Config.DB_PATH`, a dataclass default such as `Settings().db_path`,
    `app.config["DATABASE"]` set in the module or by `from_object`),
    `sqlite:///path` URLs (SQLAlchemy, Flask-SQLAlchemy, `databases`,
    Tortoise), and Django `DATABASES` entries with the `sqlite3` engine and a
    file `NAME`.

    Not reported: `:memory:` databases; SQLite as the fallback of an
    environment lookup (`os.environ.get("DATABASE_URL", "sqlite:///app.db")`,
    `dj_database_url.config(default=...)`, `env.db(default=...)`, a pydantic
    `BaseSettings` default, an `app.config` also loaded from a file or the
    environment); a SQLite branch of an `if` that switches on the
    environment, `DEBUG` or `sys.argv`; a path read from the environment
    (an explicit choice, such as a mounted volume); test, development and
    local settings modules and config classes; a file named as a cache
    (`cache.sqlite`: a cache may live on local disk); and one-off scripts (a
    `__main__` program that is not a web app, `scripts/`, `manage.py`).

    Nor is SQLite that is one choice among database engines: a branch (an
    `if`/`else` branch, a `match` case, a conditional expression) or a class
    holding SQLite, while the same module offers a database server outside
    it (`postgresql://`, `mysql+pymysql`, `django.db.backends.postgresql`,
    `psycopg2.connect`): which engine runs is then chosen by configuration
    (`match engine:` on `DB_ENGINE`, `if not DATABASE_URL:` falling back to
    SQLite, a `SQLiteProvider` next to a `PostgresProvider`). Nor is a
    read-only SQLite file, such as a search index that a command builds: the
    function that connects only queries it (`SELECT`), with no statement or
    method that writes.

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
        "not checked; development, local and test settings, example settings to copy "
        "(production.example.py) and sample apps (examples/, docs/) "
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
            import click


            @click.command()
            def generate_config():
                \"\"\"Generates a configuration file.\"\"\"
                defaults = {
                    "database_uri": "sqlite:///forum.sqlite",
                    "redis_uri": "redis://localhost:6379",
                    "mail_server": "localhost",
                    "mail_port": 25,
                }
                click.echo(render(defaults))
            """,
            note="a command that writes a configuration file offers defaults to whoever runs it",
        ),
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
        Valid(
            """
            import os

            def database_settings(data_dir):
                engine = os.getenv("SHOP_DBENGINE", "sqlite")
                match engine:
                    case "sqlite":
                        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir / "db.sqlite3")}
                    case "postgresql":
                        return {"ENGINE": "django.db.backends.postgresql", "HOST": os.getenv("SHOP_DBHOST")}
            """,
            filename="shop/settings/database.py",
            note="SQLite is one case of an engine the environment chooses",
        ),
        Valid(
            """
            import os

            from sqlalchemy.engine.url import URL

            class ServerConfig:
                DATABASE_URL = read_config("DATABASE_URL")
                if not DATABASE_URL:
                    if read_config("DATABASE_HOST") is not None:
                        host = read_config("DATABASE_HOST")
                        DATABASE_URL = str(URL.create(drivername="mysql+pymysql", host=host))
                    else:
                        DATABASE_URL = f"sqlite:///{os.path.dirname(os.path.abspath(__file__))}/shop.db"
            """,
            filename="shop/config.py",
            note="the SQLite fallback of a database server the configuration names",
        ),
        Valid(
            """
            from pathlib import Path

            from pydantic import BaseModel, PostgresDsn

            class SQLiteProvider(BaseModel):
                data_dir: Path

                @property
                def db_url(self) -> str:
                    return f"sqlite:///{self.data_dir / 'shop.db'}"

            class PostgresProvider(BaseModel):
                host: str = "postgres"

                @property
                def db_url(self) -> str:
                    return str(PostgresDsn.build(scheme="postgresql", host=self.host))
            """,
            filename="shop/core/db_providers.py",
            note="SQLite is one of the database providers a setting chooses between",
        ),
        Valid(
            """
            import sqlite3

            from django.conf import settings
            from django.shortcuts import render

            def docs_search(request):
                query = "SELECT slug, title FROM docs WHERE docs MATCH ? LIMIT 8"
                con = sqlite3.connect(settings.BASE_DIR / "search.db")
                results = con.execute(query, (request.GET["q"],)).fetchall()
                return render(request, "docs_search.html", {"results": results})
            """,
            filename="shop/front/views.py",
            note="a read-only index: the request only queries it, a command builds it",
        ),
        Valid(
            """
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/shop/db.sqlite3"}}
            """,
            filename="shop/settings/production.example.py",
            note="an example settings module an admin copies: a sample, not what runs",
        ),
        Valid(
            _engine_choice("import psycopg2", "psycopg2.connect(url)"),
            filename="shop/stores.py",
            files={
                "shop/stores_psycopg.py": _engine_choice("import psycopg", "psycopg.connect(url)"),
                "shop/stores_pymysql.py": _engine_choice("import pymysql", "pymysql.connect(host=url)"),
                "shop/stores_mysqldb.py": _engine_choice("import MySQLdb", "MySQLdb.connect(host=url)"),
                "shop/stores_asyncpg.py": _engine_choice("import asyncpg", "asyncpg.connect(url)"),
                "shop/stores_mariadb.py": _engine_choice(
                    "import sqlalchemy",
                    'sqlalchemy.create_engine(url.set(drivername="mariadb+mariadbconnector"))',
                ),
                "shop/stores_oracle.py": _engine_choice(
                    "import sqlalchemy", 'sqlalchemy.create_engine(url.set(drivername="oracle+oracledb"))'
                ),
                "shop/stores_mssql.py": _engine_choice(
                    "import sqlalchemy", 'sqlalchemy.create_engine(url.set(drivername="mssql+pyodbc"))'
                ),
                "shop/stores_cockroach.py": _engine_choice(
                    "import sqlalchemy", 'sqlalchemy.create_engine(url.set(drivername="cockroachdb"))'
                ),
                "shop/stores_url.py": _engine_choice(
                    "import sqlalchemy",
                    'sqlalchemy.create_engine(f"postgresql://{url.user}@{url.host}/shop")',
                ),
            },
            note="SQLite as one class beside a server's: each driver and dialect counts as the server",
        ),
        Valid(
            """
            import os
            import sqlite3
            import sys

            from sqlalchemy import create_engine

            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
            if "test" in sys.argv:
                DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
            ARCHIVE = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["ARCHIVE_DB_PATH"]}
            memory = create_engine("sqlite:///:memory:")
            exports = sqlite3.connect(os.path.join(os.environ["EXPORT_DIR"], "exports.db"))
            thumbnails = sqlite3.connect("thumbnail-cache.db")


            def open_database(path):
                print(f"opening {path}")
                return sqlite3.connect(path)
            """,
            filename="shop/settings.py",
            files={"scripts/import_orders.py": 'import sqlite3\n\nconn = sqlite3.connect("orders.db")\n'},
            note="a server engine; in-memory and environment-chosen SQLite; a cache file; a path the "
            "caller passes; a one-off script",
        ),
        Valid(
            """
            import sqlite3

            from flask import current_app

            from shop.config import DevConfig, EnvConfig, Settings


            def connect_configured():
                return sqlite3.connect(EnvConfig.DB_PATH)


            def connect_development():
                return sqlite3.connect(DevConfig.DB_PATH)


            def connect_settings():
                return sqlite3.connect(Settings().db_path)


            def connect_instance():
                return sqlite3.connect(current_app.config["DATABASE"])
            """,
            filename="shop/db.py",
            files={
                "shop/__init__.py": """
                    from flask import Flask

                    app = Flask(__name__, instance_relative_config=True)
                    app.config.from_mapping(DATABASE="shop.db")
                    app.config.from_pyfile("config.py", silent=True)
                    """,
                "shop/config.py": """
                    import os

                    from pydantic_settings import BaseSettings


                    class EnvConfig:
                        DB_PATH = os.environ.get("DB_PATH", "shop.db")


                    class DevConfig:
                        DB_PATH = "shop.db"


                    class Settings(BaseSettings):
                        db_path: str = "shop.db"
                    """,
            },
            note="config objects that read the path from the environment (os.environ, a BaseSettings "
            "field, an app.config also loaded from an instance file); a development class",
        ),
    )
    INVALID = (
        Invalid(
            """
            import sqlite3

            from flask import current_app

            from shop.config import Config, Settings


            def connect_class():
                return sqlite3.connect(Config.DB_PATH)


            def connect_dataclass():
                settings = Settings()
                return sqlite3.connect(settings.db_path)


            def connect_app():
                return sqlite3.connect(current_app.config["DATABASE"])
            """,
            filename="shop/db.py",
            files={
                "shop/__init__.py": """
                    from flask import Flask

                    app = Flask(__name__)
                    app.config.from_object("shop.config.ProductionConfig")
                    """,
                "shop/config.py": """
                    from dataclasses import dataclass


                    class Config:
                        DB_PATH = "/var/lib/shop/shop.db"


                    class ProductionConfig(Config):
                        DATABASE = "/var/lib/shop/app.db"


                    @dataclass
                    class Settings:
                        db_path: str = "shop.db"
                    """,
            },
            count=3,
            line=9,
            note="a config class attribute, a dataclass default and an app.config key that from_object "
            "loads, from another module",
        ),
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
        Invalid(
            """
            DATABASES = {
                "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/shop/db.sqlite3"},
                "analytics": {"ENGINE": "django.db.backends.postgresql", "NAME": "analytics"},
            }
            """,
            filename="shop/settings.py",
            line=2,
            note="SQLite next to a server database, both in use: no choice between them",
        ),
        Invalid(
            """
            import sqlite3

            from django.conf import settings
            from django.http import JsonResponse

            def record_hit(request):
                con = sqlite3.connect(settings.BASE_DIR / "hits.db")
                con.execute("SELECT count(*) FROM hits")
                con.execute("INSERT INTO hits (path) VALUES (?)", (request.path,))
                con.commit()
                return JsonResponse({"ok": True})
            """,
            filename="shop/views.py",
            line=7,
            note="a request that writes to the file: not read-only",
        ),
        Invalid(
            """
            from sqlite3 import connect

            conn = connect("shop.db")
            """,
            filename="shop/store.py",
            files={
                "shop/legacy.py": 'import sqlite3.dbapi2\n\nconn = sqlite3.dbapi2.connect("legacy.db")\n',
                "shop/models.py": 'from peewee import SqliteDatabase\n\ndb = SqliteDatabase("shop.db")\n',
                "shop/search.py": (
                    "from playhouse.sqlite_ext import SqliteExtDatabase\n\n"
                    'db = SqliteExtDatabase("search.db")\n'
                ),
                "shop/events.py": (
                    "from playhouse.sqliteq import SqliteQueueDatabase\n\n"
                    'db = SqliteQueueDatabase("events.db")\n'
                ),
                "shop/ledger.py": (
                    'from playhouse.apsw_ext import APSWDatabase\n\ndb = APSWDatabase("ledger.db")\n'
                ),
                "shop/audit.py": 'import sqlite_utils\n\ndb = sqlite_utils.Database("audit.db")\n',
                "shop/vault.py": (
                    "from sqlalchemy import create_engine\n\n"
                    'engine = create_engine("sqlite+pysqlcipher:///vault.db?cipher=aes-256-cfb")\n'
                ),
                "shop/geo.py": (
                    "DATABASES = {\n"
                    '    "default": {\n'
                    '        "ENGINE": "django.contrib.gis.db.backends.spatialite",\n'
                    '        "NAME": "geo.db",\n'
                    "    }\n"
                    "}\n"
                ),
                "shop/jobs.py": """
                    import aiosqlite


                    async def enqueue(payload):
                        async with aiosqlite.connect(database="jobs.db") as db:
                            await db.execute("INSERT INTO jobs (payload) VALUES (?)", (payload,))
                            await db.commit()
                """,
            },
            count=10,
            note="each connector, and each trigger alone in its file",
        ),
        Invalid(
            """
            import os
            import pathlib
            import sqlite3

            from sqlalchemy import create_engine

            BASE_DIR = pathlib.Path(__file__).resolve().parent

            orders = sqlite3.connect(os.path.join(BASE_DIR, "orders.db"))
            carts = sqlite3.connect(pathlib.Path(BASE_DIR, "carts.db"))
            users = sqlite3.connect(str(BASE_DIR / "users.db"))
            events = sqlite3.connect(BASE_DIR / "events.db")
            audit = sqlite3.connect(f"{BASE_DIR}/audit.db")
            sessions = create_engine("sqlite:///" + str(BASE_DIR / "sessions.db"))
            reports = create_engine(f"sqlite:///{BASE_DIR}/reports.db")
            """,
            filename="shop/db.py",
            count=7,
            note="paths built from the app's folder",
        ),
        Invalid(
            """
            import sqlite3


            class Store:
                def connect(self):
                    return sqlite3.connect("shop.db")


            HELP = "postgres support is planned"
            """,
            filename="shop/store.py",
            note="a string that merely names a server is no alternative engine",
        ),
        Invalid(
            """
            import sqlite3


            def top_products():
                conn = sqlite3.connect("shop.db")
                rows = conn.execute("SELECT name FROM products ORDER BY sales DESC LIMIT 10").fetchall()
                conn.execute("INSERT INTO views (page) VALUES ('top')")
                return rows
            """,
            filename="shop/reports.py",
            files={
                f"shop/reports_{method}.py": (
                    "import sqlite3\n\n\ndef refresh(conn_args):\n"
                    '    conn = sqlite3.connect("shop.db")\n'
                    '    rows = conn.execute("SELECT id FROM products").fetchall()\n'
                    f"    conn.{method}(*conn_args)\n"
                    "    return rows\n"
                )
                for method in ("commit", "executescript", "executemany", "backup", "create_function")
            },
            count=6,
            note="a function that queries and also writes, by SQL or by a connection method",
        ),
    )

    def __init__(self) -> None:
        # SQLite findings wait for the module's end: a server database found later in the
        # module may make them a choice. (node, what, the branch or class holding it)
        self._pending: list[tuple[cst.CSTNode, str, cst.CSTNode | None]] = []
        # The ancestors of each place that names a database server.
        self._servers: list[set[int]] = []

    def _in_scope(self) -> bool:
        context = self.context
        return not (
            non_production(context)
            or context.handlers.is_script
            or context.in_main_block()
            or guarded_by_configuration(context)
            or in_config_generator(context)
        )

    def _report(self, node: cst.CSTNode, what: str) -> None:
        self._pending.append((node, what, self._alternative()))

    def _alternative(self) -> cst.CSTNode | None:
        """The innermost branch or class the visited node sits in: an `if` or conditional
        expression's body or else part, a `match` case, a class body."""
        stack = self.context.stack
        for index in range(len(stack) - 2, -1, -1):
            node, child = stack[index], stack[index + 1]
            if isinstance(node, (cst.If, cst.IfExp)) and child is not node.test:
                return child
            if isinstance(node, (cst.MatchCase, cst.ClassDef)):
                return node
        return None

    def _note_server(self) -> None:
        self._servers.append({id(node) for node in self.context.stack})

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, what, alternative in self._pending:
            if alternative is not None and any(id(alternative) not in server for server in self._servers):
                continue  # one engine among others: configuration chooses
            self.report(
                node,
                f"{what} is the app's store: it lives on one process's local disk and is lost with the "
                "container; use a database service and read its URL from the environment",
            )

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.context.qualified_name(node.func)
        if qualified in _SERVER_DRIVERS:
            self._note_server()
        if qualified not in _SQLITE_CONNECT:
            return
        target = argument(node, 0, "database") or argument(node, 0, "filename")
        if target is None or reads_environment(target.value, self.context):
            return
        constant = resolve_constant(target.value, self.context) or config_value(target.value, self.context)
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
        function = self.context.enclosing_function()
        if function is not None and _only_reads(function):
            return  # a read-only file (an index a command builds) holds no state of the process
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
        raw = node.value.lower()
        if any(word in raw for word in _SERVER_WORDS):
            text = node.evaluated_value
            if isinstance(text, str) and _SERVER_DATABASE.match(text):
                self._note_server()
        if "sqlite" not in raw:
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
        if _SERVER_DATABASE.match(first.value) and "://" in first.value:
            self._note_server()
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


def _only_reads(function: cst.FunctionDef) -> bool:
    """The function queries a database (a `SELECT`) and nothing in it writes one: no writing
    SQL statement, no `commit()`, `executescript()`, `executemany()`..."""
    reads = False
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if isinstance(text, str):
                if _SQL_WRITE.match(text):
                    return False
                reads = reads or _SQL_READ.match(text) is not None
        elif isinstance(node, cst.Attribute) and node.attr.value in _WRITING_METHODS:
            return False
        pending.extend(iter_children(node))
    return reads
