"""flake8, pre-commit and the GitHub Action, each run or parsed by the real tool."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from factorscan.checks import all_rules
from factorscan.checks.base import SourceRule
from factorscan.output.reporters import REPOSITORY_URL

from .conftest import FIXTURES, REPO, run_cli, write_project

HANDLER_APP = """\
import logging

handler = logging.FileHandler("app.log")
quiet = logging.FileHandler("quiet.log")  # noqa: FS1101
other = logging.FileHandler("other.log")  # noqa: E501
"""


def _flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "FS", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# -- flake8 ------------------------------------------------------------------------


def test_flake8_reports_with_zero_based_columns_and_honours_its_noqa(project) -> None:
    root = project({"app.py": HANDLER_APP})
    result = _flake8("app.py", cwd=root)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        # flake8 prints columns 1-based from the plugin's 0-based offsets: the CLI's columns.
        "app.py:3:11: FS1101 FileHandler writes logs to a file; stream them to stdout",
        "app.py:5:9: FS1101 FileHandler writes logs to a file; stream them to stdout",
    ]
    concise = run_cli("--select", "FS1101", "--format", "concise", "app.py", cwd=root).stdout
    assert concise.splitlines()[0].startswith("app.py:3:11: FS1101")
    # --disable-noqa shows the silenced one: flake8, not the plugin, applied the comment.
    assert len(_flake8("--disable-noqa", "app.py", cwd=root).stdout.splitlines()) == 3


def test_flake8_plugin_honours_tool_factorscan_settings(project) -> None:
    root = project(
        {
            "pyproject.toml": """
                [tool.factorscan]
                ignore = ["FS1102"]
                per-file-ignores = {"scripts/*" = ["FS11"]}
            """,
            "app.py": HANDLER_APP + 'log = open("app.log", "a")\n',
            "scripts/job.py": HANDLER_APP,
            "gunicorn.conf.py": 'accesslog = "/var/log/access.log"\n',
        }
    )
    result = _flake8(".", cwd=root)
    codes = sorted(
        line.split(": ")[1].split()[0] + "@" + line.split(":")[0] for line in result.stdout.splitlines()
    )
    assert codes == ["FS1101@./app.py", "FS1101@./app.py", "FS1103@./gunicorn.conf.py"]


def test_flake8_on_the_demo_fixture_matches_the_cli_source_findings() -> None:
    demo = FIXTURES / "demo_app"
    flake8_lines = _flake8(".", cwd=demo).stdout.splitlines()
    # Project-level rules and FS0001 are off in the plugin (docs/integrations.md).
    source_rules = ",".join(rule.code for rule in all_rules() if issubclass(rule, SourceRule))
    cli = run_cli(
        "--no-cache", "--format", "concise", "--select", source_rules, ".", cwd=demo
    ).stdout.splitlines()
    # The fix markers ([*] safe, [!] unsafe) are the CLI's; flake8 lines carry none. The CLI's
    # review of the whole project may add why a finding is only a notice (a development run the
    # Dockerfile never starts): flake8, which sees one file, says what the file alone says.
    python_findings = {
        line.replace(" [*]", "").replace(" [!]", "") for line in cli if line.split(":")[0].endswith(".py")
    }
    flake8_findings = {line.removeprefix("./") for line in flake8_lines}
    assert len(flake8_findings) == len(python_findings)
    for line in python_findings:
        assert line in flake8_findings or line.rsplit(" (", 1)[0] in flake8_findings, line
    assert python_findings


def test_flake8_bad_config_is_one_line_not_a_traceback(project) -> None:
    root = project({"pyproject.toml": "[tool.factorscan]\nnonsense = 1\n", "app.py": HANDLER_APP})
    result = _flake8("app.py", cwd=root)
    assert "Traceback" not in result.stderr
    assert "unknown key 'nonsense'" in result.stderr
    assert "app.py:3:11: FS1101" in result.stdout


# -- pre-commit --------------------------------------------------------------------


def test_pre_commit_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"factorscan", "factorscan-fix"}
    assert hooks["factorscan-fix"]["entry"] == "factorscan --fix"
    pattern = re.compile(hooks["factorscan"]["files"])
    for name in (
        "app.py",
        "src/shop/views.py",
        "Dockerfile",
        "deploy/Dockerfile.prod",
        "Procfile",
        "requirements.txt",
        "requirements/dev.in",
        "pyproject.toml",
        "logging.ini",
        "deploy/k8s/deployment.yaml",
        "compose.yml",
        "docker/entrypoint.sh",
        "docker-entrypoint",
        "config/logging.json",
        "log_config.toml",
        "hypercorn.toml",
    ):
        assert pattern.search(name), name
    for name in ("README.md", "notes.txt", "app.js", "package.json", "ruff.toml"):
        assert not pattern.search(name), name


_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".factorscan_cache",
    ".*_cache",
    ".venv",
    ".coverage*",
)

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]


def _hook_repository(tmp_path: Path) -> Path:
    """This source tree, committed in a fresh repository: try-repo installs committed files.

    Made from the files on disk, so the test checks the code under test, and runs the same
    from a git clone, a worktree or an unpacked sdist.
    """
    hooks = tmp_path / "factorscan-repo"
    shutil.copytree(REPO, hooks, ignore=_NOT_SOURCE)
    subprocess.run([*GIT, "init", "-q"], cwd=hooks, check=True)
    subprocess.run([*GIT, "add", "."], cwd=hooks, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "factorscan"], cwd=hooks, check=True)
    return hooks


@pytest.mark.slow
def test_pre_commit_try_repo_checks_and_fixes(tmp_path: Path) -> None:
    hooks = _hook_repository(tmp_path)
    app = tmp_path / "app"
    write_project(
        app,
        {
            "app.py": "import logging\n\nhandler = logging.FileHandler('app.log')\n",
            "gunicorn.conf.py": 'errorlog = "/var/log/error.log"\n',
            "README.md": "not checked\n",
        },
    )
    subprocess.run([*GIT, "init", "-q"], cwd=app, check=True)
    subprocess.run([*GIT, "add", "."], cwd=app, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "app"], cwd=app, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(hooks),
                hook,
                "--all-files",
                "--color",
                "never",
            ],
            cwd=app,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    checked = try_repo("factorscan")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "FS1101" in checked.stdout
    assert "FS1103" in checked.stdout
    fixed = try_repo("factorscan-fix")
    assert "files were modified by this hook" in fixed.stdout, fixed.stdout + fixed.stderr
    assert "logging.StreamHandler(sys.stdout)" in (app / "app.py").read_text()
    assert (app / "gunicorn.conf.py").read_text() == 'errorlog = "-"\n'
    again = try_repo("factorscan")
    assert again.returncode == 0, again.stdout + again.stderr


# -- the GitHub Action -------------------------------------------------------------


def _factorscan_flags(script: str) -> set[str]:
    """Options passed to `factorscan` in a bash script (line continuations joined),
    directly or through the `extra` array the script builds."""
    flags = set()
    for line in script.replace("\\\n", " ").splitlines():
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError:
            continue
        for index, token in enumerate(tokens):
            if token != "factorscan" and not token.startswith("extra+=("):
                continue
            for argument in (token.removeprefix("extra+=("), *tokens[index + 1 :]):
                if argument in ("|", "||", "&&", ";"):
                    break
                if argument.startswith("--"):
                    flags.add(argument.split("=")[0])
    return flags


def test_action_parses_and_passes_only_existing_flags() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "args", "mode", "diff-base"} <= set(action["inputs"])
    assert action["inputs"]["mode"]["default"] == "sarif"
    steps = action["runs"]["steps"]
    assert all("shell" in step for step in steps if "run" in step)
    flags = set()
    for step in steps:
        flags |= _factorscan_flags(step.get("run", ""))
    assert {"--format", "--output", "--exit-zero", "--diff-base"} <= flags
    help_text = run_cli("--help").stdout
    missing = {flag for flag in flags if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text)}
    assert not missing
    run_script = next(step["run"] for step in steps if step.get("id") == "scan")
    for mode in ("sarif", "annotations", "reviewdog"):
        assert f"{mode})" in run_script
    formats = set(re.findall(r"--format (\w+)", run_script))
    assert formats == {"sarif", "markdown", "github", "rdjson"}
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_scan_step_runs_in_each_mode(tmp_path: Path) -> None:
    """The scan step's script, run by bash as the runner would, with factorscan on PATH."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    script = next(step["run"] for step in action["runs"]["steps"] if step.get("id") == "scan")
    app = write_project(tmp_path / "app", {"app.py": "import logging\nh = logging.FileHandler('a.log')\n"})
    (app / ".git").mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "factorscan"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m factorscan "$@"\n')
    shim.chmod(0o755)
    reviewdog = bin_dir / "reviewdog"
    # The stand-in reviewdog records its arguments and the report it was piped.
    reviewdog.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > {shlex.quote(str(tmp_path / 'reviewdog.args'))}\n"
        f"cat > {shlex.quote(str(tmp_path / 'rdjson.json'))}\n"
    )
    reviewdog.chmod(0o755)
    for mode, expected_code in (("sarif", 0), ("annotations", 1), ("reviewdog", 0)):
        outputs = tmp_path / f"{mode}.out"
        summary = tmp_path / f"{mode}.md"
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "INPUT_PATHS": ".",
            "INPUT_ARGS": "--select FS11 --no-cache",
            "INPUT_MODE": mode,
            "INPUT_DIFF_BASE": "",
            "INPUT_SARIF_FILE": "factorscan.sarif",
            "INPUT_REVIEWDOG_REPORTER": "github-pr-review",
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        result = subprocess.run(
            ["bash", "-c", script], cwd=app, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        assert result.returncode == expected_code, (mode, result.stdout, result.stderr)
        if mode == "sarif":
            assert (app / "factorscan.sarif").is_file()
            assert outputs.read_text() == "sarif-file=factorscan.sarif\n"
        elif mode == "annotations":
            assert result.stdout.startswith("::warning file=app.py,line=2,")
            assert summary.read_text().startswith("## factorscan")
        else:
            assert (tmp_path / "reviewdog.args").read_text().split() == [
                "-f=rdjson",
                "-name=factorscan",
                "-reporter=github-pr-review",
                "-filter-mode=added",
                "-fail-level=any",
            ]
            report = json.loads((tmp_path / "rdjson.json").read_text())
            assert report == {
                "source": {"name": "factorscan", "url": REPOSITORY_URL},
                "diagnostics": [
                    {
                        "location": {
                            "path": "app.py",
                            "range": {"start": {"line": 2, "column": 5}, "end": {"line": 2, "column": 33}},
                        },
                        "severity": "WARNING",
                        "code": {
                            "value": "FS1101",
                            "url": f"{REPOSITORY_URL}/blob/main/docs/rules/FS1101.md",
                        },
                        "suggestions": [
                            {
                                "range": {"start": {"line": 2}, "end": {"line": 2}},
                                "text": "import sys\nh = logging.StreamHandler(sys.stdout)",
                            }
                        ],
                        "message": "FileHandler writes logs to a file; stream them to stdout",
                    }
                ],
            }


def _editor_setups() -> dict[str, str]:
    """Editor name -> its section of docs/integrations.md (under "Language server")."""
    text = (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")
    server = text.split("\n## Language server\n", 1)[1].split("\n## ", 1)[0]
    sections = server.split("\n### ")[1:]
    return {section.split("\n", 1)[0]: section for section in sections}


def test_every_editor_setup_registers_the_server_for_dockerfiles_too() -> None:
    setups = _editor_setups()
    assert set(setups) == {"VS Code", "Neovim", "Helix", "Emacs (eglot)"}
    wanted = {
        "VS Code": '"glspc.server.languageId": ["python", "dockerfile"]',
        "Neovim": "filetypes = { 'python', 'dockerfile' }",
        "Helix": 'name = "dockerfile"\nlanguage-servers = ["docker-langserver", "factorscan"]',
        "Emacs (eglot)": "(python-mode python-ts-mode dockerfile-mode dockerfile-ts-mode)",
    }
    for editor, registration in wanted.items():
        assert registration in setups[editor], editor


def test_the_helix_setup_is_valid_toml() -> None:
    tomllib = pytest.importorskip("tomllib")
    (block,) = re.findall(r"```toml\n(.*?)```", _editor_setups()["Helix"], re.S)
    languages = {language["name"]: language for language in tomllib.loads(block)["language"]}
    assert "factorscan" in languages["python"]["language-servers"]
    assert "factorscan" in languages["dockerfile"]["language-servers"]
