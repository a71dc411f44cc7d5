"""FS0604 local-state-volume: a long-running workload keeps state on a pod- or node-local volume."""

from __future__ import annotations

from collections.abc import Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.deployment import Variant
from factorscan.deploy.k8s import Workload
from factorscan.deploy.yaml_loader import YamlNode
from factorscan.scan.project import ProjectModel

# Folder names that hold what the app stores: uploads, media, SQLite files, sessions.
_STATE_FOLDERS = frozenset(
    {
        "uploads",
        "upload",
        "media",
        "mediafiles",
        "files",
        "data",
        "db",
        "sqlite",
        "sessions",
        "storage",
        "userdata",
    }
)


def _state_path(mount_path: str) -> bool:
    parts = [part.lower() for part in mount_path.strip("/").split("/") if part]
    return bool(parts) and parts[-1] in _STATE_FOLDERS


def _autoscaled(variant: Variant, workload: Workload) -> bool:
    for hpa in variant.of_kind("HorizontalPodAutoscaler"):
        target = hpa.node.path("spec", "scaleTargetRef")
        name, kind = (target.get("name"), target.get("kind")) if target is not None else (None, None)
        if name is not None and name.text == workload.name and (kind is None or kind.text == workload.kind):
            return True
    return False


def _read_write_once(variant: Variant, claim: str) -> bool:
    pvc = variant.config("PersistentVolumeClaim", claim)
    modes = pvc.node.path("spec", "accessModes") if pvc is not None else None
    return modes is not None and [item.text for item in modes.items] == ["ReadWriteOnce"]


class LocalStateVolume(ProjectRule):
    """
    ## What it does
    Finds long-running workloads (Deployment, StatefulSet, DaemonSet) whose
    containers keep state where only one pod or node sees it: a `hostPath`
    volume mounted in a container; an `emptyDir` mounted at a folder named
    for stored state (`uploads`, `media`, `data`, `db`, `sessions`,
    `storage`...); a `ReadWriteOnce` PersistentVolumeClaim shared by the
    pods of a Deployment with more than one replica or an autoscaler.
    A StatefulSet's `volumeClaimTemplates` (one volume per pod) and an
    `emptyDir` used as scratch space (`/tmp`, a cache) are not reported.

    ## Why is this bad?
    Factor VI: processes are stateless and share nothing; what must last
    lives in a backing service. An `emptyDir` is deleted with its pod, a
    `hostPath` stays on one node while the pod moves to another, and a
    ReadWriteOnce volume mounts on one node only, so the second replica
    does not start, or each replica sees different files.

    ## Example
    ```yaml
    volumes:
      - name: uploads
        emptyDir: {}
    ```

    Use instead: object storage (S3, GCS) or a database for what the app
    keeps; an `emptyDir` only for scratch files.

    ## Fix
    None: the state needs a backing service.
    """

    code = "FS0604"
    name = "local-state-volume"
    severity = Severity.WARNING
    summary = "A long-running workload keeps state on a pod- or node-local volume"

    _DEPLOYMENT = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          replicas: {replicas}
          template:
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  volumeMounts: [{{name: state, mountPath: {mount}}}]
              volumes:
                - name: state
                  {volume}
        """
    VALID = (
        Valid(_DEPLOYMENT.format(replicas=3, mount="/tmp", volume="emptyDir: {}"), filename="deploy.yaml"),
        Valid(
            _DEPLOYMENT.format(
                replicas=1, mount="/srv/uploads", volume="persistentVolumeClaim: {claimName: files}"
            ),
            filename="deploy.yaml",
            files={
                "pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: files}\n"
                "spec: {accessModes: [ReadWriteOnce]}\n"
            },
            note="one replica, no autoscaler",
        ),
        Valid(
            _DEPLOYMENT.format(
                replicas=3, mount="/srv/uploads", volume="persistentVolumeClaim: {claimName: files}"
            ),
            filename="deploy.yaml",
            files={
                "pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: files}\n"
                "spec: {accessModes: [ReadWriteMany]}\n"
            },
            note="a shared filesystem every replica mounts",
        ),
    )
    INVALID = (
        Invalid(
            _DEPLOYMENT.format(replicas=3, mount="/srv/uploads", volume="emptyDir: {}"),
            filename="deploy.yaml",
            line=13,
        ),
        Invalid(
            _DEPLOYMENT.format(replicas=1, mount="/var/lib/app", volume="hostPath: {path: /mnt/app}"),
            filename="deploy.yaml",
            line=13,
        ),
        Invalid(
            _DEPLOYMENT.format(
                replicas=3, mount="/srv/uploads", volume="persistentVolumeClaim: {claimName: files}"
            ),
            filename="deploy.yaml",
            files={
                "pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: files}\n"
                "spec: {accessModes: [ReadWriteOnce]}\n"
            },
            line=13,
        ),
        Invalid(
            _DEPLOYMENT.format(
                replicas=1, mount="/srv/uploads", volume="persistentVolumeClaim: {claimName: files}"
            ),
            filename="deploy.yaml",
            files={
                "pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: files}\n"
                "spec: {accessModes: [ReadWriteOnce]}\n",
                "hpa.yaml": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                "metadata: {name: web}\n"
                "spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 5}\n",
            },
            line=13,
            note="an autoscaler adds replicas",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        seen: set[tuple[str, int, int]] = set()
        for variant, workload in deployment.workloads():
            if not workload.long_running:
                continue
            for node, message in self._problems(variant, workload):
                key = (node.origin, node.row, node.column)
                if key in seen or node.origin not in project.scanned_paths:
                    continue
                seen.add(key)
                path, start, end = project.node_span(node)
                yield self.make_finding(path, start, end, message, fingerprint_hint=node.text or "")

    def _problems(self, variant: Variant, workload: Workload) -> Iterator[tuple[YamlNode, str]]:
        mounts = {name: path for c in workload.containers for name, path, _node in c.mounts}
        where = f"{workload.kind} `{workload.name}`"
        for name, volume in workload.volumes.items():
            if name not in mounts:
                continue
            at = volume.get("name") or volume
            if volume.get("hostPath") is not None:
                yield (
                    at,
                    (
                        f"{where} mounts the node's disk (`hostPath`) at `{mounts[name]}`: the files stay on "
                        "one node while pods move; keep state in a backing service"
                    ),
                )
            elif volume.get("emptyDir") is not None and _state_path(mounts[name]):
                yield (
                    at,
                    (
                        f"{where} keeps `{mounts[name]}` on an `emptyDir`, deleted with the pod; "
                        "each replica has its own: keep uploads, databases and sessions in a backing service"
                    ),
                )
            claim = volume.path("persistentVolumeClaim", "claimName")
            replicas = workload.replica_count or 1
            if (
                claim is not None
                and workload.kind == "Deployment"
                and (replicas > 1 or _autoscaled(variant, workload))
                and _read_write_once(variant, claim.text or "")
            ):
                yield (
                    at,
                    (
                        f"{where} runs several replicas on the ReadWriteOnce claim `{claim.text}`: it "
                        "mounts on one node only, so replicas elsewhere do not start"
                    ),
                )
