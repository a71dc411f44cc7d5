"""FS0901 missing-sigterm-handler: long-running entrypoint with no SIGTERM handling."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import libcst as cst

from factorscan.checks.base import Invalid, ProjectRule, Severity, SourceVisitor, Valid
from factorscan.checks.disposability._shared import SIGTERM_NAMES
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding, Location
from factorscan.python.nodes import iter_children
from factorscan.scan.project import ProjectModel

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


class BlockingCall(NamedTuple):
    """A call that runs until the process is killed (a worker loop, `serve_forever()`...)."""

    what: str
    scope: str  # the function it is in, "<module>" or "<main>"
    row: int
    column: int
    end_row: int
    end_column: int


class DisposabilityFact(NamedTuple):
    """What one file does about SIGTERM and long-running work."""

    sigterm: bool  # installs a SIGTERM handler
    main: bool  # has a `__main__` block, or runs an event loop at module level (a script)
    calls: dict[str, list[str]]  # scope -> the module's functions it calls
    blocking: list[BlockingCall]


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
        b"Future()",  # `await asyncio.Future()`: serve until killed
        b"create_future()",
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        # Test servers loop forever and tests install signal handlers: neither is the app's.
        return not is_test_path(relative_path)

    def __init__(self) -> None:
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

    def visit_Await(self, node: cst.Await) -> None:
        """`await asyncio.Future()`, `await loop.create_future()`: a future nothing resolves, the
        idiom for serving until the process is killed (`async with websockets.serve(...)`)."""
        awaited = node.expression
        if not isinstance(awaited, cst.Call) or awaited.args:
            return
        func = awaited.func
        if self.context.qualified_name(func) == "asyncio.Future" or (
            isinstance(func, cst.Attribute) and func.attr.value == "create_future"
        ):
            what = f"this `await {self.context.module.code_for_node(awaited)}`"
            self._block((node, node, what, self._scope()))

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
        if scope == "<module>" and self.context.qualified_name(func) == "asyncio.run":
            self.main = True  # a script that runs its event loop when run
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
                or self.context.qualified_name(element.slice.value) in SIGTERM_NAMES
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
        if self.context.qualified_name(value) in SIGTERM_NAMES:
            return True
        return first and isinstance(value, cst.Name) and b"SIGTERM" in self.context.source.data

    def leave_Module(self, node: cst.Module) -> None:
        spans = self.context.locations({n for start, end, _, _ in self.blocking for n in (start, end)})
        blocking = []
        for start, end, what, scope in self.blocking:
            if start not in spans or end not in spans:
                continue
            begin, finish = spans[start][0], spans[end][1]
            blocking.append(
                BlockingCall(
                    what=what,
                    scope=scope,
                    row=begin.row,
                    column=begin.column,
                    end_row=finish.row,
                    end_column=finish.column,
                )
            )
        self.record_fact(
            DisposabilityFact(
                sigterm=self.sigterm,
                main=self.main,
                calls={scope: sorted(names) for scope, names in self.calls.items()},
                blocking=blocking,
            )
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


class MissingSigtermHandler(ProjectRule):
    """
    ## What it does
    Finds long-running entrypoints when nothing in the project handles
    SIGTERM: `while True` loops (without a `break`), Kafka consumer loops,
    pika `start_consuming()`, `serve_forever()`, `loop.run_forever()`,
    `BlockingScheduler().start()`, and `asyncio.run(main())` mains that
    serve forever (`await server.serve_forever()`, or
    `async with websockets.serve(...): await asyncio.Future()`, a future
    nothing resolves). Entrypoints are `if __name__ == "__main__":` blocks
    and scripts that call `asyncio.run` at module level, with the functions
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
    # --diff-base: what runs the entrypoint decides whether a server handles SIGTERM.
    changed_by = ("dockerfile", "procfile", "compose")
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
        Valid(
            """
            import asyncio
            import signal

            import websockets


            async def main():
                loop = asyncio.get_running_loop()
                stop = loop.create_future()
                loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
                async with websockets.serve(print, "0.0.0.0", 8765):
                    await stop


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            filename="chat/server.py",
            note="the websockets idiom: SIGTERM resolves the future the server waits on",
        ),
        Valid(
            """
            import asyncio


            async def serve():
                await asyncio.Future()


            def command():
                asyncio.run(serve())
            """,
            filename="tools/relay.py",
            note="an event loop run by a function that nothing in the file calls: not an entrypoint",
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
        Invalid(
            """
            import asyncio

            import websockets


            async def echo(websocket):
                async for message in websocket:
                    await websocket.send(message)


            async def main():
                async with websockets.serve(echo, "0.0.0.0", 8765):
                    await asyncio.Future()


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            filename="chat/server.py",
            line=13,
            note="an asyncio main that serves until killed",
        ),
        Invalid(
            """
            import asyncio


            async def handle(reader, writer):
                writer.close()


            async def main():
                server = await asyncio.start_server(handle, "0.0.0.0", 8888)
                async with server:
                    await server.serve_forever()


            asyncio.run(main())
            """,
            filename="relay.py",
            line=11,
            note="a script that runs its event loop at module level is an entrypoint too",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        facts = project.facts(DisposabilityFact)
        if any(fact.sigterm for values in facts.values() for fact in values):
            return
        processes = [declared.process for declared in project.processes]
        for relative, values in sorted(facts.items()):
            for fact in values:
                if not fact.blocking:
                    continue
                run_by = [process for process in processes if process.runs_file(relative)]
                if run_by and all(process.handles_sigterm for process in run_by):
                    continue
                if not fact.main and not run_by:
                    continue
                reachable = _reachable(fact.calls)
                path = project.display(project.root / relative)
                for call in map(BlockingCall._make, fact.blocking):
                    if call.scope not in reachable:
                        continue
                    yield self.make_finding(
                        path,
                        Location(call.row, call.column),
                        Location(call.end_row, call.end_column),
                        f"{call.what} runs until the process is killed, and nothing in the project handles "
                        "SIGTERM: each stop or deploy kills it mid-task; handle SIGTERM and finish the "
                        "current work",
                    )
