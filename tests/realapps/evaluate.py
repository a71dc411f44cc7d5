"""Precision of factorscan on a corpus of mature open-source web apps.

Each app listed in ``repos.tsv`` (repo, commit) is exported at its commit from a
bare git directory under MIRROR_DIR, scanned with ``factorscan --format json``,
and its findings are matched to the hand-made verdicts in ``labels.tsv`` by
(repo, path relative to the app's root, line, code).

Precision counts warning and error findings only: TP / (TP + FP). Findings
labelled ``judgement`` count in neither, and are shown apart; info findings
need no label.

Run it from the repository root (it needs the snapshots, so CI does not run it)::

    python tests/realapps/evaluate.py /work/.mirror
    python tests/realapps/evaluate.py /work/.mirror --repo CTFd/CTFd
    python tests/realapps/evaluate.py /work/.mirror --write-unlabelled /tmp/new.tsv
    python tests/realapps/evaluate.py /work/.mirror --json > summary.json

MIRROR_DIR holds one git directory per app: ``owner+name/repo`` (what the
session's fetch tool makes), ``owner+name``, ``owner/name``, ``name.git`` or
``name``. The factorscan that runs is ``--factorscan CMD``, else the
``factorscan`` on PATH, else ``python -m factorscan``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPOS_TSV = HERE / "repos.tsv"
LABELS_TSV = HERE / "labels.tsv"
DEFAULT_MIRROR = Path(os.environ.get("FACTORSCAN_MIRROR", "/work/.mirror"))
LABEL_COLUMNS = ("repo", "path", "line", "code", "verdict", "reason")
VERDICTS = ("TP", "FP", "judgement")
COUNTED_SEVERITIES = ("warning", "error")

Key = tuple[str, str, int, str]


@dataclass(frozen=True)
class Finding:
    repo: str
    path: str
    line: int
    code: str
    severity: str
    message: str

    @property
    def key(self) -> Key:
        return (self.repo, self.path, self.line, self.code)


@dataclass(frozen=True)
class Label:
    repo: str
    path: str
    line: int
    code: str
    verdict: str
    reason: str

    @property
    def key(self) -> Key:
        return (self.repo, self.path, self.line, self.code)


@dataclass
class RepoRun:
    repo: str
    commit: str
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: str | None = None


def read_tsv(path: Path) -> list[list[str]]:
    """The rows of a tab-separated file without its header, blank and `#` lines."""
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def read_repos(path: Path) -> list[tuple[str, str]]:
    repos = []
    for row in read_tsv(path):
        if len(row) < 2:
            raise SystemExit(f"{path}: expected 'repo<TAB>commit', got {row!r}")
        repos.append((row[0].strip(), row[1].strip()))
    return repos


def read_labels(path: Path) -> tuple[dict[Key, Label], list[str]]:
    """The labels by key, and the problems found reading them."""
    labels: dict[Key, Label] = {}
    problems: list[str] = []
    if not path.exists():
        return labels, problems
    for number, row in enumerate(read_tsv(path), start=2):
        if len(row) != len(LABEL_COLUMNS):
            problems.append(f"{path.name}:{number}: {len(row)} columns, expected {len(LABEL_COLUMNS)}")
            continue
        repo, rel, line, code, verdict, reason = (cell.strip() for cell in row)
        if not line.isdigit():
            problems.append(f"{path.name}:{number}: line {line!r} is not a number")
            continue
        if verdict not in VERDICTS:
            problems.append(f"{path.name}:{number}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
            continue
        label = Label(repo, rel, int(line), code, verdict, reason)
        if label.key in labels and labels[label.key].verdict != verdict:
            problems.append(f"{path.name}:{number}: {label.key} labelled twice, differently")
        labels[label.key] = label
    return labels, problems


def find_git_dir(mirror: Path, repo: str) -> Path | None:
    owner, _, name = repo.partition("/")
    candidates = [
        mirror / f"{owner}+{name}" / "repo",
        mirror / f"{owner}+{name}",
        mirror / owner / name,
        mirror / f"{name}.git",
        mirror / name,
    ]
    for candidate in candidates:
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
        if (candidate / ".git" / "HEAD").is_file():
            return candidate / ".git"
    return None


def export_tree(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Write the tree of `commit` into `dest` with `git archive | tar -x`; the paths left out.

    Snapshots may lack some blobs (large files); `git archive` then fails, and
    the tree is written blob by blob instead, leaving the missing ones out.
    """
    archive = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    untar = subprocess.run(
        ["tar", "-x", "-C", str(dest)], stdin=archive.stdout, capture_output=True, check=False
    )
    if archive.stdout is not None:
        archive.stdout.close()
    archive_err = archive.stderr.read().decode(errors="replace") if archive.stderr else ""
    if archive.wait() == 0 and untar.returncode == 0:
        return []
    if "invalid object" not in archive_err and "cannot read" not in archive_err:
        detail = archive_err.strip() or untar.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"exporting {commit} failed: {detail}")
    shutil.rmtree(dest)
    dest.mkdir()
    return export_blobs(git_dir, commit, dest)


def export_blobs(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Write every blob of `commit` that the git dir holds into `dest`; the paths it lacks."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", commit],
        capture_output=True,
        check=True,
    )
    missing = []
    batch = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert batch.stdin is not None
    assert batch.stdout is not None
    try:
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, raw_path = record.split(b"\t", 1)
            mode, kind, sha = meta.decode().split()
            path = os.fsdecode(raw_path)
            if kind != "blob":  # submodules are not part of an archive either
                continue
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if header[-1] == b"missing":
                missing.append(path)
                continue
            content = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                target.symlink_to(os.fsdecode(content))
            else:
                target.write_bytes(content)
                if mode == "100755":
                    target.chmod(0o755)
    finally:
        batch.stdin.close()
        batch.wait()
    return missing


def factorscan_command(explicit: str | None) -> list[str]:
    if explicit:
        return shlex.split(explicit)
    on_path = shutil.which("factorscan")
    if on_path:
        return [on_path]
    return [sys.executable, "-m", "factorscan"]


def relative_path(filename: str | None, root: Path) -> str:
    if not filename:
        return ""
    path = Path(filename)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            return filename
    text = path.as_posix()
    return text[2:] if text.startswith("./") else text


def parse_findings(repo: str, raw: Iterable[dict[str, object]], root: Path) -> list[Finding]:
    findings = []
    for item in raw:
        location = item.get("location")
        line = location.get("row", 0) if isinstance(location, dict) else 0
        findings.append(
            Finding(
                repo=repo,
                path=relative_path(str(item.get("filename") or ""), root),
                line=int(line or 0),
                code=str(item.get("code", "")),
                severity=str(item.get("severity", "")),
                message=str(item.get("message", "")),
            )
        )
    return findings


def scan(repo: str, commit: str, git_dir: Path, command: Sequence[str], save_dir: Path | None) -> RepoRun:
    run = RepoRun(repo, commit)
    with tempfile.TemporaryDirectory(prefix="realapps-") as tmp:
        root = Path(tmp) / repo.rsplit("/", maxsplit=1)[-1]  # named as a clone would be
        root.mkdir()
        run.missing = export_tree(git_dir, commit, root)
        output = Path(tmp) / "findings.json"
        args = [*command, "--no-cache", "--exit-zero", "--format", "json", "--output", str(output), "."]
        started = time.monotonic()
        result = subprocess.run(args, cwd=root, capture_output=True, text=True, check=False)
        run.seconds = time.monotonic() - started
        if result.returncode != 0 or not output.exists():
            tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
            run.error = f"factorscan exited {result.returncode}: " + " | ".join(tail)
            return run
        raw = json.loads(output.read_text(encoding="utf-8"))
        if save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
            saved = {"repo": repo, "commit": commit, "seconds": run.seconds, "missing": run.missing}
            saved["findings"] = raw
            (save_dir / f"{repo.replace('/', '+')}.json").write_text(json.dumps(saved), encoding="utf-8")
        run.findings = parse_findings(repo, raw, root)
    return run


def load_saved(repo: str, commit: str, load_dir: Path) -> RepoRun:
    run = RepoRun(repo, commit)
    path = load_dir / f"{repo.replace('/', '+')}.json"
    if not path.exists():
        run.error = f"no saved findings at {path}"
        return run
    saved = json.loads(path.read_text(encoding="utf-8"))
    if saved.get("commit") != commit:
        run.error = f"{path} was scanned at {saved.get('commit')}, not {commit}"
        return run
    run.seconds = float(saved.get("seconds", 0.0))
    run.missing = list(saved.get("missing", []))
    run.findings = parse_findings(repo, saved["findings"], Path("."))
    return run


def precision(tp: int, fp: int) -> float | None:
    return tp / (tp + fp) if tp + fp else None


def summarise(runs: list[RepoRun], labels: dict[Key, Label]) -> dict[str, Any]:
    """Counts per rule and overall, the unlabelled findings and the vanished TPs."""
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    unlabelled: list[Finding] = []
    judgements: list[tuple[Finding, Label]] = []
    seen: set[Key] = set()
    for run in runs:
        for finding in run.findings:
            seen.add(finding.key)
            counts = per_rule[finding.code]
            if finding.severity not in COUNTED_SEVERITIES:
                counts["info"] += 1
                continue
            counts["findings"] += 1
            label = labels.get(finding.key)
            if label is None:
                counts["unlabelled"] += 1
                unlabelled.append(finding)
                continue
            counts[label.verdict] += 1
            if label.verdict == "judgement":
                judgements.append((finding, label))
    scanned = {run.repo for run in runs if run.error is None}
    vanished = [
        label
        for key, label in sorted(labels.items())
        if label.repo in scanned and label.verdict == "TP" and key not in seen
    ]
    stale = sum(
        1
        for key, label in labels.items()
        if label.repo in scanned and label.verdict != "TP" and key not in seen
    )
    total: Counter[str] = Counter()
    rules = {}
    for code in sorted(per_rule):
        counts = per_rule[code]
        total.update(counts)
        rules[code] = {
            "findings": counts["findings"],
            "TP": counts["TP"],
            "FP": counts["FP"],
            "judgement": counts["judgement"],
            "unlabelled": counts["unlabelled"],
            "info": counts["info"],
            "precision": precision(counts["TP"], counts["FP"]),
        }
    overall = {
        "findings": total["findings"],
        "TP": total["TP"],
        "FP": total["FP"],
        "judgement": total["judgement"],
        "unlabelled": total["unlabelled"],
        "info": total["info"],
        "precision": precision(total["TP"], total["FP"]),
    }
    return {
        "repos": [
            {
                "repo": run.repo,
                "commit": run.commit,
                "seconds": round(run.seconds, 2),
                "findings": sum(1 for f in run.findings if f.severity in COUNTED_SEVERITIES),
                "info": sum(1 for f in run.findings if f.severity not in COUNTED_SEVERITIES),
                "missing_files": run.missing,
                "error": run.error,
            }
            for run in runs
        ],
        "rules": rules,
        "overall": overall,
        "unlabelled": [finding_json(f) for f in unlabelled],
        "judgement": [dict(finding_json(f), reason=label.reason) for f, label in judgements],
        "vanished_tps": [
            {"repo": lb.repo, "path": lb.path, "line": lb.line, "code": lb.code, "reason": lb.reason}
            for lb in vanished
        ],
        "stale_labels": stale,
    }


def finding_json(finding: Finding) -> dict[str, object]:
    return {
        "repo": finding.repo,
        "path": finding.path,
        "line": finding.line,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
    }


def format_precision(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "-"


def print_report(summary: dict[str, Any]) -> None:
    repos = summary["repos"]
    rules = summary["rules"]
    overall = summary["overall"]
    print("repo                                  commit        seconds  warn+err  info")
    for entry in repos:
        status = f"  ERROR {entry['error']}" if entry["error"] else ""
        if entry["missing_files"]:
            status += f"  ({len(entry['missing_files'])} files absent from the snapshot)"
        print(
            f"{entry['repo']:<37} {entry['commit'][:12]}  {entry['seconds']:7.1f}"
            f"  {entry['findings']:8}  {entry['info']:4}{status}"
        )
    print()
    header = f"{'rule':<8} {'findings':>8} {'TP':>5} {'FP':>5} {'judg':>5} {'unlab':>5} {'info':>5} precision"
    print(header)
    for code, counts in [*rules.items(), ("overall", overall)]:
        print(
            f"{code:<8} {counts['findings']:>8} {counts['TP']:>5} {counts['FP']:>5} {counts['judgement']:>5}"
            f" {counts['unlabelled']:>5} {counts['info']:>5} {format_precision(counts['precision'])}"
        )
    sections = (
        ("findings that match no label", summary["unlabelled"]),
        ("findings labelled judgement", summary["judgement"]),
    )
    for title, items in sections:
        if items:
            print(f"\n{title} ({len(items)}):")
            for item in items:
                print(f"  {item['repo']} {item['path']}:{item['line']} {item['code']} {item['message']}")
    vanished = summary["vanished_tps"]
    if vanished:
        print(f"\nlabelled TPs that no longer appear ({len(vanished)}):")
        for item in vanished:
            print(f"  {item['repo']} {item['path']}:{item['line']} {item['code']} ({item['reason']})")
    if summary["stale_labels"]:
        print(f"\n{summary['stale_labels']} FP/judgement labels match no finding any more")


def write_unlabelled(path: Path, summary: dict[str, Any]) -> None:
    """The unlabelled findings as labels.tsv rows with an empty verdict and the message as reason."""
    items = summary["unlabelled"]
    with path.open("w", encoding="utf-8") as out:
        out.write("\t".join(LABEL_COLUMNS) + "\n")
        for item in items:
            message = " ".join(str(item["message"]).split())
            row = [item["repo"], item["path"], str(item["line"]), item["code"], "", message]
            out.write("\t".join(row) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "mirror", nargs="?", type=Path, default=DEFAULT_MIRROR, help=f"git dirs (default {DEFAULT_MIRROR})"
    )
    parser.add_argument("--repo", action="append", help="only this repo (owner/name); repeatable")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--write-unlabelled", type=Path, metavar="FILE", help="TSV of unlabelled findings")
    parser.add_argument("--factorscan", metavar="CMD", help="the factorscan command to run")
    parser.add_argument("--save-findings", type=Path, metavar="DIR", help="keep each repo's JSON in DIR")
    parser.add_argument("--load-findings", type=Path, metavar="DIR", help="use the JSON in DIR; scan nothing")
    parser.add_argument("--repos", type=Path, default=REPOS_TSV, help=argparse.SUPPRESS)
    parser.add_argument("--labels", type=Path, default=LABELS_TSV, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    repos = read_repos(args.repos)
    if args.repo:
        unknown = set(args.repo) - {repo for repo, _ in repos}
        if unknown:
            parser.error(f"not in {args.repos.name}: {', '.join(sorted(unknown))}")
        repos = [(repo, commit) for repo, commit in repos if repo in args.repo]
    labels, problems = read_labels(args.labels)
    for problem in problems:
        print(problem, file=sys.stderr)

    command = factorscan_command(args.factorscan)
    runs = []
    for repo, commit in repos:
        if args.load_findings:
            run = load_saved(repo, commit, args.load_findings)
        else:
            git_dir = find_git_dir(args.mirror, repo)
            if git_dir is None:
                run = RepoRun(repo, commit, error=f"no git dir for {repo} under {args.mirror}")
            else:
                if not args.json:
                    print(f"scanning {repo} at {commit[:12]} ...", file=sys.stderr, flush=True)
                try:
                    run = scan(repo, commit, git_dir, command, args.save_findings)
                except RuntimeError as error:
                    run = RepoRun(repo, commit, error=str(error))
        runs.append(run)

    summary = summarise(runs, labels)
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_report(summary)
    if args.write_unlabelled:
        write_unlabelled(args.write_unlabelled, summary)
    failed = any(run.error for run in runs)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
