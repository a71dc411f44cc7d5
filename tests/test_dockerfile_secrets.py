"""FS0304 secret-file-in-image and FS0305 secret-in-dockerfile, through the API and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from factorscan import api
from factorscan.output.reporters import FORMATS
from factorscan.python.secrets import secret_file_kind

from .conftest import FIXTURES, run_cli

PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75aBcDeFgHiJkLmNoPq\n-----END RSA PRIVATE KEY-----\n"
)
CERTIFICATE = (
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0\n-----END CERTIFICATE-----\n"
)
DOTENV = "DATABASE_URL=postgres://shop:Planted-Dsn-3141@db/shop\n"


def found(root: Path, code: str) -> list[tuple[str, int, str]]:
    result = api.check([root], select=[code])
    assert not result.errors, result.errors
    return [
        (Path(finding.path).relative_to(root).as_posix(), finding.location.row, finding.message)
        for finding in result.findings
    ]


def rows(root: Path, code: str) -> list[tuple[str, int]]:
    return [(path, row) for path, row, _ in found(root, code)]


def spanned(root: Path, code: str, name: str = "Dockerfile") -> list[str]:
    """The text each finding spans (one-line spans)."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return [
        lines[f.location.row - 1][f.location.column - 1 : f.end_location.column - 1]
        for f in api.check([root], select=[code]).findings
    ]


# -- FS0305 ---------------------------------------------------------------------------


def test_global_arg_default_and_legacy_env_form(project) -> None:
    root = project(
        {
            "Dockerfile": """
            ARG GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A
            FROM python:3.12-slim
            ENV STRIPE_KEY sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStU
            """
        }
    )
    assert spanned(root, "FS0305") == [
        "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
        "sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStU",
    ]
    result = api.check([root], select=["FS0305"])
    assert all(finding.sensitive for finding in result.findings)
    assert "GitHub token" in result.findings[0].message
    assert "Stripe live key" in result.findings[1].message


def test_aws_keys_by_format_and_by_name(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            ENV AWS_ACCESS_KEY_ID=AKIAZ3MHQ7LN4XPWRT2B
            ENV AWS_SECRET_ACCESS_KEY=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
            """
        }
    )
    messages = [message for _, _, message in found(root, "FS0305")]
    assert len(messages) == 2
    assert "AWS access key id" in messages[0]
    assert "AWS secret access key" in messages[1]


def test_build_argument_needs_a_run_in_the_final_image(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM python:3.12-slim AS base
            ARG NPM_TOKEN
            RUN npm ci
            FROM base
            ARG LICENSE_KEY
            COPY . /app
            """
        }
    )
    # `base` is the final image's parent: its RUN records NPM_TOKEN; nothing runs after LICENSE_KEY.
    assert rows(root, "FS0305") == [("Dockerfile", 2)]


def test_env_from_a_build_argument_only_counts_in_the_final_image(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM node:22-slim AS assets
            ARG NPM_TOKEN
            ENV NPM_TOKEN=$NPM_TOKEN
            FROM python:3.12-slim
            ARG SENTRY_RELEASE
            ARG HF_TOKEN
            ENV SENTRY_RELEASE=$SENTRY_RELEASE HUGGING_FACE_HUB_TOKEN=${HF_TOKEN}
            COPY --from=assets /dist /app/static
            """
        }
    )
    assert [(row, message.split(",")[0]) for _, row, message in found(root, "FS0305")] == [
        (7, "ENV `HUGGING_FACE_HUB_TOKEN` copies the build argument `HF_TOKEN` into the image's environment"),
    ]


def test_placeholder_defaults_are_build_arguments_and_public_names_pass(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM node:22-slim
            ARG GITHUB_TOKEN=""
            ARG GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D
            ARG NEXT_PUBLIC_MAPS_API_KEY
            ARG VITE_SENTRY_TOKEN=Zq8Xw2Lm4Nv6Bt1Rc3
            RUN npm ci && npm run build
            """
        }
    )
    assert rows(root, "FS0305") == [("Dockerfile", 2)]


def test_global_build_argument_redeclared_in_the_stage(project) -> None:
    root = project(
        {
            "Dockerfile": """
            ARG API_TOKEN
            FROM python:3.12-slim
            ARG API_TOKEN
            RUN ./fetch-models.sh
            """
        }
    )
    assert rows(root, "FS0305") == [("Dockerfile", 3)]


def test_heredoc_and_exec_form_credentials(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            RUN <<EOF
            set -e
            pip config set global.index-url https://ci:Hx8q2Lm4Vz@pypi.acme.io/simple
            EOF
            RUN ["curl", "-H", "PRIVATE-TOKEN: glpat-Xy7Zq2Lm9Nv4Bt6Rc1Yd", "https://gitlab.acme.io/api"]
            """
        }
    )
    assert rows(root, "FS0305") == [("Dockerfile", 4), ("Dockerfile", 6)]
    assert spanned(root, "FS0305") == ["Hx8q2Lm4Vz", "glpat-Xy7Zq2Lm9Nv4Bt6Rc1Yd"]


def test_no_noise_on_the_official_python_image(project) -> None:
    """An excerpt of docker-library/python's Dockerfile: a GPG fingerprint, checksums, long paths."""
    root = project(
        {
            "Dockerfile": """
            FROM buildpack-deps:bookworm
            ENV PATH /usr/local/bin:$PATH
            ENV LANG C.UTF-8
            ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D
            ENV PYTHON_VERSION 3.12.7
            ENV PYTHON_SHA256 24887b92e2afd4a2ac602419ad4b596372f67ac9b077190f459aba390faf5550
            RUN set -eux; \\
                wget -O python.tar.xz "https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz"; \\
                echo "$PYTHON_SHA256 *python.tar.xz" | sha256sum -c -; \\
                GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \\
                gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$GPG_KEY"; \\
                ln -s /usr/local/lib/python3.12/site-packages/Abc1/DEF2ghiJKLmnoPQRstu /opt/x
            CMD ["python3"]
            """
        }
    )
    assert found(root, "FS0305") == []


def test_placeholders_and_secret_mounts_pass(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            ENV DJANGO_SECRET_KEY=collectstatic-placeholder \\
                DB_PASSWORD="" \\
                REDIS_PASSWORD=${REDIS_PASSWORD:-} \\
                MYSQL_ROOT_PASSWORD=root \\
                API_KEY_PATH=/run/secrets/api_key
            ARG SECRET_KEY=dummy
            RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf pip install -r requirements.txt
            RUN SECRET_KEY=build python manage.py collectstatic --noinput
            """
        }
    )
    assert found(root, "FS0305") == []


def test_ignore_comment_silences_one_instruction(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            # factorscan: ignore=FS0305
            ENV WEBHOOK_SECRET=Zq8Xw2Lm4Nv6Bt1R
            ENV SIGNING_SECRET=Zq8Xw2Lm4Nv6Bt1R
            """
        }
    )
    assert rows(root, "FS0305") == [("Dockerfile", 4)]


def test_garbage_dockerfile_is_no_traceback(project) -> None:
    root = project({"Dockerfile": "ENV\nARG =\nENV ==\nARG A=${\nRUN <<EOF\nghp_\n\x00\n"})
    result = api.check([root], select=["FS0304", "FS0305"])
    assert result.errors == []


# -- FS0304 ---------------------------------------------------------------------------


def test_dockerignore_exceptions_are_honoured(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n",
            ".dockerignore": "*\n!app/\n!Dockerfile\n",
            ".env": DOTENV,
            "app/.env": DOTENV,
            "app/main.py": "print('hi')\n",
        }
    )
    messages = [message for _, _, message in found(root, "FS0304")]
    assert len(messages) == 1
    assert "`app/.env`" in messages[0]
    assert "`.env`" not in messages[0].replace("`app/.env`", "")
    assert "`.dockerignore` does not exclude it" in messages[0]


def test_compose_build_context_is_used(project) -> None:
    root = project(
        {
            "docker/Dockerfile": "FROM python:3.12-slim\nCOPY . /srv\n",
            "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n",
            "secrets/gcp-credentials.json": '{"type": "service_account", "private_key": "-----BEGIN PRIVATE"}\n',
        }
    )
    assert rows(root, "FS0304") == [("docker/Dockerfile", 2)]


def test_pem_files_are_judged_by_content(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nCOPY certs/ /etc/certs/\n",
            "certs/ca.pem": CERTIFICATE,
            "certs/server.pem": CERTIFICATE + PRIVATE_KEY,
            "certs/client.crt": CERTIFICATE,
        }
    )
    messages = [message for _, _, message in found(root, "FS0304")]
    assert len(messages) == 1
    assert "`certs/server.pem` (private key)" in messages[0]
    assert "ca.pem" not in messages[0]


@pytest.mark.parametrize(
    ("copy", "reported"),
    [
        ("COPY --from=build /srv /app", True),
        ("COPY --from=build /srv/.env /app/.env", True),
        ("COPY --from=build /srv/static /app/static", False),
        ("COPY --from=build /wheels /wheels", False),
    ],
)
def test_copy_from_a_stage_takes_what_that_stage_holds(project, copy: str, reported: bool) -> None:
    root = project(
        {
            "Dockerfile": f"""
            FROM python:3.12-slim AS build
            WORKDIR /srv
            COPY . .
            RUN pip wheel --wheel-dir /wheels . && python manage.py collectstatic
            FROM python:3.12-slim
            {copy}
            """,
            ".env": DOTENV,
            "manage.py": "",
        }
    )
    assert rows(root, "FS0304") == ([("Dockerfile", 6)] if reported else [])


def test_one_finding_per_file(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCOPY config/ /etc/app/\nCOPY config/id_rsa /root/.ssh/\n",
            "config/.env": DOTENV,
            "config/id_rsa": PRIVATE_KEY,
        }
    )
    assert rows(root, "FS0304") == [("Dockerfile", 2)]


def test_paths_with_variables(project) -> None:
    root = project(
        {
            "Dockerfile": """
            ARG APP_HOME=/srv/app
            FROM python:3.12-slim AS build
            ARG APP_HOME
            WORKDIR $APP_HOME
            COPY . .
            FROM python:3.12-slim
            ARG APP_HOME
            COPY --from=build ${APP_HOME}/.env /app/.env
            COPY ${CONFIG_DIR}/ /etc/app/
            """,
            ".env": DOTENV,
        }
    )
    # The WORKDIR and the --from path resolve through the ARG default; an undeclared variable is not guessed.
    assert rows(root, "FS0304") == [("Dockerfile", 8)]


def test_a_stage_built_from_a_leaky_stage_is_reported_where_it_copies(project) -> None:
    root = project(
        {
            "Dockerfile": """
            FROM python:3.12-slim AS base
            COPY . /app
            FROM base
            CMD ["python", "/app/main.py"]
            """,
            "deploy/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n",
            "main.py": "",
        }
    )
    assert rows(root, "FS0304") == [("Dockerfile", 2)]


def test_samples_tests_and_dev_images_pass(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCOPY .env.example /app/.env\n",
            ".env.example": "DATABASE_URL=postgres://user:password@localhost/app\n",
            ".env.test": DOTENV,
            "tests/certs/server.key": PRIVATE_KEY,
            "docs/.pypirc": "[pypi]\npassword = Zq8Xw2Lm4Nv6Bt1R\n",
            ".devcontainer/Dockerfile": "FROM python:3.12\nCOPY .env /workspace/.env\n",
            "examples/Dockerfile": "FROM python:3.12\nCOPY id_rsa /root/.ssh/id_rsa\n",
        }
    )
    assert found(root, "FS0304") == []


@pytest.mark.parametrize(
    ("path", "head", "kind"),
    [
        (".env", None, "environment file with secrets"),
        (".env", "DEBUG=1\nSECRET_KEY=\n", None),
        (".env.production", "SECRET_KEY=k8#x2Lq9!vR4mZ7w\n", "environment file with secrets"),
        (".env.local.example", None, None),
        ("config/.netrc", None, "netrc credentials"),
        ("home/.aws/credentials", None, "AWS credentials"),
        ("home/.aws/config", None, None),
        ("keys/id_rsa", None, "SSH private key"),
        ("keys/id_rsa.pub", None, None),
        ("tls/key.pem", None, "private key"),
        ("tls/cert.pem", None, None),
        ("tls/server.key", CERTIFICATE, None),
        ("signing.p12", None, "PKCS#12 key store"),
        (".npmrc", "registry=https://npm.acme.io/\n", None),
        (".npmrc", "//npm.acme.io/:_authToken=npm_Zq8Xw2Lm4Nv6Bt1Rc3Yd5Fe7Gh9Jk0Pa2Sb4\n", "npm credentials"),
        (".npmrc", "//npm.acme.io/:_authToken=${NPM_TOKEN}\n", None),
        (
            "credentials.json",
            '{"installed": {"client_secret": "GOCSPX-abcdefghijkl"}}',
            "OAuth or cloud credentials",
        ),
        ("package.json", '{"private_key": "x"}', None),
        ("node_modules/pkg/test.key", None, None),
    ],
)
def test_secret_file_kinds(path: str, head: str | None, kind: str | None) -> None:
    assert secret_file_kind(path, head) == kind


# -- the fixture and every output format ---------------------------------------------------

LEAKY = FIXTURES / "leaky_image"
# Values planted in fixtures/leaky_image: none may reach any output.
LEAKY_VALUES = ("Zq8Xw2Lm4Nv6", "Leaky-Dsn-8841", "LeakyImageQ7rT2", "QyNTUxOQAAACBleGFt")


def test_leaky_image_findings() -> None:
    result = run_cli("--no-cache", "--format", "json", ".", cwd=LEAKY)
    assert result.returncode == 1, result.stderr
    findings = [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]
    assert findings == [("FS0305", 12), ("FS0305", 13), ("FS0304", 17)]


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_no_format_shows_a_dockerfile_secret(tmp_path: Path, format_name: str) -> None:
    root = shutil.copytree(LEAKY, tmp_path / "leaky_image")
    result = run_cli("--no-cache", "--format", format_name, "--unsafe-fixes", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip()
    output = result.stdout + result.stderr
    assert [value for value in LEAKY_VALUES if value in output] == []


@pytest.mark.parametrize("app", ["clean_app", "gunicorn_web"])
def test_clean_fixtures_stay_silent(app: str) -> None:
    assert api.check([FIXTURES / app], select=["FS0304", "FS0305"]).findings == []
