"""Precision cases for the Factor VI-XII rules beyond their inline examples."""

from __future__ import annotations

import pytest

from factorscan import api


def _found(root, select: str) -> list[tuple[str, int]]:
    result = api.check([root], select=[select])
    assert not result.errors, result.errors
    return [(finding.path.rsplit("/", 1)[-1], finding.location.row) for finding in result.findings]


# -- first-party constants (factorscan.python.inference) ---------------------------------------


def test_port_from_a_star_import_chain(project) -> None:
    root = project(
        {
            "svc/__init__.py": "",
            "svc/defaults.py": "PORT = 9000\n",
            "svc/settings.py": "from .defaults import *\nDEBUG = False\n",
            "svc/main.py": "import uvicorn\n\nfrom svc.settings import PORT\n\nuvicorn.run('svc.main:app', port=PORT)\n",
        }
    )
    result = api.check([root], select=["FS0701"])
    (finding,) = result.findings
    assert finding.fix is None
    assert "9000 (set in svc/defaults.py:1)" in finding.message


def test_port_from_a_module_attribute(project) -> None:
    root = project(
        {
            "config.py": "PORT = 5001\n",
            "app.py": "import config\nfrom flask import Flask\n\napp = Flask(__name__)\napp.run(port=config.PORT)\n",
        }
    )
    assert _found(root, "FS0701") == [("app.py", 5)]


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("import os\nPORT = int(os.environ.get('PORT', 8000))\n", id="read-from-env"),
        pytest.param("PORT = 8000\nPORT = 8001\n", id="bound-twice"),
        pytest.param(
            "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    PORT: int = 8000\n",
            id="class-attribute",
        ),
    ],
)
def test_port_not_a_literal_constant(project, config: str) -> None:
    root = project(
        {
            "config.py": config,
            "app.py": "import uvicorn\n\nfrom config import PORT\n\nuvicorn.run('app:app', port=PORT)\n",
        }
    )
    assert _found(root, "FS0701") == []


def test_third_party_names_are_not_looked_up(project) -> None:
    root = project(
        {"app.py": "import uvicorn\nfrom somelib.defaults import PORT\n\nuvicorn.run('app:app', port=PORT)\n"}
    )
    assert _found(root, "FS0701") == []


# -- FS0601 / FS0602 / FS0603 ---------------------------------------------------------


def test_local_variable_shadowing_a_module_container(project) -> None:
    root = project(
        {
            "app.py": """
            from flask import Flask

            app = Flask(__name__)
            items = []

            @app.post("/batch")
            def batch():
                items = []
                items.append(1)
                return {"items": items}
            """
        }
    )
    assert _found(root, "FS0602") == []


def test_mutation_outside_handlers_and_in_tests_is_silent(project) -> None:
    root = project(
        {
            "worker.py": "JOBS = []\n\ndef enqueue(job):\n    JOBS.append(job)\n",
            "tests/test_views.py": (
                "from flask import Flask\napp = Flask(__name__)\nSEEN = []\n\n"
                "@app.get('/')\ndef index():\n    SEEN.append(1)\n"
            ),
        }
    )
    assert _found(root, "FS0602") == []


def test_upload_written_by_a_handler_in_a_views_package(project) -> None:
    root = project(
        {
            "shop/views/uploads.py": """
            def receive(request):
                incoming = request.FILES["file"]
                path = "/srv/media/" + incoming.name
                with open(path, "wb") as out:
                    out.write(incoming.read())
            """
        }
    )
    assert _found(root, "FS0601") == [("uploads.py", 4)]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "import sqlite3\nfrom flask import Flask\napp = Flask(__name__)\ndb = sqlite3.connect('http_cache.sqlite')\n",
            id="a-cache",
        ),
        pytest.param(
            "import os, sqlite3\nfrom flask import Flask\napp = Flask(__name__)\ndb = sqlite3.connect(os.environ['DB_PATH'])\n",
            id="path-from-env",
        ),
        pytest.param(
            "import sqlite3\n\ndef open_db(path):\n    return sqlite3.connect(path)\n", id="a-parameter"
        ),
        pytest.param('URL = "sqlite:///:memory:"\nOTHER = "sqlite://"\n', id="memory-urls"),
        pytest.param(
            "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['SQLITE_PATH']}}\n",
            id="django-name-from-env",
        ),
        pytest.param(
            "class DevelopmentConfig:\n    SQLALCHEMY_DATABASE_URI = 'sqlite:///dev.db'\n",
            id="dev-config-class",
        ),
    ],
)
def test_sqlite_not_the_app_store(project, code: str) -> None:
    root = project({"app.py": code})
    assert _found(root, "FS0603") == []


# -- FS0801 / FS1001 / FS1201 ---------------------------------------------------------------


def test_background_commands_that_are_not_the_app(project) -> None:
    root = project(
        {
            "ops.py": (
                "import os, subprocess\n"
                "os.system('nohup tail -f /var/log/syslog &')\n"
                "subprocess.Popen(['python', 'worker.py'], start_new_session=True)\n"
                "subprocess.run('make build && make test', shell=True)\n"
            )
        }
    )
    assert _found(root, "FS0801") == []


@pytest.mark.parametrize(
    "code",
    [
        pytest.param('app.config["TESTING"] = True\n', id="testing-setting"),
        pytest.param(
            'import logging\nENV = "prod"\nlogging.info(f"loaded config for {ENV}")\n', id="log-message"
        ),
        pytest.param('LABELS = {"production": "Production", "staging": "Staging"}\n', id="label-dict"),
        pytest.param('import os\nif os.environ.get("ENABLE_BETA") == "true":\n    pass\n', id="feature-flag"),
        pytest.param('response = make_response("test")\n', id="not-a-factory"),
    ],
)
def test_not_environment_name_branches(project, code: str) -> None:
    root = project({"app.py": code})
    assert _found(root, "FS1001") == []


def test_schema_creation_in_admin_code_is_silent(project) -> None:
    root = project(
        {
            "alembic/env.py": "from app.models import Base\nBase.metadata.create_all(engine)\n",
            "app/cli.py": (
                "import click\nfrom app import db\n\n@click.command()\ndef init_db():\n    db.create_all()\n"
            ),
            "scripts/reset.py": "from app import db\ndb.drop_all()\ndb.create_all()\n",
        }
    )
    assert _found(root, "FS1201") == []
