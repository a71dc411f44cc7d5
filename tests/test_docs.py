"""docs/rules/ is generated from rule metadata and must not go stale."""

from __future__ import annotations

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
