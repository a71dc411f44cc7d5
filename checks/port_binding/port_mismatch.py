"""FS0703 port-mismatch: the deployment sends traffic to a port the app does not listen on."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.container import Process
from factorscan.deploy.deployment import LinkedContainer
from factorscan.deploy.k8s import as_int
from factorscan.deploy.yaml_loader import YamlNode
from factorscan.scan.project import ProjectModel

# Where each server listens when nothing says otherwise.
_DEFAULT_PORTS = {
    "gunicorn": 8000,
    "uvicorn": 8000,
    "hypercorn": 8000,
    "daphne": 8000,
    "granian": 8000,
    "waitress": 8080,
}
_PORT_OPTIONS = {
    "gunicorn": ("-b", "--bind"),
    "hypercorn": ("-b", "--bind"),
    "uvicorn": ("--port",),
    "granian": ("--port",),
    "daphne": ("-p", "--port", "-b"),
    "waitress": ("--port", "--listen"),
}
_VARIABLE = re.compile(r"\$\(PORT\)|\$\{PORT(?::?-(?P<default>\d+))?\}|\$PORT\b")


def _option_values(argv: tuple[str, ...], options: tuple[str, ...]) -> list[str]:
    values = []
    for index, word in enumerate(argv):
        if word in options and index + 1 < len(argv):
            values.append(argv[index + 1])
        for option in options:
            if option.startswith("--") and word.startswith(option + "="):
                values.append(word.split("=", 1)[1])
    return values


def _port_of(value: str, env_port: int | None) -> int | None:
    """The port of `8000`, `:8000`, `0.0.0.0:8000`, `[::]:$PORT`, `:${PORT:-8000}`; None for a socket."""
    if value.startswith(("unix:", "fd://")):
        return None
    match = _VARIABLE.search(value)
    if match is not None:
        default = match.group("default")
        return env_port if env_port is not None else int(default) if default else None
    tail = value.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _gunicorn_config_bind(project: ProjectModel, process: Process, env_port: int | None) -> int | None:
    names = _option_values(process.argv, ("-c", "--config")) or ["gunicorn.conf.py"]
    config = names[0].removeprefix("python:")
    bind = project.derived(f"FS0703 gunicorn bind {config}", lambda: _config_bind(project, config))
    return _bind_expression(bind, env_port) if bind is not None else None


def _config_bind(project: ProjectModel, config: str) -> ast.expr | None:
    """The expression a gunicorn config module assigns to `bind`."""
    candidates = [
        project.root / config,
        *(i.path for i in project.python_files if i.path.name == Path(config).name),
    ]
    for candidate in candidates:
        source = project.source(candidate) if candidate.is_file() else None
        if source is None:
            continue
        try:
            tree = ast.parse(source.text)
        except (SyntaxError, ValueError):
            return None
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "bind" for t in statement.targets
            ):
                return statement.value
        return None
    return None


def _bind_expression(node: ast.expr, env_port: int | None) -> int | None:
    """`"0.0.0.0:8080"`, `f"0.0.0.0:{os.environ.get('PORT', '8080')}"`, or a list of either."""
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        return _bind_expression(node.elts[0], env_port)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _port_of(node.value, env_port)
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant)
            and call.args[0].value == "PORT"
            and isinstance(call.args[1], ast.Constant)
        ):
            return env_port if env_port is not None else int(str(call.args[1].value))
    return None


def listening_port(project: ProjectModel, process: Process, env_port: int | None) -> int | None:
    """The port the server of `process` listens on, when its command line or config tells."""
    server = process.server
    if server not in _DEFAULT_PORTS:
        return None
    for value in _option_values(process.argv, _PORT_OPTIONS[server]):
        return _port_of(value, env_port)
    if server == "gunicorn":
        configured = _gunicorn_config_bind(project, process, env_port)
        if configured is not None:
            return configured
        if env_port is not None:
            return env_port  # gunicorn binds $PORT when no bind is given
    return _DEFAULT_PORTS[server]


class PortMismatch(ProjectRule):
    """
    ## What it does
    Works out the port the app's server listens on (its command line in the
    container's `command`/`args` or the image's `CMD`, a gunicorn config
    module's `bind`, `$PORT` with the value the deployment gives it, the
    server's default) and compares it with where the deployment sends
    traffic: the container's `containerPort`s, its probes' ports (numbers
    or port names), the `targetPort` of Services that select the workload,
    and the container side of compose `ports:`. Silent when the listening
    port cannot be told (a plain `python app.py`, a Unix socket).

    ## Why is this bad?
    Factor VII: the app exports its service by binding to a port, and the
    platform routes to that port. When they disagree, the Service has no
    working endpoint and the probes fail, so pods are restarted in a loop
    or never get traffic; the error shows up only after the deploy.

    ## Example
    ```yaml
    containers:
      - name: web
        command: ["gunicorn", "--bind", ":8000", "app:app"]
        ports: [{containerPort: 8080}]
    ```

    Use instead: one port everywhere, ideally given once as `PORT` and read
    by the server (`--bind ":$(PORT)"`).

    ## Fix
    None: either side may be the one to change.
    """

    code = "FS0703"
    name = "port-mismatch"
    severity = Severity.ERROR
    summary = "The deployment sends traffic to a port the app does not listen on"

    _DEPLOYMENT = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          template:
            metadata: {{labels: {{app: web}}}}
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  command: [{command}]
                  ports: [{{containerPort: {port}, name: http}}]
                  readinessProbe: {{httpGet: {{path: /, port: {probe}}}}}
        """
    _FILES = {"Dockerfile": "FROM python:3.12-slim\n"}
    VALID = (
        Valid(
            _DEPLOYMENT.format(
                command='"gunicorn", "-b", "0.0.0.0:8080", "app:app"', port=8080, probe="http"
            ),
            filename="deploy.yaml",
            files=_FILES,
        ),
        Valid(
            _DEPLOYMENT.format(command='"gunicorn", "-b", ":$(PORT)", "app:app"', port=9000, probe=9000)
            + '              env: [{name: PORT, value: "9000"}]\n',
            filename="deploy.yaml",
            files=_FILES,
            note="the port given as PORT and expanded by Kubernetes",
        ),
        Valid(
            _DEPLOYMENT.format(command='"python", "app.py"', port=5000, probe=5000),
            filename="deploy.yaml",
            files=_FILES,
            note="a plain script: where it listens is not known",
        ),
    )
    INVALID = (
        Invalid(
            _DEPLOYMENT.format(command='"gunicorn", "-b", ":8000", "app:app"', port=8080, probe=8000),
            filename="deploy.yaml",
            files=_FILES,
            line=12,
        ),
        Invalid(
            _DEPLOYMENT.format(command='"uvicorn", "app:app", "--host", "0.0.0.0"', port=8000, probe=8080),
            filename="deploy.yaml",
            files=_FILES,
            line=13,
            note="uvicorn's default port, 8000",
        ),
        Invalid(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """,
            filename="k8s/service.yaml",
            files={
                **_FILES,
                "k8s/deploy.yaml": _DEPLOYMENT.format(command='"gunicorn", "app:app"', port=8000, probe=8000),
            },
            line=6,
            note="the Service routes to 8080",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                command: gunicorn --bind 0.0.0.0:5000 app:app
                ports: ["8000:8000"]
            """,
            filename="compose.yaml",
            line=5,
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        seen: set[tuple[str, int, int]] = set()
        for linked in deployment.linked_containers(project.root.name):
            port = self.app_port(project, linked)
            if port is None:
                continue
            for node, what in self._mismatches(linked, port):
                key = (node.origin, node.row, node.column)
                if key in seen or node.origin not in project.scanned_paths:
                    continue
                seen.add(key)
                path, start, end = project.node_span(node)
                yield self.make_finding(
                    path,
                    start,
                    end,
                    f"{what} of {linked.label} is not {port}, the port the app listens on: traffic and "
                    "probes never reach it",
                    fingerprint_hint=what,
                )

    @staticmethod
    def app_port(project: ProjectModel, linked: LinkedContainer) -> int | None:
        env_port = None
        for provision in linked.provided.get("PORT", []):
            text = provision.node.text if provision.node is not None else None
            env_port = int(text) if text and text.isdigit() else env_port
        if linked.container is not None:
            argv = [item.text or "" for item in linked.container.command]
            args = [item.text or "" for item in linked.container.args]
        elif linked.compose is not None:
            argv, args = linked.compose.process_argv(), []
        else:
            return None
        process = project.container_process(argv, args)
        return listening_port(project, process, env_port) if process is not None else None

    @staticmethod
    def _mismatches(linked: LinkedContainer, port: int) -> Iterator[tuple[YamlNode, str]]:
        """The declared ports that differ from `port`, with what declares them."""
        container, workload, variant = linked.container, linked.workload, linked.variant
        if linked.compose is not None and linked.compose.node is not None:
            published = (linked.compose.node.get("ports") or YamlNode([], 0, 0)).items
            sides = [(item, (item.get("target") or item).text or "") for item in published]
            inside = [(item, text.split("/")[0].rsplit(":", 1)[-1]) for item, text in sides]
            if inside and all(text.isdigit() and int(text) != port for _item, text in inside):
                yield inside[0][0], f"compose `ports: {inside[0][1]}`"
            return
        if container is None or workload is None or variant is None:
            return
        numbers = [number for number, _name, _node in container.ports]
        if numbers and port not in numbers:
            yield container.ports[0][2], f"`containerPort: {numbers[0]}`"
        for kind, probe in container.probes.items():
            if probe.port is None:
                continue
            number = as_int(probe.port) or container.port_named(probe.port.text or "")
            if number is not None and number != port:
                yield probe.port, f"the {kind}Probe port ({probe.port.text})"
        labels = workload.labels
        for service in variant.of_kind("Service"):
            selector = service.node.path("spec", "selector")
            wanted = (
                {key: value.text for key, value in selector.mapping.items()} if selector is not None else {}
            )
            if not wanted or any(labels.get(key) != value for key, value in wanted.items()):
                continue
            for item in (service.node.path("spec", "ports") or YamlNode([], 0, 0)).items:
                target = item.get("targetPort") or item.get("port")
                if target is None:
                    continue
                number = as_int(target) or container.port_named(target.text or "")
                if number is not None and number != port:
                    yield target, f"the `targetPort` ({target.text}) of Service `{service.name}`"
