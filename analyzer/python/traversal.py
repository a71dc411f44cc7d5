"""The one batched libcst traversal per file, and what rules see while in it.

Every source rule enabled for a file registers `visit_<Node>`/`leave_<Node>`
methods; the walker calls them all in a single pass. It walks dataclass
fields directly instead of using `CSTNode.visit`, which rebuilds every node
it passes (measured on Django: 16 s for libcst's visit, 1 s for this walk),
and it skips whitespace and punctuation fields no rule looks at.
"""

from __future__ import annotations

import ast
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

import libcst as cst

from factorscan.core.discovery import is_test_path
from factorscan.core.errors import RoundTripError
from factorscan.core.findings import Applicability, Edit, Finding, Fix, Location, Severity
from factorscan.core.redact import string_contents
from factorscan.core.settings import Settings
from factorscan.core.source import SourceFile
from factorscan.python.handlers import Handler, HandlerIndex
from factorscan.python.import_placement import Insertion, import_insertion
from factorscan.python.imports import ImportTable, collect_module_scope, dotted_name
from factorscan.python.name_bindings import ModuleNames
from factorscan.python.nodes import child_fields, is_main_guard, preferred_quote, string_value

if TYPE_CHECKING:
    from factorscan.checks.base import SourceRule, SourceVisitor
    from factorscan.core.positions import Span


class FixBuilder:
    """A fix under construction: node replacements plus module imports it needs."""

    def __init__(self, context: FileContext, message: str, applicability: Applicability) -> None:
        self.context = context
        self.message = message
        self.applicability = applicability
        self.replacements: list[tuple[cst.CSTNode, cst.CSTNode | str]] = []
        # The indentation of the blocks around each replaced node, so a new node spanning
        # several lines is written at its block's depth (spaces or tabs, as the file has them).
        self.indents: dict[cst.CSTNode, tuple[str, ...]] = {}
        # What follows `import ` in each import the fix adds: `os`, `os as _os`.
        self.required_modules: list[str] = []
        # Statement lines the fix deletes, with their indentation and trailing comment.
        self.removed_lines: list[cst.SimpleStatementLine] = []
        self.declined = False  # no rewrite can keep its promise: report without a fix

    def replace(self, old: cst.CSTNode, new: cst.CSTNode | str) -> FixBuilder:
        self.replacements.append((old, new))
        self.indents[old] = self.context.block_indents()
        self.context.note_statement(old)
        return self

    def remove_statement(self) -> FixBuilder:
        """Delete the statement being visited (a block it would leave empty gets `pass`).

        Comment lines above it stay. A line holding other statements (`a; b`)
        cannot lose one of them cleanly, so the fix is declined there.
        """
        stack = self.context.stack
        lines = [i for i, node in enumerate(stack) if isinstance(node, cst.SimpleStatementLine)]
        index = lines[-1] if lines else -1
        line = stack[index] if index > 0 else None
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            self.declined = True
            return self
        block = stack[index - 1]
        if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
            return self.replace(line.body[0], "pass")
        self.removed_lines.append(line)
        self.context.note_statement(line)
        return self

    def use_module(self, module: str) -> str:
        """The local name to write for `module` (`os`, `sys`); imports it if needed.

        An import is reused only when it is unconditional, at module level and
        before the statement being fixed. The name written must be the module at
        every use in the file; when something else takes it (a parameter, a
        local, a class attribute...) the module is imported under an alias
        (`import os as _os`), and when no alias is free the fix is declined.
        """
        names = self.context.module_names
        if names is None:
            self.declined = True  # no ast to check the names against
            return module
        existing = self.context.imported_before_current_statement(module)
        if existing is not None and names.always_module(existing, module):
            return existing
        if names.always_module(module, module):
            local, statement = module, module
        else:
            alias = next((name for name in (f"_{module}", f"{module}_module") if names.free(name)), None)
            if alias is None:
                self.declined = True
                return module
            local, statement = alias, f"{module} as {alias}"
        if statement not in self.required_modules:
            self.required_modules.append(statement)
        return local


@dataclass
class _Pending:
    rule: SourceRule
    node: cst.CSTNode
    message: str
    fix: FixBuilder | None
    severity: Severity | None
    sensitive: bool
    secret: cst.CSTNode | None  # the literal holding the secret, when not `node`
    secret_text: str | None  # the secret's characters inside that literal, when not all of it


class FileContext:
    """What a source rule can ask about the file and the node it is visiting."""

    def __init__(
        self,
        source: SourceFile,
        module: cst.Module,
        settings: Settings,
        relative_path: str,
        tree: ast.Module | None = None,
    ):
        self.source = source
        self.module = module
        self.tree = tree  # the same file as `ast` sees it, when it parsed
        # Reported or replaced node -> the top-level statement it sits in.
        self._statement_of: dict[cst.CSTNode, cst.CSTNode] = {}
        self.settings = settings
        self.relative_path = relative_path
        self.imports = ImportTable()
        collect_module_scope(module, self.imports)
        self.stack: list[cst.CSTNode] = []
        self.facts: dict[str, list[Any]] = {}
        self.errors: list[str] = []
        self._pending: list[_Pending] = []
        self._handlers: HandlerIndex | None = None
        self._module_names: ModuleNames | None = None
        self._quote: str | None = None

    # -- the file -------------------------------------------------------------

    @property
    def is_test_file(self) -> bool:
        return is_test_path(self.relative_path)

    # -- names and values -----------------------------------------------------

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        return self.imports.resolve(node)

    def module_constant(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The value of `NAME` when the module binds it once at top level (`PORT = 5000`)."""
        if isinstance(node, cst.Name):
            return self.imports.constants.get(node.value)
        return None

    def literal(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """`node`, or the module-level constant it names."""
        return self.module_constant(node) or node

    # The value of a plain (non-f, non-bytes) string literal, else None.
    string_value = staticmethod(string_value)

    @property
    def module_names(self) -> ModuleNames | None:
        """Every binding of every name in the file (None when `ast` could not parse it)."""
        if self._module_names is None and self.tree is not None:
            self._module_names = ModuleNames.of(self.tree)
        return self._module_names

    def imported_before_current_statement(self, module: str) -> str | None:
        """The local name of an unconditional module-level `import module` that runs
        before the top-level statement being visited, if there is one."""
        current = self.stack[1] if len(self.stack) > 1 else None
        found = None
        for statement in self.module.body:
            if statement is current:
                break
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not isinstance(small, cst.Import):
                    continue
                for alias in small.names:
                    name = dotted_name(alias.name) or ""
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        if name == module:
                            found = alias.asname.name.value
                    elif name == module or name.startswith(module + "."):
                        found = module
        return found

    # -- where we are -----------------------------------------------------------

    def block_indents(self) -> tuple[str, ...]:
        """The indentation each enclosing block adds, outermost first."""
        default = self.module.default_indent
        return tuple(
            (node.indent if node.indent is not None else default)
            for node in self.stack
            if isinstance(node, cst.IndentedBlock)
        )

    @property
    def quote(self) -> str:
        """The quote most of the file's plain strings use: new strings follow it."""
        if self._quote is None:
            self._quote = preferred_quote(self.source.text)
        return self._quote

    @property
    def parent(self) -> cst.CSTNode | None:
        """The parent of the node being visited."""
        return self.stack[-2] if len(self.stack) > 1 else None

    def ancestors(self) -> Iterator[cst.CSTNode]:
        """Ancestors of the node being visited, innermost first."""
        return reversed(self.stack[:-1])

    def _scopes(self) -> Iterator[cst.CSTNode]:
        """Function/class/lambda scopes around the current node, innermost first.

        A decorator belongs to the scope around the definition, not to it.
        """
        for index in range(len(self.stack) - 2, -1, -1):
            node = self.stack[index]
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                child = self.stack[index + 1]
                if any(child is decorator for decorator in node.decorators):
                    continue
                yield node
            elif isinstance(node, cst.Lambda):
                yield node

    def enclosing_function(self) -> cst.FunctionDef | None:
        for scope in self._scopes():
            if isinstance(scope, cst.FunctionDef):
                return scope
        return None

    def enclosing_function_path(self) -> str | None:
        """`Class.method` or `outer.inner` for the function the current node runs in (a lambda
        counts as the function around it), as `call_facts.py` names it; None outside functions
        and in a class body."""
        scopes = [scope for scope in self._scopes() if isinstance(scope, (cst.FunctionDef, cst.ClassDef))]
        if not scopes or not isinstance(scopes[0], cst.FunctionDef):
            return None
        return ".".join(scope.name.value for scope in reversed(scopes))

    def enclosing_class(self) -> cst.ClassDef | None:
        """The class whose body holds the current node directly or in a method."""
        for scope in self._scopes():
            if isinstance(scope, cst.ClassDef):
                return scope
        return None

    def in_function(self) -> bool:
        return any(isinstance(scope, (cst.FunctionDef, cst.Lambda)) for scope in self._scopes())

    def at_module_level(self) -> bool:
        """Runs when the module is imported: not inside any def, lambda or class body."""
        return next(self._scopes(), None) is None

    def in_main_block(self) -> bool:
        """Inside the body of `if __name__ == "__main__":`."""
        for index in range(len(self.stack) - 2, -1, -1):
            node = self.stack[index]
            if isinstance(node, cst.If) and self.stack[index + 1] is node.body and is_main_guard(node.test):
                return True
        return False

    @property
    def handlers(self) -> HandlerIndex:
        """The module's functions classified by when they run (built on first use)."""
        if self._handlers is None:
            self._handlers = HandlerIndex(
                module=self.module,
                imports=self.imports,
                relative_path=self.relative_path,
                is_test_file=self.is_test_file,
            )
        return self._handlers

    def enclosing_handler(self) -> Handler | None:
        """The request handler, start-up hook or app factory the current node runs in."""
        return self.handlers.enclosing(self._scopes())

    # -- results --------------------------------------------------------------

    def note_statement(self, node: cst.CSTNode) -> None:
        """Remember the top-level statement being visited as the home of `node`.

        A node reported later from elsewhere gets the wrong home; positions
        then fail their check and fall back to a whole-module pass.
        """
        if len(self.stack) > 1:
            self._statement_of.setdefault(node, self.stack[1])

    def locations(self, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, tuple[Location, Location]]:
        """1-based (start, end) of nodes, for visitors that record facts with positions.

        Call `note_statement(node)` when you keep a node during the traversal,
        so that only its statement needs generating here.
        """
        from factorscan.core.positions import locate  # needs libcst: core/lazy_import.py

        spans = locate(
            self.module,
            nodes,
            self.source.text,
            line_starts=self.source.line_starts,
            tree=self.tree,
            statement_of=self._statement_of,
        )
        return {
            node: (self.source.location(span.start), self.source.location(span.end))
            for node, span in spans.items()
        }

    def record_fact(self, fact: NamedTuple) -> None:
        """Keep `fact` under its type's name (`ProjectModel.facts` reads it back)."""
        self.facts.setdefault(type(fact).__name__, []).append(fact)

    def new_fix(self, message: str, applicability: Applicability) -> FixBuilder:
        return FixBuilder(self, message, applicability)

    def report(
        self,
        rule: SourceRule,
        node: cst.CSTNode,
        message: str,
        *,
        fix: FixBuilder | None,
        severity: Severity | None,
        sensitive: bool,
        secret: cst.CSTNode | None = None,
        secret_text: str | None = None,
    ) -> None:
        self._pending.append(_Pending(rule, node, message, fix, severity, sensitive, secret, secret_text))
        self.note_statement(node)
        if secret is not None:
            self.note_statement(secret)

    def finish(self, display_path: str) -> list[Finding]:
        """Turn what rules reported into positioned findings with concrete edits."""
        if not self._pending:
            return []
        wanted: set[cst.CSTNode] = set()
        insertions: dict[str, Insertion] = {}
        for pending in self._pending:
            wanted.add(pending.node)
            if pending.secret is not None:
                wanted.add(pending.secret)
            if pending.fix is not None:
                wanted.update(old for old, _ in pending.fix.replacements)
                wanted.update(pending.fix.removed_lines)
                for module_name in pending.fix.required_modules:
                    if module_name not in insertions:
                        insertions[module_name] = import_insertion(self.module, module_name)
        for anchor, *_ in insertions.values():
            if anchor is not None:
                wanted.add(anchor)
                self._statement_of[anchor] = anchor  # import anchors are top-level statements
        from factorscan.core.positions import locate  # needs libcst: core/lazy_import.py

        spans = locate(
            self.module,
            wanted,
            self.source.text,
            line_starts=self.source.line_starts,
            tree=self.tree,
            statement_of=self._statement_of,
        )

        findings = []
        for pending in self._pending:
            span = spans.get(pending.node)
            if span is None:
                continue
            fix = self._concrete_fix(pending.fix, spans, insertions) if pending.fix else None
            findings.append(
                Finding(
                    code=pending.rule.code,
                    name=pending.rule.name,
                    severity=pending.severity or pending.rule.severity,
                    message=pending.message,
                    path=display_path,
                    location=self.source.location(span.start),
                    end_location=self.source.location(span.end),
                    fix=fix,
                    sensitive=pending.sensitive,
                    secrets=self._secret_span(pending, spans),
                    statement_row=self.source.location(span.statement_start).row,
                )
            )
        return findings

    def _secret_span(
        self, pending: _Pending, spans: dict[cst.CSTNode, Span]
    ) -> tuple[tuple[Location, Location], ...]:
        """Where exactly the secret of a finding is, when the rule said more than "the literal reported"."""
        if pending.secret is None and pending.secret_text is None:
            return ()
        span = spans.get(pending.secret or pending.node)
        if span is None:
            return ()
        text = self.source.text
        inner_start, inner_end = string_contents(text[span.start : span.end])
        start, end = span.start + inner_start, span.start + inner_end
        if pending.secret_text:
            found = text.find(pending.secret_text, start, end)
            if found >= 0:  # written with escapes it is not found: the whole value stays hidden
                start, end = found, found + len(pending.secret_text)
        return ((self.source.location(start), self.source.location(end)),)

    def _concrete_fix(
        self,
        builder: FixBuilder,
        spans: dict[cst.CSTNode, Span],
        insertions: dict[str, Insertion],
    ) -> Fix | None:
        if builder.declined:
            return None
        edits: list[Edit] = []
        for old, new in builder.replacements:
            span = spans.get(old)
            if span is None:
                return None
            content = new if isinstance(new, str) else self._code(new, builder.indents.get(old, ()))
            edits.append(
                Edit(content, self.source.location(span.outer_start), self.source.location(span.outer_end))
            )
        for line in builder.removed_lines:
            span = spans.get(line)
            if span is None:
                return None
            row = self.source.location(span.start).row
            edits.append(Edit("", Location(row, 1), self.source.location(span.outer_end)))
        for module_name in builder.required_modules:
            anchor, before, template, skip_lines = insertions[module_name]
            if anchor is None:
                location = self.source.location(0)
            elif before:
                start = self.source.location(spans[anchor].outer_start)
                location = Location(start.row + skip_lines, 1)
            else:
                location = self.source.location(spans[anchor].outer_end)
            content = template.replace("\n", self.module.default_newline)
            edits.append(Edit(content, location, location))
        return Fix(builder.applicability, builder.message, tuple(sorted(edits, key=_edit_order)))

    def _code(self, node: cst.CSTNode, indents: tuple[str, ...]) -> str:
        """`node`'s code with its continuation lines indented as the blocks around it."""
        from libcst._nodes.internal import CodegenState  # not at import: core/lazy_import.py

        state = CodegenState(
            default_indent=self.module.default_indent, default_newline=self.module.default_newline
        )
        state.indent_tokens.extend(indents)
        node._codegen(state)
        return "".join(state.tokens)


def _edit_order(edit: Edit) -> tuple[Location, Location, str]:
    return (edit.location, edit.end_location, edit.content)


Callback = Callable[["cst.CSTNode"], Any]


class Traversal:
    """Runs every visitor's visit_/leave_ methods in one walk of the tree."""

    def __init__(self, context: FileContext, visitors: Sequence[SourceVisitor]) -> None:
        self.context = context
        self.visitors = list(visitors)
        self._build_tables()

    def _build_tables(self) -> None:
        self.visit: dict[type, list[tuple[SourceVisitor, Callback]]] = {}
        self.leave: dict[type, list[tuple[SourceVisitor, Callback]]] = {}
        for visitor in self.visitors:
            for attribute, node_type, table in _handler_names(type(visitor)):
                target = self.visit if table == "visit" else self.leave
                target.setdefault(node_type, []).append((visitor, getattr(visitor, attribute)))

    def run(self) -> None:
        self._walk(self.context.module)

    def _call(self, handlers: list[tuple[SourceVisitor, Callback]], node: cst.CSTNode) -> None:
        for visitor, handler in handlers:
            try:
                handler(node)
            except (RecursionError, RoundTripError):
                raise  # limits of the tool for this file, not a rule's bug: the engine reports them
            except Exception as exc:
                self._disable(visitor, exc)

    def _disable(self, visitor: SourceVisitor, exc: Exception) -> None:
        """A rule that raises stops for this file; the others carry on."""
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{PurePosixPath(frame.filename).name}:{frame.lineno}"
        label = getattr(visitor, "code", type(visitor).__name__)
        # Only the exception type: its message could quote a scanned secret.
        self.context.errors.append(f"internal error: {label} raised {type(exc).__name__} at {where}")
        self.visitors = [v for v in self.visitors if v is not visitor]
        self._build_tables()

    def _walk(self, node: cst.CSTNode) -> None:
        context = self.context
        context.stack.append(node)
        node_type = type(node)
        if node_type is cst.Import or node_type is cst.ImportFrom:
            context.imports.add(node, module_level=False)  # type: ignore[arg-type]
        elif node_type is cst.Assign:
            _note_alias(context.imports, node)  # type: ignore[arg-type]
        handlers = self.visit.get(node_type)
        if handlers:
            self._call(handlers, node)
        for name in child_fields(node_type):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self._walk(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self._walk(item)
        handlers = self.leave.get(node_type)
        if handlers:
            self._call(handlers, node)
        context.stack.pop()


def _note_alias(table: ImportTable, node: cst.Assign) -> None:
    target = node.targets[0].target if len(node.targets) == 1 else None
    if isinstance(target, cst.Name) and isinstance(node.value, (cst.Name, cst.Attribute)):
        table.add_alias(target.value, node.value)


_handler_cache: dict[type, list[tuple[str, type, str]]] = {}


def _concrete(node_type: type) -> list[type]:
    """`visit_BaseString` runs for SimpleString, ConcatenatedString and FormattedString."""
    found = []
    pending = [node_type]
    while pending:
        current = pending.pop()
        if "Base" not in current.__name__:
            found.append(current)
        pending.extend(current.__subclasses__())
    return found


def _handler_names(visitor_type: type) -> list[tuple[str, type, str]]:
    """(method name, node type, "visit"|"leave") for a visitor class."""
    cached = _handler_cache.get(visitor_type)
    if cached is None:
        cached = []
        for attribute in dir(visitor_type):
            for table in ("visit", "leave"):
                prefix = table + "_"
                if attribute.startswith(prefix):
                    node_type = getattr(cst, attribute[len(prefix) :], None)
                    if not isinstance(node_type, type) or not issubclass(node_type, cst.CSTNode):
                        raise TypeError(f"{visitor_type.__name__}.{attribute}: no libcst node of that name")
                    cached.extend((attribute, concrete, table) for concrete in _concrete(node_type))
        _handler_cache[visitor_type] = cached
    return cached
