"""Environment reads in the app's code, as facts for project rules and `factorscan env`.

`EnvReadCollector` takes part in the shared traversal of every file where an
environment read can occur and records one `EnvReadFact` per read; project
rules that compare the code with its deployment (FS0307, FS0308) read them
back with `app_env_reads(project)`. A read has a default when it passes one,
when it is `.get`/`getenv` (None is its default), or when it is guarded by
`"X" in os.environ` or a `try` that catches `KeyError`; without any, the
variable is required. `environ_passed_whole` records code that hands the
whole environment on (`os.environ.copy()`, `**os.environ`, iterating it):
then any variable may be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

import libcst as cst

from factorscan.checks.base import SourceVisitor
from factorscan.python.env_reads import (
    env_instance_kind,
    env_lookup,
    env_scheme_entries,
    settings_config_value,
    settings_fields,
)
from factorscan.python.targets import sample_or_test_file
from factorscan.python.traversal import FileContext
from factorscan.scan.project import ProjectModel

__all__ = ["AppEnv", "EnvReadCollector", "EnvReadFact", "EnvironPassedWhole", "Read", "app_env"]


@dataclass(frozen=True)
class Read:
    """One place that reads a variable."""

    path: str  # as shown to the user
    line: int
    via: str  # os.environ, os.getenv, django-environ, decouple, pydantic-settings, dotenv...
    default: str | None  # a literal default, as the environment would spell it
    has_default: bool  # any default, literal or not: the variable is optional
    secret_hint: bool = False  # typed SecretStr
    presence: bool = False  # only tested for presence (`"X" in os.environ`): its value is never used


class EnvReadFact(NamedTuple):
    """One environment read of a non-test file."""

    name: str
    line: int
    via: str
    # No literal default: facts are cached, and a default may be a secret.
    optional: bool  # a default, `.get`/`getenv`, or a guard: the app starts without the variable


class EnvironPassedWhole(NamedTuple):
    """The file hands the whole environment on: any variable may be read."""

    line: int


_DOTENV_LOADERS = frozenset(
    {
        "dotenv.load_dotenv",
        "dotenv.main.load_dotenv",
        "dotenv.dotenv_values",
        "dotenv.main.dotenv_values",
        "environ.Env.read_env",
        "environ.environ.Env.read_env",
    }
)


def _literal_text(node: cst.BaseExpression | None) -> str | None:
    """A default as the environment would spell it: strings as they are, `True` as `true`."""
    if node is None:
        return None
    text = FileContext.string_value(node)
    if text is not None:
        return text
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.value
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        return "-" + node.expression.value
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value.lower()
    return None


def _is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class EnvReadCollector(SourceVisitor):
    """Records every environment read of one file (and the .env files it loads)."""

    triggers = (
        b"environ",
        b"getenv",
        b"decouple",
        b"BaseSettings",
        b"starlette",
        b"dj_database_url",
        b"dj_email_url",
        b"django_cache_url",
        b"dotenv",
    )

    def __init__(self) -> None:
        # node, variable, via, default node, has default, secret hint, presence test
        self.found: list[tuple[cst.CSTNode, str, str, cst.BaseExpression | None, bool, bool, bool]] = []
        self.dotenv_files: list[str | None] = []  # literal paths; None: the default `.env`
        self.passed_whole: list[cst.CSTNode] = []
        # `environ.Env(**OTHER_SCHEME)`: defaults this file cannot see may cover any read.
        self.open_scheme = False
        self.field_class: dict[cst.CSTNode, str] = {}  # pydantic-settings field -> its class
        # Keyword names a call of a class in this file passes (`*`: a `**mapping`): such a
        # field gets its value from the code, not from the environment.
        self.constructed: dict[str, set[str]] = {}

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not sample_or_test_file(relative_path)

    def _environ(self, node: cst.BaseExpression) -> bool:
        return self.context.qualified_name(node) in ("os.environ", "os.environb")

    def _catches_key_error(self) -> bool:
        for ancestor in self.context.ancestors():
            if isinstance(ancestor, cst.Try):
                for handler in ancestor.handlers:
                    caught = handler.type
                    names = caught.elements if isinstance(caught, cst.Tuple) else [caught] if caught else []
                    for name in names:
                        value = name.value if isinstance(name, cst.Element) else name
                        if isinstance(value, cst.Name) and value.value in ("KeyError", "LookupError"):
                            return True
            if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
                return False
        return False

    def visit_Arg(self, node: cst.Arg) -> None:
        """`f(os.environ)`, `dict(**os.environ)`: the callee may read any variable."""
        if self._environ(node.value):
            self.passed_whole.append(node)

    def visit_For(self, node: cst.For) -> None:
        if self._environ(node.iter):
            self.passed_whole.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        """Record the reads as facts for project rules."""
        for name, read in self.reads():
            optional = read.has_default or read.via in ("os.getenv", "os.environ.get")
            self.record_fact(EnvReadFact(name=name, line=read.line, via=read.via, optional=optional))
        if self.passed_whole:
            self.record_fact(EnvironPassedWhole(line=1))

    def _add(
        self,
        node: cst.CSTNode,
        name: str | None,
        via: str,
        default: cst.BaseExpression | None,
        has_default: bool,
        *,
        secret_hint: bool = False,
        presence: bool = False,
    ) -> None:
        if name:
            self.found.append((node, name, via, default, has_default, secret_hint, presence))
            self.context.note_statement(node)  # positions then generate only this statement
        else:
            self.passed_whole.append(node)  # a name computed at run time: it may be any variable

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        func = node.func
        if isinstance(func, cst.Name):
            for arg in node.args:
                passed = "*" if arg.star == "**" else arg.keyword.value if arg.keyword else None
                if passed:
                    self.constructed.setdefault(func.value, set()).add(passed)
        wholesale = ("copy", "items", "keys", "values")
        if isinstance(func, cst.Attribute) and func.attr.value in wholesale and self._environ(func.value):
            self.passed_whole.append(node)
        lookup = env_lookup(node, context)
        if lookup is not None:
            if lookup.via == "decouple":
                self.dotenv_files.append(None)
            has_default = lookup.default is not None or lookup.via in ("os.environ.pop", "dj-database-url")
            self._add(node, lookup.name, lookup.via, lookup.default, has_default)
            return
        for variable, _arg, default in env_scheme_entries(node, context):
            self._add(node, variable, "django-environ", default, True)
        if any(arg.star == "**" for arg in node.args):
            kind = env_instance_kind(node, context)
            self.open_scheme = self.open_scheme or (kind is not None and kind[0] == "django-environ")
        read_env = (
            isinstance(func, cst.Attribute)
            and func.attr.value == "read_env"
            and env_instance_kind(func.value, context) is not None
        )
        if read_env or context.qualified_name(func) in _DOTENV_LOADERS:
            path = node.args[0].value if node.args and node.args[0].keyword is None else None
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in ("dotenv_path", "env_file", "path"):
                    path = arg.value
            self.dotenv_files.append(context.string_value(path) if path is not None else None)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if isinstance(self.context.parent, (cst.AssignTarget, cst.Del)):
            return  # writes the environment, does not read it
        lookup = env_lookup(node, self.context)
        if lookup is not None:
            self._add(node, lookup.name, lookup.via, None, self._catches_key_error())

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """`"SENTRY_DSN" in os.environ`: an optional variable."""
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.In, cst.NotIn)):
            return
        if self.context.qualified_name(node.comparisons[0].comparator) in ("os.environ", "os.environb"):
            self._add(node, self.context.string_value(node.left), "os.environ", None, True, presence=True)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        fields = settings_fields(node, self.context)
        if not fields:
            return
        env_file = settings_config_value(node, "env_file")
        if env_file is not None:
            self.dotenv_files.append(env_file)
        for settings_field in fields:
            self.field_class[settings_field.target] = node.name.value
            default = settings_field.default
            has_default = default is not None or (
                settings_field.default_arg is None
                and isinstance(settings_field.statement.value, cst.Call)
                and any(
                    arg.keyword is not None and arg.keyword.value == "default_factory"
                    for arg in settings_field.statement.value.args
                )
            )
            self._add(
                settings_field.target,
                settings_field.variable,
                "pydantic-settings",
                None if _is_none(default) else default,
                has_default,
                secret_hint=settings_field.secret_type,
            )

    def _passed_in(self, field: cst.CSTNode) -> bool:
        """A settings field this file's code passes when it builds the class (`Settings(**values)`)."""
        if field not in self.field_class:
            return False
        passed = self.constructed.get(self.field_class[field], set())
        return "*" in passed or (isinstance(field, cst.Name) and field.value in passed)

    def reads(self) -> list[tuple[str, Read]]:
        """(variable, read) for everything found, with line numbers."""
        if not self.found:
            return []
        context = self.context
        # Placed statement by statement: a file libcst cannot write back exactly as a
        # whole (the stdlib's webbrowser.py) still places reads elsewhere in it.
        places = context.locations({item[0] for item in self.found})
        result = []
        for node, name, via, default, defaulted, hint, presence in self.found:
            has_default = defaulted or (self.open_scheme and via == "django-environ") or self._passed_in(node)
            place = places.get(node)
            line = place[0].row if place is not None else 1
            read = Read(
                context.source.display_path, line, via, _literal_text(default), has_default, hint, presence
            )
            result.append((name, read))
        return result


@dataclass
class AppEnv:
    """What the app's (non-test) code reads, over the files this run scanned."""

    reads: dict[str, list[tuple[str, EnvReadFact]]]  # variable -> (relative path, read)
    passed_whole: bool  # some code hands the whole environment on

    def required(self) -> dict[str, tuple[str, EnvReadFact]]:
        """Variables every read of which needs them set: variable -> its first read.

        Reads in maintainer scripts (`bin/release.py`, `scripts/`) require a variable only
        when someone runs the script, never for the app to start."""
        required = {}
        for name, reads in self.reads.items():
            app_reads = [(path, read) for path, read in reads if not _maintainer_script(path)]
            if not app_reads or any(read.optional for _path, read in reads):
                continue
            if not all(read.via == "dotenv" for _path, read in app_reads):
                required[name] = app_reads[0]
        return required


# Folders of scripts a maintainer runs by hand or from CI.
_SCRIPT_FOLDERS = frozenset({"bin", "scripts", "script", "tools", "devtools", "dev", "ci", ".ci", ".github"})


def _maintainer_script(path: str) -> bool:
    return not _SCRIPT_FOLDERS.isdisjoint(PurePosixPath(path).parts[:-1])


def app_env(project: ProjectModel) -> AppEnv:
    reads: dict[str, list[tuple[str, EnvReadFact]]] = {}
    for path, facts in sorted(project.facts(EnvReadFact).items()):
        for fact in facts:
            reads.setdefault(fact.name, []).append((path, fact))
    return AppEnv(reads, any(project.facts(EnvironPassedWhole).values()))
