"""FS0503 unpinned-image-install: Dockerfile installs Python packages without version pins."""

from __future__ import annotations

from collections.abc import Iterable

from factorscan.checks.base import FileRule, Invalid, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.deploy.dockerfile import parse_shared

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
    upgrading pip, setuptools or wheel. The value of an option is never read
    as a package: every option of pip and `uv pip` that takes one is known
    (`--index-strategy unsafe-best-match`, `--python-preference system`,
    uv's `--requirements FILE`).

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
        Valid(
            """
            FROM python:3.12-slim
            RUN uv pip install --no-cache --system --python-preference system \\
                  --index https://pypi.org/simple --index-strategy unsafe-best-match \\
                  --requirements requirements.txt
            RUN pip install --progress-bar off --root-user-action ignore --resume-retries 3 \\
                  --uploaded-prior-to 2025-01-01 --requirement requirements.txt
            RUN pip --timeout 60 install -r requirements.txt
            """,
            filename="Dockerfile",
            note="the values of pip and `uv pip` options are not packages",
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
        Invalid(
            """
            FROM python:3.12-slim
            RUN uv pip install --system --index-strategy unsafe-best-match -r requirements.txt httpx
            """,
            filename="Dockerfile",
            note="after the option values, a package name is still one",
        ),
    )

    def check_file(self, source: SourceFile) -> Iterable[Finding]:
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
