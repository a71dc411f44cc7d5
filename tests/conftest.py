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

_CI_EXAMPLES = 25
# `pytest --hypothesis-profile=thorough` for long local runs that hunt new failures; CI uses
# "ci", derandomized: the same draws every run, so a change is judged on its own and not on
# a fresh random program (a failure thorough finds becomes an example or a KNOWN entry).
settings.register_profile(
    "ci",
    max_examples=_CI_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile("ci")


def examples(ci_count: int) -> int:
    """A test's own example count, given for the ci profile and scaled by the loaded one.

    A test that needs more or fewer examples than the profile's default still follows
    `--hypothesis-profile` (thorough: 40 times as many).
    """
    return max(1, ci_count * settings.default.max_examples // _CI_EXAMPLES)


REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"

# Subcommands and options that never write a cache.
_NO_SCAN = {"rules", "rule", "env", "server", "--version", "--help", "-h"}
_NO_CACHE = {"--no-cache", "--stdin-filename"}


def _caches_into_fixtures(words: list[str], cwd: Path | None) -> bool:
    """Whether `factorscan *words` run in `cwd` would write a cache folder into fixtures/."""
    if not words or words[0] in _NO_SCAN or _NO_CACHE & set(words) or "--cache-dir" in words:
        return False
    base = (cwd or Path.cwd()).resolve()
    paths = [base / word for word in words if not word.startswith("-") and (base / word).exists()]
    return any(path.resolve().is_relative_to(FIXTURES) for path in paths or [base])


def fixture_caches() -> set[Path]:
    return set(FIXTURES.rglob(".factorscan_cache"))


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_CACHES_BEFORE] = fixture_caches()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The source tree stays as checked out: a run that left a cache in fixtures/ fails."""
    if hasattr(session.config, "workerinput"):
        return  # xdist workers: the controller checks once, after all of them
    new = fixture_caches() - session.config.stash.get(_CACHES_BEFORE, set())
    if new:
        names = ", ".join(sorted(path.relative_to(REPO).as_posix() for path in new))
        print(f"\nA test wrote a cache into the source tree: {names} (pass --no-cache)", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_CACHES_BEFORE = pytest.StashKey[set[Path]]()


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    stdin: str | bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`factorscan ...` in a fresh interpreter, as a user runs it."""
    words = [str(arg) for arg in args]
    if _caches_into_fixtures(words, cwd):
        raise AssertionError(
            f"`factorscan {' '.join(words)}` would write a cache into fixtures/: add --no-cache"
        )
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment.pop("FORCE_COLOR", None)
    data = stdin.encode() if isinstance(stdin, str) else stdin
    completed = subprocess.run(
        [sys.executable, "-m", "factorscan", *words],
        cwd=cwd,
        input=data,
        capture_output=True,
        env=environment,
        timeout=timeout,
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
