"""Packaging and releases: the build floor, version tags, the changelog, one repository URL."""

from __future__ import annotations

import sys

from packaging.requirements import Requirement
from packaging.version import Version

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
