"""Every rule's inline VALID/INVALID examples, run through the real engine.

Each example becomes a throwaway project on disk (so project rules see their
manifests and Dockerfiles too), scanned with only that rule selected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from factorscan import api
from factorscan.checks import all_rules
from factorscan.checks.base import FileRule, FixAvailability, Invalid, Rule, SourceRule, Valid
from factorscan.core.discovery import file_kind
from factorscan.core.settings import Settings
from factorscan.scan.engine import RuleSet

from .conftest import write_project

EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")
    for rule in all_rules()
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, example in enumerate(examples)
]


def _scan(tmp_path: Path, rule: type[Rule], example: Valid) -> list:
    root = tmp_path / "example"
    (root / ".git").mkdir(parents=True)
    write_project(root, example.project_files())
    result = api.check([root], select=[rule.code])
    assert not result.errors, result.errors
    return [finding for finding in result.findings if finding.code == rule.code]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_example(tmp_path: Path, rule: type[Rule], example: Valid) -> None:
    findings = _scan(tmp_path, rule, example)
    if not isinstance(example, Invalid):
        assert findings == [], f"{rule.code} fired on a VALID example: {[f.message for f in findings]}"
        return
    assert len(findings) == example.count, [f"{f.location.row}: {f.message}" for f in findings]
    if example.line is not None:
        assert findings[0].location.row == example.line
    if example.severity is not None:
        assert {finding.severity for finding in findings} == {example.severity}
    if example.fixed is None:
        # A fix that `--fix` (with `--unsafe-fixes`) would apply is shown in the example.
        fixable = [f.message for f in findings if f.fix is not None and f.fix.is_applicable(True)]
        assert fixable == [], f"{rule.code}: the example's fix is not given as `fixed`"
        return

    root = tmp_path / "example"
    target = root / example.filename
    api.fix([root], select=[rule.code], unsafe=example.unsafe)
    assert target.read_text(encoding="utf-8") == example.fixed
    # The fix removed what it fixed (or left a finding that says what remains, as FS0303 does
    # for a flag that still defaults to on), and a second pass changes nothing.
    remaining = api.check([root], select=[rule.code]).findings
    assert not [f for f in remaining if f.fix is not None and f.fix.is_applicable(example.unsafe)]
    assert sorted(f.message for f in remaining) != sorted(f.message for f in findings)
    changes, problems = api.fix([root], select=[rule.code], unsafe=example.unsafe)
    assert problems == []
    assert not [change for change in changes if change.changed]


INVALID_EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")
    for rule in all_rules()
    for index, example in enumerate(rule.INVALID)
]


@pytest.mark.parametrize(("rule", "example"), INVALID_EXAMPLES)
def test_invalid_example_passes_the_prefilter(rule: type[Rule], example: Invalid) -> None:
    """The byte-trigger prefilter must never hide a finding the rule would make."""
    data = example.code.encode("utf-8")
    if example.filename.endswith(".py") and issubclass(rule, SourceRule):
        # The engine's own question, with the example's path (tests/ and examples/ files
        # may have triggers of their own).
        settings = Settings(select=[rule.code])
        triggered = RuleSet.from_settings(settings).triggered(data, example.filename, settings)
        assert rule in triggered, f"{rule.code}: no trigger occurs in the example"
    elif issubclass(rule, FileRule) and file_kind(Path(example.filename)) in rule.kinds:
        # Only files of the rule's kinds go through its file prefilter (a rule that is also a
        # project rule may have examples of other kinds, such as Kubernetes manifests).
        assert rule.file_triggered_by(data), f"{rule.code}: no file trigger occurs in the example"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_metadata(rule: type[Rule]) -> None:
    assert rule.validate_metadata() == []


def test_codes_are_grouped_by_factor_package() -> None:
    """One package per factor: FS11xx rules live in checks/logs/, and so on."""
    packages: dict[str, set[str]] = {}
    for rule in all_rules():
        if rule.code != "FS0001":
            packages.setdefault(rule.code[:4], set()).add(rule.__module__.rsplit(".", 1)[0])
    for prefix, names in packages.items():
        assert len(names) == 1, f"{prefix} rules are spread over {sorted(names)}"
    assert len(set().union(*packages.values())) == len(packages)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_declared_fix_availability_agrees_with_the_examples(rule: type[Rule]) -> None:
    """As Fixit infers it: a rule is fixable when its INVALID examples show fixes
    (`fixed`); `always` when every one does, `sometimes` when some do."""
    fixed = [example.fixed is not None for example in rule.INVALID]
    if all(fixed):
        expected = FixAvailability.ALWAYS
    elif any(fixed):
        expected = FixAvailability.SOMETIMES
    else:
        expected = FixAvailability.NEVER
    assert rule.fix_availability is expected
