"""FS0301 hardcoded-secret: a secret is hardcoded in the source."""

from __future__ import annotations

import re
from collections import Counter

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
from factorscan.checks.config._secret_names import secret_variable
from factorscan.checks.config._shared import CREDENTIAL_SHAPES, FORMAT_TRIGGERS, TEST_FILES_NOTE
from factorscan.core.redact import redact
from factorscan.core.settings import Settings
from factorscan.python.codemods import env_lookup, env_variable_name
from factorscan.python.credentials import CredentialMatch, find_credential
from factorscan.python.env_reads import env_default_of
from factorscan.python.nodes import iter_children
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
    KEYWORD,
    OTHER,
    POSITIONAL,
    SUBSCRIPT,
    Binding,
    StringLiterals,
    binding,
    environment_specific_module,
    sample_or_test_file,
)
from factorscan.python.traversal import FileContext

# A secret-like name counts only directly followed by `=`, `==` or `:` and a string
# literal (`PASSWORD = "`, `password="`, `"api_key": "`, `secret: SecretStr = "`):
# the only shapes the rule reports by name, so files that merely mention
# tokens (tokenizers, `test_pass_stmt`) are not parsed for it. Checked at each
# stem with an anchored match: one unanchored regex over the file costs more
# than parsing it.
_SHAPE_STEMS = (
    b"pass",
    b"pwd",
    b"secret",
    b"token",
    b"credential",
    b"creds",
    b"authorization",
    b"api_key",
    b"apikey",
    b"api-key",
    b"access_key",
    b"accesskey",
    b"private_key",
    b"privatekey",
    b"signing_key",
    b"encryption_key",
    b"auth_key",
    b"client_key",
    b"app_key",
)


_AFTER_STEM = re.compile(
    rb"[\w-]*['\"]?[ \t]*(?::[ \t]*[\w\[\]., |]{1,60}?)?(?:==|!=|[:=])[ \t]*[rbuf]{0,2}['\"]"
)


# Where a well-known API takes a password positionally: qualified name ->
# (argument index, variable name).
_POSITIONAL_CREDENTIALS = {
    "requests.auth.HTTPBasicAuth": (1, "HTTP_PASSWORD"),
    "requests.auth.HTTPDigestAuth": (1, "HTTP_PASSWORD"),
    "requests.auth.HTTPProxyAuth": (1, "PROXY_PASSWORD"),
    "requests.HTTPBasicAuth": (1, "HTTP_PASSWORD"),
    "httpx.BasicAuth": (1, "HTTP_PASSWORD"),
    "httpx.DigestAuth": (1, "HTTP_PASSWORD"),
    "aiohttp.BasicAuth": (1, "HTTP_PASSWORD"),
    "aiohttp.helpers.BasicAuth": (1, "HTTP_PASSWORD"),
    "pika.PlainCredentials": (1, "RABBITMQ_PASSWORD"),
    "pika.credentials.PlainCredentials": (1, "RABBITMQ_PASSWORD"),
    "jwt.encode": (1, "JWT_SECRET_KEY"),
    "jwt.decode": (1, "JWT_SECRET_KEY"),
    "itsdangerous.URLSafeTimedSerializer": (0, "SECRET_KEY"),
    "itsdangerous.URLSafeSerializer": (0, "SECRET_KEY"),
    "itsdangerous.TimedSerializer": (0, "SECRET_KEY"),
    "itsdangerous.Serializer": (0, "SECRET_KEY"),
    "itsdangerous.TimestampSigner": (0, "SECRET_KEY"),
    "itsdangerous.Signer": (0, "SECRET_KEY"),
}


# Keywords that take a (user, password) pair.
_AUTH_PAIR_KEYWORDS = frozenset({"auth", "basic_auth", "http_auth", "proxy_auth"})


def _strong(value: str) -> bool:
    """Long enough and mixed enough to be a credential rather than a word."""
    return len(value) >= 8 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


# A field name: letters and underscores, camelCase allowed, no digits (`api_url`, `jsonKeyFile`).
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")


def _dict_keys(node: cst.Dict, context: FileContext) -> list[str]:
    """Every string key of a dict display and of the dict displays inside it."""
    keys: list[str] = []
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.DictElement):
            key = context.string_value(current.key)
            if key is not None:
                keys.append(key)
        if isinstance(current, (cst.Dict, cst.DictElement, cst.List, cst.Tuple, cst.Element)):
            pending.extend(iter_children(current))
    return keys


def _fixture_file(context: FileContext) -> bool:
    """Tests, samples and settings for development, tests or CI: their secrets are fixtures."""
    return sample_or_test_file(context.relative_path) or environment_specific_module(context)


class HardcodedSecret(StringLiterals, SourceRule):
    """
    ## What it does
    Finds secrets written into the code: a real-looking string bound to a
    secret-like name (a variable, attribute, `app.config["SECRET_KEY"]`,
    a dict key such as Django's `DATABASES` `PASSWORD`, a keyword argument
    such as `password=` or `api_key=`, a default argument, a comparison),
    the password of `HTTPBasicAuth(user, pw)`, `auth=(user, pw)` and
    `pika.PlainCredentials(user, pw)`, and any string holding a known
    credential format whatever its name: AWS access keys, GitHub, GitLab,
    Slack, Stripe live, Google, SendGrid, Twilio, Sentry, OpenAI, Anthropic,
    npm and PyPI tokens, PEM private keys, JWTs and Django's
    `django-insecure-` keys.

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
    `PWD`) gets an `APP_` prefix. The secret
    disappears from the code; the app then needs the variable set. Rotate the
    secret: it stays in the repository's history.
    """

    code = "FS0301"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    summary = "A secret is hardcoded in the source"
    fix_availability = FixAvailability.SOMETIMES
    test_files = TEST_FILES_NOTE
    # Credential formats and shapes, or a secret-like name bound to a string literal.
    triggers = (*FORMAT_TRIGGERS, *CREDENTIAL_SHAPES, StemTrigger(_SHAPE_STEMS, _AFTER_STEM))
    sample_triggers = FORMAT_TRIGGERS  # tests and examples: credential formats only

    @classmethod
    def settings_triggers(cls, settings: Settings) -> tuple[Trigger, ...]:
        return secret_name_triggers(settings.secret_names)

    VALID = (
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
            """,
            note="id-like names and values that are not secrets",
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


            def connect(host, api_key=os.environ["API_KEY"]):
                return host, api_key
            """,
            unsafe=True,
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
        self._around: dict[tuple[int, str], Counter[str | None]] = {}

    def on_string(self, node: cst.SimpleString | cst.ConcatenatedString, value: str) -> None:
        context = self.context
        if len(value) < 3 or env_default_of(context) is not None:
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
        fallback = self._credential_slot(target)
        if fallback is not None:
            if looks_like_secret_value(value, "password") and not self._stand_in(node, value, target):
                message = f"Hardcoded credential ({redact(value)})"
                self._report(node, value, target, message, fallback, named_by_target=False)
            return
        if target.kind in (OTHER, POSITIONAL) or not target.name:
            return
        if not is_secret_name(target.name, context.settings.secret_names):
            return
        if target.kind == COMPARE and not _strong(value):
            return  # `token == "not"`: parsers compare tokens with words
        if looks_like_secret_value(value, target.name) and not self._stand_in(node, value, target):
            message = f"Hardcoded secret in {target.name} ({redact(value)})"
            self._report(node, value, target, message, env_name(target.name))

    def _stand_in(self, node: cst.BaseExpression, value: str, target: Binding) -> bool:
        """A user name in the password's place, or a field name: asked last, as both look
        around the literal; what they read of a container is kept per container node."""
        return self._echoes_user(value, target) or self._field_name(value, target)

    def _strings_of(self, container: cst.CSTNode, kind: str) -> Counter[str | None]:
        """The string values (`kind` "values") or keys ("keys") a call or dict display holds."""
        key = (id(container), kind)
        found = self._around.get(key)
        if found is None:
            if kind == "keys":
                assert isinstance(container, cst.Dict)
                found = Counter[str | None](_dict_keys(container, self.context))
            elif isinstance(container, cst.Call):
                found = Counter(self.context.string_value(arg.value) for arg in container.args)
            else:
                assert isinstance(container, cst.Dict)
                elements = [e for e in container.elements if isinstance(e, cst.DictElement)]
                found = Counter(self.context.string_value(e.value) for e in elements)
            self._around[key] = found
        return found

    def _echoes_user(self, value: str, target: Binding) -> bool:
        """`create_user("admin", password="admin")`, `{"USER": "shop", "PASSWORD": "shop"}`: a
        password equal to another value of its call or dict is the user name, as seed data and
        fixture users have it."""
        if target.call is not None:
            container: cst.CSTNode = target.call
        elif target.kind == DICT and isinstance(self.context.stack[-3], cst.Dict):
            container = self.context.stack[-3]
        else:
            return False
        return self._strings_of(container, "values")[value] > 1  # the password itself is one

    def _field_name(self, value: str, target: Binding) -> bool:
        """`"secret": ["password", "api_url"]` in a config schema: names of the fields that hold
        secrets. A list of bare names, or a name that is a key of the same dict display."""
        if not _FIELD_NAME.match(value):
            return False
        stack = self.context.stack
        if target.in_sequence and isinstance(stack[-3], (cst.List, cst.Tuple, cst.Set)):
            return all(
                _FIELD_NAME.match(self.context.string_value(element.value) or "")
                for element in stack[-3].elements
            )
        holder = next((a for a in reversed(stack[:-1]) if isinstance(a, cst.Dict)), None)
        return holder is not None and value in self._strings_of(holder, "keys")

    def _credential_slot(self, target: Binding) -> str | None:
        """The variable for a password passed where an API takes one positionally."""
        if target.kind == POSITIONAL and target.call is not None and target.position is not None:
            qualified = self.context.qualified_name(target.call.func)
            known = _POSITIONAL_CREDENTIALS.get(qualified or "")
            if known is not None and known[0] == target.position and not target.in_sequence:
                return known[1]
            func = target.call.func
            if (
                qualified is None
                and isinstance(func, cst.Attribute)
                and func.attr.value == "login"
                and target.position == 1
                and len(target.call.args) == 2
            ):
                return "LOGIN_PASSWORD"
        if target.kind == KEYWORD and target.in_sequence and target.name in _AUTH_PAIR_KEYWORDS:
            sequence = self.context.stack[-3]
            if (
                isinstance(sequence, cst.Tuple)
                and len(sequence.elements) == 2
                and sequence.elements[1].value is self.context.stack[-1]
            ):
                return "HTTP_PASSWORD"
        return None

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
            fix.replace(node, env_lookup(fix, variable))
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
        """A credential inside an f-string: reported, never rewritten."""
        match = find_credential(node.value)
        if match is not None and (not _fixture_file(self.context) or match.format.in_tests):
            self.report(node, f"Hardcoded {match.format.label} ({redact(match.value)})", sensitive=True)
