"""FS0301's edges through factorscan.api (checks/config/hardcoded_secret.py), each with code on
both sides: bytes keys (named, long and varied enough), credentials inside f-strings, tests'
fixtures, a default of an environment read, a concatenation judged once, the variable a URL's
password moves to, a comparison with a weak word, and a write to os.environ that is not moved.
Kept out of the rule's examples: the rule module is at the 900-line limit."""

from __future__ import annotations

from pathlib import Path

from factorscan import api

# Fake credentials of the right shapes (a GitHub token, a Django key); none was ever real.
GITHUB = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
DJANGO = "django-insecure-x8Jk2Lm9Qp4Rt7Vw3Zc5Yb"


def _findings(project, files: dict[str, str]) -> list[tuple[str, int, str, bool]]:
    root = project(files)
    result = api.check([root], select=["FS0301"])
    assert result.errors == []
    return sorted(
        (Path(f.path).relative_to(root).as_posix(), f.location.row, f.message, f.fix is not None)
        for f in result.findings
    )


def test_bytes_keys(project) -> None:
    """Named for a secret, at least 8 bytes and 6 different ones; not a positional argument, a
    comparison, a name that is no secret's, nor a fixture in tests (unless a credential format
    meant for tests too: a GitHub token, not a Django key)."""
    keys = f"""\
import hmac

SIGNING_KEY = b"k3Jx9Q2mZ"
CSRF_SECRET = b"k3Jx9Q2"
COOKIE_SECRET = b"kkkk3Jx9"
HMAC_SECRET = b"kkk3Jx9Q"
header = b"k3Jx9Q2mZ"
digest = hmac.new(b"k3Jx9Q2mZp", b"msg", "sha256")
same = SIGNING_KEY == b"k3Jx9Q2mZ"
GITHUB = b"{GITHUB}"
"""
    fixtures = f"""\
SIGNING_KEY = b"k3Jx9Q2mZ"
TOKEN = b"{GITHUB}"
DJANGO_KEY = b"{DJANGO}"
"""
    assert _findings(project, {"shop/keys.py": keys, "tests/test_keys.py": fixtures}) == [
        ("shop/keys.py", 3, "Hardcoded secret in SIGNING_KEY (…(9 chars))", False),
        ("shop/keys.py", 6, "Hardcoded secret in HMAC_SECRET (…(8 chars))", False),
        ("shop/keys.py", 10, "Hardcoded GitHub token (ghp_…(40 chars))", False),
        ("tests/test_keys.py", 2, "Hardcoded GitHub token (ghp_…(40 chars))", False),
    ]


def test_credentials_in_f_strings(project) -> None:
    """With placeholders: reported, never rewritten; without: judged whole, once. In tests only
    a format meant for tests."""
    code = f'''\
def auth(user):
    return f"token {GITHUB} for {{user}}"


plain = f"{GITHUB}"
'''
    fixtures = f"""\
SIGNING_KEY = "k3Jx9Q2mZ"
HEADER = f"Bearer {{SIGNING_KEY}} {DJANGO}"
AUTH = f"token {{SIGNING_KEY}} {GITHUB}"
"""
    assert _findings(project, {"shop/auth.py": code, "tests/test_auth.py": fixtures}) == [
        ("shop/auth.py", 2, "Hardcoded GitHub token (ghp_…(40 chars))", False),
        (
            "shop/auth.py",
            5,
            "Hardcoded GitHub token (ghp_…(40 chars)); read PLAIN from the environment",
            True,
        ),
        ("tests/test_auth.py", 3, "Hardcoded GitHub token (ghp_…(40 chars))", False),
    ]


def test_where_a_literal_is_no_finding_or_one(project) -> None:
    """A default of an environment read is FS0302's; a concatenation is one secret; a weak word
    compared is no secret, a strong one is (8 characters with a digit); a credential written to
    os.environ is reported without a fix (moving it to the environment would read itself)."""
    files = {
        "shop/settings.py": 'import os\n\nSECRET_KEY = os.environ.get("SECRET_KEY", "x8Jk2Lm9Qp4Rt7Vw")\n',
        "shop/concat.py": 'SECRET_KEY = "x8Jk2Lm9" + "Qp4Rt7Vw3Zc"\n',
        "shop/login.py": 'def check(password):\n    return password == "hunter2" or password == "hunter22"\n',
        "shop/env.py": f'import os\n\nos.environ["GITHUB_TOKEN"] = "{GITHUB}"\n',
    }
    assert _findings(project, files) == [
        (
            "shop/concat.py",
            1,
            "Hardcoded secret in SECRET_KEY (x8Jk…(19 chars)); read SECRET_KEY from the environment",
            True,
        ),
        ("shop/env.py", 3, "Hardcoded GitHub token (ghp_…(40 chars))", False),
        (
            "shop/login.py",
            2,
            "Hardcoded secret in password (…(8 chars)); read PASSWORD from the environment",
            True,
        ),
    ]


def test_the_variable_a_url_password_moves_to(project) -> None:
    """The name the URL is bound to when it means something, else the host's domain (its
    second-to-last label, or the only one) + `_URL`."""
    hooks = """\
import requests

api_token = "https://bot:Xy7pQ9rT2kLm@hooks.example.com/notify"
endpoint = "https://bot:Pq8wE4rT6yUi@localhost/notify"
requests.post("https://bot:Zx1cV3bN5mAs@hooks.example.com/notify")
requests.post("https://bot:Lk9jH7gF5dSa@localhost/notify")
"""
    assert [
        (row, message.split("; ")[1]) for _, row, message, _ in _findings(project, {"hooks.py": hooks})
    ] == [
        (3, "read API_TOKEN from the environment"),
        (4, "read ENDPOINT from the environment"),
        (5, "read EXAMPLE_URL from the environment"),
        (6, "read LOCALHOST_URL from the environment"),
    ]
