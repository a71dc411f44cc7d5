"""Ctrl-C during `factorscan --fix`: every file is left old or new, never half-written.

The CLI runs as a subprocess over a project of many small fixable files and is
interrupted like a terminal does it (SIGINT to the whole process group, pool
workers included) at points that are detected, not guessed: while the process
pool is scanning, as the first file is replaced, and a little into the writes.
The fully fixed content comes from the API on the same files, without writing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from factorscan import api

from .conftest import write_project

FILES = 300  # enough for a write phase of ~0.1 s to interrupt mid-way

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not Path("/proc/self/task").is_dir(),
    reason="process groups and /proc (Linux) are needed to interrupt at known points",
)


def _module(index: int) -> str:
    if index % 2:
        return f'import logging\n\nhandler = logging.FileHandler("app{index}.log")\n'
    # Two fixes, two imports to add.
    return (
        "import logging\n\n"
        f'logging.basicConfig(filename="worker{index}.log", level=logging.INFO)\n'
        "DEBUG = True\n"
    )


@pytest.fixture(scope="module")
def fixable(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """(project, original bytes by name, fully fixed bytes by name)."""
    root = tmp_path_factory.mktemp("many") / "project"
    (root / ".git").mkdir(parents=True)
    write_project(root, {f"mod_{i:04d}.py": _module(i) for i in range(FILES)})
    original = {path.name: path.read_bytes() for path in root.glob("*.py")}
    changes, problems = api.fix([root], write=False)
    assert problems == []
    fixed = {Path(c.source.path).name: c.source.encode(c.new_text) for c in changes if c.changed}
    assert fixed.keys() == original.keys()
    return root, original, fixed


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _wait(process: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert process.poll() is None, "factorscan finished before the point of interruption"
        assert time.monotonic() < deadline
        time.sleep(0.001)


@pytest.mark.parametrize(
    ("moment", "delay", "whole_group"),
    [
        ("scanning", 0.0, True),  # Ctrl-C in a terminal: the pool's workers get it too
        ("first-write", 0.0, True),
        ("writing", 0.02, False),  # `kill -INT <pid>`: only factorscan itself
    ],
)
def test_interrupted_fix_leaves_each_file_old_or_new(
    fixable: tuple[Path, dict[str, bytes], dict[str, bytes]],
    tmp_path: Path,
    moment: str,
    delay: float,
    whole_group: bool,
) -> None:
    source, original, fixed = fixable
    root = tmp_path / "project"
    shutil.copytree(source, root)
    first = root / min(original)  # files are written in path order
    environment = {**os.environ, "NO_COLOR": "1"}
    # A terminal's job gets SIGINT's default action, but a test run started in the background
    # of a non-interactive shell inherits SIGINT ignored (POSIX), and an ignored signal stays
    # ignored across exec: catch it here for the moment of the fork, so the child starts
    # with the default.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "factorscan", "--fix", "--no-cache", "--jobs", "2", "-q", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    try:
        if moment == "scanning":
            _wait(process, lambda: bool(_children(process.pid)))
        else:
            _wait(process, lambda: first.read_bytes() != original[first.name])
        time.sleep(delay)
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 130, stderr
    names = {path.name for path in root.iterdir()}
    assert names == {*original, ".git"}, "a temporary file was left behind"
    states = {"old": 0, "new": 0}
    for name, data in original.items():
        content = (root / name).read_bytes()
        assert content in (data, fixed[name]), f"{name} is neither its original nor its fixed version"
        states["old" if content == data else "new"] += 1
    if moment == "scanning":
        assert states["new"] == 0
        assert stderr.decode() == "factorscan: interrupted\n"
    else:
        assert states["new"] >= 1
        # The user must know how far it got: the count is exact, not an estimate.
        assert stderr.decode() == (
            f"factorscan: interrupted after writing {states['new']} of {FILES} fixed files; "
            f"the other {states['old']} are untouched\n"
        )


def test_a_file_changed_during_the_fix_is_left_to_its_writer(
    fixable: tuple[Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    """Another writer (an editor saving) changes a file after factorscan read it:
    that file keeps the other writer's content, every other file is fixed."""
    source, original, fixed = fixable
    root = tmp_path / "project"
    shutil.copytree(source, root)
    last = root / max(original)  # written last, seconds after the scan read it
    edited = b'import logging\n\nhandler = logging.FileHandler("edited.log")\n'
    process = subprocess.Popen(
        [sys.executable, "-m", "factorscan", "--fix", "--no-cache", "--jobs", "2", "-q", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        # The pool starts once every file has been read.
        _wait(process, lambda: bool(_children(process.pid)))
        last.write_bytes(edited)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 1, stderr  # the edited file's finding remains
    assert stderr.decode().splitlines() == [
        f"factorscan: warning: {last}: not fixed: it changed after it was read; run again"
    ]
    assert last.read_bytes() == edited
    for name in original:
        if name != last.name:
            assert (root / name).read_bytes() == fixed[name], name
    assert {path.name for path in root.iterdir()} == {*original, ".git"}
