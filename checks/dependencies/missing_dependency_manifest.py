"""FS0204 missing-dependency-manifest: third-party imports but no dependency manifest at all."""

from __future__ import annotations

from collections.abc import Iterable

from factorscan.checks.base import MANIFESTS, Invalid, ProjectRule, Severity, Valid
from factorscan.checks.dependencies._shared import imported_modules, span, third_party_imports
from factorscan.core.findings import Finding
from factorscan.scan.project import ProjectModel


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
    # --diff-base: adding a manifest (or image installs) clears it.
    changed_by = (*MANIFESTS, "dockerfile")
    test_files = "counted like any other file"
    needs_import_facts = True

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

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
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
                for module in imported_modules(fact, resolver.namespaces)
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
        start, end = span(fact)
        yield self.make_finding(
            project.display(project.root / relative), start, end, message, fingerprint_hint="no-manifest"
        )
