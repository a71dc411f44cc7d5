"""The running interpreter's standard library as a real-world corpus.

It holds test files with broken syntax, Python 2 code and odd encodings on
purpose: the scan must report each unparseable file as FS0001, finish with
exit code 0 or 1, and raise no internal error.
"""

from __future__ import annotations

import json
import sysconfig
import warnings
from pathlib import Path

import pytest

from .conftest import run_cli

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _unparseable(root: Path) -> set[Path]:
    broken = set()
    for path in root.rglob("*.py"):
        if "site-packages" in path.parts or path.is_symlink() or not path.is_file():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compile(path.read_bytes(), str(path), "exec", flags=1024)  # ast.PyCF_ONLY_AST
            except (SyntaxError, ValueError):
                broken.add(path)
    return broken


@pytest.mark.slow
def test_standard_library_scans_cleanly(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run_cli("--no-cache", "--format", "json", "--output", report, STDLIB, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr
    findings = json.loads(report.read_text(encoding="utf-8"))
    reported = {Path(f["filename"]) for f in findings if f["code"] == "FS0001"}
    assert reported == _unparseable(STDLIB)
