"""Values set on configuration objects: class attributes, dataclass defaults, `app.config`.

`sqlite3.connect(Config.DB_PATH)`, `app.run(port=settings.port)` or
`upload.save(os.path.join(app.config["UPLOAD_FOLDER"], name))` name a value set
elsewhere: a config class attribute (`class Config: DB_PATH = "/var/lib/app.db"`),
a dataclass field default (`Settings().db_path`), or an `app.config` key set by
item, `update()` or `from_object(Config)`. This module finds that value with
`ast`, in this file or in the first-party module the object is imported from
(`from app.config import Config`), as `factorscan.python.inference` does for
module constants, and answers only with a literal.

Anything else is unknown, never a literal: a value read from the environment
(`os.getenv`, `env("X")`); a field of a pydantic `BaseSettings`, which pydantic
reads from the environment first, as `os.getenv("X", default)` would; an
attribute a method sets (`self.X = ...` in `__init__`); a class whose bases,
metaclass or decorators factorscan cannot see; an instance built with arguments; an
`app.config` that is also loaded from a file or the environment
(`from_envvar`, `from_pyfile`, `from_prefixed_env`) or from an object chosen at
run time; and classes and settings modules for development and tests.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from factorscan.core.discovery import is_test_path
from factorscan.python.handlers import is_non_production_settings
from factorscan.python.imports import dotted_name
from factorscan.python.inference import (
    Constant,
    _imported_modules,
    _inside,
    _lookup,
    _module_file,
    _parse,
    import_target,
)
from factorscan.python.nodes import iter_children
from factorscan.python.traversal import FileContext

# Config classes for local development and tests (`class DevelopmentConfig(Config)`).
NON_PRODUCTION_CLASS = re.compile(r"^(Dev|Development|Local|Test|Testing|CI)[A-Z_]|(Dev|Test|Testing)Config$")

# Bases that add no configuration source of their own.
_PLAIN_BASES = frozenset({"object", "BaseModel", "NamedTuple", "ABC", "Generic"})

# Class decorators that keep the defaults written in the class: dataclasses, attrs.
_PLAIN_DECORATORS = frozenset({"dataclass", "s", "attrs", "define", "frozen", "mutable"})

# `app.config` loaders that read a file or the environment: any key may come from them.
_EXTERNAL_LOADERS = frozenset({"from_envvar", "from_pyfile", "from_prefixed_env", "from_file", "from_json"})

# How many imports and base classes deep a value is followed.
_DEPTH = 3


@dataclass(frozen=True)
class _Module:
    path: Path
    tree: ast.Module


@dataclass(frozen=True)
class _Object:
    """A config class, or an instance of it (`instance` is the call that built it)."""

    module: _Module
    cls: ast.ClassDef
    instance: ast.Call | cst.Call | None = None
    through_self: bool = False  # `self.X` / `cls.X`: a subclass may set X


def config_value(node: cst.BaseExpression, context: FileContext) -> Constant | None:
    """The literal a config object's attribute or an `app.config` key stands for, else None."""
    if context.tree is None:
        return None
    here = _Module(Path(context.source.path).resolve(), context.tree)
    root = context.settings.project_root.resolve()
    if not _inside(here.path, root):
        return None
    if isinstance(node, cst.Attribute):
        owner = _object_of(node.value, context, here, root)
        return _attribute(owner, node.attr.value, root, here) if owner is not None else None
    key = _app_config_key(node, context)
    return _app_config_value(key, here, root) if key is not None else None


# -- the object an expression names ------------------------------------------------------


def _object_of(node: cst.BaseExpression, context: FileContext, here: _Module, root: Path) -> _Object | None:
    if isinstance(node, cst.Call):
        built = _object_of(node.func, context, here, root)
        return (
            _Object(built.module, built.cls, node) if built is not None and built.instance is None else None
        )
    if isinstance(node, cst.Name):
        if node.value in ("self", "cls"):
            scope = context.enclosing_class()
            if scope is None or context.enclosing_function() is None:
                return None
            found = _named(here, scope.name.value, root, _DEPTH)
            return _Object(found.module, found.cls, cst.Call(cst.Name(node.value)), True) if found else None
        local = _local_value(node.value, context)
        if local is not None:
            return _object_of(local, context, here, root) if isinstance(local, cst.Call) else None
        return _named(here, node.value, root, _DEPTH)
    if isinstance(node, cst.Attribute):
        qualified = context.qualified_name(node)
        if qualified is None or qualified == dotted_name(node):
            return None  # not imported: `self.settings`, `app.cfg`
        for path in _imported_modules(qualified, context)[0]:
            module = _module(path)
            found = _named(module, qualified.rsplit(".", 1)[-1], root, _DEPTH) if module else None
            if found is not None:
                return found
    return None


def _local_value(name: str, context: FileContext) -> cst.BaseExpression | None:
    """What the enclosing function binds `name` to; the name itself when it is bound more than
    once or otherwise (a parameter, a loop), None when the function does not bind it."""
    function = context.enclosing_function()
    if function is None:
        return None
    return _function_bindings(function).get(name)


# The last function whose bindings were collected: rules ask about one function at a time.
_last_function: list[tuple[cst.FunctionDef, dict[str, cst.BaseExpression]]] = []


def _function_bindings(function: cst.FunctionDef) -> dict[str, cst.BaseExpression]:
    """name -> the one value a function assigns it, or the bare name when it is a parameter or
    bound more than once or otherwise (a loop, a `with`, an augmented assignment)."""
    if _last_function and _last_function[0][0] is function:
        return _last_function[0][1]
    bindings: dict[str, cst.BaseExpression] = {}
    for param in _params(function):
        bindings[param.name.value] = param.name
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Assign):
            for target in current.targets:
                if isinstance(target.target, cst.Name):
                    name = target.target.value
                    bindings[name] = target.target if name in bindings else current.value
        for bound in _names_in(current):
            bindings[bound.value] = bound
        pending.extend(iter_children(current))
    _last_function[:] = [(function, bindings)]
    return bindings


def _params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    target = (
        node.target
        if isinstance(node, (cst.For, cst.AugAssign, cst.NamedExpr))
        else node.asname.name
        if isinstance(node, cst.WithItem) and node.asname is not None
        else None
    )
    return [target] if isinstance(target, cst.Name) else []


def _module(path: Path) -> _Module | None:
    tree = _parse(path)
    return _Module(path, tree) if tree is not None else None


def _named(module: _Module, name: str, root: Path, depth: int) -> _Object | None:
    """The class, or the instance of a class, that `name` is bound to once at the top of a module,
    following `from x import name` into first-party modules."""
    if depth < 0:
        return None
    bindings = [statement for statement in module.tree.body if _binds(statement, name)]
    if len(bindings) != 1:
        return None
    statement = bindings[0]
    if isinstance(statement, ast.ClassDef):
        return _Object(module, statement)
    if isinstance(statement, ast.ImportFrom):
        alias = next(a for a in statement.names if (a.asname or a.name) == name)
        target = import_target(module.path, statement, root)
        imported = _module(target) if target is not None else None
        return _named(imported, alias.name, root, depth - 1) if imported is not None else None
    value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        built = _named(module, value.func.id, root, depth - 1)
        if built is not None and built.instance is None:
            return _Object(built.module, built.cls, value)
    return None


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in statement.names)
    return False


# -- an attribute of a config class or instance ---------------------------------------------


def _attribute(owner: _Object, name: str, root: Path, here: _Module) -> Constant | None:
    instance = owner.instance
    if isinstance(instance, (ast.Call, cst.Call)) and instance.args:
        return None  # built with arguments: a field may be given another value
    if isinstance(instance, ast.Call) and instance.keywords:
        return None
    if not _plain_class(owner.module, owner.cls, root, _DEPTH) or _reassigned(owner.cls, name, here, owner):
        return None
    if owner.through_self and _subclassed(owner.module, owner.cls):
        return None
    return _class_value(owner.module, owner.cls, name, root, _DEPTH)


def _plain_class(module: _Module, cls: ast.ClassDef, root: Path, depth: int) -> bool:
    """A production config class whose values are its own: no settings base that reads the
    environment, no unknown base or metaclass, no `setattr` or `__dict__` filling."""
    if depth < 0 or cls.keywords or NON_PRODUCTION_CLASS.search(cls.name):
        return False
    for decorator in cls.decorator_list:
        name = _ast_dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
        if name.rsplit(".", 1)[-1] not in _PLAIN_DECORATORS:
            return False  # it may fill the class from elsewhere (environ-config's @environ.config)
    relative = module.path.relative_to(root).as_posix() if _inside(module.path, root) else module.path.name
    if is_test_path(relative) or is_non_production_settings(relative):
        return False
    for node in ast.walk(cls):
        if (isinstance(node, ast.Name) and node.id == "setattr") or (
            isinstance(node, ast.Attribute) and node.attr == "__dict__"
        ):
            return False
    for base in cls.bases:
        base_name = _ast_dotted(base)
        if base_name is None:
            return False
        last = base_name.rsplit(".", 1)[-1]
        if last in _PLAIN_BASES:
            continue
        found = _named(module, base_name, root, _DEPTH) if "." not in base_name else None
        if (
            found is None
            or found.instance is not None
            or not _plain_class(found.module, found.cls, root, depth - 1)
        ):
            return False
    return True


def _reassigned(cls: ast.ClassDef, name: str, here: _Module, owner: _Object) -> bool:
    """`self.X = ...` in a method, or `Config.X = ...` / `settings.X = ...` in the module."""
    trees: list[ast.AST] = [cls, owner.module.tree]
    if here.path != owner.module.path:
        trees.append(here.tree)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.ctx, ast.Store):
                return True
    return False


def _subclassed(module: _Module, cls: ast.ClassDef) -> bool:
    """A class of the module derives from `cls`: `self.X` may be its X."""
    return any(
        isinstance(node, ast.ClassDef) and any(_ast_dotted(base) == cls.name for base in node.bases)
        for node in module.tree.body
    )


def _class_value(module: _Module, cls: ast.ClassDef, name: str, root: Path, depth: int) -> Constant | None:
    bindings: list[ast.Assign | ast.AnnAssign] = []
    pending: list[ast.AST] = list(cls.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue  # a method's locals and nested classes are not the class's attributes
        pending.extend(ast.iter_child_nodes(node))
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ) or (
            isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name
        ):
            bindings.append(node)
    if len(bindings) > 1 or (bindings and bindings[0] not in cls.body):
        return None  # bound twice, or in a branch of the class body
    if bindings:
        return _literal(module, bindings[0].value, root, bindings[0].lineno)
    if depth <= 0:
        return None
    for base in cls.bases:
        base_name = _ast_dotted(base)
        found = _named(module, base_name, root, _DEPTH) if base_name and "." not in base_name else None
        if found is not None and found.instance is None:
            value = _class_value(found.module, found.cls, name, root, depth - 1)
            if value is not None:
                return value
    return None


def _literal(module: _Module, value: ast.expr | None, root: Path, line: int) -> Constant | None:
    if isinstance(value, ast.Call) and not value.args:
        # dataclasses.field(default=...), attrs.field / attr.ib(default=...), pydantic Field(default=...)
        default = next((k.value for k in value.keywords if k.arg == "default"), None)
        name = _ast_dotted(value.func) or ""
        if default is not None and name.rsplit(".", 1)[-1] in ("field", "ib", "attrib", "Field"):
            value = default
    where = module.path.relative_to(root).as_posix() if _inside(module.path, root) else module.path.name
    if (
        isinstance(value, ast.Constant)
        and isinstance(value.value, (int, str))
        and not isinstance(value.value, bool)
    ):
        return Constant(value.value, None, f"{where}:{line}")
    if isinstance(value, ast.Name):
        found = _lookup(module.path, value.id, root, depth=2)
        return Constant(found[0], None, found[1]) if found is not None else None
    return None


def _ast_dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _ast_dotted(node.value)
        return f"{head}.{node.attr}" if head is not None else None
    return None


# -- app.config ------------------------------------------------------------------------------


def _app_config_key(node: cst.BaseExpression, context: FileContext) -> str | None:
    """ "KEY" in `app.config["KEY"]`, `current_app.config.get("KEY")`."""
    if (
        isinstance(node, cst.Subscript)
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
    ):
        receiver: cst.BaseExpression = node.value
        key = context.string_value(node.slice[0].slice.value)
    elif (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and len(node.args) == 1
    ):
        receiver, key = node.func.value, context.string_value(node.args[0].value)
    else:
        return None
    owner = dotted_name(receiver) or ""
    return key if key is not None and key.isupper() and owner.endswith(".config") else None


def _app_config_value(key: str, here: _Module, root: Path) -> Constant | None:
    """The one literal this module, or the package `__init__` that builds the app, gives
    `app.config[key]`."""
    modules = [here]
    folder = here.path.parent
    while _inside(folder, root) and len(modules) <= _DEPTH:
        for name in ("__init__.py", "app.py"):
            candidate = folder / name
            if candidate != here.path and candidate.is_file() and (module := _module(candidate)) is not None:
                modules.append(module)
        if folder == root:
            break
        folder = folder.parent
    for module in modules:
        values = _app_config_values(module, key, root)
        if values is None:
            return None
        if values:
            distinct = {value.value for value in values if value is not None}
            if None in values or len(distinct) != 1:
                return None
            return values[0]
    return None


def _app_config_values(module: _Module, key: str, root: Path) -> list[Constant | None] | None:
    """What `module` sets `*.config[key]` to (None for a value that is no literal); None when the
    config is also loaded from somewhere factorscan cannot read."""
    values: list[Constant | None] = []
    branches = _in_branches(module.tree)
    for node in ast.walk(module.tree):
        if id(node) in branches and isinstance(node, (ast.Assign, ast.Call)) and _sets_key(node, key):
            return None  # set in a branch: one choice among others (a test or development setup)
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_app_config(target.value)
                    and isinstance(target.slice, ast.Constant)
                    and target.slice.value == key
                ):
                    values.append(_literal(module, node.value, root, node.lineno))
            continue
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_app_config(node.func.value)
        ):
            continue
        method = node.func.attr
        if method in _EXTERNAL_LOADERS:
            return None
        if method in ("update", "from_mapping"):
            for keyword in node.keywords:
                if keyword.arg is None:
                    return None
                if keyword.arg == key:
                    values.append(_literal(module, keyword.value, root, node.lineno))
            for arg in node.args:
                if not isinstance(arg, ast.Dict):
                    return None
                for name, value in zip(arg.keys, arg.values, strict=True):
                    if name is None:
                        return None
                    if isinstance(name, ast.Constant) and name.value == key:
                        values.append(_literal(module, value, root, node.lineno))
        elif method == "setdefault" and len(node.args) == 2:
            if isinstance(node.args[0], ast.Constant) and node.args[0].value == key:
                values.append(_literal(module, node.args[1], root, node.lineno))
        elif method == "from_object":
            loaded = _loaded_object(module, node, root)
            if loaded is None:
                return None
            if isinstance(loaded, _Object):
                if not _plain_class(loaded.module, loaded.cls, root, _DEPTH):
                    return None
                found = _class_value(loaded.module, loaded.cls, key, root, _DEPTH)
            else:
                found = _module_value(loaded, key, root)
            if found is not None:
                values.append(found)
    return values


def _in_branches(tree: ast.Module) -> set[int]:
    """The ids of every node inside an `if` statement."""
    return {id(node) for branch in ast.walk(tree) if isinstance(branch, ast.If) for node in ast.walk(branch)}


def _sets_key(node: ast.Assign | ast.Call, key: str) -> bool:
    """A statement or call that may set `*.config[key]` (a loader may set any key)."""
    if isinstance(node, ast.Assign):
        return any(
            isinstance(target, ast.Subscript)
            and _is_app_config(target.value)
            and isinstance(target.slice, ast.Constant)
            and target.slice.value == key
            for target in node.targets
        )
    if not (isinstance(node.func, ast.Attribute) and _is_app_config(node.func.value)):
        return False
    return node.func.attr in (*_EXTERNAL_LOADERS, "update", "from_mapping", "from_object", "setdefault")


def _is_app_config(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "config" and _ast_dotted(node) is not None


def _loaded_object(module: _Module, call: ast.Call, root: Path) -> _Object | _Module | None:
    """The class or module `app.config.from_object(...)` loads: a name bound to a class, or a
    dotted path ("app.config.ProductionConfig", "app.settings")."""
    arg = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if isinstance(arg, ast.Name):
        found = _named(module, arg.id, root, _DEPTH)
        return found if found is not None and found.instance is None else None
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return None
    parts = arg.value.split(".")
    for base in (root, root / "src"):
        target = _module_file(base, parts)
        if target is not None and _inside(target, root):
            return _module(target)
        target = _module_file(base, parts[:-1]) if len(parts) > 1 else None
        loaded = _module(target) if target is not None and _inside(target, root) else None
        if loaded is not None:
            found = _named(loaded, parts[-1], root, _DEPTH)
            return found if found is not None and found.instance is None else None
    return None


def _module_value(module: _Module, key: str, root: Path) -> Constant | None:
    found = _lookup(module.path, key, root, depth=2)
    return Constant(found[0], None, found[1]) if found is not None else None
