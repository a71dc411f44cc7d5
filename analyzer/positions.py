"""Positions of a few libcst nodes, without PositionProvider's whole-tree cost.

libcst's PositionProvider builds a CodeRange for every node of the module;
measured on Django that is 12x the cost of plain code generation. Findings
need positions for a handful of nodes, so this pass runs plain code
generation once, counting characters, and records offsets only for the nodes
asked for. Offsets index the module's code, which libcst guarantees equals
the parsed source text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState

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

    def __init__(self, module: cst.Module, wanted: set[cst.CSTNode]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.wanted = wanted
        self.outer: dict[cst.CSTNode, list[int]] = {}
        self.inner: dict[cst.CSTNode, tuple[int, int]] = {}
        self.statement_of: dict[cst.CSTNode, int] = {}
        # Statements being generated, innermost last.
        self._statements: list[_OpenStatement] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

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


def locate(module: cst.Module, nodes: Iterable[cst.CSTNode], text_length: int) -> dict[cst.CSTNode, Span]:
    """Offsets of `nodes` in `module`'s code (one code generation pass)."""
    wanted = set(nodes)
    if not wanted:
        return {}
    state = _OffsetState(module, set(wanted))
    module._codegen(state)
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
