"""The PR-review workflow: --write-baseline/--baseline and --diff-base on real git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import run_cli, write_project

HANDLER = 'handler = logging.FileHandler("app.log")\n'
APP = "import logging\n\n" + HANDLER


def _concise(root: Path, *args: str) -> tuple[int, list[str]]:
    result = run_cli("--select", "FS11", "--no-cache", "--format", "concise", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, result.stdout.splitlines()


# -- baseline ----------------------------------------------------------------------


def test_baseline_accepts_todays_findings_and_flags_new_ones(project) -> None:
    root = project({"app.py": APP, "worker.py": APP})
    written = run_cli("--select", "FS11", "--no-cache", "--write-baseline", "baseline.json", ".", cwd=root)
    assert written.returncode == 0, written.stderr
    assert "Wrote 2 findings" in written.stderr
    assert _concise(root, "--baseline", "baseline.json", ".") == (0, [])

    # Lines inserted above a finding do not churn it; a second identical line is new.
    (root / "app.py").write_text("import logging\nimport os\n\n# set up logging\n" + HANDLER + HANDLER)
    code, lines = _concise(root, "--baseline", "baseline.json", ".")
    assert code == 1
    assert lines == ["app.py:6:11: FS1101 [*] FileHandler writes logs to a file; stream them to stdout"]


def test_baseline_file_is_sorted_stable_and_holds_no_source(project) -> None:
    secret_line = 'logging.basicConfig(filename="/var/log/sk_live_4eC39HqLyjWDarjtT1zdp7dc.log")\n'
    root = project({"b.py": APP, "a.py": "import logging\n" + secret_line})
    args = ("--select", "FS11", "--no-cache", "--write-baseline", "baseline.json", ".")
    assert run_cli(*args, cwd=root).returncode == 0
    first = (root / "baseline.json").read_text()
    document = json.loads(first)
    entries = document["findings"]
    assert [entry["path"] for entry in entries] == ["a.py", "b.py"]
    assert set(entries[0]) == {"code", "path", "fingerprint"}
    assert "sk_live" not in first
    assert "FileHandler" not in first
    assert "basicConfig" not in first
    assert run_cli(*args, cwd=root).returncode == 0
    assert (root / "baseline.json").read_text() == first

    # A finding that disappears is dropped on the next write.
    (root / "b.py").write_text("import logging\n")
    assert run_cli(*args, cwd=root).returncode == 0
    assert [entry["path"] for entry in json.loads((root / "baseline.json").read_text())["findings"]] == [
        "a.py"
    ]


def test_baseline_fingerprints_match_sarif_and_gitlab_normalisation(project) -> None:
    """Re-indenting a line keeps its fingerprint in all three consumers."""
    root = project({"app.py": APP})
    before = run_cli("--select", "FS11", "--no-cache", "--format", "gitlab", ".", cwd=root).stdout
    sarif_before = run_cli("--select", "FS11", "--no-cache", "--format", "sarif", ".", cwd=root).stdout
    run_cli("--select", "FS11", "--no-cache", "--write-baseline", "b.json", ".", cwd=root)
    (root / "app.py").write_text("import logging\n\nif True:\n    " + HANDLER)
    after = run_cli("--select", "FS11", "--no-cache", "--format", "gitlab", ".", cwd=root).stdout
    sarif_after = run_cli("--select", "FS11", "--no-cache", "--format", "sarif", ".", cwd=root).stdout
    assert json.loads(before)[0]["fingerprint"] == json.loads(after)[0]["fingerprint"]

    def line_hash(text: str) -> str:
        return json.loads(text)["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"]

    assert line_hash(sarif_before) == line_hash(sarif_after)
    assert _concise(root, "--baseline", "b.json", ".") == (0, [])


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("{not json", "invalid JSON"), ('{"findings": 3}', "not a factorscan baseline")],
)
def test_bad_baseline_is_a_one_line_error(project, content: str | None, message: str) -> None:
    root = project({"app.py": APP})
    if content is not None:
        (root / "baseline.json").write_text(content)
    result = run_cli("--baseline", "baseline.json", ".", cwd=root)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# -- diff-base ---------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    # Settings that change diff headers must not change what counts as changed.
    _git(root, "config", "diff.mnemonicPrefix", "true")
    old_module = (
        "import logging\n\n" + "".join(f"def f{i}():\n    return {i}\n\n" for i in range(20)) + HANDLER
    )
    write_project(
        root,
        {
            "pyproject.toml": "[project]\nname = 'shop'\n",
            "shop/app.py": APP,
            "shop/legacy.py": old_module,
            "gunicorn.conf.py": 'accesslog = "/var/log/access.log"\n',
        },
    )
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    return root


@needs_git
def test_diff_base_keeps_only_findings_on_changed_lines(repo: Path) -> None:
    # Edit next to an old finding, add a new one, rename a file with an edit, add an untracked file.
    (repo / "shop" / "app.py").write_text(APP + "audit = logging.FileHandler('audit.log')\n")
    _git(repo, "mv", "shop/legacy.py", "shop/old.py")
    old = (repo / "shop" / "old.py").read_text()
    (repo / "shop" / "old.py").write_text(
        old.replace("return 3", "return 33") + "x = logging.FileHandler('x.log')\n"
    )
    (repo / "new.py").write_text(APP)
    _git(repo, "add", "shop")
    _git(repo, "commit", "-q", "-m", "change")

    code, everything = _concise(repo, ".")
    assert code == 1
    assert len(everything) == 6
    code, lines = _concise(repo, "--diff-base", "HEAD~1", ".")
    assert code == 1
    assert [line.split(": ")[0] for line in lines] == [
        "new.py:3:11",  # untracked: wholly new
        "shop/app.py:4:9",
        "shop/old.py:64:5",  # renamed and edited: only the edited lines count
    ]
    # Against the new commit nothing is new except the untracked file.
    assert [line.split(":")[0] for line in _concise(repo, "--diff-base", "HEAD", ".")[1]] == ["new.py"]


@needs_git
def test_diff_base_uncommitted_edit_and_pure_rename(repo: Path) -> None:
    _git(repo, "mv", "shop/app.py", "shop/main.py")  # a rename without edits adds no finding
    (repo / "gunicorn.conf.py").write_text(
        'errorlog = "/var/log/error.log"\naccesslog = "/var/log/access.log"\n'
    )
    code, lines = _concise(repo, "--diff-base", "main", ".")
    assert [line.split(": ")[:2] for line in lines] == [
        ["gunicorn.conf.py:1:12", "FS1103 [*] errorlog writes server logs to a file; use '-' for stderr"]
    ]
    assert code == 1


@needs_git
def test_diff_base_with_a_bad_revision_or_outside_a_repository(repo: Path, tmp_path: Path) -> None:
    result = run_cli("--diff-base", "no-such-branch", ".", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "factorscan: error: --diff-base no-such-branch: unknown revision (is it fetched? try `git fetch origin`)"
    )
    outside = tmp_path / "plain"
    write_project(outside, {"app.py": APP})
    result = run_cli("--diff-base", "main", ".", cwd=outside, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.returncode == 2
    assert "--diff-base needs a git repository" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@needs_git
def test_diff_base_reports_a_project_finding_on_its_own_changed_line_only(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    write_project(root, {"requirements.txt": "flask\n", "app.py": "import flask\nimport requests\n"})
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")

    def undeclared() -> list[str]:
        result = run_cli(
            "--no-cache", "--select", "FS0201", "--format", "concise", "--diff-base", "main", ".", cwd=root
        )
        assert result.returncode in (0, 1), result.stderr
        return [line.split(": ")[0] for line in result.stdout.splitlines()]

    assert undeclared() == []
    # Only the end of the file changed: the old import line is not new.
    (root / "app.py").write_text("import flask\nimport requests\n\nprint(flask, requests)\n")
    assert undeclared() == []
    # A new import line is.
    (root / "app.py").write_text("import flask\nimport requests\nimport redis\n")
    assert undeclared() == ["app.py:3:1"]
    _git(root, "checkout", "-q", "app.py")
    # A manifest edit that stops declaring what an untouched line imports brings it back.
    (root / "requirements.txt").write_text("flask\nrequests\n")
    _git(root, "commit", "-q", "-am", "declare requests")
    (root / "requirements.txt").write_text("flask\n")
    result = run_cli(
        "--no-cache", "--select", "FS0201", "--format", "concise", "--diff-base", "HEAD", ".", cwd=root
    )
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == ["app.py:2:1"]


@needs_git
def test_diff_base_reports_a_whole_image_finding_when_its_dockerfile_changed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    dockerfile = 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/app.py"]\n'
    write_project(root, {"Dockerfile": dockerfile, "app.py": "print('hi')\n", "README.md": "app\n"})
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")

    def buffered() -> list[str]:
        result = run_cli(
            "--no-cache", "--select", "FS1104", "--format", "concise", "--diff-base", "main", ".", cwd=root
        )
        assert result.returncode in (0, 1), result.stderr
        return [line.split(": ")[:2] for line in result.stdout.splitlines()]

    (root / "README.md").write_text("app, changed\n")
    assert buffered() == []  # the Dockerfile did not change
    (root / "Dockerfile").write_text(dockerfile + "EXPOSE 8000\n")  # FS1104 sits on the FROM line
    assert [where for where, _ in buffered()] == ["Dockerfile:1:1"]
