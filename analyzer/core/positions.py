"""Positions of a few libcst nodes, without PositionProvider's whole-tree cost.

libcst's PositionProvider builds a CodeRange for every node of the module;
measured on Django that is 12x the cost of plain code generation. Findings
need positions for a handful of nodes, so this pass runs plain code
generation once, counting characters, and records offsets only for the nodes
asked for. Offsets index the module's code, which libcst guarantees equals
the parsed source text.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState

from factorscan.core.errors import RoundTripError

# Statements whose first line may carry the noqa comment for a finding inside.
_STATEMENT_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


@dataclass
class Span:
    """Code-point offsets of a node: with and without its own whitespace/parens."""

    outer_start: int
    outer_end: int
    start: int
    end: int
    statement_start: int  # syntactic start of the innermost enclosing statement


@dataclass
class _OpenStatement:
    node: cst.CSTNode
    start: int | None = None  # syntactic start, known once its header is reached


class _OffsetState(CodegenState):
    """A CodegenState that counts characters and records offsets of wanted nodes."""

    def __init__(
        self, module: cst.Module, wanted: set[cst.CSTNode], start: int = 0, keep_tokens: bool = False
    ) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = start
        self.keep_tokens = keep_tokens
        self.wanted = wanted
        self.outer: dict[cst.CSTNode, list[int]] = {}
        self.inner: dict[cst.CSTNode, tuple[int, int]] = {}
        self.statement_of: dict[cst.CSTNode, int] = {}
        # Statements being generated, innermost last.
        self._statements: list[_OpenStatement] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)
        if self.keep_tokens:
            self.tokens.extend(self.indent_tokens)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        if self.keep_tokens:
            self.tokens.append(value)

    def pop_trailing_newline(self) -> None:
        # Only the end of the last statement can move; positions clamp to the text.
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        if isinstance(node, _STATEMENT_TYPES):
            self._statements.append(_OpenStatement(node))
        if node in self.wanted:
            self.outer[node] = [self.offset, -1]
            known = (entry.start for entry in reversed(self._statements) if entry.start is not None)
            self.statement_of[node] = next(known, self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            self.outer[node][1] = self.offset
        if self._statements and self._statements[-1].node is node:
            self._statements.pop()

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        if self._statements and self._statements[-1].node is node and self._statements[-1].start is None:
            self._statements[-1].start = self.offset
        if node not in self.wanted:
            yield
            return
        for child in (start_node, end_node):
            if child is not None:
                self.wanted.add(child)
        start = self.offset
        yield
        end = self.offset
        if start_node is not None and start_node in self.inner:
            start = self.inner[start_node][0]
        if end_node is not None and end_node in self.inner:
            end = self.inner[end_node][1]
        self.inner[node] = (start, end)


def _spans(state: _OffsetState, wanted: set[cst.CSTNode], text_length: int) -> dict[cst.CSTNode, Span]:
    spans: dict[cst.CSTNode, Span] = {}
    for node in wanted:
        outer = state.outer.get(node)
        if outer is None:
            continue  # not part of this module
        outer_start, outer_end = outer[0], min(outer[1], text_length)
        start, end = state.inner.get(node, (outer_start, outer_end))
        spans[node] = Span(
            outer_start=outer_start,
            outer_end=outer_end,
            start=start,
            end=min(end, text_length),
            statement_start=state.statement_of.get(node, start),
        )
    return spans


def _locate_whole(module: cst.Module, wanted: set[cst.CSTNode], text: str) -> dict[cst.CSTNode, Span]:
    state = _OffsetState(module, set(wanted), keep_tokens=True)
    module._codegen(state)
    # libcst round-trips every file it parses, but a few odd files (a
    # backslash continuation before the first statement) lose characters.
    code = "".join(state.tokens)
    if code != text and code.rstrip("\r\n") != text.rstrip("\r\n"):
        raise RoundTripError("libcst does not reproduce this file exactly; findings here would be misplaced")
    return _spans(state, wanted, len(text))


def _first_rows(module: cst.Module, tree: ast.Module) -> dict[cst.CSTNode, int] | None:
    """1-based row where each top-level statement's code (leading lines included) starts.

    libcst's top-level statements line up with `ast`'s: a SimpleStatementLine
    holds one ast statement per small statement; a compound statement is one
    (its first row is its first decorator's). None when they do not line up.
    """
    rows: dict[cst.CSTNode, int] = {}
    index = 0
    body = tree.body
    for statement in module.body:
        if index >= len(body):
            return None
        node = body[index]
        if isinstance(statement, cst.SimpleStatementLine):
            index += len(statement.body)
            first = node.lineno
        else:
            index += 1
            decorators = getattr(node, "decorator_list", None)
            first = decorators[0].lineno if decorators else node.lineno
        rows[statement] = first - len(statement.leading_lines)
    return rows if index == len(body) else None


def _locate_in_statements(
    module: cst.Module,
    wanted: set[cst.CSTNode],
    *,
    text: str,
    line_starts: list[int],
    tree: ast.Module,
    statement_of: dict[cst.CSTNode, cst.CSTNode],
) -> dict[cst.CSTNode, Span] | None:
    rows = _first_rows(module, tree)
    if rows is None:
        return None
    by_statement: dict[cst.CSTNode, set[cst.CSTNode]] = {}
    for node in wanted:
        by_statement.setdefault(statement_of[node], set()).add(node)
    spans: dict[cst.CSTNode, Span] = {}
    for statement, nodes in by_statement.items():
        row = rows.get(statement)
        if row is None or not 1 <= row <= len(line_starts):
            return None
        state = _OffsetState(module, set(nodes), start=line_starts[row - 1], keep_tokens=True)
        statement._codegen(state)
        code = "".join(state.tokens)
        begin = line_starts[row - 1]
        # The check that makes this shortcut safe: the statement's code must sit
        # exactly there (the last line of a file may lack its newline).
        if text[begin : begin + len(code)] != code and text[begin:] != code.rstrip("\r\n"):
            return None
        found = _spans(state, nodes, len(text))
        if len(found) != len(nodes):
            return None
        spans.update(found)
    return spans


def locate(
    module: cst.Module,
    nodes: Iterable[cst.CSTNode],
    text: str,
    *,
    line_starts: list[int] | None = None,
    tree: ast.Module | None = None,
    statement_of: dict[cst.CSTNode, cst.CSTNode] | None = None,
) -> dict[cst.CSTNode, Span]:
    """Offsets of `nodes` in `module`'s code.

    With the file's `ast` tree and the top-level statement of each node, only
    those statements are generated (a finding in a 1,000-line file costs the
    code of one statement); otherwise, or when that shortcut's check fails,
    one pass over the whole module.
    """
    wanted = set(nodes)
    if not wanted:
        return {}
    if (
        tree is not None
        and statement_of is not None
        and line_starts is not None
        and all(node in statement_of for node in wanted)
    ):
        spans = _locate_in_statements(
            module, wanted, text=text, line_starts=line_starts, tree=tree, statement_of=statement_of
        )
        if spans is not None:
            return spans
    return _locate_whole(module, wanted, text)
