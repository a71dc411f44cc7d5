"""No secret value reaches any output: every report format, the cache, a baseline, `factorscan env`.

Secrets of every credential type are planted in a project; each must be
reported (so the test cannot pass by finding nothing), and no output may
hold more of it than `redact` shows: a 4-character prefix and the length.
New report formats are covered automatically through
`factorscan.output.reporters.FORMATS`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from factorscan.output.reporters import FORMATS

from .conftest import run_cli

PEM_BODY = "MIIEpAIBAAKCAQEA75aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghijk"
# credential type -> (statement planting it, the secret)
PLANTED: dict[str, tuple[str, str]] = {
    "aws-access-key-id": ('KEY_ID = "{}"', "AKIAZ3MHQ7LN4XPWRT2B"),
    "aws-secret-access-key": ('aws_secret_access_key = "{}"', "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"),
    "github-token": ('GH = "{}"', "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"),
    "github-fine-grained": (
        'PAT = "{}"',
        "github_pat_11ABCDEFG0abcdefghijkl_"
        + "m" * 3
        + "N4oP5qR6sT7uV8wX9yZ0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB",
    ),
    "gitlab-token": ('GL = "{}"', "glpat-Xy7Zq2Lm9Nv4Bt6Rc1Yd"),
    "slack-token": ('SLACK = "{}"', "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    "slack-webhook": (
        'HOOK = "{}"',
        "https://hooks.slack.com/services/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",
    ),
    "stripe-live-key": ('stripe_key = "{}"', "sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStU"),
    "stripe-restricted-key": ('RESTRICTED = "{}"', "rk_live_51H8xYzAbCdEfGhIjKlMnOpQrStV"),
    "google-api-key": ('MAPS = "{}"', "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
    "sendgrid-api-key": (
        'MAIL = "{}"',
        "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",
    ),
    "twilio-api-key": ('TWILIO_SID = "{}"', "SK" + "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    "sentry-token": (
        'SENTRY = "{}"',
        "sntrys_eyJpYXQiOjE3MDAwMDAwMDAsInVybCI6Imh0dHBzOi8vc2VudHJ5LmlvIn0_Zq8Xw2Lm4Nv6",
    ),
    "openai-api-key": ('AI = "{}"', "sk-proj-a1B2c3D4e5F6g7H8i9J0T3BlbkFJk1L2m3N4o5P6q7R8s9T0"),
    "anthropic-api-key": (
        'CLAUDE = "{}"',
        "sk-ant-api03-" + "Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5Yz7" * 2 + "AA",
    ),
    "npm-token": ('NPM = "{}"', "npm_Zq8Xw2Lm4Nv6Bt1Rc3Yd5Fe7Gh9Jk0Pa2Sb4"),
    "pypi-token": (
        'PYPI = "{}"',
        "pypi-AgEIcHlwaS5vcmc" + "CJDk0ZjQ3YzItNDM5Ni00MzFmLWI5NzgtNzY3ZTQ4ZTUzMmE3AAIqWzMsImZ",
    ),
    "private-key": ('PEM = "-----BEGIN RSA PRIVATE KEY-----\\n{}\\n-----END RSA PRIVATE KEY-----"', PEM_BODY),
    "jwt": (
        'SESSION = "{}"',
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MjQyNDI0MiJ9.Qm9ndXNTaWduYXR1cmVGb3JUZXN0aW5nMTIz",
    ),
    "django-insecure-key": ('DJANGO = "{}"', "django-insecure-7x#q2m!v9@k$w3z^e8r&t5y*u1i(o0p)a4s6d-f"),
    "named-secret": ('DB_PASSWORD = "{}"', "Correct-Horse-77"),
    "dsn-password": ('DATABASE_URL = "postgres://app:{}@db.internal/app"', "Dsn-Pass-4242"),
    "url-password": ('MIRROR = "https://deploy:{}@git.internal.net/repo.git"', "token-Url-Pass-5151"),
    "secret-default": ('API_TOKEN = os.getenv("API_TOKEN", "{}")', "Def-Token-9911"),
    "same-line-as-another-finding": ('queue = redis.Redis(host="redis", password="{}")', "Same-Line-Pass-31"),
    "bytes-literal": ('RAW = b"{}"', "AKIAQ3EGRJ7NXK2TWM5B"),
    "f-string": ('HEADER = f"token ghp_{}"', "Zq8Xw2Lm4Nv6Bt1Rc3Yd5Fe7Gh9Jk0Pa2Sb4Tc"),
}


def _source() -> str:
    lines = ["import os", "", "import redis", ""]
    lines += [statement.format(secret) for statement, secret in PLANTED.values()]
    return "\n".join(lines) + "\n"


# Public parts of credential formats: rule docs name them, so they are no leak.
PUBLIC_PREFIXES = (
    "django-insecure-",
    "github_pat_",
    "sk-ant-api03-",
    "sk-proj-",
    "pypi-AgEIcHlwaS5vcmc",
    "sntrys_",
    "https://hooks.slack.com/services/",
)


def _leaks(text: str, planted_secrets: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """Planted secrets of which output shows more than the 4-character prefix."""
    found = []
    for kind, (_statement, planted) in (planted_secrets or PLANTED).items():
        prefix = next((p for p in PUBLIC_PREFIXES if planted.startswith(p)), "")
        secret = planted[len(prefix) :]
        windows = {secret[i : i + 10] for i in range(1, len(secret) - 9)}
        if any(window in text for window in windows):
            found.append(kind)
    return found


@pytest.fixture
def planted(project) -> Path:
    return project({"app/settings.py": _source()})


def test_every_planted_secret_is_reported(planted: Path) -> None:
    result = run_cli("--format", "json", "--no-cache", ".", cwd=planted)
    assert result.returncode == 1, result.stderr
    rows = {finding["location"]["row"] for finding in json.loads(result.stdout)}
    for offset, kind in enumerate(PLANTED, start=5):
        assert offset in rows, f"{kind} (line {offset}) was not reported"


# Leaks found in formats this test covers but issue 3 does not own; strict, so
# the mark must go when the format is fixed.
FORMAT_CASES = sorted(FORMATS)


@pytest.mark.parametrize("format_name", FORMAT_CASES)
def test_no_format_leaks_a_secret(planted: Path, format_name: str) -> None:
    result = run_cli("--format", format_name, "--no-cache", ".", cwd=planted)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip()
    assert _leaks(result.stdout + result.stderr) == []


# What the planted file is reported for; FS0204 is the project's missing manifest.
PLANTED_CODES = {"FS0204", "FS0301", "FS0302", "FS0401", "FS0402"}


@pytest.mark.parametrize("format_name", FORMAT_CASES)
def test_no_format_leaks_with_unsafe_fixes_shown(planted: Path, format_name: str) -> None:
    # --statistics is text: the other formats refuse it (exit 2), which would test nothing.
    statistics = ["--statistics"] if format_name in ("full", "concise") else []
    result = run_cli("--format", format_name, "--unsafe-fixes", *statistics, "--no-cache", ".", cwd=planted)
    assert result.returncode == 1, result.stderr
    if format_name == "sarif":  # its rules table lists every rule; the results are what was found
        reported = {found["ruleId"] for found in json.loads(result.stdout)["runs"][0]["results"]}
    else:
        reported = set(re.findall(r"FS\d{4}", result.stdout))
    assert reported == PLANTED_CODES
    # The unsafe fixes are shown as applicable: the secrets' fixes are offered, none held back.
    if format_name in ("full", "concise"):
        assert re.search(r"^ +\d+ +FS0301 +\[\*\] hardcoded-secret$", result.stdout, re.MULTILINE)
        assert "[!]" not in result.stdout
    elif format_name == "rdjson":
        suggested = {
            d["code"]["value"] for d in json.loads(result.stdout)["diagnostics"] if d.get("suggestions")
        }
        assert "FS0301" in suggested
    assert _leaks(result.stdout + result.stderr) == []


def test_the_cache_holds_no_secret(planted: Path) -> None:
    result = run_cli(".", cwd=planted)
    assert result.returncode == 1
    cache = planted / ".factorscan_cache"
    files = [path for path in cache.rglob("*") if path.is_file()]
    assert any(path.suffix == ".json" for path in files)
    for path in files:
        assert _leaks(path.read_text(encoding="utf-8", errors="replace")) == [], path
    again = run_cli("--format", "json", ".", cwd=planted)  # served from the cache
    assert _leaks(again.stdout) == []


def test_a_baseline_holds_no_secret(planted: Path) -> None:
    # The option is part of the interface: if it goes, this test fails rather than passing unseen.
    assert "--write-baseline" in run_cli("--help").stdout
    baseline = planted / "baseline.json"
    result = run_cli("--write-baseline", baseline, ".", cwd=planted)
    assert baseline.exists(), result.stderr
    assert _leaks(baseline.read_text(encoding="utf-8")) == []


ENV_APP = """
import os

API_TOKEN = os.getenv("API_TOKEN", "Def-Token-9911")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://app:Dsn-Pass-4242@db.internal/app")
KEY_ID = os.environ.get("KEY_ID", "AKIAZ3MHQ7LN4XPWRT2B")
SIGNING = os.environ.get("SIGNING", "q8Zr2Lx9Wm4Tn7Pb3Vc6Yd1Fe5")
"""


@pytest.mark.parametrize("format_name", ["table", "json", "dotenv", "k8s"])
def test_env_command_never_prints_a_secret_default(project, format_name: str) -> None:
    root = project({"app.py": ENV_APP, ".env": "DB_PASSWORD=Correct-Horse-77\n"})
    (root / "app.py").write_text(ENV_APP + "from dotenv import load_dotenv\nload_dotenv()\n")
    result = run_cli("env", "--format", format_name, cwd=root, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for name in ("API_TOKEN", "DATABASE_URL", "KEY_ID", "SIGNING", "DB_PASSWORD"):
        assert name in result.stdout
    assert _leaks(result.stdout + result.stderr) == []
    assert "Dsn-Pass" not in result.stdout
    assert "q8Zr2Lx9" not in result.stdout


def test_diff_shows_fixes_without_the_secrets(planted: Path) -> None:
    """`--diff` prints the lines a fix removes: the secrets on them are redacted."""
    result = run_cli("--diff", "--unsafe-fixes", "--no-cache", ".", cwd=planted)
    assert result.returncode == 1, result.stderr
    assert "os.environ[" in result.stdout
    assert _leaks(result.stdout + result.stderr) == []


GITHUB_RUN_TOKEN = "ghp_" + "Dk7RunTokenQ2mX9vB4nK8pW3zL6cJ1hF5dS0a"
# Dockerfile secrets (FS0305): credential type -> (Dockerfile line planting it, the secret).
DOCKERFILE_PLANTED: dict[str, tuple[str, str]] = {
    "env-format": ("ENV STRIPE_KEY={}", "sk_live_51DockerEnvQ7rT2mX9vB4nK8"),
    "env-legacy-form": ("ENV SLACK_TOKEN {}", "xoxb-2234567890-2234567890123-DockerLegacyEnvXy"),
    "env-named": ('ENV DJANGO_SECRET_KEY="{}"', "k8#x2Lq9!vR4mZ7w-docker"),
    "env-dsn-password": ("ENV DATABASE_URL=postgres://shop:{}@db/shop", "Docker-Dsn-6620"),
    "arg-default": ("ARG NPM_TOKEN={}", "npm_DockerArgZq8Xw2Lm4Nv6Bt1Rc3Yd5Fe7Gh"),
    "run-bearer": ('RUN curl -H "Authorization: Bearer {}" https://api.github.com', GITHUB_RUN_TOKEN),
    "run-url-password": ("RUN pip install https://deploy:{}@pypi.acme.io/simple/acme", "Docker-Run-Pass-77"),
}


def _dockerfile() -> str:
    lines = ["FROM python:3.12-slim"]
    lines += [line.format(secret) for line, secret in DOCKERFILE_PLANTED.values()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def planted_image(project) -> Path:
    return project({"Dockerfile": _dockerfile()})


def test_every_dockerfile_secret_is_reported(planted_image: Path) -> None:
    result = run_cli("--format", "json", "--no-cache", "--select", "FS0305", ".", cwd=planted_image)
    assert result.returncode == 1, result.stderr
    rows = {finding["location"]["row"] for finding in json.loads(result.stdout)}
    for offset, kind in enumerate(DOCKERFILE_PLANTED, start=2):
        assert offset in rows, f"{kind} (line {offset}) was not reported"


@pytest.mark.parametrize("format_name", FORMAT_CASES)
def test_no_format_leaks_a_dockerfile_secret(planted_image: Path, format_name: str) -> None:
    result = run_cli("--format", format_name, "--unsafe-fixes", "--no-cache", ".", cwd=planted_image)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip()
    assert _leaks(result.stdout + result.stderr, DOCKERFILE_PLANTED) == []


def test_cache_and_baseline_hold_no_dockerfile_secret(planted_image: Path) -> None:
    result = run_cli(".", cwd=planted_image)
    assert result.returncode == 1
    files = [path for path in (planted_image / ".factorscan_cache").rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert _leaks(path.read_text(encoding="utf-8", errors="replace"), DOCKERFILE_PLANTED) == [], path
    baseline = planted_image / "baseline.json"
    if "--write-baseline" in run_cli("--help").stdout:
        run_cli("--write-baseline", baseline, ".", cwd=planted_image)
        assert _leaks(baseline.read_text(encoding="utf-8"), DOCKERFILE_PLANTED) == []


# -- masking shows exactly the secret's characters -------------------------------------------


@pytest.mark.parametrize(
    ("statement", "shown"),
    [
        # A host finding beside a password: the host stays, the password alone is masked.
        (
            'r = redis.Redis(host="cache.shop.example.com", port=6380, password="anotherS3cretValue9")',
            'r = redis.Redis(host="cache.shop.example.com", port=6380, password="anot…(19 chars)")',
        ),
        # A password inside a URL: the scheme and host stay readable.
        (
            'url = "https://ann:pa55wordValue99@api.shop.example.com/v1"',
            'url = "https://ann:pa55…(15 chars)@api.shop.example.com/v1"',
        ),
        (
            'BROKER = "amqp://shop:Rabb1tPassw0rd77@mq.shop.example.com:5672//"',
            'BROKER = "amqp://shop:Rabb…(16 chars)@mq.shop.example.com:5672//"',
        ),
        # Quotes and string prefixes are kept whole: nothing swallowed, nothing left over.
        ('API_KEY = """sk_live_4eC39HqLyjWDarjtT1zdp7dc"""', 'API_KEY = """sk_l…(32 chars)"""'),
        ('TOKEN = r"ghp_16C7e42F292c6912E7710c838347Ae178B4a"', 'TOKEN = r"ghp_…(40 chars)"'),
        ("STRIPE = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'", "STRIPE = 'sk_l…(32 chars)'"),
    ],
)
def test_code_context_masks_exactly_the_secret(project, statement: str, shown: str) -> None:
    root = project({"app.py": f"import redis\n\n{statement}\n"})
    result = run_cli("--no-cache", "--select", "FS03,FS04", "app.py", cwd=root)
    assert result.returncode == 1, result.stderr
    echoed = [line.split(" │ ", 1)[1] for line in result.stdout.splitlines() if line.startswith("  3 │ ")]
    assert echoed
    assert set(echoed) == {shown}


def test_a_finding_beside_a_password_keeps_its_own_position_and_caret(project) -> None:
    code = 'import redis\n\nr = redis.Redis(host="cache.shop.example.com", port=6380, password="anotherS3cretValue9")\n'
    root = project({"app.py": code})
    result = run_cli("--no-cache", "--select", "FS0402", "app.py", cwd=root)
    lines = result.stdout.splitlines()
    assert lines[1].startswith("3:53  FS0402 ")  # the port, not the whole call
    assert lines[3] == "    │" + " " * 53 + "^^^^ hardcoded-service-endpoint"
    for output_format in FORMATS:
        out = run_cli("--no-cache", "--select", "FS0402", "--format", output_format, "app.py", cwd=root)
        assert out.returncode == 1, out.stderr
        assert "anotherS3cret" not in out.stdout + out.stderr, output_format
