"""Precision of the config and backing-service rules on mature apps (issue 14).

Each test reduces a class of false positive seen on the real-app corpus
(tests/realapps/) to a small project, with the near miss that must still be
reported beside it, and scans it through the public API.
"""

from __future__ import annotations

from pathlib import Path

from factorscan import api

SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _findings(root: Path, select: tuple[str, ...]) -> set[tuple[str, int, str]]:
    result = api.check([root], select=list(select))
    assert not result.errors, result.errors
    return {
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.location.row, f.code)
        for f in result.findings
    }


def test_settings_for_tests_ci_and_development_by_name(project) -> None:
    settings = f'DEBUG = True\nSECRET_KEY = "{SECRET}"\n'
    files = dict.fromkeys(
        (
            "netbox/configuration_testing.py",
            "scripts/smoketest_configuration.py",
            "settings/ci.py",
            "settings/local_dev.py",
            "dojo/settings/unittests.py",
            "shop/settings_testing.py",
            "shop/configuration_ci.py",
            "shop/smoke_settings.py",
            # Near misses: deployed settings, and a test word outside a settings module.
            "settings/production.py",
            "shop/test_data.py",
        ),
        settings,
    )
    files["shop/test_data.py"] = f'SECRET_KEY = "{SECRET}"\n'
    root = project(files)
    assert _findings(root, ("FS0301", "FS0303")) == {
        ("settings/production.py", 1, "FS0303"),
        ("settings/production.py", 2, "FS0301"),
    }


def test_settings_for_tests_by_header(project) -> None:
    body = f'DEBUG = True\nSECRET_KEY = "{SECRET}"\n'
    root = project(
        {
            "conf/a.py": "# This file serves as a base configuration for testing purposes\n"
            "# only. It is not intended for production use.\n\n" + body,
            "conf/b.py": '"""Minimal configuration used by the wheel-install smoke test."""\n\n' + body,
            "conf/c.py": '"""Local development settings for the shop."""\n\n' + body,
            # Near misses: headers that mention tests without saying the file is for them.
            "conf/d.py": '"""The mail settings; tests replace the backend with a dummy in tests."""\n\n'
            + body,
            "conf/e.py": '"""Django settings. Settings for the test runner are in conftest."""\n\n' + body,
        }
    )
    assert _findings(root, ("FS0301", "FS0303")) == {
        ("conf/d.py", 3, "FS0303"),
        ("conf/d.py", 4, "FS0301"),
        ("conf/e.py", 3, "FS0303"),
        ("conf/e.py", 4, "FS0301"),
    }


def test_django_tests_module_is_test_code(project) -> None:
    """Django apps keep their tests in `tests.py`: logins with fixture users there are fixtures."""
    login = 'def setUp(self):\n    self.client.login(username="admin", password="Adm1n-pass")\n'
    root = project({"api/tests.py": login, "api/views.py": login})
    assert _findings(root, ("FS0301",)) == {("api/views.py", 2, "FS0301")}


def test_names_about_a_secret_and_the_secrets_beside_them(project) -> None:
    root = project(
        {
            "app.py": """
            ctx = {}
            ctx["email_password_status"] = "success"
            TOKEN_ALPHABET_SYMBOLS = "!@#$%&*"
            LOGIN_TOKEN_RATE = "10/min"
            KNOWN_KEY_DIGESTS = ["964a4ebdb0d1b9f7ac461711a8861d74bd887a955b0e10d79b93c532f1e13d98"]
            STATUS_PASSWORD = "Wint3r-is-c0ming"
            RATE_LIMIT_TOKEN = "a8f5f167f44f4964"
            DB_PASS = "Tr0ub4dor-3"
            """,
            "Dockerfile": """
            FROM python:3.12-slim
            ENV UWSGI_PASS=uwsgi_server DB_PASS=Tr0ub4dor-3
            """,
        }
    )
    assert _findings(root, ("FS0301", "FS0305")) == {
        ("app.py", 6, "FS0301"),
        ("app.py", 7, "FS0301"),
        ("app.py", 8, "FS0301"),
        ("Dockerfile", 2, "FS0305"),
    }


def test_stand_in_values_and_the_real_ones_beside_them(project) -> None:
    root = project(
        {
            "app.py": """
            from django.contrib.auth import get_user_model
            from slack_bolt import App

            quiet = App(token="xoxb-valid")
            loud = App(token="xoxb-6a1b9c8d")
            THROTTLE = {"api_token": "5/min"}
            SIGNED = {"api_token": "5/min-8f7e6d5c"}


            def seed():
                get_user_model().objects.create_user("admin", password="admin")
                get_user_model().objects.create_user("admin", password="Adm1n-2024!")
            """,
        }
    )
    assert _findings(root, ("FS0301",)) == {
        ("app.py", 5, "FS0301"),
        ("app.py", 7, "FS0301"),
        ("app.py", 12, "FS0301"),
    }


def test_env_default_with_stock_credentials_and_with_a_real_password(project) -> None:
    root = project(
        {
            "settings.py": """
            import os

            import dj_database_url

            DEFAULT = dj_database_url.config(default="postgres://shop:shop@localhost:5432/shop")
            REPLICA = dj_database_url.config(env="REPLICA_URL", default="postgres://shop:Pg-Pass-2024@db/shop")
            BROKER_URL = "amqp://guest:guest@rabbitmq:5672//"
            """,
        }
    )
    result = api.check([root], select=["FS0401"])
    assert [(f.location.row, f.severity.value) for f in result.findings] == [(6, "error"), (7, "error")]


def test_field_name_lists_and_a_secret_in_a_schema(project) -> None:
    root = project(
        {
            "schema.py": """
            SCHEMA = {
                "properties": {"pat": {"type": "string"}},
                "secret": ["pat"],
                "required": ["pat"],
            }
            LOUD = {"properties": {"pat": {"type": "string"}}, "secret": "hunter2hunter"}
            LISTED = {"secret": ["a8f5f167f44f4964"]}
            """,
        }
    )
    assert _findings(root, ("FS0301",)) == {("schema.py", 6, "FS0301"), ("schema.py", 7, "FS0301")}


def test_example_settings_are_samples(project) -> None:
    body = 'DB_HOST = "db.internal"\nSECRET_KEY = "' + SECRET + '"\n'
    root = project(
        {
            "netbox/configuration_example.py": body,
            "shop/settings/production.sample.py": body,
            # Near misses: a module about templates, and deployed settings.
            "shop/email_templates.py": body,
            "shop/settings/production.py": body,
        }
    )
    assert _findings(root, ("FS0301", "FS0402")) == {
        ("shop/email_templates.py", 1, "FS0402"),
        ("shop/email_templates.py", 2, "FS0301"),
        ("shop/settings/production.py", 1, "FS0402"),
        ("shop/settings/production.py", 2, "FS0301"),
    }


def test_one_finding_per_client_call(project) -> None:
    root = project(
        {
            "jobs.py": """
            from pymongo import MongoClient

            products = MongoClient("mongodb://off:off-Pass-42@127.0.0.1", port=27017)
            orders = MongoClient("mongo.internal", port=27017)
            """,
        }
    )
    assert _findings(root, ("FS0401", "FS0402")) == {
        ("jobs.py", 3, "FS0401"),
        ("jobs.py", 4, "FS0402"),
    }


# Identifiers seen in the real-app corpus, the standard library and installed packages whose
# words end in `pass` or `pwd` without naming a secret (issue 16 item 8).
_NOT_GLUED_SECRETS = (
    "PASSAGE",
    "BYPASS",
    "COMPASS",
    "PASSTHROUGH",
    "SPWD",
    "OLDPWD",
    "GIT_ASKPASS",
    "SURROGATEPASS",
    "LOWPASS",
    "BANDPASS_FILTER",
    "GETPASS",
    "MINIPASS",
    "XPASSED",
    "NPASS",
    "MULTIPASS",
    "BUYPASS",
    "PROXYPASS",
    "NOPASS",
    "PASSENGER",
)


def test_short_stems_glued_to_an_owner_and_words_that_merely_hold_the_letters(project) -> None:
    lines = [f'{name} = "Xk9mQ2-{index}wLp8"' for index, name in enumerate(_NOT_GLUED_SECRETS)]
    lines += [
        f'{name}_SETTING = os.getenv("{name}", "Nw7Rt4-{index}Yp2Q")'
        for index, name in enumerate(_NOT_GLUED_SECRETS)
    ]
    first = len(lines) + 2
    lines += [
        'APP_DBPASS = "Tr0ub4dor-3x"',
        'MAILPASS = os.getenv("MAILPASS", "Wint3r-is-c0ming")',
        'REDISPWD = os.environ.get("REDISPWD", "r3dis-Pwd-77")',
        'ROOT_PWD, ADMINPASS = "r00t-Pwd-12", "adm1n-Pass-34"',
    ]
    root = project({"app.py": "import os\n" + "\n".join(lines) + "\n"})
    assert _findings(root, ("FS0301", "FS0302")) == {
        ("app.py", first, "FS0301"),
        ("app.py", first + 1, "FS0302"),
        ("app.py", first + 2, "FS0302"),
        ("app.py", first + 3, "FS0301"),
    }
