"""FS0903 shell-form-entrypoint: the container's main process is a shell, so SIGTERM never reaches the app."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from factorscan.checks.base import (
    Applicability,
    FileRule,
    FixAvailability,
    Invalid,
    ProjectRule,
    Severity,
    Valid,
)
from factorscan.core.findings import Edit, Finding, Fix, Location
from factorscan.core.source import SourceFile
from factorscan.deploy.container import ComposeService, describe, script_ending
from factorscan.deploy.dockerfile import Instruction, parse_shared
from factorscan.deploy.purpose import is_development_descriptor
from factorscan.deploy.shell import SHELLS, commands, is_assignment, program_name, script_index
from factorscan.scan.project import ProjectModel


def _ends_with_exec(script: str) -> bool:
    ending = script_ending(script)
    if ending.command is None or ending.forwards_signals or ending.command.background:
        return True
    return ending.process is not None and ending.process.execs


def _shell_script_index(argv: list[str]) -> int | None:
    """Index of the script in `["sh", "-c", "script"]`, also behind wrappers such as tini."""
    if describe(argv).shell_script is None:
        return None
    for index, word in enumerate(argv):
        if program_name(word) in SHELLS:
            position = script_index(argv[index:])
            return None if position is None else index + position
    return None


# What the shell does for a command beyond splitting words: expansions, operators,
# redirections, globs, comments, escapes. Without any, exec form runs the same argv.
_SHELL_FEATURES = re.compile(r"[$`|&;<>(){}*?\[\]~#\\\n]")
# Words that must stay in a shell (`exec cd` makes no sense).
_NOT_EXECUTABLE = frozenset(
    {"cd", "export", "source", ".", "set", "unset", "trap", "exec", "eval", "ulimit", "umask"}
)


def _exec_form_fix(instruction: Instruction, text: str, end: int) -> Fix | None:
    """`CMD python app.py` -> `CMD ["python", "app.py"]`, when the shell only splits words."""
    if _SHELL_FEATURES.search(text):
        return None
    found = commands(text)
    if len(found) != 1 or found[0].terminator or is_assignment(found[0].words[0].raw):
        return None
    exec_form = json.dumps(found[0].argv, ensure_ascii=False)
    edit = Edit(exec_form, instruction.location(instruction.args_offset), instruction.location(end))
    return Fix(Applicability.SAFE, f"Use exec form: {instruction.keyword} {exec_form}", (edit,))


def _exec_fix(instruction: Instruction, text: str) -> Fix | None:
    """`CMD a && b $X` -> `CMD a && exec b $X`: the last command replaces the shell, which keeps
    expanding variables. Unsafe: what runs as PID 1 and gets signals changes on purpose."""
    found = commands(text)
    if not found or any(command.terminator not in ("&&", ";") for command in found[:-1]):
        return None
    last = found[-1]
    if last.terminator or any(command.terminator == "(" or command.after == "(" for command in found):
        return None
    raw = [word.raw for command in found for word in command.words]
    if any(("<" in word or ">" in word or "`" in word or "$(" in word) for word in raw):
        return None
    first = last.words[0]
    if is_assignment(first.raw) or first.text in _NOT_EXECUTABLE:
        return None
    where = instruction.location(instruction.args_offset + first.start)
    return Fix(Applicability.UNSAFE, "Start the last command with `exec`", (Edit("exec ", where, where),))


def _third_party(service: ComposeService, built_images: set[str]) -> bool:
    """A service that runs someone else's image: no `build`, and no service of the project
    builds its image."""
    return service.build_context is None and service.image is not None and service.image not in built_images


class ShellFormEntrypoint(FileRule, ProjectRule):
    """
    ## What it does
    Finds final-stage Dockerfile `CMD`/`ENTRYPOINT` in shell form (run as
    `/bin/sh -c "..."`) unless the command ends by `exec`ing the app,
    exec-form `["sh", "-c", "..."]` whose command does not `exec` the app,
    compose `command: sh -c "..."` and the `command`/`args` of a Kubernetes
    container that runs the app likewise, and entrypoint scripts (such as
    `docker-entrypoint.sh`) whose last command starts the app, or `"$@"`,
    without `exec`. A script that traps TERM itself, and a command such as
    `CMD exec gunicorn --bind :$PORT app:app`, pass. A third-party service
    (an `image:` that nothing in the project builds, such as a mail catcher)
    in a development compose file (`docker-compose.dev.yml`,
    `docker-compose.override.dev.yml`, `.devcontainer/`) is not the app and
    is not reported; in a compose file that deploys, it is.

    ## Why is this bad?
    Factor IX: the platform stops a container by sending SIGTERM to its PID
    1. When that is a shell, it does not forward the signal: the app never
    hears it, keeps working until the grace period ends, and is then killed
    with SIGKILL, losing in-flight requests and jobs.

    ## Example
    ```dockerfile
    CMD gunicorn --bind :8000 app:app
    ```

    Use instead:
    ```dockerfile
    CMD ["gunicorn", "--bind", ":8000", "app:app"]
    ```
    or, to expand variables, `CMD exec gunicorn --bind ":$PORT" app:app`.

    ## Fix
    For a Dockerfile `CMD`/`ENTRYPOINT` in shell form. Safe where the shell
    only splits words (`CMD python app.py` becomes `CMD ["python",
    "app.py"]`): exec form runs the same command line. Unsafe where the
    command relies on the shell (`$PORT`, `&&`, `;`), or where exec form
    would change what the other instruction gets (a `CMD` beside an
    `ENTRYPOINT`, which then receives the CMD's words): `exec` is added
    before the last command, so the shell still expands variables and then
    hands PID 1 to the app. None with pipes, redirections, subshells,
    command substitution or background jobs, nor for `sh -c` in exec form,
    compose, Kubernetes or entrypoint scripts.
    """

    code = "FS0903"
    name = "shell-form-entrypoint"
    severity = Severity.WARNING
    summary = "The container's main process is a shell, so SIGTERM never reaches the app"
    fix_availability = FixAvailability.SOMETIMES
    kinds = ("dockerfile",)
    file_triggers = (b"CMD", b"ENTRYPOINT", b"cmd", b"entrypoint")

    VALID = (
        Valid(
            """
            FROM python:3.12-slim
            CMD exec gunicorn --bind ":$PORT" app:app
            """,
            filename="Dockerfile",
            note="the cloud-native idiom: shell form for $PORT, exec for PID 1",
        ),
        Valid(
            """
            FROM python:3.12-slim AS build
            CMD python build.py
            FROM python:3.12-slim
            ENTRYPOINT ["tini", "--"]
            CMD ["sh", "-c", "python manage.py migrate && exec gunicorn app.wsgi"]
            """,
            filename="Dockerfile",
            note="only the final stage counts",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY docker-entrypoint.sh /
            ENTRYPOINT ["/docker-entrypoint.sh"]
            CMD ["gunicorn", "app:app"]
            """,
            filename="Dockerfile",
            files={"docker-entrypoint.sh": '#!/bin/sh\nset -e\npython manage.py migrate\nexec "$@"\n'},
        ),
        Valid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.4.2
                      command: ["sh", "-c", "python manage.py migrate && exec gunicorn shop.wsgi"]
                    - name: sidecar
                      image: busybox:1.36
                      command: ["sh", "-c", "while true; do sleep 60; done"]
            """,
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            note="the app's container ends with `exec`; a third-party sidecar is not the app",
        ),
        Valid(
            """
            services:
              mailhog:
                image: mailhog/mailhog:v1.0.1
                entrypoint: ["/bin/sh", "-c", "MailHog &>/dev/null"]
            """,
            filename="docker-compose.override.dev.yml",
            files={
                "docker-compose.yml": """
                services:
                  web:
                    build: .
                    command: ["gunicorn", "app:app"]
                """
            },
            note="a third-party service in a development compose file is not the app",
        ),
    )
    INVALID = (
        Invalid(
            """
            FROM python:3.12-slim
            CMD gunicorn --bind :8000 app:app
            """,
            filename="Dockerfile",
            line=2,
            fixed="""
            FROM python:3.12-slim
            CMD ["gunicorn", "--bind", ":8000", "app:app"]
            """,
            note="the shell only splits words: exec form, a safe fix",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            CMD python "my app.py" --name='shop web'
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            CMD ["python", "my app.py", "--name=shop web"]
            """,
            note="quotes only group words: still mechanical",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            CMD gunicorn --bind ":$PORT" app:app
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            CMD exec gunicorn --bind ":$PORT" app:app
            """,
            unsafe=True,
            note="$PORT needs the shell: `exec` instead of exec form, unsafe",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            CMD python manage.py migrate && gunicorn shop.wsgi
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            CMD python manage.py migrate && exec gunicorn shop.wsgi
            """,
            unsafe=True,
            note="a command list: the last command gets `exec`",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ENTRYPOINT ["tini", "--"]
            CMD python worker.py
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            ENTRYPOINT ["tini", "--"]
            CMD exec python worker.py
            """,
            unsafe=True,
            note="beside an ENTRYPOINT exec form would change its arguments: `exec`, unsafe",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            CMD python app.py 2>&1 | tee /tmp/app.log
            """,
            filename="Dockerfile",
            note="a pipe: no fix",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ENTRYPOINT python -m shop.worker
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            ENTRYPOINT ["python", "-m", "shop.worker"]
            """,
            note="an ENTRYPOINT with no CMD to receive: exec form, safe",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ENTRYPOINT python -m shop.worker
            CMD ["--queue", "default"]
            """,
            filename="Dockerfile",
            fixed="""
            FROM python:3.12-slim
            ENTRYPOINT exec python -m shop.worker
            CMD ["--queue", "default"]
            """,
            unsafe=True,
            note="exec form would pass the ignored CMD on as arguments: `exec`, unsafe",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            CMD FLASK_APP=shop flask run --host 0.0.0.0
            """,
            filename="Dockerfile",
            note="a variable assignment before the command: no fix",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            # factorscan: ignore=FS0501
            ENTRYPOINT ["/bin/bash", "-c", "python manage.py migrate && gunicorn app.wsgi"]
            """,
            filename="Dockerfile",
            line=3,
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY docker-entrypoint.sh /usr/local/bin/
            ENTRYPOINT ["docker-entrypoint.sh"]
            CMD ["python", "worker.py"]
            """,
            filename="Dockerfile",
            files={
                "docker-entrypoint.sh": """
                #!/bin/sh
                set -e
                python manage.py migrate
                "$@"
                """
            },
            note="the script runs CMD as its child",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY start.sh /start.sh
            CMD ["/start.sh"]
            """,
            filename="Dockerfile",
            files={
                "start.sh": """
                #!/bin/sh
                python manage.py migrate --noinput
                gunicorn shop.wsgi:application --bind 0.0.0.0:8000
                exec "$@"
                """
            },
            note="a server in the foreground never returns: the `exec` after it never runs",
        ),
        Invalid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.4.2
                      command: ["sh", "-c"]
                      args: ["python manage.py migrate && gunicorn shop.wsgi"]
            """,
            filename="k8s/deployment.yaml",
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            line=11,
            note="a Kubernetes container's command and args",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                command: sh -c "python manage.py migrate && python manage.py runserver 0.0.0.0:8000"
              mailhog:
                image: mailhog/mailhog:v1.0.1
                entrypoint: ["/bin/sh", "-c", "MailHog &>/dev/null"]
            """,
            filename="docker-compose.yml",
            count=2,
            note="the deployed compose file: the app's service and a third-party one",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                entrypoint: ["sh", "-c", "python manage.py migrate && python manage.py runserver"]
            """,
            filename="docker-compose.dev.yml",
            note="the app's own service in a development compose file",
        ),
    )

    def check_file(self, source: SourceFile) -> Iterator[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        final = dockerfile.final_stage
        entrypoint, cmd = dockerfile.final_command()
        original_cmd = cmd
        if final is None:
            return
        if entrypoint is not None and entrypoint.json is None:
            cmd = None  # Docker ignores CMD after a shell-form ENTRYPOINT
        for instruction in (entrypoint, cmd):
            if instruction is None or instruction.ignores(self.code):
                continue
            shell = " ".join(final.shell)
            if instruction.json is None:
                text = instruction.arguments.strip()
                if text and not _ends_with_exec(text):
                    end = len(instruction.line.rstrip())
                    # Exec form is the same command only when nothing else reads the words.
                    alone = (instruction is cmd and entrypoint is None) or (
                        instruction is entrypoint and original_cmd is None
                    )
                    fix = None
                    if not instruction.heredocs:
                        fix = (_exec_form_fix(instruction, text, end) if alone else None) or _exec_fix(
                            instruction, instruction.arguments
                        )
                    yield self._at(
                        source,
                        instruction,
                        instruction.args_offset,
                        end,
                        f"Shell-form {instruction.keyword} runs under `{shell}`, which stays PID 1 and does "
                        "not pass SIGTERM on; use exec form, or start the command with `exec`",
                        fix=fix,
                    )
                continue
            argv = list(instruction.json)
            if instruction is cmd and entrypoint is not None and entrypoint.json is not None:
                argv = list(entrypoint.json) + argv
                offset = len(entrypoint.json)
            else:
                offset = 0
            index = _shell_script_index(argv)
            if index is None or index < offset or _ends_with_exec(argv[index]):
                continue
            elements = instruction.json_elements()
            shell_name = next(program_name(word) for word in argv if program_name(word) in SHELLS)
            if index - offset < len(elements):
                _, start, end = elements[index - offset]
                yield self._at(
                    source,
                    instruction,
                    start,
                    end,
                    f"`{shell_name} -c` runs the app as a child of the shell, which does not pass "
                    "SIGTERM on: use `exec` for the last command",
                )

    def _at(
        self,
        source: SourceFile,
        instruction: Instruction,
        start: int,
        end: int,
        message: str,
        *,
        fix: Fix | None = None,
    ) -> Finding:
        return self.make_finding(
            source.display_path, instruction.location(start), instruction.location(end), message, fix=fix
        )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        for script in project.entrypoint_scripts.values():
            ending = script.ending
            if not ending.starts_app_without_exec or ending.command is None or ending.process is None:
                continue
            start, end = ending.command.start, ending.command.end
            before = script.text[:start]
            row = script.first_row + before.count("\n")
            column = start - (before.rfind("\n") + 1) + 1
            program = ending.process.program or ending.command.argv[0]
            what = '`"$@"` (the CMD)' if ending.process.runs_arguments else f"`{program}`"
            name = script.path.name
            yield self.make_finding(
                project.display(script.path),
                Location(row, column),
                Location(row, column + (end - start if "\n" not in script.text[start:end] else 1)),
                f"{name} starts {what} without `exec`: the shell stays PID 1 and SIGTERM never "
                "reaches the app; use `exec`",
            )
        yield from self._containers(project)
        built_images = {
            service.image
            for services in project.compose_services.values()
            for service in services
            if service.build_context is not None and service.image
        }
        for path, services in project.compose_services.items():
            development = is_development_descriptor(project.relative(path))
            for service in services:
                if development and _third_party(service, built_images):
                    continue  # a mail catcher or database for development: not the app
                argv = service.process_argv()
                index = _shell_script_index(argv)
                if index is None or _ends_with_exec(argv[index]):
                    continue
                node = service.command or service.entrypoint
                assert node is not None
                yield self.make_finding(
                    project.display(path),
                    Location(node.row, node.column),
                    Location(node.row, node.column + 1),
                    f"Service `{service.name}` runs `{argv[0]} -c` without `exec`: the shell does not "
                    "pass SIGTERM on to the app; start the last command with `exec`",
                )

    def _containers(self, project: ProjectModel) -> Iterator[Finding]:
        """Kubernetes containers that run the app under `sh -c` without `exec`."""
        if project.deployment.empty:
            return
        seen: set[tuple[str, int, int]] = set()
        for linked in project.deployment.linked_containers(project.root.name):
            container = linked.container
            if container is None:
                continue
            nodes = [*container.command, *container.args]
            argv = [node.text or "" for node in nodes]
            index = _shell_script_index(argv)
            if index is None or _ends_with_exec(argv[index]):
                continue
            node = nodes[index]
            key = (node.origin, node.row, node.column)
            if key in seen or node.origin not in project.scanned_paths:
                continue
            seen.add(key)
            path, start, end = project.node_span(node)
            yield self.make_finding(
                path,
                start,
                end,
                f"Container `{container.name}` of {linked.label} runs `{argv[0]} -c` without `exec`: the "
                "shell does not pass SIGTERM on to the app; start the last command with `exec`",
            )
