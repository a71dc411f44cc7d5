"""FS0402 hardcoded-service-endpoint: a backing service's host, port or user is hardcoded."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.backing_services._shared import TEST_FILES, argument_role
from factorscan.checks.base import (
    FixAvailability,
    Invalid,
    Severity,
    SourceRule,
    StemTrigger,
    Valid,
    matches_any,
)
from factorscan.python.codemods import env_lookup, env_variable_name, int_env_lookup
from factorscan.python.env_reads import env_default_of, env_helper_fallback
from factorscan.python.secrets import is_placeholder, parse_url
from factorscan.python.services import (
    CLIENTS,
    ENDPOINT,
    HOST,
    HOSTS,
    PORT,
    SERVICES,
    URL_OR_HOST,
    USER,
    Service,
    allowed_host,
    classify_url,
    django_variable,
    endpoint_setting,
    env_name,
    is_host_like,
    meaningful,
    placeholder_host,
    role_suffix,
)
from factorscan.python.targets import (
    COMPARE,
    DICT,
    Binding,
    StringLiterals,
    binding,
    environment_specific_file,
    environment_specific_module,
    in_config_generator,
    sample_or_test_file,
    secret_beside,
)
from factorscan.python.traversal import FileContext

_CLIENT_MODULES = (
    b"psycopg",
    b"pymysql",
    b"MySQLdb",
    b"mysql",
    b"asyncpg",
    b"aiopg",
    b"pg8000",
    b"mariadb",
    b"sqlalchemy",
    b"redis",
    b"valkey",
    b"pymongo",
    b"motor",
    b"pika",
    b"kombu",
    b"boto3",
    b"elasticsearch",
    b"opensearch",
    b"smtplib",
    b"kafka",
    b"memcache",
    b"pylibmc",
    b"cassandra",
    b"ldap3",
    b"clickhouse",
    b"influxdb",
    b"minio",
)


_CALL_SHAPES = (
    b"onnect(",
    b"Redis(",
    b"Valkey(",
    b"RedisCluster(",
    b"Pool(",
    b"MongoClient(",
    b"MotorClient(",
    b"ConnectionParameters(",
    b"Connection(",
    b"client(",
    b"resource(",
    b"Elasticsearch(",
    b"OpenSearch(",
    b"create_connection(",
    b"SMTP(",
    b"SMTP_SSL(",
    b"LMTP(",
    b"Producer(",
    b"Consumer(",
    b"AdminClient(",
    b"Client(",
    b"Cluster(",
    b"Server(",
    b"Minio(",
    b"create_pool(",
    b"URL.create(",
    b"get_client(",
)


_DJANGO_KEYS = (b"HOST", b"PORT", b"USER", b"LOCATION")


# Endpoint settings (`DB_HOST = "db"`, `"MAIL_PORT": 587`), found lowercased.
_SETTING_STEMS = (b"_host", b"_port", b"_server", b"_user", b"_addr", b"_endpoint")


_SETTING_AFTER_STEM = re.compile(
    rb"[\w]*['\"]?[ \t]*(?::[ \t]*[\w\[\]., |]{1,40}?)?[:=][ \t]*(?:[rbuf]{0,2}['\"]|\d)"
)


_ENDPOINT_SETTING = StemTrigger(_SETTING_STEMS, _SETTING_AFTER_STEM)


_NETWORK_CACHES = ("redis", "memcached", "pymemcache", "pylibmc", "valkey")


class HardcodedServiceEndpoint(StringLiterals, SourceRule):
    """
    ## What it does
    Finds a backing service's host, port or user name written into the code:
    literal arguments to client constructors (`psycopg2.connect`,
    `psycopg.connect`, `asyncpg`, `pymysql`, `mysql.connector`,
    `redis.Redis`/`StrictRedis`, `MongoClient("db")`,
    `MongoClient("localhost", 27017)`, `pika.ConnectionParameters("rabbit")`,
    kombu, `boto3.client(endpoint_url=...)`, `Elasticsearch([...])`,
    `smtplib.SMTP`, Kafka `bootstrap_servers`, Memcached clients...), the
    `HOST`, `PORT` and `USER` of Django `DATABASES` and the `LOCATION` of
    network `CACHES`, and settings named for an endpoint (`DB_HOST`,
    `REDIS_PORT`, `MAIL_SERVER`, `EMAIL_HOST_USER`), including bare compose
    service names such as `"db"` or `"redis"`, which scheme-based checks
    miss. Passwords are FS0301's, whole URLs FS0401's: a client call given
    a literal service URL gets that one finding, not another for its
    `port=`.

    Values the environment already controls are left alone: defaults of
    environment reads, django-environ schemes (`environ.Env(DB_HOST=(str,
    "db"))`), pydantic-settings fields (`POSTGRES_SERVER: str =
    "postgres"`) and the fallback of an env-parsing helper for a missing
    variable (`def parse_redis(env_host): if env_host is None: return
    redis.Redis(host="localhost")`). So are example settings (`configuration_example.py`,
    `settings/production.sample.py`), templates an admin copies and edits.

    ## Why is this bad?
    Factor IV: the code should make no distinction between local and third
    party services; each is a resource located by config. A literal host
    ties every deploy to one server (or to the name a compose file gave
    it), so moving to a managed database needs a code change.

    ## Example
    ```python
    import redis

    queue = redis.Redis(host="redis", port=6379)
    ```

    Use instead:
    ```python
    import os

    import redis

    queue = redis.Redis.from_url(os.environ["REDIS_URL"])
    ```

    ## Fix
    Safe: the literal becomes `os.environ.get("REDIS_HOST", "redis")` (an int
    port: `int(os.environ.get("REDIS_PORT", "6379"))`; a string port stays a
    string), so nothing changes until the deploy sets the variable. A module
    constant passed to the client (`HOST = "db"`) is rewritten where it is
    defined. Names come from the setting (`DB_HOST`,
    `DATABASE_HOST` for Django's `DATABASES`) or from the client (`REDIS_HOST`,
    `AWS_ENDPOINT_URL`), never reused for another value in the file.
    """

    code = "FS0402"
    name = "hardcoded-service-endpoint"
    severity = Severity.WARNING
    summary = "A backing service's host, port or user is hardcoded"
    fix_availability = FixAvailability.ALWAYS
    test_files = TEST_FILES
    triggers = (*_CLIENT_MODULES, *_CALL_SHAPES, b"DATABASES", b"CACHES", *_SETTING_STEMS)

    @classmethod
    def triggered_by(cls, data: bytes) -> bool:
        """A client module and a call, a Django DATABASES/CACHES entry, or an endpoint setting.

        Driver names alone are everywhere in database tooling; a client is
        only worth parsing for when something is also constructed or connected.
        """
        if matches_any(_CLIENT_MODULES, data) and matches_any(_CALL_SHAPES, data):
            return True
        if (b"DATABASES" in data or b"CACHES" in data) and matches_any(_DJANGO_KEYS, data):
            return True
        return _ENDPOINT_SETTING.search(data) is not None

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

            import psycopg2
            import redis

            conn = psycopg2.connect(os.environ["DATABASE_URL"])
            queue = redis.Redis(host=os.environ.get("REDIS_HOST", "localhost"), port=int(os.environ["PORT"]))
            DB_HOST = os.getenv("DB_HOST", "db")
            """,
        ),
        Valid(
            """
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
            CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": "unique-snowflake",
                }
            }
            SERVER_NAME = "shop.example.org"
            ALLOWED_HOSTS = ["shop.internal"]
            """,
            filename="mysite/settings.py",
        ),
        Valid(
            """
            DATABASES = {
                "default": {"ENGINE": "django.db.backends.postgresql", "HOST": "localhost", "PORT": 5432}
            }
            """,
            filename="mysite/settings/local.py",
            note="a settings module for local development",
        ),
        Valid(
            """
            import redis

            client = redis.Redis(host="redis.internal")
            """,
            files={"pyproject.toml": '[tool.factorscan]\nallowed-hosts = ["*.internal"]\n'},
            note="a host in allowed-hosts",
        ),
        Valid(
            """
            DATABASES = {
                "default": {"ENGINE": "django.db.backends.postgresql", "HOST": "localhost", "USER": "netbox"}
            }
            """,
            filename="settings/ci.py",
            files={
                "shop/qa.py": (
                    "# Configuration for the CI runs only.\n\n"
                    'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "db"}}\n'
                ),
            },
            note="settings for CI, by name or by header",
        ),
        Valid(
            """
            import environ
            from pydantic_settings import BaseSettings
            from pymongo import MongoClient

            env = environ.Env(DD_DATABASE_HOST=(str, "postgres"), DD_DATABASE_PORT=(int, 3306))


            class PostgresProvider(BaseSettings):
                POSTGRES_USER: str = "shop"
                POSTGRES_SERVER: str = "postgres"
                SMTP_PORT: str | None = "587"


            client = MongoClient("mongodb://off:off-Pass-42@127.0.0.1", port=27017)
            """,
            note="defaults the environment overrides; a call whose URL FS0401 reports",
        ),
        Valid(
            """
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "localhost"}}
            """,
            filename="netbox/configuration_example.py",
            files={"shop/settings/production.sample.py": 'DB_HOST = "db.internal"\n'},
            note="example settings: templates the admin copies and edits",
        ),
        Valid(
            """
            import os

            import redis


            def parse_redis(env_host):
                if env_host is None:
                    return redis.Redis(host="localhost", port=6379)
                return redis.Redis(host=env_host)


            cache = parse_redis(os.getenv("REDIS_HOST"))
            """,
            note="the fallback of an env-parsing helper for a missing variable",
        ),
    )
    INVALID = (
        Invalid(
            """
            import redis

            queue = redis.Redis(
                host="redis",
                port=6379,
            )
            """,
            count=2,
            line=4,
            fixed="""
            import os

            import redis

            queue = redis.Redis(
                host=os.environ.get("REDIS_HOST", "redis"),
                port=int(os.environ.get("REDIS_PORT", "6379")),
            )
            """,
        ),
        Invalid(
            """
            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": "shop",
                    "USER": "shop",
                    "HOST": "db",
                    "PORT": "5432",
                }
            }
            """,
            filename="mysite/settings.py",
            count=3,
            line=5,
            fixed="""
            import os

            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": "shop",
                    "USER": os.environ.get("DATABASE_USER", "shop"),
                    "HOST": os.environ.get("DATABASE_HOST", "db"),
                    "PORT": os.environ.get("DATABASE_PORT", "5432"),
                }
            }
            """,
        ),
        Invalid(
            """
            import pika
            import pymongo

            params = pika.ConnectionParameters("rabbit")
            mongo = pymongo.MongoClient("localhost", 27017)
            """,
            count=3,
            line=4,
            fixed="""
            import os

            import pika
            import pymongo

            params = pika.ConnectionParameters(os.environ.get("RABBITMQ_HOST", "rabbit"))
            mongo = pymongo.MongoClient(os.environ.get("MONGODB_URL", "localhost"), int(os.environ.get("MONGODB_PORT", "27017")))
            """,  # noqa: E501 - the fixed line as --fix writes it
        ),
        Invalid(
            """
            import boto3
            from elasticsearch import Elasticsearch

            s3 = boto3.client("s3", endpoint_url="http://localstack:4566")
            search = Elasticsearch(["http://elasticsearch:9200"])
            """,
            count=2,
            line=4,
            fixed="""
            import os

            import boto3
            from elasticsearch import Elasticsearch

            s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL", "http://localstack:4566"))
            search = Elasticsearch([os.environ.get("ELASTICSEARCH_URL", "http://elasticsearch:9200")])
            """,
        ),
        Invalid(
            """
            MAIL_SERVER = "smtp.mailgun.org"
            MAIL_PORT = 587
            EMAIL_HOST_USER = "postmaster@mg.shop.io"
            DB_HOST = "postgres"
            """,
            filename="config.py",
            count=4,
            fixed="""
            import os

            MAIL_SERVER = os.environ.get("MAIL_SERVER", "smtp.mailgun.org")
            MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
            EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "postmaster@mg.shop.io")
            DB_HOST = os.environ.get("DB_HOST", "postgres")
            """,
        ),
        Invalid(
            """
            import psycopg2

            HOST = "db"

            def connect():
                return psycopg2.connect(host=HOST, dbname="shop")
            """,
            line=3,
            note="a module constant passed to a client",
            fixed="""
            import os

            import psycopg2

            HOST = os.environ.get("DATABASE_HOST", "db")

            def connect():
                return psycopg2.connect(host=HOST, dbname="shop")
            """,
        ),
    )

    def __init__(self) -> None:
        self._seen: set[int] = set()

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not (sample_or_test_file(relative_path) or environment_specific_file(relative_path))

    def on_string(self, node: cst.SimpleString | cst.ConcatenatedString, value: str) -> None:
        self._literal(node, value)

    def visit_Integer(self, node: cst.Integer) -> None:
        value = node.evaluated_value
        if 0 < value < 65536:
            self._literal(node, value)

    def _literal(self, node: cst.BaseExpression, value: str | int) -> None:
        target = binding(self.context)
        if target.docstring or target.kind == COMPARE:
            return
        found = self._role(target)
        if found is None or environment_specific_module(self.context):
            return
        if env_default_of(self.context) is not None or env_helper_fallback(self.context):
            return  # environ.Env(DB_HOST=(str, "db")), a pydantic-settings field: the environment's already
        service, role, variable, setting = found
        self._check(node, value, service, role, variable, setting=setting)

    def _role(self, target: Binding) -> tuple[Service, str, str, bool] | None:
        """(service, role, variable name, whether the name is a setting's) for where the literal goes."""
        context = self.context
        client = argument_role(target, context)
        if client is not None:
            spec, role = client
            if (target.in_sequence and role != HOSTS) or self._url_argument(target.call):
                return None
            service = SERVICES[spec.service]
            return service, role, self._client_variable(service, role), False
        if target.kind == DICT and target.name == "bootstrap.servers":
            return SERVICES["kafka"], HOSTS, "KAFKA_BOOTSTRAP_SERVERS", False
        django = self._django(target)
        if django is not None:
            return django
        if not target.name:
            return None
        endpoint = endpoint_setting(target.name)
        if endpoint is None:
            return None
        service, role = endpoint
        setting = target.setting and not target.in_sequence
        return service, role, env_name(target.name), setting

    def _url_argument(self, call: cst.Call | None) -> bool:
        """`MongoClient("mongodb://...", port=27017)`: the call's URL is FS0401's finding, and one
        finding per call is enough; its fix moves the URL, and the port goes with it."""
        return call is not None and any(
            classify_url(self.context.string_value(arg.value) or "") is not None for arg in call.args
        )

    @staticmethod
    def _client_variable(service: Service, role: str) -> str:
        if role == ENDPOINT or (role == HOSTS and service.key == "elasticsearch"):
            return service.url_name
        if role == HOSTS and service.key == "kafka":
            return "KAFKA_BOOTSTRAP_SERVERS"
        return f"{service.prefix}_{role_suffix(role)}"

    def _django(self, target: Binding) -> tuple[Service, str, str, bool] | None:
        path = target.path
        if len(path) != 3 or path[0] not in ("DATABASES", "CACHES"):
            return None
        leaf = path[2]
        engine_key, roles = ("ENGINE", {"HOST": HOST, "PORT": PORT, "USER": USER})
        if path[0] == "CACHES":
            engine_key, roles = "BACKEND", {"LOCATION": HOSTS}
        role = roles.get(leaf)
        if role is None:
            return None
        engine = self._sibling(engine_key) or ""
        if path[0] == "DATABASES" and ("sqlite" in engine or "spatialite" in engine):
            return None
        if path[0] == "CACHES" and not any(kind in engine.lower() for kind in _NETWORK_CACHES):
            return None
        variable = django_variable(path)
        assert variable is not None
        service = SERVICES["database" if path[0] == "DATABASES" else "cache"]
        return service, role, variable, True

    def _sibling(self, key: str) -> str | None:
        """A string value beside the literal in its dict display (the ENGINE next to HOST)."""
        for ancestor in self.context.ancestors():
            if isinstance(ancestor, cst.Dict):
                for element in ancestor.elements:
                    if isinstance(element, cst.DictElement) and FileContext.string_value(element.key) == key:
                        return FileContext.string_value(element.value)
                return None
        return None

    def _acceptable(self, value: str | int, role: str) -> str | None:
        """What makes the value an endpoint (for the message), or None when it is not one."""
        allowed = self.context.settings.allowed_hosts
        if role == PORT:
            if isinstance(value, int) or value.isdigit():
                return f"port {value}"
            return None
        if isinstance(value, int):
            return None
        if role == USER:
            if value and not any(c.isspace() for c in value) and not is_placeholder(value):
                return f"user {value!r}"
            return None
        if "://" in value:
            if role not in (HOSTS, ENDPOINT) or classify_url(value) is not None:
                return None  # a service URL: FS0401
            url = parse_url(value)
            if url is None or url.templated or not url.host or placeholder_host(url.host):
                return None
            if url.base_scheme not in ("http", "https") or allowed_host(url.host, allowed):
                return None
            return f"endpoint {url.host}" + (f":{url.port}" if url.port else "")
        hosts = [part.strip() for part in value.split(",")]
        if not all(is_host_like(part) for part in hosts):
            return None
        if any(allowed_host(part.rsplit(":", 1)[0], allowed) for part in hosts):
            return None
        return f"host {value!r}"

    def _check(
        self,
        node: cst.BaseExpression,
        value: str | int,
        service: Service,
        role: str,
        variable: str,
        *,
        setting: bool,
    ) -> None:
        if id(node) in self._seen or in_config_generator(self.context):
            return
        shown = self._acceptable(value, role)
        if shown is None:
            return
        self._seen.add(id(node))
        context = self.context
        if setting:
            variable = env_variable_name(context, variable, setting=True)
        else:
            key: object = ("int", value) if isinstance(node, cst.Integer) else value
            variable = env_variable_name(context, variable, key)
        fix = self.fix(f"Read {variable} from the environment, defaulting to {shown}")
        if isinstance(node, cst.Integer):
            fix.replace(node, int_env_lookup(fix, variable, int(value)))
        else:
            fix.replace(node, env_lookup(fix, variable, node))
        self.report(
            node,
            f"Hardcoded {service.label} {shown}; read {variable} from the environment",
            fix=fix,
            secret=secret_beside(context, node) if context.stack[-1] is node else None,
        )

    def visit_Call(self, node: cst.Call) -> None:
        """Module constants passed to a client: `psycopg2.connect(host=DB_HOST)`."""
        context = self.context
        spec = CLIENTS.get(context.qualified_name(node.func) or "")
        if spec is None or environment_specific_module(context):
            return
        for index, arg in enumerate(node.args):
            if not isinstance(arg.value, cst.Name) or arg.star:
                continue
            role = None
            for keyword_name, (position, param_role) in spec.params.items():
                if (arg.keyword is not None and arg.keyword.value == keyword_name) or (
                    arg.keyword is None and position == index
                ):
                    role = param_role
            if role not in (HOST, PORT, USER, URL_OR_HOST, ENDPOINT):
                continue
            constant = context.module_constant(arg.value)
            if isinstance(constant, cst.Integer):
                value: str | int | None = constant.evaluated_value
            else:
                value = context.string_value(constant) if constant is not None else None
            if constant is None or value is None:
                continue
            service = SERVICES[spec.service]
            name = arg.value.value
            variable = env_name(name) if meaningful(name) else self._client_variable(service, role)
            self._check(constant, value, service, role, variable, setting=False)
