"""Speed machinery (issue 19): what --profile counts, what the cache keeps between runs,
and the bounds that keep memory flat. Findings never depend on any of it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import run_cli

_VENV_INFO = ".venv/lib/python3.12/site-packages"
_PROVIDER = {
    "requirements.txt": "acme-toolkit==1.0\n",
    "app.py": "import anvil\n",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    f"{_VENV_INFO}/acme_toolkit-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-toolkit\nVersion: 1.0\n",
    f"{_VENV_INFO}/acme_toolkit-1.0.dist-info/top_level.txt": "anvil\n",
}


def _profile(stderr: str) -> dict[str, float]:
    figures = {}
    for line in stderr.splitlines():
        match = re.match(r"^(\S.*?)\s{2,}(\d+(?:\.\d+)?)$", line.strip())
        if match:
            figures[match[1]] = float(match[2])
    return figures


def test_profile_counts_the_bytes_libcst_parses(project) -> None:
    """Only files where a rule's trigger occurs reach libcst, and --profile says how much."""
    logging_file = "import logging\nlogging.basicConfig(filename='app.log')\n"
    root = project({"app.py": logging_file, "plain.py": "x = 1\n"})
    result = run_cli("--no-cache", "--profile", "--select", "FS1101", root)
    assert result.returncode == 1, result.stderr
    figures = _profile(result.stderr)
    assert figures["files parsed (libcst)"] == 1
    assert figures["bytes parsed (libcst)"] == len(logging_file.encode())
    groups = ("group discovery", "group parse", "group rules", "group output", "group start-up + other")
    assert all(name in figures for name in groups), result.stderr
    assert figures["cpu (whole run)"] >= sum(figures[name] for name in groups[:-1])

    untriggered = run_cli("--no-cache", "--profile", "--select", "FS1101", root / "plain.py")
    assert "bytes parsed (libcst)" not in _profile(untriggered.stderr)


def _undeclared(root: Path) -> list[str]:
    result = run_cli("--select", "FS0201", "--format", "concise", root, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [line.split(" FS0201 ")[0] for line in result.stdout.splitlines() if " FS0201 " in line]


def _environment_memo(root: Path) -> dict[str, object]:
    (cache_file,) = (root / ".factorscan_cache").glob("v*.json")
    memos: dict[str, object] = json.loads(cache_file.read_text())["memos"]
    return {name: memo for name, memo in memos.items() if name.startswith("environment:") and "venv" in name}


def test_the_project_virtualenv_is_read_from_the_cache_until_it_changes(project) -> None:
    """What the project's virtualenv provides is kept in the cache with the stamp of its
    site-packages; the next run reads it from there, and a change to the virtualenv is seen."""
    root = project(_PROVIDER)
    assert _undeclared(root) == []  # acme-toolkit provides anvil
    (name, memo), *_ = _environment_memo(root).items()
    assert isinstance(memo, dict)
    assert memo["value"][0] == {"anvil": ["acme-toolkit"]}

    # The next run believes the cache: a stored answer that differs from the metadata wins.
    (cache_file,) = (root / ".factorscan_cache").glob("v*.json")
    data = json.loads(cache_file.read_text())
    data["memos"][name]["value"] = [{}, {"acme-toolkit": []}, {"acme-toolkit": []}]
    cache_file.write_text(json.dumps(data))
    assert _undeclared(root) == ["app.py:1:1:"]

    # Installing another distribution in its place changes the stamp: the metadata is read again.
    site = root / _VENV_INFO
    shutil.rmtree(site / "acme_toolkit-1.0.dist-info")
    (site / "hammer-2.0.dist-info").mkdir()
    (site / "hammer-2.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hammer\nVersion: 2.0\n"
    )
    (site / "hammer-2.0.dist-info" / "top_level.txt").write_text("hammer\n")
    assert _undeclared(root) == ["app.py:1:1:"]
    (memo,) = _environment_memo(root).values()
    assert memo["value"][0] == {"hammer": ["hammer"]}

    # Reinstalled: the first answer again, read from the metadata.
    shutil.rmtree(site / "hammer-2.0.dist-info")
    write = {k: v for k, v in _PROVIDER.items() if "dist-info" in k}
    for relative, text in write.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    assert _undeclared(root) == []


def test_no_cache_keeps_no_environment_memo(project) -> None:
    root = project(_PROVIDER)
    result = run_cli("--no-cache", "--select", "FS0201", root, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (root / ".factorscan_cache").exists()


# -- data modules -----------------------------------------------------------------------

_TABLE_ROW = "    ('AAA', 'AAA (Anaa, PF)', -1, {'tz': None, 'alt': 2.5}),\n"


def _data_module(size: int, extra: str = "") -> str:
    """A literal-only module of about `size` bytes that also sets DEBUG = True (FS0303)."""
    rows = _TABLE_ROW * (size // len(_TABLE_ROW) + 1)
    return (
        f'"""Airport codes."""\nfrom __future__ import annotations\nDEBUG = True\nIATA = [\n{rows}]\n{extra}'
    )


def test_a_large_literal_only_module_skips_libcst_with_a_warning(project) -> None:
    """Over 256 KB, a module that only assigns literals is read by `ast` alone: memory stays
    bounded (libcst took 234 MB on a 480 KB table), and the warning says what was skipped."""
    root = project({"iata.py": _data_module(300 * 1024)})
    result = run_cli("--no-cache", "--profile", "--select", "FS0303", "--format", "concise", root, cwd=root)
    assert result.returncode == 0, result.stdout
    assert "iata.py: a data module of 300 KB that only assigns literals: rules skipped" in result.stderr
    assert "bytes parsed (libcst)" not in _profile(result.stderr)


def test_data_modules_under_the_bound_or_with_code_are_still_checked(project) -> None:
    """The other side of the bound: a smaller table, or a large module that holds code too."""
    root = project(
        {
            "small.py": _data_module(200 * 1024),
            "code.py": _data_module(300 * 1024, extra="def lookup(code):\n    return dict(IATA)[code]\n"),
            "called.py": _data_module(300 * 1024, extra="TABLE = dict(IATA)\n"),
        }
    )
    result = run_cli("--no-cache", "--select", "FS0303", "--format", "concise", root, cwd=root)
    assert result.returncode == 1, result.stderr
    reported = sorted(line.split(":")[0] for line in result.stdout.splitlines() if " FS0303 " in line)
    assert reported == ["called.py", "code.py", "small.py"], result.stdout
    assert "data module" not in result.stderr


# -- what a warm run imports --------------------------------------------------------------


def test_a_run_whose_files_are_all_cached_never_imports_libcst(project) -> None:
    """libcst is a third of a warm run's time to import; with every file's result cached
    nothing is parsed, so it is never loaded. The findings are the cold run's."""
    handler = "import logging\nlogging.basicConfig(filename='app.log')\n"
    root = project({f"app{index}.py": handler for index in range(30)})  # enough for the pool
    cold = run_cli("--format", "json", root, cwd=root)
    assert cold.returncode == 1, cold.stderr
    warm = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "factorscan", "--format", "json", str(root)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines() if "|" in line]
    assert imported, warm.stderr[-500:]  # -X importtime reached the interpreter
    assert not [name for name in imported if name.startswith("libcst")]
    assert warm.returncode == 1
    assert json.loads(warm.stdout) == json.loads(cold.stdout)
