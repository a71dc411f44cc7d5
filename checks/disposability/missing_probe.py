"""FS0904 missing-probe: a serving workload lacks a readiness or liveness probe, or probes no route."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import NamedTuple

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.container import SIGTERM_SERVERS
from factorscan.deploy.deployment import LinkedContainer
from factorscan.python.imports import AstImportTable
from factorscan.python.targets import sample_or_test_file
from factorscan.scan.project import ProjectModel

# Methods and functions whose first argument is a route's path.
_ROUTE_METHODS = frozenset(
    {"route", "get", "head", "post", "api_route", "add_url_rule", "add_api_route", "add_route", "add_get"}
)
_ROUTE_FUNCTIONS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
_PARAMETER = re.compile(r"<[^>]*>|\{[^}]*\}|\(\?P<[^>]*>[^)]*\)")
# Text every route call holds (the ast walk runs only where one does).
_ROUTE_CALL = re.compile(r"route|\.get\(|path\(|add_url_rule|url\(")
_WORKERS = frozenset({"celery", "dramatiq", "huey", "rq", "arq", "faust", "taskiq"})


class RouteFact(NamedTuple):
    """The literal paths a file declares its routes with: `/healthz`, `health/<str:name>`,
    `/items/{id}`. Read from the `ast` tree (no libcst parse: route calls are in most web
    modules, and nothing else about them needs the CST)."""

    paths: tuple[str, ...]


def route_fact(tree: ast.Module, relative_path: str) -> RouteFact | None:
    if sample_or_test_file(relative_path):
        return None
    imports: AstImportTable | None = None
    paths: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        named = isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS
        if not named:
            imports = imports or AstImportTable(tree)
            if imports.resolve(func) not in _ROUTE_FUNCTIONS:
                continue
        first = node.args[0]
        if (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and (first.value.startswith("/") or not named)
        ):
            paths.append(first.value)
    return RouteFact(tuple(paths)) if paths else None


def _route_pattern(route: str) -> re.Pattern[str]:
    """A route as a pattern matching the end of a request path (prefixes from blueprints,
    routers and `include()` are not known)."""
    route = route.removeprefix("^").removesuffix("$")
    parts = _PARAMETER.split(route)
    body = "[^/]+".join(re.escape(part) for part in parts)
    return re.compile(rf"(?:^|/){body.lstrip('/')}/?$")


def serves_path(routes: list[str], path: str) -> bool:
    path = path.split("?", 1)[0].rstrip("/") or "/"
    if any(route in ("", "/") for route in routes) and path == "/":
        return True
    return any(
        _route_pattern(route).search(path) or _route_pattern(route).search(path + "/") for route in routes
    )


class MissingProbe(ProjectRule):
    """
    ## What it does
    Finds containers that run the app in a long-running workload
    (Deployment, StatefulSet, DaemonSet) and serve traffic (they declare a
    `containerPort`, or run a web server) but have no `readinessProbe`
    (warning) or no `livenessProbe` (info). A probe whose `httpGet.path` no
    route of the app serves is an error: the pod never becomes ready, or is
    restarted in a loop. Routes are matched by their end, since blueprint,
    router and `include()` prefixes are not known; the path check stays
    silent when no route is found in the code. Workers (celery, rq...) and
    containers not linked to the app (see docs/deploy.md) are not checked.

    ## Why is this bad?
    Factor IX: processes are disposable, started and stopped at any
    moment. Without a readiness probe a new pod gets traffic before it can
    answer, so every deploy and scale-up drops requests; without a liveness
    probe a wedged process is never replaced.

    ## Example
    ```yaml
    containers:
      - name: web
        image: registry.example.com/web:1.4.2
        ports: [{containerPort: 8080}]
    ```

    Use instead:
    ```yaml
        readinessProbe: {httpGet: {path: /healthz, port: 8080}}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
    ```

    ## Fix
    None: the right probe depends on the app (a health route, a TCP check).
    """

    code = "FS0904"
    name = "missing-probe"
    severity = Severity.WARNING
    summary = "A serving workload has no readiness or liveness probe, or probes a path no route serves"
    file_fact = RouteFact
    test_files = "routes declared in tests/ and conftest.py are not the app's"

    _APP = {
        "Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "-b", ":8080", "app:app"]\n',
        "app.py": "from flask import Flask\napp = Flask(__name__)\n\n"
        '@app.get("/healthz")\ndef healthz():\n    return "ok"\n',
    }
    VALID = (
        Valid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.4.2
                      ports: [{containerPort: 8080}]
                      readinessProbe: {httpGet: {path: /healthz, port: 8080}}
                      livenessProbe: {tcpSocket: {port: 8080}}
            """,
            filename="k8s/deployment.yaml",
            files=_APP,
        ),
        Valid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: worker}
            spec:
              template:
                spec:
                  containers:
                    - name: worker
                      image: registry.example.com/web:1.4.2
                      command: ["celery", "-A", "app", "worker"]
            """,
            filename="k8s/worker.yaml",
            files=_APP,
            note="a worker serves no traffic",
        ),
        Valid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cache}
            spec:
              template:
                spec:
                  containers: [{name: redis, image: "redis:7.4", ports: [{containerPort: 6379}]}]
            """,
            filename="k8s/redis.yaml",
            files=_APP,
            note="not the app: a third-party image",
        ),
        Valid(
            """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: migrate}
            spec:
              template:
                spec:
                  containers:
                    - {name: migrate, image: "registry.example.com/web:1.4.2", ports: [{containerPort: 8080}]}
            """,
            filename="k8s/job.yaml",
            files=_APP,
            note="a Job runs to completion",
        ),
    )
    INVALID = (
        Invalid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.4.2
                      ports: [{containerPort: 8080}]
                      livenessProbe: {httpGet: {path: /healthz, port: 8080}}
            """,
            filename="k8s/deployment.yaml",
            files=_APP,
            line=8,
        ),
        Invalid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.4.2
                      readinessProbe: {httpGet: {path: /health, port: 8080}}
                      livenessProbe: {httpGet: {path: /healthz, port: 8080}}
            """,
            filename="k8s/deployment.yaml",
            files=_APP,
            line=10,
            note="no route serves /health: the pod never becomes ready",
        ),
        Invalid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.4.2
                      readinessProbe: {httpGet: {path: /healthz, port: 8080}}
            """,
            filename="k8s/deployment.yaml",
            files=_APP,
            line=8,
            note="no liveness probe (info): served by gunicorn, found through the Dockerfile",
        ),
    )

    @classmethod
    def file_facts(cls, text: str, tree: ast.Module, relative_path: str) -> RouteFact | None:
        return route_fact(tree, relative_path) if _ROUTE_CALL.search(text) else None

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        facts = project.file_facts(self.code, RouteFact).values()
        routes = sorted({path for fact in facts for path in fact.paths})
        seen: set[tuple[str, int, int, str]] = set()
        for linked in deployment.linked_containers(project.root.name):
            container, workload = linked.container, linked.workload
            if container is None or workload is None or not workload.long_running:
                continue
            yield from self._check(project, linked, routes, seen)

    def _check(
        self,
        project: ProjectModel,
        linked: LinkedContainer,
        routes: list[str],
        seen: set[tuple[str, int, int, str]],
    ) -> Iterator[Finding]:
        container = linked.container
        assert container is not None
        process = project.container_process(
            [i.text or "" for i in container.command], [i.text or "" for i in container.args]
        )
        server = process.server if process is not None else None
        serves = (
            bool(container.ports)
            or (server is not None and server in SIGTERM_SERVERS - _WORKERS)
            or server
            in (
                "uwsgi",
                "waitress",
            )
        )
        if server in _WORKERS or not serves:
            return
        where = f"container `{container.name}` of {linked.label}"
        findings = []
        for kind, severity in (("readiness", Severity.WARNING), ("liveness", Severity.INFO)):
            probe = container.probes.get(kind)
            if probe is None:
                findings.append(
                    (
                        container.node.get("name") or container.node,
                        f"{where} has no {kind}Probe: "
                        + (
                            "it gets traffic before it can answer, on every deploy and scale-up"
                            if kind == "readiness"
                            else "a wedged process is never restarted"
                        ),
                        severity,
                        kind,
                    )
                )
            elif (
                probe.http_path is not None
                and routes
                and not serves_path(routes, probe.http_path.text or "/")
            ):
                findings.append(
                    (
                        probe.http_path,
                        f"The {kind}Probe of {where} requests `{probe.http_path.text}`, which no route of "
                        "the app serves: the probe always fails",
                        Severity.ERROR,
                        kind,
                    )
                )
        for node, message, severity, kind in findings:
            key = (node.origin, node.row, node.column, kind)
            if key in seen or node.origin not in project.scanned_paths:
                continue
            seen.add(key)
            path, start, end = project.node_span(node)
            yield self.make_finding(path, start, end, message, severity=severity, fingerprint_hint=kind)
