"""The rule registry: every Rule subclass defined in this package's modules.

Rules live one per module in a package per factor (`checks/config/hardcoded_secret.py`).
The registry walks the packages, so adding a rule means adding its module; nothing
else lists rules. Modules whose name starts with `_` (a factor's `_shared.py`) hold
helpers, not rules.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import cache

from factorscan.checks.base import Rule
from factorscan.core.errors import ConfigError


@cache
def all_rules() -> tuple[type[Rule], ...]:
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        if not module.name.rsplit(".", 1)[1].startswith("_"):
            importlib.import_module(module.name)
    found: dict[str, type[Rule]] = {}
    pending = list(Rule.__subclasses__())
    while pending:
        rule = pending.pop()
        pending.extend(rule.__subclasses__())
        code = rule.__dict__.get("code")
        if code is None:
            continue  # an intermediate base class
        if code in found and found[code] is not rule:
            raise RuntimeError(f"two rules share the code {code}")
        found[code] = rule
    return tuple(found[code] for code in sorted(found))


def rule_by_code(selector: str) -> type[Rule] | None:
    for rule in all_rules():
        if selector in (rule.code, rule.name):
            return rule
    return None


def _matches(selector: str, rule: type[Rule]) -> int:
    """How specifically `selector` names `rule`: 0 for not at all."""
    if selector in ("ALL", "FS"):
        return 1
    if selector == rule.name:
        return 10
    if rule.code.startswith(selector):
        return len(selector)
    return 0


def _selector_names() -> list[str]:
    """What a selector can be: a factor prefix, a code, a rule name."""
    rules = all_rules()
    prefixes = sorted({rule.code[:4] for rule in rules})
    return [*prefixes, *(rule.code for rule in rules), *(rule.name for rule in rules)]


def selector_problem(selector: str) -> str | None:
    """None when `selector` names at least one rule; else why not, with the closest that would."""
    if any(_matches(selector, rule) for rule in all_rules()):
        return None
    names = _selector_names()
    close = difflib.get_close_matches(selector, names, n=1, cutoff=0.6) or difflib.get_close_matches(
        selector.upper(), names, n=1, cutoff=0.6
    )
    if close:
        return f"{selector!r} matches no rule; did you mean {close[0]!r}?"
    return (
        f"{selector!r} matches no rule (use a code prefix such as FS11, "
        "a code such as FS1101, or a rule name; see `factorscan rules`)"
    )


def validate_selectors(selectors: list[str], option: str) -> None:
    for selector in selectors:
        problem = selector_problem(selector)
        if problem is not None:
            raise ConfigError(f"{option}: {problem}")


def select_rules(select: list[str] | None, extend_select: list[str], ignore: list[str]) -> list[type[Rule]]:
    """Rules enabled by prefix selectors; the most specific selector wins (as in ruff)."""
    chosen = ["ALL"] if select is None else select
    validate_selectors(chosen, "select")
    validate_selectors(extend_select, "extend-select")
    validate_selectors(ignore, "ignore")
    enabled = []
    for rule in all_rules():
        selected = max((_matches(s, rule) for s in [*chosen, *extend_select]), default=0)
        ignored = max((_matches(s, rule) for s in ignore), default=0)
        if selected and selected > ignored:
            enabled.append(rule)
    return enabled
