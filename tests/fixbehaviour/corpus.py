"""The harness's corpus: every rule's INVALID examples that carry `fixed=`, and tricky
programs of our own (debuggers by other routes, several servers, logging that already
reaches the console, embedded servers, containers)."""

from __future__ import annotations

import textwrap

from factorscan.checks import all_rules
from factorscan.checks.base import FixAvailability

from .harness import Entry


def fixable_rules() -> list:
    return [rule for rule in all_rules() if rule.fix_availability is not FixAvailability.NEVER]


def example_entries() -> list[Entry]:
    return [
        Entry(f"{rule.code}-invalid-{index}", example.project_files(), (rule.code,), example.note)
        for rule in fixable_rules()
        for index, example in enumerate(rule.INVALID)
        if example.fixed is not None
    ]


def _entry(name: str, covers: str, files: dict[str, str], note: str = "") -> Entry:
    return Entry(
        f"tricky-{name}",
        {path: textwrap.dedent(text).lstrip("\n") for path, text in files.items()},
        tuple(covers.split()),
        note,
    )


TRICKY = [
    _entry(
        "flask-debug-by-config",
        "FS0303 FS0701 FS0702",
        {
            "app.py": """
        from flask import Flask

        app = Flask(__name__)
        app.config["DEBUG"] = True
        app.run(host="127.0.0.1", port=5000)
    """
        },
    ),
    _entry(
        "flask-debug-off-loopback",
        "FS0701 FS0702",
        {
            "app.py": """
        from flask import Flask

        app = Flask(__name__)

        if __name__ == "__main__":
            app.run("127.0.0.1", 5001, False)
    """
        },
    ),
    _entry(
        "uvicorn-reload-loopback",
        "FS0701 FS0702",
        {
            "main.py": """
        import uvicorn

        if __name__ == "__main__":
            uvicorn.run("main:app", host="localhost", port=8000, reload=True)
    """
        },
    ),
    _entry(
        "werkzeug-run-simple",
        "FS0303 FS0701 FS0702",
        {
            "serve.py": """
        from werkzeug.serving import run_simple

        def application(environ, start_response):
            return []

        run_simple("localhost", 5000, application, use_reloader=True, use_debugger=True)
    """
        },
    ),
    _entry(
        "gunicorn-embedded",
        "FS0701 FS0702",
        {
            "wsgi.py": """
        from gunicorn.app.base import BaseApplication


        class App(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", "127.0.0.1:8000")
                self.cfg.set("accesslog", "/var/log/gunicorn-access.log")

            def load(self):
                return None


        App().run()
    """
        },
    ),
    _entry(
        "gunicorn-conf-bind-list",
        "FS0701 FS0702 FS1103",
        {
            "gunicorn.conf.py": """
        bind = ["127.0.0.1:8000", "0.0.0.0:9000"]
        accesslog = "logs/access.log"
        errorlog = "-"
    """
        },
    ),
    _entry(
        "two-servers",
        "FS0701",
        {
            "app.py": """
        from flask import Flask
        from prometheus_client import start_http_server

        app = Flask(__name__)
        start_http_server(9100)
        app.run(host="0.0.0.0", port=5000)
    """
        },
    ),
    _entry(
        "engine-in-function-with-local-os",
        "FS0401",
        {
            "db.py": """
        from sqlalchemy import create_engine


        def connect():
            os = "linux"
            return create_engine("postgresql://app@db:5432/app"), os


        engine, platform = connect()
    """
        },
    ),
    _entry(
        "urls-and-endpoints",
        "FS0401 FS0402",
        {
            "services.py": '''
        """Backing services."""
        from __future__ import annotations

        import redis
        from sqlalchemy import create_engine

        engine = create_engine("postgresql+psycopg://shop@db:5432/shop", pool_size=5)
        cache = redis.Redis(host="cache", port=6380, db=2)
        broker = redis.Redis.from_url("redis://broker:6379/0")
        CELERY_BROKER_URL = "amqp://broker:5672//"
    '''
        },
    ),
    _entry(
        "settings-classes",
        "FS0301 FS0402",
        {
            "config.py": """
        class Redis:
            HOST = "cache"
            PASSWORD = "r3dis-Secret-91"


        class Postgres:
            HOST = "db"
            PASSWORD = "pg-Secret-42x"
    """
        },
    ),
    _entry(
        "env-debug-defaults-on",
        "FS0303",
        {
            "settings.py": """
        import os

        DEBUG = os.environ.get("DEBUG", "1") == "1"
        TEMPLATE_DEBUG = DEBUG
    """
        },
    ),
    _entry(
        "logging-already-on-stderr",
        "FS1101",
        {
            "app.py": """
        import logging
        import sys

        root = logging.getLogger()
        root.addHandler(logging.StreamHandler(sys.stderr))
        root.addHandler(logging.FileHandler("app.log"))
    """
        },
    ),
    _entry(
        "environ-scheme-default-read",
        "FS0302",
        {
            "settings.py": """
        import environ

        env = environ.Env(DEBUG=(bool, False), SECRET_KEY=(str, "a0b1c2d3e4f5a6b7"))
        SECRET_KEY = env("SECRET_KEY")
        DEBUG = env("DEBUG")
    """
        },
    ),
    _entry(
        "log-file-next-to-the-module",
        "FS1101",
        {
            "app.py": """
        import logging
        import os

        BASE_DIR = os.path.dirname(os.path.abspath(__file__))
        LOG_FILE = os.path.join(BASE_DIR, "app.log")
        logging.basicConfig(filename=LOG_FILE, level=logging.INFO)
    """
        },
    ),
    _entry(
        "flask-logger-file",
        "FS1101",
        {
            "app.py": """
        import logging

        from flask import Flask

        app = Flask(__name__)
        app.logger.addHandler(logging.FileHandler("flask.log"))
    """
        },
    ),
    _entry(
        "dictconfig-with-console",
        "FS1101",
        {
            "settings.py": """
        LOGGING = {
            "version": 1,
            "handlers": {
                "console": {"class": "logging.StreamHandler"},
                "file": {"class": "logging.FileHandler", "filename": "django.log"},
            },
            "root": {"handlers": ["console", "file"], "level": "INFO"},
        }
    """
        },
    ),
    _entry(
        "structlog-file",
        "FS1101",
        {
            "app.py": """
        import structlog

        structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=open("events.log", "a")))
    """
        },
    ),
    _entry(
        "procfile-logs",
        "FS1103",
        {
            "Procfile": """
        web: gunicorn app:app --bind 0.0.0.0:8000 --error-logfile /var/log/web-error.log
        release: python manage.py migrate
    """
        },
    ),
    _entry(
        "dockerfile-shell-cmd",
        "FS0903 FS1103 FS1104",
        {
            "Dockerfile": """
        FROM python:3.12-slim
        ENV APP_MODULE=app:app
        CMD gunicorn --bind 0.0.0.0:8000 --access-logfile /var/log/access.log app:app
    """
        },
    ),
    _entry(
        "dockerfile-shell-entrypoint-env",
        "FS0903 FS1104",
        {
            "Dockerfile": """
        FROM python:3.12-slim
        ENTRYPOINT python -m celery -A shop worker --loglevel "$LOG_LEVEL"
    """
        },
    ),
]


def corpus() -> list[Entry]:
    return example_entries() + TRICKY
