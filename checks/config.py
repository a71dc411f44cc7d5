"""Factor III, Config: store config in the environment.

FS0301 hardcoded-secret, FS0302 secret-default, FS0303 hardcoded-debug.
(The Dockerfile rules FS0304/FS0305 belong here too; they reuse
`factorscan.python.secrets`.)

One finding per value: a password inside a backing-service URL is FS0401's
(error severity), a secret that is the default of an environment read is
FS0302's, every other secret literal is FS0301's.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from factorscan.checks.base import (
    Applicability,
    FileRule,
    FixAvailability,
    Guarded,
    Invalid,
    ProjectRule,
    Severity,
    SourceRule,
    StemTrigger,
    Trigger,
    Valid,
)
from factorscan.core.discovery import is_sample_path
from factorscan.core.findings import Finding
from factorscan.core.redact import redact
from factorscan.core.settings import Settings
from factorscan.core.source import SourceFile
from factorscan.deploy.dockerfile import (
    Assignment,
    Copy,
    Dockerfile,
    Instruction,
    Stage,
    expand,
    parse_shared,
)
from factorscan.deploy.dockerignore import BuildContext, clean, source_pattern
from factorscan.python.codemods import env_flag, env_lookup, env_variable_name, keyword
from factorscan.python.env_reads import (
    EnvLookup,
    SettingsField,
    env_default_of,
    is_settings_class,
    require_variable,
)
from factorscan.python.secrets import (
    CredentialMatch,
    find_credential,
    find_credentials,
    has_real_password,
    is_placeholder,
    is_secret_name,
    looks_like_secret_value,
    name_words,
    needs_head,
    parse_url,
    secret_file_kind,
    secret_name_triggers,
)
from factorscan.python.services import (
    CLIENTS,
    SERVICES,
    classify_url,
    django_variable,
    env_name,
    meaningful,
    service_setting,
)
from factorscan.python.targets import (
    ATTRIBUTE,
    COMPARE,
    KEYWORD,
    OTHER,
    POSITIONAL,
    SUBSCRIPT,
    Binding,
    binding,
    environment_specific_class,
    environment_specific_file,
    outermost_string,
    sample_or_test_file,
)
from factorscan.python.traversal import FileContext
from factorscan.scan.project import ProjectModel

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


# Shapes that carry a credential without a secret-like name.
_CREDENTIAL_SHAPES = (
    re.compile(rb"://[^/\s'\"@:]+:[^/\s'\"@]+@"),  # user:password@ in a URL
    b"BasicAuth",
    b"DigestAuth",
    b"ProxyAuth",
    b"PlainCredentials",
    b"auth=(",
    b"auth = (",
    b".login(",
    b"jwt.",
    b"Serializer(",
    b"Signer(",
)
# Prefixes of the credential formats in factorscan.python.secrets.
_FORMAT_TRIGGERS = (
    b"AKIA",
    b"ASIA",
    b"ghp_",
    b"gho_",
    b"ghu_",
    b"ghs_",
    b"ghr_",
    b"github_pat_",
    b"glpat-",
    b"xox",
    b"hooks.slack.com",
    b"k_live_",
    b"AIza",
    b"SG.",
    b"sntrys_",
    b"sntryu_",
    b"T3BlbkFJ",
    b"sk-ant-",
    b"npm_",
    b"pypi-AgEI",
    b"PRIVATE KEY",
    b"eyJ",
    b"django-insecure-",
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
_TEST_FILES_NOTE = (
    "only credential formats (AWS, GitHub, Slack, Stripe live...) are reported there: other "
    "secrets in tests are fixtures"
)


def _package_prefix(qualified: str | None, context: FileContext) -> str:
    """`OPENAI` for `openai.OpenAI`; empty for builtins and local names."""
    if not qualified or qualified.startswith(("builtins.", ".")):
        return ""
    package = qualified.split(".", 1)[0]
    if package not in {target.split(".", 1)[0] for target in context.imports.bindings.values()}:
        return ""
    return env_name(package)


def _strong(value: str) -> bool:
    """Long enough and mixed enough to be a credential rather than a word."""
    return len(value) >= 8 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def secret_variable(context: FileContext, target: Binding, value: str, fallback: str) -> str:
    """The environment variable a secret moves to, named after its target."""
    name = target.name or ""
    django = django_variable(target.path)
    if django is not None:
        return env_variable_name(context, django, setting=True)
    if target.setting and not target.in_sequence:
        variable = env_name(name)
        if target.kind == ATTRIBUTE and target.owner:
            prefix = _package_prefix(context.imports.bindings.get(target.owner.split(".")[0]), context)
            if prefix and not variable.startswith(prefix):
                variable = f"{prefix}_{variable}"
        return env_variable_name(context, variable, setting=True)
    if target.kind == KEYWORD and target.call is not None and name:
        qualified = context.qualified_name(target.call.func)
        spec = CLIENTS.get(qualified or "")
        variable = env_name(name)
        if spec is not None:
            prefix = SERVICES[spec.service].prefix
            if name_words(name)[-1] in ("password", "passwd", "pwd"):
                variable = f"{prefix}_PASSWORD"
            elif not variable.startswith(f"{prefix}_"):
                variable = f"{prefix}_{variable}"
        elif not variable.startswith("AWS_"):
            prefix = _package_prefix(qualified, context)
            if prefix and not variable.startswith(prefix):
                variable = f"{prefix}_{variable}"
        return env_variable_name(context, variable, value)
    return env_variable_name(context, env_name(name) or fallback, value)


def _case_variants(word: bytes) -> list[bytes]:
    """Every upper/lower-case spelling of `word` (needles for a case-insensitive trigger)."""
    variants = [b""]
    for letter in word.decode():
        variants = [v + c.encode() for v in variants for c in {letter.lower(), letter.upper()}]
    return variants


class HardcodedSecret(SourceRule):
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
    values under three characters), on names that only point to a secret
    (`token_url`, `password_field`, `NextToken`, `SECRET_KEY_ENV_VAR`), on
    values that are words, paths, identifiers, hashes or prose
    (`password_hint = "Use at least 12 characters"`), and on indirections
    (`os.environ[...]`, `request.headers.get(...)`, function calls). A
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
    format, and never reused for another value in the file. The secret
    disappears from the code; the app then needs the variable set. Rotate the
    secret: it stays in the repository's history.
    """

    code = "FS0301"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    summary = "A secret is hardcoded in the source"
    fix_availability = FixAvailability.SOMETIMES
    test_files = _TEST_FILES_NOTE
    # Credential formats and shapes, or a secret-like name bound to a string literal.
    triggers = (*_FORMAT_TRIGGERS, *_CREDENTIAL_SHAPES, StemTrigger(_SHAPE_STEMS, _AFTER_STEM))
    sample_triggers = _FORMAT_TRIGGERS  # tests and examples: credential formats only

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
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
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
        ),
        Invalid(
            """
            PRIVATE_KEY = \"\"\"-----BEGIN RSA PRIVATE KEY-----
            MIIEpAIBAAKCAQEA75aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghij
            -----END RSA PRIVATE KEY-----\"\"\"
            """,
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
        ),
        Invalid(
            """
            import requests

            requests.get("https://deploy:token-8f7e6d5c@git.internal.net/repo.git")
            """,
            note="credentials in a URL that is not a backing service",
        ),
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._string(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._string(node)

    def _string(self, node: cst.SimpleString | cst.ConcatenatedString) -> None:
        context = self.context
        value = outermost_string(context, node)
        if value is None:
            if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
                self._bytes(node)
            return
        if len(value) < 3 or env_default_of(context) is not None:
            return
        target = binding(context)
        testing = sample_or_test_file(context.relative_path)
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
            if looks_like_secret_value(value, "password"):
                message = f"Hardcoded credential ({redact(value)})"
                self._report(node, value, target, message, fallback, named_by_target=False)
            return
        if target.kind in (OTHER, POSITIONAL) or not target.name:
            return
        if not is_secret_name(target.name, context.settings.secret_names):
            return
        if target.kind == COMPARE and not _strong(value):
            return  # `token == "not"`: parsers compare tokens with words
        if looks_like_secret_value(value, target.name):
            message = f"Hardcoded secret in {target.name} ({redact(value)})"
            self._report(node, value, target, message, env_name(target.name))

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
        self._report(node, value, target, message, fallback, named_by_target=False)

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
    ) -> None:
        fix = None
        movable = not target.docstring and not (
            target.kind == SUBSCRIPT and (target.owner or "").endswith("environ")
        )
        if movable:
            if named_by_target and target.name:
                variable = secret_variable(self.context, target, value, fallback)
            elif target.setting and target.name and not target.in_sequence:
                variable = env_variable_name(self.context, env_name(target.name), setting=True)
            else:
                variable = env_variable_name(self.context, fallback, value)
            fix = self.fix(f"Read {variable} from the environment", Applicability.UNSAFE)
            fix.replace(node, env_lookup(fix, variable))
            message += f"; read {variable} from the environment"
        self.report(node, message, fix=fix, sensitive=True)

    def _bytes(self, node: cst.SimpleString) -> None:
        """Bytes literals (`app.secret_key = b"..."`): reported without a fix, which would change the type."""
        try:
            raw = node.evaluated_value
        except Exception:  # a malformed escape: nothing to judge
            return
        if not isinstance(raw, bytes):
            return
        value = raw.decode("latin-1")
        testing = sample_or_test_file(self.context.relative_path)
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
        if match is not None and (
            not sample_or_test_file(self.context.relative_path) or match.format.in_tests
        ):
            self.report(node, f"Hardcoded {match.format.label} ({redact(match.value)})", sensitive=True)


def _read_variable(read: EnvLookup | SettingsField | tuple[str, cst.Arg]) -> str | None:
    if isinstance(read, tuple):
        return read[0]
    if isinstance(read, SettingsField):
        return read.variable
    return read.name


class SecretDefault(SourceRule):
    """
    ## What it does
    Finds environment reads whose fallback is a secret:
    `os.getenv("SECRET_KEY", "dev-secret")`, `os.environ.get(...)`,
    `os.environ.setdefault(...)`, django-environ and environs
    `env("API_TOKEN", default=...)` (and `environ.Env(SECRET_KEY=(str, ...))`),
    python-decouple and Starlette `config("X", default=...)`, and
    pydantic-settings fields (`secret_key: SecretStr = "..."`). The variable
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
    pydantic field becomes required. Reads with a default in another shape
    are reported without a fix.
    """

    code = "FS0302"
    name = "secret-default"
    severity = Severity.ERROR
    summary = "An environment read falls back to a hardcoded secret"
    fix_availability = FixAvailability.SOMETIMES
    test_files = _TEST_FILES_NOTE
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
    sample_triggers = _FORMAT_TRIGGERS  # tests and examples: credential-format defaults only

    VALID = (
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
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._string(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._string(node)

    def _string(self, node: cst.SimpleString | cst.ConcatenatedString) -> None:
        context = self.context
        value = outermost_string(context, node)
        if value is None:
            return
        read = env_default_of(context)
        if read is None:
            return
        variable = _read_variable(read)
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
        if match is not None:
            if sample_or_test_file(context.relative_path) and not match.format.in_tests:
                return
            shown = redact(match.value)
        else:
            secret_typed = isinstance(read, SettingsField) and read.secret_type
            named = secret_typed or is_secret_name(variable, context.settings.secret_names)
            if (
                sample_or_test_file(context.relative_path)
                or not named
                or not looks_like_secret_value(value, variable)
            ):
                return
            shown = redact(value)
        fix = self.fix(f"Require {variable}: drop the hardcoded default", Applicability.UNSAFE)
        self.report(
            node,
            f"{variable} falls back to a hardcoded secret ({shown}) when unset; require the variable instead",
            fix=fix if require_variable(fix, read, context) else None,
            sensitive=True,
        )


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


def _is_true(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


class HardcodedDebug(SourceRule):
    """
    ## What it does
    Finds debug mode switched on in code: `DEBUG = True` in a settings module
    or a config class, `app.run(debug=True)`, `app.debug = True`,
    `app.config["DEBUG"] = True`, `app.config.update(DEBUG=True)` and
    `FastAPI(debug=True)` (also Starlette, aiohttp and Litestar).

    Settings modules and config classes for one named environment
    (`settings/dev.py`, `local_settings.py`, `DevelopmentConfig`,
    `TestingConfig`), `DEBUG = True` under an `if`, and pydantic-settings
    fields (already read from the environment) are left alone.

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
    is unchanged until the deploy sets `DEBUG=false`.
    """

    code = "FS0303"
    name = "hardcoded-debug"
    severity = Severity.WARNING
    summary = "Debug mode is switched on in code"
    fix_availability = FixAvailability.ALWAYS
    test_files = "skipped, like settings modules and config classes for development or tests"
    triggers = (
        # DEBUG = True, debug=True: searched only where "debug" occurs in some case
        Guarded(rb"(?i:debug)\s*(?::\s*bool\s*)?=\s*True\b", *_case_variants(b"ebug")),
        re.compile(rb"DEBUG['\"]\s*\]\s*=\s*True\b"),  # app.config["DEBUG"] = True
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
        ),
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not (sample_or_test_file(relative_path) or environment_specific_file(relative_path))

    def _report(self, node: cst.BaseExpression, message: str) -> None:
        fix = self.fix("Read DEBUG from the environment (still on while it is unset)")
        variable = env_variable_name(self.context, "DEBUG", setting=True)
        fix.replace(node, env_flag(fix, variable, True))
        self.report(node, f"{message}; read {variable} from the environment", fix=fix)

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
        if _is_true(node.value):
            for target in node.targets:
                self._setting_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and _is_true(node.value):
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
        if (debug is None or not _is_true(debug.value)) and (
            config_debug is None or not _is_true(config_debug.value)
        ):
            return
        context = self.context
        qualified = context.qualified_name(node.func) or ""
        func = node.func
        if debug is not None and _is_true(debug.value):
            if qualified in _DEBUG_CONSTRUCTORS:
                self._report(debug.value, f"{qualified.rsplit('.', 1)[1]}(debug=True) hardcodes debug mode")
            elif (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("run", "run_server")
                and not qualified.startswith(_OTHER_RUNNERS)
            ):
                self._report(debug.value, f"{func.attr.value}(debug=True) hardcodes debug mode")
        if (
            config_debug is not None
            and _is_true(config_debug.value)
            and isinstance(func, cst.Attribute)
            and func.attr.value in ("update", "from_mapping", "configure")
        ):
            self._report(config_debug.value, "DEBUG is hardcoded to True")


# -- FS0305 secret-in-dockerfile ------------------------------------------------------

# ENV and ARG at the start of a line (any case); credential formats and `user:pw@` for RUN.
_DOCKERFILE_TRIGGERS: tuple[Trigger, ...] = (
    re.compile(rb"(?im)^[ \t]*(?:env|arg)[ \t]"),
    _CREDENTIAL_SHAPES[0],
    *_FORMAT_TRIGGERS,
)
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")
_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_HEX_FINGERPRINT = re.compile(r"^(?:0x)?[0-9A-Fa-f]{8,}$")


# Build-time variables that front-end bundlers inline into the JavaScript they serve: public by design.
_PUBLIC_PREFIXES = (
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "VITE_",
    "GATSBY_",
    "PUBLIC_",
)


def _secret_variable(name: str) -> bool:
    return is_secret_name(name) and not name.upper().startswith(_PUBLIC_PREFIXES)


def _aws_secret_name(name: str) -> bool:
    words = name_words(name)
    return "secret" in words and ("aws" in words or "access" in words)


def _url_passwords(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each real password inside a URL in `text` (`scheme://user:pw@host`)."""
    for match in _URL_IN_TEXT.finditer(text):
        url = parse_url(match.group())
        if url is None or not has_real_password(url):
            continue
        netloc_start = match.start() + match.group().index("://") + 3
        netloc = re.split(r"[/?#]", text[netloc_start : match.end()], maxsplit=1)[0]
        userinfo = netloc.rpartition("@")[0]
        colon = userinfo.find(":")
        if colon != -1:
            yield netloc_start + colon + 1, netloc_start + len(userinfo)


class SecretInDockerfile(FileRule):
    """
    ## What it does
    Finds secrets written into a Dockerfile:

    - `ENV` and `ARG` defaults holding a known credential format whatever the
      variable is called (AWS keys, GitHub, GitLab, Slack, Stripe live,
      Google, SendGrid, Twilio, Sentry, OpenAI, Anthropic, npm and PyPI
      tokens, PEM private keys, JWTs, `django-insecure-` keys), a URL with a
      real password (`postgres://app:s3cret@db/app`), or a real-looking value
      under a secret-like name (`ENV SECRET_KEY=...`, `ARG NPM_TOKEN=...`);
    - `ENV API_KEY=$API_KEY`, which copies a build argument into the image's
      environment for good;
    - `ARG NPM_TOKEN` (no default, or an empty one) in a stage of the final
      image followed by a `RUN`: BuildKit writes every build argument in scope into the image
      history of each later `RUN` (`docker history` shows its value). In a
      build stage the final image does not descend from, it stays out of the
      image and passes;
    - credential formats and URL passwords anywhere else: `RUN curl -H
      "Authorization: Bearer ghp_..."`, `RUN pip install
      https://user:pw@pypi.internal/...`, heredoc bodies.

    Placeholders (`changeme`, `<token>`, `xxx`, `dummy`), empty values,
    values from other variables (`${DB_PASSWORD}`), paths, values equal to a
    word of the name (`ENV POSTGRES_PASSWORD=postgres`), GPG key fingerprints
    (`ENV GPG_KEY=A035C8...`, as in the official Python image), front-end
    build variables that bundlers inline into public JavaScript
    (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`...) and BuildKit secret mounts
    (`RUN --mount=type=secret,id=npm_token ...`) pass. The
    message names the variable and the kind of credential, never the value,
    and reporters mask the value when they show the line.

    ## Why is this bad?
    Factor III: credentials belong to the environment of a deploy, not to
    the build. A secret in a Dockerfile is in the repository and in every
    image built from it: anyone who can pull the image reads it with `docker
    inspect` or `docker history`, and rotating it means rebuilding and
    redeploying every image.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ENV STRIPE_API_KEY=sk_live_...
    ARG PIP_TOKEN
    RUN pip install --index-url https://ci:$PIP_TOKEN@pypi.internal/simple -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM python:3.12-slim
    RUN --mount=type=secret,id=pip_index_url \\
        PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" pip install -r requirements.txt
    ```
    and set `STRIPE_API_KEY` in the environment of the running container.

    ## Fix
    None automatic: remove the value, rotate the credential, pass build-time
    secrets with `docker build --secret` and `RUN --mount=type=secret`, and
    give the container its runtime secrets through the platform's
    environment or secret store.
    """

    code = "FS0305"
    name = "secret-in-dockerfile"
    severity = Severity.ERROR
    summary = "A Dockerfile writes a secret into the image or its history"
    kinds = ("dockerfile",)
    file_triggers = _DOCKERFILE_TRIGGERS

    VALID = (
        Valid(
            """
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1 \\
                SECRET_KEY_FILE=/run/secrets/django_secret \\
                DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app \\
                API_TOKEN="" \\
                POSTGRES_PASSWORD=postgres
            ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D
            ARG SECRET_KEY=changeme
            ARG GITHUB_TOKEN=<your-token>
            RUN --mount=type=secret,id=npm_token \\
                NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci
            """,
            filename="Dockerfile",
            note="paths, references, placeholders, a word of the name, a key fingerprint, a secret mount",
        ),
        Valid(
            """
            FROM python:3.12-slim AS wheels
            ARG PIP_EXTRA_INDEX_TOKEN
            RUN pip wheel --wheel-dir /wheels -r requirements.txt
            FROM python:3.12-slim
            COPY --from=wheels /wheels /wheels
            RUN pip install --no-index /wheels/*.whl
            """,
            filename="Dockerfile",
            note="a build argument used only in a stage the final image does not descend from",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY . /app
            RUN --mount=type=secret,id=gitlab_token,env=GITLAB_TOKEN \\
                pip install "git+https://oauth2:${GITLAB_TOKEN}@gitlab.com/acme/lib.git@v1.2.0"
            # factorscan: ignore=FS0305
            ENV WEBHOOK_SECRET=Zq8Xw2Lm4Nv6Bt1R
            """,
            filename="Dockerfile",
            note="a secret mount read through a variable; an ignore comment",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            FROM python:3.12-slim
            ENV STRIPE_API_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc
            """,
            filename="Dockerfile",
            line=2,
            note="a credential format",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ENV DJANGO_SECRET_KEY="k8#x2Lq9!vR4mZ7w" \\
                DATABASE_URL=postgres://shop:Tr0ub4dor3@db.internal:5432/shop
            ARG SENTRY_DSN_TOKEN=q8Zr2Lx9Wm4Tn7Pb3Vc6
            """,
            filename="Dockerfile",
            count=3,
            note="by name, a URL password, an ARG default",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ARG NPM_TOKEN
            ENV NPM_TOKEN=${NPM_TOKEN}
            """,
            filename="Dockerfile",
            line=3,
            note="the build argument's value stays in the image's environment (one finding, at the ENV)",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ARG PIP_PASSWORD
            RUN pip install --index-url "https://ci:${PIP_PASSWORD}@pypi.internal/simple" -r requirements.txt
            """,
            filename="Dockerfile",
            line=2,
            note="`docker history` shows the build argument",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            RUN curl -fsSL -H "Authorization: Bearer ghp_R7tQ2mX9vB4nK8pW3zL6cJ1hF5dS0aY8uE2iQ" \\
                  https://api.github.com/repos/acme/app/tarball -o app.tgz \\
             && pip install https://deploy:Xk2m9Qp4w@pypi.acme.io/packages/acme-1.0.tar.gz
            """,
            filename="Dockerfile",
            count=2,
            note="inline credentials in RUN: a token format and a URL password",
        ),
    )

    def check(self, source: SourceFile) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        final = dockerfile.final_stage
        image_stages = {stage.index for stage in dockerfile.lineage(final)} if final is not None else set()
        global_args: dict[str, str | None] = {}
        scope = _Scope()
        for instruction in dockerfile.instructions:
            keyword = instruction.keyword
            if keyword == "FROM":
                yield from self._recorded_args(source, scope)
                scope = _Scope(in_image=instruction.stage in image_stages)
                continue
            ignored = instruction.ignores(self.code)
            if keyword in ("ENV", "ARG"):
                for pair in instruction.assignments():
                    if not ignored:
                        yield from self._assignment(source, instruction, pair, scope)
                    if keyword == "ENV":
                        continue
                    if instruction.stage < 0:
                        global_args[pair.name] = pair.value
                        continue
                    value = global_args.get(pair.name) if pair.value is None else pair.value
                    # A build argument with no default, or an empty one, is meant to be set by the build
                    # (`changeme` or `dummy` defaults are what the build uses).
                    by_build = value is None or not value.strip() or bool(_REFERENCE.search(value))
                    scope.args[pair.name] = None if by_build else value
                    if by_build and scope.in_image and not ignored and _secret_variable(pair.name):
                        scope.secret_args[pair.name] = instruction
                continue
            if keyword == "RUN":
                scope.recorded.update(scope.secret_args)
            if not ignored:
                yield from self._inline(source, instruction)
        yield from self._recorded_args(source, scope)

    def _assignment(
        self, source: SourceFile, instruction: Instruction, pair: Assignment, scope: _Scope
    ) -> Iterator[Finding]:
        value = pair.value
        if not value:
            return
        keyword = instruction.keyword
        what = f"ENV `{pair.name}` is set to" if keyword == "ENV" else f"ARG `{pair.name}` defaults to"
        start, end = _value_span(instruction, pair)
        references = _REFERENCE.findall(value)
        credentials = list(find_credentials(value, _aws_secret_name(pair.name)))
        if credentials:
            label = credentials[0][2].format.label
            yield self._finding(source, instruction, start, end, f"{what} a {label}")
            return
        passwords = list(_url_passwords(value))
        if passwords:
            shift = instruction.line.find(value, start)
            if shift == -1:  # quoted with escapes: mask the whole value
                yield self._finding(source, instruction, start, end, f"{what} a URL with a password")
                return
            first, last = passwords[0]
            yield self._finding(
                source, instruction, shift + first, shift + last, f"{what} a URL with a password"
            )
            return
        from_build = [name for name in references if name in scope.args and scope.args[name] is None]
        if keyword == "ENV" and from_build:
            secret = _secret_variable(pair.name) or any(_secret_variable(name) for name in from_build)
            if secret and scope.in_image:
                scope.persisted.update(from_build)
                yield self.make_finding(
                    source.display_path,
                    instruction.location(start),
                    instruction.location(end),
                    f"ENV `{pair.name}` copies the build argument `{from_build[0]}` into the image's "
                    "environment, where `docker inspect` shows it; read it in `RUN --mount=type=secret` "
                    "at build time, or set it when the container runs",
                )
            return
        if references or not _secret_variable(pair.name) or not looks_like_secret_value(value, pair.name):
            return
        if {"gpg", "pgp", "gpgkey", "gpgkeys"} & set(name_words(pair.name)) and _HEX_FINGERPRINT.match(value):
            return  # a key fingerprint, public by design
        yield self._finding(source, instruction, start, end, f"{what} a secret-looking literal")

    def _inline(self, source: SourceFile, instruction: Instruction) -> Iterator[Finding]:
        """Credential formats and URL passwords in any other instruction and its heredocs."""
        texts = [(instruction.line, instruction.text_map)]
        texts += [(heredoc.text, heredoc.text_map) for heredoc in instruction.heredocs]
        for text, text_map in texts:
            aws = "secret_access_key" in text.lower()
            seen: list[tuple[int, int]] = []
            for start, end, match in find_credentials(text, aws_context=aws, guess_aws_secret=False):
                if any(start < other_end and other_start < end for other_start, other_end in seen):
                    continue
                seen.append((start, end))
                yield self.make_finding(
                    source.display_path,
                    text_map.location(start),
                    text_map.location(end),
                    f"{instruction.keyword} contains a {match.format.label}: it is stored in the "
                    "Dockerfile and in the image history",
                    sensitive=True,
                )
            for start, end in _url_passwords(text):
                if any(start < other_end and other_start < end for other_start, other_end in seen):
                    continue
                yield self.make_finding(
                    source.display_path,
                    text_map.location(start),
                    text_map.location(end),
                    f"{instruction.keyword} contains a URL with a password: it is stored in the "
                    "Dockerfile and in the image history",
                    sensitive=True,
                )

    def _recorded_args(self, source: SourceFile, scope: _Scope) -> Iterator[Finding]:
        for name in sorted(scope.recorded - scope.persisted):
            instruction = scope.secret_args[name]
            pair = next(pair for pair in instruction.assignments() if pair.name == name)
            yield self.make_finding(
                source.display_path,
                instruction.location(pair.start),
                instruction.location(pair.end),
                f"Build argument `{name}` is written into the image history by every later RUN "
                "(`docker history` shows its value); pass it with `RUN --mount=type=secret` instead",
            )

    def _finding(
        self,
        source: SourceFile,
        instruction: Instruction,
        start: int,
        end: int,
        message: str,
    ) -> Finding:
        advice = (
            "; remove it, rotate it, and give it to the container at run time or to the build with `--secret`"
        )
        return self.make_finding(
            source.display_path,
            instruction.location(start),
            instruction.location(end),
            message + advice,
            sensitive=True,
        )


@dataclass
class _Scope:
    """What one build stage has declared so far, for FS0305."""

    in_image: bool = False  # a stage of the final image's FROM chain
    args: dict[str, str | None] = field(default_factory=dict)  # None: the value comes from the build
    secret_args: dict[str, Instruction] = field(default_factory=dict)  # secret-named, no default
    recorded: set[str] = field(default_factory=set)  # ... with a RUN after them
    persisted: set[str] = field(default_factory=set)  # ... copied into ENV (reported there)


def _value_span(instruction: Instruction, pair: Assignment) -> tuple[int, int]:
    """Offsets in `instruction.line` of the value as written (quotes included)."""
    start = pair.value_start
    line = instruction.line
    while start < pair.end and line[start] in " \t":
        start += 1
    return start, max(pair.end, start)


# -- FS0304 secret-file-in-image ------------------------------------------------------

_HEAD_BYTES = 65536
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class _Placed:
    """A secret file inside a stage's filesystem."""

    path: str  # in the image, relative to `/`
    shown: str  # how the message names it: the context path
    kind: str
    instruction: Instruction  # the COPY/ADD that brought it from the build context


class SecretFileInImage(ProjectRule):
    """
    ## What it does
    Finds Dockerfile `COPY`/`ADD` instructions that put a secret file into
    the final image: `.env` files holding real-looking secrets, private keys
    (`*.key`, a `*.pem` with a `PRIVATE KEY` block, `id_rsa` and the other
    SSH keys), `*.p12`/`*.pfx` key stores, `.netrc`, `.pypirc`,
    `.git-credentials`, `.pgpass`, `.aws/credentials`, `.docker/config.json`
    with registry auth, an `.npmrc` with an auth token, Google service
    account and OAuth client JSON files, and Streamlit's
    `.streamlit/secrets.toml`.

    It reads the build context (compose `build.context`, else guessed from
    the COPY sources) the way `docker build` does: `COPY . .` and `COPY src/
    /app/` are reported when such a file exists there and `.dockerignore`
    does not exclude it, and the message names the files (never their
    content). A file named explicitly (`COPY .env /app/`) is reported even
    when it is not in the tree now (`.env` is usually git-ignored but there
    on the machine that builds). `COPY --from=<stage>` is judged by what that
    stage holds, and reported when it carries a secret file into the final
    image.

    Passes: `.env.example`, `.env.sample`, `.env.template` and `.env.test`;
    a `.env` with no secret in it; certificates and public keys (`*.pub`,
    a `.pem` without a private key); files under `tests/`, `fixtures/`,
    `docs/`, `examples/`, `node_modules/`, virtualenvs and `.git/`; secrets
    copied only into a build stage whose files the final image does not take
    (they stay out of the image); BuildKit secret mounts (`RUN
    --mount=type=secret`). Dockerfiles under tests/ and dot folders
    (`.devcontainer/`) are not checked.

    ## Why is this bad?
    Factor III: credentials are config, and belong to the environment of
    each deploy. A secret file in an image travels to every registry and
    host the image does, is readable by anyone who can pull it (`docker
    save` unpacks every layer, and deleting the file in a later layer does
    not remove it), and is the same in staging and production.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    ```
    with a `.env` holding `STRIPE_API_KEY=...` next to it and no
    `.dockerignore`.

    Use instead: a `.dockerignore` with
    ```
    .env
    *.pem
    ```
    and the values given to the container by the platform
    (`docker run --env-file`, Kubernetes secrets).

    ## Fix
    None automatic: exclude the file in `.dockerignore` (or stop copying
    it), rotate anything that reached a pushed image, and pass build-time
    secrets with `docker build --secret` and `RUN --mount=type=secret`.
    """

    code = "FS0304"
    name = "secret-file-in-image"
    severity = Severity.ERROR
    summary = "A secret file is copied into the Docker image"
    test_files = (
        "secret files under tests/, fixtures/, docs/ and examples/ are fixtures and pass; "
        "Dockerfiles there are not checked"
    )

    VALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Valid(
            """
            FROM python:3.12-slim
            WORKDIR /app
            COPY . .
            CMD ["gunicorn", "app:app"]
            """,
            filename="Dockerfile",
            files={
                ".dockerignore": ".git\n.env\n**/*.pem\n",
                ".env": "STRIPE_API_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
                "certs/server.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75aB\n",
                ".env.example": "STRIPE_API_KEY=\n",
                "app.py": "app = None\n",
            },
            note="excluded by .dockerignore; .env.example documents the variables",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY . /srv
            COPY .env.sample /srv/.env
            """,
            filename="Dockerfile",
            files={
                ".env": "FLASK_APP=app.py\nSECRET_KEY=\nLOG_LEVEL=info\n",
                ".env.sample": "SECRET_KEY=changeme\n",
                "certs/ca.pem": "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTAN\n",
                "deploy/id_ed25519.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq deploy@ci\n",
                "tests/fixtures/server.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0\n",
            },
            note="no secret in .env, a certificate, a public key, a test fixture",
        ),
        Valid(
            """
            FROM python:3.12-slim AS build
            COPY .netrc /root/.netrc
            COPY . /src
            RUN pip wheel --wheel-dir /wheels /src
            FROM python:3.12-slim
            COPY --from=build /wheels /wheels
            RUN pip install --no-index /wheels/*.whl
            """,
            filename="Dockerfile",
            files={".env": "DATABASE_URL=postgres://shop:Tr0ub4dor3@db/shop\n"},
            note="secrets only in a build stage whose wheels are all the final image takes",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            FROM python:3.12-slim
            WORKDIR /app
            COPY . .
            """,
            filename="Dockerfile",
            files={".env": "DATABASE_URL=postgres://shop:Tr0ub4dor3@db/shop\n", "app.py": "app = None\n"},
            line=3,
            note="no .dockerignore: the .env goes in",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY .env /app/.env
            COPY deploy/ /etc/deploy/
            """,
            filename="Dockerfile",
            files={
                ".dockerignore": "*.pyc\n",
                "deploy/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUA\n",
                "deploy/known_hosts": "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq\n",
            },
            count=2,
            note="`.env` named explicitly (not in the tree: built where it exists), a folder with an SSH key",
        ),
        Invalid(
            """
            FROM python:3.12-slim AS source
            COPY . /src
            FROM python:3.12-slim
            COPY --from=source /src /app
            """,
            filename="Dockerfile",
            files={"gcp/service-account.json": '{"type": "service_account", "private_key": "-----BEGIN"}\n'},
            line=4,
            note="the final stage takes the build stage's whole tree",
        ),
    )

    def check(self, project: ProjectModel) -> Iterable[Finding]:
        for path, dockerfile in sorted(project.dockerfiles.items()):
            relative = project.relative(path)
            if is_sample_path(relative) or any(part.startswith(".") for part in relative.split("/")[:-1]):
                continue
            final = dockerfile.final_stage
            if final is None:
                continue
            yield from self._image(project, path, dockerfile, final)

    def _image(
        self, project: ProjectModel, path: Path, dockerfile: Dockerfile, final: Stage
    ) -> Iterator[Finding]:
        context = project.build_context(path)
        image = {stage.index for stage in dockerfile.lineage(final)}
        copies = {id(copy.instruction): copy for copy in dockerfile.copies()}
        contents: dict[int, list[_Placed]] = {}
        workdirs: dict[int, str] = {}
        reported: set[str] = set()
        for stage in dockerfile.stages:
            placed = list(contents.get(stage.parent, [])) if stage.parent is not None else []
            workdir = workdirs.get(stage.parent, "/") if stage.parent is not None else "/"
            variables = _stage_variables(dockerfile, stage)
            for instruction in stage.instructions:
                if instruction.keyword == "WORKDIR":
                    target = _resolve(instruction.arguments.strip(), variables, instruction.escape)
                    workdir = posixpath.normpath(posixpath.join(workdir, target)) if target else workdir
                    continue
                copy = copies.get(id(instruction))
                if copy is None or copy.heredoc or copy.from_image is not None:
                    continue
                if copy.from_stage is not None:
                    if copy.from_stage.index >= stage.index:
                        continue
                    new = self._from_stage(copy, variables, workdir, contents[copy.from_stage.index])
                else:
                    new = self._from_context(context, copy, variables, workdir)
                placed.extend(new)
                # One finding per file: the first instruction that puts it into the final image.
                unreported = [item for item in new if item.shown not in reported]
                if unreported and stage.index in image and not instruction.ignores(self.code):
                    reported.update(item.shown for item in unreported)
                    yield self._finding(project, path, copy, unreported, context)
            contents[stage.index] = placed
            workdirs[stage.index] = workdir

    @staticmethod
    def _from_context(
        context: BuildContext, copy: Copy, variables: dict[str, str | None], workdir: str
    ) -> list[_Placed]:
        found: list[_Placed] = []
        for raw in copy.sources:
            source = _resolve(raw, variables, copy.instruction.escape)
            if source is None or "://" in source or source.startswith("git@"):
                continue
            files = context.copied(source)
            for relative in files:
                kind = secret_file_kind(
                    relative, _head(context.root / relative) if needs_head(relative) else None
                )
                if kind is not None:
                    target = _destination(copy, source, relative, workdir)
                    found.append(_Placed(target, relative, kind, copy.instruction))
            cleaned = clean(source).lstrip("/")
            if files or _GLOB.search(cleaned) or cleaned in ("", ".") or context.excluded(cleaned):
                continue
            if not (context.root / cleaned).exists():
                # Named but not in the tree now: `.env` is git-ignored, yet there where images are built.
                kind = secret_file_kind(cleaned)
                if kind is not None:
                    found.append(
                        _Placed(_destination(copy, source, cleaned, workdir), cleaned, kind, copy.instruction)
                    )
        return found

    @staticmethod
    def _from_stage(
        copy: Copy, variables: dict[str, str | None], workdir: str, available: list[_Placed]
    ) -> list[_Placed]:
        found = []
        for raw in copy.sources:
            source = _resolve(raw, variables, copy.instruction.escape)
            if source is None:
                continue
            pattern = source_pattern(source)
            for item in available:
                if pattern is None or pattern.matches_or_parent(item.path):
                    found.append(
                        _Placed(
                            _destination(copy, source, item.path, workdir),
                            item.shown,
                            item.kind,
                            item.instruction,
                        )
                    )
        return found

    def _finding(
        self, project: ProjectModel, path: Path, copy: Copy, placed: list[_Placed], context: BuildContext
    ) -> Finding:
        instruction = copy.instruction
        unique = list({item.shown: item for item in placed}.values())
        names = ", ".join(f"`{item.shown}` ({item.kind})" for item in unique[:3])
        if len(unique) > 3:
            names += f" and {len(unique) - 3} more"
        origin = instruction.flag("from")
        flags = [f"--from={origin}"] if origin else []
        command = " ".join([instruction.keyword, *flags, *copy.sources, copy.destination])
        if copy.from_stage is not None:
            stage_name = copy.from_stage.name or str(copy.from_stage.index)
            message = (
                f"`{command}` takes {names} from stage `{stage_name}` (copied there at line "
                f"{unique[0].instruction.start_row}) into the final image; copy only what the app needs"
            )
        else:
            message = f"`{command}` puts {names} into the image"
            named = {clean(source).lstrip("/") for source in copy.sources}
            them = "them" if len(unique) > 1 else "it"
            if all(item.shown in named for item in unique):
                message += f"; stop copying {them} and give the container its secrets at run time"
            else:
                ignore = (
                    "`.dockerignore` does not exclude"
                    if context.ignore_file
                    else "no `.dockerignore` excludes"
                )
                message += (
                    f": the build context has {them} and {ignore} {them}; add {them} to "
                    "`.dockerignore` and give the container its secrets at run time"
                )
        return self.make_finding(
            project.display(path),
            instruction.start,
            instruction.end,
            message,
            fingerprint_hint=",".join(sorted(item.shown for item in unique)),
        )


def _stage_variables(dockerfile: Dockerfile, stage: Stage) -> dict[str, str | None]:
    """Build arguments (defaults) and ENV a stage's paths may use; None: set by the build."""
    variables: dict[str, str | None] = {}
    for instruction in stage.of("ARG"):
        for pair in instruction.assignments():
            default = dockerfile.global_args.get(pair.name) if pair.value is None else pair.value
            variables[pair.name] = default
    variables.update(stage.env)
    return variables


def _resolve(text: str, variables: dict[str, str | None], escape: str) -> str | None:
    """`text` with its variables substituted; None when one is unknown (undeclared or a build arg)."""
    if any(name not in variables for name in _REFERENCE.findall(text)):
        return None
    value, known = expand(text, variables, escape)
    return value if known else None


def _head(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _destination(copy: Copy, source: str, relative: str, workdir: str) -> str:
    """Where `COPY <source> <dest>` puts the file `relative` (a path below the source's root)."""
    destination = posixpath.join(workdir, copy.destination) if copy.destination else workdir
    pattern_text = clean(source).lstrip("/")
    if pattern_text in ("", "."):
        inside = relative
    elif relative == pattern_text and not copy.destination.endswith("/") and len(copy.sources) == 1:
        return posixpath.normpath(destination).lstrip("/")
    else:
        # The part below the folder the source names (or the matched file's own name).
        pattern = source_pattern(source)
        parts = relative.split("/")
        depth = next(
            (
                index
                for index in range(1, len(parts) + 1)
                if pattern is None or pattern.matches("/".join(parts[:index]))
            ),
            len(parts),
        )
        inside = "/".join(parts[depth - 1 :]) if depth == len(parts) else "/".join(parts[depth:])
    return posixpath.normpath(posixpath.join(destination, inside)).lstrip("/")
