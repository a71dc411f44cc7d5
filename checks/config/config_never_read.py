"""FS0308 config-never-read: a deployment gives the app a variable that nothing reads."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.deployment import PLATFORM_VARIABLES
from factorscan.scan.env_reads import EnvReadCollector, app_env
from factorscan.scan.project import ProjectModel

# Variables that Python, servers and common libraries read themselves.
KNOWN_VARIABLES = frozenset(
    {
        "PORT",
        "WEB_CONCURRENCY",
        "GUNICORN_CMD_ARGS",
        "FORWARDED_ALLOW_IPS",
        "DJANGO_SETTINGS_MODULE",
        "FLASK_APP",
        "FLASK_ENV",
        "FLASK_DEBUG",
        "SENTRY_DSN",
        "SENTRY_ENVIRONMENT",
        "SENTRY_RELEASE",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "TZ",
        "TMPDIR",
        "CELERY_BROKER_URL",
    }
)
# Prefixes of variables that tools and libraries read: PYTHON*, AWS_*, OTEL_*...
KNOWN_PREFIXES = (
    "PYTHON",
    "PIP_",
    "UV_",
    "AWS_",
    "AZURE_",
    "GCP_",
    "GOOGLE_",
    "OTEL_",
    "DD_",
    "NEW_RELIC_",
    "UVICORN_",
    "HYPERCORN_",
    "GRANIAN_",
    "SENTRY_",
    "LC_",
    "NODE_",
    "JAVA_",
    "K_",
)


def closest(name: str, candidates: list[str]) -> str | None:
    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.85)
    return found[0] if found else None


class ConfigNeverRead(ProjectRule):
    """
    ## What it does
    Finds variables that a deployment of the app provides to its container
    (`env`, `envFrom` ConfigMap and Secret keys, compose `environment:`)
    but that the app's code never reads and that no known tool reads
    (`PYTHON*`, `PORT`, `WEB_CONCURRENCY`, `DJANGO_SETTINGS_MODULE`,
    `AWS_*`, `OTEL_*`, `SENTRY_*`...), naming the closest variable the code
    does read (`DATABSE_URL` -> `DATABASE_URL`). A variable the container's
    own command uses (`$(NAME)`, `$NAME`) counts as read. Silent when the
    code hands the whole environment on (`os.environ.copy()`, iterating it,
    passing it to a call), and for containers that do not run the app.
    The code must be part of the scan.

    ## Why is this bad?
    Factor III: config is the contract between the code and its deploys.
    A provided variable nothing reads is usually a typo or a renamed
    setting, so the value the operator thinks is in force is not: the app
    silently runs on its default.

    ## Example
    ```yaml
    env:
      - name: DATABSE_URL
        valueFrom: {secretKeyRef: {name: db, key: url}}
    ```

    Use instead: the name the code reads (`DATABASE_URL`), or remove the
    leftover.

    ## Fix
    None: renaming may be the wrong side to change.
    """

    code = "FS0308"
    name = "config-never-read"
    severity = Severity.WARNING
    summary = "A deployment gives the app a variable that nothing reads"
    collectors = (EnvReadCollector,)
    test_files = "reads in tests/, conftest.py, docs/ and examples/ are not the app's and are left out"

    _APP = {
        "Dockerfile": "FROM python:3.12-slim\n",
        "app.py": 'import os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n',
    }
    _DEPLOYMENT = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  env:
                    - {{name: {name}, value: "{value}"}}
        """
    VALID = (
        Valid(
            _DEPLOYMENT.format(name="DATABASE_URL", value="postgres://db/app"),  # noqa: FS0401 - a manifest value
            filename="deploy.yaml",
            files=_APP,
        ),
        Valid(
            _DEPLOYMENT.format(name="PYTHONUNBUFFERED", value="1"),
            filename="deploy.yaml",
            files=_APP,
            note="read by Python itself",
        ),
        Valid(
            _DEPLOYMENT.format(name="FEATURE_X", value="on"),
            filename="deploy.yaml",
            files={
                **_APP,
                "run.py": "import os, subprocess\nsubprocess.run(['job'], env=os.environ.copy())\n",
            },
            note="the code hands the whole environment to a child process",
        ),
    )
    INVALID = (
        Invalid(
            _DEPLOYMENT.format(name="DATABSE_URL", value="postgres://db/app"),  # noqa: FS0401 - a manifest value
            filename="deploy.yaml",
            files=_APP,
            line=11,
        ),
        Invalid(
            """
            services:
              web:
                build: .
                environment:
                  DATABASE_URL: postgres://db/app
                  CACHE_TTL: "300"
            """,
            filename="compose.yaml",
            files=_APP,
            line=6,
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        env = app_env(project)
        if not env.reads or env.passed_whole:
            return
        read = sorted(env.reads)
        seen: set[tuple[str, int, int]] = set()
        for linked in deployment.linked_containers(project.root.name):
            command = " ".join(linked.container.argv) if linked.container is not None else ""
            for name, provisions in linked.provided.items():
                if name in env.reads or name in KNOWN_VARIABLES or name in PLATFORM_VARIABLES:
                    continue
                if name.startswith(KNOWN_PREFIXES) or f"$({name})" in command or f"${name}" in command:
                    continue
                for provision in provisions:
                    node = provision.node
                    if (
                        node is None
                        or node.origin not in project.scanned_paths
                        or provision.descriptor.endswith("ENV")
                    ):
                        continue
                    key = (node.origin, node.row, node.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    near = closest(name, read)
                    hint = f"; did you mean `{near}`, which the code reads?" if near else ""
                    path, start, end = project.node_span(node)
                    yield self.make_finding(
                        path,
                        start,
                        end,
                        f"{provision.descriptor} gives {linked.label} `{name}`, which neither the app nor "
                        f"a known library reads{hint}",
                        fingerprint_hint=name,
                    )
