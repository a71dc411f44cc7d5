"""FS1001 environment-name-branch: code branches on the name of the environment it runs in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from factorscan.checks.base import Invalid, Severity, SourceRule, Valid
from factorscan.core.discovery import is_test_path
from factorscan.python.imports import dotted_name
from factorscan.python.inference import config_name
from factorscan.python.traversal import FileContext

ENVIRONMENT_NAMES = frozenset(
    {
        "production",
        "prod",
        "development",
        "dev",
        "develop",
        "staging",
        "stage",
        "test",
        "testing",
        "qa",
        "local",
        "uat",
        "preprod",
        "pre-prod",
        "preproduction",
        "sandbox",
        "live",
        "demo",
        "ci",
    }
)


# Names of a developer's own machine: a branch on these is the common local-dev idiom.
LOCAL_NAMES = frozenset({"development", "dev", "develop", "local"})


# ENV, APP_ENV, FLASK_ENV, ENVIRONMENT, settings.ENVIRONMENT, app.env, STAGE, DEPLOY_STAGE, ENV_NAME...
_ENVIRONMENT_VARIABLE = re.compile(r"^(\w+_)?(env|environment|stage)(_name|_type)?$", re.IGNORECASE)


_CASE_METHODS = frozenset({"lower", "upper", "strip", "casefold", "title", "capitalize"})


_NAMED_CONFIG_CLASS = re.compile(r"(Production|Prod|Development|Dev|Staging|Testing|Test|Local)Config$")


_FACTORY = re.compile(r"(^|_)(app|application|config|settings|configuration)($|_)", re.IGNORECASE)


# "shop.settings." / "config_" right before the environment name in a module path.
_MODULE_PREFIX = re.compile(r"(^|[.\w])(settings|config|configs|conf)[._]$", re.IGNORECASE)


def _unwrap(node: cst.BaseExpression) -> cst.BaseExpression:
    """`os.getenv("ENV", "").lower()` -> `os.getenv("ENV", "")`; `str(x)` -> `x`."""
    while isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _CASE_METHODS and not node.args:
            node = func.value
        elif isinstance(func, cst.Name) and func.value == "str" and len(node.args) == 1:
            node = node.args[0].value
        else:
            break
    return node


def environment_name_value(node: cst.BaseExpression, context: FileContext) -> str | None:
    """The variable an expression reads when it holds an environment name (`APP_ENV`)."""
    name = config_name(_unwrap(node), context)
    return name if name is not None and _ENVIRONMENT_VARIABLE.match(name) else None


def _environment_literals(node: cst.BaseExpression, context: FileContext) -> list[str] | None:
    """["production"] for "production"; ["dev", "development"] for ("dev", "development")."""
    elements = (
        [element.value for element in node.elements]
        if isinstance(node, (cst.Tuple, cst.List, cst.Set))
        else [node]
    )
    names = [context.string_value(element) for element in elements]
    if not names or any(name is None or name.lower() not in ENVIRONMENT_NAMES for name in names):
        return None
    return [name.lower() for name in names if name is not None]


class EnvironmentNameBranch(SourceRule):
    """
    ## What it does
    Finds code that behaves differently depending on the *name* of the
    environment it runs in:

    - comparisons of an environment-name variable with an environment name:
      `os.environ.get("ENV") == "production"`, `APP_ENV in ("dev",
      "development")`, `settings.ENVIRONMENT != "prod"`,
      `app.config["ENV"] == "staging"`, and `match` statements on one;
    - configuration grouped by environment name: a dict keyed by environment
      names (`{"development": DevConfig, "production": ProdConfig}`), a
      hardcoded `create_app("development")`, `config["production"]`, or
      `from_object("config.ProductionConfig")`;
    - settings modules picked by environment name:
      `f"shop.settings.{os.environ['APP_ENV']}"`.

    A feature flag or setting read from the environment
    (`os.environ.get("FEATURE_X") == "1"`, `DEBUG`) is not reported: that is
    the fix. Neither is a setting whose key is an upper-case word
    (`app.config["TESTING"]`, `get_app_config("TESTING")`): a flag, not the
    name of an environment. Test files are not checked.

    **The `ENVIRONMENT == "development"` idiom.** Branches whose names are
    all local-development names (`development`, `dev`, `develop`, `local`)
    are reported at info severity rather than warning: they usually switch
    on local conveniences (a debug toolbar, `.env` loading, auto-reload),
    which are a smaller parity gap than code that only runs in production or
    staging, yet still a behaviour that no deploy ever exercises. Ignore
    them per file with `per-file-ignores`, or replace them with the explicit
    flag they stand for (`DEBUG=1`). `!= "production"` is a production
    branch and stays a warning.

    ## Why is this bad?
    Factor III and X: configuration grouped into named environments does not
    scale (every new deploy needs a new name, and a new branch), and code
    paths that only run in production are never exercised in development or
    CI, which is the gap that dev/prod parity closes. Each behaviour should
    hang on its own environment variable (`SENTRY_DSN`, `DEBUG`,
    `EMAIL_BACKEND`), set per deploy.

    ## Example
    ```python
    if os.environ.get("APP_ENV") == "production":
        sentry_sdk.init(dsn="https://key@sentry.io/1")
    ```

    Use instead:
    ```python
    if os.environ.get("SENTRY_DSN"):
        sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])
    ```

    ## Fix
    None: the explicit setting a branch stands for is a design decision.
    """

    code = "FS1001"
    name = "environment-name-branch"
    severity = Severity.WARNING
    summary = "Code branches on the name of the environment it runs in"
    test_files = "not checked"
    # A quoted environment name ("prod", 'Dev'...), a named config class, or an ENV variable.
    triggers = (
        re.compile(
            rb"['\"](?i:production|prod|development|develop|dev|staging|stage|testing|test|local|qa|uat|live"
            rb"|demo|sandbox|preproduction|preprod|pre-prod|ci)['\"]"
        ),
        b"ENV",
        b"env}",
        b"environment}",
        b"Config'",
        b'Config"',
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    VALID = (
        Valid(
            """
            import os

            if os.environ.get("FEATURE_NEW_CHECKOUT") == "1":
                enable_new_checkout()
            DEBUG = os.environ.get("DEBUG", "0") == "1"
            if os.environ.get("SENTRY_DSN"):
                init_sentry(os.environ["SENTRY_DSN"])
            """,
            note="feature flags and explicit settings",
        ),
        Valid(
            """
            import sys

            TESTING = "test" in sys.argv
            mode = sys.argv[1] if len(sys.argv) > 1 else "dev"
            if mode == "dev":
                print("dry run")
            """,
            note="not an environment-name variable",
        ),
        Valid(
            """
            LABELS = {"production": "Production", "staging": "Staging"}

            def label(value):
                return LABELS.get(value, value)
            """,
            filename="tests/test_labels.py",
        ),
        Valid(
            """
            from CTFd.utils import get_app_config

            def export(mysql):
                if mysql and get_app_config("TESTING", default=False) is False:
                    kill_long_queries()
            """,
            note="a config getter reading the TESTING flag by its key, not an environment name",
        ),
        Valid(
            """
            import logging
            import os

            logging.info("Running in %s" % os.environ["APP_ENV"])
            banner = "environment: " + os.environ["APP_ENV"]
            """,
            note="an environment name in a message, not in a module path",
        ),
    )

    INVALID = (
        Invalid(
            """
            import os

            if os.environ.get("APP_ENV") == "production":
                import sentry_sdk

                sentry_sdk.init()
            """,
            line=3,
        ),
        Invalid(
            """
            import os

            ENVIRONMENT = os.getenv("ENVIRONMENT", "development")
            DEBUG = ENVIRONMENT == "development"
            """,
            line=4,
            note="the local-development idiom, reported at info severity",
        ),
        Invalid(
            """
            from django.conf import settings

            def send(message):
                if settings.ENVIRONMENT not in ("prod", "production"):
                    return
                deliver(message)
            """,
        ),
        Invalid(
            """
            from flask import Flask

            class Config:
                SQLALCHEMY_TRACK_MODIFICATIONS = False

            class DevelopmentConfig(Config):
                DEBUG = True

            class ProductionConfig(Config):
                DEBUG = False

            config = {
                "development": DevelopmentConfig,
                "production": ProductionConfig,
                "default": DevelopmentConfig,
            }

            def create_app(config_name):
                app = Flask(__name__)
                app.config.from_object(config[config_name])
                return app

            app = create_app("development")
            """,
            count=2,
            note="config classes grouped by environment name, and a hardcoded create_app('development')",
        ),
        Invalid(
            """
            import os

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"shop.settings.{os.environ['APP_ENV']}")
            """,
            filename="shop/wsgi.py",
            note="a settings module chosen by environment name",
        ),
        Invalid(
            """
            import os

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings." + os.environ["APP_ENV"])
            """,
            filename="shop/wsgi.py",
            line=3,
            note="the module path built by concatenation",
        ),
        Invalid(
            """
            import importlib
            import os

            APP_ENV = os.getenv("APP_ENV", "dev")
            settings = importlib.import_module("config.%s" % APP_ENV)
            legacy = importlib.import_module("config.%s" % (APP_ENV,))
            """,
            count=2,
            note="the module path built by %-formatting, with one value or a tuple",
        ),
        Invalid(
            """
            import os

            match os.environ.get("STAGE", "dev"):
                case "prod":
                    workers = 8
                case _:
                    workers = 1
            """,
            line=3,
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config.from_object("config.ProductionConfig")
            """,
        ),
        Invalid(
            """
            from shop import create_app

            app = create_app("testing")
            """,
            note="a lower-case environment name passed to an app factory",
        ),
    )

    def visit_Comparison(self, node: cst.Comparison) -> None:
        left = node.left
        for target in node.comparisons:
            if not isinstance(target.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)):
                left = target.comparator
                continue
            found = self._branch(left, target.comparator) or self._branch(target.comparator, left)
            if found is not None:
                variable, names = found
                self._report_branch(node, variable, names)
                return
            left = target.comparator

    def _branch(
        self, variable_side: cst.BaseExpression, value_side: cst.BaseExpression
    ) -> tuple[str, list[str]] | None:
        variable = environment_name_value(variable_side, self.context)
        if variable is None:
            return None
        names = _environment_literals(value_side, self.context)
        return (variable, names) if names else None

    def _report_branch(self, node: cst.CSTNode, variable: str, names: list[str]) -> None:
        local = all(name in LOCAL_NAMES for name in names)
        shown = " / ".join(f'"{name}"' for name in names)
        if local:
            self.report(
                node,
                f"Code branches on {variable} being {shown}: a local-development branch that no deploy "
                "exercises; switch on an explicit setting (DEBUG=1) instead",
                severity=Severity.INFO,
            )
        else:
            self.report(
                node,
                f"Code branches on {variable} being {shown}: behaviour that differs per deploy by name is "
                "never exercised elsewhere; switch on the explicit setting it stands for",
            )

    def visit_Match(self, node: cst.Match) -> None:
        variable = environment_name_value(node.subject, self.context)
        if variable is None:
            return
        names = [name for case in node.cases for name in self._case_names(case.pattern)]
        if names:
            self._report_branch(node.subject, variable, names)

    def _case_names(self, pattern: cst.MatchPattern) -> Iterator[str]:
        if isinstance(pattern, cst.MatchValue):
            text = self.context.string_value(pattern.value)
            if text is not None and text.lower() in ENVIRONMENT_NAMES:
                yield text.lower()
        elif isinstance(pattern, cst.MatchOr):
            for element in pattern.patterns:
                yield from self._case_names(element.pattern)

    def visit_Dict(self, node: cst.Dict) -> None:
        """`{"development": DevConfig, "production": ProdConfig, "default": DevConfig}`."""
        keys = [
            self.context.string_value(element.key) if isinstance(element, cst.DictElement) else None
            for element in node.elements
        ]
        named = [key.lower() for key in keys if key is not None and key.lower() in ENVIRONMENT_NAMES]
        # Config classes, modules or nested settings, not labels (`{"production": "Production"}`);
        # other keys (`"default"`, `"heroku"`) may sit beside the environment names.
        configuration = all(
            isinstance(element, cst.DictElement)
            and isinstance(element.value, (cst.Name, cst.Attribute, cst.Dict, cst.Call))
            for element in node.elements
        )
        if len(named) >= 2 and configuration and any(name not in LOCAL_NAMES for name in named):
            self.report(
                node,
                "Configuration is grouped by environment name ("
                + ", ".join(named)
                + "); every new deploy needs a new group. Read each setting from the environment instead",
            )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if not node.args:
            return
        func = dotted_name(node.func) or ""
        method = func.rsplit(".", 1)[-1]
        first = node.args[0]
        text = context.string_value(first.value) if first.keyword is None else None
        if text is None:
            return
        if method == "from_object" and _NAMED_CONFIG_CLASS.search(text.rsplit(".", 1)[-1]):
            self.report(
                node,
                f"The configuration class is chosen by environment name ({text}); "
                "read settings from the environment",
            )
        # An upper-case key (`get_app_config("TESTING")`) names a setting, as in visit_Subscript.
        elif (
            text.lower() in ENVIRONMENT_NAMES
            and _FACTORY.search(method)
            and method != "get"
            and not text.isupper()
        ):
            self.report(
                node,
                f'{method}("{text}") hardcodes a named environment; configure the app from the environment',
            )

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """`config["production"]`, `CONFIGS["dev"]`."""
        context = self.context
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key = context.string_value(node.slice[0].slice.value)
        holder = (dotted_name(node.value) or "").rsplit(".", 1)[-1]
        # Lower case only: `app.config["TESTING"]` is a setting, not an environment name.
        if key is not None and key in ENVIRONMENT_NAMES and re.search(r"config|setting", holder, re.I):
            self.report(node, f'{holder}["{key}"] picks configuration by environment name')

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """f"shop.settings.{APP_ENV}": a settings module named after the environment."""
        previous = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                previous = part.value
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            variable = environment_name_value(part.expression, self.context)
            if variable is not None and _MODULE_PREFIX.search(previous):
                self.report(node, f"The settings module is chosen by environment name ({variable})")
                return
            previous = ""

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        """ "shop.settings." + APP_ENV, "config.%s" % ENV."""
        if not isinstance(node.operator, (cst.Add, cst.Modulo)):
            return
        text = self.context.string_value(node.left)
        if text is None:
            return
        if isinstance(node.operator, cst.Modulo):
            text = text.split("%", 1)[0]
        if not _MODULE_PREFIX.search(text):
            return
        right = (
            node.right.elements[0].value
            if isinstance(node.right, cst.Tuple) and node.right.elements
            else node.right
        )
        variable = environment_name_value(right, self.context)
        if variable is not None:
            self.report(node, f"The settings module is chosen by environment name ({variable})")
