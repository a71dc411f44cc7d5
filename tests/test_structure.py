"""The layout holds: layers import only downwards, no import cycle, one rule per
module, modules of a readable size (docs/contributing.md, "Layers")."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the test extras install tomli on 3.10
    import tomli as tomllib

from factorscan.checks import all_rules

REPO = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = {"factorscan": REPO / "analyzer", "factorscan.checks": REPO / "checks"}

# What each layer may import, bottom to top ("framework" is the rule registry and base classes).
ALLOWED = {
    "core": set(),
    "deploy": {"core"},
    "python": {"core", "deploy"},
    "framework": {"core"},
    "scan": {"core", "deploy", "python", "framework"},
    "fixing": {"core", "deploy", "python", "scan"},
    "rules": {"core", "deploy", "python", "scan", "fixing", "framework"},
    "output": {"core", "deploy", "python", "scan", "fixing", "framework", "rules"},
    "api": {"core", "deploy", "python", "scan", "fixing", "framework"},
    "integrations": {"core", "deploy", "python", "scan", "fixing", "framework", "output", "api"},
}
FACES = {"factorscan.cli", "factorscan.__main__"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, root in SOURCE_ROOTS.items():
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if package == "factorscan" and parts[0] == "checks":
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if module in ("factorscan.checks", "factorscan.checks.base"):
        return "framework"
    if module == "factorscan.api":
        return "api"
    if parts[1:2] == ["checks"]:
        return "rules"
    if len(parts) > 1 and parts[1] in ALLOWED:
        return parts[1]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _imports(module: str, path: Path) -> Iterator[str]:
    """The package modules `module` imports, at any depth (late imports count), except
    those under `if TYPE_CHECKING:`."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                yield from (name for branch in child.orelse for name in walk(branch))
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                for alias in child.names:
                    yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            yield from walk(child)

    for name in walk(ast.parse(path.read_text(encoding="utf-8"))):
        if name in MODULES and name != module:
            yield name


GRAPH = {module: sorted(set(_imports(module, path))) for module, path in MODULES.items()}


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in GRAPH[module]:
            if state.get(target) == 1:
                cycles.append(
                    [*trail[trail.index(target) :], target] if target in trail else [module, target]
                )
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_only_downwards(module: str) -> None:
    layer = _layer(module)
    if layer is None:
        # The faces and the top package may import anything; the top package imports nothing.
        assert module in FACES or module == "factorscan"
        return
    upward = [
        target
        for target in GRAPH[module]
        if target != "factorscan"  # the top package holds only __version__
        and (_layer(target) is None or (_layer(target) != layer and _layer(target) not in ALLOWED[layer]))
    ]
    assert upward == [], f"{module} ({layer}) imports {upward}"


def test_each_layer_says_what_it_may_import() -> None:
    for init in sorted((REPO / "analyzer").glob("*/__init__.py")):
        if init.parent.name == "data":
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import:" in docstring, init


def test_few_modules_at_the_top_of_the_engine() -> None:
    top = sorted(path.name for path in (REPO / "analyzer").glob("*.py"))
    assert len(top) <= 12, top


@pytest.mark.parametrize("path", sorted(MODULES.values()), ids=lambda path: str(path.relative_to(REPO)))
def test_source_modules_stay_readable(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 900, f"{path.relative_to(REPO)} has {lines} lines"


def test_one_rule_per_module_named_after_it() -> None:
    by_module: dict[str, list[str]] = {}
    for rule in all_rules():
        by_module.setdefault(rule.__module__, []).append(rule.code)
    crowded = {module: codes for module, codes in by_module.items() if len(codes) > 1}
    assert crowded == {}
    for rule in all_rules():
        if rule.code == "FS0001":
            continue  # the framework's own rule for unparseable files
        assert rule.__module__.rsplit(".", 1)[1] == rule.name.replace("-", "_"), rule.code


def test_every_package_is_installed() -> None:
    """pyproject.toml lists the packages one by one (the source folders are mapped onto
    `factorscan`); a new folder missing from the list would be left out of the wheel."""
    declared = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {module for module, path in MODULES.items() if path.name == "__init__.py"}
    packages.add("factorscan.data")
    assert declared == packages


def test_factor_packages_list_their_rules_in_code_order() -> None:
    """Each factor package's docstring names its rules, in code order, and re-exports them."""
    packages: dict[str, list[type]] = {}
    for rule in all_rules():
        if rule.code != "FS0001":
            packages.setdefault(rule.__module__.rsplit(".", 1)[0], []).append(rule)
    for package, rules in packages.items():
        module = __import__(package, fromlist=["__all__"])
        listed = [line.split()[1] for line in (module.__doc__ or "").splitlines() if line.startswith("- FS")]
        assert listed == [rule.code for rule in sorted(rules, key=lambda rule: rule.code)], package
        assert sorted(module.__all__) == sorted(rule.__name__ for rule in rules), package
