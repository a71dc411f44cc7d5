"""What runs at start (scan/start_commands.py), seen through the rules that read it:
FS0504 (build steps at start) and FS0802 (`celery worker -B`), with where each finding points."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli, write_project

PROCFILE = """\
web: sudo -u app -E pip3 install x && poetry run python -W ignore manage.py compress && gunicorn shop.wsgi
worker: uv pip install x; npm ci; yarn install; pnpm run build:css; yarn build; npx webpack --mode production; webpack
assets: python -m pip --version; python manage.py check; yarn run dev; npm run build -- -w; webpack serve; pnpm start
other: npm build; uv sync; pip download x; python -c 'import this'; django-admin runserver; pnpm install --frozen-lockfile
release: python manage.py collectstatic --noinput
"""


def _findings(root: Path, code: str) -> list[tuple[str, int, int, str, str]]:
    result = run_cli(root, "--select", code, "--format", "json", "--no-cache", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return sorted(
        (
            finding["filename"],
            finding["location"]["row"],
            finding["location"]["column"],
            finding["severity"],
            finding["message"].split("`")[1],
        )
        for finding in json.loads(result.stdout)
    )


def test_build_steps_in_each_kind_of_start_command(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            ".git/HEAD": "",
            "Procfile": PROCFILE,
            "Dockerfile": """
            FROM python:3.12-slim
            CMD ["tini", "--", "sh", "-c", "python -m django compilemessages && exec gunicorn shop.wsgi"]
            """,
            "docker-compose.yml": """
            services:
              web:
                build: .
                command:
                  - sh
                  - -c
                  - |
                    set -e
                    pip install -e .
                    exec gunicorn shop.wsgi
            """,
        },
    )
    assert _findings(root, "FS0504") == [
        ("Dockerfile", 2, 32, "warning", "django-admin compilemessages"),
        ("Procfile", 1, 6, "warning", "pip install"),
        ("Procfile", 1, 39, "warning", "manage.py compress"),
        ("Procfile", 2, 9, "warning", "uv pip install"),
        ("Procfile", 2, 27, "warning", "npm ci"),
        ("Procfile", 2, 35, "warning", "yarn install"),
        ("Procfile", 2, 49, "warning", "pnpm run build:css"),
        ("Procfile", 2, 69, "warning", "yarn build"),
        ("Procfile", 2, 81, "warning", "webpack"),
        ("Procfile", 2, 112, "warning", "webpack"),
        ("Procfile", 4, 93, "warning", "pnpm install"),
        ("docker-compose.yml", 9, 9, "warning", "pip install"),
    ]


def test_celery_beat_inside_a_worker(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            ".git/HEAD": "",
            "Dockerfile": """
            FROM python:3.12-slim
            COPY start-worker.sh /start-worker.sh
            CMD ["/start-worker.sh"]
            """,
            "start-worker.sh": """
            #!/bin/sh
            exec celery -A shop worker --loglevel=info -B
            """,
            "k8s/worker.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: worker}
            spec:
              template:
                spec:
                  containers:
                    - name: worker
                      image: shop:1.0
                      args: ["celery", "-A", "shop", "worker", "--beat"]
            """,
            "docker-compose.dev.yml": """
            services:
              worker:
                build: .
                command: celery -A shop worker -B
            """,
        },
    )
    assert _findings(root, "FS0802") == [
        ("docker-compose.dev.yml", 4, 36, "info", "celery worker -B"),
        ("k8s/worker.yaml", 10, 52, "warning", "celery worker --beat"),
        ("start-worker.sh", 2, 44, "warning", "celery worker -B"),
    ]


def test_a_script_a_procfile_runs_without_any_dockerfile(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            ".git/HEAD": "",
            "Procfile": "web: bin/start.sh\n",
            "bin/start.sh": "#!/bin/sh\nnpm run build\nexec gunicorn shop.wsgi\n",
            "scripts/build.sh": "#!/bin/sh\nnpm run build\n",
        },
    )
    assert _findings(root, "FS0504") == [("bin/start.sh", 2, 1, "warning", "npm run build")]


def test_a_step_in_a_command_written_word_per_line_points_at_its_word(tmp_path: Path) -> None:
    """The finding starts at the command's first word when the step is on the same line, else at
    the word that names the step (`collectstatic`, `install`, `build`, `webpack`)."""
    root = write_project(
        tmp_path,
        {
            ".git/HEAD": "",
            "compose.yaml": """
            services:
              web:
                build: .
                command:
                  - python
                  - -W
                  - ignore
                  - manage.py
                  - collectstatic
              deps:
                build: .
                command:
                  - python
                  - -m
                  - pip
                  - install
                  - .
              assets:
                build: .
                command:
                  - npm
                  - run
                  - build
              bundle:
                build: .
                entrypoint:
                  - webpack
                  - --mode
                  - production
              uv:
                build: .
                command: ["uv",
                          "pip", "install", "."]
            """,
            "docker-compose.dev.yml": """
            services:
              web:
                build: .
                command: pip install -e .
            """,
        },
    )
    assert _findings(root, "FS0504") == [
        ("compose.yaml", 9, 9, "warning", "manage.py collectstatic"),
        ("compose.yaml", 16, 9, "warning", "pip install"),
        ("compose.yaml", 23, 9, "warning", "npm run build"),
        ("compose.yaml", 27, 9, "warning", "webpack"),
        ("compose.yaml", 33, 22, "warning", "uv pip install"),
        ("docker-compose.dev.yml", 4, 14, "info", "pip install"),
    ]
    result = run_cli(root, "--select", "FS0504", "--format", "json", "--no-cache", cwd=root)
    messages = {finding["filename"]: finding["message"] for finding in json.loads(result.stdout)}
    assert messages["docker-compose.dev.yml"].endswith("(a file for development, CI or the docs)")
    assert "development" not in messages["compose.yaml"]
