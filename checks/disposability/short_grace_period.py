"""FS0905 short-grace-period: the pod's grace period is shorter than the app server's drain time."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.container import Process
from factorscan.deploy.k8s import as_int
from factorscan.scan.project import ProjectModel

# Kubernetes' default terminationGracePeriodSeconds.
DEFAULT_GRACE_SECONDS = 30
# server -> (the option that sets its drain time, the default when it is not set; None: unbounded).
_DRAIN_OPTIONS: dict[str, tuple[str, int | None]] = {
    "gunicorn": ("--graceful-timeout", 30),
    "uvicorn": ("--timeout-graceful-shutdown", None),
    "hypercorn": ("--graceful-timeout", None),
}


def _option(argv: tuple[str, ...], option: str) -> str | None:
    for index, word in enumerate(argv):
        if word == option and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None


def _config_assignment(text: str, name: str) -> int | None:
    """`name = <int>` at the top of a gunicorn config module."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == name for target in statement.targets)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, (int, float))
        ):
            return int(statement.value.value)
    return None


def drain_seconds(project: ProjectModel, process: Process) -> tuple[int, str] | None:
    """How long the server waits for in-flight work after SIGTERM, and where that is set."""
    if process.server not in _DRAIN_OPTIONS:
        return None
    option, default = _DRAIN_OPTIONS[process.server]
    value = _option(process.argv, option)
    if value is not None:
        return (int(value), f"`{option} {value}`") if value.isdigit() else None
    if process.server == "gunicorn":
        config = _option(process.argv, "--config") or _option(process.argv, "-c") or "gunicorn.conf.py"
        config = config.removeprefix("python:")
        for candidate in (
            project.root / config,
            *(item.path for item in project.python_files if item.path.name == Path(config).name),
        ):
            source = project.source(candidate) if candidate.is_file() else None
            found = _config_assignment(source.text, "graceful_timeout") if source is not None else None
            if found is not None:
                return found, f"`graceful_timeout = {found}` in {Path(config).name}"
    return (default, f"{process.server}'s default") if default is not None else None


class ShortGracePeriod(ProjectRule):
    """
    ## What it does
    Compares a Kubernetes workload's `terminationGracePeriodSeconds` (30
    when unset) with the drain time of the server its app container runs:
    gunicorn's `graceful_timeout` (flag or config module, 30 s by default),
    uvicorn's `--timeout-graceful-shutdown` and hypercorn's
    `--graceful-timeout` (unbounded by default, so only when set). The
    server comes from the container's `command`, else from the image's
    `CMD` when the project has one Dockerfile. Compose's `stop_grace_period`
    is not checked: compose is a development tool here.

    ## Why is this bad?
    Factor IX: on SIGTERM a process finishes its in-flight work and exits.
    When the platform's grace period ends first, the kubelet sends SIGKILL
    in the middle of the drain, and the requests the server was still
    finishing are cut off on every deploy and scale-down.

    ## Example
    ```yaml
    spec:
      terminationGracePeriodSeconds: 10
      containers:
        - name: web
          command: ["gunicorn", "--graceful-timeout", "30", "app:app"]
    ```

    Use instead: a grace period a few seconds longer than the drain
    (`terminationGracePeriodSeconds: 35`), or a shorter drain.

    ## Fix
    None: which of the two to change is a choice.
    """

    code = "FS0905"
    name = "short-grace-period"
    severity = Severity.WARNING
    summary = "The pod's termination grace period is shorter than the app server's drain time"

    _DEPLOYMENT = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          template:
            spec:
              terminationGracePeriodSeconds: {grace}
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  command: [{command}]
        """
    VALID = (
        Valid(
            _DEPLOYMENT.format(grace=35, command='"gunicorn", "--graceful-timeout", "30", "app:app"'),
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
        ),
        Valid(
            _DEPLOYMENT.format(grace=30, command='"gunicorn", "app:app"'),
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            note="gunicorn's default 30 s drain fits the default 30 s grace period",
        ),
        Valid(
            _DEPLOYMENT.format(grace=5, command='"uvicorn", "app:app"'),
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            note="uvicorn's drain has no bound unless it is set",
        ),
    )
    INVALID = (
        Invalid(
            _DEPLOYMENT.format(grace=10, command='"gunicorn", "app:app"'),
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            line=7,
        ),
        Invalid(
            _DEPLOYMENT.format(grace=20, command='"uvicorn", "--timeout-graceful-shutdown", "25", "app:app"'),
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            line=7,
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
            """,
            filename="k8s/deployment.yaml",
            files={
                "Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "app"]\n',
                "gunicorn.conf.py": "graceful_timeout = 60\n",
            },
            line=8,
            note="the default 30 s grace period, against the config module's 60 s drain",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        seen: set[tuple[str, int, int]] = set()
        for linked in deployment.linked_containers(project.root.name):
            container, workload = linked.container, linked.workload
            if container is None or workload is None:
                continue
            process = project.container_process(
                [item.text or "" for item in container.command], [item.text or "" for item in container.args]
            )
            drain = drain_seconds(project, process) if process is not None else None
            if drain is None:
                continue
            grace = as_int(workload.grace_period)
            seconds = DEFAULT_GRACE_SECONDS if grace is None else grace
            if seconds >= drain[0]:
                continue
            node = (
                workload.grace_period if grace is not None else (container.node.get("name") or container.node)
            )
            assert node is not None
            key = (node.origin, node.row, node.column)
            if key in seen or node.origin not in project.scanned_paths:
                continue
            seen.add(key)
            server = process.server if process is not None else ""
            period = (
                f"terminationGracePeriodSeconds {seconds}"
                if grace is not None
                else "the default 30 s grace period"
            )
            path, start, end = project.node_span(node)
            yield self.make_finding(
                path,
                start,
                end,
                f"{linked.label}: {period} is shorter than the {drain[0]} s drain of {server} "
                f"({drain[1]}): SIGKILL cuts off the requests it is still finishing",
            )
