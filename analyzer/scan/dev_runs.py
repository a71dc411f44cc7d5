"""Whether a server start that a rule reported is a developer's own run, judged once the
project's deployment is known (the `DevelopmentStart` facts come from `python/dev_runs.py`).

Such a finding stays, as a notice at `info`: plausible, but the deployment says it is not what
serves the app.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from factorscan.core.findings import Finding, Severity
from factorscan.deploy.container import Process
from factorscan.python.dev_runs import DevelopmentStart
from factorscan.scan.project import ProjectModel

# Servers that serve a web app in production.
_WEB_SERVERS = frozenset({"gunicorn", "uvicorn", "hypercorn", "daphne", "granian", "uwsgi", "waitress"})

# gunicorn reads ./gunicorn.conf.py by itself; other names need `-c`.
_AUTO_LOADED_CONFIGS = frozenset({"gunicorn.conf.py"})

# Folders where projects keep sample configuration for installs on a host (copied, then edited).
_SAMPLE_CONFIG_FOLDERS = frozenset({"contrib", "etc"})

# Files that say what runs: a server configuration module they name is in use.
_DEPLOY_KINDS = ("dockerfile", "procfile", "compose", "shell")


def development_reason(project: ProjectModel, relative: str, where: str) -> str | None:
    """Why the start at `where` in `relative` is not the app's service, or None when it may be."""
    processes = [declared.process for declared in project.processes]
    if where == "admin":
        command = PurePosixPath(relative).stem  # `python manage.py <command>`
        if any(process.runs_file(relative) or command in process.argv for process in processes):
            return None
        return "a server an admin command or script starts, not the app's service"
    if where == "devcommand":
        return "a server a development command starts"
    if where == "config":
        path = PurePosixPath(relative)
        if path.name in _AUTO_LOADED_CONFIGS or _SAMPLE_CONFIG_FOLDERS.isdisjoint(path.parts[:-1]):
            return None
        if _named_by_deployment(project, path):
            return None
        return "a sample server configuration for a host install; nothing in the project runs it"
    servers = [process for process in processes if process.server in _WEB_SERVERS]
    if any(_runs(process, relative, where) for process in processes):
        return None
    if servers:
        return f"a development run: the project's deployment serves the app with {servers[0].server}"
    # A `__main__` block runs only when Python runs its file, and the deployment runs others.
    scripts = [process.script or process.module for process in processes if process.is_python]
    named = [script for script in scripts if script]
    if where == "main" and named:
        return f"a development run: the project's deployment runs `{named[0]}`"
    return None


def _runs(process: Process, relative: str, where: str) -> bool:
    """A `__main__` block runs only when Python runs the file; a module-level start runs
    whenever anything loads the module."""
    if where == "main" and process.server is not None:
        return False
    return process.runs_file(relative)


def _named_by_deployment(project: ProjectModel, path: PurePosixPath) -> bool:
    for item in project.tree_files_of_kind(*_DEPLOY_KINDS):
        source = project.source(item.path)
        if source is not None and (str(path) in source.text or path.name in source.text):
            return True
    return False


def review_development_starts(findings: list[Finding], project: ProjectModel) -> list[Finding]:
    """`findings` of one rule, those at a development run lowered to `info` with the reason."""
    starts = project.facts(DevelopmentStart)
    if not starts:
        return findings
    reviewed = []
    for finding in findings:
        relative = project.relative(Path(finding.path).absolute())
        where = next(
            (
                start.where
                for start in starts.get(relative, ())
                if (start.row, start.column) == (finding.location.row, finding.location.column)
            ),
            None,
        )
        reason = development_reason(project, relative, where) if where is not None else None
        if reason is None or finding.severity is Severity.INFO:
            reviewed.append(finding)
        else:
            reviewed.append(finding.as_notice(reason))
    return reviewed
