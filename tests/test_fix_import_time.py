"""Unsafe fixes never move a required lookup to import time (issue 15, item 14).

A parameter default or a dataclass field default is evaluated when the
`def` or `class` statement runs, at import. `def f(password=os.environ["X"])`
makes every importer fail while X is unset, even one that always passes the
argument. The fixed module must import with the variable unset; with it set,
the value must reach the program.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from factorscan import api

VALUE = "Xk9-real-value-31"


def _run(root: Path, module: str, script: str, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in variables}
    environment.update({key: value for key, value in variables.items() if value})
    return subprocess.run(
        [sys.executable, "-c", f"import {module}\n{script}"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _fixed(project, source: str, select: str) -> tuple[Path, str, list]:
    root = project({"app.py": source})
    findings = [f for f in api.check([root], select=[select]).findings if f.code == select]
    assert findings, "the secret must be reported"
    api.fix([root], select=[select], unsafe=True)
    return root, (root / "app.py").read_text(), findings


@pytest.mark.parametrize(
    ("select", "source"),
    [
        pytest.param(
            "FS0301",
            'def connect(host, password="hunter2-Real-pass9"):\n    return host, password\n',
            id="FS0301-parameter",
        ),
        pytest.param(
            "FS0301",
            'async def connect(*, api_key="4f3c2a1b0e9d8c7b"):\n    return api_key\n',
            id="FS0301-keyword-only",
        ),
        pytest.param(
            "FS0302",
            'import os\n\n\ndef connect(token=os.environ.get("API_TOKEN", "tok-9f8e7d6c5b4a")):\n    return token\n',
            id="FS0302-parameter",
        ),
        pytest.param(
            "FS0401",
            'def engine(url="postgresql://shop:Tr0ub4dor-3x@db/shop"):\n    return url\n',
            id="FS0401-parameter",
        ),
    ],
)
def test_a_parameter_default_gets_no_fix_that_fails_at_import(project, select: str, source: str) -> None:
    root, fixed, findings = _fixed(project, source, select)
    assert all(finding.fix is None for finding in findings), "offered a fix that runs at import"
    assert fixed == source
    assert _run(root, "app", "", {"API_TOKEN": "", "PASSWORD": "", "DATABASE_URL": ""}).returncode == 0


@pytest.mark.parametrize(
    ("source", "variable", "expected"),
    [
        pytest.param(
            "from dataclasses import dataclass, field\n\n\n"
            '@dataclass\nclass Client:\n    host: str\n    api_key: str = "sk-9f8e7d6c5b4a3928"\n',
            "CLIENT_API_KEY",
            '    api_key: str = field(default_factory=lambda: os.environ["CLIENT_API_KEY"])\n',
            id="field-imported",
        ),
        pytest.param(
            "from dataclasses import dataclass\n\n\n"
            '@dataclass\nclass Client:\n    host: str\n    api_key: str = "sk-9f8e7d6c5b4a3928"\n',
            "CLIENT_API_KEY",
            '    api_key: str = dataclasses.field(default_factory=lambda: os.environ["CLIENT_API_KEY"])\n',
            id="field-not-imported",
        ),
        pytest.param(
            "import dataclasses\n\n\n"
            "@dataclasses.dataclass(frozen=True)\nclass Client:\n    host: str\n"
            '    api_key: str = "sk-9f8e7d6c5b4a3928"\n',
            "CLIENT_API_KEY",
            '    api_key: str = dataclasses.field(default_factory=lambda: os.environ["CLIENT_API_KEY"])\n',
            id="module-import",
        ),
    ],
)
def test_a_dataclass_field_default_is_read_when_an_instance_is_made(
    project, source: str, variable: str, expected: str
) -> None:
    root, fixed, _ = _fixed(project, source, "FS0301")
    assert "sk-9f8e7d6c5b4a3928" not in fixed
    assert expected in fixed, fixed
    # Importing works with the variable unset; making an instance needs it, and gets its value.
    assert _run(root, "app", "", {variable: ""}).returncode == 0, fixed
    unset = _run(root, "app", "app.Client('h')", {variable: ""})
    assert "KeyError" in unset.stderr
    made = _run(root, "app", "print(app.Client('h').api_key)", {variable: VALUE})
    assert made.stdout.strip() == VALUE, made.stderr


def test_a_module_constant_still_becomes_a_required_lookup(project) -> None:
    """The other side of the bound: a constant's value is what the app uses, so requiring it is the fix."""
    _, fixed, _ = _fixed(project, 'SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n', "FS0301")
    assert 'SECRET_KEY = os.environ["SECRET_KEY"]' in fixed
