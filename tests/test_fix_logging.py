"""Logging fixes keep what the program does with its handlers (issue 15, items 9 and 10)."""

from __future__ import annotations

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
