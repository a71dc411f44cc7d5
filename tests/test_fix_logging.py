"""Logging fixes keep what the program does with its handlers (issue 15, items 9 and 10)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from factorscan import api


@pytest.mark.parametrize(
    "use",
    [
        pytest.param("handler.doRollover()", id="doRollover"),
        pytest.param("print(handler.baseFilename)", id="baseFilename"),
        pytest.param("handler.rotator = None", id="rotator"),
    ],
)
def test_a_file_handler_whose_file_api_is_used_is_not_replaced(project, use: str) -> None:
    source = (
        "import logging.handlers\n\n"
        'handler = logging.handlers.RotatingFileHandler("app.log", maxBytes=1000, backupCount=2)\n'
        f"{use}\n"
    )
    root = project({"app.py": source})
    (finding,) = api.check([root], select=["FS1101"]).findings
    assert finding.fix is None
    api.fix([root], select=["FS1101"], unsafe=True)
    assert (root / "app.py").read_text() == source


# The interpreter that runs the apps: .ci/run gives one with Flask and loguru (Flask stays out
# of the test extras, as tests/test_dependencies.py needs an environment without it).
_APP_PYTHON = os.environ.get("FACTORSCAN_APP_PYTHON", sys.executable)


def _can_run(framework: str) -> bool:
    """Whether the app interpreter has `framework`; where one is given for the apps, it must."""
    probe = subprocess.run([_APP_PYTHON, "-c", f"import {framework}"], check=False, capture_output=True)
    found = probe.returncode == 0
    assert found or "FACTORSCAN_APP_PYTHON" not in os.environ, f"{_APP_PYTHON} cannot import {framework}"
    return found


def _console_lines(root, message: str) -> int:
    """How many times running app.py writes `message` to the console (stdout and stderr)."""
    completed = subprocess.run(
        [_APP_PYTHON, "app.py"], cwd=root, capture_output=True, text=True, timeout=60, check=True
    )
    return (completed.stdout + completed.stderr).count(message)


_FLASK_APP = """\
import logging

from flask import Flask

app = Flask(__name__)
handler = logging.FileHandler("app.log")
handler.setLevel(logging.INFO)
app.logger.addHandler(handler)
app.logger.warning("one line please")
"""

_FLASK_INLINE = """\
from logging.handlers import RotatingFileHandler

import flask

app = flask.Flask(__name__)
app.logger.addHandler(RotatingFileHandler("app.log", maxBytes=10000, backupCount=1))
app.logger.warning("one line please")
"""

_LOGURU_APP = """\
from loguru import logger

logger.add("app.log", rotation="1 MB", level="INFO")
logger.warning("one line please")
"""

_LOGURU_IN_FUNCTION = """\
from loguru import logger


def setup():
    logger.add("app.log", level="INFO")


setup()
logger.warning("one line please")
"""


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(_FLASK_APP, id="flask-handler-variable"),
        pytest.param(_FLASK_INLINE, id="flask-inline-handler"),
        pytest.param(_LOGURU_APP, id="loguru-default-sink"),
        pytest.param(_LOGURU_IN_FUNCTION, id="loguru-in-function"),
    ],
)
def test_a_fixed_log_destination_writes_each_line_once(project, source: str) -> None:
    """Flask's app.logger and loguru already stream to stderr: the fix must not add a second console sink.

    The program runs before and after the fix where its framework is installed
    (FACTORSCAN_APP_PYTHON, which .ci/run sets); the fixed text is checked everywhere.
    """
    root = project({"app.py": source})
    runnable = _can_run("flask" if "flask" in source else "loguru")
    if runnable:
        assert _console_lines(root, "one line please") == 1
        (root / "app.log").unlink()
    api.fix([root], select=["FS1101"])
    assert not api.check([root], select=["FS1101"]).findings
    fixed = (root / "app.py").read_text()
    assert "StreamHandler" not in fixed
    assert "sys.stdout" not in fixed
    if runnable:
        assert _console_lines(root, "one line please") == 1
        assert not (root / "app.log").exists()


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            "from loguru import logger\n\n"
            'logger.remove()\nlogger.add("app.log", level="INFO")\nlogger.warning("one line please")\n',
            id="loguru-default-sink-removed",
        ),
        pytest.param(
            "import logging\n\nfrom flask import Flask\nfrom flask.logging import default_handler\n\n"
            "app = Flask(__name__)\napp.logger.removeHandler(default_handler)\n"
            'app.logger.addHandler(logging.FileHandler("app.log"))\napp.logger.warning("one line please")\n',
            id="flask-default-handler-removed",
        ),
    ],
)
def test_without_the_default_console_sink_the_fix_streams_to_stdout(project, source: str) -> None:
    if not _can_run("flask" if "flask" in source else "loguru"):
        pytest.skip("the app interpreter lacks the framework: set FACTORSCAN_APP_PYTHON")
    root = project({"app.py": source})
    assert _console_lines(root, "one line please") == 0
    (root / "app.log").unlink()
    api.fix([root], select=["FS1101"])
    assert "sys.stdout" in (root / "app.py").read_text()
    assert _console_lines(root, "one line please") == 1
    assert not (root / "app.log").exists()
