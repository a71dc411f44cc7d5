"""docs/rules/ is generated from rule metadata, and the README shows real runs: neither may go stale."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from factorscan.output.docs import generate

from .conftest import REPO, run_cli

RULE_DOCS = REPO / "docs" / "rules"


def test_rule_docs_are_up_to_date() -> None:
    expected = generate()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in RULE_DOCS.glob("*.md")}
    stale = sorted(name for name in expected if on_disk.get(name) != expected[name])
    extra = sorted(set(on_disk) - set(expected))
    assert (stale, extra) == ([], []), (
        "docs/rules is stale; run `python -m factorscan.output.docs docs/rules`"
    )


def test_rule_command_prints_the_generated_page() -> None:
    result = run_cli("rule", "FS1101")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (RULE_DOCS / "FS1101.md").read_text(encoding="utf-8")


def test_rule_command_accepts_a_name() -> None:
    result = run_cli("rule", "log-file-handler")
    assert result.returncode == 0
    assert result.stdout.startswith("# FS1101 log-file-handler")


def test_unknown_rule_is_a_usage_error() -> None:
    result = run_cli("rule", "FS9999")
    assert result.returncode == 2
    assert result.stderr.strip() == "factorscan: error: unknown rule 'FS9999' (see `factorscan rules`)"


def _readme_blocks(heading: str) -> list[str]:
    """The fenced blocks of one README section, in order, without their fences."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\w*\n(.*?)```", section, flags=re.DOTALL)


def _by_file(diff: str) -> dict[str, str]:
    return {f"--- {part.split(chr(10), 1)[0]}": part for part in diff.split("--- ")[1:]}


def test_readme_after_fix_is_what_a_real_run_produces(tmp_path: Path) -> None:
    """The README's "After `factorscan --fix`" outputs and diff come from real runs with
    every rule on (regenerate them from a run on a copy of fixtures/demo_app)."""
    fix_console, diff, unsafe_console = _readme_blocks("After `factorscan --fix`")
    runs = {}
    for name, options in (("fix", ["--fix"]), ("diff", ["--diff"]), ("unsafe", ["--fix", "--unsafe-fixes"])):
        shutil.copytree(REPO / "fixtures" / "demo_app", tmp_path / name / "demo_app")
        runs[name] = run_cli(*options, "--no-cache", "demo_app", cwd=tmp_path / name)
        assert runs[name].returncode == 1, runs[name].stderr

    assert runs["fix"].stdout.rstrip("\n").endswith(fix_console.split("...\n", 1)[1].rstrip("\n"))
    real = _by_file(runs["diff"].stdout)
    for file, shown in _by_file(diff).items():
        assert shown == real[file], file
    listed = unsafe_console.split("demo_app\n", 1)[1].split("...\n", 1)[0]
    assert runs["unsafe"].stderr == listed
    assert runs["unsafe"].stdout.rstrip("\n").endswith(unsafe_console.split("...\n", 1)[1].rstrip("\n"))
