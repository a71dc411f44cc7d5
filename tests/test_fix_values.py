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
