"""Which distribution provides an imported module, without the project's venv.

Layers, most trusted first:

1. the user's `import-map` setting (import name -> distribution);
2. the bundled offline table, data/import_names.json (built by
   `python -m tests.tools.importmap_build`), for the names that differ
   (`PIL` -> pillow, `google.cloud.storage` -> google-cloud-storage);
3. the running interpreter's `importlib.metadata.packages_distributions()`,
   consulted only for names the table does not know, since that environment
   is factorscan's and not necessarily the project's;
4. PEP 503 normalisation of the import name itself (`flask_cors` -> flask-cors),
   and a loose comparison with the declared names (`pythonjsonlogger` ->
   python-json-logger, `yaml` -> pyyaml).

The same table lists what popular distributions install with them, so a
direct import of a transitive dependency (werkzeug under flask) can be told
apart from an undeclared one.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from collections.abc import Collection, Mapping
from functools import cache
from importlib import resources
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# Families whose plugins always depend on the framework they extend.
_PLUGIN_FAMILIES = ("django", "flask", "pytest", "sphinx", "celery", "fastapi", "sqlalchemy", "pydantic")
_LOOSE_PREFIXES = ("python", "py")
_LOOSE_SUFFIXES = ("python", "py", "client", "sdk", "binary", "headless", "api")


@cache
def _table() -> dict[str, Any]:
    data = resources.files("factorscan").joinpath("data/import_names.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(data)
    return table


@cache
def _environment() -> Mapping[str, list[str]]:
    try:
        return importlib.metadata.packages_distributions()
    except Exception:  # a broken installed distribution must not stop the scan
        return {}


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _loose_forms(distribution: str) -> set[str]:
    """`python-json-logger` -> {pythonjsonlogger, jsonlogger}; `pinecone-client` -> {..., pinecone}."""
    squashed = _squash(distribution)
    forms = {squashed}
    for prefix in _LOOSE_PREFIXES:
        if squashed.startswith(prefix) and len(squashed) > len(prefix) + 1:
            forms.add(squashed[len(prefix) :])
    for form in list(forms):
        for suffix in _LOOSE_SUFFIXES:
            if form.endswith(suffix) and len(form) > len(suffix) + 1:
                forms.add(form[: -len(suffix)])
    return forms


class ImportResolver:
    """Maps module names to candidate distributions (canonical names, best first)."""

    def __init__(self, import_map: Mapping[str, str] | None = None, use_environment: bool = True) -> None:
        self.import_map = {name: canonicalize_name(dist) for name, dist in (import_map or {}).items()}
        self.use_environment = use_environment

    def _prefixes(self, module: str) -> list[str]:
        parts = module.split(".")
        return [".".join(parts[:count]) for count in range(len(parts), 0, -1)]

    def distributions(self, module: str) -> list[str]:
        """Distributions that may provide `module`; the first is the one to name in messages."""
        for prefix in self._prefixes(module):
            if prefix in self.import_map:
                return [self.import_map[prefix]]
        found: list[str] = []
        imports: dict[str, list[str]] = _table()["imports"]
        for prefix in self._prefixes(module):
            if prefix in imports:
                found += imports[prefix]
                break
        top = module.split(".", maxsplit=1)[0]
        if top in self.namespaces:
            found += self.namespace_chains(module)
        elif not found and self.use_environment:
            found += [canonicalize_name(dist) for dist in _environment().get(top, [])]
        found.append(canonicalize_name(top))
        return list(dict.fromkeys(found))

    @property
    def namespaces(self) -> frozenset[str]:
        return frozenset(_table()["namespaces"])

    def namespace_chains(self, module: str) -> list[str]:
        """`google.cloud.storage_v1.blob` -> google-cloud-storage-blob, google-cloud-storage, google-cloud."""
        parts = [re.sub(r"_v\d+\w*$", "", part) for part in module.split(".")]
        return [
            canonicalize_name("-".join(parts[:count]).replace("_", "-")) for count in range(len(parts), 1, -1)
        ]

    def declared_provider(self, module: str, declared: Collection[str]) -> str | None:
        """The declared distribution that provides `module`, if any."""
        for candidate in self.distributions(module):
            if candidate in declared:
                return candidate
        top = module.split(".", maxsplit=1)[0]
        if top in self.import_map:
            return None  # the user said which distribution it is
        if top in self.namespaces:
            # google-cloud-storage also covers `google.cloud.storage_v2`; an
            # opentelemetry exporter chain covers its longer distribution names.
            for chain in self.namespace_chains(module):
                # Only below the namespace itself: google-cloud-bigquery does not
                # provide google.cloud.storage.
                if chain.count("-") < 2:
                    continue
                for name in declared:
                    if name.startswith(chain + "-"):
                        return name
            return None
        squashed = _squash(top)
        for name in declared:
            if squashed in _loose_forms(name):
                return name
        return None

    def requires(self, distribution: str) -> list[str]:
        """What `distribution` installs with it: the table, the installed metadata, plugin families."""
        found: list[str] = list(_table()["requires"].get(distribution, []))
        for family in _PLUGIN_FAMILIES:
            if distribution.startswith(family + "-") or distribution.endswith("-" + family):
                found.append(family)
        if self.use_environment:
            found += _installed_requires(distribution)
        return list(dict.fromkeys(found))


@cache
def _installed_requires(distribution: str) -> list[str]:
    try:
        requirements = importlib.metadata.requires(distribution) or []
    except Exception:
        return []
    names: list[str] = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or "extra" not in str(requirement.marker):
            names.append(canonicalize_name(requirement.name))
    return names


def transitive_closure(resolver: ImportResolver, roots: Collection[str], depth: int = 3) -> dict[str, str]:
    """dependency -> the declared distribution that brings it in, a few levels deep.

    Where several bring it in, the first in name order is named: the same in every run."""
    found: dict[str, str] = {}
    frontier = {root: root for root in sorted(roots)}
    for _ in range(depth):
        following: dict[str, str] = {}
        for name, origin in frontier.items():
            for dependency in resolver.requires(name):
                if dependency not in found and dependency not in roots:
                    found[dependency] = origin
                    following[dependency] = origin
        frontier = following
    return found
