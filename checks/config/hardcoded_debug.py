"""FS0303 hardcoded-debug: debug mode is switched on in code."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.base import (
    Applicability,
    FixAvailability,
    Guarded,
    Invalid,
    Severity,
    SourceRule,
    Valid,
)
from factorscan.core.findings import Finding
from factorscan.python.codemods import env_flag, env_variable_name, keyword, string
from factorscan.python.dev_runs import StartNotes
from factorscan.python.env_flags import env_flag_when_unset, helper_flag_on
from factorscan.python.env_reads import is_settings_class
from factorscan.python.targets import (
    environment_specific_class,
    environment_specific_file,
    environment_specific_module,
    sample_or_test_file,
)
from factorscan.scan.dev_runs import review_development_starts
from factorscan.scan.project import ProjectModel


def _case_variants(word: bytes) -> list[bytes]:
    """Every upper/lower-case spelling of `word` (needles for a case-insensitive trigger)."""
    variants = [b""]
    for letter in word.decode():
        variants = [v + c.encode() for v in variants for c in {letter.lower(), letter.upper()}]
    return variants


_APP_CLASSES = frozenset(
    {
        "flask.Flask",
        "quart.Quart",
        "fastapi.FastAPI",
        "starlette.applications.Starlette",
        "sanic.Sanic",
        "bottle.Bottle",
        "aiohttp.web.Application",
        "litestar.Litestar",
        "dash.Dash",
    }
)


# Constructors that take debug= themselves.
_DEBUG_CONSTRUCTORS = frozenset(
    {"fastapi.FastAPI", "starlette.applications.Starlette", "aiohttp.web.Application", "litestar.Litestar"}
)


# Runners whose debug= is not a web app's debug mode.
_OTHER_RUNNERS = ("asyncio.", "trio.", "anyio.", "unittest.", "subprocess.", "uvloop.")


_DEBUG_NAMES = frozenset({"DEBUG", "FLASK_DEBUG"})


# A project's own environment helpers, for the examples.
_HELPERS = """\
import os

import environ

env = environ.Env()
FEATURES = {}


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes")


def feature(name, default=False):
    return FEATURES.get(name, default)
"""


def _is_true(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


class HardcodedDebug(SourceRule):
    """
    ## What it does
    Finds debug mode switched on in code: `DEBUG = True` in a settings module
    or a config class, `app.run(debug=True)`, `app.debug = True`,
    `app.config["DEBUG"] = True`, `app.config.update(DEBUG=True)` and
    `FastAPI(debug=True)` (also Starlette, aiohttp and Litestar), and the same
    places given a flag read from the environment that is on while its
    variable is unset (`os.environ.get("DEBUG", "true") == "true"`).

    Settings modules and config classes for development, tests or CI
    (`settings/dev.py`, `local_settings.py`, `settings/ci.py`,
    `settings/unittests.py`, a file whose header says it is for testing,
    `DevelopmentConfig`, `TestingConfig`), `DEBUG = True` under an `if`, and
    pydantic-settings fields (already read from the environment) are left
    alone: debug is what those files are for, and no deploy runs them.

    `app.run(debug=True)` that the project's deployment shows to be a
    developer's own debug run is a notice at `info`: in a `__main__` block
    (or `__main__.py`, or a function the block calls), or at module level,
    when a Dockerfile, Procfile or compose file serves the app with a
    production server (gunicorn, uvicorn, uWSGI...) and runs no such file.

    ## Why is this bad?
    Factor III: whether a deploy runs in debug mode is config, and varies
    between deploys. Hardcoded on, it reaches production, where debug pages
    leak settings and stack traces and Werkzeug's debugger runs arbitrary
    code for anyone who can reach it.

    ## Example
    ```python
    DEBUG = True
    ```

    Use instead:
    ```python
    import os

    DEBUG = os.environ.get("DEBUG", "false").lower() in ("1", "true", "yes")
    ```

    ## Fix
    Safe: `True` becomes `os.environ.get("DEBUG", "true").lower() in ("1",
    "true", "yes")`, which is still on while `DEBUG` is unset, so behaviour
    is unchanged. The finding stays while the default is on (a deploy that
    sets nothing still runs in debug mode).

    Unsafe: a flag read from the environment that is on while its variable
    is unset gets a default that switches it off (`"false"`, `"0"` or `""`,
    whichever the expression reads as off), so debug mode then needs the
    variable set; the run lists the change ("Default $DEBUG to off"). No fix
    when no such default switches the flag off.
    """

    code = "FS0303"
    name = "hardcoded-debug"
    severity = Severity.WARNING
    summary = "Debug mode is switched on in code"
    fix_availability = FixAvailability.SOMETIMES
    test_files = "skipped, like settings modules and config classes for development or tests"
    triggers = (
        # DEBUG = True, debug=True: searched only where "debug" occurs in some case
        Guarded(rb"(?i:debug)\s*(?::\s*bool\s*)?=\s*True\b", *_case_variants(b"ebug")),
        re.compile(rb"DEBUG['\"]\s*\]\s*=\s*True\b"),  # app.config["DEBUG"] = True
        # DEBUG = os.environ.get("DEBUG", "true") ...: a flag that may default to on
        Guarded(rb"(?i:debug)['\"\]]*\s*(?::[^=\n]*)?=[^\n]*(?:environ|getenv)", b"environ", b"getenv"),
        # DEBUG = env_bool("DEBUG", "True"), env.bool("DEBUG", default=True): a helper's default
        Guarded(
            rb"(?i:debug)['\"\]]*\s*(?::[^=\n]*)?=\s*[\w.]+\("
            rb"(?:[^\n]*(?:\bTrue\b|['\"](?i:true|1|yes|on)['\"])|\s*['\"]\w*(?i:debug)['\"]\s*\))",
            *_case_variants(b"ebug"),
        ),
    )

    VALID = (
        Valid(
            """
            import os

            DEBUG = os.environ.get("DEBUG", "") == "1"
            TEMPLATE_DEBUG = DEBUG
            """,
            filename="mysite/settings.py",
        ),
        Valid(
            """
            DEBUG = True
            """,
            filename="mysite/settings/dev.py",
            note="a settings module for development",
        ),
        Valid(
            """
            class Config:
                DEBUG = False


            class DevelopmentConfig(Config):
                DEBUG = True
            """,
            note="a config class for development",
        ),
        Valid(
            """
            import asyncio

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                debug: bool = True


            asyncio.run(main(), debug=True)
            """,
            note="a pydantic-settings field and asyncio's debug mode",
        ),
        Valid(
            """
            import os

            if os.environ.get("DJANGO_DEV"):
                DEBUG = True
            """,
        ),
        Valid(
            """
            from .settings import *  # noqa: F403

            DEBUG = True
            """,
            filename="shop/settings/unittests.py",
            files={
                "settings/ci.py": "DEBUG = True\n",
                "shop/qa.py": '"""Test settings: the suite runs against SQLite."""\n\nDEBUG = True\n',
            },
            note="settings for unit tests and CI, by name or by header",
        ),
        Valid(
            """
            import os

            from myproject.env import feature
            from toolkit import env_bool


            def get_bool(name, default=False):
                return os.getenv(name, str(default)).lower() == "true"


            DEBUG = get_bool("DEBUG")
            FLASK_DEBUG = get_bool("FLASK_DEBUG", "false")
            DEBUG = env_bool("DEBUG", "True")
            DEBUG = feature("DEBUG", True)
            """,
            filename="myproject/settings.py",
            files={"myproject/__init__.py": "", "myproject/env.py": _HELPERS},
            note="helpers defaulting to off, one the project does not define, one that reads no environment",
        ),
    )
    INVALID = (
        Invalid(
            """
            DEBUG = True
            ALLOWED_HOSTS = ["*"]
            """,
            filename="mysite/settings.py",
            fixed="""
            import os

            DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")
            ALLOWED_HOSTS = ["*"]
            """,
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.debug = True
            app.config["DEBUG"] = True

            if __name__ == "__main__":
                app.run(host="0.0.0.0", debug=True)
            """,
            count=3,
            line=4,
            severity=Severity.WARNING,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.debug = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")
            app.config["DEBUG"] = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")

            if __name__ == "__main__":
                app.run(host="0.0.0.0", debug=os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes"))
            """,
        ),
        Invalid(
            """
            from fastapi import FastAPI

            app = FastAPI(title="orders", debug=True)
            """,
            fixed="""
            import os

            from fastapi import FastAPI

            app = FastAPI(title="orders", debug=os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes"))
            """,  # noqa: E501 - the fixed line as --fix writes it
        ),
        Invalid(
            """
            class Config(object):
                DEBUG = True
                SQLALCHEMY_TRACK_MODIFICATIONS = False


            def create_app(app):
                app.config.update(DEBUG=True, TESTING=False)
            """,
            count=2,
            line=2,
            fixed="""
            import os

            class Config(object):
                DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")
                SQLALCHEMY_TRACK_MODIFICATIONS = False


            def create_app(app):
                app.config.update(DEBUG=os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes"), TESTING=False)
            """,  # noqa: E501 - the fixed line as --fix writes it
        ),
        Invalid(
            """
            import os

            DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")
            """,
            filename="mysite/settings.py",
            note="read from the environment, but on while DEBUG is unset: the unsafe fix defaults it off",
            unsafe=True,
            fixed="""
            import os

            DEBUG = os.environ.get("DEBUG", "false").lower() in ("1", "true", "yes")
            """,
        ),
        Invalid(
            """
            import os

            DEBUG = os.environ.get("DEBUG", "on") != "off"
            """,
            filename="mysite/settings.py",
            note="no fix: no usual spelling of off (false, 0, empty) switches this flag off",
        ),
        Invalid(
            """
            from shop import create_app

            app = create_app()

            if __name__ == "__main__":
                app.run(debug=True, port=4000)
            """,
            filename="wsgi.py",
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "wsgi:app"]\n'},
            fixed="""
            import os

            from shop import create_app

            app = create_app()

            if __name__ == "__main__":
                app.run(debug=os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes"), port=4000)
            """,
            severity=Severity.INFO,
            note="a developer's debug run: the image serves `wsgi:app` with gunicorn",
        ),
        Invalid(
            """
            import os

            from myproject.env import env, env_bool


            def get_bool(name, default=True):
                return os.getenv(name, str(default)).lower() == "true"


            DEBUG = env_bool("DEBUG", "True")
            FLASK_DEBUG = get_bool("FLASK_DEBUG")
            app.run(debug=env.bool("APP_DEBUG", default=True))
            """,
            filename="myproject/settings.py",
            files={"myproject/__init__.py": "", "myproject/env.py": _HELPERS},
            count=3,
            line=10,
            note="first-party helpers that read the variable they are given; an Env object of the project",
        ),
        Invalid(
            """
            import environ

            env = environ.Env()
            DEBUG = env.bool("DEBUG", default=True)
            """,
            filename="mysite/settings.py",
            fixed="""
            import environ

            env = environ.Env()
            DEBUG = env.bool("DEBUG", default=False)
            """,
            unsafe=True,
            note="django-environ's bool with its default on: off is False, as it returns a default unparsed",
        ),
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not (sample_or_test_file(relative_path) or environment_specific_file(relative_path))

    @classmethod
    def review(cls, findings: list[Finding], project: ProjectModel) -> list[Finding]:
        return review_development_starts(findings, project)

    def __init__(self) -> None:
        self._starts = StartNotes()  # debug servers that may be a developer's own run

    def leave_Module(self, original_node: cst.Module) -> None:
        self._starts.record(self.context)

    def _switched_on(self, node: cst.BaseExpression) -> bool:
        """`True`, or a flag read from the environment that is on while its variable is unset."""
        if _is_true(node):
            return True
        if isinstance(node, (cst.Name, cst.Integer, cst.SimpleString)):
            return False  # the common case, without looking for environment reads
        flag = env_flag_when_unset(node, self.context)
        if flag is not None:
            return flag.on_when_unset
        return isinstance(node, cst.Call) and helper_flag_on(node, self.context) is not None

    def _report(self, node: cst.BaseExpression, message: str) -> None:
        if environment_specific_module(self.context):
            return  # a settings module whose header says it is for tests or development
        if not _is_true(node):
            self._report_flag(node)
            return
        fix = self.fix("Read DEBUG from the environment (still on while it is unset)")
        variable = env_variable_name(self.context, "DEBUG", setting=True)
        fix.replace(node, env_flag(fix, variable, True))
        self.report(node, f"{message}; read {variable} from the environment", fix=fix)

    def _report_flag(self, node: cst.BaseExpression) -> None:
        flag = env_flag_when_unset(node, self.context)
        if flag is None:
            if not isinstance(node, cst.Call):
                return
            variable = helper_flag_on(node, self.context)
            if variable is not None:
                helper = self.context.module.code_for_node(node.func)
                message = (
                    f"Debug mode is on while ${variable} is unset ({helper}'s default); default it to off"
                )
                self.report(node, message)
            return
        variable = flag.lookup.name or "the variable"
        message = f"Debug mode is on while ${variable} is unset; default it to off"
        default = flag.lookup.default
        if flag.off_default is None or default is None:
            self.report(node, message)
            return
        fix = self.fix(f"Default ${variable} to off (debug then needs {variable} set)", Applicability.UNSAFE)
        if isinstance(flag.off_default, bool):
            fix.replace(default, cst.Name(str(flag.off_default)))
        else:
            fix.replace(default, string(flag.off_default, default))
        self.report(node, message, fix=fix)

    def _conditional(self) -> bool:
        return any(isinstance(node, (cst.If, cst.Try, cst.With)) for node in self.context.ancestors())

    def _setting_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        context = self.context
        if isinstance(target, cst.Name) and target.value in _DEBUG_NAMES:
            if context.in_function() or self._conditional():
                return
            owner = context.enclosing_class()
            if owner is not None and (
                environment_specific_class(owner.name.value) or is_settings_class(owner, context)
            ):
                return
            self._report(value, f"{target.value} is hardcoded to True")
        elif isinstance(target, cst.Attribute) and target.attr.value == "debug":
            if self._is_app(target.value):
                self._report(value, "Debug mode is hardcoded on")
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Attribute):
            if target.value.attr.value != "config" or len(target.slice) != 1:
                return
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and context.string_value(index.value) in _DEBUG_NAMES:
                self._report(value, "DEBUG is hardcoded to True")

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._switched_on(node.value):
            for target in node.targets:
                self._setting_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and self._switched_on(node.value):
            self._setting_target(node.target, node.value)

    def _is_app(self, node: cst.BaseExpression) -> bool:
        context = self.context
        value = context.module_constant(node)
        if isinstance(value, cst.Call) and context.qualified_name(value.func) in _APP_CLASSES:
            return True
        name = node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", None)
        return name in ("app", "application")

    def visit_Call(self, node: cst.Call) -> None:
        debug = keyword(node, "debug")
        config_debug = keyword(node, "DEBUG")
        debug_on = debug is not None and self._switched_on(debug.value)
        config_on = config_debug is not None and self._switched_on(config_debug.value)
        if not debug_on and not config_on:
            return
        context = self.context
        qualified = context.qualified_name(node.func) or ""
        func = node.func
        if debug is not None and debug_on:
            if qualified in _DEBUG_CONSTRUCTORS:
                self._report(debug.value, f"{qualified.rsplit('.', 1)[1]}(debug=True) hardcodes debug mode")
            elif (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("run", "run_server")
                and not qualified.startswith(_OTHER_RUNNERS)
            ):
                self._report(debug.value, f"{func.attr.value}(debug=True) hardcodes debug mode")
                self._starts.note(self.context, debug.value, node)  # a debug server: maybe a developer's
        if (
            config_debug is not None
            and config_on
            and isinstance(func, cst.Attribute)
            and func.attr.value in ("update", "from_mapping", "configure")
        ):
            self._report(config_debug.value, "DEBUG is hardcoded to True")
