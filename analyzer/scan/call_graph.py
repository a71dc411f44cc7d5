"""The project's call graph, linked from each file's `FunctionFact`s (read with `ast`, cached
with the file: a changed file changes only its own facts), and the findings of handler-scoped
rules whose effect sits in a helper that a request handler or start-up hook calls.

A call target `pkg.module.func` links to every file whose dotted path ends with the module
part (which folder is on `sys.path` is not known), trying the longest module part first;
`:name` targets stay in their file. A class called is its `__init__`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

from factorscan.checks.base import Rule
from factorscan.core.findings import Finding, Location
from factorscan.python.call_facts import FunctionFact, ReachCandidate
from factorscan.scan.module_graph import dotted_suffixes
from factorscan.scan.project import ProjectModel

# Calls followed back from an effect to the handler that makes them: deeper chains are
# rarely followed by a reader either, and each level widens what a guess can reach.
MAX_CALLS = 3

Function = tuple[str, str]  # (relative path, "Class.method")


class Reach(NamedTuple):
    path: str  # relative path of the reaching handler's file
    name: str
    line: int
    calls: int  # how many calls from it to the effect's function


class CallGraph:
    def __init__(self, facts: dict[str, list[FunctionFact]]) -> None:
        self._functions: dict[Function, FunctionFact] = {
            (path, fact.name): fact for path, items in facts.items() for fact in items
        }
        self._files: dict[str, list[str]] = {}  # dotted suffix -> relative paths
        for path in facts:
            for suffix in dotted_suffixes(path):
                self._files.setdefault(suffix, []).append(path)
        self._callers: dict[Function, set[Function]] = {}
        for (path, name), fact in self._functions.items():
            for target in fact.calls:
                for callee in self._resolve(path, target):
                    if callee != (path, name):
                        self._callers.setdefault(callee, set()).add((path, name))

    def _resolve(self, path: str, target: str) -> list[Function]:
        if target.startswith(":"):
            return self._in_file(path, target[1:])
        parts = target.split(".")
        for split in range(len(parts) - 1, 0, -1):
            files = self._files.get(".".join(parts[:split]))
            if files:
                name = ".".join(parts[split:])
                return [found for file in files for found in self._in_file(file, name)]
        return []

    def _in_file(self, path: str, name: str) -> list[Function]:
        for candidate in (name, f"{name}.__init__"):
            if (path, candidate) in self._functions:
                return [(path, candidate)]
        return []

    def reached_from(self, path: str, name: str, roles: list[str]) -> Reach | None:
        """The nearest function of one of `roles` that calls (path, name) through 1 to MAX_CALLS
        calls, or None. The function's own role does not count: the rule judged it itself."""
        start = (path, name)
        if start not in self._functions:
            return None
        seen = {start}
        queue = deque([(start, 0)])
        while queue:
            current, depth = queue.popleft()
            if depth == MAX_CALLS:
                continue
            for caller in sorted(self._callers.get(current, ())):
                if caller in seen:
                    continue  # a cycle, or a caller already met on a shorter path
                seen.add(caller)
                fact = self._functions[caller]
                if fact.role in roles:
                    return Reach(caller[0], fact.name, fact.line, depth + 1)
                queue.append((caller, depth + 1))
        return None


def call_graph(project: ProjectModel) -> CallGraph:
    """The project's call graph, built once per scan from the cached per-file facts."""
    return project.derived("call graph", lambda: CallGraph(project.facts(FunctionFact)))


def reached_findings(rule: Rule, project: ProjectModel) -> Iterator[Finding]:
    """The rule's effects in helpers (ReachCandidate facts) that a handler reaches, reported at
    the effect, naming the handler: "reached from `join` in app/main.py:21"."""
    candidates = project.facts(ReachCandidate)
    if not any(candidate.code == rule.code for items in candidates.values() for candidate in items):
        return
    graph = call_graph(project)
    for path, items in sorted(candidates.items()):
        for candidate in items:
            if candidate.code != rule.code:
                continue
            reach = graph.reached_from(path, candidate.function, candidate.roles)
            if reach is None:
                continue
            where = f"{project.display(project.root / reach.path)}:{reach.line}"
            yield rule.make_finding(
                project.display(project.root / path),
                Location(candidate.row, candidate.column),
                Location(candidate.end_row, candidate.end_column),
                candidate.message.replace("{reached}", f"reached from `{reach.name}` in {where}"),
            )
