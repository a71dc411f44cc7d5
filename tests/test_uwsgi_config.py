"""uWSGI configuration files, ini and YAML, through the CLI: what FS0802, FS0801 and FS1103
read there, and that a bad file or a secret argument never leaks or crashes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def _findings(root: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("--no-cache", "--format", "json", *args, root)
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


def test_an_attached_program_is_named_without_its_arguments(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.ini").write_text(
        "[uwsgi]\nmodule = shop.wsgi\nattach-daemon = python worker.py --token=s3cr3t-Value-991\n"
    )
    [finding] = _findings(tmp_path, "--select", "FS0802")
    assert "`python worker.py`" in str(finding["message"])
    assert "s3cr3t" not in str(finding["message"])


def test_an_unclosed_quote_in_attach_daemon_is_skipped_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.ini").write_text("[uwsgi]\nattach-daemon = celery beat 'unclosed\n")
    result = run_cli("--no-cache", "--select", "FS0802", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_rq_with_its_scheduler_is_a_scheduler_and_a_plain_worker_a_notice(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.yaml").write_text(
        "uwsgi:\n  module: shop.wsgi\n  attach-daemon:\n    - rq worker --with-scheduler\n    - rq worker\n"
    )
    found = _findings(tmp_path, "--select", "FS0802")
    assert [(item["location"], item["severity"]) for item in found] == [
        ({"row": 4, "column": 7}, "warning"),
        ({"row": 5, "column": 7}, "info"),
    ]


def test_yaml_logto_fix_removes_only_its_line(tmp_path: Path) -> None:
    config = tmp_path / "uwsgi.yaml"
    config.write_text("uwsgi:\n  module: shop.wsgi\n  logto: /var/log/shop.log\n  master: true\n")
    result = run_cli("--no-cache", "--fix", "--select", "FS1103", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert config.read_text() == "uwsgi:\n  module: shop.wsgi\n  master: true\n"


def test_a_yaml_file_that_does_not_load_is_no_uwsgi_config(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.yaml").write_text("uwsgi:\n  logto: [unclosed\n  daemonize: /x.log\n")
    result = run_cli("--no-cache", "--select", "FS1103,FS0801,FS0802", tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert "FS1103" not in result.stdout
    assert "FS0801" not in result.stdout
