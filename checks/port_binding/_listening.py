"""Where a deployed server listens: its command line's options, gunicorn's configuration
module, $PORT, the server's default. Shared by FS0703 (the deployment's declared ports) and
FS0701 (a port the container is wired to)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from factorscan.deploy.container import Process
from factorscan.deploy.deployment import LinkedContainer
from factorscan.scan.project import ProjectModel

# Where each server listens when nothing says otherwise.
_DEFAULT_PORTS = {
    "gunicorn": 8000,
    "uvicorn": 8000,
    "hypercorn": 8000,
    "daphne": 8000,
    "granian": 8000,
    "waitress": 8080,
}
_PORT_OPTIONS = {
    "gunicorn": ("-b", "--bind"),
    "hypercorn": ("-b", "--bind"),
    "uvicorn": ("--port",),
    "granian": ("--port",),
    "daphne": ("-p", "--port", "-b"),
    "waitress": ("--port", "--listen"),
}
_VARIABLE = re.compile(r"\$\(PORT\)|\$\{PORT(?::?-(?P<default>\d+))?\}|\$PORT\b")


def _option_values(argv: tuple[str, ...], options: tuple[str, ...]) -> list[str]:
    values = []
    for index, word in enumerate(argv):
        if word in options and index + 1 < len(argv):
            values.append(argv[index + 1])
        for option in options:
            if option.startswith("--") and word.startswith(option + "="):
                values.append(word.split("=", 1)[1])
    return values


def _port_of(value: str, env_port: int | None) -> int | None:
    """The port of `8000`, `:8000`, `0.0.0.0:8000`, `[::]:$PORT`, `:${PORT:-8000}`; None for a socket."""
    if value.startswith(("unix:", "fd://")):
        return None
    match = _VARIABLE.search(value)
    if match is not None:
        default = match.group("default")
        return env_port if env_port is not None else int(default) if default else None
    tail = value.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _gunicorn_config_bind(project: ProjectModel, process: Process, env_port: int | None) -> int | None:
    names = _option_values(process.argv, ("-c", "--config")) or ["gunicorn.conf.py"]
    config = names[0].removeprefix("python:")
    bind = project.derived(f"FS0703 gunicorn bind {config}", lambda: _config_bind(project, config))
    return _bind_expression(bind, env_port) if bind is not None else None


def gunicorn_config_path(project: ProjectModel, process: Process) -> Path | None:
    """The configuration module gunicorn loads for `process` (`-c`, or ./gunicorn.conf.py)."""
    names = _option_values(process.argv, ("-c", "--config")) or ["gunicorn.conf.py"]
    return _config_module(project, names[0].removeprefix("python:"))


def _config_module(project: ProjectModel, config: str) -> Path | None:
    candidates = [
        project.root / config,
        *(i.path for i in project.python_files if i.path.name == Path(config).name),
    ]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def _config_bind(project: ProjectModel, config: str) -> ast.expr | None:
    """The expression a gunicorn config module assigns to `bind`."""
    path = _config_module(project, config)
    source = project.source(path) if path is not None else None
    if source is None:
        return None
    try:
        tree = ast.parse(source.text)
    except (SyntaxError, ValueError):
        return None
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "bind" for t in statement.targets
        ):
            return statement.value
    return None


def _bind_expression(node: ast.expr, env_port: int | None) -> int | None:
    """`"0.0.0.0:8080"`, `f"0.0.0.0:{os.environ.get('PORT', '8080')}"`, or a list of either."""
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        return _bind_expression(node.elts[0], env_port)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _port_of(node.value, env_port)
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant)
            and call.args[0].value == "PORT"
            and isinstance(call.args[1], ast.Constant)
        ):
            return env_port if env_port is not None else int(str(call.args[1].value))
    return None


def listening_port(project: ProjectModel, process: Process, env_port: int | None) -> int | None:
    """The port the server of `process` listens on, when its command line or config tells."""
    server = process.server
    if server not in _DEFAULT_PORTS:
        return None
    for value in _option_values(process.argv, _PORT_OPTIONS[server]):
        return _port_of(value, env_port)
    if server == "gunicorn":
        configured = _gunicorn_config_bind(project, process, env_port)
        if configured is not None:
            return configured
        if env_port is not None:
            return env_port  # gunicorn binds $PORT when no bind is given
    return _DEFAULT_PORTS[server]


def linked_process(project: ProjectModel, linked: LinkedContainer) -> Process | None:
    """The process a container that runs the app starts, from its command and args."""
    if linked.container is not None:
        argv = [item.text or "" for item in linked.container.command]
        args = [item.text or "" for item in linked.container.args]
    elif linked.compose is not None:
        argv, args = linked.compose.process_argv(), []
    else:
        return None
    return project.container_process(argv, args)


def linked_port_variable(linked: LinkedContainer) -> int | None:
    """The number the container's descriptors give $PORT, when one gives it a number."""
    env_port = None
    for provision in linked.provided.get("PORT", []):
        text = provision.node.text if provision.node is not None else None
        env_port = int(text) if text and text.isdigit() else env_port
    return env_port


def binds_by_option(process: Process) -> bool:
    """The command line sets the listening port (`--bind`, `--port`)."""
    return bool(
        process.server in _PORT_OPTIONS and _option_values(process.argv, _PORT_OPTIONS[process.server])
    )
