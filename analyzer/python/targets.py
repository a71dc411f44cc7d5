"""What a literal is bound to: the name, key, keyword or argument that receives it.

Config rules judge a value by its target (`SECRET_KEY = ...`,
`app.config["SQLALCHEMY_DATABASE_URI"] = ...`, `connect(password=...)`,
`{"HOST": ...}` inside Django's `DATABASES`), and fixes name the new
environment variable after it. `binding(context)` answers for the node being
visited, looking only at its ancestors, so it costs nothing until a rule
has a candidate literal.
"""

from __future__ import annotations

import ast
import enum
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from factorscan.core.discovery import is_non_production_settings_path, is_sample_path, is_test_path
from factorscan.python.credentials import find_credential
from factorscan.python.imports import dotted_name
from factorscan.python.nodes import iter_children
from factorscan.python.secrets import (
    has_real_password,
    is_secret_name,
    looks_like_secret_value,
    name_words,
    parse_url,
)
from factorscan.python.traversal import FileContext

__all__ = [
    "Binding",
    "BindingKind",
    "StringLiterals",
    "binding",
    "environment_specific_class",
    "environment_specific_file",
    "environment_specific_module",
    "in_config_generator",
    "outermost_string",
    "sample_or_test_file",
    "secret_beside",
]


class BindingKind(enum.Enum):
    """What receives a literal."""

    ASSIGN = "assign"  # NAME = ...
    ATTRIBUTE = "attribute"  # obj.NAME = ...
    SUBSCRIPT = "subscript"  # config["NAME"] = ...
    KEYWORD = "keyword"  # call(NAME=...)
    POSITIONAL = "positional"  # call(...)
    DICT = "dict"  # {"NAME": ...}
    PARAM = "param"  # def f(NAME=...)
    COMPARE = "compare"  # NAME == ...
    OTHER = "other"


ASSIGN, ATTRIBUTE, SUBSCRIPT, KEYWORD, POSITIONAL, DICT, PARAM, COMPARE, OTHER = BindingKind
# Calls that store their keyword arguments as configuration keys.
_CONFIG_CALLS = ("update", "from_mapping", "configure", "setdefault")


@dataclass(frozen=True)
class Binding:
    kind: BindingKind
    name: str | None  # the target's own name: variable, attribute, key, keyword or parameter
    owner: str | None = None  # `app.config` for subscripts, `app` for attributes, the callee for arguments
    call: cst.Call | None = None
    position: int | None = None  # positional argument index
    in_sequence: bool = False  # the literal is an element of a list/tuple/set
    # Outermost target first: ("DATABASES", "default", "HOST").
    path: tuple[str, ...] = ()
    top_level: bool = False  # module or class body, outside functions
    docstring: bool = False

    @property
    def setting(self) -> bool:
        """The target names a setting, so every place that sets it means the same variable."""
        if self.name is None:
            return False
        if self.kind in (ASSIGN, ATTRIBUTE) and self.top_level:
            return True
        if self.kind == SUBSCRIPT and self.owner is not None:
            return self.owner.rsplit(".", 1)[-1] in ("config", "environ", "settings", "conf")
        if self.kind == KEYWORD and self.call is not None and isinstance(self.call.func, cst.Attribute):
            return self.call.func.attr.value in _CONFIG_CALLS
        return False


def outermost_string(context: FileContext, node: cst.BaseString) -> str | None:
    """The value of a string literal, once per concatenation (`"a" "b"` is one value)."""
    if isinstance(context.parent, cst.ConcatenatedString):
        return None
    return context.string_value(node)


class StringLiterals:
    """A visitor mixin that sees each string literal once per value (`"a" "b"` is one value):
    `on_string(node, value)` for text, `on_bytes(node)` for each bytes literal."""

    context: FileContext

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._string_literal(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._string_literal(node)

    def _string_literal(self, node: cst.SimpleString | cst.ConcatenatedString) -> None:
        value = outermost_string(self.context, node)
        if value is not None:
            self.on_string(node, value)
        elif isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
            self.on_bytes(node)

    def on_string(self, node: cst.SimpleString | cst.ConcatenatedString, value: str) -> None:
        """A string literal's whole value."""

    def on_bytes(self, node: cst.SimpleString) -> None:
        """A bytes literal."""


def written_text(node: cst.BaseExpression) -> str | None:
    """The text of a literal however it is written: a string, an f-string without
    placeholders (`f"abc"`), or pieces joined by `+` (`"abc" + "def"`); else None."""
    if isinstance(node, cst.FormattedString):
        if not all(isinstance(part, cst.FormattedStringText) for part in node.parts):
            return None
        prefix = node.prefix.lower().replace("f", "")
        if "b" in prefix:
            return None
        text = "".join(part.value for part in node.parts if isinstance(part, cst.FormattedStringText))
        text = text.replace("{{", "{").replace("}}", "}")  # what f-string escapes mean
        quote = node.start[len(node.prefix) :]
        try:
            value = ast.literal_eval(f"{prefix}{quote}{text}{node.end}")
        except (SyntaxError, ValueError):
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = written_text(node.left), written_text(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = written_text(node.left), written_text(node.right)
        return left + right if left is not None and right is not None else None
    return _string(node)


def piece_of_written_text(context: FileContext) -> bool:
    """The node being visited is one piece of a larger `written_text` literal (`"a" + "b"`,
    `f"a" "b"`): the whole is judged once, not each piece."""
    parent = context.parent
    if isinstance(parent, cst.FormattedString):
        return written_text(parent) is not None
    if isinstance(parent, (cst.BinaryOperation, cst.ConcatenatedString)):
        return written_text(parent) is not None
    return False


def _string(node: cst.BaseExpression) -> str | None:
    return FileContext.string_value(node)


def _subscript_path(node: cst.BaseExpression) -> tuple[str | None, tuple[str, ...]]:
    """`DATABASES["default"]["HOST"]` -> (None, ("DATABASES", "default", "HOST"));
    `app.config["X"]` -> ("app.config", ("X",))."""
    keys: list[str] = []
    while isinstance(node, cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None, ()
        key = _string(node.slice[0].slice.value)
        if key is None:
            return None, ()
        keys.append(key)
        node = node.value
    base = dotted_name(node)
    if base is None:
        return None, ()
    keys.reverse()
    if "." in base:
        return base, tuple(keys)
    return base, (base, *keys)


def _dict_path(context: FileContext, start: int) -> tuple[str, ...]:
    """Keys of the dict displays around stack[start] (a Dict), outermost target first."""
    keys: list[str] = []
    stack = context.stack
    index = start
    while index > 0:
        parent = stack[index - 1]
        if isinstance(parent, cst.DictElement) and parent.value is stack[index]:
            key = _string(parent.key)
            if key is None:
                return ()
            keys.append(key)
            index -= 2  # DictElement, then the enclosing Dict
            continue
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            name = target.value if isinstance(target, cst.Name) else None
            if name is None and isinstance(target, cst.Subscript):
                _owner, subscript_keys = _subscript_path(target)
                keys.extend(reversed(subscript_keys))
            elif name is not None:
                keys.append(name)
        elif isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
            keys.append(parent.target.value)
        break
    return tuple(reversed(keys))


def _is_docstring(context: FileContext, index: int) -> bool:
    stack = context.stack
    return (
        index >= 2
        and isinstance(stack[index - 1], cst.Expr)
        and isinstance(stack[index - 2], cst.SimpleStatementLine)
    )


def binding(context: FileContext) -> Binding:
    """Where the node being visited goes."""
    stack = context.stack
    index = len(stack) - 1
    node = stack[index]
    in_sequence = False
    parent = stack[index - 1] if index else None
    unpacked: cst.BaseExpression | None = None
    # An element of a list or tuple is bound to whatever the sequence is bound to.
    if isinstance(parent, cst.Element) and index >= 2:
        in_sequence = True
        unpacked_element = parent
        index -= 2
        node = stack[index]
        parent = stack[index - 1] if index else None
        # `USER, PASSWORD = "u", "pw"`: each element goes to its own target.
        if isinstance(parent, cst.Assign) and parent.value is node:
            unpacked = _unpacked_target(parent, node, unpacked_element)
    top_level = not context.in_function()
    if parent is None:
        return Binding(kind=OTHER, name=None)
    if isinstance(parent, cst.Arg) and index >= 2 and isinstance(stack[index - 2], cst.Call):
        call = stack[index - 2]
        assert isinstance(call, cst.Call)
        owner = context.qualified_name(call.func) or dotted_name(call.func)
        field = _field_default_target(call, parent, owner, stack[index - 3] if index >= 3 else None)
        if field is not None:
            # `token: str = field(default="...")`: the default is the attribute's value.
            return _assignment(field, in_sequence=in_sequence, top_level=top_level)
        if parent.keyword is not None:
            return Binding(
                kind=KEYWORD,
                name=parent.keyword.value,
                owner=owner,
                call=call,
                in_sequence=in_sequence,
                top_level=top_level,
            )
        position = next((i for i, arg in enumerate(call.args) if arg is parent), None)
        return Binding(
            kind=POSITIONAL,
            name=None,
            owner=owner,
            call=call,
            position=position,
            in_sequence=in_sequence,
            top_level=top_level,
        )
    if isinstance(parent, cst.DictElement) and parent.value is node:
        key = _string(parent.key)
        path = _dict_path(context, index - 2) if key is not None else ()
        return Binding(
            kind=DICT,
            name=key,
            in_sequence=in_sequence,
            path=(*path, key) if key is not None else (),
            top_level=top_level,
        )
    if unpacked is not None:
        return _assignment(unpacked, in_sequence=False, top_level=top_level)
    if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
        target = parent.targets[-1].target if isinstance(parent, cst.Assign) else parent.target
        return _assignment(target, in_sequence=in_sequence, top_level=top_level)
    if isinstance(parent, cst.Param) and parent.default is node:
        return Binding(kind=PARAM, name=parent.name.value, in_sequence=in_sequence, top_level=top_level)
    if isinstance(parent, cst.ComparisonTarget) and index >= 2:
        comparison = stack[index - 2]
        if isinstance(comparison, cst.Comparison) and isinstance(parent.operator, (cst.Equal, cst.NotEqual)):
            return Binding(kind=COMPARE, name=_target_name(comparison.left), top_level=top_level)
    if isinstance(parent, cst.Comparison) and parent.left is node and len(parent.comparisons) == 1:
        compared = parent.comparisons[0]
        if isinstance(compared.operator, (cst.Equal, cst.NotEqual)):
            return Binding(kind=COMPARE, name=_target_name(compared.comparator), top_level=top_level)
    return Binding(
        kind=OTHER,
        name=None,
        in_sequence=in_sequence,
        top_level=top_level,
        docstring=_is_docstring(context, index),
    )


def _assignment(target: cst.BaseExpression, *, in_sequence: bool, top_level: bool) -> Binding:
    """The binding of a value assigned (plain or annotated) to `target`."""
    if isinstance(target, cst.Name):
        return Binding(
            kind=ASSIGN, name=target.value, in_sequence=in_sequence, path=(target.value,), top_level=top_level
        )
    if isinstance(target, cst.Attribute):
        return Binding(
            kind=ATTRIBUTE,
            name=target.attr.value,
            owner=dotted_name(target.value),
            in_sequence=in_sequence,
            top_level=top_level,
        )
    if isinstance(target, cst.Subscript):
        owner, keys = _subscript_path(target)
        return Binding(
            kind=SUBSCRIPT,
            name=keys[-1] if keys else None,
            owner=owner,
            in_sequence=in_sequence,
            path=keys,
            top_level=top_level,
        )
    return Binding(kind=OTHER, name=None, top_level=top_level)


# Calls whose `default=` is the value of the class attribute they declare.
_FIELD_CALLS = frozenset(
    {"dataclasses.field", "attr.ib", "attr.attrib", "attr.field", "attrs.field", "pydantic.Field"}
)


def _field_default_target(
    call: cst.Call, argument: cst.Arg, owner: str | None, statement: cst.CSTNode | None
) -> cst.BaseExpression | None:
    """The attribute `token` of `token: str = field(default=<here>)`, else None."""
    if owner not in _FIELD_CALLS or argument.keyword is None or argument.keyword.value != "default":
        return None
    if isinstance(statement, cst.AnnAssign) and statement.value is call:
        return statement.target
    if isinstance(statement, cst.Assign) and statement.value is call and len(statement.targets) == 1:
        return statement.targets[0].target
    return None


def _unpacked_target(
    assign: cst.Assign, values: cst.CSTNode, element: cst.Element
) -> cst.BaseExpression | None:
    """The target an element of `a, b = x, y` goes to, when both sides have the same length."""
    if len(assign.targets) != 1 or not isinstance(values, (cst.Tuple, cst.List)):
        return None
    targets = assign.targets[0].target
    if not isinstance(targets, (cst.Tuple, cst.List)) or len(targets.elements) != len(values.elements):
        return None
    if any(isinstance(item, cst.StarredElement) for item in (*targets.elements, *values.elements)):
        return None
    position = next(i for i, item in enumerate(values.elements) if item is element)
    return targets.elements[position].value


def _target_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript):
        _owner, keys = _subscript_path(node)
        return keys[-1] if keys else None
    return None


# -- files and classes that configure one named environment --------------------------------

_ENVIRONMENT_WORDS = frozenset(
    {"dev", "devel", "develop", "development", "local", "test", "tests", "testing"}
)


def environment_specific_file(relative_path: str) -> bool:
    """A settings module for development, tests or CI by its path: `settings/dev.py`,
    `local_settings.py`, `settings/ci.py`, `configuration_testing.py`.

    Debug flags, local service hosts and throwaway keys there are the file's
    purpose, not values that leak into production.
    """
    return is_non_production_settings_path(relative_path)


# What a file's header says when the file exists for tests, CI or development only:
# "This file serves as a base configuration for testing purposes only",
# "Minimal configuration used by the smoke test", "Local development settings",
# "Not intended for production use".
_PURPOSE = (
    r"(?:unit[\s-]?tests?|tests?|testing|test\s+suite|smoke[\s-]?tests?|ci|continuous\s+integration"
    r"|local\s+development|development)"
)
_NON_PRODUCTION_HEADER = re.compile(
    r"\b(?:file|module|configuration|config|settings)\b[^.]{0,60}?\b(?:for|by)\s+(?:the\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?{_PURPOSE}(?:\s+(?:purposes?|only|runs?|environments?))*\s*(?:[.,;:!)]|$)"
    rf"|^[\W_]*(?:local\s+)?{_PURPOSE}\s+(?:settings|configuration|config)\b"
    r"|\bnot\s+(?:intended|meant|suitable|to\s+be\s+used)\s+(?:for|in)\s+production\b",
    re.IGNORECASE,
)


def _headers(module: cst.Module) -> tuple[str, str]:
    """The comments above the first statement, and the module docstring."""
    lines = list(module.header)
    if module.body:
        lines.extend(module.body[0].leading_lines)
    comments = " ".join(line.comment.value.strip("# ") for line in lines if line.comment)
    return comments[:2000], (module.get_docstring() or "")[:2000]


def environment_specific_module(context: FileContext) -> bool:
    """A settings module for development, tests or CI, by its path or by its header
    (`# This file serves as a base configuration for testing purposes only`)."""
    found = _non_production_modules.get(context)
    if found is None:
        found = environment_specific_file(context.relative_path) or any(
            _NON_PRODUCTION_HEADER.search(text) for text in _headers(context.module) if text
        )
        _non_production_modules[context] = found
    return found


_non_production_modules: weakref.WeakKeyDictionary[FileContext, bool] = weakref.WeakKeyDictionary()


def sample_or_test_file(relative_path: str) -> bool:
    """Tests, docs and examples: code that is not what the project deploys."""
    return is_test_path(relative_path) or is_sample_path(relative_path)


_CONFIG_WORDS = frozenset({"config", "configuration", "cfg", "settings"})


def in_config_generator(context: FileContext) -> bool:
    """Inside a command that writes a configuration file (`@cli.command() def generate_config()`,
    "Generates a configuration file"): its values are defaults offered to whoever runs it."""
    for node in context.stack:
        if not isinstance(node, cst.FunctionDef) or not any(map(_is_command, node.decorators)):
            continue
        summary = (node.get_docstring() or "").partition("\n")[0]
        words = re.split(r"[^a-z]+", f"{node.name.value} {summary}".lower())
        if not _CONFIG_WORDS.isdisjoint(words):
            return True
    return False


def _is_command(decorator: cst.Decorator) -> bool:
    """`@click.command`, `@cli.command("init")`, `@app.command()` (typer)."""
    target = decorator.decorator
    name = dotted_name(target.func if isinstance(target, cst.Call) else target) or ""
    return name.rsplit(".", 1)[-1] == "command"


def environment_specific_class(name: str) -> bool:
    """`DevelopmentConfig`, `TestingConfig`, `LocalSettings`: a class for one named environment."""
    return bool(set(name_words(name)) & (_ENVIRONMENT_WORDS | {"debug"}))


# -- other secrets near a finding ------------------------------------------------------------


def _secret_in(node: cst.CSTNode, exclude: cst.CSTNode, extra_names: Sequence[str]) -> cst.CSTNode | None:
    """A string literal under `node` (other than `exclude`) that looks like a secret."""
    pending: list[tuple[cst.CSTNode, str | None]] = [(node, None)]
    while pending:
        current, name = pending.pop()
        if current is exclude:
            continue
        if isinstance(current, (cst.SimpleString, cst.ConcatenatedString)):
            value = _string(current)
            if value is None or len(value) < 3:
                continue
            url = parse_url(value) if "://" in value else None
            if find_credential(value) or (url is not None and has_real_password(url)):
                return current
            if name and is_secret_name(name, extra_names) and looks_like_secret_value(value, name):
                return current
            continue
        for child in iter_children(current):
            child_name = None
            if isinstance(current, cst.Arg) and current.keyword is not None:
                child_name = current.keyword.value
            elif isinstance(current, cst.DictElement):
                child_name = _string(current.key)
            pending.append((child, child_name or name))
    return None


def _contains(node: cst.CSTNode, target: cst.CSTNode) -> bool:
    pending = [node]
    while pending:
        current = pending.pop()
        if current is target:
            return True
        pending.extend(iter_children(current))
    return False


def secret_beside(context: FileContext, node: cst.CSTNode) -> cst.CSTNode | None:
    """The secret literal beside `node` on its line, in the call or dict around it, else None.

    A finding on a value next to a password (`Redis(host="redis",
    password="...")`) names it as its secret, so that a reporter echoing the
    source line masks exactly the password and still points at the host.
    """
    extra = context.settings.secret_names
    module = context.module
    for ancestor in context.ancestors():
        if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            return None
        if not isinstance(ancestor, (cst.Call, cst.Dict)):
            continue
        secret = _secret_in(ancestor, node, extra)
        if secret is None:
            return None
        children: Sequence[cst.CSTNode] = (
            ancestor.args if isinstance(ancestor, cst.Call) else ancestor.elements
        )
        ours = next((i for i, child in enumerate(children) if _contains(child, node)), None)
        theirs = next((i for i, child in enumerate(children) if _contains(child, secret)), None)
        if ours is None or theirs is None:
            return secret
        low, high = sorted((ours, theirs))
        # Elements between the two (with their commas) must not break the line.
        if any("\n" in module.code_for_node(child) for child in children[low:high]):
            return None
        return secret
    return None
