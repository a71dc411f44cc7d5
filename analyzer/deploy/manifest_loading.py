"""Loading a whole project's dependency manifests: which file is which kind, parsing each,
following `-r`/`-c` includes, and inheriting groups from the file that includes another."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from factorscan.deploy.manifests import (
    GUESSED,
    Manifest,
    Reader,
    parse_conda,
    parse_lock,
    parse_pipfile,
    parse_pyproject,
    parse_requirements,
    parse_setup_cfg,
    parse_tox_ini,
)
from factorscan.deploy.setup_py import parse_setup_py


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
