"""Required environment lookups that do not run at import.

An unsafe fix replaces a secret with `os.environ["NAME"]`, which fails while
NAME is unset. At module level that is the point: the app needs the value.
A parameter default or a dataclass field default, though, is evaluated when
its `def` or `class` statement runs, at import: every importer would then
fail, even one that always passes the argument. `required_lookup` writes the
lookup where it runs when the default is used, or declines.
"""

from __future__ import annotations

import libcst as cst

from factorscan.python.codemods import env_lookup
from factorscan.python.traversal import FileContext, FixBuilder

# Decorators that make annotated class attributes into fields with `field(default_factory=...)`.
_DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
_FIELD = "dataclasses.field"


def _tight_equal() -> cst.AssignEqual:
    tight = cst.SimpleWhitespace("")
    return cst.AssignEqual(whitespace_before=tight, whitespace_after=tight)


def required_lookup(fix: FixBuilder, node: cst.BaseExpression, variable: str) -> bool:
    """Replace `node` (the node being visited) with a required read of `variable`.

    A dataclass field's default becomes `field(default_factory=lambda: ...)`, read
    when an instance is made. False, with nothing replaced, where no rewrite
    keeps the import working: a parameter default (a `None` default would
    change what callers see), a field of another kind of class (pydantic, attrs),
    or a literal nested inside a field's default.
    """
    context = fix.context
    if _in_parameter_default(context):
        return False
    field = _class_field(context)
    if field is None:
        fix.replace(node, env_lookup(fix, variable))
        return True
    statement, decorated = field
    if not decorated:
        return False
    factory = cst.Lambda(params=cst.Parameters(), body=env_lookup(fix, variable))
    value = statement.value
    if value is node:
        argument = cst.Arg(factory, keyword=cst.Name("default_factory"), equal=_tight_equal())
        fix.replace(node, cst.Call(func=_field_function(fix, context), args=[argument]))
        return True
    if isinstance(value, cst.Call) and context.qualified_name(value.func) == _FIELD:
        default = next((arg for arg in value.args if arg.keyword and arg.keyword.value == "default"), None)
        if default is not None and default.value is node:
            fix.replace(default, default.with_changes(keyword=cst.Name("default_factory"), value=factory))
            return True
    return False


def evaluated_at_definition(context: FileContext) -> bool:
    """The node being visited is in a parameter default or in a class field's default."""
    return _in_parameter_default(context) or _class_field(context) is not None


def _in_parameter_default(context: FileContext) -> bool:
    """Inside the default of a `def` or `lambda` parameter."""
    stack = context.stack
    for index in range(len(stack) - 2, -1, -1):
        node = stack[index]
        if isinstance(node, cst.Param):
            return stack[index + 1] is node.default
        if isinstance(node, (cst.BaseStatement, cst.BaseSmallStatement)):
            return False
    return False


def _class_field(context: FileContext) -> tuple[cst.AnnAssign, bool] | None:
    """(the annotated assignment, whether its class is a dataclass) when the node being
    visited is in the default of an annotated attribute of a class that is not plain.

    A class with no bases and no decorators keeps its attributes as constants: the
    lookup runs at import as a module constant's does. Any other class may turn them
    into fields (pydantic, attrs, msgspec): only a dataclass's are known to take a factory.
    """
    stack = context.stack
    for index in range(len(stack) - 2, 2, -1):
        node = stack[index]
        if isinstance(node, cst.AnnAssign):
            if stack[index + 1] is not node.value:
                return None
            line, block, owner = stack[index - 1], stack[index - 2], stack[index - 3]
            if not (
                isinstance(line, cst.SimpleStatementLine)
                and isinstance(block, cst.IndentedBlock)
                and isinstance(owner, cst.ClassDef)
            ):
                return None
            if not owner.bases and not owner.keywords and not owner.decorators:
                return None
            return node, any(_is_dataclass_decorator(d.decorator, context) for d in owner.decorators)
        if isinstance(node, (cst.BaseStatement, cst.BaseSmallStatement)):
            return None
    return None


def _is_dataclass_decorator(expression: cst.BaseExpression, context: FileContext) -> bool:
    if isinstance(expression, cst.Call):
        expression = expression.func
    return context.qualified_name(expression) in _DATACLASS_DECORATORS


def _field_function(fix: FixBuilder, context: FileContext) -> cst.BaseExpression:
    """`field` when the file imports it from dataclasses, else `dataclasses.field`."""
    for local, qualified in context.imports.bindings.items():
        if qualified == _FIELD and "." not in local:
            return cst.Name(local)
    module = fix.use_module("dataclasses")
    return cst.Attribute(value=cst.Name(module), attr=cst.Name("field"))
