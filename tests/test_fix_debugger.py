"""Fixes never open a debugger to the network (issue 15, items 1-3).

A loopback bind protects Werkzeug's debugger console; widening it is never
safe, and is not offered at all while the debugger may be on by any route.
"""

from __future__ import annotations

import os
import textwrap

import pytest

from factorscan import api
from factorscan.core.findings import Applicability

from .conftest import run_cli


def _findings(project, source: str, rule: str) -> list:
    root = project({"app.py": textwrap.dedent(source)})
    return [f for f in api.check([root], select=[rule]).findings if f.code == rule]


def test_widening_a_loopback_bind_is_never_safe(project) -> None:
    findings = _findings(
        project, 'from flask import Flask\n\napp = Flask(__name__)\napp.run(host="127.0.0.1")\n', "FS0702"
    )
    assert len(findings) == 1
    assert findings[0].fix is not None
    assert findings[0].fix.applicability is Applicability.UNSAFE


@pytest.mark.parametrize(
    "switch",
    [
        pytest.param('app.debug = True\napp.run(host="127.0.0.1")', id="app.debug"),
        pytest.param('app.config["DEBUG"] = True\napp.run(host="127.0.0.1")', id="config-key"),
        pytest.param('app.config.update(DEBUG=True)\napp.run(host="127.0.0.1")', id="config-update"),
        pytest.param('app.run("127.0.0.1", 5000, True)', id="debug-by-position"),
        pytest.param('app.run(host="127.0.0.1", **{"debug": True})', id="debug-in-double-star-dict"),
        pytest.param('app.run(host="127.0.0.1", debug=True)', id="debug-keyword"),
        pytest.param('app.run(host="127.0.0.1", debug=settings.DEBUG)', id="debug-from-elsewhere"),
        pytest.param(
            'app.run(host="127.0.0.1", debug=os.environ.get("FLASK_DEBUG") == "1")', id="debug-from-env"
        ),
        pytest.param('options = {}\napp.run(host="127.0.0.1", **options)', id="unknown-double-star"),
        pytest.param(
            'from werkzeug.serving import run_simple\nrun_simple("localhost", 5000, app, True, True)',
            id="run_simple-use_debugger-by-position",
        ),
        pytest.param(
            'from werkzeug.serving import run_simple\nrun_simple("localhost", 5000, app, use_debugger=True)',
            id="run_simple-use_debugger-keyword",
        ),
    ],
)
def test_no_fix_while_a_debugger_may_be_on(project, switch: str) -> None:
    source = f"import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\n{switch}\n"
    findings = _findings(project, source, "FS0702")
    assert len(findings) == 1, source
    assert findings[0].fix is None, source


@pytest.mark.parametrize(
    "switch",
    [
        pytest.param('app.debug = False\napp.run(host="127.0.0.1")', id="app.debug-false"),
        pytest.param('app.run("127.0.0.1", 5000, False)', id="debug-false-by-position"),
        pytest.param('app.run(host="127.0.0.1", debug=None)', id="debug-none"),
    ],
)
def test_a_debugger_switched_off_does_not_block_the_unsafe_fix(project, switch: str) -> None:
    source = f"from flask import Flask\n\napp = Flask(__name__)\n{switch}\n"
    findings = _findings(project, source, "FS0702")
    assert len(findings) == 1
    assert findings[0].fix is not None
    assert findings[0].fix.applicability is Applicability.UNSAFE


def test_fix_alone_leaves_a_loopback_bind(project) -> None:
    root = project(
        {"app.py": 'from flask import Flask\n\napp = Flask(__name__)\napp.run(host="127.0.0.1")\n'}
    )
    result = run_cli("--fix", "--select", "FS0702", root)
    assert 'host="127.0.0.1"' in (root / "app.py").read_text()
    assert "FS0702" in result.stdout


# -- item 2: FS0303's safe fix keeps debug on, so the finding stays ------------------------


def _debug_after_import(root, module: str, env: dict[str, str]) -> str:
    """The module's DEBUG, imported in a fresh interpreter with `env` as the environment."""
    import subprocess
    import sys

    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "FLASK_DEBUG")}
    completed = subprocess.run(
        [sys.executable, "-c", f"import {module}; print({module}.DEBUG)"],
        cwd=root,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def test_debug_flag_that_defaults_on_stays_reported_until_the_unsafe_fix(project) -> None:
    root = project({"settings.py": "DEBUG = True\n"})
    api.fix([root], select=["FS0303"])
    assert _debug_after_import(root, "settings", {}) == "True"  # the safe fix changed nothing
    (finding,) = api.check([root], select=["FS0303"]).findings
    assert "unset" in finding.message
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    env_k8s = run_cli("env", "--format", "k8s", root)
    assert "DEBUG" in env_k8s.stdout

    api.fix([root], select=["FS0303"], unsafe=True)
    assert api.check([root], select=["FS0303"]).findings == []
    assert _debug_after_import(root, "settings", {}) == "False"
    assert _debug_after_import(root, "settings", {"DEBUG": "true"}) == "True"


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ('os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")', True),
        ('os.getenv("DEBUG", "1") == "1"', True),
        ('bool(int(os.environ.get("DEBUG", "1")))', True),
        ('os.environ.get("DEBUG", "false").lower() in ("1", "true", "yes")', False),
        ('os.environ.get("DEBUG") == "1"', False),
        ('os.environ.get("DEBUG", "") != ""', False),
        ("load_flag()", False),
    ],
)
def test_env_flags_are_judged_with_the_variable_unset(project, value: str, reported: bool) -> None:
    root = project({"settings.py": f"import os\n\nDEBUG = {value}\n"})
    findings = api.check([root], select=["FS0303"]).findings
    assert bool(findings) is reported, value


def test_fix_unsafe_fixes_never_ends_with_a_debugger_on_all_interfaces(project) -> None:
    """Item 3: whatever the rounds do, with nothing set the debugger is off or still on loopback."""
    root = project(
        {
            "app.py": 'from flask import Flask\n\napp = Flask(__name__)\napp.run(host="127.0.0.1", debug=True)\n'
        }
    )
    result = run_cli("--fix", "--unsafe-fixes", "--select", "FS03,FS07", root)
    text = (root / "app.py").read_text()
    assert 'host="127.0.0.1"' in text
    assert '"DEBUG", "false"' in text
    assert "All checks passed" not in result.stdout
    assert "changed behaviour" in result.stdout + result.stderr


def test_a_clean_run_after_unsafe_fixes_lists_what_changed_instead_of_all_checks_passed(project) -> None:
    root = project({"main.py": 'import uvicorn\n\nuvicorn.run("main:app", host="127.0.0.1")\n'})
    result = run_cli("--fix", "--unsafe-fixes", "--select", "FS0702", root)
    assert "All checks passed" not in result.stdout
    assert "1 fix changed behaviour:" in result.stderr
    assert "main.py:3: FS0702 Read the host from $HOST, defaulting to 0.0.0.0" in result.stderr
    assert "changed behaviour (listed above)" in result.stdout
