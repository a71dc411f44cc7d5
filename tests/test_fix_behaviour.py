"""Fixes keep behaviour, proven by running the code (issue 15 §1).

Every program of the corpus (each fixable rule's INVALID examples with `fixed=`,
and tricky programs of our own) is run against stub frameworks that record what
it asked for, fixed with the real CLI (`--fix`; `--fix --unsafe-fixes` apart),
and run again:
- variables unset, a safe fix changes nothing (binds, debug, URLs, globals;
  log records go to stdout instead of a file, and reach the console once);
- variables set, each new variable's value reaches the program whole;
- an unsafe fix changes only what the run lists as behaviour changes, and
  never leaves a debugger open on all interfaces with nothing set.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import example, given

from factorscan import api

from .fixbehaviour.corpus import corpus, fixable_rules
from .fixbehaviour.harness import (
    Results,
    check_listed_changes_happen,
    check_safe,
    check_unsafe,
    check_variables_set,
    compute,
    open_debuggers,
    run_jobs,
    runnable_kind,
    safe_problems,
)
from .fixbehaviour.programs import programs, snippets

CORPUS = corpus()
# Failures the harness found that are not fixed yet, each with its reason: strict, so that
# each one is noticed (and removed from here) when its fix lands. None today.
KNOWN: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="session")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """Computed once per test session, shared by the xdist workers through a locked file."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    lock_path, result_path = shared / "fixbehaviour.lock", shared / "fixbehaviour.json"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result_path.exists():
            started = time.perf_counter()
            with tempfile.TemporaryDirectory(prefix="fixbehaviour-") as workdir:
                computed = compute(CORPUS, Path(workdir))
            computed.entries["_timing"] = {"seconds": time.perf_counter() - started}
            result_path.write_text(json.dumps(computed.entries))
    return Results(json.loads(result_path.read_text()))


def _params(check: str):
    return [
        pytest.param(
            entry.name,
            id=entry.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[check, entry.name])]
            if (check, entry.name) in KNOWN
            else [],
        )
        for entry in CORPUS
    ]


def test_every_fixable_rule_is_in_the_corpus() -> None:
    """A new fixable rule fails here until the harness can run the files its fixes change."""
    for rule in fixable_rules():
        entries = [entry for entry in CORPUS if rule.code in entry.covers]
        fixed = [example for example in rule.INVALID if example.fixed is not None]
        assert entries, f"{rule.code} has a fix but no corpus entry"
        runnable = [example for example in fixed if runnable_kind(example.filename, example.code)]
        assert runnable, f"{rule.code}: the harness cannot run the files its fixes change"


@pytest.mark.parametrize("entry", _params("safe"))
def test_safe_fixes_keep_behaviour(results: Results, entry: str) -> None:
    assert check_safe(results, entry) == []


@pytest.mark.parametrize("entry", _params("safe+set"))
def test_safe_fix_variables_reach_the_program(results: Results, entry: str) -> None:
    assert check_variables_set(results, entry, "safe") == []


@pytest.mark.parametrize("entry", _params("unsafe"))
def test_unsafe_fixes_change_only_what_they_list(results: Results, entry: str) -> None:
    assert check_unsafe(results, entry) == []


@pytest.mark.parametrize("entry", _params("listed"))
def test_unsafe_fixes_do_what_they_list(results: Results, entry: str) -> None:
    assert check_listed_changes_happen(results, entry) == []


@pytest.mark.parametrize("entry", _params("unsafe+set"))
def test_unsafe_fix_variables_reach_the_program(results: Results, entry: str) -> None:
    assert check_variables_set(results, entry, "unsafe") == []


# Examples whose failures are listed in KNOWN stay out of the random programs.
POOL = snippets(frozenset(name for _, name in KNOWN))


# Programs the random draws found failing, replayed on every run.
_PROPAGATES_TO_STREAMING_ROOT = (
    ["FS1101-invalid-4", "FS1101-invalid-0"],
    "from logging import FileHandler, getLogger\n\nif True:\n    log = getLogger(__name__)\n\n"
    'if True:\n    log.addHandler(FileHandler("/var/log/app.log"))\n\nimport logging\n\nimport sys\n\n'
    "if True:\n    root = logging.getLogger()\n\nif True:\n    root.addHandler(logging.StreamHandler(sys.stderr))\n\n"
    'if True:\n    root.addHandler(logging.FileHandler("app.log"))\n',
)
_LOGURU_SINK_IDS = (
    ["FS1101-invalid-11", "FS1101-invalid-12"],
    'from loguru import logger\n\nif True:\n    logger.add("logs/app.log", rotation="10 MB")\n\n'
    'if True:\n    logger.info("started")\n\nfrom loguru import logger\n\n'
    'if True:\n    sink_id = logger.add("logs/app.log")\n',
)

_FLASK_LOGGER_BY_NAME = (
    ["FS0301-invalid-4", "FS1101-invalid-4"],
    "from flask import Flask\n\nif True:\n    app = Flask(__name__)\n\n"
    "from logging import FileHandler, getLogger\n\nif True:\n    log = getLogger(__name__)\n\n"
    'if True:\n    log.addHandler(FileHandler("/var/log/app.log"))\n',
)

_CHILD_AND_ROOT_FILES = (
    ["FS1101-invalid-5", "FS1101-invalid-2"],
    "from logging import FileHandler, getLogger\n\nif True:\n    log = getLogger(__name__)\n\n"
    'if True:\n    log.addHandler(FileHandler("/var/log/app.log"))\n\nimport logging\n\n'
    'if True:\n    root = logging.getLogger()\n\nif True:\n    root.addHandler(logging.FileHandler("app.log"))\n',
)

_ROOT_FILE_BESIDE_BASIC_CONFIG = (
    ["FS1101-invalid-8", "FS1101-invalid-3"],
    "import logging\n\nif True:\n    logging.basicConfig(level=logging.INFO)\n\n"
    'if True:\n    handler = logging.FileHandler("worker.log")\n\n'
    'if True:\n    logging.getLogger("worker").addHandler(handler)\n\n'
    'if True:\n    root = logging.getLogger()\n\nif True:\n    root.addHandler(logging.FileHandler("app.log"))\n',
)

_ROOT_WRITTEN_TWO_WAYS = (
    ["FS1101-invalid-9", "FS1101-invalid-3"],
    'import logging\n\nimport sys\n\nif True:\n    audit = logging.getLogger("audit")\n\n'
    "if True:\n    audit.propagate = False\n\n"
    'if True:\n    audit.addHandler(logging.FileHandler("audit.log"))\n\n'
    "if True:\n    logging.getLogger().addHandler(logging.StreamHandler(sys.stderr))\n\n"
    'if True:\n    root = logging.getLogger()\n\nif True:\n    root.addHandler(logging.FileHandler("app.log"))\n',
)

_TWO_FILE_HANDLERS_ON_ONE_LOGGER = (
    ["FS1101-invalid-19", "FS1101-invalid-20"],
    "import logging\n\nfrom flask import Flask\n\nif True:\n    app = Flask(__name__)\n\n"
    'if True:\n    app.logger.addHandler(logging.FileHandler("app.log"))\n\n'
    'if True:\n    app.logger.info("started")\n\nfrom flask.logging import default_handler\n\n'
    "if True:\n    app = Flask(__name__)\n\nif True:\n    app.logger.removeHandler(default_handler)\n\n"
    'if True:\n    app.logger.addHandler(logging.FileHandler("app.log"))\n',
)

_TWO_LOGURU_FILE_SINKS = (
    ["FS1101-invalid-15", "FS1101-invalid-16"],
    "import sys\n\nfrom loguru import logger\n\nif True:\n    logger.remove()\n\n"
    'if True:\n    logger.add("logs/app.log", rotation="10 MB", retention="7 days", level="INFO")\n\n'
    'if True:\n    logger.add("logs/app.log", rotation="10 MB")\n\nif True:\n    logger.info("started")\n',
)


@given(program=programs(POOL))
@example(program=_PROPAGATES_TO_STREAMING_ROOT)
@example(program=_LOGURU_SINK_IDS)
@example(program=_FLASK_LOGGER_BY_NAME)
@example(program=_CHILD_AND_ROOT_FILES)
@example(program=_ROOT_FILE_BESIDE_BASIC_CONFIG)
@example(program=_ROOT_WRITTEN_TWO_WAYS)
@example(program=_TWO_FILE_HANDLERS_ON_ONE_LOGGER)
@example(program=_TWO_LOGURU_FILE_SINKS)
def test_a_safe_fix_never_changes_what_a_random_program_does(program: tuple[list[str], str]) -> None:
    """Hypothesis: INVALID snippets spliced into filler code; `--fix` keeps the behaviour.
    The profile sets the number of programs (`--hypothesis-profile=thorough` for many)."""
    names, text = program
    with tempfile.TemporaryDirectory(prefix="fixprop-") as workdir:
        before, after = Path(workdir, "before"), Path(workdir, "after")
        for root in (before, after):
            (root / ".git").mkdir(parents=True)
            (root / "app.py").write_text(text, encoding="utf-8")
        _, problems = api.fix([after])
        assert problems == [], problems
        jobs = [
            {"id": name, "kind": "python", "dir": str(root), "path": "app.py", "env": {}}
            for name, root in (("before", before), ("after", after))
        ]
        records = run_jobs(jobs)
        assert safe_problems("app.py", records["before"], records["after"]) == [], (names, text)


def test_the_harness_notices_what_a_bad_fix_would_change(tmp_path: Path) -> None:
    """The harness's own proof of sight: a widened bind, an open debugger, a lost import
    and a spliced URL all show in the records."""
    programs = {
        "before": 'from flask import Flask\n\napp = Flask(__name__)\napp.run(host="127.0.0.1", debug=True)\n',
        "widened": 'import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\napp.run(host=os.environ.get("HOST", "0.0.0.0"), debug=True)\n',
        "no-import": 'from flask import Flask\n\napp = Flask(__name__)\napp.run(host=os.environ.get("HOST", "127.0.0.1"), debug=True)\n',
        "spliced": 'import os\n\nfrom sqlalchemy import create_engine\n\nengine = create_engine(os.environ.get("DATABASE_URL", "postgresql://db/") + "app")\n',
    }
    for name, text in programs.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(text)
    records = run_jobs(
        [
            {"id": name, "kind": "python", "dir": str(tmp_path / name), "path": "app.py", "env": env}
            for name, env in (
                ("before", {}),
                ("widened", {}),
                ("no-import", {}),
                ("spliced", {"DATABASE_URL": "sqlite://"}),
            )
        ]
    )
    widened = safe_problems("app.py", records["before"], records["widened"])
    assert widened == ["app.py: events[0].host was '127.0.0.1', is '0.0.0.0' after the safe fixes"]
    assert open_debuggers(records["widened"])
    assert not open_debuggers(records["before"])
    assert records["no-import"]["error"] == "NameError: name 'os' is not defined"
    assert records["spliced"]["events"][0]["url"] == "sqlite://app"
