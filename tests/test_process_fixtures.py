"""Factors VI, VII, VIII, X and XII end to end: the CLI on realistic fixture apps.

Each fixture is its own project. The expected findings are exact: a new false
positive fails as surely as a missed finding.
"""

from __future__ import annotations

import json

import pytest

from .conftest import FIXTURES, run_cli

SELECT = "FS06,FS07,FS08,FS10,FS12"

EXPECTED = {
    "flask_uploads": {
        ("gallery/__init__.py", 17, "FS0603"),  # sqlite:///gallery.db
        ("gallery/__init__.py", 18, "FS0602"),  # SESSION_TYPE = "filesystem"
        ("gallery/__init__.py", 24, "FS1201"),  # db.create_all() in the app factory
        ("gallery/views.py", 25, "FS0602"),  # global visits += 1
        ("gallery/views.py", 35, "FS0601"),  # photo.save(UPLOAD_FOLDER/...)
        ("gallery/views.py", 36, "FS0602"),  # recent_uploads.append
        ("run.py", 6, "FS0701"),
        ("run.py", 6, "FS0702"),
    },
    "django_shop": {
        ("catalog/views.py", 19, "FS0602"),  # recently_viewed[...].append in a function view
        ("catalog/views.py", 27, "FS0601"),  # request.FILES chunks under MEDIA_ROOT in a View
        ("shop/settings/base.py", 7, "FS1001"),  # DEBUG = ENVIRONMENT == "development" (info)
        ("shop/settings/base.py", 19, "FS0603"),  # sqlite3 ENGINE
        ("shop/settings/base.py", 24, "FS0602"),  # file sessions
        ("shop/settings/base.py", 28, "FS0602"),  # LocMemCache (info)
        ("shop/settings/base.py", 36, "FS0601"),  # MEDIA_ROOT with ImageField, no remote storage
        ("shop/settings/production.py", 5, "FS1001"),  # ENVIRONMENT == "staging"
        ("shop/wsgi.py", 8, "FS1201"),  # call_command("migrate") at import
    },
    "fastapi_state": {
        ("app/main.py", 8, "FS1201"),  # create_all at import
        ("app/main.py", 16, "FS0701"),  # PORT from app/config.py
        ("app/main.py", 16, "FS0702"),  # HOST from app/config.py
        ("app/routers/auth.py", 18, "FS0602"),  # _attempts[client] = ...
        ("app/routers/auth.py", 20, "FS0602"),  # _sessions[sid] = ...
        ("app/routers/auth.py", 27, "FS0602"),  # _sessions.pop in logout
        ("app/routers/reports.py", 26, "FS0601"),  # open(f"archive/...", "wb")
    },
    "aiohttp_chat": {
        ("chat/handlers.py", 22, "FS0602"),  # history.append in the websocket handler
        ("chat/handlers.py", 33, "FS0601"),  # attachments written next to the code
        ("chat/server.py", 13, "FS1201"),  # alembic upgrade in on_startup
        ("chat/server.py", 19, "FS1001"),  # CHAT_ENV != "production"
        ("chat/server.py", 25, "FS0801"),  # PID file
        ("chat/server.py", 27, "FS0701"),
        ("chat/server.py", 27, "FS0702"),
    },
}
INFO = {("shop/settings/base.py", 7, "FS1001"), ("shop/settings/base.py", 28, "FS0602")}


def _findings(name: str) -> tuple[int, list[dict]]:
    app = FIXTURES / name
    result = run_cli("--no-cache", "--format", "json", "--select", SELECT, ".", cwd=app)
    assert result.stderr == "", result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings_are_exact(name: str) -> None:
    code, findings = _findings(name)
    assert code == 1
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in findings}
    assert found == EXPECTED[name]
    for finding in findings:
        key = (finding["filename"], finding["location"]["row"], finding["code"])
        assert finding["severity"] == ("info" if key in INFO else "warning"), key


def test_values_through_config_objects() -> None:
    """flask_config's paths and port live on config objects (a class loaded by from_object,
    a dataclass default, a class attribute); the ones read from the environment or under /tmp
    stay silent."""
    result = run_cli(
        "--no-cache", "--format", "json", "--select", f"{SELECT},FS11", ".", cwd=FIXTURES / "flask_config"
    )
    assert result.returncode == 1, result.stderr
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(result.stdout)}
    assert found == {
        ("notes/db.py", 8, "FS0603"),  # current_app.config["DATABASE"], set on the config class
        ("notes/logs.py", 9, "FS1101"),  # loguru sink from a dataclass default
        ("notes/views.py", 9, "FS0601"),  # attachments under the config's media folder
        ("run.py", 7, "FS0701"),  # ProductionConfig.PORT
    }


def test_silent_parts_of_the_fixtures_stay_silent() -> None:
    """The parts each fixture's README promises are quiet: scanned alone, nothing."""
    quiet = {
        "django_shop": [
            "manage.py",
            "shop/settings/local.py",
            "catalog/management/commands/seed.py",
            "shop/urls.py",
        ],
        "fastapi_state": ["app/config.py", "app/database.py", "app/routers/live.py"],
        "flask_uploads": ["gallery/filters.py"],
        "flask_config": ["notes/search.py", "notes/__init__.py", "notes/config.py"],
    }
    for name, paths in quiet.items():
        result = run_cli("--no-cache", "--format", "concise", "--select", SELECT, *paths, cwd=FIXTURES / name)
        assert result.returncode == 0, result.stdout


def test_clean_app_is_silent_with_every_rule() -> None:
    result = run_cli("--no-cache", "fixtures/clean_app", cwd=FIXTURES.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_app_shows_the_process_factors() -> None:
    result = run_cli(
        "--no-cache", "--format", "concise", "--select", SELECT, "fixtures/demo_app", cwd=FIXTURES.parent
    )
    assert result.returncode == 1
    codes = {line.split()[1] for line in result.stdout.splitlines()}
    assert codes == {"FS0601", "FS0602", "FS0603", "FS0701", "FS0702", "FS0801", "FS1001", "FS1201"}


def test_full_report_names_the_handler_and_the_factor() -> None:
    result = run_cli(
        "--no-cache", "--select", SELECT, ".", cwd=FIXTURES / "flask_uploads", env={"COLUMNS": "140"}
    )
    assert result.returncode == 1
    assert "Request handler `upload` saves an upload under UPLOAD_FOLDER" in result.stdout
    assert "VI     │ Processes" in result.stdout
