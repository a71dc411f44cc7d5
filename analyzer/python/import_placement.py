"""Where a fix's new import (`import os`, `import sys`) goes in a module: after the
docstring and `__future__` imports, beside the standard-library imports, never
inside an `# isort: off` region; and which imports a fix left unused."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

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


def _leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    if isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        return statement.leading_lines
    return ()


def _comments(statement: cst.BaseStatement) -> Iterator[str]:
    for line in _leading_lines(statement):
        if line.comment is not None:
            yield line.comment.value
    if isinstance(statement, cst.SimpleStatementLine) and statement.trailing_whitespace.comment is not None:
        yield statement.trailing_whitespace.comment.value


def _isort_action(comment: str) -> str | None:
    """ "off", "on" or "skip" for an isort action comment."""
    match = re.fullmatch(r"#\s*isort\s*:\s*(off|on|skip)\b.*", comment.strip())
    return match.group(1) if match else None


class Insertion(NamedTuple):
    """Where an import goes: before or after `anchor` (None: the file start), and its text.

    `skip_lines`: an insertion before the anchor goes after this many of its
    leading blank lines, so it stays on the anchor's side of a blank line.
    """

    anchor: cst.CSTNode | None
    before: bool
    text: str
    skip_lines: int = 0


def _leading_blank_lines(statement: cst.BaseStatement) -> int:
    count = 0
    for line in _leading_lines(statement):
        if line.comment is not None:
            break
        count += 1
    return count


def import_insertion(module: cst.Module, name: str) -> Insertion:
    """Where `import <name>` goes, the way isort would place it.

    Inside the leading import block: among the stdlib `import x` lines in
    alphabetical order, else before the first stdlib `from` import, else
    before the first other import. With no imports: after the docstring and
    `from __future__` imports, a blank line between. Imports isort is told to
    leave alone (`# isort: off` ... `# isort: on`, `# isort: skip`) are never
    anchors.
    """
    text = f"import {name}\n"
    body = list(module.body)
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    after: cst.BaseStatement | None = body[0] if index else None
    block: list[tuple[cst.BaseStatement, cst.Import | cst.ImportFrom]] = []
    sorting = True
    for statement in body[index:]:
        node = _import_statement(statement)
        if node is None:
            break
        actions = [action for action in map(_isort_action, _comments(statement)) if action]
        for action in actions:
            if action in ("off", "on"):
                sorting = action == "on"
        if isinstance(node, cst.ImportFrom) and _imported_module(node) == "__future__":
            after = statement
            continue
        if sorting and "skip" not in actions:
            block.append((statement, node))

    if not block:
        if after is None:
            if body:
                return Insertion(body[0], True, text + "\n", _leading_blank_lines(body[0]))
            return Insertion(None, True, text)
        # A blank line separates the new import from a docstring or __future__.
        return Insertion(after, False, "\n" + text)

    straight = [
        (statement, _imported_module(node))
        for statement, node in block
        if isinstance(node, cst.Import) and is_stdlib(_imported_module(node))
    ]
    for anchor, module_name in straight:
        if module_name > name:
            return Insertion(anchor, True, text, _leading_blank_lines(anchor))
    if straight:
        return Insertion(straight[-1][0], False, text)
    for anchor, node in block:
        if isinstance(node, cst.ImportFrom) and is_stdlib(_imported_module(node)):
            return Insertion(anchor, True, text, _leading_blank_lines(anchor))
    # No stdlib imports yet: a new stdlib section goes first, a blank line after it.
    return Insertion(block[0][0], True, text + "\n", _leading_blank_lines(block[0][0]))


# -- imports a fix left unused -------------------------------------------------------


def _uses(tree: ast.Module) -> Counter[str]:
    """How often each name and each dotted chain (`logging.handlers`) is read."""
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            counts[node.id] += 1
        elif isinstance(node, ast.Attribute):
            chain = ast.unparse(node)
            if re.fullmatch(r"[\w.]+", chain):
                counts[chain] += 1
    return counts


def _mentioned_elsewhere(name: str, text: str) -> bool:
    """`name` appears in `text` outside import lines (a string annotation, `__all__`, a comment)."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    return any(
        pattern.search(line) for line in text.splitlines() if not re.match(r"\s*(?:from|import)\s", line)
    )


def remove_unused_imports(before: str, after: str) -> str:
    """`after` (a fixed module) without the top-level imports the fix left unused.

    An imported name (or dotted module, `import logging.handlers`) counts as
    left unused when the code read it before the fix and reads it nowhere
    after, not even in a string or comment. `import a.b` whose `a.b` is no
    longer read but whose `a` still is becomes `import a`. Anything that does
    not parse is returned unchanged.
    """
    try:
        used_before, used_after = _uses(ast.parse(before)), _uses(ast.parse(after))
        module = cst.parse_module(after)
    except (SyntaxError, ValueError, RecursionError, cst.ParserSyntaxError):
        return after

    def left_unused(name: str) -> bool:
        return used_before[name] > 0 and used_after[name] == 0 and not _mentioned_elsewhere(name, after)

    bound_heads = Counter(
        (dotted_name(alias.name) or "").split(".")[0]
        for statement in module.body
        if isinstance(node := _import_statement(statement), cst.Import)
        for alias in node.names
        if alias.asname is None
    )
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    changed = False
    first_removed = False
    for index, statement in enumerate(module.body):
        node = _import_statement(statement)
        if node is None or (isinstance(node, cst.ImportFrom) and not isinstance(node.names, Sequence)):
            kept_statement: cst.BaseStatement | None = statement
        else:
            kept_statement = _without_unused(statement, node, left_unused, bound_heads)
        if kept_statement is not statement:
            changed = True
        if kept_statement is None:
            first_removed = first_removed or index == 0
            carried.extend(_leading_lines(statement))  # comments above a removed import stay
            continue
        if carried or (first_removed and not body):
            lines = [*carried, *_leading_lines(kept_statement)]
            while first_removed and not body and lines and lines[0].comment is None:
                lines.pop(0)  # the module's first statement went: no blank lines open the file
            kept_statement = kept_statement.with_changes(leading_lines=lines)
            carried = []
        body.append(kept_statement)
    if not changed:
        return after
    return module.with_changes(body=body, footer=[*carried, *module.footer]).code


def _without_unused(
    statement: cst.BaseStatement,
    node: cst.Import | cst.ImportFrom,
    left_unused: Callable[[str], bool],
    bound_heads: Counter[str],
) -> cst.BaseStatement | None:
    """`statement` less its unused names; None when none is left."""
    names = node.names
    assert isinstance(names, Sequence)
    kept: list[cst.ImportAlias] = []
    for alias in names:
        dotted = dotted_name(alias.name) or ""
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            if not left_unused(alias.asname.name.value):
                kept.append(alias)
        elif isinstance(node, cst.ImportFrom):
            if not left_unused(dotted):
                kept.append(alias)
        elif "." in dotted and left_unused(dotted):
            head = dotted.split(".")[0]
            if not left_unused(head) and bound_heads[head] == 1:
                kept.append(alias.with_changes(name=cst.Name(head)))  # its `a` is still read
            elif not left_unused(head) and bound_heads[head] > 1:
                continue  # another import binds `a`
        elif not left_unused(dotted):
            kept.append(alias)
    if len(kept) == len(names) and all(new is old for new, old in zip(kept, names, strict=True)):
        return statement
    if not kept:
        return None
    last_comma = names[-1].comma
    kept[-1] = kept[-1].with_changes(comma=last_comma)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement.with_changes(body=[node.with_changes(names=kept)])
