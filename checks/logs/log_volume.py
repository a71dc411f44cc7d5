"""FS1105 log-volume: a volume is mounted where the app's container writes log files."""

from __future__ import annotations

from collections.abc import Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.scan.project import ProjectModel


def is_log_path(mount_path: str) -> bool:
    """`/var/log`, `/var/log/app`, `/srv/logs`, `/app/log`: a folder for log files."""
    parts = [part.lower() for part in mount_path.strip("/").split("/") if part]
    return parts[:2] == ["var", "log"] or (bool(parts) and parts[-1] in ("log", "logs"))


class LogVolume(ProjectRule):
    """
    ## What it does
    Finds containers that run the app (see docs/deploy.md for how a
    container is linked to it) with a volume mounted at a log folder:
    `/var/log/...`, or a folder named `log` or `logs`. Sidecars and
    third-party images (a log shipper reading `/var/log`) are not the app
    and are not reported.

    ## Why is this bad?
    Factor XI: an app never concerns itself with routing or storing its
    output; it writes its event stream to stdout and the platform collects
    it. A log volume means the app writes files that the platform does not
    see: they fill the volume, need rotating, and vanish with the pod or
    stay behind on one node.

    ## Example
    ```yaml
    volumeMounts:
      - name: logs
        mountPath: /var/log/app
    ```

    Use instead: log to stdout (see FS1101 and FS1103 for the code and the
    server) and drop the volume.

    ## Fix
    None: remove the volume once the app logs to stdout.
    """

    code = "FS1105"
    name = "log-volume"
    severity = Severity.WARNING
    summary = "A volume is mounted where the app's container writes log files"

    _DEPLOYMENT = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          template:
            spec:
              containers:
                - name: {name}
                  image: {image}
                  volumeMounts:
                    - {{name: logs, mountPath: {mount}}}
              volumes: [{{name: logs, emptyDir: {{}}}}]
        """
    VALID = (
        Valid(
            _DEPLOYMENT.format(name="web", image="registry.example.com/web:1.4.2", mount="/srv/cache"),
            filename="deploy.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
        ),
        Valid(
            _DEPLOYMENT.format(name="shipper", image="fluent/fluent-bit:3.1", mount="/var/log"),
            filename="deploy.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            note="a log shipper is not the app",
        ),
        Valid(
            _DEPLOYMENT.format(name="web", image="registry.example.com/web:1.4.2", mount="/var/lib/logbook"),
            filename="deploy.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            note="named like a log folder only in part",
        ),
    )
    INVALID = (
        Invalid(
            _DEPLOYMENT.format(name="web", image="registry.example.com/web:1.4.2", mount="/var/log/web"),
            filename="deploy.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            line=11,
        ),
        Invalid(
            """
            services:
              web:
                build: .
                volumes:
                  - ./logs:/srv/app/logs
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
            mounts = []
            if linked.container is not None:
                mounts = [(mount_path, node) for _name, mount_path, node in linked.container.mounts]
            elif linked.compose is not None and linked.compose.node is not None:
                for item in (linked.compose.node.get("volumes") or linked.compose.node).items:
                    target = item.get("target")
                    text = target.text if target is not None else (item.text or "").split(":")[1:2]
                    if isinstance(text, list):
                        text = text[0] if text else None
                    if text:
                        mounts.append((text, item))
            for mount_path, node in mounts:
                key = (node.origin, node.row, node.column)
                if not is_log_path(mount_path) or key in seen or node.origin not in project.scanned_paths:
                    continue
                seen.add(key)
                path, start, end = project.node_span(node)
                yield self.make_finding(
                    path,
                    start,
                    end,
                    f"{linked.label} mounts a volume at `{mount_path}`, a log folder: the app writes log "
                    "files the platform never collects; log to stdout and drop the volume",
                    fingerprint_hint=mount_path,
                )
