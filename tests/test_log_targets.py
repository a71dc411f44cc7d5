"""What counts as a file for FS1101 when a log target is not a plain string (checks/logs/_shared),
and the field-name stand-in of FS0301 (checks/config/_secret_context): edges no rule example
reached, through factorscan.api."""

from __future__ import annotations

from pathlib import Path

import pytest

from factorscan import api
from tests.conftest import write_project


def _codes(tmp_path: Path, code: str, select: str) -> list[int]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    write_project(tmp_path, {"app.py": code})
    return [f.location.row for f in api.check([tmp_path], select=[select]).findings if f.code == select]


@pytest.mark.parametrize(
    "sink",
    [
        'f"logs/{name}.log"',
        'BASE / "logs" / "app.log"',
        'Path("logs/app.log")',
        'os.path.join("logs", "app.log")',
    ],
)
def test_loguru_file_sinks_written_as_paths(tmp_path: Path, sink: str) -> None:
    code = (
        "import os\nfrom pathlib import Path\n\nfrom loguru import logger\n\n"
        f'BASE = Path(__file__).parent\nname = "shop"\nlogger.add({sink})\n'
    )
    assert _codes(tmp_path, code, "FS1101") == [8]


@pytest.mark.parametrize("sink", ["sys.stderr", 'os.environ["LOG_SINK"]', "handler"])
def test_loguru_sinks_that_are_no_path(tmp_path: Path, sink: str) -> None:
    code = f"import os\nimport sys\n\nfrom loguru import logger\n\nhandler = print\nlogger.add({sink})\n"
    assert _codes(tmp_path, code, "FS1101") == []


def test_a_stream_handler_on_a_path_opened_by_its_method(tmp_path: Path) -> None:
    code = (
        "import logging\nfrom pathlib import Path\n\n"
        'handler = logging.StreamHandler(Path("app.log").open("a"))\n'
        "logging.getLogger().addHandler(handler)\n"
    )
    assert _codes(tmp_path, code, "FS1101") == [4]


def test_a_secret_looking_value_that_is_a_key_of_its_own_dict_is_a_field_name(tmp_path: Path) -> None:
    schema = 'FIELDS = {"zebraCrossingHorse": {"kind": "str"}, "password": "zebraCrossingHorse"}\n'
    assert _codes(tmp_path, schema, "FS0301") == []
    plain = 'FIELDS = {"password": "zebraCrossingHorse"}\n'
    assert _codes(tmp_path, plain, "FS0301") == [1]
