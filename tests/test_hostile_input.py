"""Odd and hostile input: every case ends in a finding or a one-line message, never a traceback."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli

HANDLER = "import logging\nh = logging.FileHandler('a.log')\n"


def scan_json(root: Path, *args: str) -> tuple[int, list[dict], str]:
    result = run_cli("--format", "json", "--no-cache", *args, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout or "[]"), result.stderr


def by_file(findings: list[dict]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for finding in findings:
        grouped.setdefault(finding["filename"], []).append(finding["code"])
    return grouped


def test_encodings_bom_nul_and_binary(project) -> None:
    root = project(
        {
            "latin1_cookie.py": "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")
            + HANDLER.encode(),
            "latin1_no_cookie.py": b"name = 'caf\xe9'\n",
            "bom.py": b"\xef\xbb\xbf" + HANDLER.encode(),
            "nul.py": b"x = 1\x00\n",
            "binary.py": bytes(range(256)) * 4,
            "bad_cookie.py": b"# -*- coding: klingon -*-\nx = 1\n",
            "utf16.py": HANDLER.encode("utf-16"),
        }
    )
    code, findings, _ = scan_json(root)
    assert code == 1
    assert by_file(findings) == {
        "bad_cookie.py": ["FS0001"],
        "binary.py": ["FS0001"],
        "bom.py": ["FS1101"],
        "latin1_cookie.py": ["FS1101"],
        "latin1_no_cookie.py": ["FS0001"],
        "nul.py": ["FS0001"],
        "utf16.py": ["FS0001"],
    }
    messages = {f["filename"]: f["message"] for f in findings if f["code"] == "FS0001"}
    assert "cannot decode as utf-8" in messages["latin1_no_cookie.py"]
    assert "NUL" in messages["nul.py"]


def test_python2_empty_and_comment_only_files(project) -> None:
    root = project(
        {
            "py2.py": "import urllib2\nprint 'hi'\nexec code in ns\n",
            "empty.py": "",
            "comments.py": "# nothing here\n# at all\n",
            "only_newlines.py": "\n\n\n",
        }
    )
    code, findings, _ = scan_json(root)
    assert code == 1
    assert by_file(findings) == {"py2.py": ["FS0001"]}
    assert "Python 2" in findings[0]["message"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("-" * 10_000 + "1", "FS0001"),
        ("(" * 10_000 + "1" + ")" * 10_000, "FS0001"),
        ("a" + ".b" * 10_000, "FS0001"),
        ("1" + " + 1" * 20_000, "FS0001"),
        ("-" * 900 + "1", "FS0001"),
        ("f(" * 150 + ")" * 150, "FS1101"),
        ("-" * 100 + "1", "FS1101"),
    ],
    ids=["unary-10k", "parens-10k", "attributes-10k", "additions-20k", "unary-900", "calls-150", "unary-100"],
)
def test_deep_nesting_never_crashes(project, expression: str, expected: str) -> None:
    """libcst's native parser crashes or crawls on deep nesting; ast sees it first."""
    root = project(
        {"deep.py": f"import logging\nx = {expression}\nlogging.FileHandler('a.log')\n", "ok.py": HANDLER}
    )
    code, findings, _ = scan_json(root)
    assert code == 1
    assert by_file(findings) == {"deep.py": [expected], "ok.py": ["FS1101"]}


def test_huge_file_is_skipped_with_a_warning(project) -> None:
    root = project({"pyproject.toml": "[tool.factorscan]\nmax-file-size = 100000\n", "ok.py": HANDLER})
    with (root / "huge.py").open("w") as handle:
        for index in range(20_000):
            handle.write(f"value_{index} = {index}\n")
    code, findings, stderr = scan_json(root)
    assert code == 1
    assert by_file(findings) == {"ok.py": ["FS1101"]}
    assert "huge.py: skipped" in stderr
    assert "max-file-size" in stderr


def test_fifty_megabyte_file_is_skipped_by_default(project) -> None:
    root = project({"ok.py": HANDLER})
    with (root / "generated.py").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, findings, stderr = scan_json(root)
    assert code == 1
    assert by_file(findings) == {"ok.py": ["FS1101"]}
    assert "generated.py: skipped, 52428800 bytes is over max-file-size" in stderr


def test_unreadable_and_vanished_files(project) -> None:
    root = project({"ok.py": HANDLER})
    (root / "vanished.py").symlink_to(root / "gone.py")  # what a file deleted mid-scan looks like
    code, findings, stderr = scan_json(root, ".", "vanished.py", "/proc/self/mem")
    assert code == 1
    assert by_file(findings) == {"ok.py": ["FS1101"]}
    assert "vanished.py: cannot read" in stderr
    assert "/proc/self/mem: cannot read" in stderr


# Linux capabilities that let root read a file whatever its mode (linux/capability.h).
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2
_PR_CAPBSET_DROP = 24


def _without_file_read_override() -> None:
    """In the child, before exec: root keeps its uid but loses the right to ignore file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_permission_denied(project) -> None:
    """CI runs as root, which reads any file: the scan runs there without that capability."""
    root = project({"ok.py": HANDLER, "secret.py": HANDLER})
    (root / "secret.py").chmod(0)
    result = subprocess.run(
        [sys.executable, "-m", "factorscan", "--format", "json", "--no-cache"],
        cwd=root,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_without_file_read_override if os.geteuid() == 0 else None,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert by_file(json.loads(result.stdout)) == {"ok.py": ["FS1101"]}
    assert "secret.py: cannot read: Permission denied" in result.stderr


def test_paths_with_spaces_and_non_ascii_names(project) -> None:
    root = project({"my app/caf\u00e9 logs.py": HANDLER, "\u65e5\u672c/\u30ed\u30b0.py": HANDLER})
    code, findings, _ = scan_json(root)
    assert code == 1
    assert sorted(by_file(findings)) == ["my app/caf\u00e9 logs.py", "\u65e5\u672c/\u30ed\u30b0.py"]
    concise = run_cli("--format", "concise", "my app", cwd=root)
    assert concise.stdout.startswith("my app/caf\u00e9 logs.py:2:5: FS1101")


def test_directory_named_like_a_file_and_symlink_loop(project) -> None:
    root = project({"pkg.py/inside.py": HANDLER})
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "escape").symlink_to("/usr/lib", target_is_directory=True)
    code, findings, _ = scan_json(root)
    assert code == 1
    assert by_file(findings) == {"pkg.py/inside.py": ["FS1101"]}


def test_invalid_pyproject_is_one_line_exit_2(project) -> None:
    root = project({"pyproject.toml": b"[tool.factorscan\n\xff\xfe", "ok.py": HANDLER})
    result = run_cli(cwd=root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "pyproject.toml: invalid TOML" in result.stderr
