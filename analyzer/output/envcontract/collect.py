"""Gathering the configuration contract of a project.

Every Python file in which an environment read can occur (a byte prefilter,
as for rules) is parsed once and walked by `EnvReadCollector` in the shared
traversal; tests, docs and examples are left out, since they are not the app
that runs (tests set up their own environment). `.env` files the code loads (python-dotenv, django-environ's
`read_env`, python-decouple, pydantic-settings `env_file`) add the names
they define; their values are never read into the contract, except for the
non-secret values of example files (`.env.example`, `.env.sample`...).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from factorscan.core.discovery import DiscoveredFile, Discovery, display_path, relative_to_root
from factorscan.core.errors import RoundTripError
from factorscan.core.settings import Settings
from factorscan.core.source import SourceDecodeError, SourceFile, read_regular_file
from factorscan.deploy.deployment import PLATFORM_VARIABLES
from factorscan.python.credentials import find_credential
from factorscan.python.secrets import has_real_password, is_secret_name, looks_random, name_words, parse_url
from factorscan.python.services import service_setting
from factorscan.python.targets import sample_or_test_file
from factorscan.python.traversal import FileContext, Traversal
from factorscan.scan.env_reads import EnvReadCollector, Read
from factorscan.scan.project import ProjectModel

__all__ = ["Contract", "Deployment", "Read", "Variable", "collect"]


@dataclass
class Variable:
    name: str
    reads: list[Read] = field(default_factory=list)
    secret: bool = False

    @property
    def required(self) -> bool:
        return not any(read.has_default for read in self.reads)

    @property
    def strictly_required(self) -> bool:
        """The code reads it, and every read fails without it (`.get` and `getenv` do not)."""
        code_reads = [read for read in self.reads if read.via != "dotenv"]
        return bool(code_reads) and not any(
            read.has_default or read.via in ("os.getenv", "os.environ.get") for read in code_reads
        )

    @property
    def presence_flag(self) -> bool:
        """The code only tests whether it is set: any value, even an empty one, switches it on."""
        code_reads = [read for read in self.reads if read.via != "dotenv"]
        return bool(code_reads) and all(read.presence for read in code_reads)

    @property
    def defaults(self) -> list[str]:
        """The distinct literal defaults, in reading order."""
        seen: list[str] = []
        for read in self.reads:
            if read.default is not None and read.default not in seen:
                seen.append(read.default)
        return seen

    @property
    def default(self) -> str | None:
        """The default to show: None for secrets, required variables and disagreeing reads."""
        defaults = self.defaults
        return defaults[0] if len(defaults) == 1 and not self.secret else None


@dataclass
class Deployment:
    """What the project's deployment descriptors give the containers that run the app."""

    provided: dict[str, list[str]] = field(default_factory=dict)  # variable -> descriptors giving it
    # containers some source of variables of which is outside the repository
    open_sources: list[str] = field(default_factory=list)
    containers: int = 0  # containers linked to the app
    config_map: str | None = None  # the names the app's envFrom already uses
    secret: str | None = None

    def unprovided(self, variables: list[Variable]) -> list[Variable]:
        """Required variables no descriptor provides (none when some source is outside the repository)."""
        if self.open_sources:
            return []
        return [
            variable
            for variable in variables
            if variable.strictly_required
            and variable.name not in self.provided
            and variable.name not in PLATFORM_VARIABLES
        ]


@dataclass
class Contract:
    root: Path
    variables: list[Variable]
    warnings: list[str]
    files_scanned: int
    deployment: Deployment = field(default_factory=Deployment)


# -- one file ------------------------------------------------------------------------

# -- .env files -------------------------------------------------------------------------

_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?P<value>.*?)\s*$")
_EXAMPLE_NAMES = (".env.example", ".env.sample", ".env.template", ".env.dist", "example.env", "sample.env")


def _dotenv_value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw.split(" #", 1)[0].strip()


def read_dotenv(path: Path, with_values: bool) -> list[tuple[str, Read]]:
    """Names defined in a .env file; values only for example files (`with_values`)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    reads = []
    for row, line in enumerate(text.splitlines(), start=1):
        match = _DOTENV_LINE.match(line)
        if match is None:
            continue
        value = _dotenv_value(match.group("value")) if with_values else None
        reads.append(
            (match.group("name"), Read(display_path(path), row, "dotenv", value or None, bool(value)))
        )
    return reads


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _dotenv_candidates(requests: Iterable[tuple[Path, str | None]], root: Path) -> list[tuple[Path, bool]]:
    """(.env file, whether its values may be shown) for what the code loads, plus example files.

    A literal path is tried from the project root and from the loading file's
    folder; no path means python-dotenv's search: the nearest `.env` from the
    loading file up to the project root.
    """
    found: dict[Path, bool] = {}
    for source_dir, requested in requests:
        folder = root
        if requested is not None:
            for base in (root, source_dir):
                candidate = (base / requested).resolve()
                if candidate.is_file() and _within(candidate, root):
                    found.setdefault(candidate, candidate.name in _EXAMPLE_NAMES)
                    folder = candidate.parent
                    break
        else:
            chain = [source_dir, *source_dir.parents]
            for candidate_folder in [f for f in chain if _within(f, root)]:
                if (candidate_folder / ".env").is_file():
                    found.setdefault(candidate_folder / ".env", False)
                    folder = candidate_folder
                    break
        for name in _EXAMPLE_NAMES:
            if (folder / name).is_file():
                found.setdefault(folder / name, True)
    return sorted(found.items())


# -- the project ------------------------------------------------------------------------


def is_secret_variable(name: str, values: Iterable[str], hint: bool, extra: Iterable[str] = ()) -> bool:
    """Secret-like: by name, by type, as a connection string, or by a default that looks like a credential."""
    if hint or is_secret_name(name, extra):
        return True
    words = name_words(name)
    if words and (words[-1] == "dsn" or (words[-1] in ("url", "uri") and service_setting(name) is not None)):
        return True  # connection strings carry credentials: the article keeps them in the Secret
    for value in values:
        url = parse_url(value)
        if find_credential(value) or looks_random(value) or (url is not None and has_real_password(url)):
            return True
    return False


class _Unreadable(Exception):
    """One file whose reads cannot be listed; the others still are."""


def _read_file(
    source: SourceFile, settings: Settings, relative: str
) -> tuple[list[tuple[str, Read]], list[str | None], list[str]]:
    """One file's reads (placed), the .env files it loads, and its errors."""
    try:
        text = source.text
        module = cst.parse_module(text)
    except (SourceDecodeError, cst.ParserSyntaxError, RecursionError, MemoryError):
        raise _Unreadable("cannot parse") from None
    except Exception as exc:  # libcst's native parser raises others on odd input
        raise _Unreadable(f"cannot parse ({type(exc).__name__})") from None
    # The `ast` tree lets positions be found statement by statement, which works
    # where libcst does not write the whole file back exactly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree: ast.Module | None = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
    context = FileContext(source, module, settings, relative, tree)
    collector = EnvReadCollector.visiting(context)
    try:
        Traversal(context, [collector]).run()
        reads = collector.reads()
    except RecursionError:
        raise _Unreadable("nesting too deep to analyse") from None
    except RoundTripError:
        raise _Unreadable("libcst does not reproduce this file exactly") from None
    except Exception as exc:
        raise _Unreadable(f"internal error: {type(exc).__name__} (please report it)") from None
    return reads, collector.dotenv_files, context.errors


def collect(paths: list[Path], settings: Settings) -> Contract:
    """Every variable the project's (non-test) code reads, with where and how."""
    root = settings.project_root
    files = Discovery(settings).discover(paths)
    found: dict[str, Variable] = {}
    problems: list[str] = []
    dotenv_requests: list[tuple[Path, str | None]] = []
    scanned = 0
    for item in files:
        if item.kind != "python":
            continue
        try:
            data = read_regular_file(item.path)
        except OSError as exc:
            problems.append(f"{display_path(item.path)}: cannot read: {exc.strerror or exc}")
            continue
        scanned += 1
        relative = relative_to_root(item.path, root)
        if not EnvReadCollector.triggered_by(data) or sample_or_test_file(relative):
            continue
        source = SourceFile(item.path, display_path(item.path), data)
        try:
            reads, dotenv_files, errors = _read_file(source, settings, relative)
        except _Unreadable as exc:
            problems.append(f"{source.display_path}: {exc}; its environment reads are not listed")
            continue
        problems.extend(f"{source.display_path}: {error}" for error in errors)
        for name, read in reads:
            found.setdefault(name, Variable(name)).reads.append(read)
        dotenv_requests.extend((item.path.parent, requested) for requested in dotenv_files)

    for dotenv_path, with_values in _dotenv_candidates(dotenv_requests, root):
        for name, read in read_dotenv(dotenv_path, with_values):
            found.setdefault(name, Variable(name)).reads.append(read)

    variables = sorted(found.values(), key=lambda variable: variable.name)
    for variable in variables:
        variable.secret = is_secret_variable(
            variable.name,
            variable.defaults,
            any(read.secret_hint for read in variable.reads),
            settings.secret_names,
        )
        code_defaults = {
            read.default for read in variable.reads if read.via != "dotenv" and read.default is not None
        }
        if len(code_defaults) > 1:
            places = ", ".join(
                f"{read.path}:{read.line}" for read in variable.reads if read.default is not None
            )
            problems.append(
                f"{variable.name} is read with {len(code_defaults)} different defaults ({places}); "
                "they are one setting in every deploy: give them one default or separate names"
            )
    deployment = read_deployment(root, settings, files)
    problems.extend(deployment[1])
    return Contract(root, variables, problems, scanned, deployment[0])


def read_deployment(
    root: Path, settings: Settings, files: list[DiscoveredFile]
) -> tuple[Deployment, list[str]]:
    """Which descriptors provide which variables to the app's containers, and warnings met reading them."""
    project = ProjectModel(root, settings, files)
    model = project.deployment
    found = Deployment()
    if model.empty and not project.dockerfiles:
        return found, []
    for linked in model.linked_containers(root.name):
        found.containers += 1
        if linked.open_ended:
            found.open_sources.append(linked.label)
        for name, provisions in linked.provided.items():
            for provision in provisions:
                if provision.descriptor not in found.provided.setdefault(name, []):
                    found.provided[name].append(provision.descriptor)
        for source, _item in linked.container.env_from if linked.container is not None else ():
            if source.kind == "ConfigMap" and found.config_map is None:
                found.config_map = source.name
            if source.kind == "Secret" and found.secret is None:
                found.secret = source.name
    if not found.containers:
        for dockerfile, names in project.dockerfile_env().items():
            for name, _value in names:
                found.provided.setdefault(name, []).append(f"{dockerfile} ENV")
    return found, project.warnings
