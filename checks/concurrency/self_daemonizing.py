"""FS0801 self-daemonizing: the app daemonizes itself or writes a PID file."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import libcst as cst

from factorscan.checks.base import FileRule, Invalid, Severity, SourceRule, Valid
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.deploy.ini_options import uwsgi_options
from factorscan.deploy.system_tools import PROCESS_STARTERS
from factorscan.python.codemods import argument, is_std_stream
from factorscan.python.imports import dotted_name
from factorscan.python.nodes import iter_children
from factorscan.python.traversal import FileContext

_DAEMON_LIBRARIES = {
    "daemon.DaemonContext": "python-daemon's DaemonContext",
    "daemon.daemon.DaemonContext": "python-daemon's DaemonContext",
    "daemon.runner.DaemonRunner": "python-daemon's DaemonRunner",
    "daemonize.Daemonize": "daemonize.Daemonize",
    "daemonocle.Daemon": "daemonocle",
    "zdaemon.zdctl.main": "zdaemon",
}


_PID_FILE_LIBRARIES = frozenset(
    {
        "daemon.pidfile.PIDLockFile",
        "daemon.pidfile.TimeoutPIDLockFile",
        "lockfile.pidlockfile.PIDLockFile",
        "pid.PidFile",
        "pid.decorator.pidfile",
        "pidfile.PIDFile",
    }
)


_OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open", "codecs.open"})


_PID_NAME = re.compile(r"(^|_)(pid_?file|pid_?path|pidfile)$", re.IGNORECASE)


# Long-running programs that a backgrounded launch would leave unsupervised.
_APP_PROGRAMS = re.compile(
    r"^(python[\d.]*|gunicorn|uvicorn|hypercorn|daphne|celery|flask|waitress-serve|uwsgi|rq|dramatiq|huey_consumer"
    r"|\S*manage\.py|\S*\.py)$"
)


def _is_pid_path(node: cst.BaseExpression, context: FileContext) -> bool:
    text = context.string_value(context.literal(node))
    if text is not None:
        return text.endswith(".pid")
    if isinstance(node, cst.FormattedString):
        last = node.parts[-1] if node.parts else None
        return isinstance(last, cst.FormattedStringText) and last.value.endswith(".pid")
    name = dotted_name(node)
    return name is not None and bool(_PID_NAME.search(name.rsplit(".", 1)[-1]))


def _mentions_getpid(node: cst.CSTNode, context: FileContext) -> bool:
    if isinstance(node, cst.Call) and context.qualified_name(node.func) == "os.getpid":
        return True
    return any(_mentions_getpid(child, context) for child in iter_children(node))


def _command_words(node: cst.BaseExpression, context: FileContext) -> list[str] | None:
    """The words of a literal command: a string, or a list of string literals."""
    text = context.string_value(node)
    if text is not None:
        try:
            return shlex.split(text, posix=True)
        except ValueError:
            return text.split()
    if isinstance(node, (cst.List, cst.Tuple)):
        words = [context.string_value(element.value) for element in node.elements]
        if all(word is not None for word in words):
            return [word for word in words if word is not None]
    return None


def _backgrounds_app(words: list[str]) -> bool:
    """`nohup python app.py`, `gunicorn app:app &`, `sh -c "python worker.py &"`."""
    if len(words) >= 3 and words[0] in ("sh", "bash", "/bin/sh", "/bin/bash") and words[1] == "-c":
        try:
            words = shlex.split(words[2])
        except ValueError:
            words = words[2].split()
    backgrounded = bool(words) and (
        words[-1] == "&" or (words[-1].endswith("&") and not words[-1].endswith("&&"))
    )
    if "nohup" in words:
        rest = words[words.index("nohup") + 1 :]
    elif backgrounded:
        rest = words
    else:
        return False
    return any(_APP_PROGRAMS.match(word) for word in rest[:2])


# uWSGI options that write the master's PID to a file.
_UWSGI_PIDFILES = frozenset({"pidfile", "pidfile2", "safe-pidfile", "safe-pidfile2"})


class SelfDaemonizing(SourceRule, FileRule):
    """
    ## What it does
    Finds an app that turns itself into a daemon: python-daemon's
    `DaemonContext` (and `daemonize`, `daemonocle`), the double-fork pattern
    (`os.fork()` with `os.setsid()` in the same function), PID files
    (`open("app.pid", "w")`, writing `os.getpid()` to a file, `PIDLockFile`,
    `pid.PidFile`), gunicorn configuration modules with `daemon = True` or a
    `pidfile`, uWSGI ini files whose `[uwsgi]` section (or a YAML file's
    `uwsgi:` mapping) sets `daemonize` or a `pidfile`, and launches of the
    app in the background with `nohup` or a trailing `&` from `subprocess` or
    `os.system`.

    Not reported: `os.setsid` passed as `preexec_fn` (a process group for
    the child), `os.fork()` without `setsid` (pre-fork servers), and
    `daemon=True` threads or multiprocessing workers, which die with their
    parent instead of escaping it.

    ## Why is this bad?
    Factor VIII: twelve-factor processes never daemonize or write PID files;
    they rely on the operating system's process manager (systemd, Docker,
    Kubernetes, Heroku's dynos, a Procfile runner) to manage output streams,
    respond to crashed processes and handle restarts and shutdowns. A process
    that forks into the background detaches from its supervisor: the
    container exits at once, or the supervisor loses track of the real
    process and its logs.

    ## Example
    ```python
    import daemon

    with daemon.DaemonContext(pidfile=lockfile.FileLock("/var/run/worker.pid")):
        run_worker()
    ```

    Use instead:
    ```python
    run_worker()  # in the foreground; the process manager runs and restarts it
    ```

    ## Fix
    None: run the process in the foreground and declare it to the process
    manager (a Procfile line, a container CMD, a systemd unit).
    """

    code = "FS0801"
    name = "self-daemonizing"
    severity = Severity.WARNING
    summary = "The app daemonizes itself or writes a PID file"
    test_files = "not checked"
    triggers = (
        b"aemon",
        b"setsid",
        b".pid",
        b"pidfile",
        b"pid_file",
        b"PIDFILE",
        b"PID_FILE",
        b"PidFile",
        b"PIDLockFile",
        b"getpid",
        b"nohup",
        b"&'",
        b'&"',
    )

    kinds = ("ini", "yaml")
    file_triggers = (b"daemonize", b"pidfile")

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    VALID = (
        Valid(
            """
            [uwsgi]
            module = shop.wsgi:application
            master = true

            [supervisord]
            pidfile = /tmp/supervisord.pid
            """,
            filename="uwsgi.ini",
            note="a uWSGI that stays in the foreground; another program's section",
        ),
        Valid(
            """
            logging:
              uwsgi:
                daemonize: false
            """,
            filename="settings.yaml",
            note="a `uwsgi:` mapping that is not at the top level",
        ),
        Valid(
            """
            import os
            import signal
            import subprocess

            child = subprocess.Popen(["ffmpeg", "-i", "in.mp4", "out.webm"], preexec_fn=os.setsid)
            os.killpg(os.getpgid(child.pid), signal.SIGTERM)
            """,
            note="a process group for a child, not a daemon",
        ),
        Valid(
            """
            import logging
            import os
            import threading

            worker = threading.Thread(target=print, daemon=True)
            worker.start()
            logging.info("started as pid %s", os.getpid())
            """,
            note="daemon threads die with their parent",
        ),
        Valid(
            """
            import subprocess

            subprocess.run("make build && make test", shell=True, check=True)
            subprocess.Popen(["celery", "-A", "shop", "worker"])
            """,
        ),
        Valid(
            """
            import daemon

            with daemon.DaemonContext():
                run()
            """,
            filename="tests/test_daemon.py",
            note="test files are not checked",
        ),
    )
    INVALID = (
        Invalid(
            """
            [uwsgi]
            module = shop.wsgi:application
            daemonize = /var/log/uwsgi.log
            pidfile = /tmp/shop.pid
            """,
            filename="uwsgi.ini",
            count=2,
            line=3,
        ),
        Invalid(
            """
            uwsgi:
              module: shop.wsgi:application
              daemonize: /var/log/uwsgi.log
            """,
            filename="uwsgi.yml",
            line=3,
            note="uWSGI's YAML form",
        ),
        Invalid(
            """
            import daemon
            from daemon import pidfile

            from worker import run

            with daemon.DaemonContext(pidfile=pidfile.TimeoutPIDLockFile("/var/run/worker.pid")):
                run()
            """,
            count=2,
        ),
        Invalid(
            """
            import os
            import sys

            def daemonize():
                if os.fork() > 0:
                    sys.exit(0)
                os.setsid()
                if os.fork() > 0:
                    sys.exit(0)
            """,
            line=7,
        ),
        Invalid(
            """
            import os

            PID_FILE = "/var/run/shop.pid"

            def main():
                with open(PID_FILE, "w") as handle:
                    handle.write(str(os.getpid()))
            """,
        ),
        Invalid(
            """
            import os
            from pathlib import Path

            Path("run/api.lock").write_text(str(os.getpid()))
            """,
            note="os.getpid() written to a file",
        ),
        Invalid(
            """
            import os
            import subprocess

            subprocess.Popen("nohup gunicorn shop.wsgi:application --bind 0.0.0.0:8000 &", shell=True)
            os.system("python worker.py &")
            """,
            count=2,
        ),
        Invalid(
            """
            bind = "0.0.0.0:8000"
            daemon = True
            pidfile = "/var/run/gunicorn.pid"
            """,
            filename="gunicorn.conf.py",
            count=2,
        ),
    )

    def check_file(self, source: SourceFile) -> Iterator[Finding]:
        for option in uwsgi_options(source):
            if option.key in ("daemonize", "daemonize2") and option.value:
                message = f"uWSGI {option.key} detaches the server from its process manager"
            elif option.key in _UWSGI_PIDFILES and option.value:
                message = f"uWSGI {option.key} writes a PID file"
            else:
                continue
            yield self.make_finding(source.display_path, option.start, option.end, message)

    def __init__(self) -> None:
        self._forking: set[cst.FunctionDef | None] = set()
        self._setsids: list[tuple[cst.Call, cst.FunctionDef | None]] = []

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        qualified = context.qualified_name(node.func)
        if qualified in _DAEMON_LIBRARIES:
            self.report(node, f"{_DAEMON_LIBRARIES[qualified]} detaches the app from its process manager")
        elif qualified in _PID_FILE_LIBRARIES:
            self.report(node, "A PID file belongs to the process manager, not the app")
        elif qualified == "os.fork":
            self._forking.add(context.enclosing_function())
        elif qualified == "os.setsid":
            self._setsids.append((node, context.enclosing_function()))
        elif qualified in _OPEN_FUNCTIONS:
            path, mode = argument(node, 0, "file"), argument(node, 1, "mode")
            mode_text = context.string_value(mode.value) if mode is not None else None
            writes = mode_text is not None and any(flag in mode_text for flag in "wax+")
            if path is not None and writes and _is_pid_path(path.value, context):
                self.report(
                    node, "The app writes its own PID file; leave process tracking to the process manager"
                )
        elif qualified in PROCESS_STARTERS:
            command = argument(node, 0, "args") or argument(node, 0, "cmd") or argument(node, 0, "command")
            words = _command_words(command.value, context) if command is not None else None
            if words and _backgrounds_app(words):
                self.report(
                    node,
                    "The app is launched in the background (nohup / &), out of the process manager's sight; "
                    "declare it as its own process type instead",
                )
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in ("write", "write_text"):
            receiver = node.func.value
            if (
                not is_std_stream(receiver, context)
                and node.args
                and _mentions_getpid(node.args[0].value, context)
                and not self._inside_pid_open(node)
            ):
                self.report(
                    node,
                    "The app writes its process id to a file (a PID file); leave that to the process manager",
                )

    def _inside_pid_open(self, node: cst.Call) -> bool:
        """`with open("x.pid", "w") as f: f.write(...)` is already reported at the open()."""
        for ancestor in self.context.ancestors():
            if isinstance(ancestor, cst.With):
                for item in ancestor.items:
                    call = item.item
                    if (
                        isinstance(call, cst.Call)
                        and self.context.qualified_name(call.func) in _OPEN_FUNCTIONS
                        and call.args
                        and _is_pid_path(call.args[0].value, self.context)
                    ):
                        return True
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        """gunicorn configuration modules: `daemon = True`, `pidfile = "..."`."""
        context = self.context
        if not context.at_module_level() or "gunicorn" not in context.relative_path.lower():
            return
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            setting = target.target.value
            if setting == "daemon" and isinstance(node.value, cst.Name) and node.value.value == "True":
                self.report(node.value, "gunicorn daemon = True detaches the server from its process manager")
            elif setting == "pidfile" and context.string_value(node.value):
                self.report(
                    node.value, "gunicorn writes a PID file; leave process tracking to the process manager"
                )

    def leave_Module(self, original_node: cst.Module) -> None:
        for call, function in self._setsids:
            if function in self._forking:
                self.report(call, "os.fork() with os.setsid() daemonizes the process (the double fork)")
