"""The `os`/`sys` a fix writes is the module at every use (issue 15, items 4 and 5).

Each case is fixed through the API, then imported and run in a fresh
interpreter: a fix may alias the import or decline, but never leave a
NameError or AttributeError behind.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from factorscan import api


def _run_after_fix(project, source: str, rule: str, call: str = "") -> tuple[str, str]:
    """(fixed text, what the program printed) after --fix with `rule`."""
    root = project({"mod.py": textwrap.dedent(source)})
    _changes, problems = api.fix([root], select=[rule])
    assert problems == []
    fixed = (root / "mod.py").read_text()
    script = f"import mod\n{call}"
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False, timeout=60
    )
    assert completed.returncode == 0, fixed + "\n" + completed.stderr
    return fixed, completed.stdout.strip()


NOT_AT_MODULE_LEVEL = [
    pytest.param(
        """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import os

        DEBUG = True
        """,
        id="under-TYPE_CHECKING",
    ),
    pytest.param(
        """
        import sys

        if sys.platform == "no-such-platform":
            import os

        DEBUG = True
        """,
        id="under-a-platform-check",
    ),
    pytest.param(
        """
        try:
            import no_such_module_here
            import os
        except ImportError:
            pass

        DEBUG = True
        """,
        id="in-a-try-after-a-failing-import",
    ),
    pytest.param(
        """
        DEBUG = True

        import os
        """,
        id="only-later-in-the-file",
    ),
]


@pytest.mark.parametrize("source", NOT_AT_MODULE_LEVEL)
def test_os_not_imported_at_module_level_before_the_use_is_imported(project, source: str) -> None:
    fixed, printed = _run_after_fix(project, source, "FS0303", "print(mod.DEBUG)")
    assert "environ" in fixed
    assert printed == "True"


SHADOWED = [
    pytest.param(
        """
        import os

        os = "linux"
        DEBUG = True
        """,
        "FS0303",
        "print(mod.DEBUG)",
        id="module-level-assignment",
    ),
    pytest.param(
        """
        class Config:
            os = "linux"
            DEBUG = True
        """,
        "FS0303",
        "print(mod.Config.DEBUG)",
        id="class-attribute",
    ),
    pytest.param(
        """
        for os in ["a"]:
            pass

        DEBUG = True
        """,
        "FS0303",
        "print(mod.DEBUG)",
        id="loop-variable",
    ),
    pytest.param(
        """
        import logging


        def setup(sys):
            return logging.FileHandler("app.log")
        """,
        "FS1101",
        "print(type(mod.setup('x')).__name__)",
        id="parameter",
    ),
    pytest.param(
        """
        import logging
        import sys


        def setup():
            sys = "local"
            return logging.FileHandler("app.log")
        """,
        "FS1101",
        "print(type(mod.setup()).__name__)",
        id="local",
    ),
]


@pytest.mark.parametrize(("source", "rule", "call"), SHADOWED)
def test_a_shadowed_os_or_sys_is_never_used(project, source: str, rule: str, call: str) -> None:
    fixed, printed = _run_after_fix(project, source, rule, call)
    assert printed in ("True", "StreamHandler"), fixed
    assert printed == "True" or "FileHandler" not in fixed


def test_an_alias_is_imported_when_os_is_shadowed(project) -> None:
    fixed, _ = _run_after_fix(project, 'import os\n\nos = "linux"\nDEBUG = True\n', "FS0303")
    assert fixed == (
        "import os\nimport os as _os\n\n"
        'os = "linux"\nDEBUG = _os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")\n'
    )
