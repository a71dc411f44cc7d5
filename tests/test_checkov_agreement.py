"""Agreement with checkov on the manifest checks we share.

CKV_K8S_14 (image tag not fixed) -> FS0505, CKV_K8S_9 / CKV_K8S_8 (no
readiness / liveness probe) -> FS0904, and checkov's secrets framework
(CKV_SECRET_*) -> FS0306. The fixture apps and the projects in
tests/data/manifests are checked by both; the resources (probes, tags) and
lines (secrets) they flag must match, except for deliberate disagreements:
a `# disagree <id>: why` comment inside the resource (resource checks) or on
the line before (secrets), or, for fixtures, whose files stay untouched, the
table below. docs/deploy.md explains each kind.

checkov pins an old `packaging`, so it is not in the test extras: .ci/run
installs it in a virtual environment of its own and names its executable in
FACTORSCAN_CHECKOV. Without it these tests are skipped with that reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from factorscan import api

from .conftest import FIXTURES, REPO

CHECKOV = os.environ.get("FACTORSCAN_CHECKOV") or shutil.which("checkov")
pytestmark = pytest.mark.skipif(
    CHECKOV is None, reason="checkov is not installed (.ci/run installs it; see FACTORSCAN_CHECKOV)"
)
RESOURCE_CHECKS = {"CKV_K8S_14": "FS0505", "CKV_K8S_9": "FS0904", "CKV_K8S_8": "FS0904"}
CORPUS = REPO / "tests" / "data" / "manifests"
PROJECTS = [
    pytest.param(FIXTURES / "k8s_article", id="k8s_article"),
    *(pytest.param(path, id=path.name) for path in sorted(CORPUS.iterdir()) if path.is_dir()),
]
# (fixture, file, line or resource, id): why.
FIXTURE_DISAGREEMENTS = {
    ("k8s_article", "k8s/configmap.yaml", 17, "CKV_SECRET_4"): "CHANGEME is the article's placeholder",
}
_DISAGREE = re.compile(r"#\s*disagree\s+(?P<id>[A-Z0-9_]+):")


def checkov(root: Path, framework: str) -> list[dict]:
    assert CHECKOV is not None
    completed = subprocess.run(
        [CHECKOV, "-d", str(root), "--framework", framework, "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    reports = json.loads(completed.stdout or "[]")
    reports = reports if isinstance(reports, list) else [reports]
    # A framework with nothing to check reports a summary without results.
    return [
        check for report in reports for check in (report or {}).get("results", {}).get("failed_checks", [])
    ]


def project(tmp_path: Path, source: Path) -> Path:
    root = shutil.copytree(source, tmp_path / source.name)
    (root / ".git").mkdir(exist_ok=True)
    return root


def _disagreements(root: Path, name: str) -> set[tuple[str, int, str]]:
    """(file, line, id) of each deliberate disagreement: the line after a `# disagree` comment
    (for a resource check, any line of the resource will do), and the fixture table's lines."""
    found = {(file, line, code) for fixture, file, line, code in FIXTURE_DISAGREEMENTS if fixture == name}
    for path in root.rglob("*.yaml"):
        for row, text in enumerate(path.read_text().splitlines(), start=1):
            match = _DISAGREE.search(text)
            if match:
                found.add((path.relative_to(root).as_posix(), row + 1, match.group("id")))
    return found


@pytest.mark.parametrize("source", PROJECTS)
def test_resource_checks_agree(tmp_path: Path, source: Path) -> None:
    root = project(tmp_path, source)
    result = api.check([root], select=["FS0505", "FS0904"])
    assert not result.errors
    ranges = {}  # (file, resource id) -> (first row, last row)
    for variant in result.project.deployment.variants:
        for resource in variant.resources:
            namespace = resource.node.path("metadata", "namespace")
            ident = f"{resource.kind}.{namespace.text if namespace else 'default'}.{resource.name}"
            ranges[(resource.origin, ident)] = (resource.node.row - 1, resource.node.end_row)
    ours = set()
    for finding in result.findings:
        if finding.code == "FS0904" and finding.severity.value == "error":
            continue  # a probe path no route serves: checkov has no such check
        check = (
            "FS0505"
            if finding.code == "FS0505"
            else ("CKV_K8S_9" if "readinessProbe" in finding.message else "CKV_K8S_8")
        )
        file = Path(finding.path).resolve().relative_to(root.resolve()).as_posix()
        for (origin, ident), (first, last) in ranges.items():
            if origin == file and first <= finding.location.row <= last:
                ours.add((file, ident, "CKV_K8S_14" if check == "FS0505" else check))
    theirs = {
        (check["file_path"].lstrip("/"), check["resource"], check["check_id"])
        for check in checkov(root, "kubernetes")
        if check["check_id"] in RESOURCE_CHECKS
    }
    allowed = set()
    for file, row, code in _disagreements(root, source.name):
        for (origin, ident), (first, last) in ranges.items():
            if origin == file and first <= row <= last:
                allowed.add((file, ident, code))
    assert ours - theirs <= allowed, "factorscan only"
    assert theirs - ours <= allowed, "checkov only"


@pytest.mark.parametrize("source", PROJECTS)
def test_secret_findings_agree(tmp_path: Path, source: Path) -> None:
    root = project(tmp_path, source)
    result = api.check([root], select=["FS0306"])
    assert not result.errors
    ours = {
        (Path(finding.path).resolve().relative_to(root.resolve()).as_posix(), finding.location.row)
        for finding in result.findings
    }
    theirs = {
        (check["file_path"].lstrip("/"), check["file_line_range"][0])
        for check in checkov(root, "secrets")
        if (root / check["file_path"].lstrip("/")).suffix in (".yaml", ".yml")
    }
    allowed_ours, allowed_theirs = set(), set()
    for file, row, code in _disagreements(root, source.name):
        (allowed_ours if code.startswith("FS") else allowed_theirs).add((file, row))
    assert ours - theirs <= allowed_ours, "factorscan only"
    assert theirs - ours <= allowed_theirs, "checkov only"
