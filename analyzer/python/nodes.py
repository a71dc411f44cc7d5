"""Small helpers over libcst nodes that need no file context: children in source
order, string literal values, the `if __name__ == "__main__":` test, the file's
quote style."""

from __future__ import annotations

import dataclasses
import io
import tokenize
from collections.abc import Iterator

import libcst as cst

_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "header",
        "footer",
        "leading_lines",
        "lines_after_decorators",
        "trailing_whitespace",
        "colon",
        "equal",
        "dot",
        "asynchronous",
        "star",
        "star_tok",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "indent",
        "newline",
        "whitespace",
    }
)
# Source order where dataclass field order differs from it (by libcst class name: libcst
# is not used at import time, see core/lazy_import.py).
_FIELD_ORDER = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
}
_child_fields: dict[type, tuple[str, ...]] = {}


def child_fields(node_type: type) -> tuple[str, ...]:
    fields = _child_fields.get(node_type)
    if fields is None:
        names = {f.name for f in dataclasses.fields(node_type)}
        order = _FIELD_ORDER.get(node_type.__name__) if node_type.__module__.startswith("libcst.") else None
        if order is not None:
            fields = tuple(name for name in order if name in names)
        else:
            fields = tuple(
                f.name
                for f in dataclasses.fields(node_type)
                if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
            )
        _child_fields[node_type] = fields
    return fields


def iter_children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [
        side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"
    ]
    return bool(names and strings)


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left = string_value(node.left)
        right = string_value(node.right)
        return left + right if left is not None and right is not None else None
    return None


def preferred_quote(text: str) -> str:
    """`'` when most single-line plain strings of `text` use it, else `"`."""
    counts = {"'": 0, '"': 0}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.STRING:
                continue
            body = token.string.lstrip("rRbBuU")
            if body[:3] in ("'''", '"""'):
                continue  # docstrings are written with double quotes whatever the style
            if body[:1] in counts:
                counts[body[0]] += 1
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return "'" if counts["'"] > counts['"'] else '"'
