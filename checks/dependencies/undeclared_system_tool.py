"""FS0202 undeclared-system-tool: the app runs a system tool that its Docker image does not install.

What a Python file runs is collected by `SystemToolUses` in `_tool_uses.py`; this module holds the
rule, which judges those uses against the images the project's Dockerfiles build."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.checks.dependencies._tool_uses import SystemToolUse, SystemToolUses
from factorscan.core.discovery import is_sample_path
from factorscan.core.findings import Finding, Location
from factorscan.deploy.dockerignore import BuildContext, context_sources
from factorscan.deploy.system_tools import BINARIES, WRAPPERS, ImageTools, image_tools
from factorscan.scan.project import ProjectModel

_DEV_IMAGE_WORDS = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "local", "ci", "debug"}
)


class UndeclaredSystemTool(ProjectRule):
    """
    ## What it does
    Finds system programs the app runs that the image built by its
    Dockerfile does not have. Programs are found in `subprocess` calls
    (argument lists, command strings, `shell=True` command lines, `sh -c`
    scripts, lists and strings bound to a variable first), `os.system`,
    `os.popen`, `os.exec*`/`os.spawn*`, `asyncio` subprocesses, `pexpect`,
    `shutil.which`, the `sh` module (`sh.ffmpeg(...)`, `from sh import
    git`), plumbum (`local["convert"]`, `from plumbum.cmd import git`) and
    libraries that run one (pytesseract, pdfkit, pdf2image, pypandoc,
    ffmpeg-python, pydub).

    Only well-known tools are judged (ffmpeg, ImageMagick's convert and
    magick, curl, wget, git, pg_dump and psql, mysqldump, wkhtmltopdf,
    libreoffice/soffice, tesseract, node, java, pdftotext, ghostscript,
    pandoc, ssh, jq, ps...; the table is in docs/dependencies.md). A tool is
    in the image when the base image ships it (the official python, pypy,
    debian, ubuntu, alpine and buildpack-deps images, uv's python images and
    distroless are known; any other base image silences the rule), when
    the final stage's FROM chain installs a package that provides it
    (apt-get, apt, apk, dnf, yum, microdnf, zypper, dpkg -i, also inside
    `sh -c` and the project's own install scripts; removals, `apk del` of a
    virtual package and the `apt-mark auto` + autoremove idiom are
    followed), runs it, or puts it in a PATH folder (a download, `mv`, an
    archive unpacked there), when a COPY brings it in (from a build stage,
    or from an image named for it such as `mwader/static-ffmpeg`), or when a
    pip package ships it (`awscli` gives `aws`). A build stage that is only
    copied from does not count: its packages are not in the final image.

    Not reported: projects without a Dockerfile; Dockerfiles whose
    installs cannot be read (a package list in a variable, a script that is
    not in the project); files outside the build context, excluded by
    `.dockerignore` or never copied into the image; tests, samples, docs,
    developer tooling (setup.py, noxfile.py, fabfile.py, tasks.py,
    deploy.py, release.py, `scripts/`, `tools/`, `ci/` and dot-folders).
    With several Dockerfiles, one that has the tool is enough, and
    development images (Dockerfile.dev, Dockerfile.test) only count when
    there is no other; `.devcontainer/` images never do.

    A tool the code treats as optional is not a requirement: a call inside
    `try:` whose handler catches the missing program (`FileNotFoundError`,
    `OSError`, `Exception`, a bare `except:`) without re-raising, or a tool
    the file probes with `shutil.which()` in a condition (`if
    shutil.which("ffmpeg"):`, `which(...) or fallback`, or a variable
    holding the result that an `if` tests). An unguarded `shutil.which()`
    whose result is used as is counts as a use.

    One finding per package and file, at the first use: `pg_dump` and
    `psql` need the same `postgresql-client`.

    ## Why is this bad?
    Factor II: an app never relies on system tools being there; it declares
    them with the rest of its dependencies. A `subprocess.run(["pg_dump",
    ...])` that works on a laptop with Postgres installed fails in the slim
    container with `FileNotFoundError`, usually in a code path that runs
    rarely (the nightly backup, the PDF export).

    ## Example
    ```python
    subprocess.run(["ffmpeg", "-i", upload, "-vf", "scale=640:-1", thumb], check=True)
    ```
    with a Dockerfile that starts `FROM python:3.12-slim` and never
    installs ffmpeg.

    Use instead: `RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg`
    in the Dockerfile.

    ## Fix
    None automatic: add the package the message names to the final stage's
    `apt-get install` (or `apk add`), or copy the binary in from a stage
    that builds it.
    """

    code = "FS0202"
    name = "undeclared-system-tool"
    severity = Severity.WARNING
    summary = "The app runs a system tool that its Docker image does not install"
    # --diff-base: the image installs the tool, or stops installing it.
    changed_by = ("dockerfile",)
    test_files = "skipped, as are samples, docs and developer tooling"
    collectors = (SystemToolUses,)

    VALID = (
        Valid(
            """
            import subprocess

            def thumbnail(src, dst):
                subprocess.run(["ffmpeg", "-y", "-i", src, dst], check=True)
            """,
            files={
                "Dockerfile": """
                FROM python:3.12-slim
                RUN apt-get update \\\\
                 && apt-get install -y --no-install-recommends ffmpeg \\\\
                 && rm -rf /var/lib/apt/lists/*
                COPY . /app
                """
            },
            note="installed by apt-get",
        ),
        Valid(
            """
            import subprocess

            subprocess.run("curl -fsS https://example.com/health | grep ok", shell=True, check=True)
            """,
            files={"Dockerfile": "FROM python:3.12\nCOPY . /app\n"},
            note="the full python image ships curl",
        ),
        Valid(
            """
            import shutil
            import subprocess

            def to_pdf(path):
                if shutil.which("soffice") is None:
                    return None
                subprocess.run(["soffice", "--headless", "--convert-to", "pdf", path], check=True)
            """,
            files={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"},
            note="an optional tool the code checks for",
        ),
        Valid(
            """
            import subprocess

            subprocess.run(["pg_dump", "--version"], check=True)
            """,
            note="no Dockerfile: nothing to judge",
        ),
    )
    INVALID = (
        Invalid(
            """
            import subprocess

            def backup(url, path):
                subprocess.run(["pg_dump", "--format=custom", url, "-f", path], check=True)
            """,
            files={"Dockerfile": "FROM python:3.12-slim\nRUN apt-get install -y ffmpeg\nCOPY . .\n"},
            line=4,
        ),
        Invalid(
            """
            import os

            def convert(src, dst):
                os.system(f"convert {src} -resize 50% {dst}")
            """,
            files={"Dockerfile": "FROM python:3.12-alpine\nCOPY . /srv\n"},
            note="a shell command line; Alpine's busybox has no ImageMagick",
        ),
        Invalid(
            """
            import pytesseract
            from PIL import Image

            def read_receipt(path):
                return pytesseract.image_to_string(Image.open(path))
            """,
            files={
                "Dockerfile": """
                FROM python:3.12-slim AS build
                RUN apt-get update && apt-get install -y tesseract-ocr
                FROM python:3.12-slim
                COPY . /srv
                """
            },
            line=5,
            note="a library that runs tesseract; only the unused build stage installs it",
        ),
        Invalid(
            """
            from sh import git

            def revision():
                return git("rev-parse", "HEAD").strip()
            """,
            files={"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n"},
            line=1,
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        facts = {relative: uses for relative, uses in project.facts(SystemToolUse).items() if uses}
        if not facts:
            return
        images = self._images(project)
        if not images:
            return
        wrappers = project.runtime_names
        for relative in sorted(facts):
            path = project.root / relative
            relevant = [image for image in images if image.contains(path)]
            # The production image decides when there is one; Dockerfile.dev only when it is alone.
            relevant = [image for image in relevant if not image.development] or relevant
            if not relevant or not all(image.tools.known for image in relevant):
                continue
            reported: set[str] = set()  # one finding per package: pg_dump and psql need the same fix
            for use in sorted(facts[relative], key=lambda use: (use.row, use.column)):
                if BINARIES[use.tool].apt in reported or any(image.tools.has(use.tool) for image in relevant):
                    continue
                reported.add(BINARIES[use.tool].apt)
                yield self.make_finding(
                    project.display(path),
                    Location(use.row, use.column),
                    Location(use.end_row, use.end_column),
                    _message(use.tool, use.how, relevant, project, wrappers),
                    fingerprint_hint=use.tool,
                )

    @staticmethod
    def _images(project: ProjectModel) -> list[_Image]:
        scripts: dict[str, str] = {}
        for item in project.tree_files_of_kind("shell"):
            source = project.source(item.path)
            if source is not None:
                scripts.setdefault(item.path.name, source.text)
        pip_names = project.runtime_names | {install.name for _, install in project.image_installs}
        images = []
        for path, dockerfile in sorted(project.tree_dockerfiles.items()):
            relative = project.relative(path)
            if is_sample_path(relative) or any(
                part.startswith(".") for part in PurePosixPath(relative).parts[:-1]
            ):
                continue  # samples, .devcontainer/ and CI images
            tools = image_tools(dockerfile, scripts, pip_names)
            images.append(_Image(path, tools, project.build_context(path), context_sources(dockerfile)))
        return images


@dataclass(frozen=True)
class _Image:
    path: Path  # the Dockerfile
    tools: ImageTools
    context: BuildContext
    sources: list[str]  # what its COPY/ADD instructions take from the build context

    @property
    def development(self) -> bool:
        """Dockerfile.dev, dev.Dockerfile, Dockerfile.test: an image for development, not deployment."""
        return bool(_DEV_IMAGE_WORDS & set(re.split(r"[.\-_]", self.path.name.lower())))

    def contains(self, path: Path) -> bool:
        """Whether the Python file ends up in the image: in the context, copied, not ignored."""
        relative = self.context.relative(path)
        return relative is not None and any(self.context.sends(source, relative) for source in self.sources)


def _message(
    tool: str, how: str, images: list[_Image], project: ProjectModel, declared: frozenset[str]
) -> str:
    names = [project.relative(image.path) for image in images]
    shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
    base = images[0].tools.base
    assert base is not None  # only known images get here
    verb = "looked up with" if how == "shutil.which" else "run with"
    where = f"the image built from {shown}" if len(images) == 1 else f"the images built from {shown}"
    message = (
        f"`{tool}` ({verb} `{how}`) is not in {where}: `{base.label}` does not ship it "
        "and no stage installs it"
    )
    entry = BINARIES[tool]
    if base.family == "alpine" and entry.apk:
        message += f"; add `{entry.apk}` to an `apk add`"
    elif base.family == "debian":
        message += f"; add `{entry.apt}` to an `apt-get install`"
    else:
        message += "; copy it in from a build stage (the base image has no package for it)"
    wrappers = sorted(name for name in declared if tool in WRAPPERS.get(name, ()))
    if wrappers:
        message += f" (`{wrappers[0]}` only calls it, it does not install it)"
    return message
