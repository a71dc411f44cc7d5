"""FS0502 runtime-install: the app installs packages at run time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

import libcst as cst

from factorscan.checks.base import Guarded, Invalid, Severity, SourceRule, Valid
from factorscan.deploy.image_installs import pip_install_arguments
from factorscan.deploy.shell import words
from factorscan.deploy.system_tools import SHELL_LINE_FUNCTIONS, SUBPROCESS_FUNCTIONS

_SUBPROCESS_CALLS = SUBPROCESS_FUNCTIONS | SHELL_LINE_FUNCTIONS


_PIP_MAINS = frozenset(
    {"pip.main", "pip._internal.main", "pip._internal.cli.main.main", "pip._internal.main.main"}
)


# Development tooling, where installing packages is the point.
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "tasks.py", "dodo.py", "conftest.py"})


_EXECUTABLE = "python"


class RuntimeInstall(SourceRule):
    """
    ## What it does
    Finds application code that installs packages while it runs:
    `subprocess.run(["pip", "install", ...])` and the other `subprocess`
    functions, `[sys.executable, "-m", "pip", "install", ...]`,
    `os.system("pip install ...")`, `os.popen`, and `pip.main(["install",
    ...])`, often inside `except ImportError:`.

    ## Why is this bad?
    Factor V: the build stage fetches dependencies; the run stage executes
    exactly what the build produced. A process that installs packages at run
    time runs code that no build reviewed or tested, needs network access
    and write access to site-packages in production, starts slowly, and can
    differ between two instances of one release.

    ## Example
    ```python
    import subprocess
    import sys

    try:
        import redis
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "redis"])
        import redis
    ```

    Use instead: declare `redis` in requirements.txt and `import redis`.

    ## Fix
    None: move the package into the dependency manifest.
    """

    code = "FS0502"
    name = "runtime-install"
    severity = Severity.WARNING
    summary = "The app installs packages at run time"
    test_files = "skipped, as are setup.py, noxfile.py, fabfile.py, tasks.py and dodo.py"
    # The word `pip` (pip, pip3, pip.main), not "pipe" or "pipeline".
    triggers = (Guarded(rb"\bpip(\d(\.\d+)?)?\b", b"pip"),)

    VALID = (
        Valid(
            """
            import subprocess

            subprocess.run(["pip", "freeze"], check=True)
            subprocess.run(["pipenv", "--version"], check=True)
            print("run `pip install -r requirements.txt` first")
            """,
        ),
        Valid(
            """
            import subprocess
            import sys

            def install(session):
                subprocess.check_call([sys.executable, "-m", "pip", "install", "-e", "."])
            """,
            filename="noxfile.py",
            note="development tooling",
        ),
    )
    INVALID = (
        Invalid(
            """
            import subprocess
            import sys

            try:
                import redis
            except ImportError:
                subprocess.check_call([sys.executable, "-m", "pip", "install", "redis"])
                import redis
            """,
            line=7,
        ),
        Invalid(
            """
            import os

            def ensure_plugins():
                os.system("pip install --quiet shop-plugins")
            """,
        ),
        Invalid(
            """
            from subprocess import run as sh

            sh("pip3 install requests==2.32.3", shell=True, check=True)
            """,
        ),
        Invalid(
            """
            import pip

            pip.main(["install", "boto3"])
            """,
        ),
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return PurePosixPath(relative_path).name not in _TOOLING_FILES

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.is_test_file:
            return
        name = self.context.qualified_name(node.func)
        if name in _PIP_MAINS:
            first = node.args[0].value if node.args else None
            if isinstance(first, (cst.List, cst.Tuple)) and "install" in self._strings(first):
                self.report(node, "The app runs `pip install` itself; declare the package in the manifest")
            return
        if name not in _SUBPROCESS_CALLS and name != "asyncio.create_subprocess_exec":
            return
        if name == "asyncio.create_subprocess_exec":
            argv = [self._word(arg.value) for arg in node.args if arg.keyword is None and not arg.star]
        else:
            if not node.args or node.args[0].keyword is not None:
                return
            argv = self._argv(node.args[0].value)
        if argv and pip_install_arguments(argv) is not None:
            self.report(
                node,
                "The app runs `pip install` at run time; install dependencies in the build instead",
            )

    def _argv(self, value: cst.BaseExpression) -> list[str]:
        if isinstance(value, (cst.List, cst.Tuple)):
            return [self._word(element.value) for element in value.elements]
        text = self.context.string_value(self.context.literal(value))
        return [word.text for word in words(text)] if text is not None else []

    def _word(self, value: cst.BaseExpression) -> str:
        if self.context.qualified_name(value) == "sys.executable":
            return _EXECUTABLE
        return self.context.string_value(self.context.literal(value)) or ""

    def _strings(self, value: cst.List | cst.Tuple) -> Iterator[str]:
        for element in value.elements:
            text = self.context.string_value(element.value)
            if text is not None:
                yield text
