"""Security promises, each watched from inside the real process with an audit hook.

A `sitecustomize.py` on PYTHONPATH installs `sys.addaudithook` in the
factorscan process (and so in its forked workers). It records and refuses
every network operation and every program start, and records any code object
executed from the scanned tree: importing, exec-ing or runpy-ing a scanned
module all go through `exec`, so that event catches execution even where a
planted marker file would not. Planted modules also write marker files when
they run, as a second witness.

- No network: scans, `--fix` and `factorscan env` over real fixtures (an app
  with a Dockerfile and requirements) open no socket and resolve no name.
- No code execution: setup.py, conftest.py, noxfile.py, a build backend, a
  gunicorn config module, package `__init__`s, side-effect modules, a `.pth`
  file and modules named like the standard library are scanned in every
  format, fixed, diffed, read by `factorscan env` and the flake8 plugin, and
  none runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from factorscan.output.reporters import FORMATS

from .conftest import FIXTURES, write_project

BIN = Path(sys.executable).parent

AUDIT_HOOK = """
import os
import socket
import sys

_LOG = os.environ["FACTORSCAN_AUDIT_LOG"]
_WATCH = os.environ["FACTORSCAN_AUDIT_WATCH"]  # the scanned tree
_NETWORK = frozenset(
    "socket." + name
    for name in (
        "connect", "bind", "getaddrinfo", "gethostbyname", "gethostbyaddr",
        "getnameinfo", "sendto", "sendmsg",
    )
)
_PROGRAMS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"})


_recording = False


def _record(kind, detail):
    global _recording
    if _recording:  # writing the log raises an "open" event of its own
        return
    _recording = True
    try:
        handle = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(handle, f"{kind}\\t{detail}\\n".encode("utf-8", "backslashreplace"))
        os.close(handle)
    finally:
        _recording = False


def _path(value):
    if isinstance(value, (str, bytes, os.PathLike)):
        return os.fsdecode(value)
    return ""


def _hook(event, args):
    if event in _NETWORK or (event == "socket.__new__" and args[1] != socket.AF_UNIX):
        _record("network", repr((event, args[1:])))
        raise PermissionError(f"network access ({event}) is blocked in this test")
    if event in _PROGRAMS and event != "os.fork":
        _record("program", repr((event, args)))
        raise PermissionError(f"starting a program ({event}) is blocked in this test")
    if event == "exec":
        filename = getattr(args[0], "co_filename", "")
        if filename.startswith(_WATCH):
            _record("exec", filename)
            raise PermissionError(f"executing scanned code ({filename}) is blocked in this test")
    if event in ("open", "os.listdir", "os.scandir"):
        path = _path(args[0])
        if path:
            path = os.path.abspath(path)
            if path == _WATCH or path.startswith(_WATCH + os.sep):
                _record(event, path)


sys.addaudithook(_hook)
"""


@dataclass
class Audited:
    returncode: int
    stdout: str
    stderr: str
    events: list[tuple[str, str]]

    def of(self, *kinds: str) -> list[str]:
        return [detail for kind, detail in self.events if kind in kinds]


def audit_environment(tmp_path: Path, watch: Path) -> tuple[dict[str, str], Path]:
    """Environment variables that install the audit hook in a Python process, and its log."""
    hook_dir = tmp_path / "audit"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = hook_dir / "events.log"
    log.touch()
    environment = {
        **os.environ,
        "NO_COLOR": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
        "FACTORSCAN_AUDIT_LOG": str(log),
        "FACTORSCAN_AUDIT_WATCH": str(watch.resolve()),
    }
    environment.pop("FORCE_COLOR", None)
    return environment, log


def read_events(log: Path) -> list[tuple[str, str]]:
    lines = log.read_text(encoding="utf-8").splitlines()
    return [(kind, detail) for kind, _, detail in (line.partition("\t") for line in lines)]


def run_audited(command: list[str], cwd: Path, tmp_path: Path, stdin: bytes | None = None) -> Audited:
    """`command` with the audit hook installed, watching the scanned tree `cwd`."""
    environment, log = audit_environment(tmp_path, cwd)
    completed = subprocess.run(
        command, cwd=cwd, env=environment, input=stdin, capture_output=True, timeout=300, check=False
    )
    return Audited(
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
        read_events(log),
    )


def factorscan(*args: str) -> list[str]:
    """As users run it: the console script (its folder, not the working one, starts sys.path)."""
    return [str(BIN / "factorscan"), *args]


def assert_contained(result: Audited, expected_codes: tuple[int, ...] = (0, 1)) -> None:
    assert result.returncode in expected_codes, result.stderr
    assert "Traceback" not in result.stderr
    assert result.of("network") == []
    assert result.of("program") == []
    assert result.of("exec") == []


# -- no network ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "arguments"),
    [
        pytest.param("demo_app", ["--no-cache", "--format", "sarif", "."], id="demo_app-scan"),
        pytest.param("demo_app", ["--fix", "--unsafe-fixes", "."], id="demo_app-fix"),
        pytest.param("demo_app", ["env", "--format", "k8s", "."], id="demo_app-env"),
        pytest.param("media_worker", ["--no-cache", "."], id="media_worker-scan"),
    ],
)
def test_no_network_access(fixture: str, arguments: list[str], tmp_path: Path) -> None:
    # Real apps with a Dockerfile and a requirements.txt (copied: --fix writes).
    assert (FIXTURES / fixture / "Dockerfile").is_file()
    assert (FIXTURES / fixture / "requirements.txt").is_file()
    fixture_copy = Path(shutil.copytree(FIXTURES / fixture, tmp_path / fixture))
    result = run_audited(factorscan(*arguments), fixture_copy, tmp_path)
    assert_contained(result)
    assert result.stdout.strip()  # the command did its work
    if arguments[0] == "--fix" and fixture_copy.name == "demo_app":
        original = FIXTURES / "demo_app"
        changed = [
            path.name
            for path in original.rglob("*")
            if path.is_file()
            and path.read_bytes() != (fixture_copy / path.relative_to(original)).read_bytes()
        ]
        assert changed  # fixes were written


def test_the_audit_hook_sees_network_access(tmp_path: Path) -> None:
    """The hook is live in the child: a connection attempt is refused and recorded."""
    environment, log = audit_environment(tmp_path, tmp_path)
    code = "import socket\ntry:\n    socket.create_connection(('localhost', 9))\nexcept PermissionError:\n    pass\n"
    subprocess.run([sys.executable, "-c", code], env=environment, check=True, timeout=60)
    assert [kind for kind, _ in read_events(log)] == ["network"]


# -- no code execution -----------------------------------------------------------------

# Standard library modules factorscan imports after start-up: a scanned project's
# copy must not shadow them.
SHADOWED_STDLIB = ("csv", "difflib", "fnmatch", "json", "shlex", "textwrap", "tomllib", "uuid")


def _planted(markers: Path) -> dict[str, str]:
    def side_effect(name: str) -> str:
        return f"open({str(markers / name)!r}, 'w').close()\n"

    files = {
        "setup.py": side_effect("setup.py")
        + "from setuptools import setup\n\nsetup(name='planted', install_requires=['flask', 'gunicorn'])\n",
        "planted_backend.py": side_effect("planted_backend.py"),
        "pyproject.toml": """
            [build-system]
            requires = ["setuptools"]
            build-backend = "planted_backend"
            backend-path = ["."]

            [project]
            name = "planted"
            version = "1.0"
            dependencies = ["flask", "gunicorn", "psycopg2"]
            """,
        "requirements.txt": "flask\ngunicorn\npsycopg2\n",
        "conftest.py": side_effect("conftest.py") + "import pytest\n",
        "noxfile.py": side_effect("noxfile.py") + "import nox\n",
        "manage.py": side_effect("manage.py")
        + "import os\nimport sys\n\nif __name__ == '__main__':\n"
        + "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'app.settings')\n",
        "gunicorn.conf.py": side_effect("gunicorn.conf.py")
        + 'bind = "127.0.0.1:8000"\naccesslog = "/var/log/app/access.log"\nerrorlog = "/var/log/app/error.log"\n',
        "sitecustomize.py": side_effect("sitecustomize.py"),
        "usercustomize.py": side_effect("usercustomize.py"),
        "zz_planted.pth": f"import os; open({str(markers / 'zz_planted.pth')!r}, 'w').close()\n",
        "__init__.py": side_effect("__init__.py"),
        "app/__init__.py": side_effect("app/__init__.py"),
        "app/settings.py": side_effect("app/settings.py")
        + "DEBUG = True\nSECRET_KEY = 'k3J9x!2mQ7p@Lz8vR4tW6yB1nC5dF0gH'\n"
        + "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'db.internal', "
        + "'PASSWORD': 'Xq7!mP2#vL9@tR4w'}}\n",
        "app/side_effects.py": side_effect("app/side_effects.py")
        + textwrap.dedent(
            """
            import logging

            import psycopg2
            from flask import Flask

            app = Flask(__name__)
            handler = logging.FileHandler("app.log")
            conn = psycopg2.connect("postgresql://app:Sup3rS3cret@db.internal:5432/app")

            if __name__ == "__main__":
                app.run(port=5000)
            """
        ),
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r requirements.txt\n"
        "CMD gunicorn -c gunicorn.conf.py app.side_effects:app\n",
        "Procfile": "web: gunicorn -c gunicorn.conf.py app.side_effects:app\nworker: python manage.py\n",
    }
    for module in SHADOWED_STDLIB:
        files[f"{module}.py"] = side_effect(f"{module}.py")
    return files


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """(project, markers folder): every planted file writes its marker when it runs."""
    markers = tmp_path / "markers"
    markers.mkdir()
    root = write_project(tmp_path / "planted", _planted(markers))
    (root / ".git").mkdir()
    return root, markers


def _check_not_run(result: Audited, markers: Path) -> None:
    assert_contained(result)
    assert sorted(path.name for path in markers.iterdir()) == []


# The console script's entry point run once per format in one audited process (one
# start-up instead of nine); as a file, so its folder rather than the project starts sys.path.
EVERY_FORMAT = """
import json
import sys

from factorscan.cli import main
from factorscan.output.reporters import FORMATS

reports = sys.argv[1]
codes = {name: main(["--no-cache", "--format", name, "--output", f"{reports}/{name}", "."]) for name in FORMATS}
print(json.dumps(codes))
"""


def test_scanning_in_every_format_runs_no_scanned_code(planted: tuple[Path, Path], tmp_path: Path) -> None:
    root, markers = planted
    driver = tmp_path / "every_format.py"
    driver.write_text(EVERY_FORMAT, encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    result = run_audited([sys.executable, str(driver), str(reports)], root, tmp_path)
    _check_not_run(result, markers)
    assert json.loads(result.stdout) == dict.fromkeys(FORMATS, 1)  # the planted findings were reported
    assert all((reports / name).stat().st_size for name in FORMATS)


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["--fix", "--unsafe-fixes", "."], id="fix"),
        pytest.param(["--diff", "--unsafe-fixes", "."], id="diff"),
        pytest.param(["env", "."], id="env"),
        pytest.param(["env", "--format", "dotenv", "."], id="env-dotenv"),
        pytest.param(["--stdin-filename", "app/side_effects.py", "--fix"], id="stdin-fix"),
    ],
)
def test_fixing_and_env_run_no_scanned_code(
    planted: tuple[Path, Path], tmp_path: Path, arguments: list[str]
) -> None:
    root, markers = planted
    stdin = (root / "app" / "side_effects.py").read_bytes() if "--stdin-filename" in arguments else None
    before = (root / "app" / "side_effects.py").read_bytes()
    result = run_audited(factorscan(*arguments), root, tmp_path, stdin=stdin)
    _check_not_run(result, markers)
    if arguments[0] == "--fix":
        assert (root / "app" / "side_effects.py").read_bytes() != before  # fixes were written


def test_python_dash_m_in_the_project_does_not_import_its_modules(
    planted: tuple[Path, Path], tmp_path: Path
) -> None:
    """`python -m factorscan` puts the working directory on sys.path; the project's
    csv.py, difflib.py or tomllib.py must not replace the standard library's."""
    root, markers = planted
    result = run_audited([sys.executable, "-m", "factorscan", "--no-cache", "--diff", "."], root, tmp_path)
    _check_not_run(result, markers)


def test_flake8_plugin_runs_no_scanned_code(planted: tuple[Path, Path], tmp_path: Path) -> None:
    root, markers = planted
    result = run_audited([str(BIN / "flake8"), "--isolated", "--select", "FS", "."], root, tmp_path)
    _check_not_run(result, markers)
    assert "FS1101" in result.stdout  # the plugin ran and reported


def test_the_audit_hook_sees_an_import_of_scanned_code(planted: tuple[Path, Path], tmp_path: Path) -> None:
    """Without the hook's refusal the marker would appear: the witness works."""
    root, markers = planted
    result = run_audited([sys.executable, "-c", "import app.side_effects"], root, tmp_path)
    assert result.returncode != 0
    assert result.of("exec") == [str((root / "app" / "__init__.py").resolve())]
    assert list(markers.iterdir()) == []


def test_diff_base_runs_no_program_the_repository_names(tmp_path: Path) -> None:
    """`--diff-base` runs git (the one program factorscan starts), and a repository's
    .git/config can name a program git runs itself: core.fsmonitor on `git diff`."""
    root = write_project(tmp_path / "repo", {"app.py": "import logging\n"})
    marker = tmp_path / "fsmonitor-ran"

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=60)

    git("init", "-q")
    git("add", "app.py")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init")
    git("config", "core.fsmonitor", f"touch {marker}; false")
    (root / "app.py").write_text("import logging\nhandler = logging.FileHandler('a.log')\n")
    result = subprocess.run(
        factorscan("--no-cache", "--diff-base", "HEAD", "--format", "concise", "."),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "FS1101" in result.stdout  # the changed line was reported
    assert not marker.exists()
