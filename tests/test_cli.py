"""The command line as users run it: exit codes, formats, errors, subcommands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

ALIASED_HANDLER = """\
import logging.handlers as lh

handler = lh.RotatingFileHandler("app.log", maxBytes=1_000_000)
"""


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("factorscan ")


def test_demo_fixture_shows_grouped_findings_and_scorecard() -> None:
    result = run_cli("--no-cache", "fixtures/demo_app", cwd=FIXTURES.parent, env={"COLUMNS": "120"})
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "fixtures/demo_app/shop/__init__.py" in out
    assert "FS1101 [*]" in out
    assert "^^^^" in out  # the caret under the finding
    assert "Twelve-factor scorecard" in out
    assert "XI" in out
    assert "Logs" in out
    assert "\x1b[" not in out  # no colour when piped


def test_clean_fixture_exits_zero() -> None:
    result = run_cli("--no-cache", "fixtures/clean_app", cwd=FIXTURES.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def test_concise_reports_an_aliased_rotating_handler(project) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    result = run_cli("--format", "concise", "app.py", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "app.py:3:11: FS1101 [*] RotatingFileHandler writes logs to a file; stream them to stdout\n"
    )


def test_json_shape(project) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    result = run_cli("--format", "json", ".", cwd=root)
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)
    assert set(finding) == {
        "code",
        "name",
        "factor",
        "severity",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
    }
    assert finding["code"] == "FS1101"
    assert finding["name"] == "log-file-handler"
    assert finding["factor"] == "XI"
    assert finding["filename"] == "app.py"
    assert finding["location"] == {"row": 3, "column": 11}
    assert finding["end_location"] == {"row": 3, "column": 64}  # exclusive
    assert finding["fix"]["applicability"] == "safe"
    contents = [edit["content"] for edit in finding["fix"]["edits"]]
    assert "logging.StreamHandler(sys.stdout)" in contents


def test_no_findings_json_is_an_empty_list(project) -> None:
    root = project({"app.py": "print('hello')\n"})
    result = run_cli("--format", "json", cwd=root)
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_output_file(project, tmp_path: Path) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    report = tmp_path / "report.json"
    result = run_cli("--format", "json", "--output", report, cwd=root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(report.read_text())[0]["code"] == "FS1101"


def test_exit_zero_and_quiet(project) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    result = run_cli("--exit-zero", "--quiet", cwd=root)
    assert result.returncode == 0
    assert "FS1101" in result.stdout
    assert "scorecard" not in result.stdout


def test_statistics(project) -> None:
    root = project({"app.py": ALIASED_HANDLER + 'open("x.log", "a")\n'})
    result = run_cli("--statistics", cwd=root)
    assert result.returncode == 1
    lines = [line.split() for line in result.stdout.splitlines() if "FS11" in line]
    assert ["1", "FS1101", "[*]", "log-file-handler"] in lines
    assert ["1", "FS1102", "log-file-write"] in lines


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "FS1102"], {"FS1102"}),
        (["--select", "FS11"], {"FS1101", "FS1102"}),
        (["--ignore", "FS1101"], {"FS1102"}),
        (["--select", "FS11", "--ignore", "FS1102"], {"FS1101"}),
        (["--ignore", "FS11", "--extend-select", "FS1102"], {"FS1102"}),
        (["--select", "log-file-write"], {"FS1102"}),
    ],
)
def test_selection_by_prefix(project, args: list[str], expected: set[str]) -> None:
    root = project({"app.py": ALIASED_HANDLER + 'open("x.log", "a")\n'})
    result = run_cli("--format", "json", *args, cwd=root)
    assert {finding["code"] for finding in json.loads(result.stdout)} == expected


def test_unknown_selector_is_exit_2(project) -> None:
    root = project({"app.py": ""})
    result = run_cli("--select", "FS99", cwd=root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "'FS99' matches no rule" in result.stderr


def test_missing_path_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("does-not-exist", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "factorscan: error: does-not-exist: no such file or directory\n"
    assert "Traceback" not in result.stderr


def test_unknown_option_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("--frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "unrecognized arguments: --frobnicate" in result.stderr


def test_unknown_config_key_names_the_file_and_the_closest_key(project) -> None:
    root = project({"pyproject.toml": "[tool.factorscan]\nselekt = ['FS11']\n", "app.py": ""})
    result = run_cli(cwd=root)
    assert result.returncode == 2
    assert result.stderr == (
        "factorscan: error: pyproject.toml: [tool.factorscan] unknown key 'selekt'; did you mean 'select'?\n"
    )


def test_unknown_config_key_far_from_any_lists_the_known_ones(project) -> None:
    root = project({"pyproject.toml": "[tool.factorscan]\nfrobnicate = 1\n", "app.py": ""})
    result = run_cli(cwd=root)
    assert result.returncode == 2
    assert "pyproject.toml: [tool.factorscan] unknown key 'frobnicate'; known keys: select, " in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("select = ['FS111']", "[tool.factorscan] select: 'FS111' matches no rule; did you mean 'FS1101'?"),
        (
            "ignore = ['log-file-handlr']",
            "[tool.factorscan] ignore: 'log-file-handlr' matches no rule; did you mean 'log-file-handler'?",
        ),
        (
            "extend-select = ['fs11']",
            "[tool.factorscan] extend-select: 'fs11' matches no rule; did you mean 'FS11'?",
        ),
        (
            "per-file-ignores = { 'legacy/*' = ['FS1101', 'FS11O2'] }",
            "[tool.factorscan] per-file-ignores 'legacy/*': 'FS11O2' matches no rule; did you mean 'FS1102'?",
        ),
    ],
)
def test_config_selectors_that_match_nothing_name_the_file_and_the_closest_code(
    project, table, message
) -> None:
    root = project({"sub/pyproject.toml": f"[tool.factorscan]\n{table}\n", "sub/app.py": ""})
    result = run_cli("sub", cwd=root)
    assert result.returncode == 2
    assert result.stderr == f"factorscan: error: sub/pyproject.toml: {message}\n"


def test_cli_selectors_that_match_nothing_suggest_the_closest_code(project) -> None:
    root = project({"app.py": ""})
    result = run_cli("--ignore", "FS1101,log-file-writ", cwd=root)
    assert result.returncode == 2
    assert result.stderr == (
        "factorscan: error: --ignore: 'log-file-writ' matches no rule; did you mean 'log-file-write'?\n"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("select = 'FS11'", "select must be a list of strings"),
        ("unsafe-fixes = 'yes'", "unsafe-fixes must be true or false"),
        ("max-file-size = -1", "max-file-size must be a positive integer"),
        ("per-file-ignores = ['x']", "per-file-ignores must be a table"),
    ],
)
def test_bad_config_values_name_the_file_and_the_key(project, table: str, message: str) -> None:
    root = project({"pyproject.toml": f"[tool.factorscan]\n{table}\n", "app.py": ""})
    result = run_cli(cwd=root)
    assert result.returncode == 2
    assert f"pyproject.toml: [tool.factorscan] {message}" in result.stderr


def test_invalid_toml_is_exit_2(project) -> None:
    root = project({"pyproject.toml": "[tool.factorscan\nselect = [", "app.py": ""})
    result = run_cli(cwd=root)
    assert result.returncode == 2
    assert "invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_is_applied(project) -> None:
    root = project(
        {
            "pyproject.toml": "[tool.factorscan]\nignore = ['FS1102']\n"
            "per-file-ignores = { 'legacy/*' = ['FS1101'] }\nextend-exclude = ['vendored/']\n",
            "app.py": ALIASED_HANDLER + 'open("x.log", "a")\n',
            "legacy/old.py": ALIASED_HANDLER,
            "vendored/lib.py": ALIASED_HANDLER,
        }
    )
    result = run_cli("--format", "concise", cwd=root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "app.py:3:11: FS1101 [*] RotatingFileHandler writes logs to a file; stream them to stdout"
    ]


def test_syntax_error_is_a_finding_not_a_crash(project) -> None:
    root = project(
        {"broken.py": "def f(:\n    pass\n", "py2.py": "print 'hello'\n", "ok.py": ALIASED_HANDLER}
    )
    result = run_cli("--format", "concise", cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("broken.py:1:7: FS0001") for line in lines)
    assert any(line.startswith("py2.py:1:1: FS0001") and "Python 2" in line for line in lines)
    assert any(line.startswith("ok.py:3:11: FS1101") for line in lines)


def test_rules_lists_every_rule() -> None:
    result = run_cli("rules", env={"COLUMNS": "200"})
    assert result.returncode == 0
    for code, name in (("FS0001", "syntax-error"), ("FS1101", "log-file-handler")):
        assert code in result.stdout
        assert name in result.stdout
    as_json = json.loads(run_cli("rules", "--format", "json").stdout)
    fs1101 = next(rule for rule in as_json if rule["code"] == "FS1101")
    assert fs1101 == {
        "code": "FS1101",
        "name": "log-file-handler",
        "factor": "XI",
        "factor_title": "Logs",
        "severity": "warning",
        "fix": "sometimes",
        "summary": "Logging is configured to write to a file instead of stdout",
    }


def test_stdin_filename(project) -> None:
    root = project({})
    result = run_cli("--format", "concise", "--stdin-filename", "src/app.py", cwd=root, stdin=ALIASED_HANDLER)
    assert result.returncode == 1
    assert result.stdout.startswith("src/app.py:3:11: FS1101")


def test_stdin_fix_prints_fixed_source(project) -> None:
    root = project({})
    result = run_cli("--fix", "--stdin-filename", "app.py", cwd=root, stdin=ALIASED_HANDLER)
    assert result.returncode == 0
    assert "logging.StreamHandler(sys.stdout)" in result.stdout
    assert "RotatingFileHandler" not in result.stdout


def test_fix_the_demo_fixture(tmp_path: Path) -> None:
    demo = shutil.copytree(FIXTURES / "demo_app", tmp_path / "demo_app")

    def contents() -> dict[Path, bytes]:
        return {
            path: path.read_bytes()
            for path in demo.rglob("*")
            if path.is_file() and ".factorscan_cache" not in path.parts
        }

    before = contents()
    diff = run_cli("--diff", "--select", "FS1101", ".", cwd=demo)
    assert diff.returncode == 1
    assert "+import sys" in diff.stdout
    assert contents() == before

    fixed = run_cli("--fix", "--select", "FS1101", ".", cwd=demo)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Fixed 5 findings" in fixed.stdout
    for path in demo.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert "class=StreamHandler" in (demo / "logging.ini").read_text()

    again = run_cli("--fix", "--select", "FS1101", ".", cwd=demo)
    assert again.returncode == 0
    assert "Fixed" not in again.stdout
    # The diff shown earlier is exactly what --fix did.
    replay = run_cli("--diff", ".", cwd=demo)
    assert "RotatingFileHandler(" not in replay.stdout


def test_noqa_silences_exactly_that_finding(project) -> None:
    root = project(
        {
            "app.py": """
            import logging
            a = logging.FileHandler("a.log")  # noqa: FS1101
            b = logging.FileHandler("b.log")  # noqa: FS1102
            c = logging.FileHandler("c.log")
            """
        }
    )
    result = run_cli("--format", "concise", cwd=root)
    rows = [line.split(":")[1] for line in result.stdout.splitlines()]
    assert rows == ["3", "4"]


def _scorecard_rows(text: str) -> dict[str, str]:
    """Factor numeral -> the rest of its scorecard row, from the full or markdown format."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.replace("│", "|").strip("| ").split("|")]
        if len(cells) == 4 and cells[0] in {
            "I",
            "II",
            "III",
            "IV",
            "V",
            "VI",
            "VII",
            "VIII",
            "IX",
            "X",
            "XI",
            "XII",
        }:
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


@pytest.mark.parametrize("output_format", ["full", "markdown"])
def test_scorecard_says_not_checked_for_factors_no_selected_rule_covers(project, output_format) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    result = run_cli("--no-cache", "--format", output_format, "--select", "FS11,FS0701", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    rows = _scorecard_rows(result.stdout)
    assert rows["III"] == "Config | 0 | not checked"
    assert rows["XII"] == "Admin processes | 0 | not checked"
    assert rows["VII"] == "Port binding | 0 | ok"  # checked, found nothing
    assert rows["XI"] == "Logs | 1 | warning"


@pytest.mark.parametrize("output_format", ["full", "markdown"])
def test_scorecard_without_selection_checks_every_factor(project, output_format) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    result = run_cli("--no-cache", "--format", output_format, ".", cwd=root)
    rows = _scorecard_rows(result.stdout)
    assert len(rows) == 12
    assert "not checked" not in result.stdout
    assert rows["III"] == "Config | 0 | ok"


def test_help_names_every_subcommand() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # argparse wraps the epilog
    for subcommand in ("rules", "rule FS1101", "env", "server"):
        assert f"`factorscan {subcommand}`" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--statistics", "--format", "sarif"],
            "--statistics prints counts as text; it cannot be used with --format sarif",
        ),
        (
            ["--statistics", "--format", "json"],
            "--statistics prints counts as text; it cannot be used with --format json",
        ),
        (
            ["--diff", "--write-baseline", "b.json"],
            "--diff only prints the fixes; it cannot be used with --write-baseline",
        ),
        (
            ["--diff", "--format", "json"],
            "--diff prints a unified diff; it cannot be used with --format json",
        ),
        (
            ["--diff", "--format", "concise"],
            "--diff prints a unified diff; it cannot be used with --format concise",
        ),
        (["--diff", "--statistics"], "--diff prints a unified diff; it cannot be used with --statistics"),
    ],
)
def test_options_that_would_be_ignored_together_are_exit_2(project, args: list[str], message: str) -> None:
    root = project({"app.py": ALIASED_HANDLER})
    result = run_cli("--no-cache", *args, ".", cwd=root)
    assert result.returncode == 2
    assert result.stderr == f"factorscan: error: {message}" + result.stderr.partition(message)[2]
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert not (root / "b.json").exists()


def test_statistics_with_concise_prints_the_counts(project) -> None:
    root = project({"app.py": ALIASED_HANDLER + 'open("x.log", "a")\n'})
    result = run_cli("--no-cache", "--statistics", "--format", "concise", ".", cwd=root)
    assert result.returncode == 1
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["1", "FS1101", "[*]", "log-file-handler"],
        ["1", "FS1102", "log-file-write"],
    ]


ONE_FINDING = 'log = open("app.log", "a")\n'


def test_summaries_count_one_in_the_singular(project) -> None:
    root = project(
        {"app.py": ONE_FINDING, "settings.py": 'import os\nLEVEL = os.environ.get("LEVEL", "info")\n'}
    )
    found = run_cli("--no-cache", "app.py", cwd=root)
    assert found.stdout.splitlines()[-1] == "Found 1 finding in 1 file."
    clean = run_cli("--no-cache", "settings.py", cwd=root)
    assert clean.stdout.strip() == "All checks passed (1 file)."
    two = run_cli("--no-cache", ".", cwd=root)
    assert two.stdout.splitlines()[-1] == "Found 1 finding in 1 of 2 files."
    env = run_cli("env", "settings.py", cwd=root)
    assert env.stdout.splitlines()[-1] == "1 variable (0 secret-like) in 1 file."
    baseline = run_cli("--no-cache", "--write-baseline", "b.json", "app.py", cwd=root)
    assert baseline.stderr == "Wrote 1 finding to the baseline b.json.\n"
    handler = project({"handler.py": ALIASED_HANDLER})
    diff = run_cli("--no-cache", "--diff", ".", cwd=handler)
    assert diff.stderr == "Would fix 1 finding in 1 file.\n"


def test_fix_summary_counts_fixed_and_remaining_apart(project) -> None:
    two_fixable = ALIASED_HANDLER + 'audit = lh.WatchedFileHandler("audit.log")\n'
    root = project({"app.py": two_fixable + ONE_FINDING})
    result = run_cli("--no-cache", "--fix", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[-1] == "Fixed 2 findings; 1 remaining in 1 file."


def test_summary_comes_last_apart_from_the_scorecard(project) -> None:
    root = project({"app.py": ALIASED_HANDLER + ONE_FINDING})
    for args in ([], ["--statistics"]):
        lines = run_cli("--no-cache", *args, ".", cwd=root, env={"COLUMNS": "120"}).stdout.splitlines()
        summary = next(index for index, line in enumerate(lines) if line.startswith("Found "))
        assert lines[summary:] == ["Found 2 findings in 1 file.", "[*] 1 fixable with `factorscan --fix`."]
        assert lines[summary - 1] == ""
        assert lines[summary - 2].startswith("XII ")  # the scorecard's last row, a line apart
        title = lines.index("Twelve-factor scorecard")
        assert lines[title - 1] == ""  # findings or counts end a line before it


@pytest.mark.parametrize(
    ("output_format", "expected"),
    [
        ("full", "Found 1 finding in 1 file (1 more hidden by the baseline)."),
        ("markdown", "**1 finding** in 1 file (1 more hidden by the baseline)."),
    ],
)
def test_a_run_with_a_baseline_says_how_many_it_hid(project, output_format, expected) -> None:
    root = project({"app.py": ONE_FINDING})
    assert run_cli("--no-cache", "--write-baseline", "b.json", ".", cwd=root).returncode == 0
    (root / "app.py").write_text(ONE_FINDING + 'debug = open("debug.log", "a")\n')
    result = run_cli("--no-cache", "--format", output_format, "--baseline", "b.json", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    assert expected in result.stdout.splitlines()


def test_a_clean_run_with_a_baseline_says_how_many_it_hid(project) -> None:
    root = project({"app.py": ONE_FINDING})
    assert run_cli("--no-cache", "--write-baseline", "b.json", ".", cwd=root).returncode == 0
    result = run_cli("--no-cache", "--baseline", "b.json", ".", cwd=root)
    assert result.returncode == 0
    assert result.stdout.strip() == "All checks passed (1 file; 1 finding hidden by the baseline)."


UNSAFE_AND_SAFE = ALIASED_HANDLER + 'PASSWORD = "hunter2-but-longer-9f8e7d"\nlog = open("app.log", "a")\n'


def test_unsafe_fixable_findings_carry_their_own_marker(project) -> None:
    root = project({"app.py": UNSAFE_AND_SAFE})
    concise = run_cli("--no-cache", "--format", "concise", ".", cwd=root).stdout.splitlines()
    assert [line.split(": ")[1].split(" ", 2)[:2] for line in concise] == [
        ["FS1101", "[*]"],  # safe: --fix applies it
        ["FS0301", "[!]"],  # unsafe: only --fix --unsafe-fixes applies it
        ["FS1102", "The"],  # no fix: no marker
    ]
    full = run_cli("--no-cache", ".", cwd=root).stdout
    assert "3:11  FS1101 [*] " in full
    assert "4:12  FS0301 [!] " in full
    assert "5:7  FS1102 The app" in full
    assert full.splitlines()[-2:] == [
        "[*] 1 fixable with `factorscan --fix`.",
        "[!] 1 more fixable with `--fix --unsafe-fixes`.",
    ]
    statistics = [
        line.split() for line in run_cli("--no-cache", "--statistics", ".", cwd=root).stdout.splitlines()
    ]
    assert ["1", "FS0301", "[!]", "hardcoded-secret"] in statistics
    markdown = run_cli("--no-cache", "--format", "markdown", ".", cwd=root).stdout
    assert (
        "[FS0301](https://github.com/factorscan/factorscan/blob/main/docs/rules/FS0301.md) [!] " in markdown
    )


def test_with_unsafe_fixes_on_the_unsafe_ones_are_fixable_too(project) -> None:
    root = project({"app.py": UNSAFE_AND_SAFE})
    concise = run_cli("--no-cache", "--unsafe-fixes", "--format", "concise", ".", cwd=root).stdout
    assert "FS0301 [*] " in concise
    assert "[!]" not in concise
