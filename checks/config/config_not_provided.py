"""FS0307 config-not-provided: the app requires a variable that no descriptor of its workload provides."""

from __future__ import annotations

from collections.abc import Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.deployment import PLATFORM_VARIABLES
from factorscan.scan.env_reads import EnvReadCollector, app_env
from factorscan.scan.project import ProjectModel

_APP = {
    "Dockerfile": "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\n",
    "app.py": 'import os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n'
    'LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")\n',
}
_SETTINGS = (
    "from pydantic_settings import BaseSettings\n\n\n"
    "class Settings(BaseSettings):\n    DATABASE_URL: str\n    debug: bool = False\n\n\n"
    "settings = {call}\n"
)
_DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          containers:
            - name: web
              image: registry.example.com/web:1.4.2
    """


class ConfigNotProvided(ProjectRule):
    """
    ## What it does
    Compares what the app requires from its environment with what each
    deployment of it provides. A variable is required when the code reads
    it with no default (`os.environ["X"]`, `env("X")` of django-environ,
    a pydantic-settings field without default), unguarded by
    `"X" in os.environ` or a `try` catching `KeyError`. Provided are a
    container's `env` (values and `valueFrom` keys), its `envFrom`
    ConfigMaps and Secrets with their keys (kustomize generators included),
    compose `environment:` and `env_file:`, the Dockerfile's `ENV`, and what
    every platform sets (`HOSTNAME`, `HOME`, `PATH`...). Only containers
    that run the app are checked (docs/deploy.md), and a deployment stays
    silent when some source is outside the repository (an `envFrom` of a
    Secret the repository does not hold, a remote kustomize base, a missing
    env file): it may provide anything. The code must be part of the scan.

    ## Why is this bad?
    Factor III: config comes from the environment, and the deploy must give
    the app all of it. A required variable that the deployment does not set
    makes every pod crash on start (`KeyError`), or, when the code reads it
    later, fail on the first request that needs it.

    ## Example
    ```python
    DATABASE_URL = os.environ["DATABASE_URL"]
    ```
    with a Deployment whose container has neither `env` nor `envFrom`
    giving `DATABASE_URL`.

    Use instead: add it to the ConfigMap or Secret the container reads
    (`envFrom`), or give the read a default if the app can run without it.

    ## Fix
    None: the value belongs to the deployment.
    """

    code = "FS0307"
    name = "config-not-provided"
    severity = Severity.ERROR
    summary = "The app requires a variable that no descriptor of its workload provides"
    collectors = (EnvReadCollector,)
    test_files = "reads in tests/, conftest.py, docs/ and examples/ are not the app's and are left out"

    VALID = (
        Valid(
            _DEPLOYMENT + "          envFrom: [{secretRef: {name: app-secrets}}]\n",
            filename="k8s/deployment.yaml",
            files={
                **_APP,
                "k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: app-secrets}\n"
                "stringData: {DATABASE_URL: CHANGEME}\n",
            },
        ),
        Valid(
            _DEPLOYMENT + "          envFrom: [{secretRef: {name: managed-by-vault}}]\n",
            filename="k8s/deployment.yaml",
            files=_APP,
            note="a Secret the repository does not hold may provide anything",
        ),
        Valid(
            _DEPLOYMENT,
            filename="k8s/deployment.yaml",
            files={
                **_APP,
                "app.py": 'import os\n\ntry:\n    DATABASE_URL = os.environ["DATABASE_URL"]\n'
                "except KeyError:\n    DATABASE_URL = None\n",
            },
            note="a read guarded by `except KeyError` is optional",
        ),
        Valid(
            _DEPLOYMENT.replace("registry.example.com/web:1.4.2", "postgres:16"),
            filename="k8s/deployment.yaml",
            files=_APP,
            note="a third-party image is not the app",
        ),
        Valid(
            _DEPLOYMENT,
            filename="k8s/deployment.yaml",
            files={
                **_APP,
                "app.py": "import environ\nfrom schema import DEFAULTS\n\n"
                'env = environ.Env(DEBUG=(bool, False), **DEFAULTS)\nDATABASE_URL = env("DATABASE_URL")\n',
            },
            note="a django-environ scheme spread from elsewhere may give any variable a default",
        ),
        Valid(
            _DEPLOYMENT,
            filename="k8s/deployment.yaml",
            files={**_APP, "app.py": _SETTINGS.format(call="Settings(**load_secrets())")},
            note="a settings field the code passes in does not come from the environment",
        ),
        Valid(
            """
            services:
              web:
                build: .
                environment:
                  DATABASE_URL: postgres://db/app
              proxy:
                build: {context: ., dockerfile: Dockerfile.nginx}
            """,
            filename="compose.yaml",
            files={**_APP, "Dockerfile.nginx": "FROM nginx:1.27\n"},
            note="an image built FROM a third-party server's image does not run the app",
        ),
        Valid(
            """
            services:
              workspace:
                build: .
                command: sleep infinity
            """,
            filename=".devcontainer/compose.yaml",
            files=_APP,
            note="a container kept alive for a developer to work in runs nothing",
        ),
        Valid(
            _DEPLOYMENT + "          env: [{name: DATABASE_URL, value: postgres://db/app}]\n",
            filename="k8s/deployment.yaml",
            files={**_APP, "bin/release.py": 'import os\n\nTOKEN = os.environ["GITHUB_TOKEN"]\n'},
            note="a maintainer's script requires its variables only when someone runs it",
        ),
    )
    INVALID = (
        Invalid(_DEPLOYMENT, filename="k8s/deployment.yaml", files=_APP, line=8),
        Invalid(
            """
            services:
              web:
                build: .
                environment:
                  LOG_LEVEL: debug
            """,
            filename="compose.yaml",
            files=_APP,
            line=2,
        ),
        Invalid(
            _DEPLOYMENT + "          envFrom: [{configMapRef: {name: app-config}}]\n",
            filename="k8s/deployment.yaml",
            files={
                **_APP,
                "k8s/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config}\n"
                "data: {DATABSE_URL: postgres://db/app}\n",
            },
            line=8,
            note="the ConfigMap's keys are read from the repository: a misspelt key provides nothing",
        ),
        Invalid(
            _DEPLOYMENT,
            filename="k8s/deployment.yaml",
            files={
                **_APP,
                "app.py": "import environ\n\n"
                'env = environ.Env(DEBUG=(bool, False))\nDATABASE_URL = env("DATABASE_URL")\n',
            },
            line=8,
            note="a django-environ read outside the scheme has no default",
        ),
        Invalid(
            _DEPLOYMENT,
            filename="k8s/deployment.yaml",
            files={**_APP, "app.py": _SETTINGS.format(call="Settings(debug=True)")},
            line=8,
            note="a pydantic-settings field without default that the code does not pass",
        ),
        Invalid(
            _DEPLOYMENT,
            filename="k8s/deployment.yaml",
            files={**_APP, "src/tools_client.py": 'import os\n\nTOKEN = os.environ["GITHUB_TOKEN"]\n'},
            line=8,
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        required = app_env(project).required()
        if not required:
            return
        seen: set[tuple[str, int, int, str]] = set()
        for linked in deployment.linked_containers(project.root.name):
            if linked.open_ended:
                continue
            missing = sorted(
                name for name in required if name not in linked.provided and name not in PLATFORM_VARIABLES
            )
            if not missing:
                continue
            node = linked.node.get("name") or linked.node
            key = (node.origin, node.row, node.column, ",".join(missing))
            if key in seen or node.origin not in project.scanned_paths:
                continue
            seen.add(key)
            shown = ", ".join(
                f"`{name}` (read at {project.display(project.root / path)}:{read.line})"
                for name in missing[:3]
                for path, read in [required[name]]
            )
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            path, start, end = project.node_span(node)
            yield self.make_finding(
                path,
                start,
                end,
                f"{linked.label} does not provide {shown}{more}, which the app requires: it fails when it "
                "reads them; add them to its env, ConfigMap or Secret",
                fingerprint_hint=",".join(missing),
            )
