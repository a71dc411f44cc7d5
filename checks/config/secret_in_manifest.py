"""FS0306 secret-in-manifest: a real-looking secret is written into a deployment manifest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.k8s import config_keys, decoded_value
from factorscan.deploy.purpose import is_development_descriptor
from factorscan.deploy.yaml_loader import YamlNode
from factorscan.python.credentials import find_credentials
from factorscan.python.secrets import (
    has_real_password,
    is_placeholder,
    is_secret_name,
    looks_like_secret_value,
    looks_random,
    name_words,
    parse_url,
)
from factorscan.scan.project import ProjectModel

# What `secret_reason` says of a value that matches no known credential format.
_GENERIC_REASONS = ("a URL with a password", "a secret-looking literal", "a random-looking token")
# Build-time variables that front-end bundlers inline into public JavaScript (as in FS0305).
_PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "REACT_APP_", "VITE_", "PUBLIC_")


def _names_a_secret(name: str) -> bool:
    """`existingSecret`, `secretName`, `passwordSecretRef`: the name of a Secret object, not its value."""
    words = name_words(name)
    return "existing" in words or (bool(words) and words[-1] in ("name", "ref", "file", "path"))


def secret_reason(name: str, value: str, in_secret: bool, extra_names: Iterable[str] = ()) -> str | None:
    """Why `value`, given to the variable or key `name`, is a real-looking secret; None if it is not.

    In a Kubernetes Secret every key is secret by placement, so a long random
    value counts there even under a neutral name."""
    text = value.strip()
    if not text or is_placeholder(text):
        return None
    credential = next(iter(find_credentials(text, aws_context="secret_access_key" in name.lower())), None)
    if credential is not None:
        label = credential[2].format.label
        return f"{'an' if label[0].lower() in 'aeiou' else 'a'} {label}"
    url = parse_url(text)
    if url is not None:
        return "a URL with a password" if has_real_password(url) else None
    named = (
        is_secret_name(name, extra_names)
        and not name.upper().startswith(_PUBLIC_PREFIXES)
        and not _names_a_secret(name)
    )
    if named and looks_like_secret_value(text, name):
        return "a secret-looking literal"
    if in_secret and looks_random(text):
        return "a random-looking token"
    return None


# The author's own note that a value is a default to replace: `# Default password, change it`.
_CHANGE_NOTE = re.compile(
    r"#.*\b(?:change|replace)\s+(?:it|me|this)\b|#.*\bdefault password\b", re.IGNORECASE
)


# Compose variables that name a user or a database.
_NAME_KEYS = ("_USER", "_USERNAME", "_DB", "_DATABASE", "_NAME")


def _compose_stand_in(project: ProjectModel, value: str, node: YamlNode) -> str | None:
    """Why a compose value that looks secret is a local stand-in, or None.

    A compose file for development or CI starts throwaway services; a password
    named after the project or one of the file's own services or images
    (`POSTGRES_PASSWORD: paperless`, `mysql://ctfd:ctfd@db/ctfd`) is the stock
    default of a self-contained stack; and a comment can say the value is to change.
    Credential formats (a real key) never get here."""
    if is_development_descriptor(node.origin):
        return "a development or CI compose file"
    lines = (project.deployment.read_text(node.origin) or "").splitlines()
    if 0 < node.row <= len(lines) and _CHANGE_NOTE.search(lines[node.row - 1]):
        return "its comment marks it as a default to change"
    url = parse_url(value)
    password = (url.password or "") if url is not None else value.strip()
    names = [project.root.name, (url.username or "") if url is not None else ""]
    for service in project.deployment.compose_services:
        if service.node is None or service.node.origin != node.origin:
            continue
        names.append(service.name)
        names.append((service.image or "").rsplit("/", 1)[-1].split(":", 1)[0])
        # user and database names beside the password (`POSTGRES_USER: paperless`)
        names.extend(text for key, text in service.environment.items() if key.upper().endswith(_NAME_KEYS))
    stock = {word for name in names for word in re.split(r"[^a-z0-9]+", name.lower()) if word}
    words = [word for word in re.split(r"[^a-z0-9]+", password.lower()) if word]
    if words and all(word in stock for word in words):
        return "a stock password made of the project's, a service's or a user's name"
    return None


def _scalars(node: YamlNode | None) -> Iterator[tuple[str, YamlNode]]:
    """(key, value) for every scalar held under a key, at any depth of a mapping."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        for key, child in current.mapping.items():
            if isinstance(child.value, str):
                yield key, child
            else:
                stack.append(child)
        stack.extend(item for item in current.items if isinstance(item.value, dict))


class SecretInManifest(ProjectRule):
    """
    ## What it does
    Finds real-looking secrets written as literals in deployment manifests:
    a container's `env[].value`, a ConfigMap's `data`, a committed
    Kubernetes `Secret`'s `stringData` or `data` (decoded from base64),
    kustomize `secretGenerator`/`configMapGenerator` literals and env files,
    a Helm chart's `values.yaml` (and what its templates render), and
    compose `environment:`. A value counts when it matches a known
    credential format, is a URL with a password, or is a secret-looking
    literal bound to a secret-like name (in a `Secret`, also a long random
    token under any name). Placeholders stay silent, as in FS0301:
    `CHANGEME`, `${VAR}`, `{{ .Values.x }}`, `<token>`, `xxx`, empty values.
    A compose password that is a local stand-in is a notice at `info`: in a
    development or CI compose file (`compose.dev.yaml`, `.devcontainer/`),
    named after the project or a service of its file
    (`mysql://shop:shop@db/shop`), or marked by its comment as a default
    to change. A key in a known credential format stays an error anywhere.

    ## Why is this bad?
    Factor III: config, and above all credentials, lives in the
    environment, injected by the platform, never in the repository. A
    `Secret` manifest in Git is base64, not encryption: everyone who can
    read the repository (and every fork and clone) has the credential, and
    rotating it means rewriting history.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata: {name: app-secrets}
    stringData:
      DATABASE_URL: postgres://app:s3cr3t-Pa55@db:5432/app
    ```

    Use instead: keep the manifest's shape with a placeholder, and create
    the real Secret from a secret manager (External Secrets, Sealed Secrets,
    SOPS) or with `kubectl create secret` at deploy time.

    ## Fix
    None: the secret must also be rotated, which no rewrite can do.
    """

    code = "FS0306"
    name = "secret-in-manifest"
    severity = Severity.ERROR
    summary = "A real-looking secret is written into a deployment manifest"
    test_files = "manifests under tests/, docs/ and examples/ are checked like any other"

    VALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Valid(
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: app-secrets
            stringData:
              DATABASE_URL: "postgres://app:CHANGEME@db:5432/app"
              API_KEY: "sk_live_xxx"
            """,
            filename="k8s/secret.yaml",
            note="the article's placeholders",
        ),
        Valid(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: app-config
            data:
              LOG_LEVEL: info
              PASSWORD_MIN_LENGTH: "12"
              SECRET_KEY_FILE: /run/secrets/secret_key
            """,
            filename="configmap.yaml",
            note="secret-named keys whose values are settings and paths",
        ),
        Valid(
            """
            services:
              web:
                build: .
                environment:
                  SECRET_KEY: ${SECRET_KEY}
                  DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app
            """,
            filename="compose.yaml",
            note="values taken from the environment compose runs in",
        ),
        Valid(
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: tls
            data:
              username: YWRtaW4=
            """,
            filename="secret.yaml",
            note="`admin` under a neutral key: a name, not a credential",
        ),
        Valid(
            """
            postgresql:
              auth:
                existingSecret: web-db
                password: ""
            """,
            filename="chart/values.yaml",
            files={"chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n"},
            note="Helm values left empty for the install to set",
        ),
        Valid(
            """
            name: web
            on: push
            env:
              API_TOKEN: ghp_0123456789abcdefghijABCDEFGHIJ012345
            """,
            filename=".github/workflows/ci.yaml",
            note="not Kubernetes (no apiVersion/kind): not a deployment manifest",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            services:
              web:
                build: .
                environment:
                  DATABASE_URL: mysql://shop:Tr0ub4dor-and-3@db/shop
            """,
            filename="docker-compose.yml",
            line=5,
            severity=Severity.ERROR,
        ),
        Invalid(
            """
            services:
              web:
                build: .
                environment:
                  DATABASE_URL: mysql://shop:shop@db/shop
            """,
            filename="docker-compose.yml",
            line=5,
            severity=Severity.INFO,
            note="a password equal to the user name: the stock default of a self-contained stack",
        ),
        Invalid(
            """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_USER: off
                  POSTGRES_PASSWORD: off-postgres-db
            """,
            filename="compose.yaml",
            line=6,
            severity=Severity.INFO,
            note="made of the user's, the image's and the service's names",
        ),
        Invalid(
            """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_USER: off
                  POSTGRES_PASSWORD: off-k9Tq2-db
            """,
            filename="compose.yaml",
            line=6,
            severity=Severity.ERROR,
            note="a word that names nothing in the stack makes it a real password",
        ),
        Invalid(
            """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_PASSWORD: Tr0ub4dor-and-3
            """,
            filename="compose.dev.yaml",
            line=5,
            severity=Severity.INFO,
            note="a development compose file starts throwaway services",
        ),
        Invalid(
            """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_PASSWORD: Tr0ub4dor-and-3  # default password, change it
            """,
            filename="compose.yaml",
            line=5,
            severity=Severity.INFO,
            note="the author marks the value as a default to change",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                environment:
                  STRIPE_API_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc
            """,
            filename="compose.dev.yaml",
            line=5,
            severity=Severity.ERROR,
            note="a key in a known credential format is real wherever it is written",
        ),
        Invalid(
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: app-secrets
            stringData:
              DATABASE_URL: postgres://app:s3cr3t-Pa55w0rd@db:5432/app
            """,
            filename="k8s/secret.yaml",
            line=6,
        ),
        Invalid(
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: app-secrets
            data:
              session-token: NGY5YzJlN2ExYjNkNWY4YzBlNmE5YjJkNGY3YzFlM2E=
            """,
            filename="secret.yaml",
            line=6,
            note="base64 `data`, decoded: a random token in a Secret",
        ),
        Invalid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: web:1.4.2
                      env:
                        - name: STRIPE_API_KEY
                          value: sk_live_4eC39HqLyjWDarjtT1zdp7dc
            """,
            filename="deployment.yaml",
            line=13,
        ),
        Invalid(
            """
            services:
              web:
                build: .
                environment:
                  - DJANGO_SECRET_KEY=k2#m9x!p4q7w@z8v3n6b1c5t0r
            """,
            filename="docker-compose.yml",
            line=5,
        ),
        Invalid(
            """
            image: {repository: registry.example.com/web, tag: "1.4.2"}
            postgresql:
              auth:
                password: Xk9#mQ2$vL7@pR4w
            """,
            filename="chart/values.yaml",
            files={"chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n"},
            line=4,
            note="a Helm chart's values",
        ),
        Invalid(
            """
            secretGenerator:
              - name: app-secrets
                literals:
                  - DB_PASSWORD=Tr0ub4dor-and-3
            resources:
              - deployment.yaml
            """,
            filename="kustomization.yaml",
            files={"deployment.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"},
            line=4,
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        extra = project.settings.secret_names
        seen: set[tuple[str, int, int]] = set()
        candidates: list[tuple[str, str, YamlNode, bool, str]] = []  # name, value, node, in Secret, where
        for variant in deployment.variants:
            for resource in variant.resources:
                if resource.kind in ("Secret", "ConfigMap"):
                    in_secret = resource.kind == "Secret"
                    for key, node in config_keys(resource).items():
                        value = decoded_value(resource, key) if in_secret else node.text
                        where = f"{resource.kind} `{resource.name}`"
                        candidates.append((key, value or "", node, in_secret, where))
            for workload in variant.workloads:
                for container in [*workload.containers, *workload.init_containers]:
                    for entry in container.env:
                        if entry.value is not None and entry.value.text:
                            where = f"{workload.kind} `{workload.name}`"
                            candidates.append((entry.name, entry.value.text, entry.value, False, where))
        for chart in deployment.rendered_charts:
            for key, node in _scalars(chart.values):
                candidates.append(
                    (key, node.text or "", node, False, f"Helm values of `{chart.folder or '.'}`")
                )
        compose_values = set()  # ids of compose value nodes
        for service in deployment.compose_services:
            for name, node in service.environment_nodes.items():
                value = service.environment.get(name, "")
                compose_values.add(id(node))
                candidates.append((name, value, node, False, f"compose service `{service.name}`"))
        for name, value, node, in_secret, where in candidates:
            if node.origin not in project.scanned_paths:
                continue
            position = (node.origin, node.row, node.column)
            if position in seen:
                continue
            reason = secret_reason(name, value, in_secret, extra)
            if reason is None:
                continue
            seen.add(position)
            path, start, end = project.node_span(node)
            message = (
                f"`{name}` of {where} holds {reason}: everyone who can read the repository has it; "
                "keep a placeholder here and create the value from a secret manager at deploy time"
            )
            stand_in = None
            if id(node) in compose_values and reason in _GENERIC_REASONS:
                stand_in = _compose_stand_in(project, value, node)
            if stand_in is not None:
                message = f"`{name}` of {where} holds {reason}, likely a local stand-in ({stand_in})"
            yield self.make_finding(
                path,
                start,
                end,
                message,
                severity=Severity.INFO if stand_in is not None else None,
                sensitive=True,
                fingerprint_hint=name,
            )
