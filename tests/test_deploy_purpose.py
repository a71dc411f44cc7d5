"""Development and test descriptors (images, compose files) are recognised by their path inside
the project, never by the folders the project itself sits in."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli, write_project


def _severities(cwd: Path, target: str) -> dict[str, str]:
    completed = run_cli(target, "--select", "FS0501", "--format", "json", "--no-cache", cwd=cwd)
    assert completed.returncode == 1, completed.stderr
    return {Path(item["filename"]).as_posix(): item["severity"] for item in json.loads(completed.stdout)}


def test_a_project_inside_a_dev_folder_is_not_a_development_image(tmp_path: Path) -> None:
    root = tmp_path / "dev" / "shop"
    (root / ".git").mkdir(parents=True)
    write_project(
        root, {"Dockerfile": "FROM shop/base:latest\n", "docker/dev/Dockerfile": "FROM shop/app:latest\n"}
    )
    found = _severities(tmp_path, "dev/shop")
    assert found == {"dev/shop/Dockerfile": "warning", "dev/shop/docker/dev/Dockerfile": "info"}
