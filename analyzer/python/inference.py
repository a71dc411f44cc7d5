"""Where a value comes from: a literal, the environment, or a first-party constant.

Rules about ports, hosts and database paths must tell `port=5000` from
`port=PORT` (a literal two lines up, or in `config.py`) and from
`port=int(os.environ["PORT"])`. In-file constants come from the import
table (`context.literal`); a name imported from a first-party module
(`from .config import PORT`) is looked up in that module's source with the
`ast` module, following re-exports and star imports a few levels deep.

A constant computed from literals (`PORT = BASE + 1`) is as fixed as a
literal; those, and only those, go to astroid (`factorscan.python.evaluation`),
whose first use in a process costs about 0.65 s against about 1 ms here.
"""

from __future__ import annotations

import ast
import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import libcst as cst

from factorscan.python import evaluation
from factorscan.python.imports import dotted_name
from factorscan.python.nodes import iter_children
from factorscan.python.traversal import FileContext

_ENV_FUNCTIONS = frozenset(
    {
        "os.environ.get",
        "os.getenv",
        "os.environ.setdefault",
        "os.environ.pop",
        "os.getenvb",
        "decouple.config",
        "dj_database_url.config",
        "dj_database_url.parse",
        "dj_email_url.config",
        "django_cache_url.config",
    }
)
# Methods of django-environ / environs `Env` objects, and python-decouple's `config`.
_ENV_METHODS = frozenset(
    {
        "str",
        "int",
        "bool",
        "float",
        "list",
        "dict",
        "json",
        "url",
        "db",
        "db_url",
        "cache",
        "cache_url",
        "path",
    }
)
_ENV_OBJECT = re.compile(r"^(env|environ|environment|config|settings_env)$", re.IGNORECASE)
_ENV_VAR = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
    }
)


def env_lookup_name(node: cst.BaseExpression, context: FileContext) -> str | None:
    """The variable an environment lookup reads ("" when unnamed), or None if `node` is no lookup.

    `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, decouple's
    `config("X")`, django-environ/environs `env("X")` / `env.int("X")`,
    `dj_database_url.config()`.
    """
    if isinstance(node, cst.Subscript):
        if context.qualified_name(node.value) == "os.environ" and len(node.slice) == 1:
            element = node.slice[0].slice
            if isinstance(element, cst.Index):
                return context.string_value(element.value) or ""
        return None
    if not isinstance(node, cst.Call):
        return None
    first = node.args[0].value if node.args and node.args[0].keyword is None else None
    name = context.string_value(first) if first is not None else None
    qualified = context.qualified_name(node.func)
    if qualified in _ENV_FUNCTIONS:
        if qualified.startswith("dj_"):
            return name or "DATABASE_URL"
        return name or ""
    if name is None or not _ENV_VAR.match(name):
        return None
    func = dotted_name(node.func)
    if func is None:
        return None
    head, _, method = func.rpartition(".")
    if not head:
        return name if _ENV_OBJECT.match(method) else None
    return name if _ENV_OBJECT.match(head.rsplit(".", 1)[-1]) and method in {*_ENV_METHODS, "get"} else None


def reads_environment(node: cst.CSTNode, context: FileContext) -> bool:
    """Whether an environment lookup occurs anywhere in `node`."""
    if isinstance(node, cst.BaseExpression) and env_lookup_name(node, context) is not None:
        return True
    return any(reads_environment(child, context) for child in iter_children(node))


@cache
def _pass_through() -> tuple[type[cst.CSTNode], ...]:
    """Built on first use: libcst is not used at import time (core/lazy_import.py)."""
    return (
        cst.Arg,
        cst.BinaryOperation,
        cst.ConcatenatedString,
        cst.FormattedString,
        cst.FormattedStringExpression,
        cst.Call,
        cst.Attribute,
        cst.Element,
        cst.List,
        cst.Tuple,
    )


def is_env_default(context: FileContext, path: list[cst.CSTNode] | None = None) -> bool:
    """The visited node is the fallback of an environment lookup.

    `os.environ.get("DATABASE_URL", "sqlite:///app.db")`, `env.db(default=...)`,
    `os.getenv("X") or "literal"`, `"x" if os.getenv("X") is None else ...`, or a
    field default in a pydantic `BaseSettings` class (read from the environment).
    `path` extends the traversal stack with nodes below the visited one.
    """
    chain = [*context.stack, *(path or [])]
    for index in range(len(chain) - 1, 0, -1):
        child, parent = chain[index], chain[index - 1]
        if isinstance(parent, cst.Call) and child is not parent.func:
            if env_lookup_name(parent, context) is not None:
                return True
        elif isinstance(parent, cst.BooleanOperation):
            if isinstance(parent.operator, cst.Or) and child is parent.right:
                return reads_environment(parent.left, context)
            return False
        elif isinstance(parent, cst.IfExp):
            if child is not parent.test:
                return reads_environment(parent.test, context)
            return False
        elif isinstance(parent, (cst.Assign, cst.AnnAssign)):
            return _in_settings_class(chain[: index - 1], context)
        elif not isinstance(parent, _pass_through()):
            return False
    return False


_SWITCH_NAMES = re.compile(
    r"(^|_)(DEBUG|TESTING|TEST|TESTS|DEVELOPMENT|LOCAL|ENV|ENVIRONMENT|STAGE)$", re.IGNORECASE
)


def guarded_by_configuration(context: FileContext) -> bool:
    """The visited node sits in an `if` that switches on configuration: an
    environment lookup, `DEBUG`/`TESTING`, an environment name, `sys.argv`
    (`if "test" in sys.argv:`), or a module-level name bound to an environment
    lookup or to the operator's configuration (`X = getattr(configuration, "X",
    None)`). Such a branch is an opt-in, or the local or test fallback of code
    that the other branch configures from the environment."""
    stack = context.stack
    for index in range(len(stack) - 2, -1, -1):
        node = stack[index]
        if (
            isinstance(node, (cst.If, cst.IfExp))
            and stack[index + 1] is not node.test
            and _switches_on_configuration(node.test, context)
        ):
            return True
    return False


def _switches_on_configuration(test: cst.CSTNode, context: FileContext) -> bool:
    if isinstance(test, cst.BaseExpression):
        if env_lookup_name(test, context) is not None:
            return True
        name = config_name(test, context) if isinstance(test, (cst.Name, cst.Attribute)) else None
        if name is not None and _SWITCH_NAMES.search(name):
            return True
        bound = context.module_constant(test)
        if bound is not None and (reads_environment(bound, context) or _reads_configuration(bound)):
            return True
        if context.qualified_name(test) in ("sys.argv", "sys.modules"):
            return True
    return any(_switches_on_configuration(child, context) for child in iter_children(test))


def _reads_configuration(node: cst.BaseExpression) -> bool:
    """`getattr(configuration, "SESSION_FILE_PATH", None)`: a setting read by its own name
    from a configuration object the operator writes."""
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "getattr"):
        return False
    key = FileContext.string_value(node.args[1].value) if len(node.args) >= 2 else None
    return key is not None and _ENV_VAR.match(key) is not None


def _in_settings_class(chain: list[cst.CSTNode], context: FileContext) -> bool:
    for node in reversed(chain):
        if isinstance(node, cst.FunctionDef):
            return False
        if isinstance(node, cst.ClassDef):
            return any(context.qualified_name(base.value) in _SETTINGS_BASES for base in node.bases)
    return False


def config_name(node: cst.BaseExpression, context: FileContext) -> str | None:
    """The configuration name an expression reads: `ENV`, `settings.ENVIRONMENT`,
    `app.config["ENV"]`, `config.get("APP_ENV")`, `os.environ.get("FLASK_ENV")`."""
    env = env_lookup_name(node, context)
    if env:
        return env
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        element = node.slice[0].slice
        if isinstance(element, cst.Index):
            return context.string_value(element.value)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("get", "getenv")
        and node.args
        and node.args[0].keyword is None
    ):
        return context.string_value(node.args[0].value)
    return None


def config_assignments(
    node: cst.Assign | cst.AnnAssign | cst.Call, context: FileContext
) -> list[tuple[str, cst.BaseExpression]]:
    """(KEY, value) pairs a statement sets as configuration.

    Module-level and config-class `KEY = value`, `app.config["KEY"] = value`,
    `app.config.update(KEY=value)` / `from_mapping(KEY=value)`. Keys are
    upper case, as Flask and Django read only those.
    """
    pairs: list[tuple[str, cst.BaseExpression]] = []
    if isinstance(node, cst.Call):
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("update", "from_mapping", "setdefault")
            and (dotted_name(func.value) or "").endswith("config")
        ):
            pairs.extend(
                (arg.keyword.value, arg.value)
                for arg in node.args
                if arg.keyword is not None and arg.keyword.value.isupper()
            )
        return pairs
    if node.value is None:
        return pairs
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    for target in targets:
        if isinstance(target, cst.Name) and target.value.isupper():
            if context.at_module_level() or _directly_in_class(context):
                pairs.append((target.value, node.value))
        elif isinstance(target, cst.Subscript) and (dotted_name(target.value) or "").endswith("config"):
            key = config_name(target, context)
            if key is not None and key.isupper():
                pairs.append((key, node.value))
    return pairs


def _directly_in_class(context: FileContext) -> bool:
    scope = context.enclosing_class()
    return scope is not None and context.enclosing_function() is None


# -- constants, in this file or a first-party module ---------------------------------


@dataclass(frozen=True)
class Constant:
    """A literal value an expression stands for."""

    value: int | str
    node: cst.BaseExpression | None  # the literal in this file, or None when defined elsewhere
    origin: str = ""  # "config.py:3" when defined in another module


def resolve_constant(node: cst.BaseExpression, context: FileContext) -> Constant | None:
    """The literal int or str `node` is, names in this file, or imports from a first-party module."""
    literal = context.literal(node)
    value = _literal_value(literal, context)
    if value is not None:
        return Constant(value, literal)
    if literal is not node:
        # A module constant bound to an expression: fixed only if computed from literals.
        if isinstance(node, cst.Name) and _may_be_computed_constant(literal, context):
            return _computed_constant(Path(context.source.path), node.value, context.settings.project_root)
        return None
    qualified = context.qualified_name(node)
    if qualified is None or qualified.startswith("builtins."):
        return None
    return _imported_constant(qualified, context)


@cache
def _computed() -> tuple[type[cst.CSTNode], ...]:
    return (cst.BinaryOperation, cst.UnaryOperation, cst.FormattedString, cst.ConcatenatedString)


def _may_be_computed_constant(value: cst.BaseExpression, context: FileContext) -> bool:
    return isinstance(value, _computed()) and not reads_environment(value, context)


def _computed_constant(path: Path, name: str, root: Path) -> Constant | None:
    root = root.resolve()
    path = path.resolve()
    found = evaluation.module_constant(path, name, root)
    if found is None:
        return None
    value, line = found
    where = path.relative_to(root).as_posix() if _inside(path, root) else path.name
    return Constant(value, None, f"{where}:{line}")


def _literal_value(node: cst.BaseExpression, context: FileContext) -> int | str | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    return context.string_value(node)


def _imported_modules(qualified: str, context: FileContext) -> tuple[list[Path], str]:
    """The project files that may hold the module of an imported `qualified` name, and the name."""
    stripped = qualified.lstrip(".")
    level = len(qualified) - len(stripped)
    parts = stripped.split(".")
    if len(parts) < 2 and not level:
        return [], ""
    root = context.settings.project_root.resolve()
    here = Path(context.source.path).resolve().parent
    module_parts, name = parts[:-1], parts[-1]
    if level:
        base = here
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [here, root, root / "src"]
    paths = [_module_file(base, module_parts) for base in bases]
    return [path for path in paths if path is not None and _inside(path, root)], name


def _imported_constant(qualified: str, context: FileContext) -> Constant | None:
    paths, name = _imported_modules(qualified, context)
    root = context.settings.project_root.resolve()
    for path in paths:
        found = _lookup(path, name, root, depth=3)
        if found is not None:
            value, origin = found
            return Constant(value, None, origin)
    return None


Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.Assign


def _binds(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def _top_level_definition(tree: ast.Module, name: str) -> Definition | None:
    """The one top-level `def name` or `name = ...` of a module (None when bound otherwise or twice)."""
    found: list[ast.stmt] = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = statement.name == name
        elif isinstance(statement, ast.Assign):
            bound = any(_binds(target, name) for target in statement.targets)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            bound = any((alias.asname or alias.name) == name for alias in statement.names)
        else:
            bound = isinstance(statement, ast.AnnAssign) and _binds(statement.target, name)
        if bound:
            found.append(statement)
    only = found[0] if len(found) == 1 else None
    return only if isinstance(only, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign)) else None


def project_definition(node: cst.BaseExpression, context: FileContext) -> Definition | None:
    """Where a name used here is defined by the project: a top-level function or assignment of
    this module, or of the first-party module it is imported from (`from .env import env_bool`),
    read with `ast` as imported constants are."""
    if not isinstance(node, cst.Name):
        return None
    qualified = context.qualified_name(node)
    if qualified is None or qualified == node.value:
        return _top_level_definition(context.tree, node.value) if context.tree is not None else None
    paths, name = _imported_modules(qualified, context)
    for path in paths:
        tree = _parse(path)
        found = _top_level_definition(tree, name) if tree is not None else None
        if found is not None:
            return found
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _module_file(base: Path, parts: list[str]) -> Path | None:
    target = base.joinpath(*parts) if parts else base
    for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


_parsed: dict[Path, tuple[float, ast.Module | None]] = {}
# The other modules one file's analysis read: its cached result holds only while they are
# unchanged (a constant or a config class imported from them).
_reads: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar("reads", default=None)


@contextmanager
def recording_reads() -> Iterator[set[Path]]:
    """The project modules read through `_parse` while the block runs (one file's analysis)."""
    reads: set[Path] = set()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def _parse(path: Path) -> ast.Module | None:
    reads = _reads.get()
    if reads is not None:
        reads.add(path)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _parsed.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        tree: ast.Module | None = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        tree = None
    _parsed[path] = (mtime, tree)
    return tree


def _lookup(path: Path, name: str, root: Path, depth: int) -> tuple[int | str, str] | None:
    """`name`'s literal value in the module at `path`: bound once at top level."""
    tree = _parse(path)
    if tree is None or depth < 0:
        return None
    bindings: list[ast.stmt] = []
    stars: list[ast.ImportFrom] = []
    for statement in tree.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            bindings.append(statement)
        elif isinstance(statement, ast.ImportFrom):
            if any(alias.name == "*" for alias in statement.names):
                stars.append(statement)
            elif any((alias.asname or alias.name) == name for alias in statement.names):
                bindings.append(statement)
    if len(bindings) > 1:
        return None
    if not bindings:
        for star in stars:
            found = _follow(path, star, name, root, depth)
            if found is not None:
                return found
        return None
    statement = bindings[0]
    if isinstance(statement, ast.ImportFrom):
        alias = next(a for a in statement.names if (a.asname or a.name) == name)
        return _follow(path, statement, alias.name, root, depth)
    value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
    if (
        isinstance(value, ast.Constant)
        and isinstance(value.value, (int, str))
        and not isinstance(value.value, bool)
    ):
        relative = path.relative_to(root).as_posix()
        return value.value, f"{relative}:{statement.lineno}"
    if isinstance(value, ast.Name):
        return _lookup(path, value.id, root, depth - 1)
    if isinstance(value, (ast.BinOp, ast.UnaryOp, ast.JoinedStr)):
        computed = _computed_constant(path, name, root)
        return (computed.value, computed.origin) if computed is not None else None
    return None


def _follow(
    path: Path, statement: ast.ImportFrom, name: str, root: Path, depth: int
) -> tuple[int | str, str] | None:
    target = import_target(path, statement, root)
    return _lookup(target, name, root, depth - 1) if target is not None else None


def import_target(path: Path, statement: ast.ImportFrom, root: Path) -> Path | None:
    """The project file a `from ... import` of the module at `path` reads, if it is one."""
    parts = statement.module.split(".") if statement.module else []
    if statement.level:
        base = path.parent
        for _ in range(statement.level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [root, root / "src", path.parent]
    for base in bases:
        target = _module_file(base, parts)
        if target is not None and _inside(target, root):
            return target
    return None
