"""Configuration files that are not Python, through the CLI: uWSGI ini and YAML (FS0802,
FS0801, FS1103), JSON and TOML logging configs (FS1101), hypercorn's TOML settings (FS1103);
and that a bad file or a secret argument never leaks or crashes."""

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


_JSON_CONFIG = """{
  "version": 1,
  "handlers": {
    "file": {"class": "logging.handlers.RotatingFileHandler", "filename": "app.log"},
    "console": {"class": "logging.StreamHandler"}
  }
}
"""


def test_a_json_logging_config_is_reported_at_its_file_handler(tmp_path: Path) -> None:
    (tmp_path / "logging.json").write_text(_JSON_CONFIG)
    [finding] = _findings(tmp_path, "--select", "FS1101")
    assert finding["location"] == {"row": 4, "column": 23}
    assert "RotatingFileHandler" in str(finding["message"])


def test_json_without_version_or_under_another_name_is_not_a_logging_config(tmp_path: Path) -> None:
    (tmp_path / "logging.json").write_text(_JSON_CONFIG.replace('"version": 1,', '"name": "x",'))
    (tmp_path / "handlers.json").write_text(_JSON_CONFIG)  # no "log" in the name: not read
    assert _findings(tmp_path, "--select", "FS1101") == []


def test_a_toml_logging_config_is_reported_at_the_class_line(tmp_path: Path) -> None:
    (tmp_path / "log_config.toml").write_text(
        'version = 1\n\n[handlers.console]\nclass = "logging.StreamHandler"\n\n'
        '[handlers.file]\nclass = "logging.FileHandler"  # rotated\nfilename = "app.log"\n'
    )
    [finding] = _findings(tmp_path, "--select", "FS1101")
    assert finding["location"] == {"row": 7, "column": 9}
    assert finding["end_location"] == {"row": 7, "column": 30}


def test_broken_json_and_toml_configs_are_skipped_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "logging.json").write_text('{"version": 1, "handlers": {"file": ')
    (tmp_path / "logging.toml").write_text("version = 1\n[handlers.file\nclass = 'logging.FileHandler'\n")
    (tmp_path / "hypercorn.toml").write_text('accesslog = "/var/log/a.log\n')
    result = run_cli("--no-cache", "--select", "FS1101,FS1103", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_hypercorn_unquoted_or_stdout_values_get_no_fix_or_no_finding(tmp_path: Path) -> None:
    (tmp_path / "hypercorn.toml").write_text('accesslog = "-"\nerrorlog = """/var/log/e.log"""\n')
    [finding] = _findings(tmp_path, "--select", "FS1103")
    assert "errorlog" in str(finding["message"])
    assert finding["fix"] is None


def test_smart_daemons_skip_their_pidfile_and_legion_daemons_run_once(tmp_path: Path) -> None:
    """`smart-attach-daemon` starts with the pidfile it watches; a `legion-` daemon runs only
    on the legion's lord node, once for the whole cluster: not one per replica."""
    (tmp_path / "uwsgi.ini").write_text(
        "[uwsgi]\n"
        "smart-attach-daemon = /tmp/beat.pid celery -A shop beat --pidfile=/tmp/beat.pid\n"
        "smart-attach-daemon2 = /tmp/w.pid python worker.py\n"
        "legion-attach-daemon = shop-legion celery -A shop beat\n"
        "legion-smart-attach-daemon = shop-legion /tmp/x.pid cron -f\n"
    )
    found = _findings(tmp_path, "--select", "FS0802")
    assert [(item["location"]["row"], item["severity"]) for item in found] == [(2, "warning"), (3, "info")]
    assert "`celery beat`" in str(found[0]["message"])
    assert "`python worker.py`" in str(found[1]["message"])


def test_uwsgi_cron_runs_its_command_in_every_instance(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.ini").write_text(
        "[uwsgi]\n"
        "cron = 0 3 -1 -1 -1 python manage.py clearsessions\n"
        "cron2 = hour=4,minute=0 /app/bin/backup.sh --all\n"
        "legion-cron = shop-legion 0 5 -1 -1 -1 python manage.py sendreports\n"
    )
    found = _findings(tmp_path, "--select", "FS0802")
    assert [(item["location"]["row"], item["severity"]) for item in found] == [(2, "warning"), (3, "warning")]
    assert "`python manage.py clearsessions`" in str(found[0]["message"])
    assert "`backup.sh`" in str(found[1]["message"])


def test_uwsgi_hooks_that_migrate_are_notices_and_others_are_not(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.yaml").write_text(
        "uwsgi:\n"
        "  hook-as-root: exec-as-root:alembic upgrade head\n"
        "  hook-pre-app: mount:none /tmp tmpfs\n"
        "  exec-pre-app: sh -c 'python manage.py collectstatic --noinput'\n"
        '  exec-post-app: "flask db upgrade \'unclosed"\n'
    )
    found = _findings(tmp_path, "--select", "FS1201")
    assert [(item["location"]["row"], item["severity"]) for item in found] == [(2, "info")]
    assert "`alembic upgrade`" in str(found[0]["message"])
