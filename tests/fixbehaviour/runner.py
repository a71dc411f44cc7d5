"""Run programs for the fix behaviour harness and record what they asked for.

`python -I -S runner.py JOBS.json RESULTS.json`: no site-packages, so only the
standard library, the stub frameworks in stubs/ and recording stand-ins for any
other import are there, and nothing real (a database client, a web request) can
run. Each Python job runs in a forked child (cheap, and no state leaks from one
program to the next); a Dockerfile, Procfile or shell script runs as the
container would start it, with stub commands on PATH.

A job's record holds:
- events: what the stubs saw (servers and their bind/debug/reload, engine and
  redis URLs, calls into unknown libraries with their arguments);
- globals: the module's upper-case names and its settings classes, as data;
- error: the exception that stopped the program, if any; calls: the errors of
  calling its functions (as a server or a management command would);
- logs: where one probe record per handler, logger or sink landed, counted.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import importlib.abc
import importlib.machinery
import inspect
import io
import json
import logging
import logging.config
import os
import re
import shlex
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUBS = HERE / "stubs"
COMMANDS = ("python", "python3", "gunicorn", "uvicorn", "celery", "tini", "flask", "daphne", "hypercorn")
BASE_ENV = {"LANG": "C.UTF-8"}
TIMEOUT = 20


# -- Python programs -------------------------------------------------------------------------


class _StandInModule(types.ModuleType):
    """A stand-in module records what the program sets on it (`stripe.api_key = ...`)."""

    def __setattr__(self, name: str, value) -> None:
        if not name.startswith("__"):
            from _fixharness import record

            record("set", target=f"{self.__name__}.{name}", value=value)
        super().__setattr__(name, value)


class _StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on sys.meta_path: any module nothing else provides becomes a recorder."""

    def find_spec(self, name, path, target=None):
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        from _fixharness import module_getattr

        module = _StandInModule(spec.name)
        module.__getattr__ = module_getattr(spec.name)  # type: ignore[method-assign]
        module.__path__ = []
        return module

    def exec_module(self, module) -> None:
        return None


def _sandboxed_open(sandbox: Path, workdir: Path):
    """`open` that sends writes outside the program's folder into the sandbox
    (a FileHandler("/var/log/app.log") must not touch the machine's /var/log)."""
    real_open = builtins.open

    def remap(file, mode="r"):
        if isinstance(file, (str, os.PathLike)) and any(flag in mode for flag in "wax+"):
            path = Path(os.fspath(file))
            if path.is_absolute() and not path.is_relative_to(workdir) and not path.is_relative_to(sandbox):
                path = sandbox / "abs" / path.relative_to("/")
                path.parent.mkdir(parents=True, exist_ok=True)
                return path
        return file

    def sandboxed(file, mode="r", *args, **kwargs):
        return real_open(remap(file, mode), mode, *args, **kwargs)

    return sandboxed


class _FakeAsyncServer:
    async def serve_forever(self) -> None:
        return None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        return None

    def close(self) -> None:
        return None


def _no_network(record) -> None:
    """Servers record their bind instead of binding; serve_forever returns at once."""

    def bind(self, address) -> None:
        if isinstance(address, tuple):
            record("bind", host=address[0], port=address[1])
        else:
            record("bind", address=address)

    async def start_server(client_connected_cb, host=None, port=None, **kwargs):
        record("bind", host=host, port=port)
        return _FakeAsyncServer()

    socket.socket.bind = bind  # type: ignore[method-assign]
    socket.socket.listen = lambda self, *args: None  # type: ignore[method-assign]
    socket.socket.connect = lambda self, address: record("connect", address=address)  # type: ignore[method-assign]
    socket.getfqdn = lambda name="": name
    socketserver.BaseServer.serve_forever = lambda self, poll_interval=0.5: None  # type: ignore[method-assign]
    asyncio.start_server = start_server  # type: ignore[assignment]


def _defined_here(value, path: str) -> bool:
    code = getattr(value, "__code__", None)
    return code is not None and code.co_filename == path


def _call_functions(namespace: dict, path: str, stand_in, jsonable) -> list[dict]:
    """Call each function the program defines (a server calls its handlers, Django its
    commands), with stand-ins for the required arguments. Their errors are recorded."""
    outcomes = []
    for name, value in list(namespace.items()):
        command = isinstance(value, type) and _defined_here(value.__dict__.get("handle"), path)
        if not command and not (inspect.isfunction(value) and _defined_here(value, path)):
            continue
        label = f"{name}.handle" if command else name
        try:
            target = value().handle if command else value
            parameters = inspect.signature(target).parameters.values()
            args = [
                stand_in(f"arg:{parameter.name}")
                for parameter in parameters
                if parameter.default is inspect.Parameter.empty
                and parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
            ]
            result = target(*args, **_options_read(target, parameters, stand_in))
            if inspect.iscoroutine(result):
                result = asyncio.run(result)
            outcomes.append({"function": label, "error": None, "result": jsonable(result)})
        except Exception as exc:
            outcomes.append({"function": label, "error": _describe(exc)})
    return outcomes


def _options_read(function, parameters, stand_in) -> dict:
    """For `**options`, the keys the function reads (`options["port"]`), as a command's
    parsed arguments would hold them."""
    for parameter in parameters:
        if parameter.kind is parameter.VAR_KEYWORD:
            try:
                source = inspect.getsource(function)
            except (OSError, TypeError):
                return {}
            pattern = rf"""\b{parameter.name}\[\s*["'](\w+)["']\s*\]"""
            return {key: stand_in(f"option:{key}") for key in re.findall(pattern, source)}
    return {}


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _settings_instances(namespace: dict, outcome: dict) -> dict:
    """pydantic-settings classes are read when instantiated: instantiate them."""
    from pydantic_settings import BaseSettings

    instances = {}
    for name, value in namespace.items():
        if isinstance(value, type) and issubclass(value, BaseSettings) and value is not BaseSettings:
            try:
                instances[f"{name}()"] = value()
            except Exception as exc:
                outcome["calls"].append({"function": f"{name}()", "error": _describe(exc)})
    return instances


DATA = (str, int, float, bool, bytes, list, tuple, dict, type(None))


def _public_globals(namespace: dict, jsonable) -> dict:
    """The module's data, its classes' upper-case attributes and the stub objects it made:
    the program's configuration as data."""
    picture = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if name.isupper() or name.endswith("()") or isinstance(value, DATA):
            picture[name] = jsonable(value)
        elif isinstance(value, type) and value.__module__ == "__main__":
            attributes = {key: jsonable(item) for key, item in vars(value).items() if key.isupper()}
            if attributes:
                picture[name] = attributes
        elif type(value).__module__ in ("flask", "sqlalchemy", "redis", "uvicorn", "structlog"):
            picture[name] = jsonable(value)
    return picture


def _configure_django_logging(config: dict) -> None:
    """Django's `dictConfig(LOGGING)`, lenient about formatters and filters defined elsewhere."""
    config = json.loads(json.dumps(config, default=str))
    formatters = config.setdefault("formatters", {})
    filters = config.setdefault("filters", {})
    for handler in config.get("handlers", {}).values():
        if isinstance(handler.get("formatter"), str):
            formatters.setdefault(handler["formatter"], {"format": "%(message)s"})
        for name in handler.get("filters", []):
            filters.setdefault(name, {})
    logging.config.dictConfig(config)


def _gunicorn_settings(namespace: dict, record) -> dict:
    """What gunicorn reads from a config module: the binds and where its logs go."""
    from _fixharness import split_bind

    binds = namespace.get("bind", "127.0.0.1:8000")
    for bind in [binds] if isinstance(binds, str) else binds:
        host, port = split_bind(bind)
        record(
            "serve",
            server="gunicorn",
            host=host,
            port=port,
            debug=False,
            reload=bool(namespace.get("reload")),
        )
    return {
        "gunicorn.accesslog": _gunicorn_destination(namespace.get("accesslog"), "stdout"),
        "gunicorn.errorlog": _gunicorn_destination(namespace.get("errorlog", "-"), "stderr"),
    }


def _gunicorn_destination(value, dash: str) -> dict:
    if value is None:
        return {}
    return {dash if value == "-" else f"file:{value}": 1}


def _probe_logs(workdir: Path, sandbox: Path, capture: Path, probes: dict) -> dict:
    """Send one marked record through every handler, every logger and every sink, then
    count where each marker landed."""
    markers: dict[str, str] = {}

    def marker(label: str) -> str:
        markers[label] = f"FIXPROBE{len(markers):04d}"
        return markers[label]

    handlers = [ref() for ref in list(logging._handlerList)]  # type: ignore[attr-defined]
    handlers = [handler for handler in handlers if handler is not None]  # in creation order
    for index, handler in enumerate(handlers):
        record = logging.LogRecord(
            "probe", logging.ERROR, __file__, 0, marker(f"handler#{index}"), None, None
        )
        try:
            handler.handle(record)
            handler.flush()
        except Exception:
            markers.pop(f"handler#{index}")
    loggers = [
        "root",
        *sorted(
            name
            for name, logger in logging.Logger.manager.loggerDict.items()
            # every logger the program made, not only those with handlers: one whose
            # file handler a fix removed still reaches the console through its parents
            if isinstance(logger, logging.Logger)
        ),
    ]
    for name in loggers:
        logger = logging.getLogger(None if name == "root" else name)
        logger.error(marker(f"logger:{name}"))
    for module_name in ("loguru", "structlog"):
        module = sys.modules.get(module_name)
        if module is not None:
            probe = getattr(module, "logger", module).probe
            probe(marker(module_name))
    for handler in handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()

    texts = {
        "stdout": (capture / "stdout").read_text(errors="replace"),
        "stderr": (capture / "stderr").read_text(errors="replace"),
    }
    for folder, name_of in (
        (workdir, lambda p: p.relative_to(workdir).as_posix()),
        (sandbox / "abs", lambda p: "/" + p.relative_to(sandbox / "abs").as_posix()),
    ):
        if folder.exists():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_relative_to(capture):
                    texts[f"file:{name_of(path)}"] = path.read_text(errors="replace")
    logs = dict(probes)
    for label, mark in markers.items():
        pattern = re.compile(re.escape(mark) + r"\b")
        counts = {place: len(pattern.findall(text)) for place, text in texts.items()}
        logs[label] = {place: count for place, count in counts.items() if count}
    return logs


def _run_python(job: dict) -> dict:
    workdir = Path(job["dir"])
    path = str(workdir / job["path"])
    scratch = Path(tempfile.mkdtemp(prefix="fixrun-"))
    sandbox, capture = scratch / "sandbox", scratch / "capture"
    sandbox.mkdir()
    capture.mkdir()
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update({**BASE_ENV, **job["env"]})
    sys.path[:0] = [str(STUBS), str(Path(path).parent), str(workdir)]
    sys.meta_path.append(_StandIns())
    sys.dont_write_bytecode = True

    from _fixharness import EVENTS, Recorder, jsonable, record

    sandboxed = _sandboxed_open(sandbox, workdir)
    builtins.open = io.open = sandboxed  # type: ignore[assignment]
    logging.FileHandler._builtin_open = sandboxed  # type: ignore[attr-defined]
    _no_network(record)
    for stream, fd in (("stdout", 1), ("stderr", 2)):
        sys.stdout.flush()
        sys.stderr.flush()
        target = os.open(capture / stream, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(target, fd)
    signal.alarm(TIMEOUT)

    module = types.ModuleType("__main__")
    module.__file__ = path
    sys.modules["__main__"] = module
    namespace = module.__dict__
    outcome: dict = {"error": None, "calls": []}
    try:
        if job["kind"] == "logging_ini":
            logging.config.fileConfig(path, disable_existing_loggers=False)
        else:
            source = Path(path).read_bytes()
            exec(compile(source, path, "exec"), namespace)
    except BaseException as exc:
        outcome["error"] = _describe(exc)
    if outcome["error"] is None and job["kind"] != "logging_ini":
        outcome["calls"] = _call_functions(namespace, path, Recorder, jsonable)
    probes: dict = {}
    if job["kind"] == "gunicorn_conf":
        probes = _gunicorn_settings(namespace, record)
    if isinstance(namespace.get("LOGGING"), dict):
        try:
            _configure_django_logging(namespace["LOGGING"])
        except Exception as exc:
            outcome["logging_error"] = _describe(exc)
    if "pydantic_settings" in sys.modules:
        namespace.update(_settings_instances(namespace, outcome))
    outcome["globals"] = _public_globals(namespace, jsonable)
    outcome["logs"] = _probe_logs(workdir, sandbox, capture, probes)
    outcome["events"] = EVENTS
    return outcome


def _in_child(job: dict) -> dict:
    """Run `job` in a forked child and return what it recorded."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            outcome = _run_python(job)
        except BaseException as exc:
            outcome = {"harness_error": _describe(exc)}
        with os.fdopen(write_end, "w") as pipe:
            json.dump(outcome, pipe, default=str)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        return {"harness_error": f"the program's process ended with status {status} (timeout?)"}
    # The same program runs from different folders before and after its fix.
    return json.loads(data.replace(json.dumps(job["dir"])[1:-1], "<dir>"))


# -- what a container runs -------------------------------------------------------------------


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\r?\n", " ", text)
    result = []
    for raw in joined.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def _command_form(argument: str) -> list[str]:
    if argument.startswith("["):
        try:
            words = json.loads(argument)
        except ValueError:
            pass
        else:
            if isinstance(words, list) and all(isinstance(word, str) for word in words):
                return words
    return ["/bin/sh", "-c", argument]


def _image(text: str) -> tuple[dict, list[str] | None]:
    """The final stage's environment and the argv its container starts."""
    env: dict[str, str] = {}
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    for instruction, argument in _instructions(text):
        if instruction == "FROM":
            env, entrypoint, cmd = {}, None, None
        elif instruction == "ENV":
            words = shlex.split(argument)
            if words and "=" not in words[0]:
                env[words[0]] = " ".join(words[1:])
            else:
                env.update(word.split("=", 1) for word in words if "=" in word)
        elif instruction == "ENTRYPOINT":
            entrypoint, cmd = _command_form(argument), None
        elif instruction == "CMD":
            cmd = _command_form(argument)
    if entrypoint is not None and entrypoint[:2] == ["/bin/sh", "-c"]:
        return env, entrypoint  # a shell-form ENTRYPOINT ignores CMD
    argv = (entrypoint or []) + (cmd or [])
    return env, argv or None


def _stub_bin(scratch: Path) -> Path:
    folder = scratch / "bin"
    if not folder.exists():
        folder.mkdir(parents=True)
        stub = HERE / "commandstub.py"
        for name in COMMANDS:
            script = folder / name
            script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -S "{stub}" {name} "$@"\n')
            script.chmod(0o755)
    return folder


def _start(argv: list[str], workdir: Path, env: dict, scratch: Path) -> list[dict]:
    events = scratch / "events.jsonl"
    events.unlink(missing_ok=True)
    environment = {
        **BASE_ENV,
        **env,
        "PATH": str(_stub_bin(scratch)),
        "FIXHARNESS_EVENTS": str(events),
        "FIXHARNESS_KEYS": " ".join(sorted(env)),
    }
    try:
        process = subprocess.Popen(
            argv, cwd=workdir, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError as error:  # `/entrypoint` of an image: a path only the image has
        return [{"exit": f"cannot start: {error.strerror}"}]
    try:
        code = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = "timeout"
    started = [json.loads(line) for line in events.read_text().splitlines()] if events.exists() else []
    for started_process in started:
        started_process["main"] = started_process.pop("pid") == process.pid
    return [*started, {"exit": code}]


def _run_command(job: dict, scratch: Path) -> dict:
    workdir = Path(job["dir"])
    path = workdir / job["path"]
    text = path.read_text()
    processes: dict[str, list[dict]] = {}
    image_env: dict[str, str] = {}
    if job["kind"] == "dockerfile":
        image_env, argv = _image(text)
        if argv is not None:
            processes["container"] = _start(argv, workdir, {**image_env, **job["env"]}, scratch)
    elif job["kind"] == "procfile":
        for line in text.splitlines():
            name, colon, command = line.partition(":")
            if colon and name.strip() and not name.startswith("#"):
                processes[name.strip()] = _start(
                    ["/bin/sh", "-c", command.strip()], workdir, job["env"], scratch
                )
    else:
        processes["script"] = _start(["/bin/sh", str(path)], workdir, job["env"], scratch)
    return {"image_env": image_env, "processes": processes}


def main() -> None:
    jobs = json.loads(Path(sys.argv[1]).read_text())
    scratch = Path(tempfile.mkdtemp(prefix="fixcmd-"))
    results = {}
    for job in jobs:
        if job["kind"] in ("dockerfile", "procfile", "shell"):
            results[job["id"]] = _run_command(job, scratch)
        else:
            results[job["id"]] = _in_child(job)
    Path(sys.argv[2]).write_text(json.dumps(results, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
