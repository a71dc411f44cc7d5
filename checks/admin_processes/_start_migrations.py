"""FS1201 admin-task-in-app, its command half: migrations that a process runs each time it
starts (a start command or entrypoint script, an init container, uWSGI's `hook-pre-app`),
so every replica runs them on every start. The rule is in `admin_task_in_app.py`."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from factorscan.core.source import SourceFile
from factorscan.deploy.ini_options import IniOption, uwsgi_options
from factorscan.scan.project import ProjectModel
from factorscan.scan.start_commands import StartCommand, start_commands

MIGRATION_COMMANDS = frozenset(
    {"migrate", "makemigrations", "syncdb", "createcachetable", "flush", "loaddata", "createsuperuser"}
)
# Process types that exist to run the release's one-off tasks.
_RELEASE_PROCESSES = frozenset({"release", "migrate", "migrations", "migration", "db-migrate", "setup"})
# uWSGI hooks and their `exec-` shorthands: `hook-pre-app = exec:python manage.py migrate`.
_UWSGI_HOOK = re.compile(r"^(hook|exec)-[a-z-]+$")


def shell_migration(words: list[str] | tuple[str, ...]) -> str | None:
    """`flask db upgrade`, `python manage.py migrate`, `alembic upgrade head`..."""
    return next((found for found, _index in _migrations(words)), None)


def _migrations(words: list[str] | tuple[str, ...]) -> Iterator[tuple[str, int]]:
    for index, word in enumerate(words):
        rest = words[index + 1 : index + 3]
        if word == "flask" and list(rest[:1]) == ["db"]:
            if len(rest) > 1 and rest[1] in ("upgrade", "migrate"):
                yield f"flask db {rest[1]}", index
        elif word.endswith(("manage.py", "django-admin")) and rest[:1] and rest[0] in MIGRATION_COMMANDS:
            yield f"manage.py {rest[0]}", index
        elif word == "alembic" and rest[:1] and rest[0] in ("upgrade", "downgrade", "stamp"):
            yield f"alembic {rest[0]}", index


def start_migrations(project: ProjectModel) -> Iterator[tuple[StartCommand, int, str]]:
    """(command, index of its first migration word, the migration) for deployed start commands."""
    seen: set[tuple[str, int, int]] = set()
    for command in start_commands(project):
        if command.development or command.process.lower() in _RELEASE_PROCESSES:
            continue
        for migration, index in _migrations(command.argv):
            start, _end = command.span(index)
            if (command.path, start.row, start.column) not in seen:
                seen.add((command.path, start.row, start.column))
                yield command, index, migration
            break


def uwsgi_migrations(source: SourceFile) -> Iterator[tuple[IniOption, str]]:
    """uWSGI hooks (`hook-pre-app = exec:...`, `exec-pre-app = ...`) that run a migration."""
    for option in uwsgi_options(source):
        if not _UWSGI_HOOK.match(option.key):
            continue
        value = option.value
        if option.key.startswith("hook-"):
            action, _, value = value.partition(":")
            if action not in ("exec", "exec-as-user", "exec-as-root"):
                continue
        try:
            words = [part for word in shlex.split(value) for part in word.split()]
        except ValueError:  # an unclosed quote: uWSGI would not run it either
            continue
        migration = shell_migration(words)
        if migration is not None:
            yield option, migration
