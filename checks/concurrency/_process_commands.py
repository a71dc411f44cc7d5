"""FS0802 in-process-scheduler, its command half: what start commands and server configs
run beside the web process. `celery worker -B` runs the beat scheduler in every worker
replica. uWSGI's `attach-daemon` (and its `smart-` and `2` variants) runs a second program
inside the web server's container. A scheduler there runs
its jobs once per replica; any other program becomes a process type that scales, restarts
and stops with the web replicas instead of on its own. (A `legion-` daemon runs only on the
legion's lord node, once for the cluster: not reported.) The rule is in
`in_process_scheduler.py`."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import NamedTuple

from factorscan.core.source import SourceFile
from factorscan.deploy.container import describe
from factorscan.deploy.ini_options import IniOption, uwsgi_options
from factorscan.scan.project import ProjectModel
from factorscan.scan.start_commands import StartCommand, start_commands

# `smart-` daemons name the pidfile they watch before the command.
_ATTACH_DAEMON = re.compile(r"^(?P<smart>smart-)?attach-(control-)?daemon2?$")
# uWSGI's own cron: `cron = 0 3 -1 -1 -1 command` (`cron2 = hour=3,minute=0 command`) runs the
# command on that schedule in every instance (`legion-cron` only on the lord node).
_CRON = re.compile(r"^(unique-)?cron2?$")
_CRON_TIME = re.compile(r"^(-?\d+|\*|[\w-]+=[^\s]*)$")
# Programs that exist to run a schedule (cron implementations, RQ's scheduler).
_SCHEDULER_PROGRAMS = frozenset({"cron", "crond", "supercronic", "rqscheduler", "rq-scheduler"})
# Django management commands that start a scheduler loop.
_SCHEDULER_COMMANDS = frozenset({"runapscheduler", "run_scheduler", "runscheduler"})


_CELERY_COMMANDS = ("worker", "beat", "flower", "multi", "events")


class AttachedDaemon(NamedTuple):
    option: IniOption
    program: str  # what to call it in a message: `celery beat`, `cron`, `python worker.py`
    scheduler: bool


def attached_daemons(source: SourceFile) -> Iterator[AttachedDaemon]:
    for option in uwsgi_options(source):
        key = _ATTACH_DAEMON.match(option.key)
        cron = _CRON.match(option.key) is not None
        if (key is None and not cron) or not option.value:
            continue
        try:
            argv = shlex.split(option.value)
        except ValueError:  # an unclosed quote: uWSGI's own parser would refuse it too
            continue
        if key is not None and key.group("smart"):
            argv = argv[1:]
        if cron:
            while argv and _CRON_TIME.match(argv[0]):
                argv = argv[1:]
            if argv:
                yield AttachedDaemon(option, _program(argv), True)
            continue
        if not argv:
            continue
        yield AttachedDaemon(option, _program(argv), _is_scheduler(argv))


def _program(argv: list[str]) -> str:
    """The program and its first sub-command, never its arguments (they may hold secrets)."""
    words = [PurePosixPath(argv[0]).name]
    if describe(argv).server == "celery":  # `celery -A shop beat`: the option's value is no command
        command = next((word for word in argv if word in _CELERY_COMMANDS), None)
        return f"celery {command}" if command else "celery"
    rest = [word for word in argv[1:] if not word.startswith("-")]
    if words[0].startswith("python") and rest:
        words.append(PurePosixPath(rest[0]).name)
        rest = rest[1:]
    if rest and re.fullmatch(r"[a-z][a-z_]*", rest[0]):
        words.append(rest[0])
    return " ".join(words)


def _is_scheduler(argv: list[str]) -> bool:
    program = PurePosixPath(argv[0]).name
    if program in _SCHEDULER_PROGRAMS:
        return True
    if describe(argv).server == "celery":
        return "beat" in argv or "-B" in argv or "--beat" in argv
    if program == "rq" or (len(argv) > 2 and argv[1:3] == ["-m", "rq"]):
        return "--with-scheduler" in argv
    return any(word in _SCHEDULER_COMMANDS for word in argv)


def daemon_message(daemon: AttachedDaemon, fix: str) -> str:
    key = daemon.option.key
    if daemon.scheduler:
        return (
            f"uWSGI {key} runs `{daemon.program}` inside every web container: every replica runs "
            f"its jobs; {fix}"
        )
    return (
        f"uWSGI {key} runs `{daemon.program}` inside every web container, where it scales, restarts "
        "and stops with the web replicas; run it as its own process type"
    )


def beat_in_workers(
    project: ProjectModel, clock_processes: frozenset[str]
) -> Iterator[tuple[StartCommand, int]]:
    """`celery worker -B` / `--beat` in a start command (not of a clock process type), with the
    index of the flag; each place once."""
    seen: set[tuple[str, int, int]] = set()
    for command in start_commands(project):
        if command.process in clock_processes:
            continue
        if describe(command.argv).server != "celery" or "worker" not in command.argv:
            continue
        index = next((i for i, word in enumerate(command.argv) if word in ("-B", "--beat")), None)
        if index is None:
            continue
        start, _end = command.span(index)
        key = (command.path, start.row, start.column)
        if key not in seen:
            seen.add(key)
            yield command, index
