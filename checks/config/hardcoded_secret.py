"""FS0301 hardcoded-secret: a secret is hardcoded in the source."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.checks.base import (
    Applicability,
    FixAvailability,
    Invalid,
    Severity,
    SourceRule,
    StemTrigger,
    Trigger,
    Valid,
)
from factorscan.checks.config._secret_context import AFTER_STEM, SHAPE_STEMS, StandIns, credential_slot
from factorscan.checks.config._secret_names import secret_variable
from factorscan.checks.config._shared import CREDENTIAL_SHAPES, FORMAT_TRIGGERS, TEST_FILES_NOTE
from factorscan.core.redact import redact
from factorscan.core.settings import Settings
from factorscan.python.codemods import env_variable_name
from factorscan.python.credentials import CredentialMatch, find_credential
from factorscan.python.definition_time import required_lookup
from factorscan.python.env_reads import env_default_of
from factorscan.python.secrets import (
    has_real_password,
    is_placeholder,
    is_secret_name,
    looks_like_secret_value,
    name_words,
    parse_url,
    secret_name_triggers,
)
from factorscan.python.services import (
    classify_url,
    env_name,
    meaningful,
    service_setting,
)
from factorscan.python.targets import (
    COMPARE,
    DICT,
    OTHER,
    POSITIONAL,
    SUBSCRIPT,
    Binding,
    StringLiterals,
    binding,
    environment_specific_module,
    piece_of_written_text,
    sample_or_test_file,
    written_text,
)
from factorscan.python.traversal import FileContext

# One lower-case word: what a mapping keyed by field names holds (a CSS class, a widget type).
_PLAIN_WORD = re.compile(r"[a-z]+")


def _strong(value: str) -> bool:
    """Long enough and mixed enough to be a credential rather than a word."""
    return len(value) >= 8 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _fixture_file(context: FileContext) -> bool:
    """Tests, samples and settings for development, tests or CI: their secrets are fixtures."""
    return sample_or_test_file(context.relative_path) or environment_specific_module(context)


class HardcodedSecret(StringLiterals, SourceRule):
    """
    ## What it does
    Finds secrets written into the code: a real-looking string bound to a
    secret-like name (a variable, attribute, `app.config["SECRET_KEY"]`,
    a dict key such as Django's `DATABASES` `PASSWORD`, a keyword argument
    such as `password=` or `api_key=`, a default argument, a comparison,
    a dataclass or attrs `field(default=...)`, one target of tuple unpacking
    such as `USER, PASSWORD = "u", "..."`), the password of `HTTPBasicAuth(user, pw)`, `auth=(user, pw)` and
    `pika.PlainCredentials(user, pw)`, and any string holding a known
    credential format whatever its name: AWS access keys, GitHub, GitLab,
    Slack, Stripe live, Google, SendGrid, Twilio, Sentry, OpenAI, Anthropic,
    npm and PyPI tokens, PEM private keys, JWTs and Django's
    `django-insecure-` keys. A string counts whether it is plain, an
    f-string without placeholders (`f"..."`) or pieces joined by `+`.

    It stays silent on placeholders (`""`, `changeme`, `xxx`, `<token>`,
    `${VAR}`, `{{ var }}`, `%(pw)s`, `example`, `dummy`, `test`, `secret`,
    values under three characters, a credential prefix before a word such
    as `xoxb-valid`, runs and alphabets such as `123` or
    `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`, made-up passwords holding the word
    `password`, and a password equal to the user name beside it, as seed
    users and fixtures have: `create_user("admin", password="admin")`), on
    names that only point to a secret or describe it (`token_url`,
    `password_field`, `NextToken`, `SECRET_KEY_ENV_VAR`,
    `email_password_status`, `TOKEN_ALPHABET`, `API_TOKEN_RATE`,
    `KEY_HASHES`), on field-name lists of config schemas (`"secret":
    ["password", "api_url"]`, or a value that is a key of the same dict),
    on values that are words, paths, identifiers, hashes,
    rates (`10/min`) or prose (`password_hint = "Use at least 12
    characters"`), and on indirections (`os.environ[...]`,
    `request.headers.get(...)`, function calls). A
    password inside a backing-service URL is reported by FS0401, a secret
    default of an environment read by FS0302.

    ## Why is this bad?
    Factor III: config, and above all credentials, lives in the environment,
    never in code. A secret in the repository leaks to everyone who can read
    it, survives in its history after removal, and is the same in every
    deploy. The litmus test: could the code be open-sourced right now
    without compromising any credentials?

    ## Example
    ```python
    SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    stripe.api_key = "sk_live_..."
    ```

    Use instead:
    ```python
    import os

    SECRET_KEY = os.environ["SECRET_KEY"]
    ```

    ## Fix
    Unsafe (`--unsafe-fixes`): the literal becomes `os.environ["NAME"]`, with
    NAME taken from the target (`SECRET_KEY`, `DATABASE_PASSWORD` for Django's
    `DATABASES`, `STRIPE_API_KEY` for `stripe.api_key`) or from the credential
    format, and never reused for another value in the file. A setting in a
    class named after a service is prefixed with it (`REDIS_PASSWORD` in
    `RedisConfig`), while classes for environments (`ProductionConfig`) share
    the plain name; the same secret in two places reads one variable; a key
    that is not a valid shell name is made one (`"2fa secret"` in `CONFIG`
    reads `CONFIG_2FA_SECRET`); and a name the platform sets (`HOSTNAME`,
    `PWD`) gets an `APP_` prefix. The secret disappears from the code; the
    app then needs the variable set (unset, it stops with `KeyError: 'NAME'`
    where the value is read), and the run lists the change ("Read NAME from
    the environment"). Rotate the secret: it stays in the repository's
    history. A dataclass field's default becomes
    `field(default_factory=lambda: os.environ["NAME"])`, read when an
    instance is made; a parameter default, or a field of another kind of
    model (pydantic, attrs), gets no fix, since the lookup would run at
    import and fail there for every importer.
    """

    code = "FS0301"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    summary = "A secret is hardcoded in the source"
    fix_availability = FixAvailability.SOMETIMES
    test_files = TEST_FILES_NOTE
    # Credential formats and shapes, or a secret-like name bound to a string literal.
    triggers = (*FORMAT_TRIGGERS, *CREDENTIAL_SHAPES, StemTrigger(SHAPE_STEMS, AFTER_STEM))
    sample_triggers = FORMAT_TRIGGERS  # tests and examples: credential formats only

    @classmethod
    def settings_triggers(cls, settings: Settings) -> tuple[Trigger, ...]:
        return secret_name_triggers(settings.secret_names)

    VALID = (
        Valid(
            """
            import os
            from dataclasses import dataclass, field

            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = "changeme"
            USER, PASSWORD = "admin", "<password>"
            API_TOKEN = f"{os.environ['TOKEN_PREFIX']}-9f8e7d6c5b4a3928"
            API_KEY = "<your" + "-api-key>"
            SECRET_KEY = os.environ["PREFIX"] + "9f8e7d6c5b4a"


            @dataclass
            class Client:
                token: str = field(default="")
            """,
            note="placeholders in a subscript, a tuple, split or f-strings, a field default",
        ),
        Valid(
            """
            import os

            SECRET_KEY = os.environ["SECRET_KEY"]
            API_TOKEN = os.environ.get("API_TOKEN")
            DB_PASSWORD = get_secret("db-password")
            """,
            note="indirections",
        ),
        Valid(
            """
            password_field = "password"
            TOKEN_URL = "https://oauth2.example.org/token"
            SECRET_KEY_ENV_VAR = "SECRET_KEY"
            password_hint = "Use at least 12 characters"
            PASSWORD_RESET_TIMEOUT = 3600
            COMPASS, SPWD = "Nw7Rt4-Yp2Q", "Hy5Tb2-Rk9L"
            """,
            note="id-like names, words that merely end in pass or pwd, and values that are not secrets",
        ),
        Valid(
            """
            def list_objects(client, NextToken=""):
                page_token = "CAESBggBEAEYAQ"
                return client.list(NextToken=NextToken, page_token=page_token)
            """,
            note="pagination tokens",
        ),
        Valid(
            """
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": ""}}
            API_KEY = "changeme"
            SECRET_KEY = "<your-secret-key>"
            TOKEN = "${API_TOKEN}"
            PASSWORD = "%(password)s"
            CLIENT_SECRET = "xxx"
            aws_secret_access_key = "dummy"
            webhook_secret = "secret"
            SENTRY_DSN = "https://public@o1.ingest.sentry.io/1"
            """,
            note="placeholders",
        ),
        Valid(
            """
            import requests

            def fetch(request):
                token = request.headers.get("X-Api-Token")
                auth = requests.auth.HTTPBasicAuth(request.user, token)
                return requests.get("https://api.example.org", auth=auth)
            """,
        ),
        Valid(
            """
            def test_login(client):
                response = client.post("/login", data={"username": "ann", "password": "correct-horse"})
                assert response.status_code == 302
            """,
            filename="tests/test_auth.py",
            note="test fixtures (not credential formats)",
        ),
        Valid(
            """
            import os

            SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-key")
            """,
            note="an environment default is FS0302's",
        ),
        Valid(
            """
            DATABASE_URL = "postgres://shop:s3cr3t-pass@db:5432/shop"
            """,
            note="a password in a service URL is FS0401's",
        ),
        Valid(
            """
            SECRET_KEY = "61fxc$k%9nj!be-_up9%xzm(z)9l7$h33b1!@bf9581=c-03%p"
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "netbox"}}
            """,
            filename="settings/ci.py",
            files={
                "settings/local_dev.py": 'SECRET_KEY = "shop-local-development-key-1234567890!"\n',
                "shop/settings/unittests.py": 'SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n',
                "scripts/smoketest_configuration.py": 'SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n',
                "shop/qa.py": (
                    "# This file serves as a base configuration for testing purposes\n"
                    "# only. It is not intended for production use.\n\n"
                    'SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n'
                ),
            },
            note="settings for CI, local development, unit and smoke tests, by name or by header: fixtures",
        ),
        Valid(
            """
            def profile(request, ctx):
                ctx["email_password_status"] = "success"


            SECRET_KEY_CHARSET = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"
            API_TOKEN_RATE = "10/min"
            _DEFAULT_JWT_KEY_HASHES = {"993583b530ed307419c1fd54eef8c7010ac29fa9ee6ddfa3ed0e5204e2b5e99a"}
            """,
            note="names about a secret: a status, a character set, a rate limit, hashes kept to refuse keys",
        ),
        Valid(
            """
            ACCOUNT_RATE_LIMITS = {
                "change_password": "1/m/user",
                "reset_password": "1/m/ip,1/m/key",
            }
            """,
            note="django-allauth's rate limits, per key and several at once",
        ),
        Valid(
            """
            css_classes = {}
            css_classes["password"] = "input"
            WIDGETS = {"password": "hidden"}
            """,
            note="one lower-case word under a field's name is a label (a CSS class, a widget type)",
        ),
        Valid(
            """
            from django.contrib.auth import get_user_model
            from slack_bolt import App

            app = App(token="xoxb-valid", token_verification_enabled=False)
            configuration = {"api_bot_token": "123"}
            SECRET_KEY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


            def seed():
                get_user_model().objects.create_user("admin", password="admin")
                get_user_model().objects.create_user("user1", password="user1password")
            """,
            note="stand-ins: a credential prefix before a word, a run of characters, seed users' passwords",
        ),
        Valid(
            """
            class Webhook:
                configuration_schema = {
                    "type": "object",
                    "properties": {"url": {"type": "string"}, "password": {"type": "string"}},
                    "secret": "url",
                }
                masked = {"secret": ["password", "api_url", "jsonKeyFile"]}
            """,
            note="field-name lists in config schemas: names of secret fields, not secrets",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            class RedisConfig:
                PASSWORD = "Tr0ub4dor-3x-redis-42"

            class MailSettings:
                PASSWORD = "Tr0ub4dor-3x-mail-42"
            """,
            fixed="""
            import os

            class RedisConfig:
                PASSWORD = os.environ["REDIS_PASSWORD"]

            class MailSettings:
                PASSWORD = os.environ["MAIL_PASSWORD"]
            """,
            unsafe=True,
            count=2,
            note="settings of classes named after services read variables named after them",
        ),
        Invalid(
            """
            class ProductionConfig:
                SECRET_KEY = "Tr0ub4dor-3x-prod-key-42"

            class StagingConfig:
                SECRET_KEY = "Tr0ub4dor-3x-staging-key-42"
            """,
            fixed="""
            import os

            class ProductionConfig:
                SECRET_KEY = os.environ["SECRET_KEY"]

            class StagingConfig:
                SECRET_KEY = os.environ["SECRET_KEY"]
            """,
            unsafe=True,
            count=2,
            note="one setting in classes for environments reads one variable",
        ),
        Invalid(
            """
            CONFIG = {"2fa secret": "Tr0ub4dor-3x-totp-42"}
            """,
            fixed="""
            import os

            CONFIG = {"2fa secret": os.environ["CONFIG_2FA_SECRET"]}
            """,
            unsafe=True,
            note="a valid shell name, qualified by the dict's name",
        ),
        Invalid(
            """
            MAILPASS, REDISPWD = "Wint3r-is-c0ming", "r3dis-Pwd-77"
            """,
            fixed="""
            import os

            MAILPASS, REDISPWD = os.environ["MAILPASS"], os.environ["REDISPWD"]
            """,
            unsafe=True,
            count=2,
            note="a short stem glued to what it opens",
        ),
        Invalid(
            """
            SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
            """,
            fixed="""
            import os

            SECRET_KEY = os.environ["SECRET_KEY"]
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.secret_key = "f3b1c9a07e2d4c58"
            app.config["MAIL_PASSWORD"] = "Wint3r-is-c0ming"
            app.config.update(JWT_SECRET_KEY="k8s-a1b2c3d4e5f6")
            """,
            count=3,
            line=4,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.secret_key = os.environ["SECRET_KEY"]
            app.config["MAIL_PASSWORD"] = os.environ["MAIL_PASSWORD"]
            app.config.update(JWT_SECRET_KEY=os.environ["JWT_SECRET_KEY"])
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import os

            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": "shop",
                    "USER": os.environ.get("DATABASE_USER", "shop"),
                    "PASSWORD": "Tr0ub4dor&3",
                }
            }
            """,
            filename="shop/settings.py",
            line=8,
            fixed="""
            import os

            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": "shop",
                    "USER": os.environ.get("DATABASE_USER", "shop"),
                    "PASSWORD": os.environ["DATABASE_PASSWORD"],
                }
            }
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import psycopg2
            import requests
            from requests.auth import HTTPBasicAuth

            conn = psycopg2.connect(dbname="shop", password="pg-Passw0rd-42")
            auth = HTTPBasicAuth("deploy", "d3ploy-Key-99")
            requests.get("https://ci.internal/api", auth=("bot", "b0t-Secret-7"))
            """,
            count=3,
            line=5,
            fixed="""
            import os

            import psycopg2
            import requests
            from requests.auth import HTTPBasicAuth

            conn = psycopg2.connect(dbname="shop", password=os.environ["DATABASE_PASSWORD"])
            auth = HTTPBasicAuth("deploy", os.environ["HTTP_PASSWORD"])
            requests.get("https://ci.internal/api", auth=("bot", os.environ["HTTP_PASSWORD_2"]))
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import pika

            credentials = pika.PlainCredentials("orders", "rabbit-Pa55word")
            """,
            fixed="""
            import os

            import pika

            credentials = pika.PlainCredentials("orders", os.environ["RABBITMQ_PASSWORD"])
            """,
            unsafe=True,
        ),
        Invalid(
            """
            class Config:
                SECRET_KEY = "a8f5f167f44f4964e6c998dee827110c"


            def connect(host, api_key="4f3c2a1b0e9d8c7b"):
                return host, api_key
            """,
            count=2,
            line=2,
            fixed="""
            import os

            class Config:
                SECRET_KEY = os.environ["SECRET_KEY"]


            def connect(host, api_key="4f3c2a1b0e9d8c7b"):
                return host, api_key
            """,
            unsafe=True,
            note="a parameter default is evaluated at import: reported without a fix",
        ),
        Invalid(
            """
            from dataclasses import dataclass, field

            import requests


            @dataclass
            class Client:
                host: str
                api_key: str = "4f3c2a1b0e9d8c7b"
                token: str = field(default="9f8e7d6c5b4a3928", repr=False)


            def fetch():
                client = Client(host="https://api.example.com")
                return requests.get(client.host, auth=(client.api_key, client.token))
            """,
            count=2,
            line=9,
            fixed="""
            import os
            from dataclasses import dataclass, field

            import requests


            @dataclass
            class Client:
                host: str
                api_key: str = field(default_factory=lambda: os.environ["CLIENT_API_KEY"])
                token: str = field(default_factory=lambda: os.environ["CLIENT_TOKEN"], repr=False)


            def fetch():
                client = Client(host="https://api.example.com")
                return requests.get(client.host, auth=(client.api_key, client.token))
            """,
            unsafe=True,
            note="dataclass field defaults are read when an instance is made, not at import",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = "f3b1c9a07e2d4c58"
            """,
            line=4,
            fixed="""
            import os

            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
            """,
            unsafe=True,
            note="a config key alone in a file",
        ),
        Invalid(
            """
            USER, PASSWORD = "shop", "s3cr3t-Pass-42"
            API_TOKEN, REGION = "tok-9f8e7d6c5b4a", "eu-west-1"
            SECRET_KEY = f"9f8e7d6c5b4a39281706f5e4d3c2b1a0"
            API_KEY = "4f3c2a1b" + "0e9d8c7b"
            """,
            count=4,
            fixed="""
            import os

            USER, PASSWORD = "shop", os.environ["PASSWORD"]
            API_TOKEN, REGION = os.environ["API_TOKEN"], "eu-west-1"
            SECRET_KEY = os.environ["SECRET_KEY"]
            API_KEY = os.environ["API_KEY"]
            """,
            unsafe=True,
            note="tuple unpacking, an f-string without placeholders, a literal split by +",
        ),
        Invalid(
            """
            from pydantic import BaseModel


            class Client(BaseModel):
                api_key: str = "4f3c2a1b0e9d8c7b"
            """,
            line=5,
            note="a field of another kind of model: reported without a fix",
        ),
        Invalid(
            """
            import boto3

            s3 = boto3.client(
                "s3",
                aws_access_key_id="AKIAZ3MHQ7LN4XPWRT2B",
                aws_secret_access_key="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",
            )
            """,
            count=2,
            line=5,
            fixed="""
            import os

            import boto3

            s3 = boto3.client(
                "s3",
                aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
            )
            """,
            unsafe=True,
            note="AWS keys by format, even under an id-like name",
        ),
        Invalid(
            """
            import stripe

            stripe.api_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
            GITHUB = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
            headers = {"Authorization": "Bearer xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"}
            """,
            count=3,
            fixed="""
            import os

            import stripe

            stripe.api_key = os.environ["STRIPE_API_KEY"]
            GITHUB = os.environ["GITHUB"]
            headers = {"Authorization": os.environ["AUTHORIZATION"]}
            """,
            unsafe=True,
            note="credential formats whatever the name",
        ),
        Invalid(
            """
            SECRET_KEY = 'django-insecure-k3y!@#abcdefghijklmnop1234567890'
            """,
            filename="mysite/settings.py",
            fixed="""
            import os

            SECRET_KEY = os.environ['SECRET_KEY']
            """,
            unsafe=True,
        ),
        Invalid(
            """
            PRIVATE_KEY = \"\"\"-----BEGIN RSA PRIVATE KEY-----
            MIIEpAIBAAKCAQEA75aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghij
            -----END RSA PRIVATE KEY-----\"\"\"
            """,
            fixed="""
            import os

            PRIVATE_KEY = os.environ["PRIVATE_KEY"]
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.secret_key = b'_5#y2L"F4Q8z\\n\\xec]/'
            """,
            line=4,
            note="the Flask quickstart's bytes key: reported without a fix",
        ),
        Invalid(
            """
            AWS_KEY = "AKIAZ3MHQ7LN4XPWRT2B"
            """,
            filename="tests/test_upload.py",
            note="a live provider key counts in tests too",
            fixed="""
            import os

            AWS_KEY = os.environ["AWS_KEY"]
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import requests

            requests.get("https://deploy:token-8f7e6d5c@git.internal.net/repo.git")
            """,
            note="credentials in a URL that is not a backing service",
            fixed="""
            import os

            import requests

            requests.get(os.environ["INTERNAL_URL"])
            """,
            unsafe=True,
        ),
        Invalid(
            """
            AWS_ACCESS_KEY_ID = "AKIAZ3MHQ7LN4XPWRT2B"
            """,
            filename="settings/ci.py",
            note="a provider key counts in test and CI settings too",
            fixed="""
            import os

            AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
            """,
            unsafe=True,
        ),
    )

    def __init__(self) -> None:
        self._stand_ins = StandIns()

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._written_text(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self._written_text(node)

    def _written_text(self, node: cst.FormattedString | cst.BinaryOperation) -> None:
        """`f"abc"` and `"abc" + "def"` are literals too: judged whole, once."""
        value = written_text(node)
        if value is not None and not piece_of_written_text(self.context):
            self.on_string(node, value)

    def on_string(self, node: cst.BaseExpression, value: str) -> None:
        context = self.context
        if len(value) < 3 or env_default_of(context) is not None:
            return
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and piece_of_written_text(context):
            return
        target = binding(context)
        testing = _fixture_file(context)
        aws_named = bool(target.name) and "aws" in name_words(target.name or "")
        match = find_credential(value, aws_context=aws_named and is_secret_name(target.name or ""))
        if "://" in value:
            self._url(node, value, target, match, testing)
            return
        if match is not None:
            if not testing or match.format.in_tests:
                self._report_format(node, match, target)
            return
        if testing or target.docstring:
            return
        fallback = credential_slot(self.context, target)
        if fallback is not None:
            if looks_like_secret_value(value, "password") and not self._stand_ins.holds(
                self.context, value, target
            ):
                message = f"Hardcoded credential ({redact(value)})"
                self._report(node, value, target, message, fallback, named_by_target=False)
            return
        if target.kind in (OTHER, POSITIONAL) or not target.name:
            return
        if not is_secret_name(target.name, context.settings.secret_names):
            return
        if target.kind == COMPARE and not _strong(value):
            return  # `token == "not"`: parsers compare tokens with words
        if target.kind in (SUBSCRIPT, DICT) and _PLAIN_WORD.fullmatch(value):
            return  # `css_classes["password"] = "input"`: a label stored under a field's name
        if looks_like_secret_value(value, target.name) and not self._stand_ins.holds(
            self.context, value, target
        ):
            message = f"Hardcoded secret in {target.name} ({redact(value)})"
            self._report(node, value, target, message, env_name(target.name))

    def _url(
        self,
        node: cst.BaseExpression,
        value: str,
        target: Binding,
        match: CredentialMatch | None,
        testing: bool,
    ) -> None:
        http_service = service_setting(target.name) if target.name else None
        if classify_url(value, http_service) is not None:
            return  # a backing-service URL: FS0401
        if match is not None:
            if not testing or match.format.in_tests:
                self._report_format(node, match, target)
            return
        url = parse_url(value)
        if url is None or testing or not has_real_password(url):
            return
        host = url.host
        labels = [label for label in host.split(".") if label]
        fallback = (
            f"{env_name(labels[-2] if len(labels) > 1 else labels[0])}_URL" if labels else "SERVICE_URL"
        )
        if target.name and meaningful(target.name):
            fallback = env_name(target.name)
        message = f"URL for {host} embeds a password ({redact(url.password or '')})"
        self._report(node, value, target, message, fallback, named_by_target=False, secret_text=url.password)

    def _report_format(self, node: cst.BaseExpression, match: CredentialMatch, target: Binding) -> None:
        message = f"Hardcoded {match.format.label} ({redact(match.value)})"
        name_is_secret = bool(target.name) and is_secret_name(target.name or "")
        self._report(
            node, match.value, target, message, match.format.env_name, named_by_target=name_is_secret
        )

    def _report(
        self,
        node: cst.BaseExpression,
        value: str,
        target: Binding,
        message: str,
        fallback: str,
        *,
        named_by_target: bool = True,
        secret_text: str | None = None,
    ) -> None:
        fix = None
        movable = not target.docstring and not (
            target.kind == SUBSCRIPT and (target.owner or "").endswith("environ")
        )
        if movable:
            if named_by_target and target.name:
                variable = secret_variable(self.context, target, value, fallback)
            elif target.setting and target.name and not target.in_sequence:
                variable = env_variable_name(
                    self.context, env_name(target.name), value, setting=True, distinctive=True
                )
            else:
                variable = env_variable_name(self.context, fallback, value, distinctive=True)
            fix = self.fix(f"Read {variable} from the environment", Applicability.UNSAFE)
            if not required_lookup(fix, node, variable):
                fix = None  # a default evaluated at import: the lookup would fail there
            message += f"; read {variable} from the environment"
        self.report(node, message, fix=fix, sensitive=True, secret_text=secret_text)

    def on_bytes(self, node: cst.SimpleString) -> None:
        """Bytes literals (`app.secret_key = b"..."`): reported without a fix, which would change the type."""
        try:
            raw = node.evaluated_value
        except Exception:  # a malformed escape: nothing to judge
            return
        if not isinstance(raw, bytes):
            return
        value = raw.decode("latin-1")
        testing = _fixture_file(self.context)
        match = find_credential(value)
        if match is not None:
            if not testing or match.format.in_tests:
                self.report(node, f"Hardcoded {match.format.label} ({redact(match.value)})", sensitive=True)
            return
        target = binding(self.context)
        if testing or not target.name or target.kind in (OTHER, POSITIONAL, COMPARE):
            return
        named = is_secret_name(target.name, self.context.settings.secret_names)
        # Random key bytes may hold whitespace: judged by variety, not as text.
        if named and len(raw) >= 8 and len(set(raw)) >= 6 and not is_placeholder(value):
            self.report(node, f"Hardcoded secret in {target.name} ({redact(value)})", sensitive=True)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        """A credential inside an f-string with placeholders: reported, never rewritten."""
        parent = self.context.parent
        if isinstance(parent, cst.FormattedString) and written_text(parent) is not None:
            return  # no placeholders: `_written_text` judged the whole f-string
        match = find_credential(node.value)
        if match is not None and (not _fixture_file(self.context) or match.format.in_tests):
            self.report(node, f"Hardcoded {match.format.label} ({redact(match.value)})", sensitive=True)
