"""The variables a fix reads are named so that they clash with nothing: not with
what the platform sets, not with client code, not with each other, and they are
valid shell names (issue 15, items 11 and 12)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from factorscan import api

_READ = re.compile(r"""os\.environ(?:\.get)?[\[(]\s*['"]([^'"]+)['"]""")


def _fix(project, files: dict[str, str], select: list[str], *, unsafe: bool = True) -> dict[str, str]:
    root = project({name: textwrap.dedent(text) for name, text in files.items()})
    _changes, problems = api.fix([root], select=select, unsafe=unsafe)
    assert problems == []
    return {name: (root / name).read_text() for name in files}


def _reads(text: str) -> list[str]:
    return _READ.findall(text)


@pytest.mark.parametrize(
    ("source", "select"),
    [
        pytest.param(
            """
            from flask import Flask

            app = Flask(__name__)
            HOSTNAME = "127.0.0.1"
            app.run(host=HOSTNAME, port=5000)
            """,
            ["FS07"],
            id="bind-host",
        ),
        pytest.param(
            """
            from werkzeug.serving import run_simple

            HOSTNAME = "localhost"
            run_simple(HOSTNAME, 8000, lambda environ, start_response: [])
            """,
            ["FS07"],
            id="run-simple",
        ),
    ],
)
def test_a_fix_never_reads_a_variable_the_platform_sets(project, source: str, select: list[str]) -> None:
    fixed = _fix(project, {"app.py": source}, select)["app.py"]
    reads = _reads(fixed)
    assert reads
    assert not {"HOSTNAME", "HOME", "PATH", "PWD", "USER", "SHELL", "LANG", "TERM"} & set(reads)


def test_a_host_constant_that_client_code_uses_keeps_its_value(project) -> None:
    source = """
        import urllib.request
        from wsgiref.simple_server import make_server

        HOST = "127.0.0.1"
        PORT = 5000


        def app(environ, start_response):
            start_response("200 OK", [])
            return [b"ok"]


        def health_url():
            return f"http://{HOST}:{PORT}/health"


        def ping():
            return urllib.request.urlopen(health_url())


        if __name__ == "__main__":
            make_server(HOST, PORT, app).serve_forever()
        """
    root = project({"app.py": textwrap.dedent(source)})
    api.fix([root], select=["FS07"], unsafe=True)
    fixed = (root / "app.py").read_text()
    assert "os.environ" in fixed  # the server's bind is still opened
    completed = subprocess.run(
        [sys.executable, "-c", "import app; print(app.health_url())"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert completed.stdout.strip() == "http://127.0.0.1:5000/health"


def _introduced(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str]]:
    """(variable, file) for every environment read the fix added."""
    reads = []
    for name, text in after.items():
        old = _reads(before.get(name, ""))
        reads.extend((variable, name) for variable in _reads(text) if variable not in old)
    return reads


def test_two_servers_on_different_ports_read_different_variables(project) -> None:
    source = """
        import threading
        from http.server import BaseHTTPRequestHandler, HTTPServer

        import uvicorn

        admin = HTTPServer(("0.0.0.0", 8081), BaseHTTPRequestHandler)
        threading.Thread(target=admin.serve_forever).start()
        uvicorn.run("main:app", host="0.0.0.0", port=8000)
        """
    fixed = _fix(project, {"app.py": source}, ["FS0701"])["app.py"]
    reads = _reads(fixed)
    assert len(reads) == 2
    assert len(set(reads)) == 2
    assert "PORT" in reads


def test_a_bind_list_reads_each_port_once(project) -> None:
    files = {
        "Procfile": "web: gunicorn -c gunicorn.conf.py shop.wsgi\n",
        "gunicorn.conf.py": 'bind = ["127.0.0.1:8000", "127.0.0.1:8001"]\n',
    }
    fixed = _fix(project, files, ["FS07"])["gunicorn.conf.py"]
    reads = _reads(fixed.replace("{", "(").replace("}", ")"))
    ports = [variable for variable in reads if "PORT" in variable]
    assert len(ports) == 2
    assert len(set(ports)) == 2, fixed


def test_settings_of_different_classes_read_different_variables(project) -> None:
    source = """
        class RedisConfig:
            PASSWORD = "Tr0ub4dor-3x-redis-42"


        class PostgresConfig:
            PASSWORD = "Tr0ub4dor-3x-postgres-42"


        class MailSettings:
            PASSWORD = "Tr0ub4dor-3x-mail-42"
        """
    fixed = _fix(project, {"app.py": source}, ["FS0301"])["app.py"]
    assert sorted(_reads(fixed)) == ["MAIL_PASSWORD", "POSTGRES_PASSWORD", "REDIS_PASSWORD"]


def test_one_setting_in_environment_classes_reads_one_variable(project) -> None:
    source = """
        class ProductionConfig:
            SECRET_KEY = "Tr0ub4dor-3x-prod-key-42"


        class StagingConfig:
            SECRET_KEY = "Tr0ub4dor-3x-staging-key-42"
        """
    fixed = _fix(project, {"app.py": source}, ["FS0301"])["app.py"]
    assert _reads(fixed) == ["SECRET_KEY", "SECRET_KEY"]


def test_one_value_gets_one_name(project) -> None:
    source = """
        import requests

        API_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
        requests.get("https://api.github.com/user", headers={"Authorization": "ghp_abcdefghijklmnopqrstuvwxyz0123456789"})
        """
    fixed = _fix(project, {"app.py": source}, ["FS0301"])["app.py"]
    reads = _reads(fixed)
    assert len(reads) == 2
    assert len(set(reads)) == 1, reads


@pytest.mark.parametrize("key", ["2fa secret", "api-key (v2)", "1"])
def test_variable_names_are_valid_shell_names(project, key: str) -> None:
    source = f"""
        CONFIG = {{"{key}": "Tr0ub4dor-3x-sekret-42", "password": "Tr0ub4dor-3x-other-42"}}
        """
    fixed = _fix(project, {"app.py": source}, ["FS0301"])["app.py"]
    reads = _reads(fixed)
    assert reads
    for variable in reads:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable), variable
