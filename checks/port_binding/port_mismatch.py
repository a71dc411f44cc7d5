"""FS0703 port-mismatch: the deployment sends traffic to a port the app does not listen on."""

from __future__ import annotations

from collections.abc import Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.checks.port_binding._listening import linked_port_variable, linked_process, listening_port
from factorscan.core.findings import Finding
from factorscan.deploy.deployment import LinkedContainer
from factorscan.deploy.k8s import as_int
from factorscan.deploy.yaml_loader import YamlNode
from factorscan.scan.project import ProjectModel


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
            process = linked_process(project, linked)
            port = listening_port(project, process, linked_port_variable(linked)) if process else None
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
