"""The variables a fix reads are named so that they clash with nothing: not with
what the platform sets, not with client code, not with each other, and they are
valid shell names (issue 15, items 11 and 12)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from factorscan import api

_READ = re.compile(r"""os\.environ(?:\.get)?[\[(]\s*['"]([^'"]+)['"]""")


def _fix(project, files: dict[str, str], select: list[str], *, unsafe: bool = True) -> dict[str, str]:
    root = project({name: textwrap.dedent(text) for name, text in files.items()})
    _changes, problems = api.fix([root], select=select, unsafe=unsafe)
    assert problems == []
    return {name: (root / name).read_text() for name in files}


def _reads(text: str) -> list[str]:
    return _READ.findall(text)


@pytest.mark.parametrize(
    ("source", "select"),
    [
        pytest.param(
            """
            from flask import Flask

            app = Flask(__name__)
            HOSTNAME = "127.0.0.1"
            app.run(host=HOSTNAME, port=5000)
            """,
            ["FS07"],
            id="bind-host",
        ),
        pytest.param(
            """
            from werkzeug.serving import run_simple

            HOSTNAME = "localhost"
            run_simple(HOSTNAME, 8000, lambda environ, start_response: [])
            """,
            ["FS07"],
            id="run-simple",
        ),
    ],
)
def test_a_fix_never_reads_a_variable_the_platform_sets(project, source: str, select: list[str]) -> None:
    fixed = _fix(project, {"app.py": source}, select)["app.py"]
    reads = _reads(fixed)
    assert reads
    assert not {"HOSTNAME", "HOME", "PATH", "PWD", "USER", "SHELL", "LANG", "TERM"} & set(reads)


def test_a_host_constant_that_client_code_uses_keeps_its_value(project) -> None:
    source = """
        import urllib.request

        from flask import Flask

        HOST = "127.0.0.1"
        PORT = 5000
        app = Flask(__name__)


        def health_url():
            return f"http://{HOST}:{PORT}/health"


        def ping():
            return urllib.request.urlopen(health_url())


        if __name__ == "__main__":
            app.run(host=HOST, port=PORT)
        """
    root = project({"app.py": textwrap.dedent(source)})
    api.fix([root], select=["FS07"], unsafe=True)
    fixed = (root / "app.py").read_text()
    assert "os.environ" in fixed  # the server's bind is still opened
    completed = subprocess.run(
        [sys.executable, "-c", "import app; print(app.health_url())"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert completed.stdout.strip() == "http://127.0.0.1:5000/health"

