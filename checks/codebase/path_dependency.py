"""FS0101 path-dependency: dependency on a local path outside the repository."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.manifests import RUNTIME, Dependency, Manifest
from factorscan.scan.project import ProjectModel


def _target(project: ProjectModel, manifest_path: str, dependency: Dependency) -> Path | None:
    """Where a path dependency points, as an absolute normalised path."""
    assert dependency.path is not None
    base = project.root / PurePosixPath(manifest_path).parent
    raw = dependency.path.replace("${PROJECT_ROOT}", str(base)).replace("{root:uri}", str(base))
    if "$" in raw or "{" in raw:
        return None  # another variable: unknown at analysis time
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = base / path
    return Path(os.path.normpath(path))


def _optional_groups(manifest: Manifest, dependency: Dependency) -> list[str]:
    """The optional groups (extras, dependency groups, dev files) that alone use a path
    dependency, or [] when the default install needs it or nothing says who does.

    A `[tool.uv.sources]` entry is used by the groups that declare the same name.
    """
    if dependency.group == "source":
        users = {
            other.group
            for other in manifest.dependencies
            if other.name == dependency.name and other.group != "source"
        }
    else:
        users = {dependency.group}
    if not users or users & {RUNTIME, "build"}:
        return []
    return sorted(users)


class PathDependency(ProjectRule):
    """
    ## What it does
    Finds dependencies on a local path outside the repository:
    `-e ../lib` or `../shared/pkg` in a requirements file,
    `name @ file:///home/me/lib` or `file:../x` requirements,
    `path = "../x"` in poetry dependencies or `[tool.uv.sources]`,
    and Pipfile `path` entries. Paths inside the repository (`-e .`,
    `-e ./libs/common`, uv workspace members) are fine.

    The repository is the nearest folder holding `.git` (or `.hg`) at or
    above the project root; without one, the project root.

    A path dependency that only optional groups use (an extra, a dependency
    group, a development requirements file) is reported at `info`: the
    default build does not need the other checkout, only those who opt in.

    ## Why is this bad?
    Factor I: an app is one codebase, tracked in revision control. A
    dependency on a sibling checkout means the app cannot be built from its
    own repository: the build works only on machines that happen to have the
    other folder at the same place, at whatever state it is in. Code shared
    between apps belongs in a versioned package installed through the
    dependency manager.

    ## Example
    ```text
    flask==3.1.0
    -e ../shared-utils
    ```

    ## Fix
    None automatic. Publish the shared code as a package (to a private index
    or as a git URL pinned to a tag) and depend on a version of it, or move
    it into this repository.
    """

    code = "FS0101"
    name = "path-dependency"
    severity = Severity.WARNING
    summary = "Dependency on a local path outside the repository"
    test_files = "not applicable (reads manifests)"

    VALID = (
        Valid("-e .\n-e ./libs/common\nflask==3.1.0\n", filename="requirements.txt"),
        Valid(
            """
            [project]
            name = "app"
            version = "1"
            dependencies = ["common"]

            [tool.uv.sources]
            common = { workspace = true }
            """,
            filename="pyproject.toml",
        ),
        Valid("shared @ git+https://github.com/acme/shared@v1.2.0\n", filename="requirements.txt"),
    )
    INVALID = (
        Invalid("flask==3.1.0\n-e ../shared-utils\n", filename="requirements.txt", line=2),
        Invalid(
            """
            [tool.poetry.dependencies]
            python = "^3.12"
            common = { path = "../common", develop = true }
            """,
            filename="pyproject.toml",
            line=3,
        ),
        Invalid(
            """
            [project]
            name = "app"
            version = "1"
            dependencies = ["lib"]

            [tool.uv.sources]
            lib = { path = "../../lib" }
            """,
            filename="pyproject.toml",
            line=7,
            severity=Severity.WARNING,
            note="a runtime dependency",
        ),
        Invalid("lib @ file:///opt/src/lib\n", filename="requirements.txt"),
        Invalid(
            """
            [project]
            name = "app"
            version = "1"
            dependencies = ["flask"]

            [project.optional-dependencies]
            internal = ["internal-plugins"]

            [dependency-groups]
            internal = ["internal-plugins"]

            [tool.uv.sources]
            internal-plugins = { path = "../internal-plugins", editable = true }
            """,
            filename="pyproject.toml",
            line=13,
            severity=Severity.INFO,
            note="only an optional group uses it: the default build does not need the other checkout",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        scanned = {project.relative(item.path) for item in project.files}
        repository = project.repository_root
        for manifest in project.declaring_manifests:
            if manifest.path not in scanned:
                continue
            for dependency in manifest.dependencies:
                if dependency.path is None:
                    continue
                target = _target(project, manifest.path, dependency)
                if target is None or target == repository or repository in target.parents:
                    continue
                path, start, end = project.line_span(manifest.path, dependency.line)
                name = f"`{dependency.name}` " if dependency.name else ""
                message = (
                    f"dependency {name}points at `{dependency.path}`, a local path outside the "
                    "repository; depend on a versioned package instead"
                )
                groups = _optional_groups(manifest, dependency)
                if groups:
                    names = sorted({group.removeprefix("extra:") for group in groups})
                    listed = ", ".join(f"`{name}`" for name in names)
                    yield self.make_finding(
                        path,
                        start,
                        end,
                        f"{message} (only the optional {listed} dependencies use it)",
                        severity=Severity.INFO,
                        fingerprint_hint=dependency.path,
                    )
                    continue
                yield self.make_finding(path, start, end, message, fingerprint_hint=dependency.path)
