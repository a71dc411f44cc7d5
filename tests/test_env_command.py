"""`factorscan env`: the configuration contract, run as users run it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES, run_cli

APP = {
    "requirements.txt": "django\ndjango-environ\npython-decouple\npydantic-settings\ndj-database-url\n",
    "shop/settings.py": """
    import os

    import dj_database_url
    import environ
    from decouple import config

    env = environ.Env(DEBUG=(bool, False))
    environ.Env.read_env()

    DEBUG = env("DEBUG")
    SECRET_KEY = os.environ["SECRET_KEY"]
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost"])
    LOG_LEVEL = os.getenv("LOG_LEVEL", "info")
    TIMEOUT = int(os.environ.get("HTTP_TIMEOUT", 30))
    DATABASES = {"default": dj_database_url.config(conn_max_age=600)}
    SENTRY_DSN = config("SENTRY_DSN", default="")
    STRIPE_API_KEY = env.str("STRIPE_API_KEY")
    if "SHOP_MAINTENANCE" in os.environ:
        MAINTENANCE = True
    """,
    "shop/config.py": """
    from pydantic import Field, SecretStr
    from pydantic_settings import BaseSettings, SettingsConfigDict


    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="SHOP_")

        app_name: str = "shop"
        signing_secret: SecretStr
        page_size: int = 20
        search_url: str = Field("http://search:9200", alias="ELASTICSEARCH_URL")
    """,
    "tests/test_settings.py": """
    import os

    os.environ["ONLY_IN_TESTS"] = "1"
    FLAG = os.environ.get("TEST_ONLY_FLAG", "x")
    """,
    ".env.example": "SECRET_KEY=\nREDIS_URL=redis://localhost:6379/0\nEXTRA_FEATURE=on\n",
    ".env": "SECRET_KEY=local-dev-value-not-for-output\nREDIS_URL=redis://localhost:6379/0\n",
}


def _json(root: Path) -> dict[str, dict]:
    result = run_cli("env", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return {variable["name"]: variable for variable in json.loads(result.stdout)}


def test_json_lists_every_way_the_app_reads_its_environment(project) -> None:
    variables = _json(project(APP))
    assert set(variables) == {
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "DEBUG",
        "ELASTICSEARCH_URL",
        "EXTRA_FEATURE",
        "HTTP_TIMEOUT",
        "LOG_LEVEL",
        "REDIS_URL",
        "SECRET_KEY",
        "SENTRY_DSN",
        "SHOP_APP_NAME",
        "SHOP_MAINTENANCE",
        "SHOP_PAGE_SIZE",
        "SHOP_SIGNING_SECRET",
        "STRIPE_API_KEY",
    }
    assert variables["LOG_LEVEL"]["default"] == "info"
    assert variables["LOG_LEVEL"]["secret"] is False
    assert variables["HTTP_TIMEOUT"]["default"] == "30"
    assert variables["DEBUG"]["default"] == "false"  # environ.Env(DEBUG=(bool, False))
    assert variables["SECRET_KEY"]["required"] is True
    assert variables["SECRET_KEY"]["secret"] is True
    assert variables["SHOP_SIGNING_SECRET"] == {
        "name": "SHOP_SIGNING_SECRET",
        "secret": True,
        "required": True,
        "default": None,
        "reads": [{"file": "shop/config.py", "line": 9, "via": "pydantic-settings"}],
        "provided_by": [],
    }
    assert variables["SHOP_PAGE_SIZE"]["default"] == "20"
    assert variables["SHOP_APP_NAME"]["default"] == "shop"
    # Connection strings are secret-like (the article keeps DATABASE_URL in the Secret).
    assert variables["ELASTICSEARCH_URL"]["secret"] is True
    assert variables["ELASTICSEARCH_URL"]["default"] is None
    assert variables["DATABASE_URL"]["secret"] is True
    assert variables["DATABASE_URL"]["reads"][0]["via"] == "dj-database-url"
    assert variables["SENTRY_DSN"]["secret"] is True
    assert variables["SHOP_MAINTENANCE"]["required"] is False
    assert variables["ALLOWED_HOSTS"]["required"] is False
    assert variables["STRIPE_API_KEY"]["reads"][0] == {
        "file": "shop/settings.py",
        "line": 17,
        "via": "django-environ",
    }
    # .env.example values are shown, .env values never are
    assert variables["EXTRA_FEATURE"]["default"] == "on"
    assert variables["REDIS_URL"]["default"] is None  # a connection string: secret
    assert [read["file"] for read in variables["SECRET_KEY"]["reads"]] == [
        "shop/settings.py",
        ".env",
        ".env.example",
    ]


def test_test_files_are_not_part_of_the_contract(project) -> None:
    variables = _json(project(APP))
    assert "TEST_ONLY_FLAG" not in variables
    assert "ONLY_IN_TESTS" not in variables


def test_table(project) -> None:
    root = project(APP)
    result = run_cli("env", cwd=root, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "(required)" in lines["SECRET_KEY"]
    assert " yes " in lines["SECRET_KEY"]
    assert "shop/settings.py:11" in lines["SECRET_KEY"]
    assert "info" in lines["LOG_LEVEL"]
    assert " no " in lines["LOG_LEVEL"]
    assert "15 variables (" in result.stdout


def test_dotenv_is_an_env_example_with_empty_secrets(project) -> None:
    root = project(APP)
    result = run_cli("env", "--format", "dotenv", cwd=root)
    assert result.returncode == 0, result.stderr
    values = {}
    for line in result.stdout.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    assert values["SECRET_KEY"] == ""
    assert values["SHOP_SIGNING_SECRET"] == ""
    assert values["LOG_LEVEL"] == "info"
    assert values["SHOP_PAGE_SIZE"] == "20"
    assert values["SHOP_APP_NAME"] == "shop"
    assert "# shop/settings.py:11, .env:1, .env.example:1 (required, secret)\nSECRET_KEY=\n" in result.stdout
    assert "local-dev-value-not-for-output" not in result.stdout


def test_k8s_manifests_parse_as_yaml(project, tmp_path: Path) -> None:
    root = project(APP)
    output = tmp_path / "manifests.yaml"
    result = run_cli("env", "--format", "k8s", "--name", "Shop Web", "-o", output, cwd=root)
    assert result.returncode == 0, result.stderr
    config_map, secret = yaml.safe_load_all(output.read_text(encoding="utf-8"))
    assert config_map["apiVersion"] == "v1"
    assert config_map["kind"] == "ConfigMap"
    assert config_map["metadata"]["name"] == "shop-web-config"
    assert config_map["data"]["LOG_LEVEL"] == "info"
    assert config_map["data"]["SHOP_PAGE_SIZE"] == "20"
    assert config_map["data"]["DEBUG"] == "false"
    assert all(isinstance(value, str) for value in config_map["data"].values())
    assert secret["kind"] == "Secret"
    assert secret["type"] == "Opaque"
    assert secret["metadata"]["name"] == "shop-web-secrets"
    assert set(secret["stringData"]) == {
        "DATABASE_URL",
        "ELASTICSEARCH_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "SENTRY_DSN",
        "SHOP_SIGNING_SECRET",
        "STRIPE_API_KEY",
    }
    assert set(secret["stringData"].values()) == {"REPLACE_ME"}
    assert not set(secret["stringData"]) & set(config_map["data"])


def test_k8s_quotes_awkward_values(project) -> None:
    root = project(
        {
            "app.py": """
            import os

            GREETING = os.environ.get("GREETING", 'héllo "wörld" \\\\ 😀: yes')
            ON = os.environ.get("ON", "no")
            """
        }
    )
    result = run_cli("env", "--format", "k8s", cwd=root)
    assert result.returncode == 0, result.stderr
    config_map, secret = yaml.safe_load_all(result.stdout)
    assert config_map["data"] == {"GREETING": 'héllo "wörld" \\ 😀: yes', "ON": "no"}
    assert secret["stringData"] == {}


def test_env_after_unsafe_fixes_lists_the_new_variables(tmp_path: Path) -> None:
    root = tmp_path / "queue_worker"
    shutil.copytree(FIXTURES / "queue_worker", root, ignore=shutil.ignore_patterns(".factorscan_cache"))
    before = set(json_names(root))
    assert before == {"SENDGRID_API_KEY", "REPORT_BUCKET"}
    fixed = run_cli("--fix", "--unsafe-fixes", "--select", "FS03,FS04", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = set(json_names(root))
    assert after - before == {
        "BROKER_URL",
        "RESULT_BACKEND",
        "DB_HOST",
        "DB_PORT",
        "RABBIT_USER",
        "RABBITMQ_PASSWORD",
        "RABBITMQ_HOST",
        "RABBITMQ_PORT",
        "REDIS_HOST",
        "REDIS_PORT",
        "DATABASE_USER",
    }


def json_names(root: Path) -> list[str]:
    result = run_cli("env", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return [variable["name"] for variable in json.loads(result.stdout)]


def test_conflicting_defaults_are_a_warning(project) -> None:
    root = project(
        {
            "cache.py": 'import os\nREDIS = os.environ.get("REDIS_URL", "redis://localhost:6379/0")\n',
            "queue.py": 'import os\nQUEUE = os.environ.get("REDIS_URL", "redis://localhost:6379/1")\n',
        }
    )
    result = run_cli("env", "--format", "json", cwd=root)
    assert result.returncode == 0
    assert "REDIS_URL is read with 2 different defaults (cache.py:2, queue.py:2)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["env", "missing-folder"], "missing-folder: no such file or directory"),
        (["env", "--format", "yaml"], "invalid choice"),
    ],
)
def test_usage_errors_are_one_line(project, args: list[str], message: str) -> None:
    result = run_cli(*args, cwd=project({"app.py": "x = 1\n"}))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unparseable_files_are_a_warning(project) -> None:
    root = project({"good.py": 'import os\nA = os.environ["A"]\n', "bad.py": "import os\nos.environ[\n"})
    result = run_cli("env", "--format", "json", cwd=root)
    assert result.returncode == 0
    assert [variable["name"] for variable in json.loads(result.stdout)] == ["A"]
    assert "bad.py: cannot parse" in result.stderr


# libcst parses `except (A, B) :` but writes it back without the space (the
# standard library's webbrowser.py has one), so whole-file positions fail there.
ROUND_TRIP_BREAKER = """
import os

try:
    import winreg
except (ImportError, OSError) :
    winreg = None

BROWSER = os.environ.get("BROWSER", "firefox")
"""


def test_a_file_libcst_cannot_round_trip_does_not_abort_env(project) -> None:
    root = project({"browser.py": ROUND_TRIP_BREAKER, "good.py": 'import os\nA = os.environ["A"]\n'})
    result = run_cli("env", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    variables = {variable["name"]: variable for variable in json.loads(result.stdout)}
    assert set(variables) == {"A", "BROWSER"}
    assert variables["BROWSER"]["reads"] == [{"file": "browser.py", "line": 8, "via": "os.environ.get"}]
    assert "internal error" not in result.stderr


def test_a_file_whose_reads_cannot_be_placed_is_skipped_with_a_warning(project) -> None:
    # Two reads in one statement across the odd `except` clause: the per-statement
    # shortcut cannot place them, and the whole-file pass refuses the file.
    root = project(
        {
            "odd.py": 'import os\ntry:\n    A = os.environ["ODD_A"]\nexcept (KeyError, OSError) :\n'
            '    A = os.environ.get("ODD_B", "")\n',
            "good.py": 'import os\nA = os.environ["A"]\n',
        }
    )
    result = run_cli("env", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert [variable["name"] for variable in json.loads(result.stdout)] == ["A"]
    assert "odd.py: libcst does not reproduce this file exactly" in result.stderr
    assert "internal error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [[], ["--diff", "--unsafe-fixes"], ["--fix", "--unsafe-fixes"]])
def test_a_file_libcst_cannot_round_trip_does_not_abort_a_check_or_a_fix(project, args) -> None:
    source = ROUND_TRIP_BREAKER + 'PASSWORD = "hunter2-but-longer-9f8e7d"\n'
    root = project({"browser.py": source})
    result = run_cli("--no-cache", "--select", "FS03", *args, ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr
    if "--fix" in args:
        fixed = (root / "browser.py").read_text(encoding="utf-8")
        assert 'PASSWORD = os.environ["PASSWORD"]' in fixed
        assert "except (ImportError, OSError) :" in fixed  # untouched lines stay as they were
    else:
        assert "PASSWORD" in result.stdout


PRESENCE_FLAGS = {
    "app.py": """
    import os

    if "FEATURE_X" in os.environ:
        ENABLE_X = True
    if "SENTRY_DSN" in os.environ:
        DSN = os.environ["SENTRY_DSN"]
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")
    """
}


def test_dotenv_leaves_presence_flags_commented_out(project) -> None:
    result = run_cli("env", "--format", "dotenv", cwd=project(PRESENCE_FLAGS))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "# FEATURE_X=" in lines  # loading `FEATURE_X=` would switch the flag on
    assert "FEATURE_X=" not in lines
    # Read for its value too: a setting, not a flag.
    assert "SENTRY_DSN=" in lines
    assert "LOG_LEVEL=info" in lines


def test_k8s_config_map_leaves_presence_flags_out(project) -> None:
    result = run_cli("env", "--format", "k8s", cwd=project(PRESENCE_FLAGS))
    assert result.returncode == 0, result.stderr
    config_map, secret = yaml.safe_load_all(result.stdout)
    assert config_map["data"] == {"LOG_LEVEL": "info"}
    assert '# "FEATURE_X": ""' in result.stdout
    assert set(secret["stringData"]) == {"SENTRY_DSN"}


def test_k8s_config_map_of_presence_flags_only_is_empty(project) -> None:
    root = project({"app.py": 'import os\nON = "FEATURE_X" in os.environ\n'})
    result = run_cli("env", "--format", "k8s", cwd=root)
    config_map, _secret = yaml.safe_load_all(result.stdout)
    assert config_map["data"] == {}
