"""FS0201 undeclared-import: third-party import that no dependency manifest declares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from factorscan.checks.base import MANIFESTS, Invalid, ProjectRule, Severity, Valid
from factorscan.checks.dependencies._shared import imported_modules, span, third_party_imports
from factorscan.core.findings import Finding
from factorscan.deploy.manifests import Manifest
from factorscan.python.importmap import transitive_closure
from factorscan.python.imports import ImportFact
from factorscan.scan.project import ProjectModel


def _manifest_names(manifests: Iterable[Manifest], importer: str) -> str:
    """The manifests that govern `importer`: those in its folder or above, else all of them."""
    everything = sorted({manifest.path for manifest in manifests})
    folders = PurePosixPath(importer).parents
    near = [path for path in everything if PurePosixPath(path).parent in folders] or everything
    shown = ", ".join(near[:2])
    return shown + (f" and {len(near) - 2} more" if len(near) > 2 else "")


def _describe(module: str, distribution: str, namespaces: frozenset[str]) -> str:
    """`requests`, `PIL` (distribution `pillow`), `google.cloud.storage` (distribution ...)."""
    top = module.split(".", maxsplit=1)[0]
    shown = ".".join(module.split(".")[:3]) if top in namespaces else top
    if distribution.replace("-", "_") == shown.lower():
        return f"`{shown}`"
    return f"`{shown}` (distribution `{distribution}`)"


class UndeclaredImport(ProjectRule):
    """
    ## What it does
    Finds imports of third-party packages that no dependency manifest
    declares: requirements files (any name, `-r` includes followed),
    pyproject.toml (PEP 621, PEP 735 groups, poetry, pdm, uv, hatch),
    setup.py, setup.cfg, Pipfile, conda environment files and tox.ini.

    Import names are mapped to distributions offline, without the project's
    virtualenv: the `import-map` setting first, then a bundled table of names
    that differ (`PIL` is pillow, `yaml` is PyYAML, `sklearn` is scikit-learn,
    `google.cloud.storage` is google-cloud-storage), then name normalisation.

    Not reported: the standard library (including modules removed in recent
    Pythons, such as `asyncore`), the project's own modules (top-level,
    `src/` layout, namespace packages, modules next to the importing file,
    `known-first-party`), relative imports, `try: ... except ImportError`
    optional imports and `if TYPE_CHECKING:` blocks. Tooling files
    (setup.py, noxfile.py, docs/conf.py) are skipped.

    A package installed only by a Dockerfile's `pip install` is reported, and
    the message says so. A package that a declared dependency installs with
    it (werkzeug under flask, starlette under fastapi) or that only a lock
    file pins gets an info-level finding: the import works today, but an
    upgrade of the declaring package may drop or break it.

    Nothing is reported when the project has no manifest at all (FS0204 says
    that once), or when a manifest computes its dependencies in a way that
    cannot be read statically (a setup.py that calls a helper).

    ## Why is this bad?
    Factor II: an app declares all its dependencies, completely and exactly,
    and never relies on packages that happen to be installed. An undeclared
    import works on the developer's machine and fails in a fresh build.

    ## Example
    ```python
    import requests  # requirements.txt lists only flask
    ```

    ## Fix
    None automatic. Add the distribution named in the message to the
    manifest. When the mapping is wrong (a private package whose import name
    differs), say so in `[tool.factorscan] import-map`.
    """

    code = "FS0201"
    name = "undeclared-import"
    severity = Severity.WARNING
    summary = "Third-party import that no dependency manifest declares"
    # --diff-base: a manifest, a lock file or a Dockerfile's installs declare the import.
    changed_by = (*MANIFESTS, "lockfile", "dockerfile")
    test_files = (
        "checked against every group (runtime, dev, test, extras) when the project declares "
        "dev/test dependencies, skipped when it declares none; imports inside test functions are skipped"
    )
    needs_import_facts = True

    VALID = (
        Valid(
            """
            import flask
            import yaml
            from PIL import Image
            from sklearn.linear_model import LinearRegression
            from google.cloud import storage
            """,
            files={
                "requirements.txt": """
                Flask==3.1.0
                PyYAML==6.0.2
                pillow==11.0.0
                scikit-learn==1.5.2
                google-cloud-storage==2.18.2
                """
            },
            note="import names that differ from their distribution",
        ),
        Valid(
            """
            import utils
            from helpers.db import connect
            """,
            filename="app/main.py",
            files={"app/utils.py": "", "app/helpers/db.py": "", "requirements.txt": "flask==3.1.0\n"},
            note="sibling modules, even when PyPI has a package of the same name",
        ),
        Valid(
            """
            import asyncore
            import imp

            try:
                import ujson as json
            except ImportError:
                import json
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from mypy_boto3_s3 import S3Client
            """,
            files={"requirements.txt": "flask==3.1.0\n"},
            note="removed stdlib modules, optional and type-checking imports",
        ),
        Valid(
            "from mypkg.core import run\nimport pytest\n",
            filename="tests/test_core.py",
            files={
                "src/mypkg/__init__.py": "",
                "src/mypkg/core.py": "import httpx\n",
                "pyproject.toml": """
                [project]
                name = "mypkg"
                version = "1.0"
                dependencies = ["httpx>=0.27"]

                [dependency-groups]
                dev = ["pytest>=8"]
                """,
            },
            note="src layout, and a test importing a declared dev dependency",
        ),
    )
    INVALID = (
        Invalid(
            """
            import flask
            import requests
            from requests.adapters import HTTPAdapter
            """,
            files={"requirements.txt": "flask==3.1.0\n"},
            line=2,
        ),
        Invalid(
            "import redis\n",
            files={
                "requirements.txt": "flask==3.1.0\n",
                "Dockerfile": "FROM python:3.12\nRUN pip install -r requirements.txt && pip install redis\n",
            },
            note="installed only by the Dockerfile",
        ),
        Invalid(
            "from flask import Flask\nfrom werkzeug.exceptions import NotFound\n",
            files={"requirements.txt": "flask==3.1.0\n"},
            line=2,
            note="a transitive dependency imported directly (info)",
        ),
        Invalid(
            "import yaml\n",
            files={
                "pyproject.toml": """
                [tool.poetry]
                name = "svc"

                [tool.poetry.dependencies]
                python = "^3.11"
                requests = "^2.32"
                """
            },
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        if not project.declaring_manifests or project.dependencies_unknown:
            return
        resolver = project.import_resolver
        declared = project.declared_names
        image = {install.name: (path, install) for path, install in project.image_installs}
        transitive = transitive_closure(resolver, declared)
        locked = project.locked_names - declared
        for relative, facts in _group_by_file(third_party_imports(project)):
            manifests = _manifest_names(project.declaring_manifests, relative)
            reported: set[str] = set()
            for fact, module in _expand(facts, resolver.namespaces):
                if resolver.declared_provider(module, declared) is not None:
                    continue
                distribution = resolver.distributions(module)[0]
                if distribution in reported:
                    continue
                reported.add(distribution)
                what = _describe(module, distribution, resolver.namespaces)
                severity = None
                in_image = resolver.declared_provider(module, image.keys())
                via = resolver.declared_provider(module, transitive.keys())
                if in_image is not None:
                    dockerfile, install = image[in_image]
                    message = (
                        f"{what} is installed only by `pip install` in {dockerfile}:{install.line}, "
                        f"not declared in a manifest ({manifests})"
                    )
                elif via is not None:
                    severity = Severity.INFO
                    message = (
                        f"{what} is imported directly but only installed as a dependency of "
                        f"`{transitive[via]}`; declare it, or an upgrade of `{transitive[via]}` may drop it"
                    )
                elif resolver.declared_provider(module, locked) is not None:
                    severity = Severity.INFO
                    message = f"{what} is pinned by a lock file but not declared in a manifest ({manifests})"
                else:
                    message = f"{what} is imported but not declared in any manifest ({manifests})"
                start, end = span(fact)
                yield self.make_finding(
                    project.display(project.root / relative),
                    start,
                    end,
                    message,
                    severity=severity,
                    fingerprint_hint=distribution,
                )


def _expand(facts: list[ImportFact], namespaces: frozenset[str]) -> Iterator[tuple[ImportFact, str]]:
    for fact in facts:
        for module in imported_modules(fact, namespaces):
            yield fact, module


def _group_by_file(pairs: Iterable[tuple[str, ImportFact]]) -> Iterator[tuple[str, list[ImportFact]]]:
    grouped: dict[str, list[ImportFact]] = {}
    for relative, fact in pairs:
        grouped.setdefault(relative, []).append(fact)
    for relative in sorted(grouped):
        yield relative, sorted(grouped[relative], key=lambda fact: (fact.row, fact.column))
