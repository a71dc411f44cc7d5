"""Where a fix's new import (`import os`, `import sys`) goes in a module: after the
docstring and `__future__` imports, beside the standard-library imports."""

from __future__ import annotations

import libcst as cst

from factorscan.python.imports import dotted_name, is_stdlib


def _import_statement(statement: cst.BaseStatement) -> cst.Import | cst.ImportFrom | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return small
    return None


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _imported_module(node: cst.Import | cst.ImportFrom) -> str:
    if isinstance(node, cst.Import):
        return dotted_name(node.names[0].name) or ""
    if node.relative:
        return "."
    return dotted_name(node.module) if node.module is not None else ""  # type: ignore[return-value]


def import_insertion(module: cst.Module, name: str) -> tuple[cst.CSTNode | None, bool, str]:
    """Where `import <name>` goes, the way isort would place it.

    Returns (anchor statement or None for the file start, insert before the
    anchor?, text). Inside the leading import block: among the stdlib
    `import x` lines in alphabetical order, else before the first stdlib
    `from` import, else before the first other import. With no imports: after
    the docstring and `from __future__` imports.
    """
    text = f"import {name}\n"
    body = list(module.body)
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    after: cst.BaseStatement | None = body[0] if index else None
    block: list[tuple[cst.BaseStatement, cst.Import | cst.ImportFrom]] = []
    for statement in body[index:]:
        node = _import_statement(statement)
        if node is None:
            break
        if isinstance(node, cst.ImportFrom) and _imported_module(node) == "__future__":
            after = statement
            continue
        block.append((statement, node))

    if not block:
        if after is None:
            if body:
                return body[0], True, text + "\n"
            return None, True, text
        # A blank line separates the new import from a docstring or __future__.
        return after, False, "\n" + text

    straight = [
        (statement, _imported_module(node))
        for statement, node in block
        if isinstance(node, cst.Import) and is_stdlib(_imported_module(node))
    ]
    for anchor, module_name in straight:
        if module_name > name:
            return anchor, True, text
    if straight:
        return straight[-1][0], False, text
    for anchor, node in block:
        if isinstance(node, cst.ImportFrom) and is_stdlib(_imported_module(node)):
            return anchor, True, text
    # No stdlib imports yet: a new stdlib section goes first, a blank line after it.
    return block[0][0], True, text + "\n"
