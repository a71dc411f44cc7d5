"""Jinja and cookiecutter sources are not checked as Python, Dockerfiles or manifests: they are
skipped without a finding or a warning, and the summary counts them once."""

from __future__ import annotations

import json

from .conftest import run_cli

TEMPLATE_PROJECT = {
    "cookiecutter.json": '{"project_slug": "shop", "use_celery": "y"}\n',
    "hooks/post_gen_project.py": (
        "import os\n{% if cookiecutter.use_celery != 'y' %}\nos.remove('celery.py')\n{% endif %}\n"
    ),
    "{{cookiecutter.project_slug}}/shop/settings.py": (
        "import os\n{% if cookiecutter.use_celery == 'y' %}\nCELERY = True\n{% endif %}\nDEBUG = True\n"
    ),
    "{{cookiecutter.project_slug}}/Dockerfile": (
        "FROM python:{{ cookiecutter.python_version }}\nCMD gunicorn shop.wsgi\n"
    ),
    "{{cookiecutter.project_slug}}/requirements.txt": "django=={{ cookiecutter.django_version }}\nredis\n",
    "Dockerfile.j2": "FROM python:{{ python_version }}\n",
    "pyproject.toml": '[project]\nname = "{{ cookiecutter.project_slug }}"\nversion = {{ cookiecutter.version }}\n',
    "broken.py": "def f(:\n    pass\n",
    "formats.py": 'TITLE = f"{{name}}"\n',
}


def test_templated_files_are_skipped_and_counted_once(project) -> None:
    root = project(TEMPLATE_PROJECT)
    completed = run_cli(root, "--no-cache", cwd=root)
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == ""  # no warning about TOML, requirements or FROM
    assert "broken.py\n1:7  FS0001" in completed.stdout
    assert "{{cookiecutter" not in completed.stdout
    assert "hooks/" not in completed.stdout
    # hooks/post_gen_project.py, the three files under {{cookiecutter.project_slug}}/,
    # Dockerfile.j2 and the root pyproject.toml; formats.py is Python and was checked.
    assert completed.stdout.count("templated file") == 1
    assert "6 templated files (Jinja, cookiecutter) not checked." in completed.stdout

    listed = run_cli(root, "--no-cache", "--format", "json", cwd=root)
    assert {(item["filename"], item["code"]) for item in json.loads(listed.stdout)} == {
        ("broken.py", "FS0001")
    }


def test_a_project_without_templates_says_nothing_about_them(project) -> None:
    root = project({"app.py": "print('hello')\n"})
    completed = run_cli(root, "--no-cache", cwd=root)
    assert completed.returncode == 0
    assert "templated" not in completed.stdout
