"""Backing services (Factor IV): URL schemes, client constructors, setting names.

What FS0401/FS0402 and their fixes need to know about databases, caches,
queues and mail servers, independent of syntax trees: which URL schemes
name a backing service, which client calls take a host, port or user in
which argument, which setting names (`DB_HOST`, `MAIL_SERVER`) hold an
endpoint, and which environment variable a value should move to.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from factorscan.python.secrets import ServiceURL, name_words, parse_url

__all__ = [
    "CLIENTS",
    "SERVICES",
    "ClientSpec",
    "Service",
    "allowed_host",
    "classify_url",
    "endpoint_setting",
    "env_name",
    "is_host_like",
    "service_setting",
]


@dataclass(frozen=True)
class Service:
    key: str
    label: str
    prefix: str  # DATABASE -> DATABASE_HOST, DATABASE_PORT...
    url_name: str  # the variable a whole URL moves to


def _service(key: str, label: str, prefix: str, url_name: str | None = None) -> Service:
    return Service(key, label, prefix, url_name or f"{prefix}_URL")


SERVICES: dict[str, Service] = {
    service.key: service
    for service in (
        _service("database", "database", "DATABASE"),
        _service("redis", "Redis", "REDIS"),
        _service("amqp", "AMQP broker", "RABBITMQ", "AMQP_URL"),
        _service("broker", "message broker", "BROKER"),
        _service("mongodb", "MongoDB", "MONGODB", "MONGODB_URI"),
        _service("kafka", "Kafka", "KAFKA"),
        _service("memcached", "Memcached", "MEMCACHED"),
        _service("elasticsearch", "Elasticsearch", "ELASTICSEARCH"),
        _service("search", "search engine", "SEARCH"),
        _service("nats", "NATS", "NATS"),
        _service("email", "mail server", "EMAIL"),
        _service("ldap", "LDAP server", "LDAP"),
        _service("mqtt", "MQTT broker", "MQTT"),
        _service("neo4j", "Neo4j", "NEO4J"),
        _service("cassandra", "Cassandra", "CASSANDRA"),
        _service("couchdb", "CouchDB", "COUCHDB"),
        _service("influxdb", "InfluxDB", "INFLUXDB"),
        _service("cache", "cache", "CACHE"),
        _service("storage", "object storage", "AWS", "AWS_ENDPOINT_URL"),
    )
}

_SCHEMES: dict[str, str] = {}
for _key, _schemes in {
    "database": (
        "postgres postgresql postgis pgsql psql cockroachdb cockroach redshift timescale mysql mysql2 "
        "mysqlx mariadb mysqlgis mssql sqlserver oracle db2 ibm_db_sa snowflake clickhouse clickhouses "
        "teradata sybase firebird vertica trino presto hive databricks"
    ),
    "redis": "redis rediss valkey valkeys rediscache",
    "amqp": "amqp amqps pyamqp librabbitmq rabbitmq",
    "broker": "sqs sentinel",
    "mongodb": "mongodb mongo",
    "kafka": "kafka",
    "memcached": "memcached memcache pymemcache pylibmc",
    "elasticsearch": "elasticsearch elasticsearch2 elasticsearch5 elasticsearch7 elastic opensearch",
    "search": "solr",
    "nats": "nats",
    "email": "smtp smtps submission",
    "ldap": "ldap ldaps",
    "mqtt": "mqtt mqtts",
    "neo4j": "neo4j bolt",
    "cassandra": "cassandra",
    "couchdb": "couchdb couchbase couchbases",
    "influxdb": "influxdb",
}.items():
    for _scheme in _schemes.split():
        _SCHEMES[_scheme] = _key


def service_for_scheme(scheme: str) -> Service | None:
    key = _SCHEMES.get(scheme.lower().split("+", 1)[0])
    return SERVICES[key] if key else None


# Documentation hosts (RFC 2606 names and the like) and platform endpoints
# (cloud metadata services) are never an app's own backing service.
_PLACEHOLDER_HOSTS = frozenset(
    {"host", "hostname", "server", "servername", "yourhost", "your-host", "your_host", "dbhost", "db_host"}
)
_RESERVED_SUFFIXES = (".example", ".invalid", ".example.com", ".example.org", ".example.net")
_PLATFORM_HOSTS = frozenset(
    {
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "metadata.google.internal",
        "metadata",
        "100.100.100.200",
    }
)


def placeholder_host(host: str) -> bool:
    host = host.lower().strip(".")
    return (
        host in _PLACEHOLDER_HOSTS
        or host in ("example.com", "example.org", "example.net")
        or host.endswith(_RESERVED_SUFFIXES)
        or host in _PLATFORM_HOSTS
    )


def allowed_host(host: str, allowed: Iterable[str]) -> bool:
    """The `allowed-hosts` setting: hosts accepted as configured (globs allowed)."""
    host = host.lower()
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in allowed)


@dataclass(frozen=True)
class ClassifiedURL:
    url: ServiceURL
    service: Service


def classify_url(value: str, http_service: Service | None = None) -> ClassifiedURL | None:
    """A backing-service URL, or None for templates, documentation hosts and other URLs.

    `http_service`: the place the value goes (a broker or database setting)
    makes an http(s) URL a backing service too.
    """
    url = parse_url(value)
    if url is None or url.templated or not url.hosts or not url.host:
        return None
    if any(placeholder_host(host) for host, _ in url.hosts):
        return None
    service = service_for_scheme(url.scheme)
    if service is None and url.base_scheme in ("http", "https") and http_service is not None:
        service = http_service
    if service is None:
        return None
    return ClassifiedURL(url, service)


_HOSTNAME = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"(?::\d{1,5})?$"
)
_IPV6 = re.compile(r"^\[?[0-9A-Fa-f:]+\]?(?::\d{1,5})?$")


def is_host_like(value: str) -> bool:
    """`db`, `redis:6379`, `10.0.0.5`, `my-db.abc.rds.amazonaws.com`; not words with spaces or paths."""
    value = value.strip()
    if not value or value in ("0.0.0.0", "::"):
        return False
    if not (_HOSTNAME.match(value) or (":" in value and _IPV6.match(value))):
        return False
    return not placeholder_host(value.rsplit(":", 1)[0] if value.count(":") == 1 else value)


# -- client constructors -----------------------------------------------------------

# Roles an argument plays: a host name (or host:port), a port, a user name, a
# URL or host (MongoClient's first argument), a list of hosts or URLs, an
# http endpoint, or a connection string (URL or libpq key=value).
HOST, PORT, USER, URL_OR_HOST, HOSTS, ENDPOINT, DSN = (
    "host",
    "port",
    "user",
    "url",
    "hosts",
    "endpoint",
    "dsn",
)


@dataclass(frozen=True)
class ClientSpec:
    service: str
    # keyword -> (position or None, role)
    params: Mapping[str, tuple[int | None, str]]
    # Keys of a config dict passed first (confluent_kafka.Producer({...})).
    config_keys: Mapping[str, str] = field(default_factory=dict)


def _spec(
    service: str, *params: tuple[str, int | None, str], config_keys: Mapping[str, str] | None = None
) -> ClientSpec:
    return ClientSpec(service, {name: (position, role) for name, position, role in params}, config_keys or {})


_PG = _spec(
    "database",
    ("dsn", 0, DSN),
    ("conninfo", 0, DSN),
    ("host", None, HOST),
    ("hostaddr", None, HOST),
    ("port", None, PORT),
    ("user", None, USER),
)
_MYSQL = _spec("database", ("host", 0, HOST), ("user", 1, USER), ("port", None, PORT))
_MYSQL_KW = _spec("database", ("host", None, HOST), ("user", None, USER), ("port", None, PORT))
_SQLA_URL = _spec("database", ("host", None, HOST), ("port", None, PORT), ("username", None, USER))
_REDIS = _spec("redis", ("host", 0, HOST), ("port", 1, PORT), ("username", None, USER))
_MONGO = _spec("mongodb", ("host", 0, URL_OR_HOST), ("port", 1, PORT), ("username", None, USER))
_PIKA = _spec("amqp", ("host", 0, HOST), ("port", 1, PORT))
_AIO_PIKA = _spec(
    "amqp", ("url", 0, URL_OR_HOST), ("host", None, HOST), ("port", None, PORT), ("login", None, USER)
)
_KOMBU = _spec("broker", ("hostname", 0, URL_OR_HOST), ("port", None, PORT), ("userid", None, USER))
_CELERY = _spec("broker", ("broker", None, URL_OR_HOST), ("backend", None, URL_OR_HOST))
_BOTO = _spec("storage", ("endpoint_url", None, ENDPOINT))
_ES = _spec("elasticsearch", ("hosts", 0, HOSTS))
_SMTP = _spec("email", ("host", 0, HOST), ("port", 1, PORT))
_KAFKA = _spec("kafka", ("bootstrap_servers", None, HOSTS))
_CONFLUENT = _spec("kafka", config_keys={"bootstrap.servers": HOSTS})
_MEMCACHED = _spec("memcached", ("server", 0, HOSTS), ("servers", 0, HOSTS))
_CASSANDRA = _spec("cassandra", ("contact_points", 0, HOSTS), ("port", None, PORT))
_LDAP = _spec("ldap", ("host", 0, HOST), ("port", 1, PORT))
_CLICKHOUSE = _spec(
    "database", ("host", 0, HOST), ("port", None, PORT), ("user", None, USER), ("username", None, USER)
)
_INFLUX = _spec("influxdb", ("url", None, ENDPOINT))
_MINIO = _spec("storage", ("endpoint", 0, HOST))


def _clients(spec: ClientSpec, names: str) -> dict[str, ClientSpec]:
    return dict.fromkeys(names.split(), spec)


CLIENTS: dict[str, ClientSpec] = {
    **_clients(
        _PG,
        "psycopg2.connect psycopg.connect psycopg.Connection.connect psycopg.AsyncConnection.connect "
        "asyncpg.connect asyncpg.create_pool aiopg.connect aiopg.create_pool "
        "psycopg_pool.ConnectionPool psycopg_pool.AsyncConnectionPool psycopg2.pool.SimpleConnectionPool "
        "psycopg2.pool.ThreadedConnectionPool",
    ),
    **_clients(
        _MYSQL,
        "pymysql.connect pymysql.Connect pymysql.connections.Connection MySQLdb.connect MySQLdb.Connect",
    ),
    **_clients(
        _MYSQL_KW,
        "mysql.connector.connect mysql.connector.pooling.MySQLConnectionPool aiomysql.connect "
        "aiomysql.create_pool mariadb.connect pg8000.connect pg8000.native.Connection",
    ),
    **_clients(
        _SQLA_URL, "sqlalchemy.engine.URL.create sqlalchemy.URL.create sqlalchemy.engine.url.URL.create"
    ),
    **_clients(
        _REDIS,
        "redis.Redis redis.StrictRedis redis.client.Redis redis.client.StrictRedis redis.asyncio.Redis "
        "redis.asyncio.StrictRedis redis.asyncio.client.Redis aioredis.Redis redis.ConnectionPool "
        "redis.asyncio.ConnectionPool redis.connection.ConnectionPool redis.cluster.RedisCluster "
        "redis.RedisCluster redis.asyncio.RedisCluster valkey.Valkey",
    ),
    **_clients(
        _MONGO,
        "pymongo.MongoClient pymongo.mongo_client.MongoClient pymongo.AsyncMongoClient "
        "motor.motor_asyncio.AsyncIOMotorClient motor.motor_tornado.MotorClient",
    ),
    **_clients(_PIKA, "pika.ConnectionParameters pika.connection.ConnectionParameters"),
    **_clients(_AIO_PIKA, "aio_pika.connect aio_pika.connect_robust"),
    **_clients(_KOMBU, "kombu.Connection kombu.connection.Connection"),
    **_clients(_CELERY, "celery.Celery"),
    **_clients(
        _BOTO,
        "boto3.client boto3.resource boto3.session.Session.client boto3.session.Session.resource "
        "aioboto3.Session.client aioboto3.Session.resource",
    ),
    **_clients(
        _ES,
        "elasticsearch.Elasticsearch elasticsearch.AsyncElasticsearch elasticsearch7.Elasticsearch "
        "opensearchpy.OpenSearch opensearchpy.AsyncOpenSearch "
        "elasticsearch_dsl.connections.create_connection "
        "elasticsearch_dsl.connections.connections.create_connection",
    ),
    **_clients(_SMTP, "smtplib.SMTP smtplib.SMTP_SSL smtplib.LMTP aiosmtplib.SMTP"),
    **_clients(
        _KAFKA,
        "kafka.KafkaProducer kafka.KafkaConsumer kafka.KafkaAdminClient aiokafka.AIOKafkaProducer "
        "aiokafka.AIOKafkaConsumer",
    ),
    **_clients(
        _CONFLUENT, "confluent_kafka.Producer confluent_kafka.Consumer confluent_kafka.admin.AdminClient"
    ),
    **_clients(
        _MEMCACHED,
        "pymemcache.client.base.Client pymemcache.Client pymemcache.client.hash.HashClient memcache.Client "
        "pylibmc.Client bmemcached.Client",
    ),
    **_clients(_CASSANDRA, "cassandra.cluster.Cluster"),
    **_clients(_LDAP, "ldap3.Server"),
    **_clients(_CLICKHOUSE, "clickhouse_driver.Client clickhouse_connect.get_client"),
    **_clients(_INFLUX, "influxdb_client.InfluxDBClient"),
    **_clients(_MINIO, "minio.Minio"),
}


# -- setting names ---------------------------------------------------------------------

_SERVICE_WORDS: dict[str, str] = {}
for _key, _words in {
    "database": "db database databases postgres postgresql pg psql mysql mariadb sql clickhouse",
    "redis": "redis valkey sentinel",
    "mongodb": "mongo mongodb",
    "amqp": "rabbit rabbitmq amqp",
    "broker": "broker celery",
    "elasticsearch": "elastic elasticsearch es opensearch",
    "search": "solr",
    "kafka": "kafka",
    "memcached": "memcache memcached",
    "cache": "cache",
    "email": "smtp mail email",
    "nats": "nats",
    "cassandra": "cassandra",
    "neo4j": "neo4j",
    "influxdb": "influx influxdb",
    "ldap": "ldap",
    "mqtt": "mqtt",
    "storage": "minio s3",
}.items():
    for _word in _words.split():
        _SERVICE_WORDS[_word] = _key

_ROLE_WORDS = {
    "host": HOST,
    "hostname": HOST,
    "hosts": HOSTS,
    "server": HOST,
    "servers": HOSTS,
    "addr": HOST,
    "address": HOST,
    "endpoint": HOST,
    "port": PORT,
    "user": USER,
    "username": USER,
    "userid": USER,
    "login": USER,
}
_URL_WORDS = frozenset(
    {"url", "uri", "urls", "dsn", "location", "backend", "broker", "hosts", "host", "endpoint"}
)


def _service_before(words: tuple[str, ...], end: int) -> Service | None:
    for word in reversed(words[:end]):
        key = _SERVICE_WORDS.get(word)
        if key is not None:
            return SERVICES[key]
    return None


def endpoint_setting(name: str) -> tuple[Service, str] | None:
    """(service, role) for settings such as `DB_HOST`, `REDIS_PORT`, `MAIL_SERVER`, `EMAIL_HOST_USER`."""
    words = name_words(name)
    if len(words) < 2:
        return None
    last = words[-1]
    if last == "name" and words[-2] == "host":
        words, last = words[:-1], "host"
    role = _ROLE_WORDS.get(last)
    if role is None:
        return None
    service = _service_before(words, len(words) - 1)
    return (service, role) if service is not None else None


def service_setting(name: str) -> Service | None:
    """The service a URL-holding setting or keyword points to: `CELERY_BROKER_URL`, `result_backend`."""
    words = name_words(name)
    if not words:
        return None
    if words[-1] in ("broker", "backend") or (
        len(words) > 1 and words[-2:] in (("broker", "url"), ("result", "backend"))
    ):
        return SERVICES["broker"]
    if words[-1] not in _URL_WORDS:
        return None
    return _service_before(words, len(words) - 1)


# -- environment variable names --------------------------------------------------------

# Names that say nothing about the service: `url = "postgres://..."` moves to
# DATABASE_URL, not URL.
_GENERIC_WORDS = frozenset(
    {
        "url",
        "uri",
        "dsn",
        "host",
        "hostname",
        "port",
        "user",
        "username",
        "location",
        "conn",
        "connection",
        "engine",
        "db",
        "database",
        "broker",
        "backend",
        "client",
        "address",
        "addr",
        "endpoint",
        "server",
        "string",
        "str",
        "default",
        "value",
        "target",
        "path",
        "hosts",
        "servers",
        "password",
        "passwd",
        "secret",
        "token",
        "key",
        "self",
        "cls",
        "options",
        "config",
        "settings",
        "kwargs",
        "params",
    }
)


def env_name(name: str) -> str:
    """An environment variable name for a setting: `brokerUrl` -> `BROKER_URL`."""
    words = name_words(name)
    return "_".join(word.upper() for word in words) if words else ""


def meaningful(name: str) -> bool:
    """Whether a target name says enough to become a variable name on its own."""
    words = name_words(name)
    return bool(words) and not all(word in _GENERIC_WORDS or word.isdigit() for word in words)


def role_suffix(role: str) -> str:
    return {
        HOST: "HOST",
        PORT: "PORT",
        USER: "USER",
        HOSTS: "HOSTS",
        ENDPOINT: "URL",
        URL_OR_HOST: "URL",
        DSN: "URL",
    }[role]


def django_variable(path: tuple[str, ...], leaf: str | None = None) -> str | None:
    """`DATABASES["default"]["HOST"]` -> DATABASE_HOST.

    Other aliases prefix the alias: `CACHES["sessions"]["LOCATION"]` -> SESSIONS_CACHE_LOCATION.
    """
    if len(path) < 3 or path[0] not in ("DATABASES", "CACHES"):
        return None
    prefix = "DATABASE" if path[0] == "DATABASES" else "CACHE"
    alias = path[1]
    if alias != "default":
        prefix = f"{env_name(alias)}_{prefix}"
    return f"{prefix}_{leaf or env_name(path[-1])}"


SERVICE_SCHEMES: tuple[str, ...] = tuple(sorted(_SCHEMES))
