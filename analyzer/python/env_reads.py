"""Recognising environment reads in libcst trees.

One place knows every way an app reads its environment, so the rules that
look at defaults (FS0302, FS0401) and `factorscan env` agree: `os.environ[...]`,
`os.environ.get`, `os.getenv`, `os.environ.setdefault`, django-environ and
environs `Env` instances, python-decouple and Starlette `config`,
dj-database-url style `config()` helpers, and pydantic-settings
`BaseSettings` fields (with `env_prefix` and aliases).
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from factorscan.python.codemods import argument, keyword, positional, rebuild
from factorscan.python.codemods import env_lookup as environ_lookup
from factorscan.python.definition_time import evaluated_at_definition
from factorscan.python.secrets import name_words
from factorscan.python.traversal import FileContext, FixBuilder

__all__ = [
    "EnvLookup",
    "SettingsField",
    "env_helper_fallback",
    "env_instance_kind",
    "env_lookup",
    "env_scheme_entries",
    "read_variable",
    "require_variable",
    "settings_config_value",
    "settings_fields",
]

_ENVIRON = frozenset({"os.environ", "os.environb"})
# Functions reading one variable: qualified name -> (via, default position).
_OS_FUNCTIONS = {
    "os.getenv": ("os.getenv", 1),
    "os.getenvb": ("os.getenv", 1),
    "os.environ.get": ("os.environ.get", 1),
    "os.environb.get": ("os.environ.get", 1),
    "os.environ.setdefault": ("os.environ.setdefault", 1),
    "os.environ.pop": ("os.environ.pop", 1),
    "decouple.config": ("decouple", 1),
}
# Helpers that read a fixed variable unless told otherwise: `dj_database_url.config()`.
_URL_HELPERS = {
    "dj_database_url.config": "DATABASE_URL",
    "dj_email_url.config": "EMAIL_URL",
    "django_cache_url.config": "CACHE_URL",
    "dj_redis_url.config": "REDIS_URL",
}
# Classes whose instances read variables when called: class -> (via, default position of __call__).
_ENV_CLASSES = {
    "environ.Env": ("django-environ", 2),
    "environ.environ.Env": ("django-environ", 2),
    "environ.FileAwareEnv": ("django-environ", 2),
    "environs.Env": ("environs", 1),
    "decouple.AutoConfig": ("decouple", 1),
    "decouple.Config": ("decouple", 1),
    "starlette.config.Config": ("starlette", 2),
}
# django-environ / environs methods that read one variable (default at position 1),
# and the variable read when none is given.
_ENV_METHODS: dict[str, str | None] = dict.fromkeys(
    [
        "str",
        "bool",
        "int",
        "float",
        "decimal",
        "json",
        "list",
        "tuple",
        "dict",
        "url",
        "path",
        "bytes",
        "date",
        "datetime",
        "time",
        "timedelta",
        "uuid",
        "log_level",
        "enum",
    ]
) | {
    "db": "DATABASE_URL",
    "db_url": "DATABASE_URL",
    "dj_db_url": "DATABASE_URL",
    "cache": "CACHE_URL",
    "cache_url": "CACHE_URL",
    "dj_cache_url": "CACHE_URL",
    "email": "EMAIL_URL",
    "email_url": "EMAIL_URL",
    "dj_email_url": "EMAIL_URL",
    "search_url": "SEARCH_URL",
    "channels": "CHANNELS_URL",
    "channels_url": "CHANNELS_URL",
}
_SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.env_settings.BaseSettings",
    }
)
_FIELD_FUNCTIONS = frozenset({"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field"})
_SECRET_TYPES = frozenset({"SecretStr", "SecretBytes"})


@dataclass(frozen=True)
class EnvLookup:
    """One read of one environment variable."""

    node: cst.BaseExpression  # the Call or Subscript
    name: str | None  # None when the name is computed
    default: cst.BaseExpression | None
    default_arg: cst.Arg | None  # the argument holding the default, to drop it
    via: str


def env_instance_kind(node: cst.BaseExpression, context: FileContext) -> tuple[str, int] | None:
    """`env` bound once at module level to `environ.Env(...)`, or an inline `environ.Env()`."""
    value = context.module_constant(node) if isinstance(node, cst.Name) else node
    if isinstance(value, cst.Call):
        name = context.qualified_name(value.func)
        if name in _ENV_CLASSES:
            return _ENV_CLASSES[name]
    return None


def _named(call: cst.Call, position: int, key: str) -> tuple[cst.Arg | None, str | None]:
    arg = argument(call, position, key)
    return arg, FileContext.string_value(arg.value) if arg is not None else None


def _from_call(call: cst.Call, context: FileContext) -> EnvLookup | None:
    func = call.func
    qualified = context.qualified_name(func)
    if qualified in _OS_FUNCTIONS:
        via, default_position = _OS_FUNCTIONS[qualified]
        name_arg, name = _named(call, 0, "option" if via == "decouple" else "key")
        if name_arg is None:
            return None
        default_arg = argument(call, default_position, "default")
        return EnvLookup(call, name, default_arg.value if default_arg else None, default_arg, via)
    if qualified in _URL_HELPERS:
        env_arg = keyword(call, "env")
        name = FileContext.string_value(env_arg.value) if env_arg else _URL_HELPERS[qualified]
        default_arg = keyword(call, "default")
        return EnvLookup(
            call, name, default_arg.value if default_arg else None, default_arg, "dj-database-url"
        )
    kind = env_instance_kind(func, context)
    if kind is not None:
        via, default_position = kind
        name_arg, name = _named(call, 0, "var" if via == "django-environ" else "key")
        if name_arg is None:
            return None
        default_arg = argument(call, default_position, "default")
        return EnvLookup(call, name, default_arg.value if default_arg else None, default_arg, via)
    if isinstance(func, cst.Attribute) and func.attr.value in _ENV_METHODS:
        kind = env_instance_kind(func.value, context)
        if kind is None or kind[0] not in ("django-environ", "environs"):
            return None
        name_arg, name = _named(call, 0, "var")
        if name_arg is None:
            name = _ENV_METHODS[func.attr.value]
            if name is None:
                return None
        default_arg = argument(call, 1, "default") if name_arg is not None else keyword(call, "default")
        return EnvLookup(call, name, default_arg.value if default_arg else None, default_arg, kind[0])
    return None


def env_lookup(node: cst.CSTNode, context: FileContext) -> EnvLookup | None:
    """The environment read `node` performs, if it is one."""
    if isinstance(node, cst.Call):
        return _from_call(node, context)
    if isinstance(node, cst.Subscript) and context.qualified_name(node.value) in _ENVIRON:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        name = FileContext.string_value(node.slice[0].slice.value)
        return EnvLookup(node, name, None, None, "os.environ")
    return None


def env_scheme_entries(
    call: cst.Call, context: FileContext
) -> Iterator[tuple[str, cst.Arg, cst.BaseExpression]]:
    """`environ.Env(DEBUG=(bool, False))`: (variable, argument, default) per declared default."""
    kind = env_instance_kind(call, context)
    if kind is None or kind[0] != "django-environ":
        return
    for arg in call.args:
        if arg.keyword is None or not isinstance(arg.value, cst.Tuple) or len(arg.value.elements) != 2:
            continue
        yield arg.keyword.value, arg, arg.value.elements[1].value


# -- pydantic-settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsField:
    variable: str  # the environment variable it reads
    target: cst.Name
    statement: cst.AnnAssign
    default: cst.BaseExpression | None  # the default value, if any
    default_arg: cst.Arg | None  # set when the default sits inside Field(...)
    secret_type: bool


_settings_classes: weakref.WeakKeyDictionary[FileContext, dict[str, cst.ClassDef]] = (
    weakref.WeakKeyDictionary()
)


def _local_settings_classes(context: FileContext) -> dict[str, cst.ClassDef]:
    """Module-level classes that derive from BaseSettings, directly or through each other."""
    found = _settings_classes.get(context)
    if found is None:
        classes = {
            statement.name.value: statement
            for statement in context.module.body
            if isinstance(statement, cst.ClassDef)
        }
        found = {}
        changed = True
        while changed:
            changed = False
            for name, node in classes.items():
                if name in found:
                    continue
                for base in node.bases:
                    qualified = context.qualified_name(base.value)
                    local = base.value.value if isinstance(base.value, cst.Name) else None
                    if qualified in _SETTINGS_BASES or local in found:
                        found[name] = node
                        changed = True
                        break
        _settings_classes[context] = found
    return found


def is_settings_class(node: cst.ClassDef, context: FileContext) -> bool:
    if any(context.qualified_name(base.value) in _SETTINGS_BASES for base in node.bases):
        return True
    return _local_settings_classes(context).get(node.name.value) is node


def _small_statements(block: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement]:
    if isinstance(block, cst.SimpleStatementSuite):
        yield from block.body
        return
    for statement in block.body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body


def _assigned(block: cst.BaseSuite, name: str) -> cst.BaseExpression | None:
    """The value of `name = ...` or `name: T = ...` directly in a class body."""
    for small in _small_statements(block):
        if isinstance(small, cst.Assign) and any(
            isinstance(target.target, cst.Name) and target.target.value == name for target in small.targets
        ):
            return small.value
        if (
            isinstance(small, cst.AnnAssign)
            and isinstance(small.target, cst.Name)
            and small.target.value == name
        ):
            return small.value
    return None


def settings_config_value(node: cst.ClassDef, key: str) -> str | None:
    """`model_config = SettingsConfigDict(env_prefix=...)` or `class Config: env_prefix = ...`."""
    if isinstance(node.body, cst.IndentedBlock):
        for statement in node.body.body:
            if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
                return FileContext.string_value(_assigned(statement.body, key))
    value = _assigned(node.body, "model_config")
    if isinstance(value, cst.Call):
        found = keyword(value, key)
        return FileContext.string_value(found.value) if found is not None else None
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement) and FileContext.string_value(element.key) == key:
                return FileContext.string_value(element.value)
    return None


def _env_prefix(node: cst.ClassDef, context: FileContext) -> str:
    prefix = settings_config_value(node, "env_prefix")
    if prefix is not None:
        return prefix
    local = _local_settings_classes(context)
    for base in node.bases:
        if isinstance(base.value, cst.Name) and base.value.value in local:
            return _env_prefix(local[base.value.value], context)
    return ""


def _is_classvar(annotation: cst.BaseExpression, context: FileContext) -> bool:
    target = annotation.value if isinstance(annotation, cst.Subscript) else annotation
    return context.qualified_name(target) in ("typing.ClassVar", "typing_extensions.ClassVar")


def _mentions_secret_type(annotation: cst.BaseExpression) -> bool:
    pending: list[cst.CSTNode] = [annotation]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name) and node.value in _SECRET_TYPES:
            return True
        if isinstance(node, cst.Attribute) and node.attr.value in _SECRET_TYPES:
            return True
        pending.extend(node.children)
    return False


_fields_cache: weakref.WeakKeyDictionary[FileContext, dict[int, list[SettingsField]]] = (
    weakref.WeakKeyDictionary()
)


def settings_fields(node: cst.ClassDef, context: FileContext) -> list[SettingsField]:
    """The fields of a pydantic-settings class, with the variables they read."""
    cache = _fields_cache.setdefault(context, {})
    fields = cache.get(id(node))
    if fields is None:
        fields = cache[id(node)] = _settings_fields(node, context) if is_settings_class(node, context) else []
    return fields


def _settings_fields(node: cst.ClassDef, context: FileContext) -> list[SettingsField]:
    prefix = _env_prefix(node, context)
    fields = []
    for small in _small_statements(node.body):
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            name = small.target.value
            annotation = small.annotation.annotation
            if name.startswith("_") or name == "model_config" or _is_classvar(annotation, context):
                continue
            variable = (prefix + name).upper()
            default: cst.BaseExpression | None = small.value
            default_arg = None
            if isinstance(default, cst.Call) and context.qualified_name(default.func) in _FIELD_FUNCTIONS:
                call = default
                for alias_key in ("validation_alias", "alias", "env"):
                    alias = keyword(call, alias_key)
                    alias_value = FileContext.string_value(alias.value) if alias else None
                    if alias_value:
                        variable = alias_value.upper()
                        break
                default_arg = argument(call, 0, "default")
                default = default_arg.value if default_arg is not None else None
            if isinstance(default, cst.Ellipsis):
                default, default_arg = None, None
            fields.append(
                SettingsField(
                    variable, small.target, small, default, default_arg, _mentions_secret_type(annotation)
                )
            )
    return fields


# -- positions and fixes --------------------------------------------------------------------


def env_default_of(context: FileContext) -> EnvLookup | SettingsField | tuple[str, cst.Arg] | None:
    """The read (or pydantic field, or django-environ scheme entry) whose default is being visited.

    Such literals are the idiomatic twelve-factor form (`os.environ.get("X",
    "default")`), so the rules that flag hardcoded values leave them alone,
    except FS0302, which checks for secret defaults.
    """
    stack = context.stack
    node = stack[-1]
    parents = stack[-2::-1]
    if not parents:
        return None
    first = parents[0]
    if isinstance(first, cst.Arg) and len(parents) > 1 and isinstance(parents[1], cst.Call):
        call = parents[1]
        lookup = env_lookup(call, context)
        if lookup is not None and lookup.default is node:
            return lookup
        if context.qualified_name(call.func) in _FIELD_FUNCTIONS and len(parents) > 2:
            statement = parents[2]
            owner = next((p for p in parents[3:] if isinstance(p, cst.ClassDef)), None)
            if isinstance(statement, cst.AnnAssign) and owner is not None:
                for settings_field in settings_fields(owner, context):
                    if settings_field.statement is statement and settings_field.default is node:
                        return settings_field
    if isinstance(first, cst.AnnAssign) and first.value is node:
        owner = context.enclosing_class()
        if owner is not None:
            for settings_field in settings_fields(owner, context):
                if settings_field.statement is first:
                    return settings_field
    # `os.environ.get("X") or "default"`: the default in another shape (no argument to drop).
    if isinstance(first, cst.BooleanOperation) and isinstance(first.operator, cst.Or) and first.right is node:
        lookup = env_lookup(first.left, context)
        if lookup is not None and lookup.default is None and lookup.name is not None:
            return dataclasses.replace(lookup, default=node, default_arg=None)
    # environ.Env(SECRET_KEY=(str, "default"))
    if isinstance(first, cst.Element) and len(parents) > 3:
        tuple_node, arg, owner_call = parents[1], parents[2], parents[3]
        if (
            isinstance(tuple_node, cst.Tuple)
            and isinstance(arg, cst.Arg)
            and isinstance(owner_call, cst.Call)
            and arg.keyword is not None
        ):
            for variable, entry, default in env_scheme_entries(owner_call, context):
                if entry is arg and default is node:
                    return (variable, arg)
    return None


def read_variable(read: EnvLookup | SettingsField | tuple[str, cst.Arg]) -> str | None:
    """The variable that a read from env_default_of() reads (None when its name is computed)."""
    if isinstance(read, tuple):
        return read[0]
    if isinstance(read, SettingsField):
        return read.variable
    return read.name


def require_variable(
    fix: FixBuilder, read: EnvLookup | SettingsField | tuple[str, cst.Arg], context: FileContext
) -> bool:
    """Rewrite a read so that it has no default and fails when the variable is unset.

    `os.getenv("X", "d")` becomes `os.environ["X"]`; `config("X", default="d")`
    and `env("X", default="d")` lose the default (both raise when unset); a
    pydantic field loses its default and becomes required; a django-environ
    scheme entry keeps only its cast. Returns False when no rewrite applies, and
    for a read in a parameter or class field default, which runs at import.
    """
    if not isinstance(read, SettingsField) and evaluated_at_definition(context):
        return False
    if isinstance(read, tuple):
        _variable, arg = read
        value = arg.value
        if isinstance(value, cst.Tuple):
            fix.replace(value, value.elements[0].value)
            return True
        return False
    if isinstance(read, SettingsField):
        if read.default_arg is not None:
            call = read.statement.value
            if isinstance(call, cst.Call):
                index = list(call.args).index(read.default_arg)
                fix.replace(call, call.with_changes(args=rebuild(call.args, drop={index})))
                return True
            return False
        fix.replace(
            read.statement,
            read.statement.with_changes(value=None, equal=cst.MaybeSentinel.DEFAULT),
        )
        return True
    if read.name is None or read.default_arg is None:
        return False
    if read.via in ("os.getenv", "os.environ.get"):
        fix.replace(read.node, environ_lookup(fix, read.name))
        return True
    call = read.node
    if read.via in ("decouple", "django-environ", "environs", "starlette", "dj-database-url") and isinstance(
        call, cst.Call
    ):
        index = list(call.args).index(read.default_arg)
        if read.default_arg.keyword is None and positional(call, index + 1) is not None:
            return False  # a positional argument after the default would shift
        fix.replace(call, call.with_changes(args=rebuild(call.args, drop={index})))
        return True
    return False


# -- fallbacks of env-parsing helpers --------------------------------------------------------

# Names that say a function turns an environment value into settings:
# parse_redis_url(env_redis), cache_from_env(value).
_HELPER_WORDS = frozenset({"parse", "env", "environ", "environment"})


def _parameter_test(test: cst.BaseExpression) -> tuple[str, bool] | None:
    """(name, whether the test is true when the value is missing) for `p is None`, `not p`,
    `p == ""`, `p`, `p is not None`."""
    if isinstance(test, cst.Name):
        return test.value, False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _parameter_test(test.expression)
        return (inner[0], not inner[1]) if inner is not None else None
    if isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        missing = isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
        missing = missing or FileContext.string_value(target.comparator) == ""
        if missing and isinstance(target.operator, (cst.Is, cst.Equal)):
            return test.left.value, True
        if missing and isinstance(target.operator, (cst.IsNot, cst.NotEqual)):
            return test.left.value, False
    return None


def _guarded_name(context: FileContext) -> str | None:
    """The name whose absence the visited value stands in for, within its function:
    `if p is None: return "..."`, `p or "..."`, `"..." if not p else p`."""
    stack = context.stack
    for index in range(len(stack) - 2, -1, -1):
        node, child = stack[index], stack[index + 1]
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return None
        if isinstance(node, (cst.If, cst.IfExp)):
            test = _parameter_test(node.test)
            branch = child is node.body or child is node.orelse
            if test is not None and branch and (child is node.body) == test[1]:
                return test[0]
        elif (
            isinstance(node, cst.BooleanOperation)
            and isinstance(node.operator, cst.Or)
            and child is node.right
            and isinstance(node.left, cst.Name)
        ):
            return node.left.value
    return None


def _calls_with_env_reads(context: FileContext) -> frozenset[str]:
    """Names of the functions this module calls with an environment read as an argument."""
    found = _helper_calls.get(context)
    if found is None:
        names = set()
        pending: list[cst.CSTNode] = [context.module]
        while pending:
            node = pending.pop()
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Name)
                and any(env_lookup(arg.value, context) is not None for arg in node.args)
            ):
                names.add(node.func.value)
            pending.extend(node.children)
        found = _helper_calls[context] = frozenset(names)
    return found


_helper_calls: weakref.WeakKeyDictionary[FileContext, frozenset[str]] = weakref.WeakKeyDictionary()


def env_helper_fallback(context: FileContext) -> bool:
    """The visited value is an env-parsing helper's fallback for a missing argument.

    `def parse_redis_url(env_redis): if env_redis is None: return "redis://localhost:6379"`,
    called as `parse_redis_url(os.getenv("REDIS_URL"))`: the environment controls the
    value, one call away. A helper is known by its name or its parameter's (`parse_*`,
    `*_env*`), or by a call in the same module that passes it an environment read.
    """
    function = context.enclosing_function()
    name = _guarded_name(context)
    if function is None or name is None:
        return False
    parameters = function.params
    every = (*parameters.posonly_params, *parameters.params, *parameters.kwonly_params)
    if name not in {parameter.name.value for parameter in every}:
        return False
    if (set(name_words(function.name.value)) | set(name_words(name))) & _HELPER_WORDS:
        return True
    return function.name.value in _calls_with_env_reads(context)
