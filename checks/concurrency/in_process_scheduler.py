"""FS0802 in-process-scheduler: a scheduler or timer loop started in a web process runs in every replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

import libcst as cst

from factorscan.checks.base import FileRule, Invalid, ProjectRule, Severity, SourceRule, Valid
from factorscan.checks.concurrency._process_commands import attached_daemons, beat_in_workers, daemon_message
from factorscan.checks.concurrency._shared import (
    CLOCK_PROCESSES,
    GUNICORN_HOOKS,
    REPEATERS,
    SLEEPS,
    START_METHODS,
    WEB_MODULES,
    Made,
    Started,
    is_cli_command,
    is_true,
    made_by,
)
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.python.handlers import HandlerKind, is_admin_script_path
from factorscan.python.imports import dotted_name
from factorscan.scan.project import ProjectModel

# `_where` in a plain function: whether it runs at start depends on who calls it.
_IN_FUNCTION = ("", Severity.INFO)

_FIX = "run it as its own process type (a Procfile `clock:` entry, or a CronJob)"


def _parameter_names(function: cst.FunctionDef | None) -> set[str]:
    if function is None:
        return set()
    parameters = function.params
    every = [*parameters.posonly_params, *parameters.params, *parameters.kwonly_params]
    return {parameter.name.value for parameter in every}


class InProcessScheduler(SourceRule, FileRule, ProjectRule):
    """
    ## What it does
    Finds a scheduler or a timer loop started inside a web process:

    - APScheduler's background schedulers (`BackgroundScheduler`,
      `AsyncIOScheduler`, gevent/tornado/twisted/Qt, Flask-APScheduler)
      started with `.start()`;
    - a thread whose target loops over `schedule.run_pending()` or sleeps in
      a `while` loop, and `threading.Timer(...).start()`; a daemon thread
      whose target is defined in another module is a notice at `info`
      (one defined in the module that is no timer loop, such as a queue
      consumer, is not reported);
    - fastapi-utils' `@repeat_every` on a start-up hook or on a function
      one calls;
    - `celery worker -B` / `--beat` in a Procfile, a Dockerfile's command or
      its entrypoint script, a compose command or a Kubernetes container.
    - uWSGI's `cron` option, and its `attach-daemon` (ini or YAML
      configuration) running a scheduler (`celery beat`, `cron`,
      `rqscheduler`...) inside the web server's container; any other
      attached program is a notice at `info`: a process type that scales
      and stops with the web replicas.

    Where: at import time of web code (a module that imports a web
    framework, a views module, `wsgi.py`, `asgi.py`, `urls.py`,
    `settings.py`), in an app factory or start-up hook, in Django's
    `AppConfig.ready()`, in gunicorn's server hooks (`post_fork`...), or in
    a function that one of those calls in the same module. At import time
    of another module, or in a function of a web module that nothing in the
    module calls, it is unclear the code runs in a web process: a notice
    at `info`.

    Not reported: a scheduler in its own process (a Procfile `clock:`
    entry, `celery beat`, a management command, a script, a `__main__`
    block, a CLI command), `BlockingScheduler` (a process's main loop),
    timers started per request, and tests.

    ## Why is this bad?
    Factor VIII: the app scales out by running more processes of each type,
    and each type does one job. A scheduler inside the web process runs in
    every web process of every replica: with four replicas each job runs
    four times (four reminder emails, four nightly reports), and scaling
    the web tier scales the jobs. Its timers also die with the process on
    every deploy and restart.

    ## Example
    ```python
    from apscheduler.schedulers.background import BackgroundScheduler
    from flask import Flask

    app = Flask(__name__)
    scheduler = BackgroundScheduler()
    scheduler.add_job(send_reminders, "interval", hours=1)
    scheduler.start()
    ```

    Use instead a clock process of its own, run once (`clock: python
    clock.py` in the Procfile, where `clock.py` runs a `BlockingScheduler`),
    or a Kubernetes `CronJob`, or `celery beat` as its own process.

    ## Fix
    None: move the schedule to its own process type.
    """

    code = "FS0802"
    name = "in-process-scheduler"
    severity = Severity.WARNING
    summary = "A scheduler or timer loop is started inside a web process, so every replica runs the jobs"
    test_files = "not checked"
    # APScheduler's classes, the `threading` module a Thread or Timer comes from, fastapi-utils.
    triggers = (b"Scheduler", b"threading", b"repeat_every")
    kinds = ("ini", "yaml")
    file_triggers = (b"attach-daemon", b"attach_daemon", b"cron")

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path) and not is_admin_script_path(relative_path)

    VALID = (
        Valid(
            """
            [uwsgi]
            module = shop.wsgi:application
            master = true

            [program:beat]
            attach-daemon = celery -A shop beat
            """,
            filename="uwsgi.ini",
            note="attach-daemon outside a uWSGI section",
        ),
        Valid(
            """
            from apscheduler.schedulers.blocking import BlockingScheduler

            from shop.jobs import send_reminders

            scheduler = BlockingScheduler()
            scheduler.add_job(send_reminders, "interval", hours=1)
            scheduler.start()
            """,
            filename="clock.py",
            note="a clock process of its own",
        ),
        Valid(
            """
            import time

            import schedule
            from apscheduler.schedulers.background import BackgroundScheduler
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                BackgroundScheduler().start()
                schedule.every().hour.do(print)
                while True:
                    schedule.run_pending()
                    time.sleep(1)
            """,
            note="a `__main__` block",
        ),
        Valid(
            """
            from apscheduler.schedulers.background import BackgroundScheduler
            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    scheduler = BackgroundScheduler()
                    scheduler.start()
            """,
            filename="shop/management/commands/runjobs.py",
            note="a management command",
        ),
        Valid(
            """
            import threading

            from flask import Flask, request

            app = Flask(__name__)

            @app.post("/export")
            def export():
                threading.Timer(5.0, print, args=[request.json]).start()
                return "", 202
            """,
            note="a timer started per request",
        ),
        Valid(
            """
            import threading

            from flask import Flask

            app = Flask(__name__)
            worker = threading.Thread(target=print)
            worker.start()
            """,
            note="a thread that is neither a daemon nor a loop",
        ),
        Valid(
            """
            import queue
            import threading

            from django.urls import path

            work = queue.Queue()

            def consume():
                while True:
                    work.get()()

            threading.Thread(target=consume, daemon=True).start()
            urlpatterns = [path("", print)]
            """,
            filename="shop/urls.py",
            note="a daemon thread whose target, defined here, is a queue consumer and no timer loop",
        ),
        Valid(
            """
            import threading

            from django.urls import path

            def run_with_reloader(main_func, *args):
                thread = threading.Thread(target=main_func, args=args)
                thread.daemon = True
                thread.start()

            urlpatterns = [path("", print)]
            """,
            filename="shop/urls.py",
            note="a daemon thread running a callable its caller passes in (a thread runner): no schedule",
        ),
        Valid(
            """
            import time

            import schedule

            class Scheduler:
                def start(self):
                    while True:
                        schedule.run_pending()
                        time.sleep(1)
            """,
            filename="dispatch/scheduler.py",
            note="a loop in a module that is not web code (its CLI starts it)",
        ),
        Valid(
            """
            import click
            from apscheduler.schedulers.background import BackgroundScheduler
            from flask import Flask

            app = Flask(__name__)

            @click.command()
            def run_jobs():
                BackgroundScheduler().start()

            @click.group()
            def jobs():
                BackgroundScheduler().start()
            """,
            note="a CLI command or group",
        ),
        Valid(
            """
            web: gunicorn shop.wsgi
            worker: celery -A shop worker -l info
            clock: celery -A shop worker -B --concurrency 1
            """,
            filename="Procfile",
            note="beat runs in a worker of its own process type",
        ),
        Valid(
            """
            services:
              jobs:
                build: .
                command: celery -A shop beat -l info
            """,
            filename="compose.yaml",
            note="`celery beat` is its own process",
        ),
        Valid(
            """
            import threading
            import time

            import schedule
            from flask import current_app

            from shop import create_app

            lock = threading.Lock()
            with create_app().app_context():
                schedule.every().hour.do(current_app.logger.info, "tick")
                while True:
                    schedule.run_pending()
                    time.sleep(1)
            """,
            filename="clock.py",
            note="a module-level loop blocks the import: a clock process, though it imports Flask",
        ),
        Valid(
            """
            from apscheduler.schedulers.background import BackgroundScheduler

            from shop.services import Service

            class Runner(Service):
                def ready(self):
                    BackgroundScheduler().start()

            def start():
                BackgroundScheduler().start()

            def start_all():
                start()
            """,
            filename="shop/jobs.py",
            note="functions of a module that is no web code, not run at start (`ready` of no AppConfig)",
        ),
        Valid(
            """
            import threading

            from flask import Flask

            from shop.feeds import poll_feeds

            app = Flask(__name__)
            app.config["FEEDS_URL"] = "https://example.com/feed.xml"
            poller = threading.Thread(target=poll_feeds, daemon=False)
            poller.daemon = False
            poller.start()
            """,
            note="a thread made no daemon, whose target is defined elsewhere",
        ),
        Valid(
            """
            import threading
            import time

            from django.urls import path

            from shop.cache import warm_cache
            from shop.monitoring import log_errors

            @log_errors
            def warm_later():
                time.sleep(5)
                warm_cache()

            threading.Thread(target=warm_later, daemon=True).start()
            urlpatterns = [path("", print)]
            """,
            filename="shop/urls.py",
            note="a daemon thread whose target sleeps once, outside any loop",
        ),
        Valid(
            """
            web: gunicorn shop.wsgi
            scheduler: celery -A shop worker -B
            beat: celery -A shop worker --beat
            celerybeat: celery -A shop worker -B
            celery_beat: celery -A shop worker -B
            cron: celery -A shop worker -B
            """,
            filename="Procfile",
            note="each process type that exists to run the schedule",
        ),
    )
    INVALID = (
        Invalid(
            """
            [uwsgi]
            module = shop.wsgi:application
            attach-daemon = celery -A shop beat --loglevel=INFO
            smart-attach-daemon = /tmp/worker.pid celery -A shop worker --pidfile=/tmp/worker.pid
            cron = 0 3 -1 -1 -1 python manage.py clearsessions
            legion-cron = shop 0 4 -1 -1 -1 python manage.py sendreports
            """,
            filename="deploy/uwsgi.ini",
            count=3,
            line=3,
            note="a scheduler attached to the web server, uWSGI's cron (warnings); a worker (info); "
            "a legion's cron runs once, on its lord node",
        ),
        Invalid(
            """
            from apscheduler.schedulers.background import BackgroundScheduler
            from flask import Flask

            from shop.jobs import send_reminders

            app = Flask(__name__)
            scheduler = BackgroundScheduler()
            scheduler.add_job(send_reminders, "interval", hours=1)
            scheduler.start()
            """,
            line=9,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            from apscheduler.schedulers.asyncio import AsyncIOScheduler
            from fastapi import FastAPI

            app = FastAPI()

            @app.on_event("startup")
            async def start_jobs():
                AsyncIOScheduler().start()
            """,
            line=8,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            from fastapi import FastAPI
            from fastapi_restful.tasks import repeat_every as restful_repeat
            from fastapi_utilities import repeat_every as every
            from fastapi_utilities.repeat import repeat_every as utilities_repeat
            from fastapi_utils.tasks import repeat_every

            app = FastAPI()

            @app.on_event("startup")
            @repeat_every(seconds=60 * 60)
            def expire_sessions() -> None:
                pass

            @repeat_every(seconds=60)
            async def poll_feeds() -> None:
                pass

            @repeat_every(seconds=60)
            async def unused() -> None:
                pass

            @app.on_event("startup")
            async def start_polling() -> None:
                await poll_feeds()

            @app.on_event("startup")
            @restful_repeat(seconds=60)
            async def refresh_rates() -> None:
                pass

            @app.on_event("startup")
            @every(seconds=60)
            async def refresh_stock() -> None:
                pass

            @app.on_event("startup")
            @utilities_repeat(seconds=60)
            async def refresh_prices() -> None:
                pass
            """,
            count=5,
            line=10,
            severity=Severity.WARNING,
            note="repeat_every or a fork's on a start-up hook or a function one calls (not an uncalled one)",
        ),
        Invalid(
            """
            from django.apps import AppConfig

            class ShopConfig(AppConfig):
                name = "shop"

                def ready(self):
                    from apscheduler.schedulers.background import BackgroundScheduler

                    self.scheduler = BackgroundScheduler()
                    self.scheduler.start()
            """,
            filename="shop/apps.py",
            line=10,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            import threading
            import time

            import schedule
            from flask import Flask

            app = Flask(__name__)

            def run_schedule():
                while True:
                    schedule.run_pending()
                    time.sleep(1)

            def start_background_jobs():
                threading.Thread(target=run_schedule, daemon=True).start()

            start_background_jobs()
            """,
            line=15,
            severity=Severity.WARNING,
            note="a `schedule` loop in a thread, started at import through a function",
        ),
        Invalid(
            """
            import threading
            import time

            from django.urls import path

            def send_digests():
                while True:
                    time.sleep(3600)

            sender = threading.Thread(target=send_digests)
            sender.setDaemon(True)
            sender.start()
            urlpatterns = [path("", print)]
            """,
            filename="shop/urls.py",
            line=12,
            severity=Severity.WARNING,
            note="a timer loop (a while loop that sleeps) in a daemon thread, at import of urls.py",
        ),
        Invalid(
            """
            import threading

            from flask import Flask

            app = Flask(__name__)

            def refresh():
                threading.Timer(60, refresh).start()

            def create_app():
                app = Flask(__name__)
                threading.Timer(60, refresh).start()
                return app
            """,
            line=12,
            severity=Severity.WARNING,
            note="a re-arming Timer started in an app factory (its re-arm inside itself is not a start-up)",
        ),
        Invalid(
            """
            import threading

            from django.urls import path

            from shop.cache import warm

            poller = threading.Thread(target=warm)
            poller.daemon = True
            poller.start()
            urlpatterns = [path("", print)]
            """,
            filename="shop/urls.py",
            severity=Severity.INFO,
            note="a daemon thread whose target is defined elsewhere: a notice",
        ),
        Invalid(
            """
            from apscheduler.schedulers.background import BackgroundScheduler

            scheduler = BackgroundScheduler()
            scheduler.start()
            """,
            filename="shop/jobs.py",
            severity=Severity.INFO,
            note="at import of a module that is not clearly web code: a notice",
        ),
        Invalid(
            """
            from apscheduler.schedulers.background import BackgroundScheduler
            from flask import Flask

            def start_jobs(app: Flask) -> None:
                BackgroundScheduler().start()
            """,
            severity=Severity.INFO,
            note="a function of web code that nothing here calls: a notice",
        ),
        Invalid(
            """
            from apscheduler.schedulers.background import BackgroundScheduler

            bind = "0.0.0.0:8000"

            def post_fork(server, worker):
                BackgroundScheduler().start()

            def on_starting(server):
                BackgroundScheduler().start()

            def when_ready(server):
                BackgroundScheduler().start()

            def post_worker_init(worker):
                BackgroundScheduler().start()
            """,
            filename="gunicorn.conf.py",
            count=4,
            line=6,
            severity=Severity.WARNING,
            note="gunicorn's server hooks run in the server or in every worker",
        ),
        Invalid(
            """
            from apscheduler import Scheduler
            from flask import Flask

            app = Flask(__name__)
            scheduler = Scheduler()
            scheduler.start_in_background()
            """,
            line=6,
            severity=Severity.WARNING,
            note="APScheduler 4's Scheduler",
        ),
        Invalid(
            """
            web: gunicorn shop.wsgi
            worker: celery -A shop worker -B -l info
            """,
            filename="Procfile",
            line=2,
            severity=Severity.WARNING,
        ),
        Invalid(
            """
            services:
              worker:
                build: .
                command: celery -A shop worker --beat --loglevel=info
            """,
            filename="compose.yaml",
            line=4,
            severity=Severity.WARNING,
        ),
    )

    # -- Python -------------------------------------------------------------------------

    def __init__(self) -> None:
        self._made: dict[str, Made] = {}  # dotted name -> what was assigned to it
        self._daemons: set[str] = set()
        self._loops: dict[str, str] = {}  # function name -> "a `schedule` loop" / "a timer loop"
        self._repeaters: dict[str, cst.Decorator] = {}  # function -> its `@repeat_every(...)`
        self._function_nodes: dict[str, cst.FunctionDef] = {}  # every function and method defined here
        self._started: list[Started] = []
        self._called_at_start: dict[str, tuple[str, Severity]] = {}  # function -> where its caller runs

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function_nodes[node.name.value] = node
        for decorator in node.decorators:
            call = decorator.decorator
            target = call.func if isinstance(call, cst.Call) else call
            if self.context.qualified_name(target) in REPEATERS:
                self._repeaters[node.name.value] = decorator

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = dotted_name(target.target)
            if name is None:
                continue
            if isinstance(node.value, cst.Call):
                made = made_by(node.value, self.context.qualified_name(node.value.func))
                if made is not None:
                    self._made[name] = made
            if name.endswith(".daemon") and is_true(node.value):
                self._daemons.add(name.rsplit(".", 1)[0])

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        func = node.func
        qualified = context.qualified_name(func)
        if qualified in SLEEPS or (isinstance(func, cst.Attribute) and func.attr.value == "run_pending"):
            self._note_loop(node, "a `schedule` loop" if qualified not in SLEEPS else "a timer loop")
            return
        if isinstance(func, cst.Name) and func.value not in self._called_at_start:
            where = self._where()
            if where is not None and where is not _IN_FUNCTION:
                self._called_at_start[func.value] = where
            return
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        receiver = func.value
        if method == "setDaemon" and node.args and is_true(node.args[0].value):
            name = dotted_name(receiver)
            if name is not None:
                self._daemons.add(name)
            return
        if method not in START_METHODS:
            return
        if not isinstance(receiver, cst.Call):
            name = dotted_name(receiver)
            if name is None:
                return
        where = self._where()
        function = context.enclosing_function()
        if where is None:
            return
        self._started.append(
            Started(
                node,
                dotted_name(receiver) if not isinstance(receiver, cst.Call) else None,
                receiver if isinstance(receiver, cst.Call) else None,
                where[0],
                where[1],
                function.name.value if function is not None and where is _IN_FUNCTION else None,
            )
        )

    def _note_loop(self, node: cst.Call, what: str) -> None:
        """A call inside a `while` loop of a function makes the function a loop. A loop at
        module level blocks the import: that module is a process of its own (a clock)."""
        for ancestor in self.context.ancestors():
            if isinstance(ancestor, cst.FunctionDef):
                return
            if isinstance(ancestor, cst.While):
                function = self.context.enclosing_function()
                if function is not None:
                    self._loops.setdefault(function.name.value, what)
                return

    def _where(self) -> tuple[str, Severity] | None:
        """Where the current node runs, when that is a web process (warning) or may be one
        (info); `_IN_FUNCTION` in a plain function (judged by its callers at the end); None
        for scripts, `__main__` blocks, CLI commands, request handlers and class bodies."""
        context = self.context
        handler = context.enclosing_handler()
        if handler is not None:
            if handler.kind is HandlerKind.STARTUP:
                return f"at app start-up (in `{handler.name}`)", Severity.WARNING
            return None
        if context.in_main_block() or context.handlers.is_script:
            return None
        function = context.enclosing_function()
        if function is not None:
            if any(is_cli_command(decorator.decorator) for decorator in function.decorators):
                return None
            name = function.name.value
            cls = context.enclosing_class()
            if name == "ready" and cls is not None and self._is_app_config(cls):
                return f"in `{cls.name.value}.ready()`, which runs in every Django process", Severity.WARNING
            if name in GUNICORN_HOOKS and cls is None and "gunicorn" in context.relative_path.lower():
                return f"in gunicorn's `{name}` hook", Severity.WARNING
            return _IN_FUNCTION
        if context.enclosing_class() is not None:
            return None
        if self._web_module():
            return "at import time of web code", Severity.WARNING
        return "at import time of a module that may not run in the web process", Severity.INFO

    def _web_module(self) -> bool:
        return (
            self.context.handlers.is_web_module
            or PurePosixPath(self.context.relative_path).stem in WEB_MODULES
        )

    def _is_app_config(self, cls: cst.ClassDef) -> bool:
        for base in cls.bases:
            qualified = self.context.qualified_name(base.value) or dotted_name(base.value) or ""
            if qualified.endswith("AppConfig"):
                return True
        return False

    def leave_Module(self, original_node: cst.Module) -> None:
        self._report_repeaters()
        for started in self._started:
            where, severity = started.where, started.severity
            if started.function is not None:
                caller = self._called_at_start.get(started.function)
                if caller is None:
                    if not self._web_module():
                        continue
                    where = f"in `{started.function}`, where a web process may call it"
                    severity = Severity.INFO
                else:
                    where, severity = f"{caller[0]}, through `{started.function}()`", caller[1]
            made = (
                made_by(started.direct, self.context.qualified_name(started.direct.func))
                if started.direct is not None
                else self._made.get(started.receiver or "")
            )
            if made is None:
                continue
            what = made.label
            if made.kind == "timer" and made.target == started.function:
                continue  # a timer re-arming itself: its first start is what counts
            if made.kind == "thread":
                loop = self._loops.get(made.target or "")
                if loop is not None:
                    what = f"{loop} (`{made.target}`) in a thread"
                elif made.target in self._function_nodes:
                    continue  # a worker defined here that does not loop on a timer (a queue consumer)
                elif made.target in _parameter_names(self._function_nodes.get(started.function or "")):
                    continue  # runs whatever its caller passes in (Django's autoreloader): no schedule
                elif made.daemon or (started.receiver or "") in self._daemons:
                    what, severity = f"a daemon thread (`{made.target or '...'}`)", Severity.INFO
                else:
                    continue
            self.report(
                started.call,
                f"{what[0].upper()}{what[1:]} is started {where}: every web process of every replica runs "
                f"its jobs; {_FIX}",
                severity=severity,
            )

    def _report_repeaters(self) -> None:
        """`@repeat_every` on a start-up hook, or on a function a start-up hook calls."""
        for name, decorator in self._repeaters.items():
            function = self._function_nodes.get(name)
            handler = self.context.handlers.handler_for(function) if function is not None else None
            if handler is not None and handler.kind is HandlerKind.STARTUP:
                where, severity = f"at app start-up (it is `{handler.name}`)", Severity.WARNING
            elif name in self._called_at_start:
                where, severity = self._called_at_start[name]
            else:
                continue
            self.report(
                decorator,
                f"`repeat_every` on `{name}` starts a task loop {where}: every web process of every "
                f"replica runs its jobs; {_FIX}",
                severity=severity,
            )

    # -- commands and server configs: uWSGI's attach-daemon and cron, celery -B -------------

    def check_file(self, source: SourceFile) -> Iterator[Finding]:
        for daemon in attached_daemons(source):
            severity = None if daemon.scheduler else Severity.INFO
            message = daemon_message(daemon, _FIX)
            yield self.make_finding(
                source.display_path, daemon.option.start, daemon.option.end, message, severity=severity
            )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        for command, index in beat_in_workers(project, CLOCK_PROCESSES):
            start, end = command.span(index)
            message = (
                f"`celery worker {command.argv[index]}` runs the beat scheduler inside the worker "
                f"({command.where}): every replica of it sends the periodic tasks; run `celery beat` "
                "as its own process type, once"
            )
            message, severity = command.judged(message)
            yield self.make_finding(
                command.path, start, end, message, severity=severity, fingerprint_hint="celery -B"
            )
