"""Packaging and releases: the build floor, version tags, the changelog, one repository URL."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from factorscan import __version__
from factorscan.output.reporters import DOCS_URL, REPOSITORY_URL
from factorscan.output.reporters.sarif import INFORMATION_URI

from .conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _setuptools_floor_admits(version: str) -> bool:
    (setuptools,) = (
        Requirement(item) for item in PYPROJECT["build-system"]["requires"] if item.startswith("setuptools")
    )
    return setuptools.specifier.contains(Version(version), prereleases=True)


def test_setuptools_floor_reads_an_spdx_license_with_license_files() -> None:
    # PEP 639 metadata (`license = "MIT"` as a string, `license-files`) needs setuptools 77.
    assert isinstance(PYPROJECT["project"]["license"], str)
    assert PYPROJECT["project"]["license-files"]
    assert not _setuptools_floor_admits("76.1.0")
    assert _setuptools_floor_admits("77.0.3")


REPOSITORY = PYPROJECT["project"]["urls"]["Repository"]
OWNER_NAME = REPOSITORY.removeprefix("https://github.com/")
TAG = f"v{__version__}"
# Where users copy the repository's address from.
PUBLISHED = [
    REPO / "README.md",
    REPO / "CHANGELOG.md",
    REPO / "action.yml",
    REPO / ".pre-commit-hooks.yaml",
    *sorted((REPO / "docs").glob("*.md")),
]


def test_the_code_uses_the_repository_of_pyproject() -> None:
    assert REPOSITORY.startswith("https://github.com/")
    assert REPOSITORY_URL == REPOSITORY
    assert INFORMATION_URI == REPOSITORY
    assert DOCS_URL.startswith(REPOSITORY + "/")
    for name, url in PYPROJECT["project"]["urls"].items():
        assert url.startswith(REPOSITORY), name


def test_docs_and_the_action_name_the_repository_of_pyproject() -> None:
    mentioned = set()
    for path in PUBLISHED:
        text = path.read_text(encoding="utf-8")
        mentioned.update(re.findall(r"https://github\.com/([\w.-]+/factorscan)\b", text))
        mentioned.update(re.findall(r"uses: ([\w.-]+/factorscan)@", text))
    assert mentioned == {OWNER_NAME}


def test_pinned_examples_use_the_current_release_tag() -> None:
    pins = []
    for path in PUBLISHED:
        text = path.read_text(encoding="utf-8")
        pins += re.findall(rf"{re.escape(OWNER_NAME)}@([\w.-]+)", text)
        pins += re.findall(r"^\s*rev: ([\w.-]+)", text, flags=re.MULTILINE)
    assert pins
    assert set(pins) == {TAG}


def test_the_changelog_starts_with_the_current_version() -> None:
    headings = re.findall(r"^## (\S+)", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert headings[0] == __version__
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", heading) for heading in headings)
    assert len(set(headings)) == len(headings)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_version_tag_if_made_points_at_this_version() -> None:
    """A tag `vX.Y.Z` that exists must hold that version (tags are made at release)."""
    tags = subprocess.run(
        ["git", "tag", "--list", "v*"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    for tag in tags:
        assert re.fullmatch(r"v\d+\.\d+\.\d+", tag), tag
        shown = subprocess.run(
            ["git", "show", f"{tag}:analyzer/__init__.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode == 0:
            assert f'__version__ = "{tag[1:]}"' in shown.stdout


def test_pre_commit_accepts_the_documented_config_without_warning(tmp_path) -> None:
    text = (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")
    (snippet,) = [block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if "repos:" in block]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr  # `rev: main` is a mutable reference
