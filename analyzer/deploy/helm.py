"""Helm charts, rendered for the subset of Go templates that decides what a container gets.

A chart is a folder with `Chart.yaml`, `values.yaml` and `templates/`.
Templates are rendered with the chart's values: `.Values` (and `$.Values`)
lookups, `.Release.Name`/`.Chart.Name`, `if`/`else`, `with`, `range`,
`define` and `include` (from `_helpers.tpl` too), and the functions
`default`, `quote`, `squote`, `toYaml`, `indent`, `nindent`, `trim`,
`upper`, `lower`, `toString`, `required` and `b64enc`. A template that uses
anything else, or does not render to YAML, is one warning and is not
checked: never a crash, never a finding. Rendered lines keep the template
line they came from, and a scalar that came from one values lookup points
at that line of `values.yaml`, where its value is set.
"""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from factorscan.deploy.k8s import Resource, resource_of
from factorscan.deploy.yaml_loader import YamlError, YamlNode, load_documents

__all__ = ["RenderedChart", "TemplateError", "render_chart"]

ReadText = Callable[[str], "str | None"]
_ACTION = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.DOTALL)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|[^\s()]+')
_MAX_OUTPUT = 2_000_000  # characters one template may render to (a range over a huge list)
_MAX_INCLUDE_DEPTH = 20


class TemplateError(ValueError):
    """A template outside the subset factorscan renders: a one-line reason."""


@dataclass
class RenderedChart:
    folder: str
    resources: list[Resource] = field(default_factory=list)
    values: YamlNode | None = None
    problems: list[str] = field(default_factory=list)
    external: bool = False  # values files other than values.yaml may be passed at install time


# -- parsing ---------------------------------------------------------------------------


@dataclass
class _Node:
    kind: str  # text | action | if | with | range | define
    text: str = ""
    line: int = 0  # template line where it starts
    body: list[_Node] = field(default_factory=list)
    orelse: list[_Node] = field(default_factory=list)
    branches: list[tuple[str, list[_Node]]] = field(default_factory=list)  # else-if chains


def _parse(text: str) -> tuple[list[_Node], dict[str, list[_Node]]]:
    root: list[_Node] = []
    defines: dict[str, list[_Node]] = {}
    stack: list[tuple[_Node, list[_Node]]] = []
    current = root
    position = 0
    pending_trim = False
    for match in _ACTION.finditer(text):
        chunk = text[position : match.start()]
        start = position
        if pending_trim:
            start += len(chunk) - len(chunk.lstrip())
            chunk = chunk.lstrip()
        if match.group(1):
            chunk = chunk.rstrip()
        line = text.count("\n", 0, start) + 1
        if chunk:
            current.append(_Node("text", chunk, line))
        pending_trim = bool(match.group(3))
        position = match.end()
        body = match.group(2).strip()
        action_line = text.count("\n", 0, match.start()) + 1
        if body.startswith("/*"):
            continue
        word, _, rest = body.partition(" ")
        rest = rest.strip()
        if word in ("if", "with", "range", "define"):
            node = _Node(word, rest, action_line)
            current.append(node)
            stack.append((node, current))
            current = node.body
        elif word == "else":
            if not stack:
                raise TemplateError(f"line {action_line}: `else` outside a block")
            node = stack[-1][0]
            if rest.startswith("if "):
                node.branches.append((rest[3:].strip(), []))
                current = node.branches[-1][1]
            else:
                current = node.orelse
        elif word == "end":
            if not stack:
                raise TemplateError(f"line {action_line}: `end` without a block")
            node, current = stack.pop()
            if node.kind == "define":
                current.remove(node)
                defines[_unquote(node.text)] = node.body
        else:
            current.append(_Node("action", body, action_line))
    if stack:
        raise TemplateError(f"line {stack[-1][0].line}: `{stack[-1][0].kind}` is never closed")
    tail = text[position:]
    if tail:
        current.append(
            _Node("text", tail.lstrip() if pending_trim else tail, text.count("\n", 0, position) + 1)
        )
    return root, defines


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in '"`':
        return token[1:-1].replace('\\"', '"') if token[0] == '"' else token[1:-1]
    return token


# -- values ----------------------------------------------------------------------------


@dataclass
class _Scope:
    dot: Any  # a YamlNode, a dict (the root), or text
    root: dict[str, Any]
    variables: dict[str, Any]


def _lookup(base: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(base, (YamlNode, dict)):
            return None
        base = base.get(key)
    return base


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, YamlNode):
        if value.null:
            return ""
        return value.text if value.text is not None else _to_yaml(value)
    return str(value)


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, YamlNode):
        if isinstance(value.value, (dict, list)):
            return bool(value.value)
        if value.null:
            return False
        return not (not value.quoted and value.text in ("false", "0", "")) and value.text != ""
    if isinstance(value, (dict, list, str)):
        return bool(value)
    return bool(value)


def _to_yaml(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, YamlNode):
        if isinstance(value.value, dict):
            lines = []
            for key, child in value.value.items():
                if isinstance(child.value, (dict, list)) and child.value:
                    lines.append(f"{pad}{key}:\n{_to_yaml(child, indent + 2)}")
                else:
                    lines.append(f"{pad}{key}: {_scalar_yaml(child)}")
            return "\n".join(lines) if lines else pad + "{}"
        if isinstance(value.value, list):
            lines = []
            for item in value.value:
                inner = (
                    _to_yaml(item, indent + 2).lstrip()
                    if isinstance(item.value, (dict, list))
                    else _scalar_yaml(item)
                )
                lines.append(f"{pad}- {inner}")
            return "\n".join(lines) if lines else pad + "[]"
        return pad + _scalar_yaml(value)
    return pad + str(value)


def _scalar_yaml(node: YamlNode) -> str:
    if isinstance(node.value, dict):
        return "{}"
    if isinstance(node.value, list):
        return "[]"
    if node.null:
        return "null"
    text = node.text or ""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' if node.quoted or not text else text


# -- rendering -------------------------------------------------------------------------


class _Renderer:
    def __init__(self, defines: dict[str, list[_Node]], root: dict[str, Any]) -> None:
        self.defines = defines
        self.root = root
        self.lines: list[int] = []  # template line of each output line
        self.used: dict[int, list[YamlNode]] = {}  # output line -> values nodes written on it
        self.out: list[str] = []
        self.size = 0
        self.depth = 0
        self.in_action = False

    def render(self, nodes: list[_Node]) -> str:
        self._nodes(nodes, _Scope(self.root, self.root, {}), self.out, track=True)
        return "".join(self.out)

    def _emit(self, out: list[str], text: str, line: int, track: bool, used: YamlNode | None = None) -> None:
        self.size += len(text)
        if self.size > _MAX_OUTPUT:
            raise TemplateError(f"renders to more than {_MAX_OUTPUT} characters")
        if track:
            if not self.lines:
                self.lines.append(line)
            # Template text advances a line per newline; an action's output stays on its line.
            advance = used is None and not self.in_action
            for offset, char in enumerate(text):
                if char == "\n":
                    self.lines.append(line + (text.count("\n", 0, offset + 1) if advance else 0))
            if used is not None:
                self.used.setdefault(len(self.lines) - 1, []).append(used)
        out.append(text)

    def _nodes(self, nodes: list[_Node], scope: _Scope, out: list[str], track: bool) -> None:
        for node in nodes:
            if node.kind == "text":
                self._emit(out, node.text, node.line, track)
            elif node.kind == "action":
                if ":=" in node.text or (node.text.startswith("$") and "=" in node.text):
                    name, _, expression = node.text.partition(":=" if ":=" in node.text else "=")
                    scope.variables[name.strip()] = self._pipeline(expression, scope)
                    continue
                value = self._pipeline(node.text, scope)
                used = value if isinstance(value, YamlNode) and value.text is not None else None
                self.in_action = True
                self._emit(out, _text(value), node.line, track, used)
                self.in_action = False
            elif node.kind == "if":
                branches = [(node.text, node.body), *node.branches]
                for condition, body in branches:
                    if _truthy(self._pipeline(condition, scope)):
                        self._nodes(body, scope, out, track)
                        break
                else:
                    self._nodes(node.orelse, scope, out, track)
            elif node.kind == "with":
                value = self._pipeline(node.text, scope)
                if _truthy(value):
                    self._nodes(node.body, _Scope(value, scope.root, dict(scope.variables)), out, track)
                else:
                    self._nodes(node.orelse, scope, out, track)
            elif node.kind == "range":
                self._range(node, scope, out, track)

    def _range(self, node: _Node, scope: _Scope, out: list[str], track: bool) -> None:
        expression, names = node.text, []
        if ":=" in expression:
            left, _, expression = expression.partition(":=")
            names = [name.strip() for name in left.split(",")]
        value = self._pipeline(expression, scope)
        items: list[tuple[Any, Any]] = []
        if isinstance(value, YamlNode) and isinstance(value.value, list):
            items = list(enumerate(value.value))
        elif isinstance(value, YamlNode) and isinstance(value.value, dict):
            items = sorted(value.value.items())
        if not items:
            self._nodes(node.orelse, scope, out, track)
        for key, item in items:
            variables = dict(scope.variables)
            if len(names) == 2:
                variables[names[0]], variables[names[1]] = key, item
            elif names:
                variables[names[0]] = item
            self._nodes(node.body, _Scope(item, scope.root, variables), out, track)

    # -- expressions --

    def _pipeline(self, text: str, scope: _Scope) -> Any:
        value: Any = _NOTHING
        for stage in _split_pipes(text):
            tokens = _TOKEN.findall(stage)
            if not tokens:
                raise TemplateError(f"empty command in `{text}`")
            value = self._command(tokens, scope, value)
        return None if value is _NOTHING else value

    def _command(self, tokens: list[str], scope: _Scope, piped: Any) -> Any:
        first = tokens[0]
        if first == "(":
            raise TemplateError("parenthesised expressions are not rendered")
        if first in _FUNCTIONS or first in ("include", "template"):
            args = [self._argument(token, scope) for token in tokens[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            if first in ("include", "template"):
                return self._include(args)
            return _FUNCTIONS[first](*args)
        if len(tokens) > 1 or piped is not _NOTHING:
            raise TemplateError(f"unknown function `{first}`")
        return self._argument(first, scope)

    def _argument(self, token: str, scope: _Scope) -> Any:
        if token[0] in '"`':
            return _unquote(token)
        if re.fullmatch(r"-?\d+", token):
            return token
        if token in ("true", "false", "nil"):
            return None if token == "nil" else token == "true"
        if token == ".":
            return scope.dot
        if token.startswith("$."):
            return _lookup(scope.root, token[2:].split("."))
        if token.startswith("$"):
            name, _, rest = token.partition(".")
            if name == "$":
                return scope.root
            base = scope.variables.get(name)
            return _lookup(base, rest.split(".")) if rest else base
        if token.startswith("."):
            path = token[1:].split(".")
            if path[0] in ("Values", "Release", "Chart", "Capabilities", "Files", "Template") and (
                scope.dot is scope.root
            ):
                return _lookup(scope.root, path)
            return _lookup(scope.dot, path)
        raise TemplateError(f"unknown function `{token}`")

    def _include(self, args: list[Any]) -> str:
        if not args or not isinstance(args[0], str) or args[0] not in self.defines:
            raise TemplateError(
                f"include of an unknown template {args[0]!r}" if args else "include without a name"
            )
        if self.depth >= _MAX_INCLUDE_DEPTH:
            raise TemplateError("includes nested too deep")
        dot = args[1] if len(args) > 1 else self.root
        self.depth += 1
        out: list[str] = []
        self._nodes(self.defines[args[0]], _Scope(dot, self.root, {}), out, track=False)
        self.depth -= 1
        return "".join(out)


_NOTHING = object()


def _split_pipes(text: str) -> list[str]:
    parts, current, quote = [], "", ""
    for char in text:
        if quote:
            current += char
            quote = "" if char == quote else quote
        elif char in '"`':
            quote = char
            current += char
        elif char == "|":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts]


def _default(*args: Any) -> Any:
    if not args:
        raise TemplateError("default without arguments")
    fallback, value = args[0], args[-1] if len(args) > 1 else None
    return value if _truthy(value) else fallback


def _indent(count: Any, value: Any) -> str:
    pad = " " * int(str(count))
    return "\n".join(pad + line for line in _text(value).split("\n"))


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "default": _default,
    "quote": lambda *args: " ".join('"' + _text(a).replace('"', '\\"') + '"' for a in args),
    "squote": lambda *args: " ".join("'" + _text(a) + "'" for a in args),
    "toYaml": lambda value: _to_yaml(value) if isinstance(value, YamlNode) else _text(value),
    "indent": _indent,
    "nindent": lambda count, value: "\n" + _indent(count, value),
    "trim": lambda value: _text(value).strip(),
    "upper": lambda value: _text(value).upper(),
    "lower": lambda value: _text(value).lower(),
    "toString": _text,
    "required": lambda _message, value: value,
    "b64enc": lambda value: base64.b64encode(_text(value).encode()).decode(),
}


# -- a chart ---------------------------------------------------------------------------


def render_chart(folder: str, read_text: ReadText, paths: list[str]) -> RenderedChart:
    """Render the templates of the chart in `folder` (relative), with its values.yaml."""
    chart = RenderedChart(folder)
    prefix = f"{folder}/" if folder else ""
    values_path = prefix + "values.yaml"
    values_text = read_text(values_path)
    try:
        documents = load_documents(values_text, values_path) if values_text else []
    except YamlError as exc:
        chart.problems.append(f"{values_path}: {exc}; the chart is not checked")
        return chart
    chart.values = documents[0] if documents else YamlNode({}, 1, 1, origin=values_path)
    name = _chart_name(read_text(prefix + "Chart.yaml"), folder)
    root: dict[str, Any] = {
        "Values": chart.values,
        "Release": {"Name": "release", "Namespace": "default", "Service": "Helm"},
        "Chart": {"Name": name, "Version": "0.0.0", "AppVersion": ""},
    }
    templates = sorted(
        path
        for path in paths
        if path.startswith(prefix + "templates/") and "/tests/" not in path[len(prefix) :]
    )
    defines: dict[str, list[_Node]] = {}
    helpers = [path for path in templates if path.endswith(".tpl")]
    for path in helpers:
        try:
            defines.update(_parse(read_text(path) or "")[1])
        except TemplateError as exc:
            chart.problems.append(f"{path}: cannot be read ({exc}); its templates are not defined")
    for path in templates:
        if not path.endswith((".yaml", ".yml")):
            continue
        text = read_text(path) or ""
        try:
            nodes, local = _parse(text)
            renderer = _Renderer({**defines, **local}, root)
            rendered = renderer.render(nodes)
            resources = _documents(rendered, path, renderer)
        except (TemplateError, YamlError, RecursionError, ValueError) as exc:
            chart.problems.append(f"{path}: cannot be rendered ({exc}); it is not checked")
            continue
        chart.resources.extend(resources)
    return chart


def _chart_name(text: str | None, folder: str) -> str:
    match = re.search(r"^name:\s*['\"]?([^'\"\s]+)", text or "", re.MULTILINE)
    return match.group(1) if match else posixpath.basename(folder) or "chart"


def _documents(rendered: str, path: str, renderer: _Renderer) -> list[Resource]:
    documents = load_documents(rendered, path)
    resources = []
    for document in documents:
        for node in document.walk():
            index = node.row - 1
            used = renderer.used.get(index, [])
            # One value on the line: the scalar is set in values.yaml; more: the template line says how.
            source = (
                used[0] if len(used) == 1 and used[0].text and used[0].text in (node.text or "") else None
            )
            if source is not None and isinstance(node.value, str):
                node.row, node.column = source.row, source.column
                node.end_row, node.end_column = source.end_row, source.end_column
                node.origin = source.origin
            elif 0 <= index < len(renderer.lines):
                row = renderer.lines[index]
                node.end_row += row - node.row
                node.row = row
                node.end_row = max(node.end_row, node.row)
        resource = resource_of(document)
        if resource is not None:
            resources.append(resource)
    return resources
