"""setup.py, read with `ast` and never run: install_requires, extras_require, entry points and
the requirement files it reads, with what cannot be known statically marked as guessed."""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath
from typing import Any

from factorscan.deploy.manifests import (
    COMMENT,
    GUESSED,
    RUNTIME,
    Lines,
    Manifest,
    entry_point_lines,
    join_path,
    requirement_dependency,
)

_SETUP_KEYS = {
    "install_requires": RUNTIME,
    "tests_require": "test",
    "setup_requires": "build",
}


class _Unknown(Exception):
    """A value that cannot be computed statically."""


class _SetupReader:
    """Evaluates the literal parts of setup.py: constants, lists, dicts, `+`, simple names."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, ast.expr] = {}
        self.appended: dict[str, list[ast.expr]] = {}
        self.files: list[str] = []  # string constants naming files (open("requirements.txt"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.names[node.targets[0].id] = node.value
                self.appended.pop(node.targets[0].id, None)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.names[node.target.id] = node.value
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.appended.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if (
                    isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.attr in ("append", "extend")
                    and call.args
                ):
                    value = call.args[0]
                    if call.func.attr == "append":
                        value = ast.List(elts=[value], ctx=ast.Load())
                    self.appended.setdefault(call.func.value.id, []).append(value)

    def value(self, node: ast.expr, depth: int = 0) -> Any:
        if depth > 20:
            raise _Unknown
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    items.extend(self.value(element.value, depth + 1))
                else:
                    items.append(self.value(element, depth + 1))
            return items
        if isinstance(node, ast.Dict):
            result: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    result.update(self.value(value, depth + 1))
                else:
                    result[self.value(key, depth + 1)] = self.value(value, depth + 1)
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.value(node.left, depth + 1) + self.value(node.right, depth + 1)
        if isinstance(node, ast.Name) and node.id in self.names:
            value = self.value(self.names[node.id], depth + 1)
            for extra in self.appended.get(node.id, []):
                value = value + self.value(extra, depth + 1)
            return value
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("dict", "list")
        ):
            if node.func.id == "dict" and not node.args:
                return {kw.arg: self.value(kw.value, depth + 1) for kw in node.keywords if kw.arg}
            if node.func.id == "list" and len(node.args) == 1:
                return list(self.value(node.args[0], depth + 1))
        # Dependencies read from a file at build time: remember the file names.
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                if re.search(r"\.(txt|in|pip)$", child.value):
                    self.files.append(child.value)
            elif isinstance(child, ast.Name) and child.id in self.names and depth < 5:
                try:
                    constant = self.value(self.names[child.id], depth + 1)
                except _Unknown:
                    continue
                if isinstance(constant, str) and re.search(r"\.(txt|in|pip)$", constant):
                    self.files.append(constant)
        raise _Unknown


def _requirement_file_constants(tree: ast.Module) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[\w./-]*requirements[\w./-]*\.(txt|in|pip)", node.value)
    ]


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "setup":
                return node
    return None


def parse_setup_py(path: str, text: str) -> tuple[Manifest, list[tuple[str, str]]]:
    manifest = Manifest(path, "setup-py", package_metadata=True)
    includes: list[tuple[str, str]] = []
    base = str(PurePosixPath(path).parent)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", 1) or 1
        manifest.problem(line, "setup.py does not parse; its dependencies are unknown")
        manifest.dynamic = True
        return manifest, includes
    call = _setup_call(tree)
    if call is None:
        manifest.dynamic = True  # a setup.py that delegates elsewhere: assume it declares something
        return manifest, includes
    reader = _SetupReader(tree)
    keywords: dict[str, tuple[ast.expr, int]] = {}
    for keyword in call.keywords:
        if keyword.arg is not None:
            keywords[keyword.arg] = (keyword.value, keyword.value.lineno)
        else:  # setup(**config)
            try:
                config = reader.value(keyword.value)
            except _Unknown:
                manifest.dynamic = True
                continue
            if isinstance(config, dict):
                for key, value in config.items():
                    if isinstance(key, str):
                        keywords[key] = (ast.Constant(value), keyword.value.lineno)
    lines = Lines(text)

    def requirements(value: Any, line: int, group: str) -> None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            manifest.dynamic = True
            return
        for item in items:
            if isinstance(item, str):
                for raw in item.splitlines():
                    requirement = COMMENT.sub("", raw).strip()
                    if requirement:
                        row = lines.find(requirement, line - 1) or line
                        dependency = requirement_dependency(manifest, requirement, row, group)
                        if dependency is not None:
                            manifest.dependencies.append(dependency)

    def evaluate(node: ast.expr) -> Any:
        reader.files.clear()
        try:
            return reader.value(node)
        except _Unknown:
            # Read from a file at build time: the file named in the expression, or
            # else any requirements file the module names (a helper function reads it).
            files = reader.files or _requirement_file_constants(tree)
            if files:
                includes.extend((join_path(base, name), GUESSED) for name in files)
            else:
                manifest.dynamic = True
            return None

    for key, group in _SETUP_KEYS.items():
        if key in keywords:
            node, line = keywords[key]
            value = evaluate(node)
            if value is not None:
                requirements(value, line, group)
    if "extras_require" in keywords:
        node, line = keywords["extras_require"]
        extras = evaluate(node)
        if isinstance(extras, dict):
            for extra, value in extras.items():
                requirements(value, line, f"extra:{extra}")
    if "entry_points" in keywords:
        node, _line = keywords["entry_points"]
        try:
            entry_points = reader.value(node)
        except _Unknown:
            entry_points = None
        if isinstance(entry_points, dict):
            scripts = entry_points.get("console_scripts")
            lines_value = "\n".join(scripts) if isinstance(scripts, list) else scripts
            if isinstance(lines_value, str):
                manifest.entrypoints.update(entry_point_lines(lines_value))
    if "name" in keywords:
        try:
            name = reader.value(keywords["name"][0])
        except _Unknown:
            name = None
        manifest.dist_name = name if isinstance(name, str) else ""
    for key in ("packages", "py_modules"):
        if key in keywords:
            try:
                names = reader.value(keywords[key][0])
            except _Unknown:
                continue
            if isinstance(names, list):
                manifest.packages += [name.split(".")[0] for name in names if isinstance(name, str)]
    return manifest, includes
