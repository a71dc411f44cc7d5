"""What a fix moves into the environment reaches the program whole (issue 15, items 7, 8, 11, 12)."""

from __future__ import annotations

import pytest

from factorscan import api


def _findings(project, source: str, select: str, name: str = "app.py") -> list:
    root = project({name: source})
    return [f for f in api.check([root], select=[select]).findings if f.code == select]


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param('"postgresql://app@db.internal/" + name', id="plus"),
        pytest.param('"postgresql://app@db.internal/%s" % name', id="percent"),
        pytest.param('"postgresql://app@db.internal/main".replace("main", name)', id="replace"),
    ],
)
def test_a_url_spliced_into_a_larger_expression_gets_no_fix(project, expression: str) -> None:
    source = f'import sqlalchemy\n\nname = "orders"\nengine = sqlalchemy.create_engine({expression})\n'
    findings = _findings(project, source, "FS0401")
    assert len(findings) == 1
    assert findings[0].fix is None


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://db.internal:5432/orders?user=app&password=Tr0ub4dor-3x",
        "mssql+pyodbc://db.internal/orders?driver=ODBC+18&UID=app&PWD=Tr0ub4dor-3x",
    ],
)
def test_a_password_in_the_query_string_is_a_credential(project, url: str) -> None:
    from .conftest import run_cli

    source = f'from sqlalchemy import create_engine\n\nengine = create_engine("{url}")\n'
    root = project({"app.py": source})
    findings = [f for f in api.check([root], select=["FS04"]).findings if f.code == "FS0401"]
    assert len(findings) == 1
    assert findings[0].fix is not None
    assert findings[0].fix.applicability.value == "unsafe"
    assert findings[0].sensitive
    api.fix([root], select=["FS04"])  # the safe fixes only: the password must not become a default
    assert "Tr0ub4dor-3x" in (root / "app.py").read_text()
    assert api.check([root], select=["FS04"]).findings
    api.fix([root], select=["FS04"], unsafe=True)
    assert "Tr0ub4dor-3x" not in (root / "app.py").read_text()
    output = run_cli("--select", "FS04", root)
    assert "Tr0ub4dor" not in output.stdout
