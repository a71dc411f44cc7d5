"""Helpers of the concurrency rules: the names of in-process schedulers and timers."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from factorscan.checks.base import Severity
from factorscan.python.codemods import argument
from factorscan.python.imports import dotted_name

# Schedulers that run their jobs in a thread or event loop of the process that starts them
# (BlockingScheduler is the process's main loop: a clock process of its own).
SCHEDULER_CLASSES = {
    "BackgroundScheduler": "APScheduler's BackgroundScheduler",
    "AsyncIOScheduler": "APScheduler's AsyncIOScheduler",
    "GeventScheduler": "APScheduler's GeventScheduler",
    "TornadoScheduler": "APScheduler's TornadoScheduler",
    "TwistedScheduler": "APScheduler's TwistedScheduler",
    "QtScheduler": "APScheduler's QtScheduler",
}
OTHER_SCHEDULERS = {
    "flask_apscheduler.APScheduler": "Flask-APScheduler",
    "flask_apscheduler.scheduler.APScheduler": "Flask-APScheduler",
    "apscheduler.AsyncScheduler": "APScheduler's AsyncScheduler",
    "apscheduler.Scheduler": "APScheduler's Scheduler",
}
# Decorators that make a coroutine repeat forever once called (fastapi-utils and its forks).
REPEATERS = frozenset(
    {
        "fastapi_utils.tasks.repeat_every",
        "fastapi_restful.tasks.repeat_every",
        "fastapi_utilities.repeat_every",
        "fastapi_utilities.repeat.repeat_every",
    }
)
START_METHODS = frozenset({"start", "start_in_background"})
SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "gevent.sleep", "eventlet.sleep"})
# gunicorn server hooks (in its config module) that run in every server or worker process.
GUNICORN_HOOKS = frozenset({"on_starting", "when_ready", "post_fork", "post_worker_init"})
# Modules every web process imports, by name.
WEB_MODULES = frozenset({"wsgi", "asgi", "urls", "settings"})
# Procfile process types that exist to run the schedule once.
CLOCK_PROCESSES = frozenset({"clock", "scheduler", "beat", "celerybeat", "celery_beat", "cron"})


def scheduler_name(qualified: str | None) -> str | None:
    if qualified is None:
        return None
    if qualified in OTHER_SCHEDULERS:
        return OTHER_SCHEDULERS[qualified]
    if qualified.startswith("apscheduler.schedulers."):
        return SCHEDULER_CLASSES.get(qualified.rsplit(".", 1)[-1])
    return None


def is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


@dataclass
class Started:
    """A `.start()` of something, and where it ran."""

    call: cst.Call
    receiver: str | None  # the dotted name started, when not a constructor call
    direct: cst.Call | None  # the constructor call started directly (`Timer(...).start()`)
    where: str
    severity: Severity
    function: str | None  # the module-level function it is in, when not a handler


@dataclass
class Made:
    kind: str  # scheduler | timer | thread
    label: str
    call: cst.Call
    daemon: bool = False
    target: str | None = None


def made_by(call: cst.Call, qualified: str | None) -> Made | None:
    """What a call makes (a scheduler, a Timer, a Thread), given the qualified name of what it calls."""
    scheduler = scheduler_name(qualified)
    if scheduler is not None:
        return Made("scheduler", scheduler, call)
    if qualified == "threading.Timer":
        function = argument(call, 1, "function")
        function_name = dotted_name(function.value) if function is not None else None
        return Made("timer", "threading.Timer", call, target=function_name)
    if qualified == "threading.Thread":
        daemon = argument(call, 99, "daemon")
        target = argument(call, 1, "target")
        target_name = dotted_name(target.value) if target is not None else None
        return Made(
            "thread",
            "a thread",
            call,
            daemon=daemon is not None and is_true(daemon.value),
            target=target_name.rsplit(".", 1)[-1] if target_name else None,
        )
    return None


def is_cli_command(decorator: cst.BaseExpression) -> bool:
    """A click/typer `@command()` or `@group()` decorator."""
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = dotted_name(target) or ""
    return name.rsplit(".", 1)[-1] in ("command", "group")
