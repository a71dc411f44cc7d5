"""Factor III/IV rules (FS0301-FS0303, FS0401-FS0402) on realistic apps and on the traps around them.

The inline VALID/INVALID examples run in test_rule_examples.py; here the
rules meet whole projects: exact expected findings on the fixtures (so any
noise fails), fixes that re-parse, are idempotent, remove their findings
and keep behaviour, environment variable names that never collide, and the
code that must stay silent.
"""

from __future__ import annotations

import ast
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from factorscan import api

from .conftest import FIXTURES, run_cli

RULES = ["FS03", "FS04"]

EXPECTED = {
    "flask_settings": {
        ("blog/__init__.py", 17, "FS0401"),
        ("blog/__init__.py", 18, "FS0301"),
        ("blog/views.py", 21, "FS0301"),
        ("config.py", 9, "FS0301"),
        ("config.py", 10, "FS0401"),
        ("config.py", 12, "FS0402"),
        ("config.py", 13, "FS0402"),
        ("config.py", 15, "FS0402"),
        ("config.py", 16, "FS0301"),
        ("config.py", 21, "FS0303"),
        ("wsgi.py", 6, "FS0303"),
    },
    "django_settings": {
        ("mysite/settings/base.py", 12, "FS0301"),
        ("mysite/settings/base.py", 15, "FS0303"),
        ("mysite/settings/base.py", 35, "FS0402"),
        ("mysite/settings/base.py", 36, "FS0301"),
        ("mysite/settings/base.py", 37, "FS0402"),
        ("mysite/settings/base.py", 38, "FS0402"),
        ("mysite/settings/base.py", 45, "FS0401"),
        ("mysite/settings/base.py", 63, "FS0402"),
        ("mysite/settings/base.py", 64, "FS0402"),
        ("mysite/settings/base.py", 66, "FS0301"),
        ("mysite/settings/base.py", 68, "FS0401"),
        ("mysite/settings/base.py", 72, "FS0302"),
        ("orders/payments.py", 16, "FS0301"),
    },
    "fastapi_service": {
        ("app/config.py", 12, "FS0302"),
        ("app/config.py", 16, "FS0302"),
        ("app/db.py", 6, "FS0401"),
        ("app/main.py", 6, "FS0303"),
        ("app/main.py", 22, "FS0301"),
        ("app/storage.py", 5, "FS0402"),
        ("app/storage.py", 6, "FS0301"),
        ("app/storage.py", 7, "FS0301"),
    },
    "queue_worker": {
        ("worker/celeryconfig.py", 1, "FS0401"),
        ("worker/celeryconfig.py", 2, "FS0401"),
        ("worker/consumer.py", 10, "FS0402"),
        ("worker/consumer.py", 11, "FS0402"),
        ("worker/consumer.py", 12, "FS0402"),
        ("worker/consumer.py", 14, "FS0301"),
        ("worker/consumer.py", 15, "FS0402"),
        ("worker/consumer.py", 16, "FS0402"),
        ("worker/consumer.py", 27, "FS0402"),
    },
}


def _findings(root: Path) -> set[tuple[str, int, str]]:
    result = api.check([root], select=RULES)
    assert not result.errors, result.errors
    return {
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.location.row, f.code)
        for f in result.findings
    }


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns(".factorscan_cache"))
    return target


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings_are_exactly_the_planted_ones(name: str) -> None:
    assert _findings(FIXTURES / name) == EXPECTED[name]


def test_clean_app_stays_silent() -> None:
    assert _findings(FIXTURES / "clean_app") == set()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_fixes_reparse_remove_the_findings_and_are_idempotent(name: str, tmp_path: Path) -> None:
    root = _copy(name, tmp_path)
    before = {path: path.read_bytes() for path in root.rglob("*.py")}

    changes, problems = api.fix([root], select=RULES, unsafe=True)
    assert problems == []
    assert changes
    for path, original in before.items():
        text = path.read_text(encoding="utf-8")
        ast.parse(text)  # every fixed file still parses
        if path.read_bytes() != original:
            assert any(Path(change.source.path) == path for change in changes)

    remaining = api.check([root], select=RULES).findings
    assert [f"{f.path}:{f.location.row} {f.code}" for f in remaining] == []
    again, problems = api.fix([root], select=RULES, unsafe=True)
    assert problems == []
    assert not [change for change in again if change.changed]


def test_safe_fixes_keep_behaviour_while_the_variables_are_unset(project, monkeypatch) -> None:
    settings = """
    DEBUG = True
    DB_HOST = "db"
    DB_PORT = 5432
    REDIS_URL = "redis://cache:6379/0"
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "db", "PORT": "5432"}}
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://cache:6379/1"}}
    """
    root = project({"shop/settings.py": settings})
    path = root / "shop" / "settings.py"
    original: dict[str, object] = {}
    exec(compile(path.read_text(), "before", "exec"), original)

    changes, problems = api.fix([root], select=RULES)
    assert problems == []
    assert [change.changed for change in changes] == [True]
    fixed_text = path.read_text()
    assert "os.environ.get(" in fixed_text

    for name in ("DEBUG", "DB_HOST", "DB_PORT", "REDIS_URL", "DATABASE_HOST", "DATABASE_PORT", "CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    fixed: dict[str, object] = {}
    exec(compile(fixed_text, "after", "exec"), fixed)
    for key in ("DEBUG", "DB_HOST", "DB_PORT", "REDIS_URL", "DATABASES", "CACHES"):
        assert fixed[key] == original[key], key

    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("DB_PORT", "6543")
    configured: dict[str, object] = {}
    exec(compile(fixed_text, "configured", "exec"), configured)
    assert configured["DEBUG"] is False
    assert configured["DB_PORT"] == 6543


def test_unsafe_fixes_need_the_flag(project) -> None:
    root = project({"app.py": 'SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n'})
    changes, _ = api.fix([root], select=RULES)
    assert not [change for change in changes if change.changed]
    result = run_cli("--select", "FS0301", "--fix", ".", cwd=root)
    assert result.returncode == 1
    assert "1 more fixable with `--fix --unsafe-fixes`" in result.stdout
    result = run_cli("--select", "FS0301", "--fix", "--unsafe-fixes", ".", cwd=root)
    assert result.returncode == 0, result.stdout
    assert (root / "app.py").read_text() == 'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'


# -- environment variable names ------------------------------------------------


def _fixed(project, code: str, unsafe: bool = True, name: str = "app.py") -> str:
    root = project({name: code})
    _changes, problems = api.fix([root], select=RULES, unsafe=unsafe)
    assert problems == []
    return (root / name).read_text()


def test_names_never_collide_within_a_file(project) -> None:
    fixed = _fixed(
        project,
        """
        import os

        import redis

        sessions = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
        cache = redis.Redis.from_url("redis://cache:6379/1")
        queue = redis.Redis.from_url("redis://queue:6379/2")
        again = redis.Redis.from_url("redis://queue:6379/2")
        """,
        unsafe=False,
    )
    assert 'os.environ.get("REDIS_URL_2", "redis://cache:6379/1")' in fixed
    assert 'os.environ.get("REDIS_URL_3", "redis://queue:6379/2")' in fixed
    assert fixed.count('"REDIS_URL_3"') == 2  # the same value keeps its name
    assert fixed.count('"REDIS_URL"') == 1


def test_a_setting_keeps_its_name_in_every_config_class(project) -> None:
    fixed = _fixed(
        project,
        """
        class Config:
            SECRET_KEY = "a8f5f167f44f4964e6c998dee827110c"


        class ProductionConfig(Config):
            SECRET_KEY = "0cc175b9c0f1b6a831c399e269772661"
        """,
    )
    assert fixed.count('os.environ["SECRET_KEY"]') == 2


def test_names_come_from_config_keys_clients_and_credential_formats(project) -> None:
    fixed = _fixed(
        project,
        """
        import openai
        import psycopg
        from flask import Flask

        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://app@db/app"
        client = openai.OpenAI(api_key="sk-proj-a1B2c3D4e5F6g7H8i9J0T3BlbkFJk1L2m3N4o5P6q7R8s9T0")
        conn = psycopg.connect(host="pg", port=5432, user="app")
        mystery = "AKIAZ3MHQ7LN4XPWRT2B"
        """,
    )
    assert 'app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("SQLALCHEMY_DATABASE_URI", ' in fixed
    assert 'openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])' in fixed
    assert 'host=os.environ.get("DATABASE_HOST", "pg")' in fixed
    assert 'port=int(os.environ.get("DATABASE_PORT", "5432"))' in fixed
    assert 'user=os.environ.get("DATABASE_USER", "app")' in fixed
    assert 'mystery = os.environ["MYSTERY"]' in fixed


# -- what must stay silent ------------------------------------------------------

TRAPS = {
    "pagination-and-references": """
        import os

        def list_all(client, NextToken=None):
            token_url = "https://oauth2.example.org/token"
            SECRET_KEY_ENV_VAR = "SECRET_KEY"
            password_field = "password"
            next_token = "eyJ2IjoxfQ"
            return client.list(NextToken=NextToken, MaxResults=50)
        """,
    "prose-and-words": """
        password_hint = "Use at least 12 characters"
        PASSWORD_ERROR = "Your password is too short."
        token_type = "Bearer"
        SECRET_NAME = "prod/shop/db"
        auth_scheme = "Token"
        """,
    "indirections": """
        import os

        from flask import request

        def handler(vault):
            api_key = request.headers.get("X-Api-Key")
            password = vault.read("db/password")
            secret = os.environ["SECRET"]
            token = os.getenv("TOKEN")
            return api_key, password, secret, token
        """,
    "django-names": """
        AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
        PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
        PASSWORD_RESET_TIMEOUT = 259200
        CSRF_COOKIE_NAME = "csrftoken"
        SESSION_ENGINE = "django.contrib.sessions.backends.cache"
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        """,
    "placeholders": """
        SECRET_KEY = "changeme"
        API_TOKEN = "<your-api-token>"
        DB_PASSWORD = "${DB_PASSWORD}"
        STRIPE_KEY = "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"
        AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
        AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        PASSWORD = "%(password)s"
        CLIENT_SECRET = "{{ client_secret }}"
        PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"
        """,
    "idiomatic-twelve-factor": """
        import os

        import dj_database_url
        import redis
        from sqlalchemy import create_engine

        DEBUG = os.environ.get("DEBUG", "0") == "1"
        SECRET_KEY = os.environ["SECRET_KEY"]
        DATABASES = {"default": dj_database_url.config(default="postgres://localhost:5432/shop")}
        engine = create_engine(os.environ.get("DATABASE_URL", "postgresql://localhost/shop"))
        cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
        """,
    "urls-that-are-not-services": """
        import requests

        SITE_URL = "https://shop.example.org"
        API = "https://api.github.com/repos"
        TEMPLATE = "postgresql://{user}:{password}@{host}/{db}"
        DOC = "postgres://user:password@host:5432/dbname"
        IN_MEMORY = "sqlite://"
        METADATA = "http://169.254.169.254/latest/api/token"

        def is_redis(url):
            return url.startswith("redis://") or url == "redis://localhost"
        """,
    "sqlite-and-local-caches": """
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3", "HOST": ""}}
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/var/tmp/cache"}}
        """,
    "debug-that-is-not-a-deploy-flag": """
        import asyncio
        import logging

        logging.basicConfig(level=logging.DEBUG)
        log = logging.getLogger(__name__)
        log.debug("started")
        parser_debug = True

        def run(debug=False):
            DEBUG = True
            return DEBUG

        asyncio.run(main(), debug=True)
        """,
    "noqa": """
        SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # noqa: FS0301
        """,
}


@pytest.mark.parametrize("code", TRAPS.values(), ids=list(TRAPS))
def test_traps_stay_silent(project, code: str) -> None:
    root = project({"shop/settings.py": textwrap.dedent(code)})
    assert _findings(root) == set()


def test_type_stubs_are_not_scanned(project) -> None:
    root = project({"shop/secrets.pyi": 'SECRET_KEY: str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n'})
    assert _findings(root) == set()


def test_test_files_keep_only_credential_formats(project) -> None:
    root = project(
        {
            "tests/test_api.py": """
            PASSWORD = "hunter2-but-longer"
            DATABASE_URL = "postgres://app:Pg-Pass-1@db/app"
            SETTINGS = {"SECRET_KEY": "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "DEBUG": True}
            JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            LEAKED = "sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStU"
            """,
            "conftest.py": 'DEBUG = True\nREDIS = "redis://localhost:6379/0"\n',
        }
    )
    assert _findings(root) == {("tests/test_api.py", 5, "FS0301")}


def test_secret_names_and_allowed_hosts_settings(project) -> None:
    """`secret-names` extends the names FS0301 knows in the files it reads (the byte
    prefilter cannot see settings, so a file needs one of the rule's triggers)."""
    root = project(
        {
            "pyproject.toml": """
            [tool.factorscan]
            secret-names = ["pin", "*_seed"]
            allowed-hosts = ["*.svc.cluster.local"]
            """,
            "app.py": """
            import os

            import redis

            EMAIL_HOST_PASSWORD = ""
            ATM_PIN = "4821-7730"
            WALLET_SEED = "k3y-s33d-9f8e7d6c"
            PIN_LENGTH = 4
            cache = redis.Redis(host="redis.default.svc.cluster.local")
            queue = redis.Redis(host="queue")
            """,
        }
    )
    assert _findings(root) == {("app.py", 6, "FS0301"), ("app.py", 7, "FS0301"), ("app.py", 10, "FS0402")}


def test_one_finding_per_value(project) -> None:
    """A DSN password is FS0401's alone; a secret default FS0302's alone."""
    root = project(
        {
            "settings.py": """
            import os

            DATABASE_PASSWORD_URL = "postgres://app:Pg-Pass-2024@db/app"
            SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-k3y!@#abcdefghijklmnop12345")
            DB_PASSWORD = os.getenv("DB_PASSWORD", "postgres://app:Pg-Pass-2024@db/app")
            """
        }
    )
    result = api.check([root], select=RULES)
    assert [(f.location.row, f.code, f.severity.value) for f in result.findings] == [
        (3, "FS0401", "error"),
        (4, "FS0302", "error"),
        (5, "FS0401", "error"),
    ]


def test_cli_json_for_a_service_url_with_a_password(project) -> None:
    root = project({"settings.py": 'BROKER_URL = "amqp://jobs:Rabbit-Pass-77@rabbitmq:5672//"\n'})
    result = run_cli("--format", "json", "--select", "FS04", ".", cwd=root)
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "FS0401"
    assert finding["severity"] == "error"
    assert "rabbitmq:5672" in finding["message"]
    assert "Rabbit-Pass-77" not in result.stdout
    assert finding["fix"]["applicability"] == "unsafe"
    assert sorted(edit["content"] for edit in finding["fix"]["edits"]) == [
        "import os\n\n",
        'os.environ["BROKER_URL"]',
    ]


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ('env.bool("DEBUG", default=True)', 'env.bool("DEBUG", default=False)'),
        ('env.bool("DEBUG", True)', 'env.bool("DEBUG", False)'),
        ('os.environ.get("DEBUG", "true") == "true"', 'os.environ.get("DEBUG", "false") == "true"'),
    ],
)
def test_debug_default_off_keeps_the_type_of_the_default(tmp_path: Path, written: str, fixed: str) -> None:
    """environs and django-environ return a default as written, unparsed: `default=""` would
    make DEBUG the string "" instead of False, so a bool default becomes `False`."""
    settings = tmp_path / "settings.py"
    settings.write_text(f"import os\n\nimport environ\n\nenv = environ.Env()\nDEBUG = {written}\n")
    result = run_cli("--no-cache", "--select", "FS0303", "--fix", "--unsafe-fixes", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings.read_text().splitlines()[-1] == f"DEBUG = {fixed}"
