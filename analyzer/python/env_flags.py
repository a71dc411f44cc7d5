"""What a boolean flag read from the environment is while its variable is unset.

`os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")` is on
until a deploy sets `DEBUG`: the expression is evaluated with the lookup
replaced by its default. Only the shapes such flags take are understood
(string methods, comparisons, membership, `not`, `bool`/`int`); anything
else is unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from factorscan.python.env_reads import EnvLookup, env_lookup
from factorscan.python.inference import project_definition
from factorscan.python.traversal import FileContext

_UNKNOWN = object()
_STRING_METHODS = frozenset({"lower", "upper", "strip", "casefold", "title", "capitalize"})
# Values a fix may give the default to switch a flag off, in order of preference.
_OFF_SPELLINGS = ("false", "False", "0", "")


@dataclass(frozen=True)
class EnvFlag:
    lookup: EnvLookup
    on_when_unset: bool
    # A default that makes the flag off, when one of the usual spellings does: text, or
    # False where the default is written as a bool (a helper returns it unparsed).
    off_default: str | bool | None


def _lookups(node: cst.CSTNode, context: FileContext) -> list[EnvLookup]:
    found = []
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        lookup = env_lookup(current, context)
        if lookup is not None:
            found.append(lookup)
            continue
        pending.extend(current.children)
    return found


def _evaluate(node: cst.BaseExpression, lookup: cst.BaseExpression, value: object) -> object:
    if node is lookup:
        return value
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        items = [_evaluate(element.value, lookup, value) for element in node.elements]
        starred = any(isinstance(element, cst.StarredElement) for element in node.elements)
        return _UNKNOWN if starred or any(item is _UNKNOWN for item in items) else items
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        operand = _evaluate(node.expression, lookup, value)
        return _UNKNOWN if operand is _UNKNOWN else not operand
    if isinstance(node, cst.Call):
        return _call(node, lookup, value)
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        left = _evaluate(node.left, lookup, value)
        target = node.comparisons[0]
        right = _evaluate(target.comparator, lookup, value)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        return _compare(target.operator, left, right)
    return _UNKNOWN


def _call(node: cst.Call, lookup: cst.BaseExpression, value: object) -> object:
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value in _STRING_METHODS and not node.args:
        receiver = _evaluate(func.value, lookup, value)
        return getattr(receiver, func.attr.value)() if isinstance(receiver, str) else _UNKNOWN
    if isinstance(func, cst.Name) and func.value in ("bool", "int") and len(node.args) == 1:
        argument = _evaluate(node.args[0].value, lookup, value)
        if argument is _UNKNOWN:
            return _UNKNOWN
        try:
            return bool(argument) if func.value == "bool" else int(argument)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return _UNKNOWN  # the program would raise: not a flag we can judge
    return _UNKNOWN


def _compare(operator: cst.BaseCompOp, left: object, right: object) -> object:
    try:
        if isinstance(operator, cst.Equal):
            return left == right
        if isinstance(operator, cst.NotEqual):
            return left != right
        if isinstance(operator, cst.In):
            return left in right  # type: ignore[operator]
        if isinstance(operator, cst.NotIn):
            return left not in right  # type: ignore[operator]
        if isinstance(operator, cst.Is):
            return left is right
        if isinstance(operator, cst.IsNot):
            return left is not right
    except TypeError:
        return _UNKNOWN
    return _UNKNOWN


def _is_off(value: object) -> bool:
    return value is not _UNKNOWN and not value


def env_flag_when_unset(node: cst.BaseExpression, context: FileContext) -> EnvFlag | None:
    """The flag `node` computes from one environment read, judged with the variable unset."""
    lookups = _lookups(node, context)
    if len(lookups) != 1:
        return None
    lookup = lookups[0]
    if lookup.default is None:
        default: object = None
    else:
        default = context.string_value(lookup.default)
        if default is None:
            literal = _evaluate(lookup.default, lookup.node, None)
            default = _UNKNOWN if literal is _UNKNOWN else literal
    if default is _UNKNOWN:
        return None
    result = _evaluate(node, lookup.node, default)
    if result is _UNKNOWN:
        return None
    off: str | bool | None
    if isinstance(default, bool):
        off = False if _is_off(_evaluate(node, lookup.node, False)) else None
    else:
        off = next((text for text in _OFF_SPELLINGS if _is_off(_evaluate(node, lookup.node, text))), None)
    return EnvFlag(lookup, bool(result), off)


# Spellings of on that a flag's default may take.
_ON_TEXTS = frozenset({"true", "1", "yes", "on", "y", "t"})
# Where a helper's body reads the variable it is given: `os.environ.get(name, ...)`,
# `os.getenv(name)`, `config(name, ...)`, `env.bool(name, ...)`, `os.environ[name]`.
_READ_METHODS = ("environ.get", "environ.setdefault", "environ.pop", "getenv")
_READ_FUNCTIONS = frozenset({"getenv", "config", "env", "decouple.config"})
_READ_METHOD_RECEIVERS = frozenset({"env", "environ"})


def _on_value(value: object) -> bool:
    if isinstance(value, int):
        return value == 1  # True too
    return isinstance(value, str) and value.strip().lower() in _ON_TEXTS


def _cst_value(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    return _UNKNOWN


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _reads_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str) -> bool:
    """The body reads the environment variable that `parameter` names."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Name) and first.id == parameter):
                continue
            dotted = _dotted(node.func)
            if (
                dotted.endswith(_READ_METHODS)
                or dotted in _READ_FUNCTIONS
                or dotted.split(".")[0] in _READ_METHOD_RECEIVERS
            ):
                return True
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Name)
            and node.slice.id == parameter
            and _dotted(node.value).endswith("environ")
        ):
            return True
    return False


def _env_object(definition: object) -> bool:
    """`env = environ.Env()`, `env = Env()`: a django-environ or environs object."""
    if not isinstance(definition, ast.Assign) or not isinstance(definition.value, ast.Call):
        return False
    func = definition.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("Env", "FileAwareEnv")


def helper_flag_on(call: cst.Call, context: FileContext) -> str | None:
    """The variable a first-party helper reads when its default switches the flag on:
    `env_bool("DEBUG", "True")` where `env_bool` (here, or in a module the project imports it
    from) reads the environment variable it is given, or `env.bool("DEBUG", default=True)` on
    a django-environ or environs object bound in another module of the project."""
    if not call.args or call.args[0].keyword is not None:
        return None
    variable = context.string_value(call.args[0].value)
    if variable is None:
        return None
    default = next((arg for arg in call.args[1:] if arg.keyword and arg.keyword.value == "default"), None)
    if default is None and len(call.args) > 1 and call.args[1].keyword is None:
        default = call.args[1]
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "bool":
        if default is None or not _on_value(_cst_value(default.value)):
            return None
        return variable if _env_object(project_definition(func.value, context)) else None
    definition = project_definition(func, context)
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    parameters = [*definition.args.posonlyargs, *definition.args.args]
    if not parameters or not _reads_parameter(definition, parameters[0].arg):
        return None
    if default is not None:
        return variable if _on_value(_cst_value(default.value)) else None
    # No default given: the helper's own, when its second parameter has one.
    defaults = definition.args.defaults
    offset = len(parameters) - len(defaults)
    if len(parameters) < 2 or offset > 1:
        return None
    own = defaults[1 - offset]
    return variable if isinstance(own, ast.Constant) and _on_value(own.value) else None
