"""What a Dockerfile's RUN lines install: `pip install` (with the options that take a value,
requirement files and pins) and system packages (apt, apk, dnf, yum...)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from factorscan.core.findings import Location
from factorscan.deploy.shell import Command, is_assignment, program_name

if TYPE_CHECKING:
    from factorscan.deploy.dockerfile import Instruction, Stage, TextMap


@dataclass(frozen=True)
class PipRequirement:
    text: str  # as written, quotes removed
    name: str
    pinned: bool
    start: Location
    end: Location


@dataclass(frozen=True)
class PipInstall:
    """One `pip install` command in a RUN instruction."""

    instruction: Instruction
    stage: Stage | None
    requirements: tuple[PipRequirement, ...]  # packages named on the command line
    requirement_files: tuple[str, ...]
    constraint_files: tuple[str, ...]
    local: tuple[str, ...]  # `.`, paths, wheels, `-e` targets, URLs
    start: Location
    end: Location

    @property
    def names(self) -> list[str]:
        return [requirement.name for requirement in self.requirements]


@dataclass(frozen=True)
class SystemInstall:
    """`apt-get install`, `apk add`, `dnf/yum/microdnf install`."""

    manager: str
    packages: tuple[str, ...]  # names, versions stripped
    instruction: Instruction
    stage: Stage | None


# -- pip and system package installs --------------------------------------------------

# Options of `pip install` (pip 26) and `uv pip install` (uv 0.13, hidden ones and aliases
# included) that take a value: the word after one is its value, never a package. Read from
# `pip install --help` and pip's option parser, and `uv pip install --help`; removed options
# (`--install-option`, `--build`) stay, as older Dockerfiles use them.
_PIP_VALUE_OPTIONS = frozenset(
    {
        # pip
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-t",
        "--target",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-C",
        "--config-settings",
        "--build-constraint",
        "--group",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--root",
        "--prefix",
        "--src",
        "--source",
        "--source-dir",
        "--source-directory",
        "--upgrade-strategy",
        "--progress-bar",
        "--root-user-action",
        "--report",
        "--no-binary",
        "--only-binary",
        "--all-releases",
        "--only-final",
        "--uploaded-prior-to",
        "--refresh-package",
        "--requirements-from-script",
        "--global-option",
        "--install-option",
        "--build",
        "--keyring-provider",
        "--python",
        "--cache-dir",
        "--log",
        "--log-file",
        "--local-log",
        "--timeout",
        "--default-timeout",
        "--retries",
        "--resume-retries",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--proxy",
        "--pypi-url",
        "--use-feature",
        "--use-deprecated",
        # uv pip
        "--requirements",
        "--constraints",
        "--overrides",
        "--override",
        "--excludes",
        "-b",
        "--build-constraints",
        "--extra",
        "--no-editable-package",
        "--python-platform",
        "--output-format",
        "--torch-backend",
        "--index",
        "--default-index",
        "--index-strategy",
        "-P",
        "--upgrade-package",
        "--upgrade-group",
        "--reinstall-package",
        "--resolution",
        "--prerelease",
        "--prerelease-package",
        "--fork-strategy",
        "--exclude-newer",
        "--exclude-newer-package",
        "--no-sources-package",
        "--link-mode",
        "--config-setting",
        "--config-settings-package",
        "--no-build-isolation-package",
        "-p",
        "--python-preference",
        "--python-fetch",
        "--allow-insecure-host",
        "--color",
        "--directory",
        "--project",
        "--config-file",
    }
)
# Files of requirements and of constraints, as each tool spells the option.
_REQUIREMENT_OPTIONS = frozenset({"-r", "--requirement", "--requirements"})
_CONSTRAINT_OPTIONS = frozenset({"-c", "--constraint", "--constraints"})
_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")
_PIP = re.compile(r"^pip(\d(\.\d+)?)?$")
_COMMAND_WRAPPERS = frozenset({"sudo", "exec", "time", "nice", "command"})


def pip_install_arguments(command: Command | Sequence[str]) -> list[int] | None:
    """Indexes of the arguments after `install` when the command is a pip install."""
    argv = command.argv if isinstance(command, Command) else list(command)
    index = 0
    while index < len(argv) and (is_assignment(argv[index]) or argv[index] in _COMMAND_WRAPPERS):
        index += 1
    if index >= len(argv):
        return None
    program = program_name(argv[index])
    if _PIP.match(program):
        index += 1
    elif _PYTHON.match(program):
        index += 1
        while index < len(argv) and argv[index].startswith("-") and argv[index] != "-m":
            index += 1
        if argv[index : index + 2] != ["-m", "pip"]:
            return None
        index += 2
    elif program == "uv" and argv[index + 1 : index + 2] == ["pip"]:
        index += 2
    else:
        return None
    # Global options may come before the subcommand (`pip --timeout 60 install`).
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in _PIP_VALUE_OPTIONS else 1
    if index >= len(argv) or argv[index] != "install":
        return None
    return list(range(index + 1, len(argv)))


def _requirement_pinned(text: str) -> tuple[str, bool] | None:
    """(name, pinned) for a requirement string; None when it is not one (a path, a variable)."""
    if "$" in text or text.startswith((".", "/", "~")) or text.endswith((".whl", ".tar.gz", ".zip")):
        return None
    vcs_url = re.match(r"^(git|hg|svn|bzr)\+[a-z]+://[^/]*/(?P<path>[^#]*)", text, re.IGNORECASE)
    if vcs_url:
        # `git+https://host/org/lib.git@v1.0`: pinned by a ref after the path.
        path, _, ref = vcs_url.group("path").partition("@")
        return path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"), bool(ref)
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.url:
        vcs = requirement.url.split("+", 1)[0] in ("git", "hg", "svn", "bzr")
        return requirement.name, not vcs or "@" in requirement.url.split("://", 1)[-1]
    pinned = any(
        spec.operator == "===" or (spec.operator == "==" and "*" not in spec.version)
        for spec in requirement.specifier
    )
    return requirement.name, pinned


def pip_install(
    instruction: Instruction, stage: Stage | None, command: Command, arguments: list[int], text_map: TextMap
) -> PipInstall:
    argv = command.argv
    requirements: list[PipRequirement] = []
    requirement_files: list[str] = []
    constraint_files: list[str] = []
    local: list[str] = []
    skip = False
    for index in arguments:
        if skip:
            skip = False
            continue
        word = argv[index]
        option, equals, value = word.partition("=")
        if word.startswith("-"):
            if not equals and option in _PIP_VALUE_OPTIONS:
                skip = True
                value = argv[index + 1] if index + 1 < len(argv) else ""
            elif re.match(r"^-[rce]\S", word):  # -rrequirements.txt
                option, value = word[:2], word[2:]
            if option in _REQUIREMENT_OPTIONS:
                requirement_files.append(value)
            elif option in _CONSTRAINT_OPTIONS:
                constraint_files.append(value)
            elif option in ("-e", "--editable"):
                local.append(value)
            continue
        parsed = _requirement_pinned(word)
        if parsed is None:
            local.append(word)
            continue
        name, pinned = parsed
        source_word = command.words[index]
        requirements.append(
            PipRequirement(
                word, name, pinned, text_map.location(source_word.start), text_map.location(source_word.end)
            )
        )
    return PipInstall(
        instruction,
        stage,
        tuple(requirements),
        tuple(requirement_files),
        tuple(constraint_files),
        tuple(local),
        text_map.location(command.start),
        text_map.location(command.end),
    )


_SYSTEM_MANAGERS = {
    "apt-get": ("install",),
    "apt": ("install",),
    "apk": ("add",),
    "dnf": ("install",),
    "yum": ("install",),
    "microdnf": ("install",),
    "zypper": ("install", "in"),
}
_SYSTEM_VALUE_OPTIONS = frozenset(
    {
        "-o",
        "--option",
        "-t",
        "--target-release",
        "--virtual",
        "--repository",
        "-X",
        "--setopt",
        "--enablerepo",
        "--disablerepo",
        "--installroot",
        "--releasever",
    }
)


def system_install(argv: list[str]) -> tuple[str, tuple[str, ...]] | None:
    index = 0
    while index < len(argv) and (is_assignment(argv[index]) or argv[index] in _COMMAND_WRAPPERS):
        index += 1
    if index >= len(argv):
        return None
    manager = program_name(argv[index])
    verbs = _SYSTEM_MANAGERS.get(manager)
    if verbs is None:
        return None
    rest = argv[index + 1 :]
    position = 0
    while position < len(rest) and rest[position].startswith("-"):
        position += 2 if rest[position] in _SYSTEM_VALUE_OPTIONS else 1
    if position >= len(rest) or rest[position] not in verbs:
        return None
    packages = []
    skip = False
    for word in rest[position + 1 :]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _SYSTEM_VALUE_OPTIONS
            continue
        name = re.split(r"[=<>~]", word, maxsplit=1)[0] if manager in ("apt-get", "apt", "apk") else word
        if name and "$" not in name:
            packages.append(name)
    return manager, tuple(packages)
