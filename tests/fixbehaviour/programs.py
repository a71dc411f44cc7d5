"""Random programs for the property test: INVALID example snippets of the fixable rules,
their top-level statements spliced between filler statements (functions, classes,
branches, imports under `try`), some of them moved into an `if` block."""

from __future__ import annotations

import ast
import textwrap

from hypothesis import strategies as st

from .corpus import fixable_rules

FILLERS = (
    "def helper_{n}(value={n}):\n    return value * 2\n",
    "class Holder{n}:\n    size = {n}\n\n    def get(self):\n        return self.size\n",
    "if {n} > 100:\n    overflow_{n} = True\nelse:\n    overflow_{n} = False\n",
    "values_{n} = [item * {n} for item in range(3)]\n",
    "try:\n    import json as json_{n}\nexcept ImportError:\n    json_{n} = None\n",
    "label_{n} = 'filler {n}'\n",
)


def top_level_statements(code: str) -> list[str]:
    """The snippet's top-level statements, each with its decorators and its own lines."""
    lines = code.splitlines(keepends=True)
    tree = ast.parse(code)
    pieces = []
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        pieces.append("".join(lines[start - 1 : node.end_lineno]))
    return pieces


def snippets(excluded: frozenset[str] = frozenset()) -> list[tuple[str, list[str]]]:
    """(name, statements) of every Python INVALID example of a fixable rule."""
    found = []
    for rule in fixable_rules():
        for index, example in enumerate(rule.INVALID):
            name = f"{rule.code}-invalid-{index}"
            if example.filename.endswith(".py") and not example.files and name not in excluded:
                found.append((name, top_level_statements(example.code)))
    return found


@st.composite
def programs(draw, pool: list[tuple[str, list[str]]]) -> tuple[list[str], str]:
    """(the snippets used, the program's text)."""
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique_by=lambda item: item[0]))
    parts: list[str] = []
    counter = 0
    for _, statements in chosen:
        for statement in statements:
            for _ in range(draw(st.integers(0, 2))):
                counter += 1
                parts.append(draw(st.sampled_from(FILLERS)).format(n=counter))
            if not statement.startswith(("import ", "from ")) and draw(st.integers(0, 3)) == 0:
                parts.append("if True:\n" + textwrap.indent(statement, "    "))
            else:
                parts.append(statement)
    return [name for name, _ in chosen], "\n".join(parts)
