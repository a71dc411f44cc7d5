"""FS0504 build-step-at-start: a build step runs when the container starts instead of in the image build."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.shell import is_assignment, program_name
from factorscan.scan.project import ProjectModel
from factorscan.scan.start_commands import start_commands

_PYTHON = re.compile(r"^(python|pypy)(\d(\.\d+)?)?$")
# Interpreter options whose value is the next word (`python -W ignore manage.py ...`).
_PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X", "--check-hash-based-pycs"})
_PIP = re.compile(r"^pip(\d(\.\d+)?)?$")
# Django management commands that build files the image should ship with.
_DJANGO_BUILDS = frozenset({"collectstatic", "compilemessages", "compress"})
_NODE_INSTALLS = frozenset({"install", "i", "ci"})
# Programs that run the command after them, with how many of their own words to skip.
_RUNS_AS = {"gosu": 1, "su-exec": 1, "s6-setuidgid": 1, "chpst": 0, "nice": 0, "time": 0, "setpriv": 0}
_RUNNERS = frozenset({"poetry", "pipenv", "uv", "pdm", "hatch", "rye"})
# Asset builds that keep running and rebuild on change: a development watcher, not a build.
_WATCH = frozenset({"--watch", "-w", "watch", "serve", "dev", "start"})


def _program_start(argv: Sequence[str]) -> int:
    """Where the program is, past `VAR=x`, `exec`, `env`, `sudo -u app`, `gosu app`, `poetry run`."""
    index = 0
    while index < len(argv):
        word, name = argv[index], program_name(argv[index])
        if is_assignment(word) or word == "exec":
            index += 1
        elif name in ("env", "sudo"):
            index += 1
            while index < len(argv) and (argv[index].startswith("-") or is_assignment(argv[index])):
                index += 1 + (argv[index] in ("-u", "-g", "--user", "--group"))
        elif name in _RUNS_AS:
            index += 1 + _RUNS_AS[name]
        elif name in _RUNNERS and argv[index + 1 : index + 2] == ["run"]:
            index += 2
        else:
            break
    return index


def build_step(argv: Sequence[str]) -> tuple[str, int] | None:
    """The build step a command runs (`manage.py collectstatic`, `pip install`, `npm run build`)
    and the index of the word that names it; None for anything else."""
    argv = list(argv)  # a tuple's slices never equal the lists compared below
    start = _program_start(argv)
    if start >= len(argv):
        return None
    name, rest = program_name(argv[start]), list(argv[start + 1 :])
    offset = start + 1
    if _PYTHON.match(name):
        position = 0
        while position < len(rest) and rest[position].startswith("-") and rest[position] != "-m":
            position += 1 + (rest[position] in _PYTHON_VALUE_OPTIONS)
        if rest[position : position + 1] == ["-m"] and position + 1 < len(rest):
            module = rest[position + 1]
            name, rest, offset = module, rest[position + 2 :], offset + position + 2
            if module == "django":
                name = "django-admin"
        elif position < len(rest):
            name, rest, offset = program_name(rest[position]), rest[position + 1 :], offset + position + 1
    if name.endswith("manage.py") or name == "django-admin":
        command = next((index for index, word in enumerate(rest) if not word.startswith("-")), None)
        if command is not None and rest[command] in _DJANGO_BUILDS:
            return f"{name} {rest[command]}", offset + command
        return None
    if _PIP.match(name) or (name == "uv" and rest[:1] == ["pip"]):
        position = 1 if name == "uv" else 0
        if rest[position : position + 1] == ["install"]:
            return ("uv pip install" if name == "uv" else "pip install"), offset + position
        return None
    if any(word in _WATCH for word in rest):
        return None
    if name in ("npm", "yarn", "pnpm"):
        if rest[:1] and rest[0] in _NODE_INSTALLS:
            return f"{name} {rest[0]}", offset
        position = 1 if rest[:1] in (["run"], ["run-script"]) else 0
        script = rest[position] if position < len(rest) and (position or name != "npm") else ""
        if script == "build" or script.startswith("build:"):
            return f"{name} {' '.join(rest[: position + 1])}", offset + position
        return None
    if name == "npx" and rest[:1] == ["webpack"]:
        return "webpack", offset
    if name == "webpack":
        return "webpack", offset - 1
    return None


class BuildStepAtStart(ProjectRule):
    """
    ## What it does
    Finds build steps that a container or process runs when it starts:
    Django's `collectstatic`, `compilemessages` and `compress`, asset builds
    (`npm run build`, `yarn build`, `pnpm build`, `webpack`), and installs
    (`pip install`, `uv pip install`, `npm install`/`ci`, `yarn install`).
    It reads every start command: Procfile lines, a Dockerfile's final
    `CMD`/`ENTRYPOINT` and the shell script it runs (`docker-entrypoint.sh`,
    `/start`), compose `command:`/`entrypoint:`, the command and args of
    long-running Kubernetes workloads' containers, and the `sh -c` scripts
    inside them. The finding points at the line of the step in the
    command or script.

    Not reported: the same steps in a Dockerfile `RUN` (the build), in a
    Procfile `release:` line, in a Kubernetes `Job` or `CronJob`, in a script
    no start command runs, and asset watchers (`--watch`, `npm run dev`).
    Migrations at start are a release step, FS1201's subject, not this
    rule's. Steps in a file for development, CI or tests, or in the docs,
    are notices at `info`.

    ## Why is this bad?
    Factor V: the build stage turns code into an executable bundle, and the
    run stage only runs it. A build step at start runs again on every
    start of every replica: start-up is slow, and what runs is not what was
    tested, since an install or build at start can fetch newer packages or
    fail on a network outage, taking the release down.

    ## Example
    ```sh
    #!/bin/sh
    python manage.py collectstatic --noinput
    exec gunicorn shop.wsgi
    ```

    Use instead, in the Dockerfile:
    ```dockerfile
    RUN python manage.py collectstatic --noinput
    CMD ["gunicorn", "shop.wsgi"]
    ```

    ## Fix
    None: move the step to a `RUN` line of the image build (or the
    platform's build phase).
    """

    code = "FS0504"
    name = "build-step-at-start"
    severity = Severity.WARNING
    summary = "A build step runs when the container starts instead of in the image build"
    test_files = "start commands in files for tests or CI are notices at `info`"
    changed_by = ("dockerfile", "procfile", "compose", "shell", "yaml")

    VALID = (
        Valid(
            """
            FROM python:3.12-slim
            COPY . /app
            RUN pip install --no-cache-dir -r requirements.txt \\
                && python manage.py collectstatic --noinput
            CMD ["gunicorn", "shop.wsgi", "--bind", "0.0.0.0:8000"]
            """,
            filename="Dockerfile",
            note="built in a RUN line",
        ),
        Valid(
            """
            release: python manage.py collectstatic --noinput && python manage.py migrate
            web: gunicorn shop.wsgi
            """,
            filename="Procfile",
            note="the release phase runs once per release",
        ),
        Valid(
            """
            #!/bin/sh
            pip install -r requirements.txt
            python manage.py collectstatic --noinput
            """,
            filename="scripts/deploy.sh",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "shop.wsgi"]\n'},
            note="a script no start command runs",
        ),
        Valid(
            """
            #!/bin/sh
            python manage.py migrate --noinput
            exec gunicorn shop.wsgi
            """,
            filename="docker-entrypoint.sh",
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY docker-entrypoint.sh /\n"
                'ENTRYPOINT ["/docker-entrypoint.sh"]\n'
            },
            note="migrations are a release step (FS1201), not a build step",
        ),
        Valid(
            """
            web: gunicorn shop.wsgi
            assets: npm run build -- --watch
            css: yarn run build:css -w; webpack serve; pnpm start; yarn run dev; yarn build watch; npm run dev
            """,
            filename="Procfile",
            note="asset watchers and development servers",
        ),
        Valid(
            """
            web: python -m pip --version; python manage.py check; python -c 'import this'; gunicorn shop.wsgi
            other: npm build; uv sync; pip download x; django-admin runserver; npm run-script test
            admin: sudo -u app make; env; npx http-server dist
            console: python
            """,
            filename="Procfile",
            note="other commands of the same programs, and commands with no program after the prefixes",
        ),
        Valid(
            """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: assets}
            spec:
              template:
                spec:
                  containers:
                    - name: assets
                      image: shop:1.0
                      args: ["python", "manage.py", "collectstatic", "--noinput"]
            """,
            filename="k8s/job.yaml",
            note="a one-off Job",
        ),
    )
    INVALID = (
        Invalid(
            """
            #!/bin/sh
            set -e
            python manage.py collectstatic --noinput
            exec gunicorn shop.wsgi --bind 0.0.0.0:8000
            """,
            filename="docker-entrypoint.sh",
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY docker-entrypoint.sh /\n"
                'ENTRYPOINT ["/docker-entrypoint.sh"]\n'
            },
            line=3,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            #!/bin/sh
            python manage.py collectstatic --noinput
            exec gunicorn shop.wsgi
            """,
            filename="docker-entrypoint.sh",
            files={
                "Procfile.dev": "web: ./docker-entrypoint.sh\n",
                "Dockerfile": "FROM python:3.12-slim\nCOPY docker-entrypoint.sh /\n"
                'ENTRYPOINT ["/docker-entrypoint.sh"]\n',
            },
            severity=Severity.WARNING,
            note="a script the deployed image runs is a warning, though a development Procfile runs it too",
        ),
        Invalid(
            """
            web: pip install -r requirements.txt && npm run build && gunicorn shop.wsgi
            """,
            filename="Procfile",
            count=2,
        ),
        Invalid(
            """
            web: sudo -u app -E pip3 install x && poetry run python -W ignore manage.py compress && gunicorn a
            worker: uv pip install x; npm ci; yarn install; pnpm run build:css; yarn build; npx webpack
            assets: webpack
            a2: gosu app pipenv run python -X dev manage.py collectstatic; s6-setuidgid app pnpm i
            a3: sudo --user app --group app nice npm run build
            """,
            filename="Procfile",
            count=12,
            note="behind sudo, gosu, nice and runners; uv, npm, yarn, pnpm and webpack",
        ),
        Invalid(
            """
            web: uv run python manage.py collectstatic && pdm run pip install -e . && gunicorn shop.wsgi
            worker: hatch run python manage.py compress; rye run pip install -r requirements.lock
            assets: time python manage.py compilemessages; sudo -g www-data pip install x
            a2: python --check-hash-based-pycs never manage.py collectstatic
            a3: python manage.py --settings=shop.settings.prod compress
            """,
            filename="Procfile",
            count=8,
            note="behind uv, pdm, hatch and rye's `run`, `time`, `sudo -g`; options before the command",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY . /app
            CMD python manage.py compilemessages && exec gunicorn shop.wsgi
            """,
            filename="Dockerfile",
            line=3,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY compose/start /start
            ENTRYPOINT ["/entrypoint"]
            CMD ["/start"]
            """,
            filename="Dockerfile",
            files={
                "compose/start": "#!/bin/bash\n"
                "python /app/manage.py collectstatic --noinput\n"
                "exec gunicorn config.wsgi\n"
            },
            note="the script CMD runs (cookiecutter-django's /start)",
        ),
        Invalid(
            """
            services:
              django:
                build:
                  context: .
                  dockerfile: compose/production/django/Dockerfile
                command: /start
            """,
            filename="docker-compose.production.yml",
            files={
                "compose/production/django/Dockerfile": "FROM python:3.12-slim\n"
                "COPY ./compose/production/django/start /start\n",
                "compose/production/django/start": "#!/bin/bash\n"
                "python /app/manage.py compilemessages\n"
                "exec gunicorn config.wsgi\n",
            },
            line=2,
            severity=Severity.WARNING,
            note="the script a compose command names, found through its Dockerfile's COPY",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                command: sh -c "yarn build && gunicorn shop.wsgi"
            """,
            filename="compose.yaml",
            line=4,
            severity=Severity.WARNING,
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
                      image: shop:1.0
                      command: ["/bin/sh", "-c"]
                      args:
                        - |
                          python manage.py migrate --noinput
                          python manage.py collectstatic --noinput
                          exec gunicorn shop.wsgi
            """,
            filename="k8s/deployment.yaml",
            line=14,
            severity=Severity.WARNING,
            note="a Kubernetes container's script, at the line of the step",
        ),
        Invalid(
            """
            #!/bin/sh
            su-exec app python -m pip install --no-cache-dir -r /app/requirements.txt
            exec su-exec app env DJANGO_SETTINGS_MODULE=shop.settings django-admin compilemessages
            """,
            filename="docker-entrypoint.sh",
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY docker-entrypoint.sh /\n"
                'ENTRYPOINT ["/docker-entrypoint.sh"]\n'
            },
            count=2,
            note="behind su-exec, env and exec; pip run as a module",
        ),
        Invalid(
            """
            services:
              web:
                build: .
                command: sh -c "pip install -e . && python manage.py runserver 0.0.0.0:8000"
            """,
            filename="docker-compose.dev.yml",
            severity=Severity.INFO,
            note="a development compose file is a notice",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        seen: set[tuple[str, int, int]] = set()
        for command in start_commands(project):
            if command.process == "release":
                continue
            step = build_step(command.argv)
            if step is None:
                continue
            what, index = step
            first, (start, end) = command.span(0)[0], command.span(index)
            if first.row == start.row and first.column < start.column:
                start = first  # from the command's first word

            key = (command.path, start.row, start.column)
            if key in seen:
                continue
            seen.add(key)
            message = (
                f"`{what}` runs at start ({command.where}): every start of every replica repeats it, "
                "and what runs is not the image that was built; do it in the image build (a RUN line)"
            )
            message, severity = command.judged(message)
            yield self.make_finding(
                command.path, start, end, message, severity=severity, fingerprint_hint=what
            )
