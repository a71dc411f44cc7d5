"""Helpers shared by the dependencies rules."""

from __future__ import annotations

from collections.abc import Iterator

from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Location
from factorscan.deploy.manifests import is_dev_group
from factorscan.python.imports import ImportFact, is_stdlib
from factorscan.scan.project import ProjectModel

# Files run by developer tooling rather than by the app; their imports are the tools' business.
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "dodo.py"})


def is_tooling(relative_path: str) -> bool:
    *folders, name = relative_path.split("/")
    return name in _TOOLING_FILES or (name == "conf.py" and "docs" in folders)


def third_party_imports(project: ProjectModel) -> list[tuple[str, ImportFact]]:
    """(file, import) for each import that must come from a declared distribution.

    Skipped: relative imports, the standard library (removed modules included),
    first-party and sibling modules, optional imports (try/except ImportError,
    feature and version guards), `if TYPE_CHECKING:` blocks, tooling files
    (setup.py, noxfile.py, docs/conf.py), imports inside functions in tests
    (modules the test creates) and in libraries (lazy imports of optional
    backends).
    """
    return project.derived("third_party_imports", lambda: list(_third_party_imports(project)))


def _third_party_imports(project: ProjectModel) -> Iterator[tuple[str, ImportFact]]:
    library = project.is_library
    # Without any dev/test dependency declared, test imports have nothing to be checked against.
    check_tests = any(is_dev_group(dependency.group) for dependency in project.dependencies)
    for relative, facts in sorted(project.import_facts().items()):
        if is_tooling(relative) or (not check_tests and is_test_path(relative)):
            continue
        lazy_allowed = not (library or is_test_path(relative))
        for fact in facts:
            if fact.level or not fact.module or fact.optional or fact.type_checking:
                continue
            if not fact.module_level and not lazy_allowed:
                continue
            if is_stdlib(fact.module) or fact.module.split(".")[0] == "__main__":
                continue
            if project.is_first_party(fact.module, relative):
                continue
            yield relative, fact


def imported_modules(fact: ImportFact, namespaces: frozenset[str]) -> list[str]:
    """`from google.cloud import storage, bigquery` needs google.cloud.storage and google.cloud.bigquery."""
    if fact.names and fact.module.split(".")[0] in namespaces and fact.module.count(".") < 2:
        return [f"{fact.module}.{name}" for name in fact.names]
    return [fact.module]


def span(fact: ImportFact) -> tuple[Location, Location]:
    return Location(fact.row, fact.column), Location(fact.row, max(fact.end_column, fact.column + 1))
