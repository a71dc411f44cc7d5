"""What a boolean flag read from the environment is while its variable is unset.

`os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")` is on
until a deploy sets `DEBUG`: the expression is evaluated with the lookup
replaced by its default. Only the shapes such flags take are understood
(string methods, comparisons, membership, `not`, `bool`/`int`); anything
else is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from factorscan.python.env_reads import EnvLookup, env_lookup
from factorscan.python.traversal import FileContext

_UNKNOWN = object()
_STRING_METHODS = frozenset({"lower", "upper", "strip", "casefold", "title", "capitalize"})
# Values a fix may give the default to switch a flag off, in order of preference.
_OFF_SPELLINGS = ("false", "False", "0", "")


@dataclass(frozen=True)
class EnvFlag:
    lookup: EnvLookup
    on_when_unset: bool
    off_default: str | None  # a default that makes the flag off, when one of the usual spellings does


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
    off = next((text for text in _OFF_SPELLINGS if _is_off(_evaluate(node, lookup.node, text))), None)
    return EnvFlag(lookup, bool(result), off)
