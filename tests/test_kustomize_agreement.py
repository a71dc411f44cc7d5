"""Agreement with `kubectl kustomize` (Debian's kubernetes-client) on what a kustomization builds.

Every overlay of fixtures/k8s_kustomize and every case in tests/data/kustomize
is built by both; the parts of the result that factorscan's rules read must
match: each resource's kind and name, replicas, each container's image, env,
envFrom, ports and probes, and the keys and values of ConfigMaps and Secrets.

Deliberate disagreements (docs/deploy.md):
- kustomize appends a hash of the content to generated ConfigMap and Secret
  names and rewrites the references; factorscan keeps the names as written.
  Both pair a reference with what it names, so the hash is stripped before
  comparing.
- Secret `data` is compared decoded: generators give factorscan plain text
  (`stringData`), kubectl base64.

.ci/run installs kubectl when it is missing; where it cannot, these tests are
skipped with that reason, and only these.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from factorscan import api
from factorscan.deploy.yaml_loader import YamlNode

from .conftest import FIXTURES, REPO

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(
    KUBECTL is None, reason="kubectl is not installed (apt-get install kubernetes-client; .ci/run does)"
)
CASES = REPO / "tests" / "data" / "kustomize"
_HASH = re.compile(r"-[a-z0-9]{10}$")

BUILDS = [
    pytest.param(FIXTURES / "k8s_kustomize", "deploy/overlays/staging", id="fixture-staging"),
    pytest.param(FIXTURES / "k8s_kustomize", "deploy/overlays/production", id="fixture-production"),
    *(
        pytest.param(CASES, case.name, id=case.name)
        for case in sorted(CASES.iterdir())
        if case.is_dir() and case.name != "base"
    ),
]


def plain(node: Any) -> Any:
    """A YAML tree (ours or PyYAML's) with every scalar as text."""
    if isinstance(node, YamlNode):
        node = node.value if not node.null else None
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, bool):
        return "true" if node else "false"
    return "" if node is None else str(node)


def _name(kind: str, name: str) -> str:
    return _HASH.sub("", name) if kind in ("ConfigMap", "Secret") else name


def summary(resources: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """What the rules read of each resource."""
    found: dict[tuple[str, str], Any] = {}
    for resource in resources:
        kind, name = resource["kind"], resource.get("metadata", {}).get("name", "")
        key = (kind, _name(kind, name))
        if kind in ("ConfigMap", "Secret"):
            values = dict(resource.get("stringData", {}))
            for data_key, value in resource.get("data", {}).items():
                values[data_key] = base64.b64decode(value).decode() if kind == "Secret" else value
            found[key] = values
            continue
        spec = resource.get("spec", {})
        pod = spec.get("template", {}).get("spec", {})
        containers = []
        for container in pod.get("containers", []):
            containers.append(
                {
                    "name": container.get("name"),
                    "image": container.get("image"),
                    "env": [(item["name"], item.get("value")) for item in container.get("env", [])],
                    "envFrom": sorted(
                        (ref_kind, _name(kind_name, item[ref_kind]["name"]))
                        for item in container.get("envFrom", [])
                        for ref_kind, kind_name in (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))
                        if ref_kind in item
                    ),
                    "ports": [port.get("containerPort") for port in container.get("ports", [])],
                    "probes": sorted(key for key in container if key.endswith("Probe")),
                }
            )
        found[key] = {"replicas": spec.get("replicas"), "containers": containers}
    return found


def kubectl_build(folder: Path) -> dict[tuple[str, str], Any]:
    assert KUBECTL is not None
    completed = subprocess.run(
        [KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, timeout=120, check=True
    )
    return summary([plain(document) for document in yaml.safe_load_all(completed.stdout) if document])


def our_build(root: Path, folder: str) -> dict[tuple[str, str], Any]:
    result = api.check([root], select=["FS0505"])
    assert not result.errors
    variant = next(v for v in result.project.deployment.variants if v.label == folder)
    return summary([plain(resource.node) for resource in variant.resources])


@pytest.mark.parametrize(("source", "folder"), BUILDS)
def test_builds_agree_with_kubectl_kustomize(tmp_path: Path, source: Path, folder: str) -> None:
    # A copy of its own: the repository's settings exclude tests/.
    root = shutil.copytree(source, tmp_path / "project")
    (root / ".git").mkdir(exist_ok=True)
    assert our_build(root, folder) == kubectl_build(root / folder)
