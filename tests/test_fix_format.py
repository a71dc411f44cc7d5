"""A fix keeps the file's layout: the block's indentation, comments, quotes and
import order; it removes the imports it leaves unused (issue 15, item 13)."""

from __future__ import annotations

import textwrap

import pytest

from factorscan import api


def _fixed(project, source: str, select: str, *, unsafe: bool = False) -> str:
    root = project({"app.py": source.encode()})
    _changes, problems = api.fix([root], select=[select], unsafe=unsafe)
    assert problems == []
    text = (root / "app.py").read_text()
    compile(text, "app.py", "exec")
    return text


@pytest.mark.parametrize("indent", [pytest.param("    ", id="spaces"), pytest.param("\t", id="tabs")])
def test_a_multi_line_call_in_an_indented_block_keeps_its_indentation(project, indent: str) -> None:
    source = textwrap.dedent(
        """\
        import logging


        def setup():
            if True:
                logging.basicConfig(
                    filename="app.log",
                    level=logging.INFO,
                )
        """
    ).replace("    ", indent)
    expected = textwrap.dedent(
        """\
        import logging
        import sys


        def setup():
            if True:
                logging.basicConfig(
                    stream=sys.stdout,
                    level=logging.INFO,
                )
        """
    ).replace("    ", indent)
    assert _fixed(project, source, "FS1101") == expected


def test_comments_inside_a_rewritten_call_stay_in_place(project) -> None:
    source = textwrap.dedent(
        """\
        import logging.handlers


        def setup():
            handler = logging.handlers.RotatingFileHandler(
                "app.log",  # the file
                maxBytes=1000,
            )
            return handler
        """
    )
    expected = textwrap.dedent(
        """\
        import logging
        import sys


        def setup():
            handler = logging.StreamHandler(
                sys.stdout,  # the file
            )
            return handler
        """
    )
    assert _fixed(project, source, "FS1101") == expected


def test_new_strings_follow_the_files_quotes(project) -> None:
    source = "from flask import Flask\n\napp = Flask('shop')\napp.run(host='127.0.0.1', port=5000)\n"
    fixed = _fixed(project, source, "FS07", unsafe=True)
    assert (
        "app.run(host=os.environ.get('HOST', '0.0.0.0'), port=int(os.environ.get('PORT', '5000')))" in fixed
    )
    assert '"' not in fixed


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "import logging\nfrom logging.handlers import RotatingFileHandler\n\n"
            'handler = RotatingFileHandler("app.log", maxBytes=1000, backupCount=3)\n'
            "logging.getLogger().addHandler(handler)\n",
            "import logging\nimport sys\n\n"
            "handler = logging.StreamHandler(sys.stdout)\n"
            "logging.getLogger().addHandler(handler)\n",
            id="from-import",
        ),
        pytest.param(
            'from logging import FileHandler, getLogger\n\ngetLogger().addHandler(FileHandler("app.log"))\n',
            "import logging\nimport sys\nfrom logging import getLogger\n\n"
            "getLogger().addHandler(logging.StreamHandler(sys.stdout))\n",
            id="one-name-of-several",
        ),
        pytest.param(
            'import logging.handlers as lh\n\nhandler = lh.WatchedFileHandler("app.log")\n',
            "import logging\nimport sys\n\nhandler = logging.StreamHandler(sys.stdout)\n",
            id="aliased-module",
        ),
        pytest.param(
            "import logging\nfrom logging import FileHandler\n\n"
            'handler = FileHandler("app.log")\nassert issubclass(FileHandler, logging.Handler)\n',
            "import logging\nimport sys\nfrom logging import FileHandler\n\n"
            "handler = logging.StreamHandler(sys.stdout)\nassert issubclass(FileHandler, logging.Handler)\n",
            id="still-used-elsewhere",
        ),
        pytest.param(
            "import logging\n\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            'app.logger.addHandler(logging.FileHandler("flask.log"))\n',
            "from flask import Flask\n\napp = Flask(__name__)\n",
            id="first-statement-removed",
        ),
    ],
)
def test_imports_the_fix_leaves_unused_are_removed(project, source: str, expected: str) -> None:
    assert _fixed(project, source, "FS1101") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            '"""Settings."""\nfrom __future__ import annotations\n\nDEBUG = True\n',
            '"""Settings."""\nfrom __future__ import annotations\n\nimport os\n\n'
            'DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")\n',
            id="after-future",
        ),
        pytest.param(
            "from __future__ import annotations\n\n# isort: off\nimport sys\n# isort: on\nimport json\n\n"
            "DEBUG = True\n",
            "from __future__ import annotations\n\n# isort: off\nimport sys\n# isort: on\nimport json\nimport os\n\n"
            'DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")\n',
            id="isort-off-region",
        ),
        pytest.param(
            "from __future__ import annotations\nimport zlib  # isort: skip\nimport json\n\nDEBUG = True\n",
            "from __future__ import annotations\nimport zlib  # isort: skip\nimport json\nimport os\n\n"
            'DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")\n',
            id="isort-skip",
        ),
        pytest.param(
            "from __future__ import annotations\n# isort: off\nimport zlib\n\nDEBUG = True\n",
            "from __future__ import annotations\n\nimport os\n# isort: off\nimport zlib\n\n"
            'DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")\n',
            id="only-an-isort-off-region",
        ),
    ],
)
def test_import_os_goes_after_future_into_the_stdlib_block(project, source: str, expected: str) -> None:
    assert _fixed(project, source, "FS0303") == expected
