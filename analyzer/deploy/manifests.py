"""Dependency manifests, read statically: nothing is ever executed or imported.

Every declared dependency knows its manifest, its line and its group
(`runtime`, or the dev/test/extra group it belongs to). A manifest that cannot
be read records a problem (line and message) and the rest of the scan goes on.

Formats: requirements*.txt / *.in (with `-r`/`-c` includes, options, markers,
URLs, editables and hashes), pyproject.toml (PEP 621, PEP 735, poetry, pdm,
uv, hatch), setup.cfg, setup.py (parsed with `ast`, simple variable
tracking), Pipfile, conda environment.yml (a small YAML subset, no PyYAML),
tox.ini test dependencies, and lock files (which packages they pin).
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from factorscan.deploy.dockerfile import parse as parse_dockerfile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

RUNTIME = "runtime"
# An include kind: a requirements file that setup.py code names (possibly relative
# to some folder it joins), looked up by name when the path does not exist.
GUESSED = "guessed-requirements"

# Reads a project-relative POSIX path; None when the file is missing or unreadable.
Reader = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Dependency:
    name: str  # canonical (PEP 503) distribution name; "" for an unnamed path or URL
    manifest: str  # project-relative path of the file that declares it
    line: int  # 1-based; 0 when the format gives no line
    group: str  # "runtime", or the dev/test/docs/extra group
    pinned: bool  # an exact version (==, ===), a hash, or a lock-style pin
    path: str | None = None  # a local path it points at (`-e ../lib`, `file:../x`, `path = "../x"`)
    url: bool = False  # installed from a URL or VCS (pinned or not, not a version range)

    @property
    def runtime(self) -> bool:
        return self.group == RUNTIME


@dataclass
class Manifest:
    path: str  # project-relative POSIX path
    kind: str  # requirements, constraints, pyproject, setup-py, setup-cfg, pipfile, conda, tox, lock
    dependencies: list[Dependency] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    # It pins what it lists: a lock file, a pip-compile/uv output, or a requirements file with hashes.
    locked: bool = False
    # Dependencies are computed at build time in a way that cannot be read statically.
    dynamic: bool = False
    # pyproject/setup.py/setup.cfg describe a distribution: version ranges are right for a library.
    package_metadata: bool = False
    # Whether it declares dependencies at all (a pyproject.toml holding only tool settings does not).
    declares: bool = True
    # Console scripts it declares: name -> "module:function".
    entrypoints: dict[str, str] = field(default_factory=dict)
    # Package names it says the project provides (first-party modules).
    packages: list[str] = field(default_factory=list)
    # The distribution it describes (pyproject, setup.py, setup.cfg), if named.
    dist_name: str = ""

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))


# -- shared helpers ---------------------------------------------------------------

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
_NAME_PREFIX = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_PATH_START = re.compile(r"^(\.{1,2}([/\\\[]|$)|/|~|[A-Za-z]:[/\\])")
_DEV_WORDS = re.compile(
    r"(^|[^a-z])(dev|develop|development|test|tests|testing|lint|linting|docs?|ci|tox|local|typing|"
    r"mypy|style|qa|bench|benchmarks?|check|format|extras?|optional|debug|tools?)([^a-z]|$)"
)


def redact_url(text: str) -> str:
    """`https://user:token@host` -> `https://***@host`: manifests may hold index credentials."""
    return _CREDENTIALS.sub("***@", text)


def _short_error(exc: Exception) -> str:
    return redact_url(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__


def is_pinned(requirement: Requirement) -> bool:
    return any(spec.operator in ("==", "===") and "*" not in spec.version for spec in requirement.specifier)


def _local_path(location: str) -> str | None:
    """The filesystem path a requirement location points at, or None for names and remote URLs."""
    location = location.strip()
    if location.startswith("file:"):
        path = location[5:]
        if path.startswith("//"):
            path = path[2:]
            # file://localhost/x and file:///x
            path = path[path.index("/") :] if "/" in path else ""
        return path.split("#", 1)[0] or None
    if _PATH_START.match(location):
        # `.[socks]`, `../lib[extra]`: the extras are not part of the path
        return re.sub(r"\[[^\]]*\]$", "", location.split("#", 1)[0].strip())
    return None


_DEV_FOLDERS = frozenset({"tests", "test", "testing", "docs", "doc", "ci", ".github", "tools", "benchmarks"})


def is_dev_group(group: str) -> bool:
    """A development/test group: `dev`, `test`, `docs`, an extra named like one (`extra:tests`)..."""
    if group in (RUNTIME, "build", "source"):
        return False
    if group.startswith("extra:"):
        return _DEV_WORDS.search(group[6:].lower()) is not None
    return True


def group_for_filename(path: str) -> str:
    """Whether a requirements file holds runtime or development dependencies, by its path.

    `requirements.txt`, `requirements/base.txt`, `requirements/production.txt` are
    runtime; `requirements-dev.txt`, `requirements/test.txt`, `dev-requirements.in`,
    `docs/requirements.txt`, `tests/requirements/py3.txt` and the like are development.
    """
    parts = [part.lower() for part in PurePosixPath(path).parts]
    for folder in parts[:-1]:
        if folder in _DEV_FOLDERS:
            return "test" if folder.startswith("test") else folder.lstrip(".")
    words = " ".join(parts[-2:])
    match = _DEV_WORDS.search(re.sub(r"\.(txt|in|pip)$", " ", words))
    return match.group(2) if match else RUNTIME


def _normalise_group(name: str) -> str:
    return RUNTIME if name in ("", "main", "default") else name


class _Lines:
    """Finds the line of a value in a file whose parser gives no positions (TOML, ini)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def header(self, pattern: str) -> int:
        """Line index of a `[table]` header matching the regex `pattern`, or -1."""
        compiled = re.compile(rf"^\s*\[{pattern}\]\s*(#.*)?$")
        for index, line in enumerate(self.lines):
            if compiled.match(line):
                return index
        return -1

    def find(self, needle: str, start: int = 0) -> int:
        """1-based line of the first occurrence of `needle` at or after index `start`; 0 if absent."""
        for index in range(max(start, 0), len(self.lines)):
            if needle in self.lines[index]:
                return index + 1
        if start > 0:
            return self.find(needle, 0)
        return 0

    def find_key(self, key: str, start: int = 0) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for index in range(max(start, 0), len(self.lines)):
            if pattern.match(self.lines[index]):
                return index + 1
        return self.find(key, start)


def _requirement_dependency(manifest: Manifest, text: str, line: int, group: str) -> Dependency | None:
    """One PEP 508 requirement string (or a bare path/URL) as a Dependency; problems are recorded."""
    text = text.strip()
    if not text:
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        path = _local_path(text)
        if path is not None or "://" in text:
            egg = _EGG.search(text)
            name = canonicalize_name(egg.group(1)) if egg else ""
            return Dependency(name, manifest.path, line, group, True, path=path, url=path is None)
        manifest.problem(line, f"invalid requirement: {_short_error(exc)}")
        # Keep the name it starts with, so a typo in a pin does not make its imports "undeclared".
        salvaged = _NAME_PREFIX.match(text)
        if salvaged is None:
            return None
        return Dependency(canonicalize_name(salvaged.group(1)), manifest.path, line, group, False)
    path = _local_path(requirement.url) if requirement.url else None
    return Dependency(
        canonicalize_name(requirement.name),
        manifest.path,
        line,
        group,
        is_pinned(requirement),
        path=path,
        url=requirement.url is not None and path is None,
    )


def _join(directory: str, relative: str) -> str:
    """`directory/relative`, normalised, as a project-relative POSIX path (may start with ../)."""
    parts: list[str] = []
    for part in PurePosixPath(directory, relative.replace("\\", "/")).parts:
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append("..")
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts) or "."


# -- requirements files -------------------------------------------------------------

# Options that take a value (the value is not a requirement).
_VALUE_OPTIONS = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "--config-settings",
    "--global-option",
    "--hash",
}
_COMPILED_MARKERS = ("autogenerated by pip-compile", "uv pip compile", "pip-compile", "# via ")
_COMMENT = re.compile(r"(^|\s)#.*$")


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first row, line) with `\\` continuations joined and comments removed."""
    pending = ""
    start = 0
    for row, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = row
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = _COMMENT.sub("", pending + line).strip()
        pending = ""
        if full:
            yield start, full
    if pending.strip():
        yield start, _COMMENT.sub("", pending).strip()


def parse_requirements(
    path: str, text: str, group: str | None = None, kind: str = "requirements"
) -> tuple[Manifest, list[tuple[str, str]]]:
    """A requirements file, and the files it includes as (path, "requirements"|"constraints")."""
    group = group or group_for_filename(path)
    manifest = Manifest(path, kind)
    includes: list[tuple[str, str]] = []
    base = str(PurePosixPath(path).parent)
    manifest.locked = any(marker in text for marker in _COMPILED_MARKERS[:3])
    hashes = False
    for row, line in logical_lines(text):
        if line.startswith("-"):
            option, _, value = line.partition(" ")
            if "=" in option and option.startswith("--"):
                option, _, value = line.partition("=")
            value = value.strip()
            if option in ("-r", "--requirement", "-c", "--constraint"):
                if value:
                    target = _join(base, value)
                    includes.append((target, "constraints" if option.startswith(("-c", "--c")) else kind))
                continue
            if option in ("-e", "--editable"):
                dependency = _requirement_dependency(manifest, value, row, group)
                if dependency is not None:
                    manifest.dependencies.append(dependency)
                continue
            if option.startswith(("-r", "-c")):  # -rbase.txt
                includes.append((_join(base, option[2:]), "constraints" if option[1] == "c" else kind))
                continue
            continue  # index options, --require-hashes, --pre ...
        requirement, hash_options = _split_hashes(line)
        hashes = hashes or hash_options
        dependency = _requirement_dependency(manifest, requirement, row, group)
        if dependency is not None:
            if hash_options and not dependency.pinned:
                dependency = _replace_pinned(dependency)
            manifest.dependencies.append(dependency)
    manifest.locked = manifest.locked or hashes
    return manifest, includes


def _split_hashes(line: str) -> tuple[str, bool]:
    """Strip per-requirement options (`--hash=...`, `--config-settings`) from a line."""
    match = re.search(r"\s--?[a-z]", line)
    if match is None:
        return line, False
    return line[: match.start()], "--hash" in line[match.start() :]


def _replace_pinned(dependency: Dependency) -> Dependency:
    return Dependency(
        dependency.name, dependency.manifest, dependency.line, dependency.group, True, dependency.path
    )


# -- pyproject.toml, Pipfile ---------------------------------------------------------


def _load_toml(manifest: Manifest, text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else (text.count("\n") or 1)  # "at end of document"
        manifest.problem(line, f"invalid TOML: {_short_error(exc)}")
        return None


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class _TomlReader:
    """Adds PEP 508 strings and poetry/Pipfile tables to a manifest, with their lines."""

    def __init__(self, manifest: Manifest, text: str) -> None:
        self.manifest = manifest
        self.lines = _Lines(text)
        self.base = str(PurePosixPath(manifest.path).parent)

    def pep508(self, requirements: Iterable[str], group: str, header: str) -> None:
        start = self.lines.header(header)
        for requirement in requirements:
            line = self.lines.find(f'"{requirement}"', start) or self.lines.find(requirement, start)
            dependency = _requirement_dependency(self.manifest, requirement, line, group)
            if dependency is not None:
                self.manifest.dependencies.append(dependency)

    def table(
        self, table: dict[str, Any], group: str, header: str, skip: Iterable[str] = ("python",)
    ) -> None:
        """poetry / Pipfile style: name = "spec" | { version, path, git, url, ... }."""
        start = self.lines.header(header)
        for name, spec in table.items():
            if not isinstance(name, str) or name.lower() in skip:
                continue
            line = self.lines.find_key(name, start)
            path = url = None
            pinned = False
            if isinstance(spec, str):
                pinned = _poetry_pinned(spec)
            elif isinstance(spec, dict):
                version = spec.get("version")
                pinned = isinstance(version, str) and _poetry_pinned(version)
                if isinstance(spec.get("path"), str):
                    path = spec["path"]
                elif isinstance(spec.get("file"), str):
                    path = _local_path(spec["file"]) or spec["file"]
                for key in ("git", "url", "hg", "svn"):
                    if isinstance(spec.get(key), str):
                        url = key
                if url and (spec.get("rev") or spec.get("tag") or spec.get("ref")):
                    pinned = True
            elif isinstance(spec, list):  # poetry multiple-constraint dependencies
                pinned = False
            self.manifest.dependencies.append(
                Dependency(
                    canonicalize_name(name), self.manifest.path, line, group, pinned, path=path, url=bool(url)
                )
            )


_EXACT_VERSION = re.compile(r"^\s*(==|===)?\s*v?\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?\s*$", re.I)


def _poetry_pinned(spec: str) -> bool:
    """poetry and Pipfile versions: a bare `1.2.3` or `==1.2.3` is exact; `^`, `~`, `*`, ranges are not."""
    return bool(_EXACT_VERSION.match(spec))


def parse_pyproject(path: str, text: str) -> tuple[Manifest, list[tuple[str, str]]]:
    manifest = Manifest(path, "pyproject", package_metadata=True, declares=False)
    includes: list[tuple[str, str]] = []
    data = _load_toml(manifest, text)
    if data is None:
        manifest.declares = True  # broken, but meant as a manifest: do not call the project undeclared
        manifest.dynamic = True
        return manifest, includes
    reader = _TomlReader(manifest, text)
    base = reader.base

    project = _table(data, "project")
    name = project.get("name") or _table(data, "tool", "poetry").get("name")
    manifest.dist_name = name if isinstance(name, str) else ""
    if project:
        manifest.declares = True
        reader.pep508(_strings(project.get("dependencies")), RUNTIME, r"project")
        for extra, requirements in _table(project, "optional-dependencies").items():
            reader.pep508(_strings(requirements), f"extra:{extra}", r"project\.optional-dependencies")
        for key in ("scripts", "gui-scripts"):
            manifest.entrypoints.update({k: v for k, v in _table(project, key).items() if isinstance(v, str)})
        dynamic = _strings(project.get("dynamic"))
        if "dependencies" in dynamic or "optional-dependencies" in dynamic:
            files = _dynamic_dependency_files(data)
            includes.extend((_join(base, name), "requirements") for name in files)
            # Unreadable runtime dependencies make imports uncheckable; unreadable extras do not.
            if not files and "dependencies" in dynamic:
                manifest.dynamic = True

    groups = _table(data, "dependency-groups")
    for group in groups:
        manifest.declares = True
        reader.pep508(_expand_group(groups, group, set()), _normalise_group(group), r"dependency-groups")

    poetry = _table(data, "tool", "poetry")
    if poetry:
        if "dependencies" in poetry or "name" in poetry:
            manifest.declares = True
        reader.table(_table(poetry, "dependencies"), RUNTIME, r"tool\.poetry\.dependencies")
        reader.table(_table(poetry, "dev-dependencies"), "dev", r"tool\.poetry\.dev-dependencies")
        for group, table in _table(poetry, "group").items():
            reader.table(
                _table(table, "dependencies"),
                _normalise_group(group),
                rf"tool\.poetry\.group\.{re.escape(group)}\.dependencies",
            )
        manifest.entrypoints.update(
            {k: v for k, v in _table(poetry, "scripts").items() if isinstance(v, str)}
        )
        for package in poetry.get("packages") or []:
            if isinstance(package, dict) and isinstance(package.get("include"), str):
                manifest.packages.append(package["include"].split("/")[0])

    pdm = _table(data, "tool", "pdm")
    for group, items in _table(pdm, "dev-dependencies").items():
        reader.pep508(_strings(items), _normalise_group(group), r"tool\.pdm\.dev-dependencies")

    uv = _table(data, "tool", "uv")
    reader.pep508(_strings(uv.get("dev-dependencies")), "dev", r"tool\.uv")
    sources_start = reader.lines.header(r"tool\.uv\.sources")
    for name, source in _table(uv, "sources").items():
        entries = source if isinstance(source, list) else [source]
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                line = reader.lines.find_key(name, sources_start)
                manifest.dependencies.append(
                    Dependency(canonicalize_name(name), path, line, "source", True, path=entry["path"])
                )

    for env_name, env in _table(data, "tool", "hatch", "envs").items():
        reader.pep508(
            _strings(_table(env).get("dependencies")) + _strings(_table(env).get("extra-dependencies")),
            f"hatch:{env_name}",
            rf"tool\.hatch\.envs\.{re.escape(env_name)}",
        )

    reader.pep508(_strings(_table(data, "build-system").get("requires")), "build", r"build-system")
    manifest.packages.extend(_setuptools_packages(data))
    return manifest, includes


def _expand_group(groups: dict[str, Any], name: str, seen: set[str]) -> list[str]:
    """PEP 735: a group's requirements with `{include-group = "x"}` expanded (cycles ignored)."""
    if name in seen:
        return []
    seen.add(name)
    found: list[str] = []
    for item in groups.get(name) or []:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            found.extend(_expand_group(groups, item["include-group"], seen))
    return found


def _dynamic_dependency_files(data: dict[str, Any]) -> list[str]:
    """Files that setuptools or hatch read dependencies from (`dynamic = ["dependencies"]`)."""
    files: list[str] = []
    for key in ("dependencies", "optional-dependencies"):
        spec = _table(data, "tool", "setuptools", "dynamic").get(key)
        if isinstance(spec, dict):
            files += _strings(spec.get("file")) or (
                [spec["file"]] if isinstance(spec.get("file"), str) else []
            )
            for extra in spec.values():
                if isinstance(extra, dict):
                    files += _strings(extra.get("file"))
    hook = _table(data, "tool", "hatch", "metadata", "hooks", "requirements_txt")
    files += _strings(hook.get("files"))
    return files


def _setuptools_packages(data: dict[str, Any]) -> list[str]:
    setuptools = _table(data, "tool", "setuptools")
    names = [name.split(".")[0] for name in _strings(setuptools.get("packages"))]
    names += _strings(setuptools.get("py-modules"))
    names += [name.split(".")[0] for name in _table(setuptools, "package-dir") if name]
    for key in ("packages", "only-include"):
        for path in _strings(_table(data, "tool", "hatch", "build", "targets", "wheel").get(key)):
            names.append(PurePosixPath(path).name)
    return names


def parse_pipfile(path: str, text: str) -> Manifest:
    manifest = Manifest(path, "pipfile")
    data = _load_toml(manifest, text)
    if data is None:
        manifest.dynamic = True
        return manifest
    reader = _TomlReader(manifest, text)
    reader.table(_table(data, "packages"), RUNTIME, r"packages")
    reader.table(_table(data, "dev-packages"), "dev", r"dev-packages")
    return manifest


# -- setup.cfg, tox.ini ----------------------------------------------------------------


def _ini(manifest: Manifest, text: str) -> configparser.RawConfigParser | None:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", 1) or 1
        manifest.problem(int(line), f"invalid ini syntax: {_short_error(exc)}")
        return None
    return parser


# tox factor conditions: `py312: pytest`, `py{311,312}-django: -r req.txt`.
_TOX_FACTOR = re.compile(r"^[\w{},.!-]+:\s+")


def _ini_requirements(manifest: Manifest, lines: _Lines, value: str, group: str, start: int) -> list[str]:
    """Requirement lines of a multi-line ini value; `file:` values are returned as includes."""
    value = value.strip()
    if value.startswith("file:"):
        return [name.strip() for name in value[5:].split(",") if name.strip()]
    for raw in value.splitlines():
        # tox factor conditions (`py312: pytest`) are dropped; `{[base]deps}` substitutions skipped.
        text = _TOX_FACTOR.sub("", _COMMENT.sub("", raw).strip())
        if not text or text.startswith(("{", "-")):
            continue
        dependency = _requirement_dependency(manifest, text, lines.find(text, start), group)
        if dependency is not None:
            manifest.dependencies.append(dependency)
    return []


def parse_setup_cfg(path: str, text: str) -> tuple[Manifest, list[tuple[str, str]]]:
    manifest = Manifest(path, "setup-cfg", package_metadata=True)
    includes: list[tuple[str, str]] = []
    parser = _ini(manifest, text)
    if parser is None:
        manifest.dynamic = True
        return manifest, includes
    lines = _Lines(text)
    base = str(PurePosixPath(path).parent)
    if not parser.has_section("options") and not parser.has_section("metadata"):
        manifest.declares = False  # a setup.cfg holding only tool settings (flake8, isort...)
        return manifest, includes
    start = lines.header(r"options")
    for key, group in (("install_requires", RUNTIME), ("tests_require", "test"), ("setup_requires", "build")):
        if parser.has_option("options", key):
            files = _ini_requirements(manifest, lines, parser.get("options", key), group, start)
            includes += [(_join(base, name), "requirements") for name in files]
    if parser.has_section("options.extras_require"):
        start = lines.header(r"options\.extras_require")
        for extra, value in parser.items("options.extras_require"):
            files = _ini_requirements(manifest, lines, value, f"extra:{extra}", start)
            includes += [(_join(base, name), "requirements") for name in files]
    if parser.has_section("options.entry_points") and parser.has_option(
        "options.entry_points", "console_scripts"
    ):
        manifest.entrypoints.update(_entry_point_lines(parser.get("options.entry_points", "console_scripts")))
    if parser.has_option("metadata", "name"):
        manifest.dist_name = parser.get("metadata", "name").strip()
    if parser.has_option("options", "packages"):
        value = parser.get("options", "packages").strip()
        if not value.startswith("find"):
            manifest.packages += [name.split(".")[0] for name in value.split() if name.strip()]
    if parser.has_option("options", "py_modules"):
        manifest.packages += parser.get("options", "py_modules").split()
    return manifest, includes


def _entry_point_lines(value: str) -> dict[str, str]:
    found = {}
    for line in value.splitlines():
        name, sep, target = line.partition("=")
        if sep and name.strip():
            found[name.strip()] = target.strip()
    return found


def parse_tox_ini(path: str, text: str) -> tuple[Manifest, list[tuple[str, str]]]:
    """tox.ini `deps`: test-only dependencies."""
    manifest = Manifest(path, "tox")
    includes: list[tuple[str, str]] = []
    parser = _ini(manifest, text)
    if parser is None:
        return manifest, includes
    lines = _Lines(text)
    base = str(PurePosixPath(path).parent)
    for section in parser.sections():
        if not section.startswith("testenv") or not parser.has_option(section, "deps"):
            continue
        value = parser.get(section, "deps")
        for raw in value.splitlines():
            text = _TOX_FACTOR.sub("", raw.strip())
            if text.startswith("-r"):
                target = text[2:].strip().replace("{toxinidir}/", "")
                if "{" not in target:
                    includes.append((_join(base, target), "requirements"))
        _ini_requirements(manifest, lines, value, "test", lines.header(re.escape(section)))
    manifest.declares = bool(manifest.dependencies or includes)
    return manifest, includes


# -- setup.py ------------------------------------------------------------------------

_SETUP_KEYS = {
    "install_requires": RUNTIME,
    "tests_require": "test",
    "setup_requires": "build",
}


class _Unknown(Exception):
    """A value that cannot be computed statically."""


class _SetupReader:
    """Evaluates the literal parts of setup.py: constants, lists, dicts, `+`, simple names."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, ast.expr] = {}
        self.appended: dict[str, list[ast.expr]] = {}
        self.files: list[str] = []  # string constants naming files (open("requirements.txt"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.names[node.targets[0].id] = node.value
                self.appended.pop(node.targets[0].id, None)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.names[node.target.id] = node.value
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.appended.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if (
                    isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.attr in ("append", "extend")
                    and call.args
                ):
                    value = call.args[0]
                    if call.func.attr == "append":
                        value = ast.List(elts=[value], ctx=ast.Load())
                    self.appended.setdefault(call.func.value.id, []).append(value)

    def value(self, node: ast.expr, depth: int = 0) -> Any:
        if depth > 20:
            raise _Unknown
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    items.extend(self.value(element.value, depth + 1))
                else:
                    items.append(self.value(element, depth + 1))
            return items
        if isinstance(node, ast.Dict):
            result: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    result.update(self.value(value, depth + 1))
                else:
                    result[self.value(key, depth + 1)] = self.value(value, depth + 1)
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.value(node.left, depth + 1) + self.value(node.right, depth + 1)
        if isinstance(node, ast.Name) and node.id in self.names:
            value = self.value(self.names[node.id], depth + 1)
            for extra in self.appended.get(node.id, []):
                value = value + self.value(extra, depth + 1)
            return value
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("dict", "list")
        ):
            if node.func.id == "dict" and not node.args:
                return {kw.arg: self.value(kw.value, depth + 1) for kw in node.keywords if kw.arg}
            if node.func.id == "list" and len(node.args) == 1:
                return list(self.value(node.args[0], depth + 1))
        # Dependencies read from a file at build time: remember the file names.
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                if re.search(r"\.(txt|in|pip)$", child.value):
                    self.files.append(child.value)
            elif isinstance(child, ast.Name) and child.id in self.names and depth < 5:
                try:
                    constant = self.value(self.names[child.id], depth + 1)
                except _Unknown:
                    continue
                if isinstance(constant, str) and re.search(r"\.(txt|in|pip)$", constant):
                    self.files.append(constant)
        raise _Unknown


def _requirement_file_constants(tree: ast.Module) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[\w./-]*requirements[\w./-]*\.(txt|in|pip)", node.value)
    ]


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "setup":
                return node
    return None


def parse_setup_py(path: str, text: str) -> tuple[Manifest, list[tuple[str, str]]]:
    manifest = Manifest(path, "setup-py", package_metadata=True)
    includes: list[tuple[str, str]] = []
    base = str(PurePosixPath(path).parent)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", 1) or 1
        manifest.problem(line, "setup.py does not parse; its dependencies are unknown")
        manifest.dynamic = True
        return manifest, includes
    call = _setup_call(tree)
    if call is None:
        manifest.dynamic = True  # a setup.py that delegates elsewhere: assume it declares something
        return manifest, includes
    reader = _SetupReader(tree)
    keywords: dict[str, tuple[ast.expr, int]] = {}
    for keyword in call.keywords:
        if keyword.arg is not None:
            keywords[keyword.arg] = (keyword.value, keyword.value.lineno)
        else:  # setup(**config)
            try:
                config = reader.value(keyword.value)
            except _Unknown:
                manifest.dynamic = True
                continue
            if isinstance(config, dict):
                for key, value in config.items():
                    if isinstance(key, str):
                        keywords[key] = (ast.Constant(value), keyword.value.lineno)
    lines = _Lines(text)

    def requirements(value: Any, line: int, group: str) -> None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            manifest.dynamic = True
            return
        for item in items:
            if isinstance(item, str):
                for raw in item.splitlines():
                    requirement = _COMMENT.sub("", raw).strip()
                    if requirement:
                        row = lines.find(requirement, line - 1) or line
                        dependency = _requirement_dependency(manifest, requirement, row, group)
                        if dependency is not None:
                            manifest.dependencies.append(dependency)

    def evaluate(node: ast.expr) -> Any:
        reader.files.clear()
        try:
            return reader.value(node)
        except _Unknown:
            # Read from a file at build time: the file named in the expression, or
            # else any requirements file the module names (a helper function reads it).
            files = reader.files or _requirement_file_constants(tree)
            if files:
                includes.extend((_join(base, name), GUESSED) for name in files)
            else:
                manifest.dynamic = True
            return None

    for key, group in _SETUP_KEYS.items():
        if key in keywords:
            node, line = keywords[key]
            value = evaluate(node)
            if value is not None:
                requirements(value, line, group)
    if "extras_require" in keywords:
        node, line = keywords["extras_require"]
        extras = evaluate(node)
        if isinstance(extras, dict):
            for extra, value in extras.items():
                requirements(value, line, f"extra:{extra}")
    if "entry_points" in keywords:
        node, _line = keywords["entry_points"]
        try:
            entry_points = reader.value(node)
        except _Unknown:
            entry_points = None
        if isinstance(entry_points, dict):
            scripts = entry_points.get("console_scripts")
            lines_value = "\n".join(scripts) if isinstance(scripts, list) else scripts
            if isinstance(lines_value, str):
                manifest.entrypoints.update(_entry_point_lines(lines_value))
    if "name" in keywords:
        try:
            name = reader.value(keywords["name"][0])
        except _Unknown:
            name = None
        manifest.dist_name = name if isinstance(name, str) else ""
    for key in ("packages", "py_modules"):
        if key in keywords:
            try:
                names = reader.value(keywords[key][0])
            except _Unknown:
                continue
            if isinstance(names, list):
                manifest.packages += [name.split(".")[0] for name in names if isinstance(name, str)]
    return manifest, includes


# -- conda environment.yml ----------------------------------------------------------------

_YAML_ITEM = re.compile(r"^(\s*)-\s*(.*?)\s*$")


def parse_conda(path: str, text: str) -> Manifest:
    """The `dependencies:` list of a conda environment file, with its nested `pip:` list.

    Only the small YAML subset these files use is read (block lists of plain or
    quoted scalars); anything else is skipped.
    """
    manifest = Manifest(path, "conda")
    in_dependencies = False
    pip_indent: int | None = None
    list_indent: int | None = None
    for row, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0 and not line.startswith("-"):
            in_dependencies = line.strip() == "dependencies:"
            pip_indent = list_indent = None
            continue
        if not in_dependencies:
            continue
        match = _YAML_ITEM.match(line)
        if match is None:
            continue
        item_indent, value = len(match.group(1)), match.group(2).strip("'\"")
        if pip_indent is not None and item_indent <= pip_indent:
            pip_indent = None
        if value in ("pip:",):
            pip_indent = item_indent
            continue
        if pip_indent is not None:
            dependency = _requirement_dependency(manifest, value, row, RUNTIME)
        else:
            if list_indent is None:
                list_indent = item_indent
            if item_indent != list_indent or value.endswith(":"):
                continue
            dependency = _conda_dependency(manifest, value, row)
        if dependency is not None:
            manifest.dependencies.append(dependency)
    return manifest


_CONDA_SPEC = re.compile(r"^(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def _conda_dependency(manifest: Manifest, value: str, row: int) -> Dependency | None:
    match = _CONDA_SPEC.match(value)
    if match is None:
        manifest.problem(row, "unreadable conda dependency")
        return None
    name, spec = match.groups()
    if name.lower() in ("python", "pip"):
        return None
    spec = spec.strip()
    pinned = bool(re.match(r"^==?\s*\d[\w.]*(\s*=\s*\w+)?$", spec)) and "*" not in spec
    return Dependency(canonicalize_name(name), manifest.path, row, RUNTIME, pinned)


# -- lock files ----------------------------------------------------------------------


def parse_lock(path: str, text: str) -> Manifest:
    """poetry.lock, uv.lock, pdm.lock, pylock.toml, Pipfile.lock, requirements*.lock: what they pin."""
    manifest = Manifest(path, "lock", locked=True, declares=False)
    name = PurePosixPath(path).name
    if name == "Pipfile.lock":
        try:
            data = json.loads(text)
        except ValueError as exc:
            manifest.problem(1, f"invalid JSON: {_short_error(exc)}")
            return manifest
        for section, group in (("default", RUNTIME), ("develop", "dev")):
            table = data.get(section) if isinstance(data, dict) else None
            for package in table or {}:
                manifest.dependencies.append(Dependency(canonicalize_name(package), path, 0, group, True))
        return manifest
    if name.startswith("requirements"):  # rye's requirements.lock: pinned requirement lines
        parsed, _ = parse_requirements(path, text, RUNTIME)
        parsed.kind, parsed.locked, parsed.declares = "lock", True, False
        return parsed
    data = _load_toml(manifest, text)
    packages = (data or {}).get("package") or (data or {}).get("packages") or []
    for package in packages if isinstance(packages, list) else []:
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            manifest.dependencies.append(
                Dependency(canonicalize_name(package["name"]), path, 0, RUNTIME, True)
            )
    return manifest


# -- the Dockerfile's `pip install` ------------------------------------------------------


@dataclass(frozen=True)
class ImageInstall:
    name: str  # canonical distribution name
    line: int  # 1-based row of the RUN instruction
    pinned: bool


def dockerfile_pip_installs(text: str) -> list[ImageInstall]:
    """Packages a Dockerfile installs by name with `pip install` (not from a requirements file).

    Read by the Dockerfile parser: shell and exec form, `python -m pip`, `uv pip`,
    and scripts in heredoc RUNs.
    """
    return [
        ImageInstall(canonicalize_name(requirement.name), install.instruction.start_row, requirement.pinned)
        for install in parse_dockerfile(text).pip_installs()
        for requirement in install.requirements
    ]


# -- loading a whole project ---------------------------------------------------------------


def manifest_kind(path: str) -> str | None:
    """The manifest parser for a project-relative path, or None when it is no manifest."""
    # String slicing, not PurePosixPath: this runs for every file of the project tree.
    folder, _, name = path.rpartition("/")
    if name == "pyproject.toml":
        return "pyproject"
    if name == "setup.cfg":
        return "setup-cfg"
    if name == "setup.py":
        return "setup-py"
    if name == "Pipfile":
        return "pipfile"
    if name == "tox.ini":
        return "tox"
    if name in ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "pylock.toml") or re.fullmatch(
        r"(pylock\..+\.toml|requirements.*\.lock)", name
    ):
        return "lock"
    if re.fullmatch(r"environment([-.].+)?\.ya?ml", name):
        return "conda"
    if name.startswith("constraints") and name.endswith(".txt"):
        return "constraints"
    if re.fullmatch(r"(.*[-_.])?requirements([-_.].*)?\.(txt|in|pip)", name) or (
        folder.rpartition("/")[2] == "requirements" and name.endswith((".txt", ".in"))
    ):
        return "requirements"
    return None


def load_manifests(paths: Iterable[str], read: Reader) -> list[Manifest]:
    """Parse every manifest among `paths` (project-relative) and the files they include."""
    known = list(paths)
    queue: list[tuple[str, str, str | None]] = []  # (path, kind, path of the including manifest)
    for path in known:
        kind = manifest_kind(path)
        if kind is not None:
            queue.append((path, kind, None))
    manifests: dict[str, Manifest] = {}
    while queue:
        path, kind, owner_path = queue.pop(0)
        owner = manifests.get(owner_path or "")
        if kind == GUESSED:
            kind = "requirements"
            if read(path) is None:
                # `reqs("test.txt")` joining a folder in code: find the file by name.
                name = PurePosixPath(path).name
                found = [known_path for known_path in known if PurePosixPath(known_path).name == name]
                if len(found) != 1 and owner is not None:
                    owner.dynamic = True
                    continue
                path = found[0] if found else path
        if path in manifests:
            _inherit(manifests[path], owner)
            continue
        text = read(path)
        if text is None:
            if owner is not None:
                owner.problem(_include_line(owner, path, read), f"included file {path} cannot be read")
            continue
        includes: list[tuple[str, str]] = []
        if kind in ("requirements", "constraints"):
            manifest, includes = parse_requirements(path, text, kind=kind)
            if owner is None and _not_a_requirements_file(manifest):
                continue  # a document that only has a requirements-like name
        elif kind == "pyproject":
            manifest, includes = parse_pyproject(path, text)
        elif kind == "setup-cfg":
            manifest, includes = parse_setup_cfg(path, text)
        elif kind == "setup-py":
            manifest, includes = parse_setup_py(path, text)
        elif kind == "tox":
            manifest, includes = parse_tox_ini(path, text)
        elif kind == "pipfile":
            manifest = parse_pipfile(path, text)
        elif kind == "conda":
            manifest = parse_conda(path, text)
        else:
            manifest = parse_lock(path, text)
        if kind == "constraints":
            manifest.declares = False
        _inherit(manifest, owner)
        manifests[path] = manifest
        queue += [(target, target_kind, path) for target, target_kind in includes]
    return list(manifests.values())


def _inherit(manifest: Manifest, owner: Manifest | None) -> None:
    """A requirements file read by setup.py or pyproject is package metadata, with its groups."""
    if owner is None or not owner.package_metadata:
        return
    manifest.package_metadata = True


def _not_a_requirements_file(manifest: Manifest) -> bool:
    """Mostly unreadable lines: a text document named like a requirements file (docs/constraints.txt)."""
    return len(manifest.problems) >= 3 and len(manifest.problems) > len(manifest.dependencies) // 2


def _include_line(manifest: Manifest, target: str, read: Reader) -> int:
    text = read(manifest.path) or ""
    name = PurePosixPath(target).name
    for row, line in enumerate(text.splitlines(), 1):
        if name in line:
            return row
    return 1
