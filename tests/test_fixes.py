"""The fix-safety guarantees of DESIGN.md, each through the public API."""

from __future__ import annotations

import dataclasses
import stat
import textwrap
from pathlib import Path

import pytest

from factorscan import api
from factorscan.core.findings import Applicability, Edit, Fix, Location
from factorscan.fixing.fixer import compute_fixes, write_fixes


def _fix(root: Path, name: str = "app.py") -> str:
    _changes, problems = api.fix([root])
    assert problems == []
    return (root / name).read_text(encoding="utf-8")


def test_all_fixes_of_a_file_compose_and_import_once(project) -> None:
    root = project(
        {
            "app.py": """
            import logging

            logging.basicConfig(filename="app.log", level=logging.INFO)
            handler = logging.FileHandler("other.log")
            second = logging.handlers.RotatingFileHandler("third.log")
            """
        }
    )
    fixed = _fix(root)
    assert fixed == textwrap.dedent(
        """\
        import logging
        import sys

        logging.basicConfig(stream=sys.stdout, level=logging.INFO)
        handler = logging.StreamHandler(sys.stdout)
        second = logging.StreamHandler(sys.stdout)
        """
    )
    assert api.check([root]).findings == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            '"""Doc."""\nimport logging as log\nh = log.FileHandler("a.log")\n',
            '"""Doc."""\nimport logging as log\nimport sys\nh = log.StreamHandler(sys.stdout)\n',
            id="alias-of-logging-is-reused",
        ),
        pytest.param(
            "import sys as _sys\nimport logging\nh = logging.FileHandler('a.log')\n",
            "import sys as _sys\nimport logging\nh = logging.StreamHandler(_sys.stdout)\n",
            id="existing-sys-alias",
        ),
        pytest.param(
            "from __future__ import annotations\nfrom logging import FileHandler\nh = FileHandler('a')\n",
            "from __future__ import annotations\nimport logging\nimport sys\nh = logging.StreamHandler(sys.stdout)\n",
            id="before-stdlib-from-imports",
        ),
        pytest.param(
            "import os\nimport zipfile\nimport logging\nh = logging.FileHandler('a')\n",
            "import os\nimport sys\nimport zipfile\nimport logging\nh = logging.StreamHandler(sys.stdout)\n",
            id="alphabetical-among-stdlib",
        ),
        pytest.param(
            "#!/usr/bin/env python\n# Copyright header\nfrom loguru import logger\nlogger.remove()\nlogger.add('x.log')\n",
            "#!/usr/bin/env python\n# Copyright header\nimport sys\n\nfrom loguru import logger\n"
            "logger.remove()\nlogger.add(sys.stdout)\n",
            id="new-stdlib-section-after-header",
        ),
        pytest.param(
            '"""Only a docstring."""\n\nx = __import__("logging").FileHandler\nlogging_conf = {"class": '
            '"logging.FileHandler", "filename": "a.log"}\n',
            '"""Only a docstring."""\n\nx = __import__("logging").FileHandler\nlogging_conf = {"class": '
            '"logging.StreamHandler", "stream": "ext://sys.stdout"}\n',
            id="dict-config-needs-no-import",
        ),
    ],
)
def test_import_placement(project, before: str, after: str) -> None:
    root = project({"app.py": before.encode()})
    assert _fix(root) == after


def test_untouched_bytes_are_preserved(project) -> None:
    source = (
        "\ufeff# -*- coding: utf-8 -*-\r\n"
        "import logging\r\n"
        "\r\n"
        "def setup():\r\n"
        "\thandler = logging.FileHandler('app.log')  # keep this comment\r\n"
        "\tname = 'caf\u00e9'\r\n"
        "\treturn handler\r\n"
    )
    root = project({"app.py": source.encode("utf-8")})
    api.fix([root])
    data = (root / "app.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line still ends in CRLF
    assert data.decode("utf-8-sig") == (
        "# -*- coding: utf-8 -*-\r\n"
        "import logging\r\n"
        "import sys\r\n"
        "\r\n"
        "def setup():\r\n"
        "\thandler = logging.StreamHandler(sys.stdout)  # keep this comment\r\n"
        "\tname = 'caf\u00e9'\r\n"
        "\treturn handler\r\n"
    )


def test_latin1_file_keeps_its_encoding(project) -> None:
    source = (
        "# -*- coding: latin-1 -*-\nimport logging\nGREETING = 'ol\u00e1'\nh = logging.FileHandler('a.log')\n"
    )
    root = project({"app.py": source.encode("latin-1")})
    api.fix([root])
    data = (root / "app.py").read_bytes()
    assert "ol\u00e1".encode("latin-1") in data
    assert b"logging.StreamHandler(sys.stdout)" in data


def test_writes_keep_mode_bits_and_leave_no_temporary_files(project) -> None:
    root = project({"tool.py": "#!/usr/bin/env python\nimport logging\nh = logging.FileHandler('a.log')\n"})
    target = root / "tool.py"
    target.chmod(0o751)
    api.fix([root])
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == ["tool.py"]


def test_a_file_changed_after_reading_is_not_written(project) -> None:
    root = project({"app.py": "import logging\nh = logging.FileHandler('a.log')\n"})
    settings = api.settings_for(root)
    result = api.check([root], settings=settings)
    file_fixes, problems = compute_fixes(result, settings, unsafe=False)
    assert problems == []
    assert len(file_fixes) == 1
    (root / "app.py").write_text("import logging\nh = logging.FileHandler('edited.log')\n")
    problems = write_fixes(file_fixes)
    assert len(problems) == 1
    assert "changed after it was read" in problems[0]
    assert "edited.log" in (root / "app.py").read_text()


def test_a_fix_that_does_not_parse_is_not_written(project) -> None:
    original = "import logging\nh = logging.FileHandler('a.log')\nopen('x.log', 'a')\n"
    root = project({"app.py": original})
    settings = api.settings_for(root)
    result = api.check([root], settings=settings)
    good = next(f for f in result.findings if f.code == "FS1101")
    bad_fix = Fix(Applicability.SAFE, "breaks the file", (Edit("(", Location(3, 1), Location(3, 1)),))
    bad = dataclasses.replace(next(f for f in result.findings if f.code == "FS1102"), fix=bad_fix)
    result.findings = [good, bad]
    file_fixes, problems = compute_fixes(result, settings, unsafe=False)
    assert [
        p for p in problems if p.endswith("the fix for FS1102 at line 3 would not parse; it was not applied")
    ]
    # The good fix still applies, alone.
    assert len(file_fixes) == 1
    assert "logging.StreamHandler(sys.stdout)" in file_fixes[0].new_text
    assert file_fixes[0].new_text.endswith("open('x.log', 'a')\n")

    result.findings = [bad]
    file_fixes, problems = compute_fixes(result, settings, unsafe=False)
    assert file_fixes == []
    assert (root / "app.py").read_text() == original


def test_unsafe_fixes_need_the_flag(project) -> None:
    root = project({"app.py": "import logging\nh = logging.FileHandler('a.log')\n"})
    settings = api.settings_for(root)
    result = api.check([root], settings=settings)
    finding = result.findings[0]
    assert finding.fix is not None
    unsafe = dataclasses.replace(
        finding, fix=dataclasses.replace(finding.fix, applicability=Applicability.UNSAFE)
    )
    result.findings = [unsafe]
    assert compute_fixes(result, settings, unsafe=False)[0] == []
    assert len(compute_fixes(result, settings, unsafe=True)[0]) == 1


def test_fix_is_idempotent_on_the_demo_logging(project) -> None:
    demo = Path(__file__).resolve().parents[1] / "fixtures" / "demo_app" / "shop" / "logging_setup.py"
    root = project({"logging_setup.py": demo.read_bytes()})
    first = _fix(root, "logging_setup.py")
    changes, _ = api.fix([root])
    assert not [c for c in changes if c.changed]
    assert (root / "logging_setup.py").read_text() == first
    compile(first, "logging_setup.py", "exec")
