"""Which names a module binds, and to what: whether `os` is the module at every use.

A fix that writes `os.environ` or `sys.stdout` must not meet an `os` that is
a parameter, a local, a loop variable, a class attribute or a module-level
assignment: any binding of the name other than an import of that module
makes the fix import it under another name, or decline.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

_NOT_THE_MODULE = ""


def _bindings(tree: ast.AST) -> Iterator[tuple[str, str]]:
    """(name, module it is bound to, or "" for anything else) for every binding."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            yield node.id, _NOT_THE_MODULE
        elif isinstance(node, ast.arg):
            yield node.arg, _NOT_THE_MODULE
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, _NOT_THE_MODULE
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    yield alias.asname, alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    yield head, head
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                yield alias.asname or alias.name, _NOT_THE_MODULE
        elif (isinstance(node, ast.ExceptHandler) and node.name) or (
            isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name
        ):
            yield node.name, _NOT_THE_MODULE
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest, _NOT_THE_MODULE
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                yield name, _NOT_THE_MODULE


@dataclass
class ModuleNames:
    """Every binding of every name in one module (all scopes), and every name used."""

    bound_to: dict[str, set[str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, tree: ast.Module) -> ModuleNames:
        names = cls()
        for name, module in _bindings(tree):
            names.bound_to.setdefault(name, set()).add(module)
            names.used.add(name)
        names.used.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
        return names

    def always_module(self, name: str, module: str) -> bool:
        """Whether `name`, wherever it is bound, is bound to `module` (or never bound)."""
        return self.bound_to.get(name, {module}) <= {module}

    def free(self, name: str) -> bool:
        """Whether the module never mentions `name`, so a new import may take it."""
        return name not in self.used
