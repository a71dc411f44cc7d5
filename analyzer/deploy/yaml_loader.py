"""YAML documents as trees of positioned nodes, read with PyYAML's safe composer.

Only the composer runs (the C one, libyaml, when PyYAML was built with it):
it builds the node graph with marks and resolves nothing, so no tag can make
it build a Python object. Aliases stay shared nodes in that graph; turning it
into `YamlNode` trees expands them, so the expansion is counted and stopped
at `MAX_NODES` (a "billion laughs" file is a few lines whose expansion is
billions of nodes), and nesting is stopped at `MAX_DEPTH`. Merge keys (`<<`)
are applied. Scalars stay text: `3` and `"3"` are both `"3"`, as a
Kubernetes field or an environment variable receives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import yaml

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlError", "YamlNode", "load_documents", "read_yaml"]

# Nodes one file may expand to: a large real manifest (a CRD bundle) has tens of thousands.
MAX_NODES = 250_000
# Real manifests nest under 30 levels; libyaml itself refuses flow nesting past 1,000.
MAX_DEPTH = 200

YamlValue: TypeAlias = "str | list[YamlNode] | dict[str, YamlNode]"


class YamlError(ValueError):
    """A file that is not YAML, or one too large or too nested to expand: a one-line reason."""


@dataclass(slots=True)
class YamlNode:
    """A scalar (text), sequence or mapping, where it starts (1-based) and where its key is."""

    value: YamlValue
    row: int
    column: int
    key_row: int = 0  # the row of the key that holds it, in a mapping
    key_column: int = 0
    end_row: int = 0
    end_column: int = 0
    null: bool = False  # `key:` with nothing, `~` or `null`
    quoted: bool = False  # a quoted or block scalar: text even when it looks like a number
    origin: str = ""  # the file it was read from (relative to the project root), when told

    def get(self, key: str) -> YamlNode | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def path(self, *keys: str) -> YamlNode | None:
        """The node at `keys` below this mapping, or None when any step is missing."""
        node: YamlNode | None = self
        for key in keys:
            node = node.get(key) if node is not None else None
        return node

    @property
    def text(self) -> str | None:
        return self.value if isinstance(self.value, str) else None

    @property
    def mapping(self) -> dict[str, YamlNode]:
        return self.value if isinstance(self.value, dict) else {}

    @property
    def items(self) -> list[YamlNode]:
        return self.value if isinstance(self.value, list) else []

    def walk(self) -> Iterator[YamlNode]:
        """This node and every node below it."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node.value, dict):
                stack.extend(reversed(node.value.values()))
            elif isinstance(node.value, list):
                stack.extend(reversed(node.value))


_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Builder:
    def __init__(self, origin: str, module: Any) -> None:
        self.count = 0
        self.origin = origin
        self.yaml = module  # PyYAML, imported on first use

    def build(self, node: yaml.Node, depth: int = 0) -> YamlNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(f"expands to more than {MAX_NODES} nodes (aliases nested too deep?)")
        if depth > MAX_DEPTH:
            raise YamlError(f"nested more than {MAX_DEPTH} levels deep")
        start, end = node.start_mark, node.end_mark
        made = YamlNode(
            "",
            start.line + 1,
            start.column + 1,
            end_row=end.line + 1,
            end_column=end.column + 1,
            origin=self.origin,
        )
        if isinstance(node, self.yaml.ScalarNode):
            made.value = str(node.value)
            # The C composer gives plain scalars the style "", the Python one None.
            made.quoted = bool(node.style)
            made.null = node.tag == _NULL_TAG and not made.quoted
            if node.style in ("|", ">") and made.end_row > made.row:
                made.row += 1  # a block scalar's text starts below its indicator
        elif isinstance(node, self.yaml.SequenceNode):
            made.value = [self.build(item, depth + 1) for item in node.value]
        elif isinstance(node, self.yaml.MappingNode):
            made.value = self._mapping(node, depth)
        return made

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, YamlNode]:
        mapping: dict[str, YamlNode] = {}
        merged: dict[str, YamlNode] = {}
        for key_node, value_node in node.value:
            is_merge = isinstance(key_node, self.yaml.ScalarNode) and key_node.value == "<<"
            if key_node.tag == _MERGE_TAG or is_merge:
                sources = value_node.value if isinstance(value_node, self.yaml.SequenceNode) else [value_node]
                for source in sources:
                    built = self.build(source, depth + 1)
                    for key, value in built.mapping.items():
                        merged.setdefault(key, value)
                continue
            key = str(key_node.value) if isinstance(key_node, self.yaml.ScalarNode) else ""
            value = self.build(value_node, depth + 1)
            value.key_row = key_node.start_mark.line + 1
            value.key_column = key_node.start_mark.column + 1
            mapping[key] = value
        for key, value in merged.items():
            mapping.setdefault(key, value)
        return mapping


def load_documents(text: str, origin: str = "") -> list[YamlNode]:
    """Every non-empty document of a YAML stream, in order, its nodes marked with `origin`.

    Raises `YamlError`."""
    # Imported here: scans of projects without YAML never pay for it.
    import yaml

    # libyaml's composer is about ten times faster than the pure-Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    builder = _Builder(origin, yaml)
    documents = []
    try:
        for document in yaml.compose_all(text, Loader=loader):
            if document is not None:
                documents.append(builder.build(document))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = (exc.problem or exc.context or "not valid YAML").strip()
        raise YamlError(f"invalid YAML, {where}{problem}") from None
    except yaml.YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise YamlError(f"invalid YAML: {first_line}") from None
    except RecursionError:
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep") from None
    return documents


def read_yaml(text: str) -> YamlNode | None:
    """The first document of a YAML file, or None when there is none or it does not load."""
    try:
        documents = load_documents(text)
    except YamlError:
        return None
    return documents[0] if documents else None
