"""Apply fixes to a corpus of programs and compare what the programs do before and after.

A corpus entry is a small project (a module, a Dockerfile, a Procfile...). The
harness writes every entry into one tree, fixes copies of it with the real CLI
(`--fix`, and `--fix --unsafe-fixes` apart), runs every runnable file of every
entry before and after through runner.py, and keeps the records. The checks
below turn two records into a list of problems, each a sentence.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..conftest import run_cli, write_project

RUNNER = Path(__file__).resolve().parent / "runner.py"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
CONSOLE = ("stdout", "stderr")
# The reads a fix writes: os.environ["X"], os.environ.get("X", ...), os.getenv("X"), env("X"), config("X").
ENV_READ = re.compile(
    r"""(?:environ\.get|environ\.setdefault|getenv|\benv|\bconfig)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""
    r"""|environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]"""
)
FLAG_READ = r"""environ\.get\(\s*["']{name}["']\s*,\s*["'](\w+)["']\s*\)\.lower\(\)\s*in"""
NUMBER_READ = (
    r"""(?:int\(\s*os\.environ\.get\(\s*["']{name}["']|environ\.get\(\s*["']{name}["']\s*,\s*["']\d+["'])"""
)


@dataclass(frozen=True)
class Entry:
    """One program of the corpus: its files, and the rules whose fixes it exercises."""

    name: str
    files: Mapping[str, str]
    covers: tuple[str, ...]
    note: str = ""


def runnable_kind(path: str, text: str) -> str | None:
    """How the runner starts a file: as a module, a gunicorn config, a container..."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".py"):
        return "gunicorn_conf" if name.startswith("gunicorn") else "python"
    if name == "Dockerfile" or name.startswith("Dockerfile."):
        return "dockerfile"
    if name == "Procfile":
        return "procfile"
    if name.endswith(".sh"):
        return "shell"
    if name.endswith((".ini", ".cfg", ".conf")) and "[handlers]" in text:
        return "logging_ini"
    return None


def env_reads(text: str) -> set[str]:
    return {a or b for a, b in ENV_READ.findall(text)}


@dataclass
class Variable:
    name: str
    value: str
    flag: bool  # a debug-style flag: its value is judged by the effect, not found in the record


def choose_value(name: str, texts: Iterable[str], index: int) -> Variable:
    """A distinctive value for `name`, of the kind the program parses it as."""
    joined = "\n".join(texts)
    flag = re.search(FLAG_READ.format(name=re.escape(name)), joined)
    if flag:
        return Variable(name, "false" if flag.group(1).lower() in ("1", "true", "yes") else "true", True)
    if name.endswith("PORT") or re.search(NUMBER_READ.format(name=re.escape(name)), joined):
        return Variable(name, str(41000 + index), False)
    return Variable(name, f"fixharness-{name.lower().replace('_', '-')}-{index}", False)


@dataclass
class Results:
    """Everything the checks need, as JSON: written once, read by every test (and xdist worker)."""

    entries: dict[str, dict] = field(default_factory=dict)

    def record(self, entry: str, run: str) -> dict[str, dict]:
        return self.entries[entry]["runs"][run]


def compute(entries: list[Entry], workdir: Path) -> Results:
    """Fix the corpus both ways and run every program before and after."""
    orig = workdir / "orig"
    for entry in entries:
        write_project(orig / entry.name, dict(entry.files))
    (orig / ".git").mkdir()
    safe, unsafe = workdir / "safe", workdir / "unsafe"
    shutil.copytree(orig, safe)
    shutil.copytree(orig, unsafe)
    with ThreadPoolExecutor(2) as pool:
        safe_run = pool.submit(run_cli, "--fix", "--no-cache", "--quiet", ".", cwd=safe)
        unsafe_run = pool.submit(run_cli, "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=unsafe)
        completed = [safe_run.result(), unsafe_run.result()]
    for run in completed:
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr, run.stderr
    changes = behaviour_changes(completed[1].stderr)

    results = Results()
    jobs: list[dict] = []
    for entry in entries:
        texts = {
            variant: _texts(root / entry.name)
            for variant, root in (("orig", orig), ("safe", safe), ("unsafe", unsafe))
        }
        data: dict = {
            "covers": list(entry.covers),
            "changes": changes.get(entry.name, []),
            "changed": {
                variant: sorted(p for p in texts[variant] if texts[variant][p] != texts["orig"].get(p))
                for variant in ("safe", "unsafe")
            },
            "variables": {},
            "runs": {},
        }
        kinds = {path: runnable_kind(path, text) for path, text in texts["orig"].items()}
        runs = [("orig", "orig", {})]
        for variant in ("safe", "unsafe"):
            if not data["changed"][variant]:
                continue
            runs.append((variant, variant, {}))
            python = [text for path, text in texts[variant].items() if path.endswith(".py")]
            names = sorted(set().union(*(env_reads(text) for text in python))) if python else []
            before = set().union(*(env_reads(t) for p, t in texts["orig"].items() if p.endswith(".py")))
            variables = [choose_value(name, python, index) for index, name in enumerate(names)]
            data["variables"][variant] = {
                v.name: {"value": v.value, "flag": v.flag, "new": v.name not in before} for v in variables
            }
            if variables:
                runs.append((f"{variant}+set", variant, {v.name: v.value for v in variables}))
            if variant == "unsafe":
                # Each variable a listed change requires, left out alone: the program must need it.
                required = listed_variables(data["changes"])
                every = {v.name: v.value for v in variables} | {
                    name: f"fixharness-{name.lower()}"
                    for name in required
                    if name not in data["variables"][variant]
                }
                data["required"] = required
                runs += [
                    (f"unsafe-{name}", "unsafe", {k: v for k, v in every.items() if k != name})
                    for name in required
                ]
        for run_name, variant, env in runs:
            data["runs"][run_name] = {}
            for path, kind in kinds.items():
                if kind is not None:
                    job_id = f"{entry.name}|{run_name}|{path}"
                    root = {"orig": orig, "safe": safe, "unsafe": unsafe}[variant]
                    jobs.append(
                        {"id": job_id, "kind": kind, "dir": str(root / entry.name), "path": path, "env": env}
                    )
        results.entries[entry.name] = data
    for job_id, record in run_jobs(jobs).items():
        name, run_name, path = job_id.split("|")
        results.entries[name]["runs"][run_name][path] = record
    return results


def _texts(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".factorscan_cache" not in path.parts
    }


def behaviour_changes(stderr: str) -> dict[str, list[str]]:
    """The CLI's list of what the unsafe fixes changed, by entry (the path's first folder)."""
    by_entry: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        match = re.match(r"  ([^/\s]+)/\S+:\d+: FS\d{4} ", line)
        if match:
            by_entry.setdefault(match.group(1), []).append(line.strip())
    return by_entry


def listed_variables(changes: list[str]) -> list[str]:
    """The variables that listed changes make the program require ("Read X from the
    environment", "Require X: drop the hardcoded default")."""
    names = re.findall(
        r"FS\d{4} (?:Read|Require) \$?([A-Za-z_][A-Za-z0-9_]*)\b(?! the host)", "\n".join(changes)
    )
    return sorted(set(names) - {"the"})


def run_jobs(jobs: list[dict]) -> dict[str, dict]:
    """Run the jobs in two runner processes (the machine has two cores)."""
    if not jobs:
        return {}
    halves = [jobs[0::2], jobs[1::2]]
    with tempfile.TemporaryDirectory(prefix="fixjobs-") as scratch:
        processes = []
        for index, half in enumerate(halves):
            if not half:
                continue
            job_file, result_file = Path(scratch, f"jobs{index}.json"), Path(scratch, f"results{index}.json")
            job_file.write_text(json.dumps(half))
            command = [sys.executable, "-I", "-S", str(RUNNER), str(job_file), str(result_file)]
            processes.append((subprocess.Popen(command, stderr=subprocess.PIPE, text=True), result_file))
        results: dict[str, dict] = {}
        for process, result_file in processes:
            _, stderr = process.communicate(timeout=600)
            assert process.returncode == 0, stderr
            results.update(json.loads(result_file.read_text()))
    return results


# -- comparing two records --------------------------------------------------------------------


def leaves(value, path: str = "") -> dict[str, object]:
    """path -> scalar, for every scalar in a record."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(leaves(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, f"{path}[{index}]"))
        return out
    return {path: value}


LOG_SETTINGS = ("LOGGING", "accesslog", "errorlog", "logconfig_dict")


def _log_sections(record: dict) -> tuple[dict, dict[str, dict]]:
    """(the record without its log destinations and log settings, the destinations by probe).
    Where logs go is judged by the probes, not by how the configuration spells it."""
    record = json.loads(json.dumps(record))
    logs = dict(record.pop("logs", {}))
    for name in LOG_SETTINGS:
        record.get("globals", {}).pop(name, None)
    if "events" in record:
        record["events"] = [
            e for e in record["events"] if not e["kind"].startswith(("loguru.", "structlog."))
        ]
    for name, started in record.get("processes", {}).items():
        for index, process in enumerate(started):
            for probe, places in process.pop("logs", {}).items():
                logs[f"{name}[{index}].{probe}"] = places
    return record, logs


def _handler_probe(probe: str) -> bool:
    return probe.rsplit(".", 1)[-1].startswith("handler#")


def _loggers_deliver(before: dict[str, dict], after: dict[str, dict]) -> bool:
    """Every logger that put its records somewhere still does: a handler the fix emptied or
    removed (a file handler beside Flask's own stderr one) loses nothing the app logs. A
    logger that delivered nothing before (one a dictConfig disabled) is no loss."""
    loggers = [probe for probe, places in before.items() if places and not _handler_probe(probe)]
    return bool(loggers) and all(after.get(probe) for probe in loggers)


def log_problems(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """A safe fix may send a log file's records to stdout; it never adds a file, loses a
    record, or makes a record reach the console more often than once (or than before)."""
    problems = []
    for probe in sorted(set(before) | set(after)):
        old, new = before.get(probe, {}), after.get(probe, {})
        added = {place for place in new if place.startswith("file:")} - set(old)
        if added:
            problems.append(f"log probe {probe}: now also written to {sorted(added)}")
        console_old = sum(old.get(place, 0) for place in CONSOLE)
        console_new = sum(new.get(place, 0) for place in CONSOLE)
        if console_new > max(1, console_old):
            problems.append(
                f"log probe {probe}: reaches the console {console_new} times (before: {console_old}): {new}"
            )
        if old and not new and not (_handler_probe(probe) and _loggers_deliver(before, after)):
            problems.append(f"log probe {probe}: its records are lost (before: {old})")
    return problems


def _allowed_command_change(path: str, old, new) -> bool:
    """What a safe Dockerfile fix changes on purpose: PYTHONUNBUFFERED set (FS1104), the
    app becoming the container's main process (FS0903)."""
    if path.endswith(".main"):
        return old is not True and new is True
    return path.endswith("PYTHONUNBUFFERED") and old is None and new == "1"


def difference(before: dict, after: dict) -> tuple[list[tuple[str, object, object]], list[str]]:
    """(changed leaves outside the logs and the allowed command changes, log problems)."""
    old_record, old_logs = _log_sections(before)
    new_record, new_logs = _log_sections(after)
    old_leaves, new_leaves = leaves(old_record), leaves(new_record)
    changed = [
        (path, old_leaves.get(path), new_leaves.get(path))
        for path in sorted(set(old_leaves) | set(new_leaves))
        if old_leaves.get(path) != new_leaves.get(path)
        and not _allowed_command_change(path, old_leaves.get(path), new_leaves.get(path))
    ]
    return changed, log_problems(old_logs, new_logs)


def open_debuggers(record: dict) -> list[dict]:
    """Servers started with a debugger (or reloader) on an interface other than loopback."""
    return [
        event
        for event in record.get("events", [])
        if event.get("kind") == "serve" and event.get("debug") and event.get("host") not in LOOPBACK
    ]


def _errors(record: dict) -> list[str]:
    found = [record["error"]] if record.get("error") else []
    return found + [call["error"] for call in record.get("calls", []) if call.get("error")]


def safe_problems(path: str, before: dict, after: dict) -> list[str]:
    """What a safe fix changed in one file's record, variables unset."""
    if "harness_error" in after or "harness_error" in before:
        return [
            f"{path}: the harness could not run it: {after.get('harness_error') or before.get('harness_error')}"
        ]
    changed, logs = difference(before, after)
    problems = [f"{path}: {leaf} was {old!r}, is {new!r} after the safe fixes" for leaf, old, new in changed]
    return problems + [f"{path}: {problem}" for problem in logs]


def check_safe(results: Results, entry: str, run: str = "safe") -> list[str]:
    """Variables unset: the safe fixes left the recorded behaviour as it was."""
    data = results.entries[entry]
    if run not in data["runs"]:
        return []
    problems = []
    for path, before in results.record(entry, "orig").items():
        problems += safe_problems(path, before, data["runs"][run][path])
    return problems


def _tokens(record: dict) -> set[str]:
    """Every recorded scalar as text, and the two halves of a `host:port` string."""
    tokens: set[str] = set()
    for value in leaves(record).values():
        text = str(value)
        tokens.add(text)
        host, colon, port = text.rpartition(":")
        if colon:
            tokens.update({host, port})
    return tokens


def check_variables_set(results: Results, entry: str, variant: str) -> list[str]:
    """Variables set: each new variable's value reaches the program whole (a flag: it
    changes what the program does), and no error appears that the fixed program
    without them did not have either."""
    data = results.entries[entry]
    variables = data["variables"].get(variant, {})
    if f"{variant}+set" not in data["runs"]:
        return []
    records = data["runs"][f"{variant}+set"]
    unset = data["runs"][variant]
    problems = []
    tokens = set().union(*(_tokens(record) for record in records.values())) if records else set()
    for name, variable in variables.items():
        if not variable["new"]:
            continue
        if variable["flag"]:
            if all(difference(unset[path], records[path]) == ([], []) for path in records):
                problems.append(f"${name}={variable['value']} changed nothing the program does")
        elif variable["value"] not in tokens:
            problems.append(f"${name}={variable['value']!r} never reached the program whole")
    problems += _shared_variables(results.record(entry, "orig"), records, variables)
    for path, record in records.items():
        extra = set(_errors(record)) - set(_errors(results.record(entry, "orig")[path]))
        if extra:
            problems.append(f"{path}: with every variable set it fails: {sorted(extra)}")
    return problems


_ENVIRONMENT_CLASS = re.compile(
    r"^(?:Production|Prod|Staging|Stage|Development|Dev|Testing|Test|Local|QA|Live)(?:Config|Settings)$"
)


def _shared_variables(before: dict[str, dict], after: dict[str, dict], variables: dict) -> list[str]:
    """Two values that differed before the fix must not come from one variable after it."""
    values = {variable["value"]: name for name, variable in variables.items() if not variable["flag"]}
    problems = []
    for path, record in after.items():
        old = leaves(_log_sections(before[path])[0])
        new = leaves(_log_sections(record)[0])
        by_variable: dict[str, set] = {}
        for leaf, value in new.items():
            # One setting per environment class (`ProductionConfig`, `StagingConfig`): only one
            # of them is loaded in a deployment, so they may share their variable.
            per_environment = any(_ENVIRONMENT_CLASS.match(part) for part in re.split(r"[.\[\]]", leaf))
            if str(value) in values and leaf in old and not per_environment:
                by_variable.setdefault(values[str(value)], set()).add(json.dumps(old[leaf]))
        for name, originals in sorted(by_variable.items()):
            if len(originals) > 1:
                problems.append(
                    f"{path}: ${name} now stands for {len(originals)} different values: {sorted(originals)}"
                )
    return problems


def _explained(leaf: str, old: object, new: object, codes: set[str]) -> bool:
    """Whether a listed behaviour change accounts for a changed leaf of the record."""
    lowered = leaf.lower()
    if "debug" in lowered or "reload" in lowered:
        return "FS0303" in codes
    if "host" in lowered or "bind" in lowered:
        return "FS0702" in codes
    if ".argv[" in lowered and isinstance(new, str):
        # FS0903: `exec` before the last command of a shell string
        return "FS0903" in codes and new.replace("exec ", "") == old
    return False


def check_unsafe(results: Results, entry: str) -> list[str]:
    """Variables unset: the unsafe fixes change only what the run listed as behaviour
    changes, and never leave a debugger open on all interfaces."""
    data = results.entries[entry]
    if "unsafe" not in data["runs"]:
        return []
    listed = data["changes"]
    codes = {line.split(" ")[1] for line in listed}
    problems = []
    for path, before in results.record(entry, "orig").items():
        after = data["runs"]["unsafe"][path]
        for event in open_debuggers(after):
            problems.append(f"{path}: with nothing set, a debugger listens on {event.get('host')}: {event}")
        new_errors = set(_errors(after)) - set(_errors(before))
        for error in sorted(new_errors):
            names = [
                name
                for name in re.findall(r"[A-Z][A-Z0-9_]{2,}", error)
                if any(name in line for line in listed)
            ]
            if not names:
                problems.append(
                    f"{path}: fails with {error!r}, which no listed behaviour change explains: {listed}"
                )
        if new_errors:
            continue  # the program stops where it did not: what follows is not comparable
        changed, logs = difference(before, after)
        problems += [f"{path}: {problem}" for problem in logs]
        for leaf, old, new in changed:
            if not _explained(leaf, old, new, codes):
                problems.append(
                    f"{path}: {leaf} was {old!r}, is {new!r}, and no listed change explains it: {listed}"
                )
    return problems


def check_listed_changes_happen(results: Results, entry: str) -> list[str]:
    """The converse: every behaviour change the run lists shows in what the program does.
    A required variable left out alone stops the program with an error naming it; a debug
    default, a bind or a container command listed as changed has changed."""
    data = results.entries[entry]
    problems = []
    read_by_name = data["variables"].get("unsafe", {})
    for name in data.get("required", []):
        records = data["runs"][f"unsafe-{name}"]
        failed = any(name in error for record in records.values() for error in _errors(record))
        # A django-environ scheme entry (`SECRET_KEY=str`) matters only where env("SECRET_KEY") is read.
        if not failed and name in read_by_name:
            problems.append(f"${name} is listed as required, yet the program runs without it")
    changed = [
        leaf
        for path, before in results.record(entry, "orig").items()
        if "unsafe" in data["runs"]
        for leaf, _, _ in difference(before, data["runs"]["unsafe"][path])[0]
    ]
    main = any(
        leaf.endswith(".main")
        for path, before in results.record(entry, "orig").items()
        if "unsafe" in data["runs"]
        for leaf in _changed_leaves(before, data["runs"]["unsafe"][path])
    )
    expectations = {
        "FS0303": lambda: any("debug" in leaf.lower() for leaf in changed),
        "FS0702": lambda: any("host" in leaf.lower() or "bind" in leaf.lower() for leaf in changed),
        "FS0903": lambda: main or any(".argv[" in leaf for leaf in changed),
    }
    for line in data["changes"]:
        code = line.split(" ")[1]
        if code in expectations and not expectations[code]():
            problems.append(f"listed, but nothing the program does changed: {line}")
    return problems


def _changed_leaves(before: dict, after: dict) -> list[str]:
    old, new = leaves(before), leaves(after)
    return [leaf for leaf in set(old) | set(new) if old.get(leaf) != new.get(leaf)]
