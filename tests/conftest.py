"""Shared helpers: run the real CLI as a subprocess, build throwaway projects."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `pytest --hypothesis-profile=thorough` for long local runs; CI uses "ci".
settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    stdin: str | bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`factorscan ...` in a fresh interpreter, as a user runs it."""
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment.pop("FORCE_COLOR", None)
    data = stdin.encode() if isinstance(stdin, str) else stdin
    completed = subprocess.run(
        [sys.executable, "-m", "factorscan", *map(str, args)],
        cwd=cwd,
        input=data,
        capture_output=True,
        env=environment,
        timeout=300,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
    )


def write_project(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text, dedented, or bytes) under `root`."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path):
    """A factory for a throwaway project. An empty .git folder makes it its own
    project root without adding a manifest that dependency rules would read."""

    def make(files: Mapping[str, str | bytes], marker: bool = True) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        if marker:
            (root / ".git").mkdir(exist_ok=True)
        return write_project(root, files)

    return make
