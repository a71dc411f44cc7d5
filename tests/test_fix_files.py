"""What `--fix` does to the file system: links, read-only files, owners, and files that are not files.

A fix writes a file the user keeps under version control, deploys or shares
between checkouts: it must never turn a symlink into a copy, split hard links,
write a file its owner made read-only, or hand a file to another owner. A
FIFO or device named like a module must never be opened, or the scan hangs.
"""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from .conftest import run_cli

HANDLER = "import logging\n\nh = logging.FileHandler('a.log')\n"
FIXED_MARK = "logging.StreamHandler(sys.stdout)"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types and owners")


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("factorscan: warning:")]


@posix_only
def test_a_symlink_named_on_the_command_line_stays_a_link_and_its_target_is_untouched(project) -> None:
    root = project({"real/app.py": HANDLER})
    link = root / "app.py"
    link.symlink_to(root / "real" / "app.py")
    result = run_cli("--fix", "--no-cache", "app.py", cwd=root)
    assert "Traceback" not in result.stderr
    assert link.is_symlink(), "the fix replaced the link with a copy"
    assert (root / "real" / "app.py").read_text() == HANDLER
    assert _warnings(result.stderr) == [
        "factorscan: warning: app.py: not fixed: it is a symbolic link; fix its target (real/app.py) instead"
    ]
    assert result.returncode == 1  # the finding remains


@posix_only
def test_a_read_only_file_is_left_alone_with_a_warning(project) -> None:
    root = project({"app.py": HANDLER, "other.py": HANDLER})
    (root / "app.py").chmod(0o444)
    result = run_cli("--fix", "--no-cache", ".", cwd=root)
    assert (root / "app.py").read_text() == HANDLER
    assert stat.S_IMODE((root / "app.py").stat().st_mode) == 0o444
    assert FIXED_MARK in (root / "other.py").read_text()  # the writable file is fixed
    assert _warnings(result.stderr) == ["factorscan: warning: app.py: not fixed: it is read-only"]
    assert result.returncode == 1


@posix_only
def test_hard_links_are_not_split(project) -> None:
    root = project({"app.py": HANDLER})
    (root / "twin.txt").hardlink_to(root / "app.py")
    result = run_cli("--fix", "--no-cache", ".", cwd=root)
    assert os.path.samefile(root / "app.py", root / "twin.txt"), "the fix split the hard link"
    assert (root / "app.py").read_text() == HANDLER
    assert _warnings(result.stderr) == [
        "factorscan: warning: app.py: not fixed: it has 2 hard links, which a rewrite would split"
    ]


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give files away")
def test_a_fix_run_by_root_keeps_the_owner_and_mode(project) -> None:
    root = project({"app.py": HANDLER})
    target = root / "app.py"
    os.chown(target, 65534, 65534)
    target.chmod(0o640)
    result = run_cli("--fix", "--no-cache", ".", cwd=root)
    assert result.returncode == 0, result.stderr
    assert FIXED_MARK in target.read_text()
    status = target.stat()
    assert (status.st_uid, status.st_gid) == (65534, 65534)
    assert stat.S_IMODE(status.st_mode) == 0o640


@posix_only
@pytest.mark.parametrize("fix", [False, True])
def test_a_fifo_named_like_a_module_is_never_opened(project, fix: bool) -> None:
    root = project({"app.py": HANDLER})
    os.mkfifo(root / "pipe.py")
    options = ["--fix"] if fix else []
    walked = run_cli(*options, "--no-cache", "--format", "json", ".", cwd=root, timeout=20)
    assert "Traceback" not in walked.stderr
    if not fix:
        assert [item["filename"] for item in json.loads(walked.stdout)] == ["app.py"]
    assert "pipe.py" not in walked.stderr  # not found by the walk at all
    named = run_cli(*options, "--no-cache", "--format", "json", "pipe.py", cwd=root, timeout=20)
    assert "Traceback" not in named.stderr
    assert _warnings(named.stderr) == ["factorscan: warning: pipe.py: skipped, not a regular file"]
    assert named.returncode == 0
    assert stat.S_ISFIFO((root / "pipe.py").stat().st_mode)


@posix_only
def test_the_env_command_skips_a_fifo_too(project) -> None:
    root = project({"app.py": "import os\nPORT = os.environ['PORT']\n"})
    os.mkfifo(root / "pipe.py")
    result = run_cli("env", ".", cwd=root, timeout=20)
    assert result.returncode == 0, result.stderr
    assert "PORT" in result.stdout
