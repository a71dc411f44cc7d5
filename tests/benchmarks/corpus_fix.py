"""Corpus harness for `--fix --unsafe-fixes`: a copy of a real tree, fixed twice.

Not collected by pytest. On a copy of Django 5.1.4's `django/` package (or
`--corpus DIR`), it runs the CLI as users do and prints:

- findings before and after, per rule, and the fixes `--diff` announces;
- files changed by `--fix --unsafe-fixes` and the warnings it printed;
- that every .py file which compiled before still compiles (`compile()`);
- that a second `--fix --unsafe-fixes` changes nothing (byte-identical tree).

It exits 1 when one of the last two fails.

    python tests/benchmarks/corpus_fix.py [--corpus DIR] [--keep]

Django is fetched once with `pip download --no-deps --no-binary :all:
django==5.1.4` into tests/benchmarks/.cache/ (see bench.py).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench import fetch_django

FACTORSCAN = [sys.executable, "-m", "factorscan", "--no-cache"]
_WOULD_FIX = re.compile(r"Would fix (\d+) findings? in (\d+) files?")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def compiles(name: str, data: bytes) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes in old code
        try:
            compile(data, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def run(arguments: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    completed = subprocess.run(
        [*FACTORSCAN, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(f"factorscan {' '.join(arguments)}: exit {completed.returncode}\n{completed.stderr}")
    return completed, elapsed


def findings_by_code(report: Path) -> collections.Counter[str]:
    return collections.Counter(finding["code"] for finding in json.loads(report.read_text(encoding="utf-8")))


def fixable(report: Path) -> collections.Counter[str]:
    return collections.Counter(
        finding["fix"]["applicability"]
        for finding in json.loads(report.read_text(encoding="utf-8"))
        if finding["fix"] is not None
    )


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("factorscan: warning:")]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, help="a source tree instead of Django's django/ package")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy and print where it is")
    args = parser.parse_args()

    corpus = (args.corpus or fetch_django()).resolve()
    work = Path(tempfile.mkdtemp(prefix="factorscan-corpus-fix-"))
    project = work / "project"
    # Its own project root (an empty .git): no settings from above the copy apply.
    (project / ".git").mkdir(parents=True)
    tree = project / corpus.name
    shutil.copytree(corpus, tree, symlinks=True)
    try:
        return _measure(corpus, project, tree, work)
    finally:
        if args.keep:
            print(f"\nfixed copy kept in {tree}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _measure(corpus: Path, project: Path, tree: Path, work: Path) -> int:
    original = snapshot(tree)
    python = [name for name in original if name.endswith(".py")]
    compiled_before = {name for name in python if compiles(name, original[name])}
    lines = sum(original[name].count(b"\n") for name in python)
    print(f"corpus: {corpus} ({len(python)} .py files, {lines} lines), fixed on a copy in {tree}")

    before_report = work / "before.json"
    _, scan_time = run(["--exit-zero", "--format", "json", "--output", str(before_report), "."], project)
    before = findings_by_code(before_report)
    print(
        f"\nscan: {sum(before.values())} findings in {scan_time:.1f} s; fixable: {dict(fixable(before_report))}"
    )

    diff, diff_time = run(["--diff", "--unsafe-fixes", "."], project)
    announced = _WOULD_FIX.search(diff.stderr)
    print(
        f"--diff --unsafe-fixes: {announced.group(0) if announced else diff.stderr.strip()} ({diff_time:.1f} s)"
    )

    after_report = work / "after.json"
    fixing, fix_time = run(
        ["--fix", "--unsafe-fixes", "--exit-zero", "--format", "json", "--output", str(after_report), "."],
        project,
    )
    fixed = snapshot(tree)
    changed = sorted(name for name in original if fixed.get(name) != original[name])
    added = sorted(set(fixed) - set(original))
    after = findings_by_code(after_report)
    print(
        f"--fix --unsafe-fixes: {len(changed)} files changed in {fix_time:.1f} s; new files: {added or 'none'}"
    )
    problems = warnings_of(fixing.stderr)
    print(f"  warnings: {len(problems)}")
    for line in problems:
        print(f"    {line}")
    print(f"  findings: {sum(before.values())} before, {sum(after.values())} after")
    print(f"  {'rule':8} {'before':>7} {'after':>7} {'fixed':>7}")
    for code in sorted(before | after):
        print(f"  {code:8} {before[code]:7} {after[code]:7} {before[code] - after[code]:7}")

    broken = sorted(name for name in compiled_before if not compiles(name, fixed[name]))
    print(
        f"\ncompile(): {len(compiled_before)} of {len(python)} files compiled before; "
        f"{len(broken)} of them no longer compile{': ' + ', '.join(broken) if broken else ''}"
    )

    again, again_time = run(["--fix", "--unsafe-fixes", "--exit-zero", "--quiet", "."], project)
    second = snapshot(tree)
    churn = sorted(name for name in set(fixed) | set(second) if fixed.get(name) != second.get(name))
    print(
        f"second --fix --unsafe-fixes: {len(churn)} files changed ({again_time:.1f} s)"
        f"{': ' + ', '.join(churn[:20]) if churn else '; the tree is byte-identical'}"
    )
    if warnings_of(again.stderr):
        print(f"  warnings: {len(warnings_of(again.stderr))}")

    ok = not broken and not churn and not added
    print("\nOK" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
