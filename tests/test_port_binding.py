"""FS0701/FS0702 fixes on realistic files: re-parse, idempotence, removal of the finding."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from factorscan import api

from .conftest import FIXTURES, run_cli

RULES = ["FS0701", "FS0702"]

FLASK_RUN = """\
\"\"\"Entry point for local runs and for the container.\"\"\"
import logging

from shop import create_app

app = create_app()
log = logging.getLogger(__name__)

if __name__ == "__main__":
    log.info("starting")
    app.run(
        host="127.0.0.1",  # local only
        port=5000,
        threaded=True,
    )
"""

GUNICORN_CONF = """\
# gunicorn settings
bind = '127.0.0.1:8000'
workers = 4
timeout = 30
"""


def _codes(root: Path) -> list[tuple[str, int, str]]:
    result = api.check([root], select=RULES)
    assert not result.errors
    return [(Path(f.path).name, f.location.row, f.code) for f in result.findings]


def _fix_twice(root: Path, unsafe: bool = False) -> None:
    changes, problems = api.fix([root], select=RULES, unsafe=unsafe)
    assert problems == []
    assert any(change.changed for change in changes)
    again, problems = api.fix([root], select=RULES, unsafe=unsafe)
    assert problems == []
    assert not [change for change in again if change.changed], "a second --fix changed the file again"


def test_flask_entry_point_fix(project) -> None:
    root = project({"run.py": FLASK_RUN, "requirements.txt": "flask\n"})
    assert _codes(root) == [("run.py", 12, "FS0702"), ("run.py", 13, "FS0701")]
    _fix_twice(root, unsafe=True)
    fixed = (root / "run.py").read_text()
    assert fixed == FLASK_RUN.replace(
        '"""Entry point for local runs and for the container."""\nimport logging\n',
        '"""Entry point for local runs and for the container."""\nimport logging\nimport os\n',
    ).replace('host="127.0.0.1",', 'host=os.environ.get("HOST", "0.0.0.0"),').replace(
        "port=5000,", 'port=int(os.environ.get("PORT", "5000")),'
    )
    ast.parse(fixed)
    assert _codes(root) == []


def test_gunicorn_bind_gets_both_halves_from_the_environment(project, monkeypatch) -> None:
    """Both rules rewrite the same string; the fixer composes them over two rounds."""
    root = project({"gunicorn.conf.py": GUNICORN_CONF})
    assert _codes(root) == [("gunicorn.conf.py", 2, "FS0701"), ("gunicorn.conf.py", 2, "FS0702")]
    _fix_twice(root, unsafe=True)
    fixed = (root / "gunicorn.conf.py").read_text()
    assert fixed == (
        "# gunicorn settings\n"
        "import os\n"
        "\n"
        'bind = f\'{os.environ.get("HOST", "0.0.0.0")}:{os.environ.get("PORT", "8000")}\'\n'
        "workers = 4\n"
        "timeout = 30\n"
    )
    # gunicorn evaluates the module: unset, the port is the old one; set, both halves follow.
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    namespace: dict[str, object] = {}
    exec(compile(fixed, "gunicorn.conf.py", "exec"), namespace)
    assert namespace["bind"] == "0.0.0.0:8000"
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "9000")
    exec(compile(fixed, "gunicorn.conf.py", "exec"), namespace)
    assert namespace["bind"] == "127.0.0.1:9000"
    assert _codes(root) == []


def test_existing_os_alias_and_shared_constant(project) -> None:
    code = (
        "import os as _os\n"
        "\n"
        "import uvicorn\n"
        "\n"
        "PORT = 8000\n"
        "\n"
        "def main():\n"
        "    uvicorn.run('api:app', host='0.0.0.0', port=PORT)\n"
        "\n"
        "def debug():\n"
        "    uvicorn.run('api:app', host='0.0.0.0', port=PORT, reload=True)\n"
    )
    root = project({"serve.py": code})
    assert _codes(root) == [("serve.py", 8, "FS0701"), ("serve.py", 11, "FS0701")]
    _fix_twice(root)
    fixed = (root / "serve.py").read_text()
    assert "PORT = int(_os.environ.get('PORT', '8000'))\n" in fixed  # the file's quotes
    assert "import os\n" not in fixed
    assert fixed.count("port=PORT") == 2
    assert _codes(root) == []


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        pytest.param(
            "httpd = HTTPServer(('localhost', 8080), Handler)",
            "httpd = HTTPServer((os.environ.get('HOST', '0.0.0.0'), int(os.environ.get('PORT', '8080'))), Handler)",
            id="address-tuple",
        ),
        pytest.param(
            'server.add_insecure_port("[::1]:50051")',
            "server.add_insecure_port(f\"{os.environ.get('HOST', '[::]')}:{os.environ.get('PORT', '50051')}\")",
            id="grpc-ipv6",
        ),
        pytest.param(
            'serve(app, listen="localhost:8080")',
            "serve(app, listen=f\"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8080')}\")",
            id="waitress-listen",
        ),
    ],
)
def test_address_forms(project, line: str, fixed: str) -> None:
    imports = (
        "import grpc\nfrom http.server import HTTPServer\nfrom waitress import serve\n\n"
        "from app import Handler, app\n\nserver = grpc.server(None)\n"
    )
    root = project({"main.py": imports + line + "\n"})
    assert {code for _, _, code in _codes(root)} == {"FS0701", "FS0702"}
    _fix_twice(root, unsafe=True)
    text = (root / "main.py").read_text()
    assert text.endswith(fixed + "\n")
    ast.parse(text)
    assert _codes(root) == []


def test_fix_the_fixture_apps_through_the_cli(tmp_path: Path) -> None:
    """--fix on the fixture apps: every file still compiles, a second run changes nothing."""
    for name in ("flask_uploads", "aiohttp_chat", "demo_app"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    for name in ("flask_uploads", "aiohttp_chat", "demo_app"):
        app = tmp_path / name
        before = run_cli("--no-cache", "--format", "concise", "--select", "FS07", ".", cwd=app)
        assert before.returncode == 1
        fixed = run_cli("--no-cache", "--fix", "--unsafe-fixes", "--select", "FS07", ".", cwd=app)
        assert "fixed" in fixed.stdout.lower(), fixed.stdout + fixed.stderr
        sources = {path: path.read_text(encoding="utf-8") for path in app.rglob("*.py")}
        for path, text in sources.items():
            compile(text, str(path), "exec")
        run_cli("--no-cache", "--fix", "--unsafe-fixes", "--select", "FS07", ".", cwd=app)
        assert {path: path.read_text(encoding="utf-8") for path in app.rglob("*.py")} == sources
        after = run_cli("--no-cache", "--format", "concise", "--select", "FS07", ".", cwd=app)
        # Only fix-less findings (a debugger may be on) remain.
        for line in after.stdout.splitlines():
            assert "[*]" not in line, line
    run_py = (tmp_path / "flask_uploads" / "run.py").read_text()
    assert (
        'app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "5000")))' in run_py
    )


def test_ports_computed_from_literals_are_fixed_and_environment_ones_are_not(project) -> None:
    """astroid infers module constants bound to expressions, here and in a first-party module;
    a value derived from the environment stays silent."""
    root = project(
        {
            "app/__init__.py": "",
            "app/config.py": (
                "import os\n"
                "BASE_PORT = 8000\n"
                "PORT = BASE_PORT + 1\n"
                'ENV_PORT = int(os.environ.get("PORT", "8000"))\n'
            ),
            "app/main.py": (
                "from flask import Flask\n"
                "from app.config import PORT, ENV_PORT\n"
                "from .config import PORT as SAME_PORT\n"
                "app = Flask(__name__)\n"
                "LOCAL = 5000 + 1\n"
                "DERIVED = ENV_PORT + 1\n"
                'if __name__ == "__main__":\n'
                "    app.run(port=PORT)\n"
                "    app.run(port=SAME_PORT)\n"
                "    app.run(port=LOCAL)\n"
                "    app.run(port=DERIVED)\n"
            ),
        }
    )
    report = api.check([root], select=["FS0701"])
    messages = sorted((f.location.row, f.message) for f in report.findings)
    assert messages == [
        (8, "The server port is fixed at 8001 (set in app/config.py:3); read it from $PORT"),
        (9, "The server port is fixed at 8001 (set in app/config.py:3); read it from $PORT"),
        (10, "The server port is fixed at 5001 (set in app/main.py:5); read it from $PORT"),
    ]
    # No fix for a computed value: rewriting the expression is the author's call.
    assert all(f.fix is None for f in report.findings)


def test_safe_fixes_never_expose_a_debugger_even_after_the_debug_fix(project) -> None:
    """FS0303's fix turns `debug=True` into an environment lookup that defaults to on; the
    next fix round must still see the debugger and keep the host fix unsafe."""
    root = project(
        {
            "app.py": (
                "from flask import Flask\n\napp = Flask(__name__)\n\n"
                'if __name__ == "__main__":\n'
                '    app.run(host="127.0.0.1", port=5003, debug=True)\n'
            )
        }
    )
    result = run_cli("--fix", "--no-cache", "--select", "FS07,FS0303", "--format", "concise", root)
    fixed = (root / "app.py").read_text()
    assert 'host="127.0.0.1"' in fixed
    assert 'os.environ.get("DEBUG", "true")' in fixed
    assert result.returncode == 1
    assert "FS0702" in result.stdout


def test_a_development_run_is_judged_again_when_only_the_dockerfile_changes(project) -> None:
    """Per-file results come from the cache; the deployment's judgement is made in every scan."""
    root = project(
        {
            "wsgi.py": 'from shop import app\n\nif __name__ == "__main__":\n    app.run(port=4000)\n',
            "Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "wsgi.py"]\n',
        }
    )

    def severities() -> list[str]:
        completed = run_cli(root, "--select", "FS0701", "--format", "json", cwd=root)
        return [finding["severity"] for finding in json.loads(completed.stdout)]

    assert severities() == ["warning"]
    (root / "Dockerfile").write_text(
        'FROM python:3.12-slim\nCMD ["gunicorn", "wsgi:app"]\n', encoding="utf-8"
    )
    assert severities() == ["info"]
    assert (root / ".factorscan_cache").is_dir()
