"""FS0302 secret-default: an environment read falls back to a hardcoded secret."""

from __future__ import annotations

import libcst as cst

from factorscan.checks.base import Applicability, FixAvailability, Invalid, Severity, SourceRule, Valid
from factorscan.checks.config._shared import FORMAT_TRIGGERS, TEST_FILES_NOTE
from factorscan.core.redact import redact
from factorscan.python.credentials import find_credential
from factorscan.python.env_reads import (
    EnvLookup,
    SettingsField,
    env_default_of,
    read_variable,
    require_variable,
)
from factorscan.python.secrets import (
    has_real_password,
    is_secret_name,
    looks_like_secret_value,
    name_words,
    parse_url,
)
from factorscan.python.services import classify_url, service_setting
from factorscan.python.targets import StringLiterals, environment_specific_module, sample_or_test_file
from factorscan.python.traversal import FileContext


def _holds_read(node: cst.CSTNode, read: EnvLookup) -> bool:
    """The read itself, or `os.getenv("X") or "..."` around it."""
    return node is read.node or (isinstance(node, cst.BooleanOperation) and node.left is read.node)


def _holder_name(context: FileContext, read: object) -> str | None:
    """The dict key or keyword a read is stored under (`"PASSWORD": os.getenv("X", "...")`,
    `connect(password=os.getenv(...))`), which names the value when the variable does not."""
    if not isinstance(read, EnvLookup):
        return None
    stack = context.stack
    index = next((i for i in range(len(stack) - 2, 0, -1) if _holds_read(stack[i], read)), None)
    if index is None:
        return None
    value, parent = stack[index], stack[index - 1]
    if isinstance(parent, cst.DictElement) and parent.value is value:
        return context.string_value(parent.key)
    if isinstance(parent, cst.Arg) and parent.value is value and parent.keyword is not None:
        return parent.keyword.value
    return None


class SecretDefault(StringLiterals, SourceRule):
    """
    ## What it does
    Finds environment reads whose fallback is a secret:
    `os.getenv("SECRET_KEY", "dev-secret")`, `os.environ.get(...)`,
    `os.environ.setdefault(...)`, django-environ and environs
    `env("API_TOKEN", default=...)` (and `environ.Env(SECRET_KEY=(str, ...))`),
    python-decouple and Starlette `config("X", default=...)`, and
    pydantic-settings fields (`secret_key: SecretStr = "..."`), and a read
    followed by `or "..."` (`os.environ.get("SECRET_KEY") or "..."`). The variable
    must be secret-like by name (or typed `SecretStr`), or the default must
    match a known credential format. Placeholder defaults (`""`,
    `changeme`, `<token>`...) are fine.

    ## Why is this bad?
    Factor III: the secret is still in the code. When the variable is
    missing in production the app starts anyway, quietly using a key that
    everybody with the repository knows, instead of failing at start-up.

    ## Example
    ```python
    import os

    SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")
    ```

    Use instead:
    ```python
    import os

    SECRET_KEY = os.environ["SECRET_KEY"]
    ```

    ## Fix
    Unsafe (`--unsafe-fixes`): the read loses its default, so a missing
    variable fails at start-up: `os.getenv`/`os.environ.get` become
    `os.environ["NAME"]`, `config(...)`/`env(...)` drop `default=`, a
    pydantic field becomes required. The run lists the change ("Require
    NAME: drop the hardcoded default"). Reads with a default in another shape
    are reported without a fix, and so are reads in a parameter default or a
    class field's default: those run at import, where a required read would
    fail for every importer.
    """

    code = "FS0302"
    name = "secret-default"
    severity = Severity.ERROR
    summary = "An environment read falls back to a hardcoded secret"
    fix_availability = FixAvailability.SOMETIMES
    test_files = TEST_FILES_NOTE
    # Reads that can carry a default; a bare `environ` would parse every WSGI module.
    triggers = (
        b"getenv(",
        b"environ.get(",
        b"environ.setdefault(",
        b"environ.pop(",
        b"environ.Env",
        b"FileAwareEnv",
        b"from environ",
        b"environs",
        b"decouple",
        b"BaseSettings",
        b"starlette",
        b"dj_database_url",
        b"dj_email_url",
        b"django_cache_url",
    )
    sample_triggers = FORMAT_TRIGGERS  # tests and examples: credential-format defaults only

    VALID = (  # noqa: FS0301 - a planted Django key, in a test settings example
        Valid(
            """
            import os

            SECRET_KEY = os.environ["SECRET_KEY"]
            API_TOKEN = os.getenv("API_TOKEN", "")
            STRIPE_KEY = os.environ.get("STRIPE_KEY", "sk_test_placeholder")
            WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "changeme")
            LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")
            TOKEN_URL = os.getenv("TOKEN_URL", "https://auth.internal/token")
            """
        ),
        Valid(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                api_key: str
                app_name: str = "shop"
                password_min_length: int = 12
            """,
        ),
        Valid(
            """
            import os

            SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-test-key-1234")
            """,
            filename="tests/settings.py",
        ),
        Valid(
            """
            \"\"\"Minimal configuration used by the wheel-install smoke test.\"\"\"

            import os

            DATABASES = {"default": {"PASSWORD": os.getenv("POSTGRES_PASSWORD", "netbox")}}
            SECRET_KEY = os.getenv("SECRET_KEY", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")
            """,
            filename="scripts/smoke.py",
            files={"settings/ci.py": 'import os\n\nTOKEN = os.getenv("TOKEN", "9f8e7d6c5b4a3928")\n'},
            note="settings for CI and smoke tests, by header or by name",
        ),
        Valid(
            """
            import os

            THROTTLE_RATES = {"login": os.getenv("SHOP_TOKEN_THROTTLE_RATE", "5/min")}
            """,
            note="a rate limit under a name holding TOKEN",
        ),
        Valid(
            """
            import os

            SECRET_KEY = os.environ.get("SECRET_KEY") or "changeme"
            API_TOKEN = os.getenv("API_TOKEN") or ""
            """,
            note="placeholders after `or`",
        ),
        Valid(
            """
            import os

            DATABASE_URL = os.getenv("DATABASE_URL", "postgres://app:Dsn-Pass-4242@db.internal/app")
            """,
            note="a backing-service URL with a password is FS0401's",
        ),
        Valid(
            """
            import os

            SECRET_KEY = os.getenv("SECRET_KEY", "django-insecure-7x#q2m!v9@k$w3z^e8r&t5y")
            """,
            filename="tests/settings.py",
            note="a credential format that test settings may hold (FS0301's in_tests=False formats)",
        ),
        Valid(
            """
            import os

            SECRET_KEY = os.getenv("SECRET_KEY", "https://vault.internal/v1/secret/Xk9mQ2wLp8")
            """,
            note="a URL holding no password and no credential, even under a secret's name",
        ),
        Valid(
            """
            import os

            DB_PASSWORD = os.getenv("DB_PASSWORD", "postgres://app:Dsn-Pass-4242@db.internal/app")
            PREFIX = os.getenv("PREFIX", "APP")
            TOKEN = os.getenv(PREFIX + "_TOKEN", "t0k3n-8f7e6d5c")
            """,
            note="a service URL under a secret's name is FS0401's too; a computed name is not judged",
        ),
        Valid(
            """
            import os

            COMPASS = os.getenv("COMPASS", "Nw7Rt4-Yp2Q")
            DATABASES = {
                "default": {
                    "HOST": os.getenv("DB_CRED", "Tr0ub4dor-3x"),
                    "PASSWORD": os.getenv("PAPERLESS_DBPASS", "paperless"),
                }
            }
            """,
            note="a word ending in pass; a key that names no secret; a default that is a word of the name",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            import os

            SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")
            API_TOKEN = os.environ.get("API_TOKEN", "t0k3n-8f7e6d5c")
            """,
            count=2,
            line=3,
            fixed="""
            import os

            SECRET_KEY = os.environ["SECRET_KEY"]
            API_TOKEN = os.environ["API_TOKEN"]
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import environ

            env = environ.Env(DEBUG=(bool, False), SECRET_KEY=(str, "a0b1c2d3e4f5a6b7"))
            STRIPE_SECRET = env("STRIPE_SECRET", default="whsec-90af81bc")
            """,
            filename="mysite/settings.py",
            count=2,
            line=3,
            fixed="""
            import environ

            env = environ.Env(DEBUG=(bool, False), SECRET_KEY=str)
            STRIPE_SECRET = env("STRIPE_SECRET")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from decouple import config

            SECRET_KEY = config("SECRET_KEY", default="x9!k2@m4#p6$r8")
            DEBUG = config("DEBUG", default=False, cast=bool)
            """,
            fixed="""
            from decouple import config

            SECRET_KEY = config("SECRET_KEY")
            DEBUG = config("DEBUG", default=False, cast=bool)
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from pydantic import Field, SecretStr
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="SHOP_")

                jwt_secret: SecretStr = "0f1e2d3c4b5a6978"
                stripe_key: str = Field("sk_live_4eC39HqLyjWDarjtT1zdp7dc", description="Stripe")
                app_name: str = "shop"
            """,
            filename="shop/config.py",
            files={"requirements.txt": "pydantic-settings==2.6.1\n"},
            count=2,
            line=8,
            fixed="""
            from pydantic import Field, SecretStr
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="SHOP_")

                jwt_secret: SecretStr
                stripe_key: str = Field(description="Stripe")
                app_name: str = "shop"
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import os

            os.environ.setdefault("GITHUB_TOKEN", "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A")
            """,
            note="reported without a fix: setdefault writes the environment",
        ),
        Invalid(
            """
            import os

            SECRET_KEY = os.environ.get("SECRET_KEY") or "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
            """,
            line=3,
            note="a default after `or`: reported without a fix",
        ),
        Invalid(
            """
            import os

            REPO_URL = os.getenv(
                "REPO_URL", "https://x-access-token:ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A@github.com/o/r.git"
            )
            """,
            fixed="""
            import os

            REPO_URL = os.environ["REPO_URL"]
            """,
            unsafe=True,
            note="a URL that is no backing service, holding a credential",
        ),
        Invalid(
            """
            import os


            def connect(token=os.environ.get("API_TOKEN", "tok-9f8e7d6c5b4a")):
                return token
            """,
            line=4,
            note="reported without a fix: a parameter default is read at import",
        ),
        Invalid(
            """
            import os

            HOOK = os.getenv("HOOK", "https://api.example.com/hook?token=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A")
            """,
            fixed="""
            import os

            HOOK = os.environ["HOOK"]
            """,
            unsafe=True,
            note="a credential in a URL's query, with no password in it",
        ),
        Invalid(
            """
            import os

            API_TOKEN = os.environ.pop("API_TOKEN", "t0k3n-8f7e6d5c")
            """,
            note="reported without a fix: pop also removes the variable",
        ),
        Invalid(
            """
            from environ import Env

            env = Env()
            API_TOKEN = env("API_TOKEN", default="t0k3n-8f7e6d5c")
            """,
            fixed="""
            from environ import Env

            env = Env()
            API_TOKEN = env("API_TOKEN")
            """,
            unsafe=True,
            note="django-environ imported by name",
        ),
        Invalid(
            """
            import environ

            env = environ.FileAwareEnv()
            API_TOKEN = env("API_TOKEN", default="t0k3n-8f7e6d5c")
            """,
            fixed="""
            import environ

            env = environ.FileAwareEnv()
            API_TOKEN = env("API_TOKEN")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from starlette.config import Config

            config = Config(".env")
            SECRET_KEY = config("SECRET_KEY", default="t0k3n-8f7e6d5c")
            """,
            fixed="""
            from starlette.config import Config

            config = Config(".env")
            SECRET_KEY = config("SECRET_KEY")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import os

            API_TOKEN = os.environ.get("API_TOKEN", "t0k3n-8f7e6d5c")
            """,
            fixed="""
            import os

            API_TOKEN = os.environ["API_TOKEN"]
            """,
            unsafe=True,
            note="each trigger has an example that only it lets through",
        ),
        Invalid(
            """
            import os

            GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "ghp_muO6RvvBfOHZ1FzfnKpcmgfmqSWstSqkNh5b")
            """,
            filename="tests/integration/test_github.py",
            files={
                "tests/integration/test_github_oauth.py": """
                    import os

                    OAUTH_TOKEN = os.environ.get(
                        "GITHUB_OAUTH_TOKEN", "gho_rTo21oKpdaZPNtriSPvMUC6j7OrJ1Bkkz7T3"
                    )
                """,
                "tests/integration/test_github_app.py": """
                    import os

                    USER_TOKEN = os.environ.get(
                        "GITHUB_USER_TOKEN", "ghu_hSiXLBwoh6MdHmBll1fhY4saZPZuRUz8DHWW"
                    )
                """,
                "tests/integration/test_github_install.py": """
                    import os

                    INSTALL_TOKEN = os.getenv(
                        "GITHUB_INSTALL_TOKEN", "ghs_Ud1Qkh8DJvaeKVgfvqPf9QXtQcYbmoGGSakb"
                    )
                """,
                "tests/integration/test_github_refresh.py": """
                    import os

                    REFRESH_TOKEN = os.getenv(
                        "GITHUB_REFRESH_TOKEN", "ghr_7QVH5i5t3iArgygnpm2ogtiJy4iPfCFalm0O"
                    )
                """,
                "tests/integration/test_github_pat.py": """
                    import os

                    PAT = os.getenv(
                        "GITHUB_PAT",
                        "github_pat_tz82g61snxNtjRUgard4yx_Vsz15DZgeKEn96aSUHe7WJN9vT"
                        "alrsM29gacnVnN8zSMfL2xYsCdZPi4Ny5",
                    )
                """,
                "tests/integration/test_gitlab.py": """
                    import os

                    GITLAB_TOKEN = os.getenv("GITLAB_TOKEN", "glpat-2JzzqaZX7DfL3FuoXmsC")
                """,
            },
            count=7,
            fixed="""
            import os

            GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]
            """,
            unsafe=True,
            note="in tests only credential formats count: each format's trigger alone lets its file through",
        ),
        Invalid(
            """
            import os

            SLACK_BOT_TOKEN = os.environ.get(
                "SLACK_BOT_TOKEN", "xoxb-56390521501-7382402558203-BHCp7zySI1S6sGMPTsNWXfPF"
            )
            """,
            filename="tests/test_notifications.py",
            files={
                "tests/test_alerts.py": """
                    import os

                    WEBHOOK_URL = os.getenv(
                        "SLACK_WEBHOOK_URL",
                        "https://hooks.slack.com/services/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",
                    )
                """,
                "tests/test_uploads.py": """
                    import os

                    AWS_ACCESS_KEY_ID = os.getenv("AWS_ACCESS_KEY_ID", "ASIAJQGUKB00EGIU420N")
                """,
                "tests/test_billing.py": """
                    import os

                    STRIPE_KEY = os.getenv("STRIPE_RESTRICTED_KEY", "rk_live_vrpXQufjqqgiteFcGcEEzT3G")
                """,
                "tests/test_geocoding.py": """
                    import os

                    MAPS_KEY = os.getenv("GOOGLE_MAPS_API_KEY", "AIzamrN1v649twyzLpy5Z7iNoBANAK38mUFxVLt")
                """,
                "tests/test_mail.py": """
                    import os

                    SENDGRID_API_KEY = os.getenv(
                        "SENDGRID_API_KEY",
                        "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",
                    )
                """,
                "tests/test_releases.py": """
                    import os

                    SENTRY_AUTH_TOKEN = os.getenv(
                        "SENTRY_AUTH_TOKEN",
                        "sntrys_ILCBvYpIUkGdCfGbsb5qXwq7tIzO6537ReR3xadKVX2lkoOeUCA1caMWnyI7",
                    )
                """,
                "tests/test_errors.py": """
                    import os

                    SENTRY_USER_TOKEN = os.getenv(
                        "SENTRY_USER_TOKEN",
                        "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",
                    )
                """,
            },
            count=8,
            fixed="""
            import os

            SLACK_BOT_TOKEN = os.environ["SLACK_BOT_TOKEN"]
            """,
            unsafe=True,
            note="chat, cloud, payment, maps, mail and error-tracking keys in tests, one format a file",
        ),
        Invalid(
            """
            import os

            OPENAI_API_KEY = os.getenv(
                "OPENAI_API_KEY", "sk-proj-cfbG2tArDN6rf00P4B3TT3BlbkFJeb4zWbqVaX7RHL0eR9a0"
            )
            """,
            filename="tests/test_summaries.py",
            files={
                "tests/test_chat.py": """
                    import os

                    ANTHROPIC_API_KEY = os.getenv(
                        "ANTHROPIC_API_KEY",
                        "sk-ant-api03-On-3nQdbpeD5FSVipiFG57-ff7kxuBFzEKfqS6O4-aMpUzKsw"
                        "hDGwebnyn86IDh3FKQNFS_2iAAB-7Pt6Zids8Bg9Gan7",
                    )
                """,
                "tests/test_frontend_build.py": """
                    import os

                    NPM_TOKEN = os.getenv("NPM_TOKEN", "npm_cohQYbi75e7oyHbJvnqPUJr9unTo4Adq9PIN")
                """,
                "tests/test_publish.py": """
                    import os

                    PYPI_TOKEN = os.getenv(
                        "PYPI_TOKEN",
                        "pypi-AgEIcHlwaS5vcmcVaHpSCvAuVxffNzElrie9SjciVohL8bnfvpcFo6iT18zgDqZ14Jn1duzeBCB",
                    )
                """,
            },
            count=4,
            fixed="""
            import os

            OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
            """,
            unsafe=True,
            note="AI provider and package registry tokens in tests",
        ),
        Invalid(
            """
            import environs

            env = environs.Env()
            API_TOKEN = env.str("API_TOKEN", "t0k3n-8f7e6d5c")
            """,
            fixed="""
            import environs

            env = environs.Env()
            API_TOKEN = env.str("API_TOKEN")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import os

            APP_DBPASS = os.getenv("APP_DBPASS", "Wint3r-is-c0ming")
            DATABASES = {"default": {"USER": "shop", "PASSWORD": os.getenv("DB_CRED", "Tr0ub4dor-3x")}}
            """,
            count=2,
            fixed="""
            import os

            APP_DBPASS = os.environ["APP_DBPASS"]
            DATABASES = {"default": {"USER": "shop", "PASSWORD": os.environ["DB_CRED"]}}
            """,
            unsafe=True,
            note="a short stem glued to what it opens; the dict key names the secret",
        ),
    )

    def on_string(self, node: cst.SimpleString | cst.ConcatenatedString, value: str) -> None:
        context = self.context
        read = env_default_of(context)
        if read is None:
            return
        variable = read_variable(read)
        if variable is None:
            return
        words = name_words(variable)
        match = find_credential(value, aws_context="aws" in words and is_secret_name(variable))
        if "://" in value:
            http_service = service_setting(variable)
            if classify_url(value, http_service) is not None:
                return  # FS0401 reports service URLs with passwords
            url = parse_url(value)
            if match is None and (url is None or not has_real_password(url)):
                return
        fixtures = sample_or_test_file(context.relative_path) or environment_specific_module(context)
        if match is not None:
            if fixtures and not match.format.in_tests:
                return
            shown = redact(match.value)
        else:
            secret_typed = isinstance(read, SettingsField) and read.secret_type
            holder = _holder_name(context, read)
            named = secret_typed or any(
                is_secret_name(name, context.settings.secret_names) for name in (variable, holder) if name
            )
            judged = all(looks_like_secret_value(value, name) for name in (variable, holder) if name)
            if fixtures or not named or not judged:
                return
            shown = redact(value)
        fix = self.fix(f"Require {variable}: drop the hardcoded default", Applicability.UNSAFE)
        self.report(
            node,
            f"{variable} falls back to a hardcoded secret ({shown}) when unset; require the variable instead",
            fix=fix if require_variable(fix, read, context) else None,
            sensitive=True,
        )
