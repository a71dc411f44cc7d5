"""FS0501 mutable-base-image: Dockerfile base image is untagged or `latest`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from factorscan.checks.base import FileRule, Invalid, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.deploy.dockerfile import parse_shared
from factorscan.deploy.purpose import is_development_descriptor

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
    without a default are not reported. In a development or test Dockerfile
    (recognised by its path: `Dockerfile.dev`, `docker/development/`,
    `.devcontainer/`), the finding is a notice at `info`: such an image often
    tracks the latest release on purpose, and no release is built from it.

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
        Invalid(
            """
            FROM shop/server:latest
            USER root
            RUN pip install -r requirements-dev.txt
            """,
            filename="docker/development/Dockerfile",
            severity=Severity.INFO,
            note="a development image that follows the released one on purpose",
        ),
        Invalid(
            "FROM shop/base:latest\n",
            filename="docker/demo/Dockerfile",
            severity=Severity.WARNING,
            note="a demo image is deployed: not a development one",
        ),
    )

    def check_file(self, source: SourceFile) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        development = is_development_descriptor(source.relative_path or source.display_path)
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
            if development:
                yield self.make_finding(
                    source.display_path,
                    start,
                    end,
                    message + " (a development image: it may follow the released one on purpose)",
                    severity=Severity.INFO,
                )
                continue
            yield self.make_finding(
                source.display_path, start, end, message + "; pin a version tag or a digest"
            )
