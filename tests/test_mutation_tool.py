"""The mutation harness (tests/tools/mutate.py) makes the mutants it promises, and no others."""

from __future__ import annotations

import textwrap

from .conftest import REPO
from .tools.mutate import codes_for, mutants

RULE = textwrap.dedent(
    '''
    """A rule module's docstring is never mutated."""

    NAMES = frozenset({"alpha", "beta"})


    class ExampleRule:
        code = "FS9999"
        VALID = (Valid("x = 1"),)

        def check(self, items, limit):
            for item in items:
                if item.name in NAMES and item.size > 3:
                    continue
                if item.size >= limit or item.kind is None:
                    return item
            return [item for item in items if item.kind == "a"]
    '''
).lstrip("\n")


def test_each_operator_makes_its_mutants() -> None:
    made = {(mutant.line, mutant.description) for mutant in mutants(RULE)}
    assert made == {
        (3, "'alpha' dropped from the collection"),
        (3, "'beta' dropped from the collection"),
        (13, "`continue` removed"),
        (12, "if condition negated"),
        (12, "if condition -> True"),
        (12, "if condition -> False"),
        (12, "`and` -> `or`"),
        (12, "`in` -> `not in`"),
        (12, "`>` -> `<=`"),
        (12, "3 -> 4"),
        (12, "3 -> 2"),
        (14, "if condition negated"),
        (14, "if condition -> True"),
        (14, "if condition -> False"),
        (14, "`or` -> `and`"),
        (14, "`>=` -> `<`"),
        (14, "`is` -> `is not`"),
        (15, "`return` removed"),
        (16, "comprehension filter -> True"),
        (16, "`==` -> `!=`"),
    }
    # Each mutant is the module with exactly that change: it parses, and differs from the rest.
    sources = [mutant.source for mutant in mutants(RULE)]
    assert len(set(sources)) == len(sources)


def test_a_helper_module_serves_the_rules_that_import_it() -> None:
    assert codes_for(REPO / "checks" / "config" / "secret_default.py") == ["FS0302"]
    served = codes_for(REPO / "checks" / "processes" / "_shared.py")
    assert served
    assert all(code.startswith("FS06") for code in served)
