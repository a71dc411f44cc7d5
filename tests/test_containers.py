"""The process model (Procfile, compose, entrypoint scripts) and the container rules end to end."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from factorscan.deploy.container import describe, parse_compose, parse_procfile, script_ending
from factorscan.deploy.shell import commands, words
from factorscan.deploy.yaml_loader import read_yaml

from .conftest import FIXTURES, run_cli

CONTAINER_RULES = "FS05,FS09,FS1103,FS1104"


def argv(command: str) -> list[str]:
    return [word.text for word in words(command)]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            'exec gunicorn --bind ":$PORT" "shop:create_app()"',
            ("gunicorn", "gunicorn", "shop", None, True, True),
        ),
        (
            "gunicorn -c gunicorn.conf.py -k uvicorn.workers.UvicornWorker api.main:app",
            ("gunicorn", "gunicorn", "api.main", None, False, True),
        ),
        ("python -u worker.py", ("python", None, None, "worker.py", False, False)),
        ("python3 -m app.consumer", ("python3", None, "app.consumer", None, False, False)),
        ("python -m gunicorn app:app", ("gunicorn", "gunicorn", "app", None, False, True)),
        ("celery --app=proj.celery worker -l INFO", ("celery", "celery", "proj.celery", None, False, True)),
        (
            "tini -- gosu app uvicorn app.main:app --host 0.0.0.0",
            ("uvicorn", "uvicorn", "app.main", None, False, True),
        ),
        (
            "env PYTHONPATH=/srv poetry run python -m shop.jobs",
            ("python", None, "shop.jobs", None, False, False),
        ),
        (
            "/bin/sh -c 'python manage.py migrate && exec daphne -b 0.0.0.0 shop.asgi:application'",
            ("daphne", "daphne", "shop.asgi", None, True, True),
        ),
        (
            "uwsgi --module shop.wsgi:application --http :8000",
            ("uwsgi", "uwsgi", "shop.wsgi", None, False, False),
        ),
        (
            "uwsgi --die-on-term --module shop.wsgi:application",
            ("uwsgi", "uwsgi", "shop.wsgi", None, False, True),
        ),
        ("rq worker high default", ("rq", "rq", None, None, False, True)),
        ("node server.js", ("node", None, None, None, False, False)),
    ],
)
def test_describe(command: str, expected: tuple[object, ...]) -> None:
    """(program, server, module, script, execs, handles_sigterm)"""
    process = describe(argv(command))
    found = (process.program, process.server, process.module, process.script, process.execs)
    assert (*found, process.handles_sigterm) == expected


def test_describe_unbuffered_and_arguments() -> None:
    assert describe(argv("python -u -m app")).unbuffered
    assert describe(argv("python -Bu app.py")).unbuffered
    assert not describe(argv("python -m app -u")).unbuffered
    assert describe(argv('exec "$@"')).runs_arguments


def test_shell_commands_keep_offsets_and_skip_heredocs() -> None:
    script = 'set -e\ncat > /etc/x <<EOF\nexec not-a-command\nEOF\nif [ "$1" = web ]; then\n  exec gunicorn app:app &\nfi\n'
    found = commands(script)
    assert [command.argv for command in found] == [
        ["set", "-e"],
        ["cat", ">", "/etc/x", "<<EOF"],
        ["[", "$1", "=", "web", "]"],
        ["exec", "gunicorn", "app:app"],
    ]
    gunicorn = found[-1]
    assert script[gunicorn.start : gunicorn.end] == "exec gunicorn app:app"
    assert gunicorn.background


@pytest.mark.parametrize(
    ("script", "starts_without_exec"),
    [
        ('#!/bin/sh\nset -e\npython manage.py migrate\nexec "$@"\n', False),
        ('#!/bin/sh\nset -e\npython manage.py migrate\n"$@"\n', True),
        ("#!/bin/bash\ngunicorn app:app\necho stopped\n", True),
        ("#!/bin/bash\ntrap 'kill -TERM $child' TERM\ngunicorn app:app &\nchild=$!\nwait $child\n", False),
        ("#!/bin/sh\nexec su-exec app python -m worker\n", False),
        ("#!/bin/sh\nchown -R app /data\n", False),
    ],
)
def test_script_ending(script: str, starts_without_exec: bool) -> None:
    assert script_ending(script).starts_app_without_exec is starts_without_exec


def test_procfile() -> None:
    entries = parse_procfile(
        "# processes\nweb: gunicorn app:app\n\nrelease:python manage.py migrate\nnot a process\n"
    )
    assert [(e.name, e.command, e.row, e.column) for e in entries] == [
        ("web", "gunicorn app:app", 2, 6),
        ("release", "python manage.py migrate", 4, 9),
    ]


def test_compose_subset() -> None:
    text = textwrap.dedent(
        """
        x-common: &common
          restart: unless-stopped
        services:
          web:
            <<: *common
            build:
              context: ./web
              dockerfile: Dockerfile.prod
            command: ["gunicorn", "--bind", ":8000",
                      "app:app"]
            environment:
              - PYTHONUNBUFFERED=1
              - "SECRET_KEY=${SECRET_KEY}"
          worker:
            build: .
            entrypoint: /docker-entrypoint.sh  # a comment
            command: >
              celery -A shop worker
              --loglevel INFO
            environment:
              LOG_LEVEL: "debug"
          db:
            image: postgres:16
        """
    )
    services = {service.name: service for service in parse_compose(text)}
    assert list(services) == ["web", "worker", "db"]
    web, worker, db = services["web"], services["worker"], services["db"]
    assert web.process_argv() == ["gunicorn", "--bind", ":8000", "app:app"]
    assert (web.build_context, web.dockerfile) == ("./web", "Dockerfile.prod")
    assert web.environment == {"PYTHONUNBUFFERED": "1", "SECRET_KEY": "${SECRET_KEY}"}
    assert worker.process_argv() == [
        "/docker-entrypoint.sh",
        "celery",
        "-A",
        "shop",
        "worker",
        "--loglevel",
        "INFO",
    ]
    assert worker.environment == {"LOG_LEVEL": "debug"}
    assert worker.row == 15
    assert worker.command is not None
    assert (worker.command.key_row, worker.command.row) == (18, 19)
    assert db.process_argv() == []


@pytest.mark.parametrize(
    "text", ["", ":", "- a\n- b", "services: [a, b", "\t\tservices:\n  web: {", "a: |\n", "é: \x00"]
)
def test_yaml_reader_never_raises(text: str) -> None:
    read_yaml(text)
    parse_compose(text)


# -- the rules on the fixture apps, through the CLI --------------------------------------


def findings(path: Path, *args: str) -> list[tuple[str, int, str]]:
    completed = run_cli(path, "--no-cache", "--format", "json", *args, cwd=path)
    assert completed.returncode in (0, 1), completed.stderr
    return sorted(
        (item["filename"], item["location"]["row"], item["code"]) for item in json.loads(completed.stdout)
    )


def test_worker_app() -> None:
    assert findings(FIXTURES / "worker_app", "--select", CONTAINER_RULES) == [
        ("Dockerfile", 1, "FS1104"),
        ("Dockerfile", 5, "FS0503"),
        ("compose.yaml", 6, "FS0903"),
        ("docker-entrypoint.sh", 7, "FS0903"),
        ("worker/consumer.py", 29, "FS0901"),
    ]


def test_procfile_only_app_and_its_fix(tmp_path: Path) -> None:
    app = shutil.copytree(FIXTURES / "procfile_only", tmp_path / "procfile_only")
    assert findings(app, "--select", CONTAINER_RULES) == [
        ("Procfile", 1, "FS1103"),
        ("Procfile", 2, "FS1103"),
        ("clock.py", 12, "FS0901"),
    ]
    completed = run_cli(".", "--no-cache", "--select", "FS1103", "--fix", cwd=app)
    assert completed.returncode == 1, completed.stderr  # the celery one has no fix
    assert (app / "Procfile").read_text().splitlines()[0] == (
        "web: gunicorn shop.wsgi:application --workers 3 --log-file -"
    )
    assert findings(app, "--select", "FS1103") == [("Procfile", 2, "FS1103")]


def test_demo_app_container_findings() -> None:
    assert findings(FIXTURES / "demo_app", "--select", CONTAINER_RULES) == [
        ("Dockerfile", 1, "FS0501"),
        ("Dockerfile", 1, "FS1104"),
        ("Dockerfile", 4, "FS0503"),
        ("Dockerfile", 6, "FS0903"),
        ("Procfile", 1, "FS1103"),
        ("gunicorn.conf.py", 3, "FS1103"),
        ("gunicorn.conf.py", 4, "FS1103"),
        ("scheduler.py", 20, "FS0901"),  # issue 4's daemonizing scheduler loops without SIGTERM handling
        ("worker.py", 15, "FS0901"),
    ]


@pytest.mark.parametrize("app", ["clean_app", "gunicorn_web"])
def test_clean_apps_stay_silent(app: str) -> None:
    completed = run_cli(FIXTURES / app, "--no-cache", cwd=FIXTURES / app)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_fix_adds_pythonunbuffered(project) -> None:
    root = project({"Dockerfile": 'FROM python:3.12-slim\r\nCMD ["python", "app.py"]'})
    completed = run_cli(".", "--no-cache", "--select", "FS1104", "--fix", cwd=root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (
        root / "Dockerfile"
    ).read_bytes() == b'FROM python:3.12-slim\r\nENV PYTHONUNBUFFERED=1\r\nCMD ["python", "app.py"]'


def test_cloud_native_cmd_is_silent_with_every_rule(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\nCMD exec gunicorn --bind :$PORT app:app\n",
            "app.py": "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n",
        }
    )
    completed = run_cli(".", "--no-cache", cwd=root)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_dockerfile_ignore_comment(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\n# factorscan: ignore=FS0903\nCMD supervisord -n\n"
        }
    )
    assert findings(root, "--select", "FS0903") == []


def test_broken_dockerfile_is_a_warning_not_a_crash(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nRUNN pip install x\nRUN <<EOF\necho unterminated\n",
            "Procfile": "web: python -m app\n",
            "app.py": "while True:\n    pass\n",
        }
    )
    completed = run_cli(".", "--no-cache", "--select", CONTAINER_RULES, cwd=root)
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "Dockerfile:2: unknown instruction: RUNN" in completed.stderr
    assert "Dockerfile:3: unterminated heredoc 'EOF'" in completed.stderr


def test_stdin_dockerfile(project) -> None:
    """Editors send a Dockerfile on stdin; the file rules run on it."""
    root = project({})
    completed = run_cli(
        "--stdin-filename",
        "Dockerfile",
        "--select",
        "FS0501,FS0903",
        "--format",
        "concise",
        stdin="FROM python\nCMD python app.py\n",
        cwd=root,
    )
    assert completed.returncode == 1
    assert [line.split(" ")[1] for line in completed.stdout.splitlines()] == ["FS0501", "FS0903"]
