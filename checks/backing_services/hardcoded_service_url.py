"""FS0401 hardcoded-service-url: a backing-service URL is hardcoded."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.backing_services._shared import TEST_FILES, argument_role
from factorscan.checks.base import (
    Applicability,
    FixAvailability,
    Invalid,
    Severity,
    SourceRule,
    Valid,
    matches_any,
)
from factorscan.python.codemods import env_lookup, env_variable_name
from factorscan.python.definition_time import required_lookup
from factorscan.python.env_reads import env_default_of, env_helper_fallback, read_variable, require_variable
from factorscan.python.secrets import has_real_password, is_placeholder, parse_libpq_dsn, stock_credentials
from factorscan.python.services import (
    DSN,
    SERVICES,
    Service,
    allowed_host,
    classify_url,
    django_variable,
    env_name,
    meaningful,
    placeholder_host,
    service_for_scheme,
    service_setting,
)
from factorscan.python.targets import (
    COMPARE,
    KEYWORD,
    SUBSCRIPT,
    Binding,
    StringLiterals,
    binding,
    environment_specific_module,
    in_config_generator,
    sample_or_test_file,
    secret_beside,
)
from factorscan.python.traversal import FixBuilder

_SCHEME_BEFORE = re.compile(rb"([A-Za-z][A-Za-z0-9+.-]*)\Z")


# Celery(broker=..., backend=...): the names Celery's own docs use.
_CELERY_KEYWORDS = {"broker": "CELERY_BROKER_URL", "backend": "CELERY_RESULT_BACKEND"}


# Command-line options and prompts whose `default=` the person running the command overrides.
_CLI_DEFAULT_TAKERS = ("add_argument", "option", "argument", "prompt")


def _overridable_default(target: Binding) -> bool:
    """`parser.add_argument("--db", default=...)`, `click.option(default=...)`, `click.prompt(default=...)`:
    already configurable by whoever runs the command."""
    if target.kind != KEYWORD or target.name != "default" or target.call is None:
        return False
    func = target.call.func
    return isinstance(func, cst.Attribute) and func.attr.value in _CLI_DEFAULT_TAKERS


class HardcodedServiceUrl(StringLiterals, SourceRule):
    """
    ## What it does
    Finds backing-service URLs written into the code: PostgreSQL (also
    SQLAlchemy `postgresql+psycopg://` dialect+driver forms), MySQL, MariaDB,
    SQL Server, Oracle, MongoDB (`mongodb+srv://`), Redis (`redis://`,
    `rediss://`), AMQP, Kafka, Memcached, Elasticsearch, NATS, SMTP, LDAP and
    more, wherever the literal appears; an `http(s)` URL only where it goes
    to a broker or database setting (`CELERY_BROKER_URL`, `result_backend`);
    and libpq connection strings (`"host=db dbname=app"`) passed to
    PostgreSQL drivers. A URL that carries a password is an error, and the
    message never shows the password.

    Templates (`redis://{host}:{port}/0`), documentation hosts
    (`user:password@host`, `example.com`), cloud metadata endpoints, hosts in
    the `allowed-hosts` setting, and URLs that are already the default of an
    environment read (`os.environ.get("DATABASE_URL", "postgres://localhost/app")`,
    `dj_database_url.config(default=...)`, `env.str("X", ...)`,
    pydantic-settings defaults, command-line option and prompt defaults, the
    fallback of an env-parsing helper for a missing argument, as in
    `parse_redis_url(os.getenv("REDIS_URL"))` returning
    `"redis://localhost:6379"` when it gets None) are left alone unless they
    hold a password. A helper is known by its name or its parameter's
    (`parse_*`, `*env*`) or by a call in the same module passing it an
    environment read. The stock credentials of a local service
    (the password is the user name, `shop:shop@localhost`, or a made-up
    `..._password`) are not a password there: the environment overrides the
    whole URL, and such a fallback only names the developer's own service.

    ## Why is this bad?
    Factor IV: a backing service is an attached resource, swapped by changing
    config, not code. With the URL in the code, pointing a deploy at another
    database means a new release, every environment shares one target, and
    a password in the URL leaks with the repository.

    ## Example
    ```python
    from sqlalchemy import create_engine

    engine = create_engine("postgresql+psycopg://shop@db:5432/shop")
    ```

    Use instead:
    ```python
    import os

    from sqlalchemy import create_engine

    engine = create_engine(os.environ["DATABASE_URL"])
    ```

    ## Fix
    Without a password, safe: the literal becomes
    `os.environ.get("DATABASE_URL", "<the old URL>")`, so nothing changes
    until the deploy sets the variable. With a password (`user:pw@host`, or
    `?password=`/`PWD=` in the query string), unsafe: it becomes
    `os.environ["DATABASE_URL"]` (a read whose default holds it loses the
    default) and the password leaves the code (rotate it); unset, the app
    then stops with `KeyError: 'DATABASE_URL'`, and the run lists the change.
    The variable is named after the setting (`SQLALCHEMY_DATABASE_URI`,
    `CELERY_BROKER_URL`) or the scheme (`DATABASE_URL`, `REDIS_URL`,
    `AMQP_URL`, `MONGODB_URI`), and never reused for another value in the file.
    No fix when the literal is one piece of a larger value (`"...//h/" + name`,
    `"...%s" % x`, `.replace(...)`): with the variable set, the program would
    get its value spliced into the rest. A URL with a password in a parameter
    default gets no fix (the required lookup would run at import); in a
    dataclass field it becomes `field(default_factory=lambda: ...)`.
    """

    code = "FS0401"
    name = "hardcoded-service-url"
    severity = Severity.WARNING
    summary = "A backing-service URL is hardcoded"
    fix_availability = FixAvailability.SOMETIMES
    test_files = TEST_FILES
    triggers = (
        b"://",  # then a service scheme right before it: see triggered_by
        b"broker",
        b"BROKER",
        b"result_backend",
        b"RESULT_BACKEND",
        b"DATABASE_UR",
        b"database_ur",
        b"ELASTICSEARCH_UR",
        b"elasticsearch_ur",
        b"psycopg",
        b"asyncpg",
        b"aiopg",
    )

    @classmethod
    def triggered_by(cls, data: bytes) -> bool:
        """A setting or driver name, or `://` preceded by a service scheme (`postgresql+psycopg://`).

        Scheme names alone are often plain words (sentinel, hive), and a
        hundred substring scans per file cost more than finding each `://`.
        """
        if matches_any(cls.triggers[1:], data):
            return True
        start = data.find(b"://")
        while start != -1:
            scheme = _SCHEME_BEFORE.search(data, max(0, start - 40), start)
            if scheme is not None and service_for_scheme(scheme.group(1).decode("ascii")) is not None:
                return True
            start = data.find(b"://", start + 3)
        return False

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

            DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://localhost:5432/shop")
            REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
            """,
            note="defaults of environment reads",
        ),
        Valid(
            """
            def redis_url(host, port):
                return "redis://{host}:{port}/0".format(host=host, port=port)

            EXAMPLE = "postgres://user:password@host:5432/dbname"
            API = "https://api.stripe.com/v1"
            METADATA = "http://169.254.169.254/latest/meta-data/"
            """,
            note="templates, documentation URLs, http APIs and platform endpoints",
        ),
        Valid(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                database_url: str = "postgresql+asyncpg://localhost/app"
            """,
        ),
        Valid(
            """
            CELERY_BROKER_URL = "redis://redis:6379/0"
            """,
            filename="tests/settings.py",
        ),
        Valid(
            """
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument("--database", default="postgres://localhost/app")
            if url.startswith("redis://"):
                pass
            \"\"\"Connect with a URL such as postgres://db/app.\"\"\"
            """,
        ),
        Valid(
            """
            import dj_database_url
            import environ

            env = environ.Env()
            DATABASES = {"default": dj_database_url.config(default="postgres://shop:shop@localhost:5432/shop")}
            STORAGE_URI = env.str("STORAGE_URI", "postgres://storage:storage_password@db:5432/shop")
            """,
            note="environment defaults with a service's stock credentials (user = password, 'password')",
        ),
        Valid(
            """
            import click

            url = click.prompt("Database URL", default="postgres://localhost:5432/app")
            """,
            note="a prompt's default: the person running the config generator chooses",
        ),
        Valid(
            """
            import os


            def parse_redis_url(env_redis):
                if env_redis is None:
                    return ("redis://localhost:6379", "redis://localhost:6379")
                return (env_redis, env_redis)


            def broker(value):
                return value or "amqp://rabbitmq:5672//"


            CELERY_URL, CHANNELS_URL = parse_redis_url(os.getenv("REDIS_URL"))
            BROKER_URL = broker(os.environ.get("BROKER_URL"))
            """,
            note="the fallback of an env-parsing helper: known by its name or by a call with an env read",
        ),
        Valid(
            """
            import click


            @click.command()
            @click.argument("source", default="postgres://localhost:5432/app")
            @click.option("--target", default="postgres://localhost:5432/app_copy")
            def copy_db(source, target):
                click.echo(f"copying {source} to {target}")
            """,
            note="click arguments' and options' defaults: whoever runs the command chooses",
        ),
        Valid(
            """
            import psycopg2

            DATABASE_URL = "postgresql://app@db.internal/app"
            conn = psycopg2.connect("host=db.internal dbname=app user=app")
            """,
            files={"pyproject.toml": '[tool.factorscan]\nallowed-hosts = ["db.internal"]\n'},
            note="hosts the `allowed-hosts` setting names, in URLs and connection strings",
        ),
        Valid(
            """
            import psycopg

            SUMMARY = "host=db.internal dbname=shop"
            conn = psycopg.connect("dbname=shop user=shop")
            """,
            note="a connection string that no client takes, and one with no host (the local socket)",
        ),
        Valid(
            """
            import requests

            REPO_API = "https://api.github.com/repos/acme/shop"
            releases = requests.get(REPO_API + "/releases", timeout=10).json()
            """,
            note="an http API: `://` after a scheme no service uses",
        ),
    )
    INVALID = (
        Invalid(
            """
            import redis


            def generate_config():
                \"\"\"Generates a configuration file.\"\"\"
                return redis.Redis.from_url("redis://localhost:6379")
            """,
            line=6,
            fixed="""
            import os

            import redis


            def generate_config():
                \"\"\"Generates a configuration file.\"\"\"
                return redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379"))
            """,
            note="not a command: the function runs inside the app, whatever its name",
        ),
        Invalid(
            """
            from sqlalchemy import create_engine


            def connect(url="postgresql://shop:Tr0ub4dor-3x@db.internal/shop"):
                return create_engine(url)
            """,
            line=4,
            note="reported without a fix: a parameter default is evaluated at import",
        ),
        Invalid(
            """
            from sqlalchemy import create_engine

            def engine_for(tenant):
                return create_engine("postgresql://app@db.internal:5432/" + tenant)
            """,
            note="no fix: the URL is one piece of a larger value",
        ),
        Invalid(
            """
            from sqlalchemy import create_engine

            engine = create_engine("mssql+pyodbc://db.internal/orders?driver=ODBC+18&UID=app&PWD=Tr0ub4dor-3x")
            """,
            note="a password in the query string is a credential too: the unsafe fix removes it",
            severity=Severity.ERROR,
            unsafe=True,
            fixed="""
            import os

            from sqlalchemy import create_engine

            engine = create_engine(os.environ["DATABASE_URL"])
            """,
        ),
        Invalid(
            """
            from sqlalchemy import create_engine

            engine = create_engine("postgresql+psycopg://shop@db:5432/shop")
            """,
            fixed="""
            import os

            from sqlalchemy import create_engine

            engine = create_engine(os.environ.get("DATABASE_URL", "postgresql+psycopg://shop@db:5432/shop"))
            """,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            DATABASE_URL = "postgresql://shop:s3cr3t-Passw0rd@db.internal:5432/shop"
            CELERY_BROKER_URL = "amqp://guest:guest@rabbitmq:5672//"
            CELERY_RESULT_BACKEND = "https://results.internal:8443/celery"
            """,
            count=3,
            fixed="""
            import os

            DATABASE_URL = os.environ["DATABASE_URL"]
            CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
            CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "https://results.internal:8443/celery")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import redis

            cache = redis.Redis.from_url("redis://cache:6379/0")
            queue = redis.Redis.from_url("redis://queue:6379/1")
            """,
            count=2,
            fixed="""
            import os

            import redis

            cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://cache:6379/0"))
            queue = redis.Redis.from_url(os.environ.get("REDIS_URL_2", "redis://queue:6379/1"))
            """,
            note="two services, two variables",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "mysql+pymysql://app@mysql/app"
            app.config["MONGO_URI"] = "mongodb+srv://app:Mongo-Pass-1@cluster0.ab1cd.mongodb.net/app"
            """,
            count=2,
            line=4,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("SQLALCHEMY_DATABASE_URI", "mysql+pymysql://app@mysql/app")
            app.config["MONGO_URI"] = os.environ["MONGO_URI"]
            """,
            unsafe=True,
        ),
        Invalid(
            """
            CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://redis:6379/1",
                }
            }
            """,
            filename="mysite/settings.py",
            line=4,
            fixed="""
            import os

            CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": os.environ.get("CACHE_URL", "redis://redis:6379/1"),
                }
            }
            """,
        ),
        Invalid(
            """
            import os

            DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://app:Pg-Pass-2024@db/app")
            """,
            fixed="""
            import os

            DATABASE_URL = os.environ["DATABASE_URL"]
            """,
            unsafe=True,
            note="a default that holds a password",
        ),
        Invalid(
            """
            import psycopg2

            conn = psycopg2.connect("host=db port=5432 dbname=shop user=shop")
            """,
            note="a libpq connection string",
            fixed="""
            import os

            import psycopg2

            conn = psycopg2.connect(os.environ.get("DATABASE_URL", "host=db port=5432 dbname=shop user=shop"))
            """,
        ),
        Invalid(
            """
            import os

            os.environ["DATABASE_URL"] = "postgresql://db:5432/app"
            """,
            note="no fix: the code writes the environment itself; reading it back would change nothing",
        ),
        Invalid(
            """
            def connect(url=None):
                if url is None:
                    url = "redis://cache:6379/0"
                return url
            """,
            note="a parameter's fallback in a function no environment read reaches",
            fixed="""
            import os

            def connect(url=None):
                if url is None:
                    url = os.environ.get("REDIS_URL", "redis://cache:6379/0")
                return url
            """,
        ),
        Invalid(
            """
            CELERY_URLS = ("redis://cache:6379/0", "redis://cache:6379/0")
            """,
            note="one finding for the same URL twice in a statement; its fix moves both",
            severity=Severity.WARNING,
            fixed="""
            import os

            CELERY_URLS = (os.environ.get("CELERY_URLS", "redis://cache:6379/0"), os.environ.get("CELERY_URLS", "redis://cache:6379/0"))
            """,  # noqa: E501 - the fixed line as --fix writes it
        ),
        Invalid(
            """
            from celery import Celery

            app = Celery("shop", broker="redis://cache.internal:6379/0", backend="redis://cache.internal:6379/1")
            """,
            count=2,
            fixed="""
            import os

            from celery import Celery

            app = Celery("shop", broker=os.environ.get("CELERY_BROKER_URL", "redis://cache.internal:6379/0"), backend=os.environ.get("CELERY_RESULT_BACKEND", "redis://cache.internal:6379/1"))
            """,  # noqa: E501 - the fixed line as --fix writes it
            note="Celery's broker and backend read the variables Celery's docs name",
        ),
        Invalid(
            """
            import dataclasses

            import redis


            @dataclasses.dataclass
            class CacheConfig:
                url: str = dataclasses.field(default="redis://cache.internal:6379/0")


            cache = redis.Redis.from_url(CacheConfig().url)
            """,
            fixed="""
            import dataclasses
            import os

            import redis


            @dataclasses.dataclass
            class CacheConfig:
                url: str = dataclasses.field(default=os.environ.get("CACHE_URL", "redis://cache.internal:6379/0"))


            cache = redis.Redis.from_url(CacheConfig().url)
            """,
            note="the `default=` of a call that is no command-line option",
        ),
        Invalid(
            """
            import psycopg2

            conn = psycopg2.connect("host=db.internal dbname=shop user=shop password=changeme")
            """,
            fixed="""
            import os

            import psycopg2

            conn = psycopg2.connect(os.environ.get("DATABASE_URL", "host=db.internal dbname=shop user=shop password=changeme"))
            """,  # noqa: E501 - the fixed line as --fix writes it
            severity=Severity.WARNING,
            note="a placeholder password is no credential: a safe fix keeps it as the default",
        ),
        Invalid(
            """
            ELASTICSEARCH_URL = "https://search.internal:9200"
            """,
            filename="shop/search.py",
            files={
                "shop/search_client.py": 'elasticsearch_url = "https://search.internal:9200/products"\n',
                "shop/settings.py": 'DATABASE_URL = "https://clickhouse.internal:8443/shop"\n',
                "shop/analytics.py": 'database_url = "https://clickhouse.internal:8443/events"\n',
                "shop/celery_settings.py": 'CELERY_BROKER_URL = "https://mq.internal:15671/orders"\n',
                "shop/celery_results.py": 'CELERY_RESULT_BACKEND = "https://results.internal:8443/celery"\n',
                "shop/celeryconfig.py": 'broker_url = "https://mq.internal:15671/orders"\n',
                "shop/celery_backend.py": 'result_backend = "https://results.internal:8443/celery"\n',
                "shop/db_async.py": """
                    import asyncpg


                    async def connect():
                        return await asyncpg.create_pool("host=db.internal dbname=shop user=shop")
                """,
                "shop/db_aiopg.py": """
                    import aiopg


                    async def connect():
                        return await aiopg.create_pool("host=db.internal dbname=shop user=shop")
                """,
            },
            count=10,
            fixed="""
            import os

            ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "https://search.internal:9200")
            """,
            note="http URLs under service settings and connection strings of async drivers: each name or "
            "driver trigger alone lets its file through",
        ),
    )

    def __init__(self) -> None:
        self._reported: dict[tuple[int, str], FixBuilder | None] = {}

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not sample_or_test_file(relative_path)

    def on_string(self, node: cst.SimpleString | cst.ConcatenatedString, value: str) -> None:
        context = self.context
        if len(value) < 8:
            return
        if "://" not in value:
            if "=" in value:
                self._libpq(node, value)
            return
        target = binding(context)
        if target.docstring or target.kind == COMPARE or in_config_generator(context):
            return
        classified = classify_url(value, service_setting(target.name) if target.name else None)
        if classified is None:
            return
        url, service = classified.url, classified.service
        if any(allowed_host(host, context.settings.allowed_hosts) for host, _ in url.hosts):
            return
        read = env_default_of(context)
        # A fallback with the service's stock credentials (`shop:shop@localhost`) names the local
        # service the environment overrides, not a deploy's secret.
        credentials = has_real_password(url) and not (read is not None and stock_credentials(url))
        if not credentials and (
            read is not None
            or _overridable_default(target)
            or env_helper_fallback(context)
            or environment_specific_module(context)
        ):
            return
        where = ",".join(f"{host}:{port}" if port else host for host, port in url.hosts)
        if read is not None:
            # The run lists this change: it names the variable that must now be set.
            variable = read_variable(read) or "the variable"
            fix = self.fix(
                f"Require {variable}: drop the default that holds a password", Applicability.UNSAFE
            )
            message = (
                f"The default {service.label} URL ({where}) holds a password; require the variable instead"
            )
            self.report(
                node,
                message,
                fix=fix if require_variable(fix, read, context) else None,
                severity=Severity.ERROR,
                sensitive=True,
                secret_text=url.password,
            )
            return
        variable = self._variable(target, service, value)
        password = url.password if credentials else None
        self._report(node, target, variable, f"Hardcoded {service.label} URL ({where})", password)

    def _variable(self, target: Binding, service: Service, value: str) -> str:
        context = self.context
        django = django_variable(target.path, "URL")
        if django is not None:
            return env_variable_name(context, django, setting=True)
        name = target.name or ""
        if target.setting and not target.in_sequence:
            return env_variable_name(context, env_name(name), setting=True)
        if target.kind == KEYWORD and target.call is not None:
            celery = (
                _CELERY_KEYWORDS.get(name)
                if context.qualified_name(target.call.func) == "celery.Celery"
                else None
            )
            if celery is not None:
                return env_variable_name(context, celery, setting=True)
        if name and meaningful(name):
            return env_variable_name(context, env_name(name), value, distinctive=True)
        return env_variable_name(context, service.url_name, value, distinctive=True)

    def _report(
        self, node: cst.BaseExpression, target: Binding, variable: str, message: str, password: str | None
    ) -> None:
        """A hardcoded URL or DSN; `password` the one it holds, if any (only it is masked in output)."""
        credentials = password is not None
        if credentials:
            message += " with a password"
        fix = None
        if self._spliced(node):
            pass  # replacing one piece would splice the variable's value into the rest: no fix
        elif not (target.kind == SUBSCRIPT and (target.owner or "").endswith("environ")):
            if credentials:
                fix = self.fix(f"Read {variable} from the environment", Applicability.UNSAFE)
                if not required_lookup(fix, node, variable):
                    fix = None  # a default evaluated at import: the lookup would fail there
            else:
                fix = self.fix(f"Read {variable} from the environment, defaulting to this URL")
                fix.replace(node, env_lookup(fix, variable, node))
            message += f"; read {variable} from the environment"
        if self._repeated(message, fix):
            return
        self.report(
            node,
            message,
            fix=fix,
            severity=Severity.ERROR if credentials else None,
            sensitive=credentials,
            secret=None if credentials else secret_beside(self.context, node),
            secret_text=password,
        )

    def _spliced(self, node: cst.BaseExpression) -> bool:
        """Whether the literal is one piece of a larger value (`+`, `%`, `.replace()`, `.format()`)."""
        parent = self.context.parent
        return isinstance(parent, (cst.BinaryOperation, cst.Subscript)) or (
            isinstance(parent, cst.Attribute) and parent.value is node
        )

    def _repeated(self, message: str, fix: FixBuilder | None) -> bool:
        """The same finding again in one statement (`("redis://cache", "redis://cache")`): the
        first finding's fix takes this literal along, and nothing new is reported."""
        statement = next(
            node
            for node in self.context.ancestors()
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement, cst.Module))
        )
        key = (id(statement), message)
        if key not in self._reported:
            self._reported[key] = fix
            return False
        earlier = self._reported[key]
        if earlier is not None and fix is not None:
            earlier.replacements.extend(fix.replacements)
        return True

    def _libpq(self, node: cst.BaseExpression, value: str) -> None:
        target = binding(self.context)
        client = argument_role(target, self.context)
        if client is None or client[1] != DSN:
            return
        pairs = parse_libpq_dsn(value)
        host = (pairs or {}).get("host") or (pairs or {}).get("hostaddr")
        if not pairs or not host or placeholder_host(host):
            return
        if allowed_host(host, self.context.settings.allowed_hosts):
            return
        password = pairs.get("password", "")
        credentials = bool(password) and not is_placeholder(password)
        service = SERVICES[client[0].service]
        variable = env_variable_name(self.context, service.url_name, value)
        self._report(
            node,
            target,
            variable,
            f"Hardcoded {service.label} connection string (host {host})",
            password if credentials else None,
        )
