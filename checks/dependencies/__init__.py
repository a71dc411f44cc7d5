"""Factor II, Dependencies: explicitly declare and isolate dependencies.

Everything here works offline and without the project's virtualenv: imports
come from the engine's `ast` import facts, declarations from the manifests
(analyzer/deploy/manifests.py), and import names are mapped to distributions by
analyzer/python/importmap.py. System tools are judged against what the Dockerfile's
final image has (analyzer/deploy/system_tools.py).

Rules, in code order:

- FS0201 undeclared-import (`undeclared_import.py`)
- FS0202 undeclared-system-tool (`undeclared_system_tool.py`)
- FS0203 unpinned-dependencies (`unpinned_dependencies.py`)
- FS0204 missing-dependency-manifest (`missing_dependency_manifest.py`)
"""

from factorscan.checks.dependencies.missing_dependency_manifest import MissingDependencyManifest
from factorscan.checks.dependencies.undeclared_import import UndeclaredImport
from factorscan.checks.dependencies.undeclared_system_tool import UndeclaredSystemTool
from factorscan.checks.dependencies.unpinned_dependencies import UnpinnedDependencies

__all__ = ["MissingDependencyManifest", "UndeclaredImport", "UndeclaredSystemTool", "UnpinnedDependencies"]
