"""Factor IX, Disposability: processes start fast and shut down gracefully on SIGTERM.

FS0901 missing-sigterm-handler, FS0902 sigterm-ignored, FS0903 shell-form-entrypoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

import libcst as cst

from factorscan.checks.base import FileRule, Invalid, ProjectRule, Severity, SourceRule, SourceVisitor, Valid
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding, Location
from factorscan.core.source import SourceFile
from factorscan.deploy.container import Process, describe, script_ending
from factorscan.deploy.dockerfile import Instruction, parse_shared
from factorscan.deploy.shell import SHELLS, program_name, script_index
from factorscan.python.nodes import iter_children
from factorscan.scan.project import ProjectModel

_SIGTERM_NAMES = frozenset({"signal.SIGTERM", "signal.Signals.SIGTERM"})
_SIGNAL_INSTALLERS = frozenset(
    {"signal.signal", "signal.sigwait", "signal.sigtimedwait", "signal.pthread_sigmask"}
)
_KAFKA_CONSUMERS = frozenset({"kafka.KafkaConsumer", "aiokafka.AIOKafkaConsumer"})
_BLOCKING_SCHEDULERS = frozenset(
    {"apscheduler.schedulers.blocking.BlockingScheduler", "apscheduler.schedulers.BlockingScheduler"}
)
_BLOCKING_METHODS = {
    "serve_forever": "serve_forever()",
    "run_forever": "run_forever()",
    "start_consuming": "start_consuming()",
}
FACT = "disposability"


def _is_true(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "True") or (
        isinstance(test, cst.Integer) and test.value == "1"
    )


def _leaves_loop(node: cst.CSTNode) -> bool:
    """A `break` or `return` for this loop (nested loops and functions are their own)."""
    for child in iter_children(node):
        if isinstance(child, (cst.Break, cst.Return)) or _is_exit_call(child):
            return True
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(child, (cst.While, cst.For)):
            if any(isinstance(c, cst.Return) for c in _walk(child)):
                return True
            continue
        if _leaves_loop(child):
            return True
    return False


def _is_exit_call(node: cst.CSTNode) -> bool:
    """`sys.exit()`, `exit()`, `os._exit()`: the loop ends with the process."""
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = (
        func.value
        if isinstance(func, cst.Name)
        else func.attr.value
        if isinstance(func, cst.Attribute)
        else ""
    )
    return name in ("exit", "quit", "_exit")


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for child in iter_children(node):
        if isinstance(child, (cst.FunctionDef, cst.Lambda)):
            continue
        yield child
        yield from _walk(child)


class DisposabilityFacts(SourceVisitor):
    """Per file: long-running calls with their scope, the call graph, SIGTERM handling."""

    triggers = (
        # A block loop (`while True:` then a body on the next lines), not `while 1: break`.
        re.compile(rb"while\s+(True|1)\s*:[ \t]*(#[^\r\n]*)?\r?\n"),
        b"serve_forever",
        b"run_forever",
        b"start_consuming",
        b"BlockingScheduler",
        b"KafkaConsumer",
        b"SIGTERM",
        b"add_signal_handler",
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        # Test servers loop forever and tests install signal handlers: neither is the app's.
        return not is_test_path(relative_path)

    def __init__(self, context: Any = None) -> None:
        super().__init__(context)
        self.blocking: list[tuple[cst.CSTNode, cst.CSTNode, str, str]] = []  # start, end, what, scope
        self.calls: dict[str, set[str]] = {}
        self.sigterm = False
        self.main = False
        self.consumers: set[str] = set()
        self.schedulers: set[str] = set()

    def _scope(self) -> str:
        if self.context.in_main_block():
            self.main = True
            return "<main>"
        function = self.context.enclosing_function()
        return function.name.value if function is not None else "<module>"

    def _block(self, entry: tuple[cst.CSTNode, cst.CSTNode, str, str]) -> None:
        self.blocking.append(entry)
        self.context.note_statement(entry[0])
        self.context.note_statement(entry[1])

    def visit_While(self, node: cst.While) -> None:
        if _is_true(node.test) and not _leaves_loop(node.body):
            self._block((node, node.test, "this `while True` loop", self._scope()))

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.iter, cst.Name) and node.iter.value in self.consumers:
            self._block((node, node.iter, "this Kafka consumer loop", self._scope()))

    def visit_Assign(self, node: cst.Assign) -> None:
        # A signal registry of the app's own (`signals["SIGTERM"] = handler`, celery's platforms.signals).
        if any(
            isinstance(target.target, cst.Subscript) and self._subscript_names_sigterm(target.target)
            for target in node.targets
        ):
            self.sigterm = True
        if not isinstance(node.value, cst.Call):
            return
        name = self.context.qualified_name(node.value.func)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if name in _KAFKA_CONSUMERS:
                    self.consumers.add(target.target.value)
                elif name in _BLOCKING_SCHEDULERS:
                    self.schedulers.add(target.target.value)

    def visit_Call(self, node: cst.Call) -> None:
        scope = self._scope()
        func = node.func
        called = (
            func.value
            if isinstance(func, cst.Name)
            else func.attr.value
            if isinstance(func, cst.Attribute)
            else None
        )
        if called is not None:
            self.calls.setdefault(scope, set()).add(called)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "target" and isinstance(arg.value, cst.Name):
                self.calls.setdefault(scope, set()).add(arg.value.value)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _BLOCKING_METHODS:
                self._block((node, node, _BLOCKING_METHODS[method], scope))
            elif (
                method == "start" and isinstance(func.value, cst.Name) and func.value.value in self.schedulers
            ) or (method == "start" and self.context.qualified_name(func.value) in _BLOCKING_SCHEDULERS):
                self._block((node, node, "BlockingScheduler.start()", scope))
        # `signals.update(SIGTERM=handler)`: a registry keyed by signal name.
        if any(arg.keyword is not None and arg.keyword.value == "SIGTERM" for arg in node.args):
            self.sigterm = True
        name = self.context.qualified_name(func)
        if name in _SIGNAL_INSTALLERS or (
            isinstance(func, cst.Attribute) and func.attr.value == "add_signal_handler"
        ):
            self.sigterm |= any(
                self._names_sigterm(arg.value, index == 0) for index, arg in enumerate(node.args)
            )

    def _subscript_names_sigterm(self, target: cst.Subscript) -> bool:
        return any(
            isinstance(element.slice, cst.Index)
            and (
                self.context.string_value(element.slice.value) == "SIGTERM"
                or self.context.qualified_name(element.slice.value) in _SIGTERM_NAMES
            )
            for element in target.slice
        )

    def _names_sigterm(self, value: cst.BaseExpression, first: bool = False) -> bool:
        """`signal.SIGTERM`, 15, a collection holding it, or the variable of
        `for sig in (SIGINT, SIGTERM): signal.signal(sig, stop)`."""
        if isinstance(value, (cst.List, cst.Set, cst.Tuple)):
            return any(self._names_sigterm(element.value) for element in value.elements)
        if isinstance(value, cst.Integer):
            return value.value == "15"
        if self.context.qualified_name(value) in _SIGTERM_NAMES:
            return True
        return first and isinstance(value, cst.Name) and b"SIGTERM" in self.context.source.data

    def leave_Module(self, node: cst.Module) -> None:
        spans = self.context.locations({n for start, end, _, _ in self.blocking for n in (start, end)})
        blocking = []
        for start, end, what, scope in self.blocking:
            if start not in spans or end not in spans:
                continue
            begin, finish = spans[start][0], spans[end][1]
            blocking.append([what, scope, begin.row, begin.column, finish.row, finish.column])
        self.record_fact(
            FACT,
            {
                "sigterm": self.sigterm,
                "main": self.main,
                "calls": {scope: sorted(names) for scope, names in self.calls.items()},
                "blocking": blocking,
            },
        )


def _reachable(calls: dict[str, list[str]]) -> set[str]:
    """Scopes that run when the file runs: module level, the main block, and what they call."""
    reached = {"<module>", "<main>"}
    pending = list(reached)
    while pending:
        for name in calls.get(pending.pop(), []):
            if name not in reached:
                reached.add(name)
                pending.append(name)
    return reached


def _runs_file(process: Process, relative: str) -> bool:
    """Whether a process runs or loads this project file (`python worker.py`, `-m app.worker`, `app:app`)."""
    path = PurePosixPath(relative)
    if process.script:
        script = PurePosixPath(process.script.removeprefix("./"))
        if script.is_absolute():
            return script.name == path.name
        return relative == str(script) or relative.endswith("/" + str(script))
    if process.module:
        base = process.module.replace(".", "/")
        return any(
            relative == candidate or relative.endswith("/" + candidate)
            for candidate in (f"{base}.py", f"{base}/__init__.py", f"{base}/__main__.py")
        )
    return False


class MissingSigtermHandler(ProjectRule):
    """
    ## What it does
    Finds long-running entrypoints when nothing in the project handles
    SIGTERM: `while True` loops (without a `break`), Kafka consumer loops,
    pika `start_consuming()`, `serve_forever()`, `loop.run_forever()`,
    `BlockingScheduler().start()`, and endless `asyncio.run(main())` mains.
    Entrypoints are `if __name__ == "__main__":` blocks, with the functions
    they call in the same file, and the scripts and modules that a
    Dockerfile CMD/ENTRYPOINT, a Procfile or a compose `command:` runs.
    Handling means `signal.signal(SIGTERM, ...)`, `loop.add_signal_handler`
    or `signal.sigwait`, anywhere in the project. A module run only by a
    server that handles SIGTERM itself (gunicorn, uvicorn, hypercorn,
    daphne, granian, celery, dramatiq, huey, rq, arq, faust, taskiq, uWSGI
    with `--die-on-term`) is exempt.

    ## Why is this bad?
    Factor IX: processes are disposable and shut down gracefully when they
    receive SIGTERM; a worker finishes or returns its current job. Python's
    default for SIGTERM is to die on the spot, with no `finally` blocks run,
    so every deploy or scale-down loses the message being processed.

    ## Example
    ```python
    def main():
        while True:
            job = queue.blpop("jobs")
            handle(job)

    if __name__ == "__main__":
        main()
    ```

    Use instead:
    ```python
    import signal

    running = True

    def stop(signum, frame):
        global running
        running = False

    def main():
        signal.signal(signal.SIGTERM, stop)
        while running:
            job = queue.blpop("jobs", timeout=5)
            if job:
                handle(job)
    ```

    ## Fix
    None: what a graceful stop means (finish the job, requeue it) is the
    app's decision.
    """

    code = "FS0901"
    name = "missing-sigterm-handler"
    severity = Severity.WARNING
    summary = "Long-running entrypoint with no SIGTERM handling"
    test_files = "skipped"
    collectors = (DisposabilityFacts,)

    VALID = (
        Valid(
            """
            import signal
            import sys

            def stop(signum, frame):
                sys.exit(0)

            def main():
                while True:
                    poll()

            if __name__ == "__main__":
                signal.signal(signal.SIGTERM, stop)
                main()
            """,
            filename="worker.py",
        ),
        Valid(
            """
            from myapp import platform

            def main():
                platform.signals.update(SIGTERM=platform.stop, SIGINT=platform.stop)
                while True:
                    platform.poll()

            if __name__ == "__main__":
                main()
            """,
            filename="worker.py",
            note="a signal registry of the app's own (celery's `platforms.signals`) counts as handling",
        ),
        Valid(
            """
            from wsgiref.simple_server import make_server

            def app(environ, start_response):
                start_response("200 OK", [])
                return [b"ok"]

            if __name__ == "__main__":
                make_server("", 8000, app).serve_forever()
            """,
            filename="web.py",
            files={"Procfile": "web: gunicorn web:app\n"},
            note="the deployed process is gunicorn, which handles SIGTERM",
        ),
        Valid(
            """
            import time

            def wait_for_db():
                while True:
                    if ping():
                        break
                    time.sleep(1)

            if __name__ == "__main__":
                wait_for_db()
            """,
            filename="wait.py",
            note="a loop that ends",
        ),
        Valid(
            """
            import asyncio
            import signal

            async def main():
                loop = asyncio.get_running_loop()
                stop = asyncio.Event()
                loop.add_signal_handler(signal.SIGTERM, stop.set)
                await stop.wait()

            def consume():
                while True:
                    handle()
            """,
            filename="service.py",
            note="not an entrypoint, and SIGTERM is handled",
        ),
    )
    INVALID = (
        Invalid(
            """
            import time

            import redis

            queue = redis.Redis()

            def main():
                while True:
                    item = queue.blpop("emails", timeout=5)
                    time.sleep(0.1)

            if __name__ == "__main__":
                main()
            """,
            filename="worker.py",
            line=8,
        ),
        Invalid(
            """
            import pika

            connection = pika.BlockingConnection()
            channel = connection.channel()
            channel.basic_consume(queue="orders", on_message_callback=print)
            channel.start_consuming()
            """,
            filename="consumer.py",
            files={"Procfile": "worker: python consumer.py\n"},
            line=6,
            note="run by the Procfile",
        ),
        Invalid(
            """
            from apscheduler.schedulers.blocking import BlockingScheduler

            scheduler = BlockingScheduler()
            scheduler.add_job(lambda: None, "interval", minutes=5)
            scheduler.start()
            """,
            filename="jobs/scheduler.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "jobs.scheduler"]\n'},
            line=5,
        ),
    )

    def check(self, project: ProjectModel) -> Iterable[Finding]:
        facts = project.facts(FACT)
        if any(fact["sigterm"] for values in facts.values() for fact in values):
            return
        processes = [declared.process for declared in project.processes]
        for relative, values in sorted(facts.items()):
            for fact in values:
                if not fact["blocking"]:
                    continue
                run_by = [process for process in processes if _runs_file(process, relative)]
                if run_by and all(process.handles_sigterm for process in run_by):
                    continue
                if not fact["main"] and not run_by:
                    continue
                reachable = _reachable(fact["calls"])
                path = project.display(project.root / relative)
                for what, scope, row, column, end_row, end_column in fact["blocking"]:
                    if scope not in reachable:
                        continue
                    yield self.make_finding(
                        path,
                        Location(row, column),
                        Location(end_row, end_column),
                        f"{what} runs until the process is killed, and nothing in the project handles "
                        "SIGTERM: each stop or deploy kills it mid-task; handle SIGTERM and finish the "
                        "current work",
                    )


_IGNORE_HANDLERS = frozenset({"signal.SIG_IGN", "signal.Handlers.SIG_IGN"})
_LOGGING_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"}
)


def _does_nothing(body: Iterable[cst.BaseStatement | cst.BaseSmallStatement]) -> bool:
    """Only `pass`, `...`, docstrings and logging/print calls."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            if not _does_nothing(statement.body):
                return False
        elif isinstance(statement, cst.Pass):
            continue
        elif isinstance(statement, cst.Expr):
            value = statement.value
            if isinstance(value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(value, cst.Call):
                func = value.func
                name = (
                    func.attr.value
                    if isinstance(func, cst.Attribute)
                    else func.value
                    if isinstance(func, cst.Name)
                    else ""
                )
                if name in _LOGGING_METHODS:
                    continue
            return False
        else:
            return False
    return True


class SigtermIgnored(SourceRule):
    """
    ## What it does
    Finds SIGTERM set to `signal.SIG_IGN`, or to a handler whose body does
    nothing: `pass`, `...`, a docstring, or only logging and `print` calls
    (a function defined in the same module, or a lambda), through
    `signal.signal` or `loop.add_signal_handler`.

    ## Why is this bad?
    Factor IX: SIGTERM is how the platform asks a process to stop. A process
    that swallows it keeps running until the grace period ends and it is
    killed with SIGKILL, in the middle of whatever it was doing, and every
    deploy waits out the whole grace period.

    ## Example
    ```python
    import signal

    def on_term(signum, frame):
        logger.info("SIGTERM received")

    signal.signal(signal.SIGTERM, on_term)
    ```

    Use instead: stop the work loop (set a flag it checks, or raise
    `SystemExit`) in the handler.

    ## Fix
    None.
    """

    code = "FS0902"
    name = "sigterm-ignored"
    severity = Severity.WARNING
    summary = "SIGTERM is ignored or handled by a handler that does nothing"
    triggers = (b"SIGTERM",)

    VALID = (
        Valid(
            """
            import signal
            import sys

            running = True

            def stop(signum, frame):
                global running
                running = False

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
            """,
        ),
    )
    INVALID = (
        Invalid(
            """
            import signal

            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            """,
        ),
        Invalid(
            """
            import logging
            from signal import SIGTERM, signal

            log = logging.getLogger(__name__)

            def on_term(signum, frame):
                \"\"\"Shut down.\"\"\"
                log.info("got SIGTERM")

            signal(SIGTERM, on_term)
            """,
            line=10,
        ),
        Invalid(
            """
            import asyncio
            import signal

            async def main():
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: None)
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        installer = self.context.qualified_name(func) == "signal.signal" or (
            isinstance(func, cst.Attribute) and func.attr.value == "add_signal_handler"
        )
        if not installer or len(node.args) < 2:
            return
        signal_arg, handler = node.args[0].value, node.args[1].value
        if self.context.qualified_name(signal_arg) not in _SIGTERM_NAMES and not (
            isinstance(signal_arg, cst.Integer) and signal_arg.value == "15"
        ):
            return
        if self.context.qualified_name(handler) in _IGNORE_HANDLERS:
            self.report(node, "SIGTERM is ignored: the process cannot be stopped gracefully")
        elif isinstance(handler, cst.Lambda) and _is_noop_expression(handler.body):
            self.report(node, "The SIGTERM handler does nothing, so the process ignores SIGTERM")
        elif isinstance(handler, cst.Name):
            function = self._module_function(handler.value)
            if (
                function is not None
                and isinstance(function.body, cst.IndentedBlock)
                and _does_nothing(function.body.body)
            ):
                self.report(
                    node,
                    f"The SIGTERM handler `{handler.value}` does nothing, so the process ignores SIGTERM",
                )

    def _module_function(self, name: str) -> cst.FunctionDef | None:
        for statement in self.context.module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return statement
        return None


def _is_noop_expression(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.Ellipsis, cst.Integer, cst.SimpleString)):
        return True
    if isinstance(value, cst.Name):
        return value.value in ("None", "True", "False")
    if isinstance(value, cst.Call):
        return _does_nothing([cst.Expr(value)])
    return False


# -- FS0903 --------------------------------------------------------------------------


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


class ShellFormEntrypoint(FileRule, ProjectRule):
    """
    ## What it does
    Finds final-stage Dockerfile `CMD`/`ENTRYPOINT` in shell form (run as
    `/bin/sh -c "..."`) unless the command ends by `exec`ing the app,
    exec-form `["sh", "-c", "..."]` whose command does not `exec` the app,
    compose `command: sh -c "..."` likewise, and entrypoint scripts (such as
    `docker-entrypoint.sh`) whose last command starts the app, or `"$@"`,
    without `exec`. A script that traps TERM itself, and a command such as
    `CMD exec gunicorn --bind :$PORT app:app`, pass.

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
    None: choose between exec form and `exec` (exec form does not expand
    `$PORT`).
    """

    code = "FS0903"
    name = "shell-form-entrypoint"
    severity = Severity.WARNING
    summary = "The container's main process is a shell, so SIGTERM never reaches the app"
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
    )
    INVALID = (
        Invalid(
            """
            FROM python:3.12-slim
            CMD gunicorn --bind :8000 app:app
            """,
            filename="Dockerfile",
            line=2,
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
    )

    def check(self, target: SourceFile | ProjectModel) -> Iterable[Finding]:
        if isinstance(target, ProjectModel):
            return self._project(target)
        return self._dockerfile(target)

    def _dockerfile(self, source: SourceFile) -> Iterator[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        final = dockerfile.final_stage
        entrypoint, cmd = dockerfile.final_command()
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
                    yield self._at(
                        source,
                        instruction,
                        instruction.args_offset,
                        len(instruction.line.rstrip()),
                        f"Shell-form {instruction.keyword} runs under `{shell}`, which stays PID 1 and does "
                        "not pass SIGTERM on; use exec form, or start the command with `exec`",
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
        self, source: SourceFile, instruction: Instruction, start: int, end: int, message: str
    ) -> Finding:
        return self.make_finding(
            source.display_path, instruction.location(start), instruction.location(end), message
        )

    def _project(self, project: ProjectModel) -> Iterator[Finding]:
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
        for path, services in project.compose_services.items():
            for service in services:
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
