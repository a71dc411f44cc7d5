"""Which of the project's Python files import which, read from `ast` and built only when a
rule asks: whether web code (a module that imports a web framework) reaches a file.

A dotted name matches every file whose path ends with it (`shop/cart.py` is `cart`,
`shop.cart`, ...), since which folder is on `sys.path` is not known; an import of a name
that several files share links to all of them.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import PurePosixPath

from factorscan.python.handlers import WEB_FRAMEWORKS
from factorscan.scan.project import ProjectModel

# Importers followed back from a file: web code that reaches it through more is rare.
MAX_DEPTH = 3


class ModuleGraph:
    def __init__(self, project: ProjectModel) -> None:
        self._files: dict[str, list[str]] = {}  # dotted suffix -> relative paths
        self._importers: dict[str, set[str]] = {}  # relative path -> files importing it
        self._web: set[str] = set()
        parsed: dict[str, ast.Module] = {}
        for item in project.python_files:
            relative = project.relative(item.path)
            source = project.source(item.path)
            if source is None:
                continue
            try:
                parsed[relative] = ast.parse(source.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            for name in dotted_suffixes(relative):
                self._files.setdefault(name, []).append(relative)
        for relative, tree in parsed.items():
            for module in _imported_modules(tree, relative):
                if module.split(".", 1)[0] in WEB_FRAMEWORKS:
                    self._web.add(relative)
                for target in self._files.get(module, ()):
                    if target != relative:
                        self._importers.setdefault(target, set()).add(relative)

    def reached_by_web(self, relative: str) -> bool:
        """The file is web code, or web code imports it (through at most MAX_DEPTH files)."""
        seen = {relative}
        queue = deque([(relative, 0)])
        while queue:
            current, depth = queue.popleft()
            if current in self._web:
                return True
            if depth == MAX_DEPTH:
                continue
            for importer in self._importers.get(current, ()):
                if importer not in seen:
                    seen.add(importer)
                    queue.append((importer, depth + 1))
        return False


def dotted_suffixes(relative: str) -> list[str]:
    path = PurePosixPath(relative)
    parts = list(path.parent.parts) + ([] if path.stem == "__init__" else [path.stem])
    return [".".join(parts[index:]) for index in range(len(parts)) if parts[index:]]


def _imported_modules(tree: ast.Module, relative: str) -> set[str]:
    """Dotted names the module imports, relative imports made absolute from its folder, and
    `from package import name` also as `package.name` (the name may be a module)."""
    package = list(PurePosixPath(relative).parent.parts)
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level - 1 <= len(package) else []
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            if prefix:
                modules.add(prefix)
            modules.update(f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names)
    return modules
