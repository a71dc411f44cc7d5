"""Speed harness: factorscan against bandit and ruff, in the same invocation.

Not collected by pytest and never asserted on: the machine is shared and
noisy, so the harness alternates the tools run by run (A B A B ...) and
reports medians and ratios, never single timings.

    pip install '.[bench]'
    python tests/benchmarks/bench.py --runs 5

The corpus is Django 5.1.4's `django/` package (879 files, 155k lines),
fetched once with `pip download --no-deps --no-binary :all: django==5.1.4`
into tests/benchmarks/.cache/. `--corpus DIR` benchmarks another tree.
`--baseline OTHER_VENV/bin/python` adds an earlier install's runs to the same
alternation, for "is this change slower?" (install the earlier commit with
`git archive REV | tar -x -C DIR && pip install DIR` in another venv).

Every factorscan run has `--profile`: per case, the harness prints the median
CPU seconds of each phase group (discovery, parse, rules, output, and start-up:
imports, settings, the rule registry), the bytes libcst parsed, and peak RSS.
PYTHONDONTWRITEBYTECODE is dropped from the tools' environment: a user's
install has its bytecode compiled, and without it every run of an editable
install compiles factorscan's modules again (about 0.5 s).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
DJANGO = "django==5.1.4"


def fetch_django() -> Path:
    target = CACHE / "Django-5.1.4" / "django"
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            DJANGO,
            "-d",
            str(CACHE),
        ],
        check=True,
    )
    archive = next(CACHE.glob("[Dd]jango-5.1.4.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE, filter="data")
    return target


def python_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if path.is_file())


def closest_to(files: list[Path], lines: int) -> Path:
    return min(files, key=lambda path: abs(len(path.read_bytes().splitlines()) - lines))


@dataclass
class Case:
    name: str
    command: list[str]
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)  # user + system, the process and its children
    peak_rss_kb: int = 0
    # `--profile` figures of each run (factorscan only): phase group or counter -> value
    profiles: list[dict[str, float]] = field(default_factory=list)

    def run(self, cwd: Path, env: dict[str, str]) -> None:
        start = time.perf_counter()
        process = subprocess.Popen(
            self.command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # wait4 reports the child's (and its waited-for children's) peak RSS.
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if code not in (0, 1):
            raise SystemExit(f"{self.name}: exit {code}: {' '.join(self.command)}\n{stderr[-2000:]}")
        self.times.append(elapsed)
        self.cpu_times.append(usage.ru_utime + usage.ru_stime)
        self.peak_rss_kb = max(self.peak_rss_kb, usage.ru_maxrss)
        if "--profile" in self.command:
            self.profiles.append(profile_figures(stderr))

    def profile_median(self, name: str) -> float | None:
        values = [profile[name] for profile in self.profiles if name in profile]
        return statistics.median(values) if values else None

    @property
    def median(self) -> float:
        return statistics.median(self.times)


_PROFILE_LINE = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<value>\d+(?:\.\d+)?)$")
# What the table prints per factorscan case, from its `--profile` output.
PROFILE_COLUMNS = (
    ("group discovery", "discovery"),
    ("group parse", "parse"),
    ("group rules", "rules"),
    ("group output", "output"),
    ("group start-up + other", "start-up"),
)


def profile_figures(stderr: str) -> dict[str, float]:
    """The name -> value lines of `factorscan --profile`'s table."""
    figures = {}
    for line in stderr.splitlines():
        match = _PROFILE_LINE.match(line.strip())
        if match:
            figures[match["name"]] = float(match["value"])
    return figures


def tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    if path is None:
        raise SystemExit(f"{name} is not installed: pip install '.[bench]'")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--corpus", type=Path, help="a source tree instead of Django's")
    parser.add_argument("--jobs", type=int, help="--jobs for factorscan")
    parser.add_argument(
        "--profile", action="store_true", help="also print one cold run's whole --profile table"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="PYTHON",
        help="the interpreter of another factorscan install (an earlier commit): its cold, warm and "
        "one-file runs join the alternation, and its ratios against this one are printed",
    )
    args = parser.parse_args()

    corpus = (args.corpus or fetch_django()).resolve()
    files = python_files(corpus)
    lines = sum(len(path.read_bytes().splitlines()) for path in files)
    single = closest_to(files, 1000)
    # What a pre-commit hook passes: a handful of changed files, one process.
    hook_files = [str(path) for path in files[:: max(1, len(files) // 20)][:20]]
    options = ["--exit-zero", "--quiet", "--format", "concise", "--profile"]
    if args.jobs:
        options += ["--jobs", str(args.jobs)]
    factorscan = [sys.executable, "-m", "factorscan", *options]
    # --diff prints the diff, in no --format
    diffing = [arg for arg in factorscan if arg not in ("--format", "concise")]
    bandit, ruff = tool("bandit"), tool("ruff")
    cache_dir = Path(tempfile.mkdtemp(prefix="factorscan-bench-cache-"))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"

    cases = [
        Case("factorscan cold", [*factorscan, "--no-cache", str(corpus)]),
        Case("bandit -r", [bandit, "-q", "-r", str(corpus)]),
        Case(
            "ruff --select S",
            [ruff, "check", "--select", "S", "--no-cache", "-q", "--exit-zero", str(corpus)],
        ),
        Case("factorscan warm", [*factorscan, "--cache-dir", str(cache_dir), str(corpus)]),
        # Every fix computed and shown, none written: what --fix adds to a cold scan.
        Case(
            "factorscan --diff",
            [*diffing, "--no-cache", "--diff", "--unsafe-fixes", str(corpus)],
        ),
        Case("factorscan 1 file", [*factorscan, "--no-cache", str(single)]),
        Case("bandit 1 file", [bandit, "-q", str(single)]),
        Case(f"factorscan {len(hook_files)} files", [*factorscan, "--no-cache", *hook_files]),
        Case(f"bandit {len(hook_files)} files", [bandit, "-q", *hook_files]),
    ]
    compared: list[tuple[str, str]] = []
    if args.baseline:
        baseline = [str(args.baseline), "-m", "factorscan", *options]
        baseline_cache = Path(tempfile.mkdtemp(prefix="factorscan-bench-baseline-cache-"))
        cases += [
            Case("baseline cold", [*baseline, "--no-cache", str(corpus)]),
            Case("baseline warm", [*baseline, "--cache-dir", str(baseline_cache), str(corpus)]),
            Case("baseline 1 file", [*baseline, "--no-cache", str(single)]),
        ]
        Case("fill baseline cache", cases[-2].command).run(corpus, env)
        compared = [(f"factorscan {kind}", f"baseline {kind}") for kind in ("cold", "warm", "1 file")]
    print(
        f"corpus: {corpus} ({len(files)} files, {lines} lines); single file: "
        f"{single.relative_to(corpus)} ({len(single.read_bytes().splitlines())} lines)"
    )
    print(f"{os.cpu_count()} CPUs; {args.runs} runs per case, alternating")
    warm = next(case for case in cases if case.name == "factorscan warm")
    Case("fill cache", warm.command).run(corpus, env)
    for round_number in range(args.runs):
        for case in cases:
            case.run(corpus, env)
        print(f"  round {round_number + 1}: " + ", ".join(f"{c.name} {c.times[-1]:.2f}s" for c in cases))

    by_name = {case.name: case for case in cases}
    print()
    print(f"{'case':<20} {'median':>9} {'min':>8} {'max':>8} {'CPU':>8} {'peak RSS':>10}")
    for case in cases:
        print(
            f"{case.name:<20} {case.median:>8.3f}s {min(case.times):>7.3f}s {max(case.times):>7.3f}s "
            f"{statistics.median(case.cpu_times):>7.3f}s {case.peak_rss_kb / 1024:>8.0f}MB"
        )
    print()
    print("factorscan CPU seconds per phase group (medians of the runs' --profile):")
    print(
        f"{'case':<20} " + " ".join(f"{label:>10}" for _, label in PROFILE_COLUMNS) + f" {'libcst bytes':>13}"
    )
    for case in cases:
        if not case.profiles:
            continue
        cells = []
        for name, _label in PROFILE_COLUMNS:
            value = case.profile_median(name)
            cells.append(f"{value:>10.3f}" if value is not None else f"{'-':>10}")
        parsed = case.profile_median("bytes parsed (libcst)")
        print(f"{case.name:<20} " + " ".join(cells) + f" {int(parsed or 0):>13,}")
    print()
    # Two figures per ratio: the ratio of the medians, and the median of the per-round
    # ratios (the two tools ran seconds apart, so a busy spell on the machine hits both).
    print(f"{'ratio':<36} {'of medians':>11} {'per-round median':>17}")
    for name, against in (
        ("factorscan cold", "bandit -r"),
        ("factorscan warm", "bandit -r"),
        ("factorscan --diff", "factorscan cold"),
        ("factorscan cold", "ruff --select S"),
        ("factorscan warm", "ruff --select S"),
        ("factorscan 1 file", "bandit 1 file"),
        (f"factorscan {len(hook_files)} files", f"bandit {len(hook_files)} files"),
        *compared,
    ):
        ours, theirs = by_name[name], by_name[against]
        per_round = statistics.median(a / b for a, b in zip(ours.times, theirs.times, strict=True))
        print(f"{name + ' / ' + against:<36} {ours.median / theirs.median:>10.3f}x {per_round:>16.3f}x")

    if args.profile:
        print("\nfactorscan --profile (one cold run):")
        subprocess.run([*factorscan, "--no-cache", str(corpus)], cwd=corpus, env=env, check=False)
    shutil.rmtree(cache_dir, ignore_errors=True)
    if args.baseline:
        shutil.rmtree(baseline_cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
