"""Name resolution: which qualified name a local name or attribute chain means.

libcst's QualifiedNameProvider was measured at 10x the cost of parsing, so
each module gets a plain import table instead, filled during the one
traversal: `import logging.handlers as lh` makes `lh.RotatingFileHandler`
resolve to `logging.handlers.RotatingFileHandler`.

The same module also extracts a file's import facts (what it imports, where,
and whether the import is optional) with the `ast` module, which is cheap
enough to run on every file of a project.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from dataclasses import dataclass
from typing import Any, cast

import libcst as cst

from factorscan.python.credentials import find_credential
from factorscan.python.secrets import looks_random

BUILTIN_NAMES = frozenset(dir(builtins))

# Removed from the standard library in recent Pythons (PEP 594 and earlier);
# still standard for projects that run on the versions that had them.
REMOVED_STDLIB = frozenset(
    {
        "asynchat",
        "asyncore",
        "distutils",
        "imp",
        "smtpd",
        "aifc",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "imghdr",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
        "lib2to3",
        "tkinter",
        "_thread",
        "binhex",
        "formatter",
        "parser",
        "symbol",
        "macpath",
        "dummy_threading",
        "__future__",
    }
)
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | REMOVED_STDLIB


def is_stdlib(module: str) -> bool:
    return module.split(".", 1)[0] in STDLIB_MODULES


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for Name/Attribute chains, None for anything else."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _module_name(node: cst.BaseExpression | None) -> str:
    return dotted_name(node) or "" if node is not None else ""


class ImportTable:
    """Local name -> qualified name, for one module."""

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}
        # Names bound by module-level imports only (where a fix may rely on them).
        self.module_level: dict[str, str] = {}
        self.star_modules: list[str] = []
        # Names the module defines itself (def, class, assignment) shadow builtins.
        self.local_definitions: set[str] = set()
        # Module-level `NAME = <expr>` bound exactly once: NAME -> expr.
        self.constants: dict[str, cst.BaseExpression] = {}
        self._rebound: set[str] = set()

    def _bind(self, local: str, qualified: str, module_level: bool) -> None:
        self.bindings[local] = qualified
        if module_level:
            self.module_level.setdefault(local, qualified)

    def add(self, node: cst.Import | cst.ImportFrom, module_level: bool) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                name = _module_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bind(alias.asname.name.value, name, module_level)
                else:
                    top = name.split(".", 1)[0]
                    self._bind(top, top, module_level)
            return
        module = "." * len(node.relative) + _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.append(module)
            return
        prefix = module if module.endswith(".") else module + "."
        for alias in node.names:
            name = _module_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._bind(local, prefix + name, module_level)

    def note_constant(self, name: str, value: cst.BaseExpression | None) -> None:
        if name in self.constants or name in self._rebound or value is None:
            self.constants.pop(name, None)
            self._rebound.add(name)
        else:
            self.constants[name] = value

    def add_alias(self, local: str, value: cst.BaseExpression) -> None:
        """`Handler = logging.FileHandler` makes `Handler` an alias too."""
        qualified = self.resolve(value)
        if qualified is not None and not qualified.startswith("builtins."):
            self.bindings[local] = qualified

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The qualified name `node` refers to, or None when it is not an imported name."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        qualified = self.bindings.get(head)
        if qualified is None:
            if head in self.local_definitions:
                return None
            if len(self.star_modules) == 1 and head not in BUILTIN_NAMES:
                qualified = f"{self.star_modules[0]}.{head}"
            elif head in BUILTIN_NAMES:
                qualified = f"builtins.{head}"
            else:
                return None
        return f"{qualified}.{rest}" if rest else qualified


def collect_module_scope(module: cst.Module, table: ImportTable) -> None:
    """Fill `table` from module-level statements before the rules' traversal.

    Module-level imports may follow the code that uses them (a helper defined
    above the imports it calls at run time), so they are all read first.
    """
    pending: list[cst.BaseStatement | cst.BaseSmallStatement] = list(module.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, cst.SimpleStatementLine):
            pending.extend(statement.body)
        elif isinstance(statement, (cst.Import, cst.ImportFrom)):
            table.add(statement, module_level=True)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            table.local_definitions.add(statement.name.value)
        elif isinstance(statement, (cst.Assign, cst.AnnAssign)):
            targets = (
                [t.target for t in statement.targets]
                if isinstance(statement, cst.Assign)
                else [statement.target]
            )
            for target in targets:
                if isinstance(target, cst.Name):
                    table.local_definitions.add(target.value)
                    table.note_constant(target.value, statement.value)
        elif isinstance(statement, (cst.If, cst.Try, cst.With)):
            # Conditional and guarded imports at module level still bind names.
            pending.extend(statement.body.body)
            for block in _other_blocks(statement):
                pending.extend(block.body)


def _other_blocks(statement: cst.If | cst.Try | cst.With) -> list[cst.BaseSuite]:
    blocks: list[cst.BaseSuite] = []
    if isinstance(statement, cst.If) and statement.orelse is not None:
        blocks.append(statement.orelse.body)
    if isinstance(statement, cst.Try):
        blocks.extend(handler.body for handler in statement.handlers)
        if statement.orelse is not None:
            blocks.append(statement.orelse.body)
        if statement.finalbody is not None:
            blocks.append(statement.finalbody.body)
    return [block for block in blocks if isinstance(block, cst.IndentedBlock)]


# The key under which the engine records each file's ImportFacts.
IMPORT_FACTS = "imports"


@dataclass(frozen=True)
class ImportFact:
    """One imported module, as project rules (undeclared imports) need it."""

    module: str  # absolute dotted name, or "" for `from . import x`
    level: int  # relative import level; 0 for absolute imports
    row: int
    column: int  # 1-based, code points
    end_column: int
    # inside try/except ImportError (body, fallback or else), or under a feature,
    # version or platform guard (`if HAS_YAML:`, `if sys.platform == "win32":`)
    optional: bool
    type_checking: bool  # inside `if TYPE_CHECKING:`
    module_level: bool
    # The names a `from module import a, b` imports (`from google.cloud import storage`
    # says which distribution of a namespace package it needs).
    names: tuple[str, ...] = ()
    # The configuration test the import runs under (`SECRET_PROVIDER == "metatron-secret"`),
    # or "" when it runs whatever the configuration says.
    condition: str = ""
    # Under an `if` or `match` (any test): runs only when the test holds, as a debug-only
    # `if settings.DEBUG: import debug_toolbar` does.
    branch: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["names"] = list(self.names)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportFact:
        return cls(**{**data, "names": tuple(data.get("names", ()))})


_TRY_TYPES: tuple[type[ast.stmt], ...] = (ast.Try, *([ast.TryStar] if hasattr(ast, "TryStar") else []))
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for name in names:
        identifier = name.attr if isinstance(name, ast.Attribute) else getattr(name, "id", "")
        if identifier in _IMPORT_ERRORS:
            return True
    return False


# `if HAS_YAML:`, `if sys.version_info < (3, 11):`, `if sys.platform == "win32":`: the
# import runs only where the package is known to be there.
_GUARD_NAME = re.compile(
    r"^_?(has|have|use|with|is)_\w+$|_(available|installed|enabled|supported)$|^(PY2|PY3|PY\d+|IS_\w+)$",
    re.IGNORECASE,
)
_GUARD_ATTRIBUTES = {"version_info", "platform", "implementation", "hexversion", "name", "system"}


def _is_optional_guard(test: ast.expr) -> bool:
    """Whether an `if` test is a feature, version or platform check (walks only the test's shape)."""
    if isinstance(test, ast.Name):
        return _GUARD_NAME.search(test.id) is not None
    if isinstance(test, ast.Attribute):
        base = test.value.id if isinstance(test.value, ast.Name) else ""
        if base in ("sys", "os", "platform") and test.attr in _GUARD_ATTRIBUTES:
            return True
        return _GUARD_NAME.search(test.attr) is not None or _is_optional_guard(test.value)
    if isinstance(test, ast.Subscript):
        return _is_optional_guard(test.value)
    if isinstance(test, ast.Call):
        func = test.func
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "platform":
            return True
        return _is_optional_guard(func)
    if isinstance(test, ast.UnaryOp):
        return _is_optional_guard(test.operand)
    if isinstance(test, ast.BoolOp):
        return any(_is_optional_guard(value) for value in test.values)
    if isinstance(test, ast.Compare):
        return _is_optional_guard(test.left) or any(_is_optional_guard(value) for value in test.comparators)
    return False


_CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
_MAX_CONDITION = 80
_OPTION_TEXT = re.compile(r"^[A-Za-z][A-Za-z_.\-]{0,38}[0-9]{0,2}$")


def _configuration_value(node: ast.expr) -> bool:
    """`SECRET_PROVIDER`, `settings.DB_ENGINE`, `os.getenv("X")`, `config("X")`, `os.environ["X"]`."""
    if isinstance(node, ast.Name):
        return _CONSTANT_NAME.match(node.id) is not None
    if isinstance(node, ast.Attribute):
        return _CONSTANT_NAME.match(node.attr) is not None
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Attribute) and node.value.attr == "environ"
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        if isinstance(func, ast.Name):  # getenv("X"), decouple's config("X"), environs' env("X")
            return func.id in ("getenv", "config", "env")
        if isinstance(func, ast.Attribute):  # os.getenv("X"), os.environ.get("X")
            owner = (
                func.value.attr if isinstance(func.value, ast.Attribute) else getattr(func.value, "id", "")
            )
            return func.attr == "getenv" or (func.attr == "get" and owner == "environ")
    return False


def _is_option_name(node: ast.expr) -> bool:
    """`"redis"`, `("es", "opensearch")`: option names, which a message may quote. Anything else
    (`"s3cr3tP4ss!"`, a token) may be a secret: such a test is not recorded, nor cached."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(_is_option_name(element) for element in node.elts)
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return _OPTION_TEXT.match(text) is not None and not looks_random(text) and find_credential(text) is None


def _configuration_test(test: ast.expr) -> str:
    """The source of an `if` that selects one configured option (`if CACHE == "redis":`,
    `if settings.SEARCH_BACKEND in ("es", "opensearch"):`), else ""."""
    if isinstance(test, ast.BoolOp) and not all(_configuration_test(value) for value in test.values):
        return ""
    if isinstance(test, ast.Compare):
        if len(test.ops) != 1 or not isinstance(test.ops[0], (ast.Eq, ast.In)):
            return ""
        if not (_configuration_value(test.left) and _is_option_name(test.comparators[0])):
            return ""
    elif not isinstance(test, ast.BoolOp):
        return ""
    text = ast.unparse(test)
    return text if len(text) <= _MAX_CONDITION else text[: _MAX_CONDITION - 1] + "…"


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _utf8_column_to_chars(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def import_facts(tree: ast.Module, lines: list[str]) -> list[ImportFact]:
    """Every import in an `ast` tree, with its guard context."""
    facts: list[ImportFact] = []

    def column(row: int, byte_offset: int) -> int:
        line = lines[row - 1] if 0 < row <= len(lines) else ""
        return _utf8_column_to_chars(line, byte_offset) + 1

    def visit(
        nodes: list[ast.stmt],
        optional: bool,
        type_checking: bool,
        module_level: bool,
        *,
        condition: str = "",
        branch: bool = False,
    ) -> None:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                row = node.lineno
                start = column(row, node.col_offset)
                end_row = node.end_lineno or row
                end = column(end_row, node.end_col_offset or 0) if end_row == row else start + 6
                names: tuple[str, ...] = ()
                if isinstance(node, ast.Import):
                    modules = [(alias.name, 0) for alias in node.names]
                else:
                    modules = [(node.module or "", node.level)]
                    names = tuple(alias.name for alias in node.names if alias.name != "*")
                for name, level in modules:
                    facts.append(
                        ImportFact(
                            name,
                            level,
                            row,
                            start,
                            end,
                            optional,
                            type_checking,
                            module_level,
                            names,
                            condition,
                            branch,
                        )
                    )
            elif isinstance(node, _TRY_TYPES):
                node = cast(ast.Try, node)  # TryStar has the same fields
                guarded = optional or any(_catches_import_error(h) for h in node.handlers)
                # The fallback in the handler and the `else:` that runs only when the
                # guarded import worked are optional too.
                visit(node.body, guarded, type_checking, module_level, condition=condition, branch=branch)
                for handler in node.handlers:
                    visit(
                        handler.body, guarded, type_checking, module_level, condition=condition, branch=branch
                    )
                visit(node.orelse, guarded, type_checking, module_level, condition=condition, branch=branch)
                visit(
                    node.finalbody, optional, type_checking, module_level, condition=condition, branch=branch
                )
            elif isinstance(node, ast.If):
                checking = type_checking or _is_type_checking(node.test)
                conditional = optional or _is_optional_guard(node.test)
                # The branch of one configured option; an `else:` is what runs by default.
                selected = condition or _configuration_test(node.test)
                visit(node.body, conditional, checking, module_level, condition=selected, branch=True)
                visit(node.orelse, conditional, type_checking, module_level, condition=condition, branch=True)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(node.body, optional, type_checking, False, condition=condition, branch=branch)
            elif isinstance(node, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
                visit(node.body, optional, type_checking, module_level, condition=condition, branch=branch)
                orelse = getattr(node, "orelse", [])
                visit(orelse, optional, type_checking, module_level, condition=condition, branch=branch)
            elif sys.version_info >= (3, 10) and isinstance(node, ast.Match):
                for case in node.cases:
                    visit(case.body, optional, type_checking, module_level, condition=condition, branch=True)

    visit(tree.body, False, False, True)
    return facts


def bind_import(node: ast.Import | ast.ImportFrom, package: list[str] | None, table: dict[str, str]) -> None:
    """Add the names an `ast` import binds to `table` (local name -> dotted name). A relative
    import is made absolute from `package` (the importing file's folders), or kept with its
    leading dots when the package is not known. `*` binds nothing here."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                table[alias.asname] = alias.name
            else:
                head = alias.name.split(".", 1)[0]
                table[head] = head
        return
    if node.level and package is None:
        prefix = "." * node.level + (node.module or "")
    elif node.level:
        assert package is not None
        if node.level - 1 > len(package):
            return
        base = package[: len(package) - (node.level - 1)]
        prefix = ".".join([*base, *([node.module] if node.module else [])])
    else:
        prefix = node.module or ""
    for alias in node.names:
        if alias.name != "*":
            joined = prefix + alias.name if prefix.endswith(".") else f"{prefix}.{alias.name}"
            table[alias.asname or alias.name] = joined if prefix else alias.name


class AstImportTable:
    """Local name -> qualified name for one module, read from its `ast` tree: what
    `ImportTable` gives libcst visitors, for facts recorded without a libcst parse. Every
    import counts wherever it is; names the module defines at top level resolve to nothing."""

    def __init__(self, tree: ast.Module) -> None:
        self._bindings: dict[str, str] = {}
        self._star_modules: list[str] = []
        self._local = {
            statement.name
            for statement in tree.body
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bind_import(node, None, self._bindings)
                if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                    self._star_modules.append("." * node.level + (node.module or ""))

    def resolve(self, node: ast.expr) -> str | None:
        """The qualified name `node` refers to, or None when it is not an imported name."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = node.id
        qualified = self._bindings.get(head)
        if qualified is None:
            if head in self._local or head in BUILTIN_NAMES or len(self._star_modules) != 1:
                return None
            qualified = f"{self._star_modules[0]}.{head}"
        return ".".join([qualified, *reversed(parts)])
