"""FS1104 buffered-output: Python container output is buffered (no PYTHONUNBUFFERED, no `python -u`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from factorscan.checks.base import (
    WHOLE_FILE,
    Applicability,
    FixAvailability,
    Invalid,
    ProjectRule,
    Severity,
    Valid,
)
from factorscan.core.findings import Edit, Finding, Fix, Location
from factorscan.core.source import SourceFile
from factorscan.deploy.container import Process
from factorscan.deploy.dockerfile import parse_shared
from factorscan.scan.project import ProjectModel, dockerfile_process

# Root images that are Python, judged by name (python, pypy, cimg/python,
# distroless/python3...), and plain OS images that become Python ones when
# the Dockerfile installs it.
_OS_IMAGES = frozenset(
    {
        "debian",
        "ubuntu",
        "alpine",
        "fedora",
        "centos",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "buildpack-deps",
    }
)


def _runs_another_program(process: Process) -> bool:
    """A command that is known not to be Python (`nginx`), rather than a script or `"$@"`."""
    program = process.program
    return bool(program) and not (
        process.is_python
        or program.endswith((".sh", ".py"))
        or process.runs_arguments
        or process.shell_script
    )


def _deployment_sets_it(project: ProjectModel) -> bool:
    """Every container that runs the app is given PYTHONUNBUFFERED by its manifest or compose file."""
    if project.deployment.empty:
        return False
    linked = project.deployment.linked_containers(project.root.name)
    return bool(linked) and all(
        any(not p.descriptor.endswith(" ENV") for p in item.provided.get("PYTHONUNBUFFERED", ()))
        for item in linked
    )


# `export PYTHONUNBUFFERED=1` (or `PYTHONUNBUFFERED=1 exec ...`) in an entrypoint script.
_SCRIPT_SETS_IT = re.compile(r"\bPYTHONUNBUFFERED=(?![0\s]|$|''|\"\")")


def _scripted_process(project: ProjectModel, dockerfile: Path) -> Process | None:
    """What the image's entrypoint script (`/entrypoint`, `bin/start`, `entrypoint.sh`) ends by
    running, with CMD in place of its `exec "$@"`; None when no script of the project is known
    to start anything."""
    script = project.entrypoint_scripts.get(dockerfile)
    if script is None or script.ending.process is None:
        return None
    return next((item.process for item in project.processes if item.path == dockerfile), None)


def _script_sets_it(project: ProjectModel, dockerfile: Path) -> bool:
    script = project.entrypoint_scripts.get(dockerfile)
    return script is not None and _SCRIPT_SETS_IT.search(script.text) is not None


# A Python command anywhere in an entrypoint script (`python3 tests/x.py`, `gunicorn ...`).
_PYTHON_COMMAND = re.compile(r"(?m)^[^#\n]*\b(?:python[\d.]*|gunicorn|uvicorn|celery|\S+\.py)\b")


def _script_runs_python(project: ProjectModel, dockerfile: Path) -> bool:
    """The entrypoint script runs Python before it execs its last program (`exec echo done`)."""
    script = project.entrypoint_scripts.get(dockerfile)
    return script is not None and _PYTHON_COMMAND.search(script.text) is not None


class BufferedOutput(ProjectRule):
    """
    ## What it does
    Finds Dockerfiles whose final image runs Python (a `python`/`pypy`
    base image, or an OS image that installs Python) but sets no
    `PYTHONUNBUFFERED` in the final stage or a stage it is built `FROM`,
    and whose `CMD`/`ENTRYPOINT` does not run `python -u`. Images whose
    base is not recognisably Python (a company base image may set the
    variable) and images that run another program are not reported, nor
    are images whose every deployment (Kubernetes `env`/`envFrom`, compose
    `environment:`) sets `PYTHONUNBUFFERED` for the containers that run
    the app. An entrypoint script of the project (`/entrypoint`,
    `bin/start`, `entrypoint.sh`) is judged by what it ends by running:
    reported when it execs a Python program or server, silent when it
    execs another program or sets `PYTHONUNBUFFERED` itself.

    ## Why is this bad?
    Factor XI: each process writes its event stream, unbuffered, to
    stdout. Without a terminal Python block-buffers stdout, so `print()`
    output reaches the log collector in bursts, minutes late, and whatever
    is still in the buffer is lost when the container is killed.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD ["python", "worker.py"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    ENV PYTHONUNBUFFERED=1
    CMD ["python", "worker.py"]
    ```

    ## Fix
    Safe: adds `ENV PYTHONUNBUFFERED=1` after the final stage's `FROM`.
    Output is only written sooner.
    """

    code = "FS1104"
    name = "buffered-output"
    severity = Severity.WARNING
    summary = "Python container output is buffered (no PYTHONUNBUFFERED, no `python -u`)"
    # --diff-base: PYTHONUNBUFFERED or `python -u` can be added on any line of the image.
    changed_by = (WHOLE_FILE,)
    fix_availability = FixAvailability.ALWAYS

    VALID = (
        Valid(
            """
            FROM python:3.12-slim AS base
            ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
            FROM base
            CMD ["gunicorn", "app:app"]
            """,
            filename="Dockerfile",
            note="inherited from the stage it is built FROM",
        ),
        Valid(
            """
            FROM python:3.12-slim
            CMD ["python", "-u", "worker.py"]
            """,
            filename="Dockerfile",
        ),
        Valid(
            """
            FROM python:3.12 AS build
            RUN python -m build
            FROM nginx:1.27
            COPY --from=build /app/dist /usr/share/nginx/html
            """,
            filename="Dockerfile",
            note="the final image is not Python",
        ),
        Valid("FROM registry.example.com/platform/app-base:4\nCMD python app.py\n", filename="Dockerfile"),
        Valid(
            """
            FROM python:3.12-slim
            CMD ["gunicorn", "app:app"]
            """,
            filename="Dockerfile",
            files={
                "k8s/deployment.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers:
                        - name: web
                          image: registry.example.com/web:1.4.2
                          env: [{name: PYTHONUNBUFFERED, value: "1"}]
                """
            },
            note="the deployment sets it for the container that runs the app",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY . /app
            ENTRYPOINT ["/app/bin/start"]
            """,
            filename="Dockerfile",
            files={
                "bin/start": '#!/bin/sh\nset -e\nexec nginx -g "daemon off;"\n',
                "Procfile": "web: gunicorn shop.wsgi\n",
            },
            note="an entrypoint script that execs a server that is not Python (a Procfile beside it)",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY . /app
            ENTRYPOINT ["/app/bin/worker"]
            """,
            filename="Dockerfile",
            files={"bin/worker": "#!/bin/sh\nexec python -u worker.py\n"},
            note="an entrypoint script that execs `python -u`",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY docker/entrypoint /entrypoint
            ENTRYPOINT ["/entrypoint"]
            """,
            filename="Dockerfile",
            files={"docker/entrypoint": "#!/bin/sh\nexport PYTHONUNBUFFERED=1\nexec gunicorn shop.wsgi\n"},
            note="the entrypoint script sets it",
        ),
    )
    INVALID = (
        Invalid(
            """
            FROM python:3.12-slim
            WORKDIR /app
            CMD ["python", "worker.py"]
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1
            WORKDIR /app
            CMD ["python", "worker.py"]
            """,
            line=1,
        ),
        Invalid(
            """
            FROM python:3.12 AS build
            ENV PYTHONUNBUFFERED=1
            RUN pip wheel -w /wheels -r requirements.txt
            FROM debian:bookworm-slim
            RUN apt-get update && apt-get install -y python3 python3-pip
            COPY --from=build /wheels /wheels
            """,
            filename="Dockerfile",
            line=4,
            note="a build stage's ENV does not reach the final image",
            fixed="""
            FROM python:3.12 AS build
            ENV PYTHONUNBUFFERED=1
            RUN pip wheel -w /wheels -r requirements.txt
            FROM debian:bookworm-slim
            ENV PYTHONUNBUFFERED=1
            RUN apt-get update && apt-get install -y python3 python3-pip
            COPY --from=build /wheels /wheels
            """,
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY . /app
            ENTRYPOINT ["/app/bin/start"]
            """,
            filename="Dockerfile",
            files={"bin/start": "#!/bin/sh\nset -e\npython manage.py migrate\nexec gunicorn shop.wsgi\n"},
            fixed="""
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1
            COPY . /app
            ENTRYPOINT ["/app/bin/start"]
            """,
            note="an entrypoint script without an extension that execs a Python server",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY docker/run-tests.sh /run-tests.sh
            CMD ["/run-tests.sh"]
            """,
            filename="Dockerfile",
            files={"docker/run-tests.sh": "#!/bin/sh\npython3 tests/smoke.py\nexec echo done\n"},
            fixed="""
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1
            COPY docker/run-tests.sh /run-tests.sh
            CMD ["/run-tests.sh"]
            """,
            note="a script that runs Python before it execs another program",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY . /app
            ENTRYPOINT ["/app/bin/run"]
            CMD ["gunicorn", "shop.wsgi"]
            """,
            filename="Dockerfile",
            files={"bin/run": '#!/bin/sh\nset -e\nexec "$@"\n'},
            fixed="""
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1
            COPY . /app
            ENTRYPOINT ["/app/bin/run"]
            CMD ["gunicorn", "shop.wsgi"]
            """,
            note="an entrypoint script that execs the CMD it is given: a Python server",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        dockerfiles = list(project.dockerfiles)
        if not dockerfiles or _deployment_sets_it(project):
            return
        for path in dockerfiles:
            source = project.source(path)
            if source is not None and not _script_sets_it(project, path):
                scripted = _scripted_process(project, path)
                yield from self._check(source, scripted, _script_runs_python(project, path))

    def _check(self, source: SourceFile, scripted: Process | None, runs_python: bool) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        final = dockerfile.final_stage
        if final is None or final.instruction.ignores(self.code) or final.env.get("PYTHONUNBUFFERED"):
            return
        root = dockerfile.root_image(final)
        if root is None:
            return
        python_image = "python" in root.repository.lower() or "pypy" in root.name
        if not python_image and root.name in _OS_IMAGES:
            installs = dockerfile.system_installs(dockerfile.lineage(final))
            python_image = any(package.startswith("python3") for i in installs for package in i.packages)
        if not python_image:
            return
        process = scripted or dockerfile_process(dockerfile)
        if process is not None and (
            process.unbuffered or (_runs_another_program(process) and not runs_python)
        ):
            return
        instruction = final.instruction
        rows = source.lines
        after = instruction.end_row
        if after < len(rows) or rows[-1].endswith(("\n", "\r")):
            edit = Edit(
                "ENV PYTHONUNBUFFERED=1" + source.newline, Location(after + 1, 1), Location(after + 1, 1)
            )
        else:
            end = Location(after, len(rows[-1]) + 1)
            edit = Edit(source.newline + "ENV PYTHONUNBUFFERED=1", end, end)
        fix = Fix(Applicability.SAFE, "Add ENV PYTHONUNBUFFERED=1", (edit,))
        yield self.make_finding(
            source.display_path,
            instruction.start,
            instruction.end,
            "This Python image sets no PYTHONUNBUFFERED and does not run `python -u`: stdout is "
            "block-buffered, so output arrives late and is lost when the container is killed",
            fix=fix,
        )
