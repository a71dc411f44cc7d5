"""Factor II, Dependencies: explicitly declare and isolate dependencies.

FS0201 undeclared-import, FS0203 unpinned-dependencies,
FS0204 missing-dependency-manifest. (FS0202 undeclared-system-tool joins
them once the Dockerfile parser lands.)

Everything here works offline and without the project's virtualenv: imports
come from the engine's `ast` import facts, declarations from the manifests
(analyzer/manifests.py), and import names are mapped to distributions by
analyzer/importmap.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.discovery import is_sample_path, is_test_path
from factorscan.findings import Finding, Location
from factorscan.importmap import transitive_closure
from factorscan.imports import ImportFact, is_stdlib
from factorscan.manifests import Manifest, is_dev_group
from factorscan.project import ProjectModel

# Files run by developer tooling rather than by the app; their imports are the tools' business.
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "dodo.py"})


def _is_tooling(relative_path: str) -> bool:
    path = PurePosixPath(relative_path)
    return path.name in _TOOLING_FILES or (path.name == "conf.py" and "docs" in path.parts[:-1])


def third_party_imports(project: ProjectModel) -> Iterator[tuple[str, ImportFact]]:
    """(file, import) for each import that must come from a declared distribution.

    Skipped: relative imports, the standard library (removed modules included),
    first-party and sibling modules, optional imports (try/except ImportError,
    feature and version guards), `if TYPE_CHECKING:` blocks, tooling files
    (setup.py, noxfile.py, docs/conf.py), imports inside functions in tests
    (modules the test creates) and in libraries (lazy imports of optional
    backends).
    """
    library = project.is_library
    # Without any dev/test dependency declared, test imports have nothing to be checked against.
    check_tests = any(is_dev_group(dependency.group) for dependency in project.dependencies)
    for relative, facts in sorted(project.facts("imports").items()):
        if _is_tooling(relative) or (not check_tests and is_test_path(relative)):
            continue
        lazy_allowed = not (library or is_test_path(relative))
        for data in facts:
            fact = ImportFact.from_dict(data)
            if fact.level or not fact.module or fact.optional or fact.type_checking:
                continue
            if not fact.module_level and not lazy_allowed:
                continue
            if is_stdlib(fact.module) or fact.module.split(".")[0] == "__main__":
                continue
            if project.is_first_party(fact.module, relative):
                continue
            yield relative, fact


def _imported_modules(fact: ImportFact, namespaces: frozenset[str]) -> list[str]:
    """`from google.cloud import storage, bigquery` needs google.cloud.storage and google.cloud.bigquery."""
    if fact.names and fact.module.split(".")[0] in namespaces and fact.module.count(".") < 2:
        return [f"{fact.module}.{name}" for name in fact.names]
    return [fact.module]


def _span(fact: ImportFact) -> tuple[Location, Location]:
    return Location(fact.row, fact.column), Location(fact.row, max(fact.end_column, fact.column + 1))


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
    test_files = (
        "checked against every group (runtime, dev, test, extras) when the project declares "
        "dev/test dependencies, skipped when it declares none; imports inside test functions are skipped"
    )
    uses_import_facts = True

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

    def check(self, project: ProjectModel) -> Iterable[Finding]:
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
                start, end = _span(fact)
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
        for module in _imported_modules(fact, namespaces):
            yield fact, module


def _group_by_file(pairs: Iterable[tuple[str, ImportFact]]) -> Iterator[tuple[str, list[ImportFact]]]:
    grouped: dict[str, list[ImportFact]] = {}
    for relative, fact in pairs:
        grouped.setdefault(relative, []).append(fact)
    for relative in sorted(grouped):
        yield relative, sorted(grouped[relative], key=lambda fact: (fact.row, fact.column))


class MissingDependencyManifest(ProjectRule):
    """
    ## What it does
    Reports a project whose Python code imports third-party packages but
    that has no dependency manifest at all: no requirements file,
    pyproject.toml with dependencies, setup.py, setup.cfg, Pipfile or conda
    environment file. One finding for the project, at the first such import,
    instead of one FS0201 per import.

    ## Why is this bad?
    Factor II: without a manifest nobody can rebuild the app's environment;
    it exists only on the machines where someone installed the right
    packages by hand. A Dockerfile's `pip install flask redis` is not a
    manifest either: the versions float and nothing outside the image knows.

    ## Example
    ```python
    import flask  # and no requirements.txt or pyproject.toml anywhere
    ```

    ## Fix
    None automatic. Write a requirements.txt (or a `[project] dependencies`
    table) listing the distributions named in the message, with versions.
    """

    code = "FS0204"
    name = "missing-dependency-manifest"
    severity = Severity.WARNING
    summary = "Third-party imports but no dependency manifest at all"
    test_files = "counted like any other file"
    uses_import_facts = True

    VALID = (
        Valid("import os\nimport json\nimport utils\n", files={"utils.py": ""}, note="standard library only"),
        Valid("import flask\n", files={"requirements.txt": "flask==3.1.0\n"}),
    )
    INVALID = (
        Invalid("import os\n\nimport flask\nimport redis\n", line=3),
        Invalid(
            "import flask\n",
            files={"Dockerfile": "FROM python:3.12\nRUN pip install flask\n"},
            note="a Dockerfile's pip install is not a manifest",
        ),
    )

    def check(self, project: ProjectModel) -> Iterable[Finding]:
        if project.declaring_manifests:
            return
        imports = list(third_party_imports(project))
        if not imports:
            return
        resolver = project.import_resolver
        names = sorted(
            {
                resolver.distributions(module)[0]
                for _, fact in imports
                for module in _imported_modules(fact, resolver.namespaces)
            }
        )
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        message = (
            f"the project imports third-party packages ({shown}) but has no dependency manifest: "
            "declare them in requirements.txt or pyproject.toml"
        )
        if project.image_installs:
            message += " (a Dockerfile's `pip install` does not count)"
        relative, fact = imports[0]
        start, end = _span(fact)
        yield self.make_finding(
            project.display(project.root / relative), start, end, message, fingerprint_hint="no-manifest"
        )


class UnpinnedDependencies(ProjectRule):
    """
    ## What it does
    Reports a manifest whose runtime dependencies are not pinned to exact
    versions (`flask`, `flask>=2`, `requests = "*"`) when no lock file covers
    it: poetry.lock, uv.lock, pdm.lock, Pipfile.lock, pylock.toml, a
    pip-compile or `uv pip compile` output, a requirements file with hashes,
    or a constraints file that pins them. One finding per manifest, at its
    first unpinned dependency.

    Development and test groups are not checked. Package metadata
    (pyproject.toml, setup.py, setup.cfg) is checked only for a project that
    deploys as an app (Dockerfile, Procfile, compose file, manage.py, wsgi.py)
    and installs from it directly: version ranges are right for a library,
    and an app that installs from a pinned requirements file is already
    reproducible.

    ## Why is this bad?
    Factor II: dependencies are declared exactly. Without pins, two builds of
    the same commit can install different versions, so a release is no
    longer the build plus the config (factor V) and production drifts from
    what was tested.

    ## Example
    ```text
    flask
    redis>=5
    ```

    ## Fix
    None automatic. Pin the versions (`flask==3.1.0`), or keep ranges in
    requirements.in / pyproject.toml and commit a lock file
    (`pip-compile`, `uv lock`, `poetry lock`).
    """

    code = "FS0203"
    name = "unpinned-dependencies"
    severity = Severity.INFO
    summary = "Runtime dependencies with neither version pins nor a lock file"
    test_files = "not applicable (reads manifests)"

    VALID = (
        Valid("flask==3.1.0\nredis==5.2.1\n-e ./libs/common\n", filename="requirements.txt"),
        Valid(
            "flask>=3\n",
            filename="requirements.in",
            files={"requirements.txt": "# This file is autogenerated by pip-compile\nflask==3.1.0\n"},
            note="pip-tools input next to its compiled output",
        ),
        Valid(
            """
            [project]
            name = "lib"
            version = "1.0"
            dependencies = ["requests>=2.28"]
            """,
            filename="pyproject.toml",
            note="a library: ranges are right",
        ),
        Valid("pytest\nblack\n", filename="requirements-dev.txt", note="development dependencies"),
        Valid(
            '[tool.poetry.dependencies]\npython = "^3.12"\nflask = "^3.0"\n',
            filename="pyproject.toml",
            files={
                "poetry.lock": '[[package]]\nname = "flask"\nversion = "3.1.0"\n',
                "Dockerfile": "FROM python:3.12\n",
            },
        ),
    )
    INVALID = (
        Invalid("# web\nflask==3.1.0\nredis>=5\ngunicorn\n", filename="requirements.txt", line=3),
        Invalid(
            '[packages]\nflask = "*"\n\n[dev-packages]\npytest = "*"\n',
            filename="Pipfile",
            line=2,
            note="no Pipfile.lock",
        ),
        Invalid(
            """
            [project]
            name = "shop"
            version = "1.0"
            dependencies = [
                "flask>=3",
                "psycopg[binary]>=3.2",
            ]
            """,
            filename="pyproject.toml",
            files={"Dockerfile": "FROM python:3.12\nCOPY . .\nRUN pip install .\n"},
            line=5,
            note="an app installed from its package metadata, without a lock",
        ),
    )

    def check(self, project: ProjectModel) -> Iterable[Finding]:
        if project.is_library:
            return
        scanned = {project.relative(item.path) for item in project.files}
        app_manifests = [
            manifest
            for manifest in project.declaring_manifests
            if not manifest.package_metadata
            and manifest.kind != "tox"
            and any(dep.runtime for dep in manifest.dependencies)
        ]
        pinned_elsewhere = project.locked_names
        for manifest in project.declaring_manifests:
            if manifest.path not in scanned or manifest.kind == "tox" or is_sample_path(manifest.path):
                continue
            if manifest.locked or project.is_locked(manifest):
                continue
            if manifest.package_metadata and (app_manifests or not project.deployed_as_app):
                continue
            runtime = [dep for dep in manifest.dependencies if dep.runtime and dep.name]
            unpinned = [
                dep
                for dep in runtime
                if not dep.pinned and dep.path is None and not dep.url and dep.name not in pinned_elsewhere
            ]
            if not unpinned:
                continue
            first = min(unpinned, key=lambda dep: dep.line or 1)
            names = ", ".join(dep.name for dep in unpinned[:4]) + (", ..." if len(unpinned) > 4 else "")
            message = (
                f"{len(unpinned)} of {len(runtime)} runtime dependencies are not pinned ({names}) "
                "and no lock file covers this manifest"
            )
            path, start, end = project.line_span(manifest.path, first.line)
            yield self.make_finding(path, start, end, message, fingerprint_hint="unpinned")
