"""Suppressions hold in every fix round (issue 15, item 6).

FS0701 and FS0702 both rewrite gunicorn's `bind` string, so the second fix
applies in a later round, after the file is analysed again: that analysis
must honour `# noqa`, per-file-ignores and `--baseline` like the first.
"""

from __future__ import annotations

from .conftest import run_cli

GUNICORN = 'bind = "127.0.0.1:8000"{noqa}\nworkers = 2\n'


def test_noqa_holds_in_later_rounds(project) -> None:
    root = project({"gunicorn.conf.py": GUNICORN.format(noqa="  # noqa: FS0702")})
    run_cli("--fix", "--unsafe-fixes", "--select", "FS07", root)
    text = (root / "gunicorn.conf.py").read_text()
    assert "os.environ.get('PORT', '8000')" in text  # FS0701's fix, round 1
    assert "127.0.0.1" in text  # FS0702 is suppressed: the host stays


def test_per_file_ignores_hold_in_later_rounds(project) -> None:
    root = project(
        {
            "gunicorn.conf.py": GUNICORN.format(noqa=""),
            "pyproject.toml": '[tool.factorscan.per-file-ignores]\n"gunicorn.conf.py" = ["FS0702"]\n',
        }
    )
    run_cli("--fix", "--unsafe-fixes", "--select", "FS07", root)
    text = (root / "gunicorn.conf.py").read_text()
    assert "os.environ.get('PORT', '8000')" in text
    assert "127.0.0.1" in text


def test_baselined_findings_are_not_fixed(project) -> None:
    root = project({"app.py": 'import logging\n\nold = logging.FileHandler("old.log")\n'})
    run_cli("--write-baseline", root / "baseline.json", "--select", "FS11", root, cwd=root)
    (root / "app.py").write_text(
        'import logging\n\nold = logging.FileHandler("old.log")\nnew = logging.FileHandler("new.log")\n'
    )
    run_cli("--fix", "--baseline", root / "baseline.json", "--select", "FS11", root, cwd=root)
    text = (root / "app.py").read_text()
    assert 'old = logging.FileHandler("old.log")' in text  # accepted in the baseline: left alone
    assert "new = logging.StreamHandler(sys.stdout)" in text


def test_baseline_holds_in_later_rounds(project) -> None:
    root = project({"gunicorn.conf.py": 'bind = "127.0.0.1:8000"\n'})
    run_cli("--write-baseline", root / "baseline.json", "--select", "FS0702", root, cwd=root)
    # The baseline knows FS0702 on this line; FS0701 is new and rewrites the same string.
    run_cli(
        "--fix", "--unsafe-fixes", "--baseline", root / "baseline.json", "--select", "FS07", root, cwd=root
    )
    text = (root / "gunicorn.conf.py").read_text()
    assert "os.environ.get('PORT', '8000')" in text
    assert "127.0.0.1" in text
