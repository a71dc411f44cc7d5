"""Factor V, Build, release, run: a build is reproducible, and a release never changes at run time.

FS0501 mutable-base-image, FS0502 runtime-install, FS0503 unpinned-image-install.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

import libcst as cst

from factorscan.checks.base import FileRule, Guarded, Invalid, Severity, SourceRule, Valid
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.deploy.dockerfile import parse_shared, pip_install_arguments
from factorscan.deploy.shell import words
from factorscan.deploy.system_tools import SHELL_LINE_FUNCTIONS, SUBPROCESS_FUNCTIONS

# Images whose tags name a Python version: a tag without a digit (`slim`,
# `alpine`) follows the newest Python, major upgrades included.
_PYTHON_IMAGES = frozenset({"python", "pypy"})


class MutableBaseImage(FileRule):
    """
    ## What it does
    Finds Dockerfile `FROM` lines whose image has no tag or the `latest`
    tag, after build-argument defaults are substituted (`ARG TAG=latest` then
    `FROM python:${TAG}`), and `python`/`pypy` images tagged only with a
    variant (`python:slim`, `python:alpine`), which follow the newest Python
    release. `scratch`, earlier stages (`FROM builder`), digests
    (`@sha256:...`) and images whose reference comes from a build argument
    without a default are not reported.

    ## Why is this bad?
    Factor V: a build turns a commit into an image that a release then runs
    unchanged. With a floating base image the same commit builds into a
    different image next week (a new Python, a new OS), so a rollback to an
    old release does not bring back what ran before.

    ## Example
    ```dockerfile
    FROM python:latest
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Fix
    None: pick the version you test with (`python:3.12-slim`), or pin a
    digest for fully reproducible builds.
    """

    code = "FS0501"
    name = "mutable-base-image"
    severity = Severity.WARNING
    summary = "Dockerfile base image is untagged or `latest`"
    kinds = ("dockerfile",)

    VALID = (
        Valid(
            """
            FROM python:3.12-slim AS build
            RUN pip wheel --wheel-dir /wheels -r requirements.txt
            FROM build AS test
            FROM python@sha256:8a4b2c9f0e1d3b5a7c9e2f4d6b8a0c1e3f5d7b9a1c3e5f7d9b1a3c5e7f9d1b3a
            COPY --from=build /wheels /wheels
            """,
            filename="Dockerfile",
            note="a version tag, a stage alias and a digest",
        ),
        Valid(
            """
            ARG PYTHON_VERSION
            FROM python:${PYTHON_VERSION}-slim
            FROM scratch
            """,
            filename="Dockerfile",
            note="the version comes from the build command; scratch is empty",
        ),
        Valid(
            """
            ARG BASE=python:3.11-bookworm
            FROM ${BASE}
            """,
            filename="Dockerfile",
        ),
    )
    INVALID = (
        Invalid('FROM python:latest\nCMD ["python", "app.py"]\n', filename="Dockerfile"),
        Invalid(
            """
            FROM python AS build
            FROM registry.example.com:5000/base-images/python
            """,
            filename="Dockerfile",
            count=2,
            note="no tag: Docker pulls latest (a registry port is not a tag)",
        ),
        Invalid(
            """
            ARG TAG=latest
            FROM python:${TAG}
            """,
            filename="Dockerfile",
            line=2,
            note="the ARG default resolves to latest",
        ),
        Invalid("FROM python:slim\n", filename="Dockerfile", note="a variant with no Python version"),
    )

    def check(self, source: SourceFile) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        for stage in dockerfile.stages:
            instruction = stage.instruction
            image = stage.image
            if image is None or image.digest is not None or instruction.ignores(self.code):
                continue
            via = f" (from {instruction.words()[0].text})" if "$" in instruction.arguments else ""
            if image.tag is None:
                message = f"`FROM {image.text}`{via} has no tag, so every build pulls whatever `latest` is"
            elif image.tag.lower() == "latest":
                message = f"`FROM {image.text}`{via} uses the mutable `latest` tag"
            elif image.name in _PYTHON_IMAGES and not re.search(r"\d", image.tag):
                message = f"`FROM {image.text}`{via} names no Python version and follows the newest release"
            else:
                continue
            found = instruction.words()
            start = instruction.location(found[0].start) if found else instruction.start
            end = instruction.location(found[0].end) if found else instruction.end
            yield self.make_finding(
                source.display_path, start, end, message + "; pin a version tag or a digest"
            )


# The packaging toolchain itself: upgrading it is not an application dependency.
_TOOLCHAIN = frozenset({"pip", "setuptools", "wheel"})


class UnpinnedImageInstall(FileRule):
    """
    ## What it does
    Finds `pip install name ...` in Dockerfile `RUN` instructions (shell
    form, exec form and heredoc scripts; `pip`, `pip3`, `python -m pip`,
    `uv pip`) that name packages without an exact `==` pin. Installing from
    requirement or lock files (`-r`), with a constraints file (`-c`), from
    the project itself (`.`, `-e .`) or from local wheels is fine, and so is
    upgrading pip, setuptools or wheel.

    ## Why is this bad?
    Factor V (and II): the image must be a reproducible build of a commit.
    `pip install redis` installs whatever version is newest on the day of
    the build, so two builds of the same commit differ, and a dependency
    that is not declared in the manifest escapes review and lock files.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install -r requirements.txt && pip install redis
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install -r requirements.txt  # redis==5.2.1 listed there
    ```

    ## Fix
    None: add the package, pinned, to the requirements or lock file that the
    image installs.
    """

    code = "FS0503"
    name = "unpinned-image-install"
    severity = Severity.WARNING
    summary = "Dockerfile installs Python packages without version pins"
    kinds = ("dockerfile",)
    file_triggers = (b"pip",)

    VALID = (
        Valid(
            """
            FROM python:3.12-slim
            RUN pip install --no-cache-dir --upgrade pip setuptools wheel
            RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
            RUN pip install --no-cache-dir gunicorn==23.0.0 "uvicorn[standard]==0.32.1"
            RUN pip install . && pip install -e ./plugins/shipping && pip install /wheels/*.whl
            RUN pip install -c constraints.txt celery
            """,
            filename="Dockerfile",
        ),
        Valid(
            """
            FROM python:3.12-slim
            RUN <<EOF
            cat > /etc/app.conf <<CONF
            pip install not-a-command
            CONF
            EOF
            """,
            filename="Dockerfile",
            note="a heredoc that writes a file is data, not commands",
        ),
    )
    INVALID = (
        Invalid(
            """
            FROM python:3.12-slim
            RUN pip install -r requirements.txt && pip install redis
            """,
            filename="Dockerfile",
            line=2,
        ),
        Invalid(
            """
            FROM python:3.12-slim
            RUN apt-get update \\
             && python3 -m pip install --no-cache-dir \\
                  "requests>=2.31" \\
                  flask==3.0.3
            """,
            filename="Dockerfile",
            line=4,
            note="a range is not a pin; the finding points at the package",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            RUN <<EOF
            set -e
            pip install celery
            EOF
            RUN ["pip", "install", "boto3"]
            """,
            filename="Dockerfile",
            count=2,
        ),
    )

    def check(self, source: SourceFile) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        for install in dockerfile.pip_installs():
            if install.constraint_files or install.instruction.ignores(self.code):
                continue
            unpinned = [
                requirement
                for requirement in install.requirements
                if not requirement.pinned and requirement.name.lower() not in _TOOLCHAIN
            ]
            if not unpinned:
                continue
            names = ", ".join(f"`{requirement.text}`" for requirement in unpinned)
            yield self.make_finding(
                source.display_path,
                unpinned[0].start,
                unpinned[-1].end,
                f"pip installs {names} without a `==` pin: each build may get a different version; "
                f"pin {'them' if len(unpinned) > 1 else 'it'} in the requirements file the image installs",
            )


# -- FS0502 -------------------------------------------------------------------------

_SUBPROCESS_CALLS = SUBPROCESS_FUNCTIONS | SHELL_LINE_FUNCTIONS
_PIP_MAINS = frozenset(
    {"pip.main", "pip._internal.main", "pip._internal.cli.main.main", "pip._internal.main.main"}
)
# Development tooling, where installing packages is the point.
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "tasks.py", "dodo.py", "conftest.py"})
_EXECUTABLE = "python"


class RuntimeInstall(SourceRule):
    """
    ## What it does
    Finds application code that installs packages while it runs:
    `subprocess.run(["pip", "install", ...])` and the other `subprocess`
    functions, `[sys.executable, "-m", "pip", "install", ...]`,
    `os.system("pip install ...")`, `os.popen`, and `pip.main(["install",
    ...])`, often inside `except ImportError:`.

    ## Why is this bad?
    Factor V: the build stage fetches dependencies; the run stage executes
    exactly what the build produced. A process that installs packages at run
    time runs code that no build reviewed or tested, needs network access
    and write access to site-packages in production, starts slowly, and can
    differ between two instances of one release.

    ## Example
    ```python
    import subprocess
    import sys

    try:
        import redis
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "redis"])
        import redis
    ```

    Use instead: declare `redis` in requirements.txt and `import redis`.

    ## Fix
    None: move the package into the dependency manifest.
    """

    code = "FS0502"
    name = "runtime-install"
    severity = Severity.WARNING
    summary = "The app installs packages at run time"
    test_files = "skipped, as are setup.py, noxfile.py, fabfile.py, tasks.py and dodo.py"
    # The word `pip` (pip, pip3, pip.main), not "pipe" or "pipeline".
    triggers = (Guarded(rb"\bpip(\d(\.\d+)?)?\b", b"pip"),)

    VALID = (
        Valid(
            """
            import subprocess

            subprocess.run(["pip", "freeze"], check=True)
            subprocess.run(["pipenv", "--version"], check=True)
            print("run `pip install -r requirements.txt` first")
            """,
        ),
        Valid(
            """
            import subprocess
            import sys

            def install(session):
                subprocess.check_call([sys.executable, "-m", "pip", "install", "-e", "."])
            """,
            filename="noxfile.py",
            note="development tooling",
        ),
    )
    INVALID = (
        Invalid(
            """
            import subprocess
            import sys

            try:
                import redis
            except ImportError:
                subprocess.check_call([sys.executable, "-m", "pip", "install", "redis"])
                import redis
            """,
            line=7,
        ),
        Invalid(
            """
            import os

            def ensure_plugins():
                os.system("pip install --quiet shop-plugins")
            """,
        ),
        Invalid(
            """
            from subprocess import run as sh

            sh("pip3 install requests==2.32.3", shell=True, check=True)
            """,
        ),
        Invalid(
            """
            import pip

            pip.main(["install", "boto3"])
            """,
        ),
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return PurePosixPath(relative_path).name not in _TOOLING_FILES

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.is_test_file:
            return
        name = self.context.qualified_name(node.func)
        if name in _PIP_MAINS:
            first = node.args[0].value if node.args else None
            if isinstance(first, (cst.List, cst.Tuple)) and "install" in self._strings(first):
                self.report(node, "The app runs `pip install` itself; declare the package in the manifest")
            return
        if name not in _SUBPROCESS_CALLS and name != "asyncio.create_subprocess_exec":
            return
        if name == "asyncio.create_subprocess_exec":
            argv = [self._word(arg.value) for arg in node.args if arg.keyword is None and not arg.star]
        else:
            if not node.args or node.args[0].keyword is not None:
                return
            argv = self._argv(node.args[0].value)
        if argv and pip_install_arguments(argv) is not None:
            self.report(
                node,
                "The app runs `pip install` at run time; install dependencies in the build instead",
            )

    def _argv(self, value: cst.BaseExpression) -> list[str]:
        if isinstance(value, (cst.List, cst.Tuple)):
            return [self._word(element.value) for element in value.elements]
        text = self.context.string_value(self.context.literal(value))
        return [word.text for word in words(text)] if text is not None else []

    def _word(self, value: cst.BaseExpression) -> str:
        if self.context.qualified_name(value) == "sys.executable":
            return _EXECUTABLE
        return self.context.string_value(self.context.literal(value)) or ""

    def _strings(self, value: cst.List | cst.Tuple) -> Iterator[str]:
        for element in value.elements:
            text = self.context.string_value(element.value)
            if text is not None:
                yield text
