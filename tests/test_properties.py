"""Property tests: no crash on any program; fixes re-parse, stick and are idempotent.

CI runs a moderate number of examples; `--hypothesis-profile=thorough` runs
many more locally. Every count follows the profile: a test with its own count
gives it for the ci profile through `conftest.examples`.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from factorscan import api
from factorscan.checks import all_rules
from factorscan.checks.base import Invalid, SourceRule
from factorscan.core.settings import Settings

from .conftest import examples

SETTINGS = Settings(project_root=Path.cwd())
_SOURCE_LINES = re.compile(r"\r\n|\r|\n")

# INVALID examples of source rules that a single Python file shows on its own.
SNIPPETS = [
    pytest.param(rule, example, id=f"{rule.code}-{index}")
    for rule in all_rules()
    if issubclass(rule, SourceRule)
    for index, example in enumerate(rule.INVALID)
    if example.filename.endswith(".py") and not example.files
]


def check(code: str, filename: str = "app.py") -> list:
    return api.check_source(code, filename, settings=SETTINGS)


@given(hypothesmith.from_grammar())
def test_any_program_scans_without_raising(code: str) -> None:
    findings = check(code)
    assert all(finding.location.row >= 1 for finding in findings)


@given(hypothesmith.from_node())
# from_node() discards many of the trees it draws by itself (a test with an empty body
# fails this health check about one run in four), which says nothing about the scanner.
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_any_libcst_program_scans_without_raising(code: str) -> None:
    check(code)


def _splice(prelude: str, snippet: str) -> str:
    prelude = prelude if prelude.endswith("\n") or not prelude else prelude + "\n"
    return prelude + snippet


@pytest.mark.parametrize(("rule", "example"), SNIPPETS)
@given(prelude=hypothesmith.from_grammar(start="file_input"))
@settings(
    max_examples=examples(10), suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
def test_fixes_on_spliced_programs(rule: type[SourceRule], example: Invalid, prelude: str) -> None:
    code = _splice(prelude, example.code)
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)  # the splice itself must be a valid program
    before = check(code, example.filename)
    assume(not any(f.code == "FS0001" for f in before))
    fixed = api.fix_source(code, example.filename, unsafe=True, settings=SETTINGS)
    ast.parse(fixed)  # every fix re-parses
    after = check(fixed, example.filename)
    fixed_kinds = {f.code for f in before if f.fix is not None}
    assert not [f for f in after if f.code in fixed_kinds and f.fix is not None]
    # Nothing new appears on lines the fixes did not touch (the prelude's);
    # compared by line text because inserted imports shift rows.
    # Split as Python does: str.splitlines() also breaks at \x0c, \x1e... inside comments.
    prelude_lines = set(_SOURCE_LINES.split(prelude))

    def on_prelude(findings: list, text: str) -> set[tuple[str, str]]:
        lines = _SOURCE_LINES.split(text)
        return {
            (f.code, lines[f.location.row - 1])
            for f in findings
            if f.location.row <= len(lines) and lines[f.location.row - 1] in prelude_lines
        }

    assert on_prelude(after, fixed) <= on_prelude(before, code)
    assert api.fix_source(fixed, example.filename, unsafe=True, settings=SETTINGS) == fixed


@pytest.mark.parametrize(("rule", "example"), SNIPPETS)
def test_noqa_removes_exactly_that_finding(rule: type[SourceRule], example: Invalid) -> None:
    findings = [f for f in check(example.code, example.filename) if f.code == rule.code]
    assert findings
    target = findings[0]
    lines = example.code.splitlines(keepends=True)
    row = target.statement_row or target.location.row
    line = lines[row - 1].rstrip("\r\n")
    if '"""' in line or "'''" in line or line.rstrip().endswith("\\"):
        pytest.skip("the statement's first line opens a string or continues; noqa cannot be appended")
    lines[row - 1] = f"{line}  # noqa: {rule.code}\n"
    suppressed = [f for f in check("".join(lines), example.filename) if f.code == rule.code]
    remaining_rows = sorted((f.location.row, f.location.column) for f in suppressed)
    expected = sorted(
        (f.location.row, f.location.column) for f in findings if row not in (f.location.row, f.statement_row)
    )
    assert remaining_rows == expected


@pytest.mark.parametrize(("rule", "example"), SNIPPETS)
def test_crlf_and_lf_give_the_same_findings_and_fixes_keep_crlf(
    rule: type[SourceRule], example: Invalid
) -> None:
    lf = example.code
    crlf = lf.replace("\n", "\r\n")

    def key(findings: list) -> list:
        return [(f.code, f.location, f.end_location, f.message) for f in findings]

    assert key(check(lf, example.filename)) == key(check(crlf, example.filename))
    # `fixed` is what the rule's own fixes make (as in test_rule_examples): another rule may
    # fix the same snippet too (FS0701 rewrites the `bind` of FS1103's gunicorn example).
    only_this_rule = dataclasses.replace(SETTINGS, select=[rule.code])
    fixed = api.fix_source(crlf, example.filename, unsafe=example.unsafe, settings=only_this_rule)
    assert "\n" not in fixed.replace("\r\n", "")
    if example.fixed is not None:
        assert fixed == example.fixed.replace("\n", "\r\n")


@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    check(text)


def _example_count(test) -> int:
    # What @settings gave the test; hypothesis keeps it on the wrapped function.
    return test._hypothesis_internal_use_settings.max_examples


def test_every_example_count_follows_the_profile() -> None:
    """`--hypothesis-profile=thorough` raises the tests that set their own count too."""
    from .test_dockerfile import test_parser_never_raises

    per_ci_example = settings.default.max_examples / 25
    assert _example_count(test_fixes_on_spliced_programs) == int(10 * per_ci_example)
    assert _example_count(test_parser_never_raises) == int(300 * per_ci_example)
    if per_ci_example == 1:  # under ci: the same check, run under thorough
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                "--hypothesis-profile=thorough",
                f"{__file__}::test_every_example_count_follows_the_profile",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=Path(__file__).parents[1],
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 passed" in result.stdout
