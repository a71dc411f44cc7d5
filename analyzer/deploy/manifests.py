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


class Lines:
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


def requirement_dependency(manifest: Manifest, text: str, line: int, group: str) -> Dependency | None:
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


def join_path(directory: str, relative: str) -> str:
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
COMMENT = re.compile(r"(^|\s)#.*$")


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
        full = COMMENT.sub("", pending + line).strip()
        pending = ""
        if full:
            yield start, full
    if pending.strip():
        yield start, COMMENT.sub("", pending).strip()


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
                    target = join_path(base, value)
                    includes.append((target, "constraints" if option.startswith(("-c", "--c")) else kind))
                continue
            if option in ("-e", "--editable"):
                dependency = requirement_dependency(manifest, value, row, group)
                if dependency is not None:
                    manifest.dependencies.append(dependency)
                continue
            if option.startswith(("-r", "-c")):  # -rbase.txt
                includes.append((join_path(base, option[2:]), "constraints" if option[1] == "c" else kind))
                continue
            continue  # index options, --require-hashes, --pre ...
        requirement, hash_options = _split_hashes(line)
        hashes = hashes or hash_options
        dependency = requirement_dependency(manifest, requirement, row, group)
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
        self.lines = Lines(text)
        self.base = str(PurePosixPath(manifest.path).parent)

    def pep508(self, requirements: Iterable[str], group: str, header: str) -> None:
        start = self.lines.header(header)
        for requirement in requirements:
            line = self.lines.find(f'"{requirement}"', start) or self.lines.find(requirement, start)
            dependency = requirement_dependency(self.manifest, requirement, line, group)
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
            includes.extend((join_path(base, name), "requirements") for name in files)
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


def _ini_requirements(manifest: Manifest, lines: Lines, value: str, group: str, start: int) -> list[str]:
    """Requirement lines of a multi-line ini value; `file:` values are returned as includes."""
    value = value.strip()
    if value.startswith("file:"):
        return [name.strip() for name in value[5:].split(",") if name.strip()]
    for raw in value.splitlines():
        # tox factor conditions (`py312: pytest`) are dropped; `{[base]deps}` substitutions skipped.
        text = _TOX_FACTOR.sub("", COMMENT.sub("", raw).strip())
        if not text or text.startswith(("{", "-")):
            continue
        dependency = requirement_dependency(manifest, text, lines.find(text, start), group)
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
    lines = Lines(text)
    base = str(PurePosixPath(path).parent)
    if not parser.has_section("options") and not parser.has_section("metadata"):
        manifest.declares = False  # a setup.cfg holding only tool settings (flake8, isort...)
        return manifest, includes
    start = lines.header(r"options")
    for key, group in (("install_requires", RUNTIME), ("tests_require", "test"), ("setup_requires", "build")):
        if parser.has_option("options", key):
            files = _ini_requirements(manifest, lines, parser.get("options", key), group, start)
            includes += [(join_path(base, name), "requirements") for name in files]
    if parser.has_section("options.extras_require"):
        start = lines.header(r"options\.extras_require")
        for extra, value in parser.items("options.extras_require"):
            files = _ini_requirements(manifest, lines, value, f"extra:{extra}", start)
            includes += [(join_path(base, name), "requirements") for name in files]
    if parser.has_section("options.entry_points") and parser.has_option(
        "options.entry_points", "console_scripts"
    ):
        manifest.entrypoints.update(entry_point_lines(parser.get("options.entry_points", "console_scripts")))
    if parser.has_option("metadata", "name"):
        manifest.dist_name = parser.get("metadata", "name").strip()
    if parser.has_option("options", "packages"):
        value = parser.get("options", "packages").strip()
        if not value.startswith("find"):
            manifest.packages += [name.split(".")[0] for name in value.split() if name.strip()]
    if parser.has_option("options", "py_modules"):
        manifest.packages += parser.get("options", "py_modules").split()
    return manifest, includes


def entry_point_lines(value: str) -> dict[str, str]:
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
    lines = Lines(text)
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
                    includes.append((join_path(base, target), "requirements"))
        _ini_requirements(manifest, lines, value, "test", lines.header(re.escape(section)))
    manifest.declares = bool(manifest.dependencies or includes)
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
        line = COMMENT.sub("", raw).rstrip()
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
            dependency = requirement_dependency(manifest, value, row, RUNTIME)
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
